#!/usr/bin/env python3
"""mpi_compare.py A B TOL: two runs of the same config agree: metrics.csv rows (same steps, every
value within TOL relative, absolute below 1) and every tensor of their final checkpoints
(checkpoints/latest.safetensors) within TOL the same way. TOL 0 asks for identical bytes.
mpi_compare.py A B TOL STEP: the same for A's first STEP rows and A's checkpoint of that step
(checkpoints/step_<STEP>.safetensors) against B, a run that ended there.
mpi_compare.py --learns RUN: the run learned, as the train_dcgan test asks (tests/test_train.c):
every loss finite, the discriminator's mean accuracy over the last third of the steps between 0.6
and 0.995, the generator's mean loss over the last third 0.05 away from the first third's."""
import json, math, struct, sys


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


def learns(d):
    head, r = rows(d)
    col = head.split(",")
    v = {k: [float(x[col.index(k)]) for x in r] for k in ("d_loss", "g_loss", "acc_real", "acc_fake")}
    third = len(r) // 3
    if third < 5 or not all(math.isfinite(x) for k in ("d_loss", "g_loss") for x in v[k]):
        sys.exit("%s: %d steps, or a loss that is not finite" % (d, len(r)))
    mean = lambda k, s: sum(v[k][s]) / len(v[k][s])
    acc = (mean("acc_real", slice(-third, None)) + mean("acc_fake", slice(-third, None))) / 2
    g0, g1 = mean("g_loss", slice(0, third)), mean("g_loss", slice(-third, None))
    if not 0.6 < acc < 0.995 or abs(g1 - g0) <= 0.05:
        sys.exit("%s did not learn: D accuracy %.3f over the last %d steps, G loss %.3f -> %.3f" % (d, acc, third, g0, g1))
    print("%s learned: D accuracy %.3f over the last %d steps, G loss %.3f -> %.3f" % (d, acc, third, g0, g1))


def main():
    if sys.argv[1] == "--learns":
        return learns(sys.argv[2])
    a, b, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ha, ra = rows(a)
    hb, rb = rows(b)
    ckpt_a = a + "/checkpoints/latest.safetensors"
    if len(sys.argv) > 4:
        ra = [r for r in ra if int(r[0]) <= int(sys.argv[4])]
        ckpt_a = a + "/checkpoints/step_%07d.safetensors" % int(sys.argv[4])
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
    ta, tb = tensors(ckpt_a), tensors(b + "/checkpoints/latest.safetensors")
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
