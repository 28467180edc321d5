#!/bin/sh
# Builds liblean_p2p.so with the system C compiler: called by Maven (exec-maven-plugin, compile
# phase) as  sh src/main/c/build.sh OUT_DIR JAVA_HOME ; usable by hand the same way.
# Without a C compiler it says so and succeeds (the native tests then report themselves skipped).
# CC and CFLAGS are honoured.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
module=$(cd "$here/../../.." && pwd)
out=${1:?usage: build.sh OUT_DIR JAVA_HOME}
jdk=${2:?usage: build.sh OUT_DIR JAVA_HOME}
cc=${CC:-}
if [ -z "$cc" ]; then
  for c in cc gcc clang; do
    if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
  done
fi
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
  echo "lean-p2p-native: no C compiler (cc, gcc, clang or \$CC): liblean_p2p.so NOT built; its tests will be skipped" >&2
  exit 0
fi
if [ ! -f "$jdk/include/jni.h" ]; then
  echo "lean-p2p-native: $jdk/include/jni.h missing (a JDK, not a JRE, is needed to build)" >&2
  exit 1
fi
mkdir -p "$out/include"
cp "$module/include/lean_p2p.h" "$out/include/"
# shellcheck disable=SC2086
"$cc" -std=gnu11 -O2 -g -fPIC -shared -pthread -fvisibility=hidden \
  -Wall -Wextra -Wno-unused-parameter ${CFLAGS:-} \
  -I"$module/include" -I"$jdk/include" -I"$jdk/include/linux" \
  "$here/jvm.c" "$here/network.c" "$here/callbacks.c" \
  -Wl,-soname,liblean_p2p.so -ldl \
  -o "$out/liblean_p2p.so"
echo "lean-p2p-native: built $out/liblean_p2p.so with $cc" >&2
