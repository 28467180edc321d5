# Sourced by ./lean-p2p, ./run-tests and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME if it is >= 21, else the newest JDK >= 21 under /usr/lib/jvm (or
# $LEANP2P_JDK_DIRS, space separated), else `java` on the PATH if it is >= 21.
# Prints one clear line and returns 1 when there is none.

leanp2p_java_major() { # $1 = path to a java binary -> prints its feature version (e.g. 25)
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)
  case "$v" in 1.*) v=${v#1.}; v=${v%%.*} ;; esac
  printf '%s' "${v%%.*}"
}

leanp2p_find_jdk() {
  local need=21 best="" best_v=0 d v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(leanp2p_java_major "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge "$need" ] 2>/dev/null; then export JAVA_HOME; return 0; fi
  fi
  for d in ${LEANP2P_JDK_DIRS:-/usr/lib/jvm/* /opt/java/* /opt/jdk*}; do
    [ -x "$d/bin/javac" ] || continue
    v=$(leanp2p_java_major "$d/bin/java")
    [ -n "$v" ] || continue
    if [ "$v" -ge "$need" ] 2>/dev/null && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(leanp2p_java_major "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge "$need" ] 2>/dev/null; then best="$d"; fi
  fi
  if [ -z "$best" ]; then
    echo "lean-p2p: no JDK >= $need found (JAVA_HOME='${JAVA_HOME:-}', searched /usr/lib/jvm). Install a JDK 21+ and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  return 0
}

# Maven's own Guava trips JDK 23+'s sun.misc.Unsafe warning; quiet it where the flag exists.
leanp2p_quiet_maven() {
  if [ "$(leanp2p_java_major "$JAVA_HOME/bin/java")" -ge 23 ] 2>/dev/null; then
    case "${MAVEN_OPTS:-}" in
      *sun-misc-unsafe-memory-access*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
