#!/usr/bin/env bash
# QUIC over a path that silently drops packets larger than its MTU (a "PMTU black hole"), in two
# network namespaces this script creates (needs root and iproute2; nothing leaves them):
#
#   lp2p-mtu-a (10.77.0.1, veth MTU 1500)  <->  lp2p-mtu-b (10.77.0.2, veth MTU 1300)
#
# A datagram from a that is larger than b's MTU is dropped on the way in, without an ICMP error:
# the sender cannot learn the path MTU from the kernel. The server (in a) answers a 64 × 100 KiB
# blocks_by_range to the client (in b). lean-p2p's QUIC sends 1200-byte packets and raises the size
# (up to 1452) only when a PMTUD probe of that size is acknowledged, so the transfer completes; with
# a fixed 1452-byte send size (no PMTUD) every full packet would be lost and the request would time
# out. Exit 0 when the client got the whole response. See docs/benchmarks.md ("QUIC packet size").
#
#   scripts/pmtu-blackhole.sh            (builds the bench jar if it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
leanp2p_find_jdk
JAR=lean-p2p-bench/target/lean-p2p-bench-benchmarks.jar
[ -f "$JAR" ] || mvn -B -q -ntp -DskipTests -pl lean-p2p-bench -am package
A=lp2p-mtu-a B=lp2p-mtu-b
work=$(mktemp -d)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$A"
ip netns add "$B"
ip link add lp2p-va type veth peer name lp2p-vb
ip link set lp2p-va netns "$A"
ip link set lp2p-vb netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev lp2p-va
ip -n "$B" addr add 10.77.0.2/24 dev lp2p-vb
ip -n "$A" link set lp2p-va up mtu 1500
ip -n "$B" link set lp2p-vb up mtu 1300
ip -n "$A" link set lo up
ip -n "$B" link set lo up
java=("$JAVA_HOME/bin/java" -Xmx512m -cp "$JAR" io.leanp2p.bench.PathMtuCheck)
ip netns exec "$A" "${java[@]}" server /ip4/10.77.0.1/udp/9000/quic-v1 "$work/addr" 60 > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 300); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || { echo "pmtu-blackhole: the server did not start"; cat "$work/server.log"; exit 1; }
echo "pmtu-blackhole: a (MTU 1500) serves b (MTU 1300) over QUIC; packets above 1300 bytes are dropped silently"
ip netns exec "$B" "${java[@]}" client /ip4/10.77.0.2/udp/0/quic-v1 "$work/addr" 2>&1 | grep '^client:'
