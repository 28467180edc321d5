#!/usr/bin/env python3
"""Extracts fuzz seed inputs from the leanSpec conformance fixtures.

Writes raw byte files into lean-p2p-lib/src/test/resources/io/leanp2p/fuzz/<Class>Inputs/<method>/
(the directories Jazzer's JUnit integration reads in regression mode and seeds campaigns from),
one file per fixture value, named "ls-<case>". Files this script did not write are left alone
(the captured-traffic seeds, regression inputs of findings). Re-running it is idempotent.

    scripts/fuzz-seeds.py [FIXTURES_DIR]     # default: ../shared/leanspec-fixtures

See docs/fuzzing.md.
"""
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "leanspec-fixtures"
OUT = ROOT / "lean-p2p-lib/src/test/resources/io/leanp2p/fuzz"

# SszFuzzTest.containers: the container index is the last input byte (Jazzer's FuzzedDataProvider
# takes integers from the end of the input); keep in sync with SszFuzzTest.TYPES.
SSZ_TYPES = ["SignedBlock", "Status", "BlocksByRootRequest", "BlocksByRangeRequest", "Block",
             "BlockBody", "AggregatedAttestation", "AttestationData", "Checkpoint"]

written = 0


def unhex(s):
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


def put(target, name, data):
    global written
    cls, method = target.split("#")
    d = OUT / (cls + "Inputs") / method
    d.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]
    (d / ("ls-" + safe)).write_bytes(data)
    written += 1


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def short(case_id):
    # "tests/.../test_x.py::test_name[fork_Lstar][...]" -> "test_name"
    return case_id.split("::")[-1].split("[")[0]


def codec_cases():
    for f in sorted((FIXTURES / "networking/networking_codec").rglob("*.json")):
        for case_id, body in json.loads(f.read_text()).items():
            yield short(case_id), body.get("codec", {}), body.get("output", {})


def main():
    if not FIXTURES.is_dir():
        sys.exit(f"fuzz-seeds: no fixtures at {FIXTURES}")
    for name, c, out in codec_cases():
        kind = c.get("kind")
        if kind == "varint":
            put("VarintFuzzTest#decode", name, unhex(out["encoded"]))
        elif kind == "snappy_block":
            put("SnappyFuzzTest#block", name, unhex(out["compressed"]))
        elif kind == "snappy_frame":
            put("SnappyFuzzTest#frames", name, unhex(out["framed"]))
        elif kind == "reqresp_request":
            put("SszSnappyFuzzTest#request", name, unhex(out["encoded"]))
        elif kind in ("reqresp_response", "reqresp_response_stream"):
            put("SszSnappyFuzzTest#response", name, unhex(out["encoded"]))
        elif kind == "gossipsub_rpc":
            rpc = unhex(out["encoded"])
            put("GossipRpcFuzzTest#rpc", name, rpc)
            put("GossipRpcFuzzTest#frames", name, varint(len(rpc)) + rpc)
        elif kind == "enr":
            put("EnrFuzzTest#text", name, c["enrString"].encode())
            put("EnrFuzzTest#rlp", name, unhex(out["rlp"]))
        elif kind == "peer_id":
            pb = unhex(out["protobufEncoded"])
            put("PeerIdFuzzTest#keyProtobuf", name, pb)
            mh = (b"\x00" + varint(len(pb)) + pb) if len(pb) <= 42 else b"\x12\x20" + hashlib.sha256(pb).digest()
            put("PeerIdFuzzTest#multihash", name, mh)
            for v in out.values():
                if isinstance(v, str) and not v.startswith("0x"):
                    put("PeerIdFuzzTest#base58", name, v.encode())
        elif kind == "decode_failure":
            target = {
                "varint": "VarintFuzzTest#decode",
                "enr": "EnrFuzzTest#rlp",
                "gossipsub_rpc": "GossipRpcFuzzTest#rpc",
                "reqresp_request": "SszSnappyFuzzTest#request",
                "snappy_frame": "SnappyFuzzTest#frames",
            }.get(c.get("decoder"))
            if target:
                put(target, name, unhex(c["rawBytes"]))

    for f in sorted((FIXTURES / "ssz").rglob("*.json")):
        for case_id, body in json.loads(f.read_text()).items():
            t, ser = body.get("typeName"), body.get("serialized")
            if t in SSZ_TYPES and ser:
                put("SszFuzzTest#containers", short(case_id), unhex(ser) + bytes([SSZ_TYPES.index(t)]))
                if t == "SignedBlock":
                    put("SszFuzzTest#signedBlock", short(case_id), unhex(ser))

    extra = json.loads((FIXTURES / "vectors.json").read_text())["computed_extra"]
    ms = extra["multistream_select"]
    header = unhex(ms[0]["wire"])
    for m in ms:
        put("MultistreamFuzzTest#listener", "ms-" + m["message"], header + unhex(m["wire"]))
        put("MultistreamFuzzTest#dialer", "ms-" + m["message"], header + unhex(m["wire"]))
    rr = extra["reqresp"]
    for r in rr["requests"]:
        put("SszSnappyFuzzTest#request", "wire-" + r["container"], unhex(r["request_wire"]))
    put("SszSnappyFuzzTest#response", "status_success_chunk", unhex(rr["status_success_chunk"]))
    for i, e in enumerate(rr["server_error_chunks"]):
        put("SszSnappyFuzzTest#response", f"server_error_{i}", unhex(e["chunk_wire"]))
    for e in rr["unknown_response_codes"]:
        put("SszSnappyFuzzTest#response", f"unknown_code_{e['raw_code']}", unhex(e["wire"]))
    gp = extra["gossip_pipeline"]
    put("SnappyFuzzTest#block", "gossip_block", unhex(gp["raw_snappy_wire_data"]))
    put("SnappyFuzzTest#block", "invalid_example", unhex(gp["invalid_snappy_example"]["wire_data"]))
    put("SszFuzzTest#signedBlock", "gossip_block", unhex(gp["ssz"]))
    put("GossipRpcFuzzTest#rpc", "publish", unhex(gp["rpc_publish_protobuf"]))
    for k in ("rpc_publish_stream_frame", "subscribe_rpc_stream_frame", "graft_rpc_stream_frame",
              "prune_backoff60_rpc_stream_frame"):
        put("GossipRpcFuzzTest#frames", k, unhex(gp[k]))
    tls = extra["libp2p_tls_certificate_sample"]
    put("TlsFuzzTest#certificate", "leanspec_sample", unhex(tls["certificate_der"]))
    put("TlsFuzzTest#extension", "leanspec_sample", unhex(tls["libp2p_extension_value_der"]))
    print(f"fuzz-seeds: wrote {written} files under {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
