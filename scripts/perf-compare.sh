#!/usr/bin/env bash
# Before/after performance tables for docs/benchmarks.md (issue #16).
#
# Builds the baseline commit (default 69230a0, in a separate clone) and the current worktree,
# compiles the same harness classes (lean-p2p-bench: Meter, GossipThroughput, HandshakeLatency,
# ReqRespThroughput; public host API only) against each, and runs them interleaved
# (before, after, before, after, ...) with identical JVM options, recording `uptime` next to
# every run. Raw outputs, the combined Markdown and (with JFR=1) one JFR recording per run go to
# $OUT (default perf-results/<date>, gitignored).
#
#   scripts/perf-compare.sh [gossip|handshake|reqresp|all] ...
#
# Environment:
#   BASE_REV=69230a0         baseline commit          BASE_DIR=/tmp/perf-base   its clone
#   ROUNDS=2                 interleaved rounds        OUT=perf-results/<date>
#   GOSSIP_ARGS="64 tcp,quic 1024,65536,524288"      HANDSHAKE_ARGS="200 quic,tcp"
#   REQRESP_ARGS="5 tcp,quic"                         JFR=1 records each run (profile settings)
#   BENCH_JVM_OPTS="-Xms2g -Xmx2g"  JVM options for both sides (same for before and after)
#   SIDES="before after"     which sides to run (e.g. SIDES=after for a quick check)
#   BASE_IMPORT_SED=...      sed rewriting the harness's imports for the baseline (types moved since)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/find-jdk.sh"
leanp2p_find_jdk
BASE_REV="${BASE_REV:-69230a0}"
BASE_DIR="${BASE_DIR:-/tmp/perf-base}"
ROUNDS="${ROUNDS:-2}"
OUT="${OUT:-$here/perf-results/$(date -u +%Y%m%dT%H%M%SZ)}"
GOSSIP_ARGS="${GOSSIP_ARGS:-64 tcp,quic 1024,65536,524288}"
HANDSHAKE_ARGS="${HANDSHAKE_ARGS:-200 quic,tcp}"
REQRESP_ARGS="${REQRESP_ARGS:-5 tcp,quic}"
BENCH_JVM_OPTS="${BENCH_JVM_OPTS:--Xms2g -Xmx2g}"
SIDES="${SIDES:-before after}"
BASE_IMPORT_SED="${BASE_IMPORT_SED:-s/io\.leanp2p\.protocol\.gossipsub\.Validation/io.leanp2p.node.Validation/;s/io\.leanp2p\.lean\.BlocksByRangeRequest/io.leanp2p.ssz.BlocksByRangeRequest/}"
which=("$@"); [ ${#which[@]} -eq 0 ] && which=(all)
mkdir -p "$OUT"

build() { # dir
  (cd "$1" && mvn -B -q -o -ntp -Dstyle.color=never -DskipTests -pl lean-p2p-bench -am package >&2)
}

if [[ " $SIDES " == *" before "* ]]; then
  if [ ! -d "$BASE_DIR/.git" ]; then
    git clone -q "$here" "$BASE_DIR"
  fi
  git -C "$BASE_DIR" checkout -q "$BASE_REV"
  [ -f "$BASE_DIR/lean-p2p-bench/target/lean-p2p-bench-benchmarks.jar" ] || build "$BASE_DIR"
fi
[[ " $SIDES " == *" after "* ]] && build "$here"

harness=(Meter GossipThroughput HandshakeLatency ReqRespThroughput)
src=()
for h in "${harness[@]}"; do src+=("$here/lean-p2p-bench/src/main/java/io/leanp2p/bench/$h.java"); done
declare -A cp
for side in $SIDES; do
  dir="$here"; [ "$side" = before ] && dir="$BASE_DIR"
  jar="$dir/lean-p2p-bench/target/lean-p2p-bench-benchmarks.jar"
  mkdir -p "$OUT/classes-$side" "$OUT/src-$side"
  # the harness uses the public API of today's main; types the baseline had in other packages are
  # mapped back by rewriting the imports of a copy (BASE_IMPORT_SED, sed expressions)
  side_src=()
  for f in "${src[@]}"; do
    if [ "$side" = before ]; then
      sed -e "$BASE_IMPORT_SED" "$f" > "$OUT/src-$side/$(basename "$f")"
    else
      cp "$f" "$OUT/src-$side/"
    fi
    side_src+=("$OUT/src-$side/$(basename "$f")")
  done
  "$JAVA_HOME/bin/javac" -nowarn --release 21 -cp "$jar" -d "$OUT/classes-$side" "${side_src[@]}"
  cp[$side]="$OUT/classes-$side:$jar"
done

run() { # side round name class args...
  local side=$1 round=$2 name=$3 cls=$4; shift 4
  local log="$OUT/$name-$side-$round.txt" jfr=""
  [ "${JFR:-0}" = 1 ] && jfr="-XX:StartFlightRecording=filename=$OUT/$name-$side-$round.jfr,settings=profile"
  { echo "## $name $side round $round ($(git -C "$([ "$side" = before ] && echo "$BASE_DIR" || echo "$here")" rev-parse --short HEAD))"
    echo "uptime before: $(uptime)"; } > "$log"
  # shellcheck disable=SC2086
  nice -n 10 "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    $BENCH_JVM_OPTS $jfr -cp "${cp[$side]}" "io.leanp2p.bench.$cls" "$@" 2> "$log.stderr" | grep -v '^SLF4J' >> "$log" || true
  grep -q '^Exception\|^Caused by' "$log.stderr" && { echo "FAILED:"; grep -A3 '^Exception' "$log.stderr" | head -8; } >> "$log" || true
  echo "uptime after: $(uptime)" >> "$log"
  cat "$log"
}

for r in $(seq 1 "$ROUNDS"); do
  for side in $SIDES; do
    for w in "${which[@]}"; do
      case $w in
        gossip|all) run "$side" "$r" gossip GossipThroughput $GOSSIP_ARGS ;;&
        handshake|all) run "$side" "$r" handshake HandshakeLatency $HANDSHAKE_ARGS ;;&
        reqresp|all) run "$side" "$r" reqresp ReqRespThroughput $REQRESP_ARGS ;;
      esac
    done
  done
done | tee "$OUT/all.md"
echo "results: $OUT" >&2
