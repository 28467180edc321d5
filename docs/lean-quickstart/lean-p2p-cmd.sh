#!/bin/bash

#-----------------------lean-p2p setup----------------------
# lean-p2p: a Java libp2p networking bridge for lean clients. `lean-p2p node` joins the devnet as a
# networking-only peer (QUIC, gossipsub, status / blocks_by_range answers, leanMetrics network
# metrics); it has no validator, so the validator / aggregator / API flags below are accepted and
# listed once at start, not used.
# Binary mode expects a lean-p2p checkout next to lean-quickstart ($scriptDir/../lean-p2p); its
# ./lean-p2p launcher finds a JDK >= 21 and builds the jar on first use (Maven).
# Copy this file to lean-quickstart's client-cmds/ and name the nodes lean-p2p_0, lean-p2p_1, ...

# Set aggregator flag based on isAggregator value
aggregator_flag=""
if [ "$isAggregator" == "true" ]; then
    aggregator_flag="--is-aggregator"
fi

aggregate_subnet_ids_flag=""
if [ "$isAggregator" == "true" ] && [ -n "${aggregateSubnetIds:-}" ] && [[ "$aggregateSubnetIds" == *,* ]]; then
    aggregate_subnet_ids_flag="--aggregate-subnet-ids $aggregateSubnetIds"
fi

# Set attestation committee count flag if explicitly configured
attestation_committee_flag=""
if [ -n "$attestationCommitteeCount" ]; then
    attestation_committee_flag="--attestation-committee-count $attestationCommitteeCount"
fi

# Set checkpoint sync URL when restarting with checkpoint sync
checkpoint_sync_flag=""
if [ -n "${checkpoint_sync_url:-}" ]; then
    checkpoint_sync_flag="--checkpoint-sync-url $checkpoint_sync_url"
fi

node_binary="$scriptDir/../lean-p2p/lean-p2p node \
      --data-dir $dataDir/$item \
      --genesis $configDir/config.yaml \
      --validators $configDir/annotated_validators.yaml \
      --bootnodes $configDir/nodes.yaml \
      --node-id $item \
      --node-key $configDir/$privKeyPath \
      --listen-port $quicPort \
      --metrics-port $metricsPort \
      --api-port $apiPort \
      $attestation_committee_flag \
      $aggregator_flag \
      $aggregate_subnet_ids_flag \
      $checkpoint_sync_flag"

# No container image is published: node_docker is left empty, use binary mode.
node_docker=""

# choose either binary or docker
node_setup="binary"
