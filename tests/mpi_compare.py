#!/usr/bin/env python3
"""mpi_compare.py A B TOL: two runs of the same config agree: metrics.csv rows (same steps, every
value within TOL relative, absolute below 1) and every tensor of their final checkpoints
(checkpoints/latest.safetensors) within TOL the same way. TOL 0 asks for identical bytes."""
import json, struct, sys


def rows(d):
    with open(d + "/metrics.csv") as f:
        lines = f.read().split("\n")
    return lines[0], [l.split(",") for l in lines[1:] if l]


def tensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    head = json.loads(b[8:8 + n])
    out = {}
    for k, v in head.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        raw = b[8 + n + s:8 + n + e]
        if v["dtype"] == "F32":
            out[k] = struct.unpack("<%df" % (len(raw) // 4), raw)
        else:
            out[k] = raw
    return out


def close(a, b, tol):
    return a == b if tol == 0 else abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def main():
    a, b, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ha, ra = rows(a)
    hb, rb = rows(b)
    if ha != hb or len(ra) != len(rb):
        sys.exit("metrics.csv: %d rows in %s, %d in %s" % (len(ra), a, len(rb), b))
    worst = 0.0
    for x, y in zip(ra, rb):
        if x[:2] != y[:2]:
            sys.exit("metrics.csv: step/epoch %s against %s" % (x[:2], y[:2]))
        for i in range(2, len(x)):
            p, q = float(x[i]), float(y[i])
            worst = max(worst, abs(p - q) / max(1.0, abs(p)))
            if not close(p, q, tol):
                sys.exit("metrics.csv step %s, %s: %s against %s (tolerance %g)" % (x[0], ha.split(",")[i], p, q, tol))
    ta, tb = tensors(a + "/checkpoints/latest.safetensors"), tensors(b + "/checkpoints/latest.safetensors")
    if sorted(ta) != sorted(tb):
        sys.exit("checkpoints hold different tensors")
    for k in ta:
        if isinstance(ta[k], bytes):
            if ta[k] != tb[k]:
                sys.exit("checkpoint tensor %s differs" % k)
            continue
        for i, (p, q) in enumerate(zip(ta[k], tb[k])):
            worst = max(worst, abs(p - q) / max(1.0, abs(p)))
            if not close(p, q, tol):
                sys.exit("checkpoint %s[%d]: %r against %r (tolerance %g)" % (k, i, p, q, tol))
    print("%s and %s agree: %d metrics rows, %d tensors, largest relative difference %.3g" % (a, b, len(ra), len(ta), worst))


main()
