#!/usr/bin/python3
"""torch_fixtures_bn.py — PyTorch reference tensors for tests/test_bn.c (batch norm, upsample).

Run from the repository root:  /usr/bin/python3 tools/torch_fixtures_bn.py [tests/fixtures]
Writes (format: tests/fixture.h), all float32, about 20 KB in total:
  bn_train2d.bin   BatchNorm2d(3, eps=1e-5, momentum=0.1) in training on x (4,3,5,7): output,
                   running stats after one and after two steps, grads for upstream g
  bn_eval2d.bin    the same module in eval (running stats): output and grads
  bn_train1d.bin   BatchNorm1d(5, eps=1e-3, momentum=0.01) in training on x (6,5), and
                   BatchNorm1d(4, affine=False) on x (3,4)
  upsample_bilinear.bin / upsample_nearest.bin
                   F.interpolate(scale_factor=K, mode=..., align_corners=False for bilinear) on
                   (2,3,5,7) K=2, (1,2,4,3) K=3, (1,1,1,1) K=2, (1,1,12,12) K=3: output and the
                   input gradient for upstream g
Inputs are drawn from a fixed seed and stored next to the outputs, so the C side needs no RNG
agreement with PyTorch.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixturelib import write_fixture  # noqa: E402


def bn_case(prefix, mod, x, x2, g):
    """Training step on x (grads for upstream g), then a second forward on x2."""
    out = []
    for name in ("weight", "bias"):
        if getattr(mod, name) is not None:
            out.append((prefix + name, getattr(mod, name).detach().clone()))
    out += [(prefix + "rm0", mod.running_mean.clone()), (prefix + "rv0", mod.running_var.clone())]
    xr = x.clone().requires_grad_(True)
    y = mod(xr)
    y.backward(g)
    out += [(prefix + "x", x), (prefix + "g", g), (prefix + "y", y), (prefix + "dx", xr.grad)]
    if mod.affine:
        out += [(prefix + "dweight", mod.weight.grad), (prefix + "dbias", mod.bias.grad)]
    out += [(prefix + "rm1", mod.running_mean.clone()), (prefix + "rv1", mod.running_var.clone())]
    with torch.no_grad():
        y2 = mod(x2)
    out += [(prefix + "x2", x2), (prefix + "y2", y2)]
    out += [(prefix + "rm2", mod.running_mean.clone()), (prefix + "rv2", mod.running_var.clone())]
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(1234)

    # BatchNorm2d, training: offset, scaled input so mean and variance are far from 0 and 1
    bn = torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(1 + 0.3 * torch.randn(3))
        bn.bias.copy_(0.5 * torch.randn(3))
        bn.running_mean.copy_(0.2 * torch.randn(3))
        bn.running_var.copy_(0.5 + torch.rand(3))
    x = 2.0 * torch.randn(4, 3, 5, 7) + 1.5
    x2 = torch.randn(4, 3, 5, 7) - 0.7
    g = torch.randn(4, 3, 5, 7)
    bn.train()
    write_fixture(os.path.join(outdir, "bn_train2d.bin"), bn_case("", bn, x, x2, g))

    # the same module (after its two training steps) in eval mode
    bn.eval()
    bn.weight.grad = None
    bn.bias.grad = None
    xe = torch.randn(2, 3, 3, 4) * 1.5 + 0.3
    ge = torch.randn(2, 3, 3, 4)
    xr = xe.clone().requires_grad_(True)
    ye = bn(xr)
    ye.backward(ge)
    write_fixture(os.path.join(outdir, "bn_eval2d.bin"), [
        ("weight", bn.weight.detach()), ("bias", bn.bias.detach()), ("rm", bn.running_mean),
        ("rv", bn.running_var), ("x", xe), ("g", ge), ("y", ye), ("dx", xr.grad),
        ("dweight", bn.weight.grad), ("dbias", bn.bias.grad)])

    # BatchNorm1d with Keras-like options, and without affine
    b1 = torch.nn.BatchNorm1d(5, eps=1e-3, momentum=0.01)
    with torch.no_grad():
        b1.weight.copy_(1 + 0.02 * torch.randn(5))
        b1.bias.copy_(0.1 * torch.randn(5))
    b1.train()
    t1 = bn_case("a.", b1, torch.randn(6, 5) * 3 - 1, torch.randn(6, 5), torch.randn(6, 5))
    b2 = torch.nn.BatchNorm1d(4, affine=False)
    b2.train()
    t2 = bn_case("b.", b2, torch.randn(3, 4) + 2, torch.randn(3, 4), torch.randn(3, 4))
    write_fixture(os.path.join(outdir, "bn_train1d.bin"), t1 + t2)

    shapes = [("k2.", (2, 3, 5, 7), 2), ("k3.", (1, 2, 4, 3), 3), ("one.", (1, 1, 1, 1), 2),
              ("big.", (1, 1, 12, 12), 3)]
    for mode in ("bilinear", "nearest"):
        ts = []
        for prefix, shape, k in shapes:
            xu = torch.randn(*shape)
            n, c, h, w = shape
            gu = torch.randn(n, c, h * k, w * k)
            xr = xu.clone().requires_grad_(True)
            kw = {"align_corners": False} if mode == "bilinear" else {}
            yu = F.interpolate(xr, scale_factor=k, mode=mode, **kw)
            yu.backward(gu)
            ts += [(prefix + "x", xu), (prefix + "g", gu), (prefix + "y", yu), (prefix + "dx", xr.grad)]
        write_fixture(os.path.join(outdir, "upsample_%s.bin" % mode), ts)
    print("wrote fixtures to", outdir)


if __name__ == "__main__":
    main()
