"""clgan: train GANs on any OpenCL device from Python (over libclgan with ctypes and NumPy).

    import clgan
    cfg = clgan.Config("configs/mlp_gan.ini", overrides={"train.max_steps": 20})
    tr = clgan.Trainer(cfg, out="runs/x")
    for s in tr:
        print(s.step, s.d_loss, s.g_loss)
    g = clgan.Generator("runs/x")
    x = g.sample(16, seed=1)                   # (16, C, H, W) float32
"""
from . import errors
from .core import Config, Device, Generator, StepStats, Trainer, bench, devices, grid, version
from .errors import Error

__version__ = version()
__all__ = ["Config", "Device", "Error", "Generator", "StepStats", "Trainer", "bench", "devices", "errors",
           "grid", "version", "__version__"]
