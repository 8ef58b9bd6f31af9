# make_npy.py — float32 image sets as .npy (n, 1, 28, 28), pixels in [-1, 1], without NumPy, for
# the eval test:
#   make_npy.py noise OUT N              N uniform-noise images (every score must rank them last)
#   make_npy.py idx OUT IDX(.gz) SKIP N  images SKIP .. SKIP+N-1 of an IDX file, pixel/127.5 - 1
#                                        (real images through the same .npy path as samples)
import gzip, random, struct, sys

def write(path, n, values):
    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 1, 28, 28), }" % n
    hdr += " " * (64 - (10 + len(hdr) + 1) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode())
        f.write(struct.pack("<%df" % (n * 784), *values))

mode, path = sys.argv[1], sys.argv[2]
if mode == "noise":
    n = int(sys.argv[3])
    rng = random.Random(0)
    write(path, n, [rng.uniform(-1, 1) for _ in range(n * 784)])
elif mode == "idx":
    src, skip, n = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    raw = (gzip.open if src.endswith(".gz") else open)(src, "rb").read()
    magic, count, h, w = struct.unpack(">IIII", raw[:16])
    if magic != 0x803 or (h, w) != (28, 28) or skip + n > count:
        sys.exit("%s: not %d 28x28 IDX images after %d" % (src, n, skip))
    px = raw[16 + skip * 784:16 + (skip + n) * 784]
    write(path, n, [p / 127.5 - 1.0 for p in px])
else:
    sys.exit("usage: make_npy.py noise OUT N | idx OUT IDX SKIP N")
