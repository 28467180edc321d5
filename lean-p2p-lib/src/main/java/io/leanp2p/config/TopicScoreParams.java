package io.leanp2p.config;

/**
 * Per-topic peer-score parameters (gossipsub v1.1 P1–P4, P3b). Weights of penalties are
 * negative. Decays are multipliers applied every {@link PeerScoreParams#decayIntervalMillis()}.
 *
 * @param topicWeight multiplier of the whole topic score
 * @param timeInMeshWeight P1 weight (per quantum in the mesh)
 * @param timeInMeshQuantumMillis P1 quantum
 * @param timeInMeshCap P1 cap (in quanta)
 * @param firstMessageDeliveriesWeight P2 weight (first deliveries of valid messages)
 * @param firstMessageDeliveriesDecay P2 decay
 * @param firstMessageDeliveriesCap P2 counter cap
 * @param meshMessageDeliveriesWeight P3 weight (negative; 0 disables P3)
 * @param meshMessageDeliveriesDecay P3 counter decay
 * @param meshMessageDeliveriesThreshold P3 expected deliveries; the deficit below it is squared
 * @param meshMessageDeliveriesCap P3 counter cap
 * @param meshMessageDeliveriesActivationMillis time in mesh before P3 applies
 * @param meshMessageDeliveriesWindowMillis a duplicate from a mesh peer within this time of the
 *     first delivery still counts as a mesh delivery
 * @param meshFailurePenaltyWeight P3b weight (negative)
 * @param meshFailurePenaltyDecay P3b decay
 * @param invalidMessageDeliveriesWeight P4 weight (negative): invalid (REJECTed) messages, squared
 * @param invalidMessageDeliveriesDecay P4 decay
 */
public record TopicScoreParams(
    double topicWeight,
    double timeInMeshWeight,
    long timeInMeshQuantumMillis,
    double timeInMeshCap,
    double firstMessageDeliveriesWeight,
    double firstMessageDeliveriesDecay,
    double firstMessageDeliveriesCap,
    double meshMessageDeliveriesWeight,
    double meshMessageDeliveriesDecay,
    double meshMessageDeliveriesThreshold,
    double meshMessageDeliveriesCap,
    long meshMessageDeliveriesActivationMillis,
    long meshMessageDeliveriesWindowMillis,
    double meshFailurePenaltyWeight,
    double meshFailurePenaltyDecay,
    double invalidMessageDeliveriesWeight,
    double invalidMessageDeliveriesDecay) {

  /**
   * Defaults for every lean topic. Shaped after the Ethereum consensus-layer scoring (Lighthouse /
   * Teku {@code GossipScoringConfigurator}) with lean's 4 s slot as the time unit. P3/P3b are off
   * by default (weight 0): lean networks are small and bursty (one block per slot), where the
   * delivery-deficit penalty mostly hurts honest peers; enable it per topic when the rate is known.
   */
  public static final TopicScoreParams DEFAULT = new TopicScoreParams(
      1.0,
      0.0324, 4_000, 300,
      1.0, 0.9, 100,
      0.0, 0.97, 1, 20, 16_000, 2_000,
      0.0, 0.97,
      -99.0, 0.9994);

  public TopicScoreParams {
    if (timeInMeshQuantumMillis <= 0) {
      throw new IllegalArgumentException("timeInMeshQuantumMillis must be > 0");
    }
    if (meshMessageDeliveriesWeight > 0 || meshFailurePenaltyWeight > 0 || invalidMessageDeliveriesWeight > 0) {
      throw new IllegalArgumentException("penalty weights must be <= 0");
    }
  }

  /** This with a different P3 configuration. */
  public TopicScoreParams withMeshDeliveries(double weight, double threshold, long activationMillis, double failureWeight) {
    return new TopicScoreParams(topicWeight, timeInMeshWeight, timeInMeshQuantumMillis, timeInMeshCap,
        firstMessageDeliveriesWeight, firstMessageDeliveriesDecay, firstMessageDeliveriesCap,
        weight, meshMessageDeliveriesDecay, threshold, meshMessageDeliveriesCap, activationMillis,
        meshMessageDeliveriesWindowMillis, failureWeight, meshFailurePenaltyDecay,
        invalidMessageDeliveriesWeight, invalidMessageDeliveriesDecay);
  }
}
