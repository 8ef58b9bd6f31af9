# make_noise_npy.py — write N uniform-noise images (float32 (N, 1, 28, 28) in [-1, 1]) as .npy,
# without NumPy: the eval test's sample set that every score must rank below real images.
import random, struct, sys
path, n = sys.argv[1], int(sys.argv[2])
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 1, 28, 28), }" % n
hdr += " " * (64 - (10 + len(hdr) + 1) % 64) + "\n"
rng = random.Random(0)
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode())
    f.write(struct.pack("<%df" % (n * 784), *[rng.uniform(-1, 1) for _ in range(n * 784)]))
