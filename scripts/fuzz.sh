#!/usr/bin/env bash
# Coverage-guided fuzzing campaigns of lean-p2p's decoders (Jazzer). See docs/fuzzing.md.
#
#   scripts/fuzz.sh list                        the fuzz targets (Class#method)
#   scripts/fuzz.sh TARGETS|all [EXECUTIONS]    fuzz targets one after the other, EXECUTIONS each
#                                               (default 10000000); TARGETS is a comma-separated
#                                               list of Class#method or Class (all its methods)
#   scripts/fuzz.sh merge TARGETS|all           add to the committed inputs of each target the inputs of
#                                               its campaign corpus that cover something new (libFuzzer
#                                               -merge=1 on edges only: a small subset)
#   scripts/fuzz.sh seeds                       regenerate the seed corpus (leanSpec fixtures, then
#                                               traffic captured from a js-libp2p session)
#
# Environment: FUZZ_XMX (heap, default 1g: an allocation the decoder did not bound ends as an
# OutOfMemoryError finding), FUZZ_TIMEOUT (seconds one input may take before it is a hang finding,
# default 10), FUZZ_NICE (default 15), FUZZ_MAX_TIME (seconds per target, default 86400),
# FUZZ_NO_BUILD=1 (reuse the class snapshot of the previous run instead of building),
# FUZZ_JVM_OPTS (extra JVM options, e.g. -XX:StartFlightRecording=filename=x.jfr to profile a probe),
# FUZZ_INSTRUMENT (the classes Jazzer instruments for coverage; default: the project, protobuf,
# Netty, Bouncy Castle's ASN.1 and X.509 parsers, snappy-java; not the test libraries and not Bouncy
# Castle's curve arithmetic and signature code, which parse nothing and which instrumentation
# slows down many times over; "all" for everything).
#
# Each campaign starts from the committed inputs (src/test/resources/io/leanp2p/fuzz/<Class>Inputs/
# <method>, also the regression corpus of ./run-tests) plus what earlier campaigns on this machine
# found interesting (lean-p2p-lib/target/fuzz-corpus, not committed). A crashing input is written
# into the committed inputs directory, so that it becomes a regression test once the bug is fixed.
# Logs: lean-p2p-lib/target/fuzz-logs/<Class>.<method>.log; one summary line per target on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
. scripts/find-jdk.sh
leanp2p_find_jdk
leanp2p_quiet_maven

LIB=lean-p2p-lib
SRC=$LIB/src/test/java/io/leanp2p/fuzz

targets() { # every @FuzzTest method as Class#method
  local f
  for f in "$SRC"/*FuzzTest.java; do
    awk -v cls="$(basename "$f" .java)" '
      /@FuzzTest/ { want = 1; next }
      want && match($0, /void [A-Za-z0-9_]+\(/) { print cls "#" substr($0, RSTART + 5, RLENGTH - 6); want = 0 }
    ' "$f"
  done
}

build() {
  echo "fuzz: building the test classes and their class path ..." >&2
  # one reactor run: sibling modules the library's tests use resolve to their target/classes
  mvn -B -q -ntp -pl "$LIB" -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test >&2
  # a snapshot of the classes, so that rebuilding while a campaign runs cannot change it under its feet
  rm -rf "$LIB/target/fuzz-classes"
  mkdir -p "$LIB/target/fuzz-classes"
  cp -r "$LIB/target/classes" "$LIB/target/fuzz-classes/main"
  cp -r "$LIB/target/test-classes" "$LIB/target/fuzz-classes/test"
}

campaign() { # $1 = Class#method, $2 = executions
  local cls=${1%%#*} method=${1##*#} runs=$2
  local corpus="$ROOT/$LIB/target/fuzz-corpus/$cls/$method" logs="$ROOT/$LIB/target/fuzz-logs"
  local log="$logs/$cls.$method.log" cp rc start end
  mkdir -p "$corpus" "$logs"
  local instrument=${FUZZ_INSTRUMENT:-io.leanp2p.**:com.google.protobuf.**:io.netty.**:org.bouncycastle.asn1.**:org.bouncycastle.cert.**:org.xerial.snappy.**}
  local -a iflags=()
  [ "$instrument" = all ] || iflags=(--instrumentation_includes="$instrument")
  cp="target/fuzz-classes/test:target/fuzz-classes/main:$(cat "$LIB/target/fuzz-classpath.txt")"
  start=$(date +%s)
  set +e
  # run from the module: Jazzer writes crashing inputs to src/test/resources/.../<Class>Inputs/<method>
  (cd "$LIB" && nice -n "${FUZZ_NICE:-15}" "$JAVA_HOME/bin/java" \
      -Xmx"${FUZZ_XMX:-1g}" -Xss4m -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED \
      -Dio.netty.leakDetection.level=simple ${FUZZ_JVM_OPTS:-} \
      -cp "$cp" com.code_intelligence.jazzer.Jazzer \
      --target_class="io.leanp2p.fuzz.$cls" --target_method="$method" "${iflags[@]}" \
      "$corpus" -runs="$runs" -timeout="${FUZZ_TIMEOUT:-10}" -max_total_time="${FUZZ_MAX_TIME:-86400}" \
      -print_final_stats=1) >"$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s)
  local done_line
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n1 || true)
  if [ "$rc" -eq 0 ] && [ -n "$done_line" ]; then
    echo "fuzz: $cls#$method OK: $done_line (wall $((end - start)) s, log $log)"
  else
    echo "fuzz: $cls#$method FAILED (exit $rc, wall $((end - start)) s): see $log" >&2
    grep -E '== Java Exception|FuzzTestFinding|Caused by|crash-|Test unit written|timeout' "$log" | head -n 20 >&2 || true
    return 1
  fi
}

merge() { # $1 = Class#method: campaign corpus -> committed inputs, only what adds coverage
  local cls=${1%%#*} method=${1##*#}
  local inputs="src/test/resources/io/leanp2p/fuzz/${cls}Inputs/$method"
  local corpus="$ROOT/$LIB/target/fuzz-corpus/$cls/$method" cp before after
  [ -d "$corpus" ] || { echo "fuzz: $1: no campaign corpus to merge" >&2; return 0; }
  local instrument=${FUZZ_INSTRUMENT:-io.leanp2p.**:com.google.protobuf.**:io.netty.**:org.bouncycastle.asn1.**:org.bouncycastle.cert.**:org.xerial.snappy.**}
  local -a iflags=()
  [ "$instrument" = all ] || iflags=(--instrumentation_includes="$instrument")
  cp="target/fuzz-classes/test:target/fuzz-classes/main:$(cat "$LIB/target/fuzz-classpath.txt")"
  mkdir -p "$LIB/$inputs" "$ROOT/$LIB/target/fuzz-logs"
  before=$(ls "$LIB/$inputs" | wc -l)
  (cd "$LIB" && nice -n "${FUZZ_NICE:-15}" "$JAVA_HOME/bin/java" \
      -Xmx"${FUZZ_XMX:-1g}" -Xss4m -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED \
      -cp "$cp" com.code_intelligence.jazzer.Jazzer \
      --target_class="io.leanp2p.fuzz.$cls" --target_method="$method" "${iflags[@]}" \
      -merge=1 -use_counters=0 -timeout="${FUZZ_TIMEOUT:-10}" "$inputs" "$corpus") \
      >"$ROOT/$LIB/target/fuzz-logs/$cls.$method.merge.log" 2>&1 || {
    echo "fuzz: $1: merge failed, see $LIB/target/fuzz-logs/$cls.$method.merge.log" >&2; return 1; }
  grep -q '^MERGE-OUTER: successful' "$ROOT/$LIB/target/fuzz-logs/$cls.$method.merge.log" || {
    echo "fuzz: $1: merge did not succeed, see $LIB/target/fuzz-logs/$cls.$method.merge.log" >&2; return 1; }
  after=$(ls "$LIB/$inputs" | wc -l)
  echo "fuzz: $1: $((after - before)) inputs added to $LIB/$inputs ($after now)"
}

case "${1:-}" in
  list)
    targets
    ;;
  seeds)
    python3 scripts/fuzz-seeds.py
    build
    # traffic seeds: a lean-p2p <-> js-libp2p session with a tap on every layer (needs node + npm)
    (cd interop/js && npm ci --no-audit --no-fund --loglevel=error)
    mvn -B -q -ntp -pl "$LIB" -am test-compile surefire:test@fuzz-regression -Dtest=TrafficSeedCapture \
      -Dfuzz.capture=true -Dsurefire.failIfNoSpecifiedTests=false
    echo "fuzz: seeds written under $LIB/src/test/resources/io/leanp2p/fuzz" >&2
    ;;
  merge)
    [ -n "${2:-}" ] || { echo "usage: scripts/fuzz.sh merge TARGETS|all" >&2; exit 2; }
    [ -d "$LIB/target/fuzz-classes/test" ] || build
    for want in ${2//,/ }; do
      if [ "$want" = all ]; then found=$(targets); else found=$(targets | grep -F -x "$want" || targets | grep "^$want#" || true); fi
      for t in $found; do merge "$t"; done
    done
    ;;
  "" | -h | --help)
    sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    runs=${2:-10000000}
    selected=""
    for want in ${1//,/ }; do
      if [ "$want" = all ]; then
        found=$(targets)
      else
        found=$(targets | grep -F -x "$want" || targets | grep "^$want#" || true)
      fi
      if [ -z "$found" ]; then
        echo "fuzz: no fuzz target '$want' (try: scripts/fuzz.sh list)" >&2
        exit 2
      fi
      selected="$selected $found"
    done
    if [ "${FUZZ_NO_BUILD:-0}" = 1 ] && [ -d "$LIB/target/fuzz-classes/test" ]; then
      echo "fuzz: reusing the class snapshot $LIB/target/fuzz-classes (FUZZ_NO_BUILD=1)" >&2
    else
      build
    fi
    failed=0
    for t in $selected; do
      campaign "$t" "$runs" || failed=1
    done
    exit "$failed"
    ;;
esac
