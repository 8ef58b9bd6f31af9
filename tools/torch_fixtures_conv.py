"""torch_fixtures_conv.py — PyTorch reference fixtures for tests/test_conv.c.

Writes tests/fixtures/conv_*.bin (format: tests/fixture.h, via tools/fixturelib.py): for each
case the input x, weight, bias (when the layer has one), upstream gradient dy, the output y and
the gradients dx, dweight, dbias of L = sum(dy * y). Run with the system Python (torch 1.13):

    /usr/bin/python3 tools/torch_fixtures_conv.py tests/fixtures

Conv2d and ConvTranspose2d are PyTorch's own. Keras/TF 'same' padding, which PyTorch lacks for
strided convolutions, is built explicitly: a conv pads with F.pad (total max((out-1)*s + k - in, 0),
top/left total//2, the rest bottom/right) and then convolves unpadded; a transposed conv runs
unpadded ((in-1)*s + k) and crops to in*s, dropping total max(k-s, 0) with total//2 on top/left.
Channel counts are small so the files stay small (all together well under 200 KB); the spatial
geometries are those of the seed models (seed 003: convT k4 s1 p0 from 1x1, k4 s2 p1, k4 s2 p2
from 7x7, k4 s2 p1 14->28; its discriminator's conv k4 s2 p1, also 7->3; seed 001: 'same' k5 s2).
The C test's table (FIX in tests/test_conv.c) repeats each case's layer spec.
"""
import os
import sys
import zlib

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixturelib import write_fixture  # noqa: E402


def same_pads(n, k, s):
    out = (n + s - 1) // s
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def conv2d(x, w, b, stride, padding):
    if padding == "same":
        t, bo = same_pads(x.shape[2], w.shape[2], stride)
        l, r = same_pads(x.shape[3], w.shape[3], stride)
        return F.conv2d(F.pad(x, (l, r, t, bo)), w, b, stride=stride)
    return F.conv2d(x, w, b, stride=stride, padding=padding)


def conv_t(x, w, b, stride, padding, output_padding=0):
    if padding == "same":
        k = w.shape[2]
        full = F.conv_transpose2d(x, w, b, stride=stride)
        total = max(k - stride, 0)
        top = total // 2
        oh, ow = x.shape[2] * stride, x.shape[3] * stride
        return full[:, :, top:top + oh, top:top + ow]
    return F.conv_transpose2d(x, w, b, stride=stride, padding=padding, output_padding=output_padding)


def case(path, transposed, n, cin, h, w, cout, k, stride, padding, bias=True, output_padding=0):
    g = torch.Generator().manual_seed(zlib.crc32(os.path.basename(path).encode()))
    x = (torch.rand(n, cin, h, w, generator=g) * 2 - 1).requires_grad_()
    wshape = (cin, cout, k, k) if transposed else (cout, cin, k, k)
    wt = (torch.rand(*wshape, generator=g) * 2 - 1).requires_grad_()
    bt = (torch.rand(cout, generator=g) * 2 - 1).requires_grad_() if bias else None
    if transposed:
        y = conv_t(x, wt, bt, stride, padding, output_padding)
    else:
        y = conv2d(x, wt, bt, stride, padding)
    dy = torch.rand(y.shape, generator=g) * 2 - 1
    y.backward(dy)
    tensors = [("x", x), ("weight", wt)] + ([("bias", bt)] if bias else [])
    tensors += [("dy", dy), ("y", y), ("dx", x.grad), ("dweight", wt.grad)]
    if bias:
        tensors.append(("dbias", bt.grad))
    write_fixture(path, tensors)
    print("%s: x %s -> y %s" % (os.path.basename(path), tuple(x.shape), tuple(y.shape)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    os.makedirs(out, exist_ok=True)
    torch.backends.mkldnn.enabled = False  # plain kernels; all float32 on the CPU
    p = lambda name: os.path.join(out, "conv_%s.bin" % name)  # noqa: E731
    # name, transposed, n, cin, h, w, cout, k, stride, padding, [bias, output_padding]
    case(p("c2d_k3s2p1"), False, 2, 3, 7, 9, 4, 3, 2, 1)
    case(p("c2d_k4s2p1"), False, 2, 3, 8, 8, 5, 4, 2, 1)
    case(p("c2d_k4s2p1_7to3"), False, 2, 4, 7, 7, 3, 4, 2, 1)
    case(p("c2d_same_k5s2"), False, 2, 3, 14, 14, 4, 5, 2, "same")
    case(p("c2d_same_k4s2_odd"), False, 2, 2, 9, 10, 3, 4, 2, "same")
    case(p("c2d_valid_k3_nobias"), False, 2, 3, 12, 12, 4, 3, 1, 0, bias=False)
    case(p("ct_k4s1p0_1x1"), True, 2, 10, 1, 1, 12, 4, 1, 0)
    case(p("ct_k4s2p1"), True, 2, 6, 4, 4, 5, 4, 2, 1)
    case(p("ct_k4s2p2_7"), True, 2, 5, 7, 7, 4, 4, 2, 2)
    case(p("ct_k4s2p1_14to28"), True, 1, 4, 14, 14, 1, 4, 2, 1)
    case(p("ct_k3s2p1op1"), True, 2, 3, 5, 6, 4, 3, 2, 1, output_padding=1)
    case(p("ct_same_k5s2"), True, 2, 4, 7, 7, 3, 5, 2, "same")
    case(p("ct_same_k5s1"), True, 2, 4, 7, 7, 3, 5, 1, "same")
    case(p("ct_same_k4s2_odd"), True, 2, 3, 5, 6, 2, 4, 2, "same")


if __name__ == "__main__":
    main()
