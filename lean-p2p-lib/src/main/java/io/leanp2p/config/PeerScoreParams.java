package io.leanp2p.config;

import java.util.Map;

/**
 * Peer-score parameters (gossipsub v1.1) and thresholds.
 *
 * @param topics per-topic parameters; topics not listed use {@code defaultTopic}
 * @param defaultTopic parameters for any other topic ({@code null}: unlisted topics are not scored)
 * @param topicScoreCap cap of the positive sum of topic scores (0 = no cap)
 * @param appSpecificWeight P5 weight (application score set via {@code GossipRouter.setApplicationScore})
 * @param ipColocationFactorWeight P6 weight (negative)
 * @param ipColocationFactorThreshold peers per IP tolerated before P6 applies
 * @param behaviourPenaltyWeight P7 weight (negative)
 * @param behaviourPenaltyThreshold P7 tolerance
 * @param behaviourPenaltyDecay P7 decay
 * @param decayIntervalMillis how often counters decay
 * @param decayToZero counters below this become 0
 * @param retainScoreMillis how long a disconnected peer's score is kept
 * @param gossipThreshold below it: no gossip to or from the peer (IHAVE/IWANT ignored)
 * @param publishThreshold below it: no flood-publish / fanout to the peer
 * @param graylistThreshold below it: every RPC from the peer is ignored
 * @param acceptPxThreshold above it: PX from the peer would be accepted (no PX in lean: unused)
 * @param opportunisticGraftThreshold median mesh score below which opportunistic grafting runs
 */
public record PeerScoreParams(
    Map<String, TopicScoreParams> topics,
    TopicScoreParams defaultTopic,
    double topicScoreCap,
    double appSpecificWeight,
    double ipColocationFactorWeight,
    int ipColocationFactorThreshold,
    double behaviourPenaltyWeight,
    double behaviourPenaltyThreshold,
    double behaviourPenaltyDecay,
    long decayIntervalMillis,
    double decayToZero,
    long retainScoreMillis,
    double gossipThreshold,
    double publishThreshold,
    double graylistThreshold,
    double acceptPxThreshold,
    double opportunisticGraftThreshold) {

  /**
   * Lean defaults, after the Ethereum consensus-layer values (thresholds -4000 / -8000 / -16000,
   * accept-PX 100, opportunistic graft 5; P6 weight -35.11 above 3 peers per IP; P7 -15.92 above
   * 6 with 0.986 decay), decaying once per lean slot (4 s), scores retained for 100 slots.
   */
  public static final PeerScoreParams DEFAULT = new PeerScoreParams(
      Map.of(), TopicScoreParams.DEFAULT, 32.72,
      1.0, -35.11, 3, -15.92, 6, 0.986,
      4_000, 0.01, 400_000,
      -4000, -8000, -16000, 100, 5);

  public PeerScoreParams {
    topics = Map.copyOf(topics);
    if (!(gossipThreshold <= 0 && publishThreshold <= gossipThreshold && graylistThreshold <= publishThreshold)) {
      throw new IllegalArgumentException("need 0 >= gossip >= publish >= graylist thresholds");
    }
    if (decayIntervalMillis <= 0) {
      throw new IllegalArgumentException("decayIntervalMillis must be > 0");
    }
  }

  /** The score parameters of {@code topic}, or null when the topic is not scored. */
  public TopicScoreParams topic(String topic) {
    TopicScoreParams p = topics.get(topic);
    return p != null ? p : defaultTopic;
  }

  /** This with different per-topic defaults. */
  public PeerScoreParams withDefaultTopic(TopicScoreParams t) {
    return new PeerScoreParams(topics, t, topicScoreCap, appSpecificWeight, ipColocationFactorWeight,
        ipColocationFactorThreshold, behaviourPenaltyWeight, behaviourPenaltyThreshold, behaviourPenaltyDecay,
        decayIntervalMillis, decayToZero, retainScoreMillis, gossipThreshold, publishThreshold,
        graylistThreshold, acceptPxThreshold, opportunisticGraftThreshold);
  }

  /** This with a different decay interval. */
  public PeerScoreParams withDecayIntervalMillis(long millis) {
    return new PeerScoreParams(topics, defaultTopic, topicScoreCap, appSpecificWeight, ipColocationFactorWeight,
        ipColocationFactorThreshold, behaviourPenaltyWeight, behaviourPenaltyThreshold, behaviourPenaltyDecay,
        millis, decayToZero, retainScoreMillis, gossipThreshold, publishThreshold,
        graylistThreshold, acceptPxThreshold, opportunisticGraftThreshold);
  }
}
