#!/usr/bin/env python3
"""Measures the library's package import graph and public surface from its compiled classes.

Usage: scripts/package-graph.py [CLASSES_DIR]   (default lean-p2p-lib/target/classes; build first)

Prints every edge between io.leanp2p packages (jdeps -verbose:package), each package's layer, the
edges that point up the layering (multiformats & crypto -> codec -> transport -> protocol -> node),
the package cycles, and how many top-level types are public. Needs a JDK's jdeps (JAVA_HOME or PATH).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = "io.leanp2p."
# rank of each layer; a package may depend only on packages of a lower or equal rank, and equal
# ranks must not form a cycle. multiformats and crypto are the bottom: crypto uses multiformats'
# encodings (a PeerId is a multihash), never the other way round.
LAYERS = [
    ("util", 0),
    ("multiformats", 1), ("config", 1),
    ("crypto", 2),
    ("lean", 3), ("types", 3), ("ssz", 3), ("codec", 3),
    ("transport", 4),
    ("protocol", 5),
    ("node", 6),
]


def layer(pkg):
    rest = pkg[len(ROOT):]
    for name, rank in LAYERS:
        if rest == name or rest.startswith(name + "."):
            return name, rank
    return rest, -1


def jdeps(classes):
    home = os.environ.get("JAVA_HOME")
    exe = os.path.join(home, "bin", "jdeps") if home else "jdeps"
    with tempfile.TemporaryDirectory() as tmp:
        # jdeps would resolve module-info's requires; the package graph needs the classes only
        plain = os.path.join(tmp, "classes")
        shutil.copytree(classes, plain, ignore=shutil.ignore_patterns("module-info.class"))
        out = subprocess.run([exe, "-verbose:package", "-e", r"io\.leanp2p\..*", plain],
                             check=True, capture_output=True, text=True).stdout
    edges = set()
    for line in out.splitlines():
        m = re.match(r"\s+(io\.leanp2p\.\S+)\s+->\s+(io\.leanp2p\.\S+)", line)
        if m and m.group(1) != m.group(2):
            edges.add((m.group(1), m.group(2)))
    return edges


def generated(pkg):
    # protobuf-generated message classes (src/main/proto)
    return pkg.endswith(".proto") or ".proto." in pkg


def public_types(classes):
    files = []
    for d, _, fs in os.walk(classes):
        for f in fs:
            if f.endswith(".class") and "$" not in f and f not in ("module-info.class", "package-info.class"):
                files.append(os.path.join(d, f))
    total = public = 0
    pub_by_pkg = {}
    for f in files:
        pkg = os.path.relpath(os.path.dirname(f), classes).replace(os.sep, ".")
        if generated(pkg):
            continue
        total += 1
        with open(f, "rb") as fh:
            data = fh.read()
        if access_flags(data) & 0x0001:
            public += 1
            pub_by_pkg[pkg] = pub_by_pkg.get(pkg, 0) + 1
    return total, public, pub_by_pkg


def access_flags(data):
    """The access_flags of a class file (after the constant pool)."""
    i = 10
    count = int.from_bytes(data[8:10], "big")
    k = 1
    while k < count:
        tag = data[i]
        if tag == 1:
            i += 3 + int.from_bytes(data[i + 1:i + 3], "big")
        elif tag in (3, 4, 9, 10, 11, 12, 17, 18):
            i += 5
        elif tag in (5, 6):
            i += 9
            k += 1
        elif tag in (7, 8, 16, 19, 20):
            i += 3
        elif tag == 15:
            i += 4
        else:
            raise ValueError("bad constant pool tag %d" % tag)
        k += 1
    return int.from_bytes(data[i:i + 2], "big")


def cycles(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            strong(v)
    return out


def exported(module_info):
    if not os.path.isfile(module_info):
        return None
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", open(module_info).read(), flags=re.S)
    return set(re.findall(r"\bexports\s+([\w.]+)\s*;", text))


def imports_outside(src_dir, exports):
    """io.leanp2p types imported by src_dir from library packages the module does not export."""
    out = {}
    for d, _, fs in os.walk(src_dir):
        for f in fs:
            if f.endswith(".java"):
                for m in re.finditer(r"^import\s+(?:static\s+)?(io\.leanp2p\.[\w.]+?)\.([A-Z]\w*)",
                                     open(os.path.join(d, f)).read(), re.M):
                    pkg = m.group(1)
                    if pkg.startswith(("io.leanp2p.cli", "io.leanp2p.peerclient", "io.leanp2p.bench")):
                        continue
                    if pkg not in exports:
                        out.setdefault(pkg, set()).add(m.group(2))
    return out


def main():
    classes = sys.argv[1] if len(sys.argv) > 1 else "lean-p2p-lib/target/classes"
    edges = {(a, b) for a, b in jdeps(classes) if not generated(a) and not generated(b)}
    short = lambda p: p[len(ROOT):]
    print("package edges (%d):" % len(edges))
    for a, b in sorted(edges):
        print("  %-28s -> %s" % (short(a), short(b)))
    up = [(a, b) for a, b in sorted(edges) if layer(a)[1] < layer(b)[1] or layer(a)[1] < 0 or layer(b)[1] < 0]
    print("edges pointing up the layers (%d):" % len(up))
    for a, b in up:
        print("  %-28s -> %s   (%s -> %s)" % (short(a), short(b), layer(a)[0], layer(b)[0]))
    cyc = cycles(edges)
    print("package cycles (%d):" % len(cyc))
    for c in cyc:
        print("  " + ", ".join(short(p) for p in c))
    total, public, by_pkg = public_types(classes)
    print("public top-level types: %d of %d" % (public, total))
    exports = exported("lean-p2p-lib/src/main/java/module-info.java")
    for p in sorted(by_pkg):
        mark = "" if exports is None else ("  exported" if p in exports else "")
        print("  %-28s %d%s" % (short(p), by_pkg[p], mark))
    if exports is not None:
        print("public types in exported packages: %d (packages exported: %d of %d)"
              % (sum(n for p, n in by_pkg.items() if p in exports), len(exports), len(by_pkg)))
        for name, src in (("cli", "lean-p2p-cli/src/main/java"), ("bench", "lean-p2p-bench/src/main/java")):
            outside = imports_outside(src, exports)
            print("%s main code imports from packages not exported (%d):" % (name, len(outside)))
            for p in sorted(outside):
                print("  %-28s %s" % (short(p), ", ".join(sorted(outside[p]))))


if __name__ == "__main__":
    main()
