#!/usr/bin/env python3
"""Summarise a JFR recording: top methods by inclusive and self samples (CPU), and top
allocation sites by sampled weight. Usage:
  scripts/jfr-top.py REC.jfr [--thread SUBSTR] [--filter SUBSTR] [--n 30] [--alloc] [--depth 12]
Needs `jfr` from the JDK (JAVA_HOME/bin/jfr or on PATH)."""
import argparse, collections, json, os, shutil, subprocess, sys

def jfr_bin():
    jh = os.environ.get("JAVA_HOME")
    if jh and os.path.exists(os.path.join(jh, "bin", "jfr")):
        return os.path.join(jh, "bin", "jfr")
    return shutil.which("jfr") or "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr"

def events(path, name):
    out = subprocess.run([jfr_bin(), "print", "--json", "--stack-depth", "64", "--events", name, path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]

def frame_name(f):
    m = f["method"]
    return m["type"]["name"] + "." + m["name"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jfr")
    ap.add_argument("--thread", default=None)
    ap.add_argument("--filter", default=None, help="only samples whose stack contains this")
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--alloc", action="store_true")
    ap.add_argument("--depth", type=int, default=1, help="self: frames of the top stack to join")
    a = ap.parse_args()
    name = "jdk.ObjectAllocationSample" if a.alloc else "jdk.ExecutionSample"
    incl, self_, total = collections.Counter(), collections.Counter(), 0
    for e in events(a.jfr, name):
        v = e["values"]
        t = v.get("eventThread") or v.get("sampledThread") or {}
        if a.thread and a.thread not in (t.get("javaName") or ""):
            continue
        st = v.get("stackTrace")
        if not st:
            continue
        frames = [frame_name(f) for f in st["frames"]]
        if a.filter and not any(a.filter in f for f in frames):
            continue
        w = v.get("weight", 1) if a.alloc else 1
        if a.alloc:
            w = int(w)
            frames = [v["objectClass"]["name"]] + frames
        total += w
        for f in set(frames):
            incl[f] += w
        self_[" <- ".join(frames[: a.depth])] += w
    unit = "bytes" if a.alloc else "samples"
    print(f"total {total} {unit}")
    print(f"--- inclusive (top {a.n})")
    for f, c in incl.most_common(a.n):
        print(f"{100.0 * c / max(total, 1):6.1f}%  {c:>12}  {f}")
    print(f"--- self (top {a.n}, depth {a.depth})")
    for f, c in self_.most_common(a.n):
        print(f"{100.0 * c / max(total, 1):6.1f}%  {c:>12}  {f}")

if __name__ == "__main__":
    main()
