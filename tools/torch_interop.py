#!/usr/bin/env python3
"""torch_interop.py — load a clgan generator checkpoint into the equivalent PyTorch module and
check that both give the same images for the same latent vectors.

usage: torch_interop.py CKPT [--clgan build/clgan] [-n 16] [--seed 1] [--tol 1e-4]

CKPT is a checkpoint (.safetensors) or a run folder (its checkpoints/latest.safetensors). The
script rebuilds the generator as an nn.Sequential from the config stored in the checkpoint, loads
the tensors "generator.<i>.<name>" with load_state_dict(strict=True), writes random latent
vectors to a .npy file, runs `clgan sample CKPT --noise z.npy --out-npy x.npy`, and compares.
Needs torch and the safetensors package (pip install safetensors).

Layer mapping (clgan config line -> PyTorch module; indices and tensor names are the same):
  dense units=N bias=B          -> nn.Linear(in, N, bias=B)
  conv2d filters kernel stride padding=P -> nn.Conv2d(in, filters, kernel, stride, P, bias)
  conv2d padding=same|valid     -> nn.Conv2d with Keras' padding (asymmetric zero padding first)
  conv_transpose2d ... padding=P output_padding=Q -> nn.ConvTranspose2d(...)
  conv_transpose2d padding=same -> nn.ConvTranspose2d, output cropped as Keras does
  batchnorm momentum eps affine -> nn.BatchNorm1d / nn.BatchNorm2d (by input rank)
  upsample scale mode           -> nn.Upsample(scale_factor, mode, align_corners=False for bilinear)
  relu, leaky_relu slope, tanh, sigmoid, dropout p, flatten, reshape c h w (nn.Unflatten), maxout k
"""
import argparse, json, os, struct, subprocess, sys, tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file


def same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class KerasConv2d(nn.Conv2d):
    """Conv2d with Keras 'same'/'valid' padding (possibly asymmetric); parameters as nn.Conv2d."""

    def __init__(self, *a, keras_padding="same", **kw):
        super().__init__(*a, padding=0, **kw)
        self.keras_padding = keras_padding

    def forward(self, x):
        if self.keras_padding == "same":
            k, s = self.kernel_size[0], self.stride[0]
            t, b = same_pads(x.shape[2], k, s)
            l, r = same_pads(x.shape[3], k, s)
            x = F.pad(x, (l, r, t, b))
        return super().forward(x)


class KerasConvTranspose2d(nn.ConvTranspose2d):
    """ConvTranspose2d with Keras 'same' padding: output = input * stride."""

    def forward(self, x):
        y = super().forward(x)
        k, s = self.kernel_size[0], self.stride[0]
        total = max(k - s, 0)
        t = total // 2
        h, w = x.shape[2] * s, x.shape[3] * s
        return y[:, :, t:t + h, t:t + w]


class Maxout(nn.Module):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x.view(x.shape[0], -1, self.k).max(2)[0]


def parse_opts(line):
    parts = line.split()
    return parts[0], dict(p.split("=", 1) for p in parts[1:])


def generator_section(text):
    """The [generator] keys of a resolved config: {key: value} and the list of layer lines."""
    keys, layers, section = {}, [], None
    for line in text.splitlines():
        line = line.split(";")[0].strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and section == "generator":
            k, v = (x.strip() for x in line.split("=", 1))
            if k == "layer":
                layers.append(v)
            else:
                keys[k] = v
    return keys, layers


def build(keys, layer_lines):
    shape = [int(v) for v in keys["input"].split(",")]
    if len(shape) == 1:
        shape += [1, 1]
    layers = []
    for line in layer_lines:
        t, o = parse_opts(line)
        c, h, w = shape
        flat = h == 1 and w == 1
        if t == "dense":
            n, bias = int(o["units"]), o.get("bias", "1") != "0"
            layers.append(nn.Linear(c, n, bias=bias)); shape = [n, 1, 1]
        elif t in ("conv2d", "conv_transpose2d"):
            f, k, s = int(o["filters"]), int(o["kernel"]), int(o.get("stride", "1"))
            p, bias = o.get("padding", "0"), o.get("bias", "1") != "0"
            if t == "conv2d":
                if p in ("same", "valid"):
                    m = KerasConv2d(c, f, k, s, bias=bias, keras_padding=p)
                    oh = -(-h // s) if p == "same" else (h - k) // s + 1
                    ow = -(-w // s) if p == "same" else (w - k) // s + 1
                else:
                    m = nn.Conv2d(c, f, k, s, int(p), bias=bias)
                    oh, ow = (h + 2 * int(p) - k) // s + 1, (w + 2 * int(p) - k) // s + 1
            else:
                if p == "same":
                    m = KerasConvTranspose2d(c, f, k, s, bias=bias); oh, ow = h * s, w * s
                else:
                    op = int(o.get("output_padding", "0"))
                    m = nn.ConvTranspose2d(c, f, k, s, int(p), op, bias=bias)
                    oh, ow = (h - 1) * s - 2 * int(p) + k + op, (w - 1) * s - 2 * int(p) + k + op
            layers.append(m); shape = [f, oh, ow]
        elif t == "batchnorm":
            mom, eps, aff = float(o.get("momentum", "0.1")), float(o.get("eps", "1e-5")), o.get("affine", "1") != "0"
            layers.append((nn.BatchNorm1d if flat else nn.BatchNorm2d)(c, eps=eps, momentum=mom, affine=aff))
        elif t == "upsample":
            s, mode = int(o.get("scale", "2")), o.get("mode", "nearest")
            layers.append(nn.Upsample(scale_factor=s, mode=mode, align_corners=False if mode == "bilinear" else None))
            shape = [c, h * s, w * s]
        elif t == "relu": layers.append(nn.ReLU())
        elif t == "leaky_relu": layers.append(nn.LeakyReLU(float(o.get("slope", "0.01"))))
        elif t == "tanh": layers.append(nn.Tanh())
        elif t == "sigmoid": layers.append(nn.Sigmoid())
        elif t == "dropout": layers.append(nn.Dropout(float(o.get("p", "0.5"))))
        elif t == "flatten": layers.append(nn.Flatten()); shape = [c * h * w, 1, 1]
        elif t == "reshape":
            nc, nh, nw = int(o["c"]), int(o.get("h", "1")), int(o.get("w", "1"))
            layers.append(nn.Unflatten(1, (nc, nh, nw))); shape = [nc, nh, nw]
        elif t == "maxout":
            k = int(o["k"]); layers.append(Maxout(k)); shape = [c // k, 1, 1]
        else:
            sys.exit(f"unknown layer type {t}")
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ckpt")
    ap.add_argument("--clgan", default="build/clgan")
    ap.add_argument("-n", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()
    path = a.ckpt
    if os.path.isdir(path):
        path = os.path.join(path, "checkpoints", "latest.safetensors")
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        meta = json.loads(f.read(n))["__metadata__"]
    keys, layer_lines = generator_section(meta["config"])
    G = build(keys, layer_lines)
    tensors = load_file(path)
    state = {k[len("generator."):]: v for k, v in tensors.items() if k.startswith("generator.")}
    G.load_state_dict(state, strict=True)
    G.eval()
    zshape = [int(v) for v in keys["input"].split(",")]
    nz = int(np.prod(zshape))
    z = np.random.default_rng(a.seed).standard_normal((a.n, nz)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        zp, xp = os.path.join(tmp, "z.npy"), os.path.join(tmp, "x.npy")
        np.save(zp, z)
        subprocess.run([a.clgan, "sample", a.ckpt, "--noise", zp, "--out-npy", xp, "-o", "-"], check=True)
        x_clgan = np.load(xp)
    zin = torch.from_numpy(z).view(a.n, *zshape)
    with torch.no_grad():
        x_torch = G(zin).view(x_clgan.shape).numpy()
    err = float(np.abs(x_torch - x_clgan).max())
    print(f"{len(state)} tensors loaded into PyTorch (strict); {a.n} samples; max |torch - clgan| = {err:.3g}")
    sys.exit(0 if err <= a.tol else 1)


if __name__ == "__main__":
    main()
