"""fixturelib.py — writes reference tensors for the C tests (format: tests/fixture.h).

Used by tools/torch_fixtures_*.py, which run PyTorch once; the small .bin files they write are
committed under tests/fixtures/, so the test suite itself needs no Python.
"""
import struct


def write_fixture(path, tensors):
    """tensors: list of (name, torch.Tensor or numpy array), written as float32."""
    with open(path, "wb") as f:
        f.write(b"CLGFIX01")
        f.write(struct.pack("<I", len(tensors)))
        for name, t in tensors:
            a = t.detach().cpu().float().contiguous().numpy() if hasattr(t, "detach") else t.astype("float32")
            nb = name.encode()
            f.write(struct.pack("<I", len(nb)))
            f.write(nb)
            f.write(struct.pack("<I", a.ndim))
            f.write(struct.pack("<%dI" % a.ndim, *a.shape))
            f.write(a.astype("<f4").tobytes())
