"""The Python face of libclgan: devices, configs, training, generators and the benchmark."""
import ctypes
import json
import os
import queue
import threading
from ctypes import byref, c_float, c_int, c_void_p
from dataclasses import dataclass

import numpy as np

from . import _lib
from .errors import check, error

_ERRLEN = _lib.ERRBUF


def _errbuf():
    return ctypes.create_string_buffer(_ERRLEN)


def _b(s):
    return None if s is None else os.fsencode(s) if not isinstance(s, bytes) else s


def version():
    return _lib.version().decode()


@dataclass(frozen=True)
class Device:
    """One OpenCL device as `clgan devices` lists it; `spec` ("P:D") selects it."""
    spec: str
    name: str
    platform: str
    vendor: str
    type: str
    compute_units: int
    global_mem: int


def devices():
    """Every OpenCL device of every platform, as plain data."""
    cap = 64
    arr = (_lib.DeviceInfo * cap)()
    n = c_int()
    err = _errbuf()
    check(_lib.devices(arr, cap, byref(n), err, _ERRLEN), err.value)
    return [Device(d.spec.decode(), d.name.decode(), d.platform.decode(), d.vendor.decode(), d.type.decode(),
                   d.compute_units, d.global_mem) for d in arr[:n.value]]


class _Context:
    """An open device (one OpenCL context and queue). Its settings default as the CLI's do:
    $CLGAN_DEVICE, the kernel binary cache in $CLGAN_CACHE_DIR (else $XDG_CACHE_HOME/clgan or
    ~/.cache/clgan), $CLGAN_GEMM, $CLGAN_CL_DIR and $CLGAN_NO_CACHE."""

    def __init__(self, device=None, profiling=False):
        self.ptr = None
        if device is not None and not isinstance(device, (str, bytes, os.PathLike)):
            raise TypeError(f"device must be a string such as \"0:0\", \"gpu\" or a name, not {device!r}")
        env = os.environ
        p = _lib.CtxParams()
        _lib.ctx_params_init(byref(p))
        # the byte strings must live as long as the call: keep them on self
        if device is None and env.get("CLGAN_DEVICE"):
            device, origin = env["CLGAN_DEVICE"], "$CLGAN_DEVICE"
        else:
            origin = "device"
        cache = env.get("CLGAN_CACHE_DIR") or (os.path.join(env["XDG_CACHE_HOME"], "clgan") if env.get("XDG_CACHE_HOME")
                                               else os.path.expanduser("~/.cache/clgan"))
        self._keep = [_b(device), origin.encode(), _b(cache), _b(env.get("CLGAN_CL_DIR") or None),
                      _b(env.get("CLGAN_GEMM") or None), b"$CLGAN_GEMM"]
        p.device, p.device_origin, p.cache_dir, p.cl_dir, p.gemm, p.gemm_origin = self._keep
        p.profiling = int(bool(profiling))
        p.no_cache = int(bool(env.get("CLGAN_NO_CACHE")))
        self.ptr = c_void_p()
        st = _lib.ctx_open(byref(self.ptr), byref(p))
        if st != 0:
            msg = _lib.last_error(self.ptr)
            _lib.ctx_free(self.ptr)
            self.ptr = None
            raise error(st, msg)
        warning = _lib.ctx_warning(self.ptr)
        if warning:
            import warnings
            warnings.warn(f"clgan: {warning.decode()}", RuntimeWarning, stacklevel=3)

    def check(self, st):
        if st != 0:
            raise error(st, _lib.last_error(self.ptr))

    @property
    def description(self):
        return _lib.ctx_desc(self.ptr).decode()

    def close(self):
        if getattr(self, "ptr", None):
            _lib.ctx_free(self.ptr)
            self.ptr = None

    __del__ = close


class Config:
    """A model and training configuration: an INI file (or text) plus overrides.

    Config("configs/mlp_gan.ini", overrides={"train.max_steps": 20}); cfg.set("train.epochs", 1);
    cfg.text is the resolved configuration as the run folder's config.ini would hold it.
    """

    def __init__(self, path=None, overrides=None, text=None, name="<text>"):
        self.ptr = None
        if (path is None) == (text is None):
            raise ValueError("Config: give a path or text (one of them)")
        self.ptr = c_void_p()
        err = _errbuf()
        if path is not None:
            self.path = os.fspath(path)
            st = _lib.config_load(byref(self.ptr), _b(self.path), err, _ERRLEN)
        else:
            self.path = None
            if "\0" in text:  # the C call reads up to the first NUL: refuse rather than cut the text there
                raise ValueError("Config: the text holds a NUL character")
            st = _lib.config_load_text(byref(self.ptr), text.encode(), name.encode(), err, _ERRLEN)
        check(st, err.value)
        for key, value in (overrides or {}).items():
            self.set(key, value)

    def set(self, key, value):
        """Override one key, as `--set section.key=value` does."""
        if isinstance(value, bool):
            value = int(value)
        if "\0" in f"{key}{value}":
            raise ValueError(f"Config.set: {key!r} = {value!r} holds a NUL character")
        err = _errbuf()
        check(_lib.config_set(self.ptr, f"{key}={value}".encode(), err, _ERRLEN), err.value)
        return self

    @property
    def text(self):
        t = _lib.config_text(self.ptr)
        if not t:  # "" when the library ran out of memory writing it
            raise MemoryError("clgan: out of memory writing the config's text")
        return t.decode()

    def __repr__(self):
        return f"Config({self.path!r})" if self.path else "Config(<text>)"

    def __del__(self):
        if getattr(self, "ptr", None):
            _lib.config_free(self.ptr)
            self.ptr = None


def _config(cfg):
    return cfg if isinstance(cfg, Config) else Config(cfg)


@dataclass(frozen=True)
class StepStats:
    """Statistics of one logged step (every train.log_every steps)."""
    step: int
    epoch: int
    steps_total: int
    d_loss: float
    g_loss: float
    d_real: float
    d_fake: float
    acc_real: float
    acc_fake: float
    seconds: float


class _OnDevice:
    """A library object (ptr, freed by _free) on its own device context (_ctx); with-statement
    closes it."""
    _free = None  # the library function that frees ptr

    def close(self):
        if getattr(self, "ptr", None):
            self._free(self.ptr)
            self.ptr = None
        if getattr(self, "_ctx", None):
            self._ctx.close()

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Trainer(_OnDevice):
    """Trains the GAN of a config into a run folder, as `clgan train` does.

    tr = Trainer(cfg, out="runs/x")            # a new run (overwrite=True replaces an old one)
    tr = Trainer(cfg, resume="runs/x")         # continue a run from its latest checkpoint
    for s in tr: print(s.step, s.d_loss)       # trains; StepStats every train.log_every steps
    tr.history                                 # the rows of metrics.csv as NumPy arrays

    Ctrl-C (or a notebook's interrupt) stops at the end of the current step, saves a checkpoint
    and raises KeyboardInterrupt; a new Trainer(cfg, resume=out) continues the run.
    """

    _free = staticmethod(_lib.trainer_free)

    def __init__(self, cfg, out=None, device=None, overwrite=False, resume=None):
        self.ptr, self._ctx = None, None
        self.config = _config(cfg)
        if out is None and resume is None:
            raise ValueError("Trainer: give out (a new run folder) or resume (a run to continue)")
        self.out = os.fspath(out if out is not None else resume)
        self._ctx = _Context(device)
        self.ptr = c_void_p()
        self._ctx.check(_lib.trainer_open(byref(self.ptr), self._ctx.ptr, self.config.ptr,
                                          _b(os.fspath(out)) if out is not None else None,
                                          _b(os.fspath(resume)) if resume is not None else None,
                                          int(bool(overwrite)), None))
        self._done = False
        self._stopping = False

    def __iter__(self):
        if self._done:
            return
        q = queue.Queue()
        result = {}

        def progress(_user, s):
            s = s.contents
            q.put(StepStats(s.step, s.epoch, s.steps_total, s.d_loss, s.g_loss, s.d_real, s.d_fake,
                            s.acc_real, s.acc_fake, s.seconds))

        cb = _lib.PROGRESS(progress)

        def run():
            # ctypes drops the GIL for the call: the notebook stays responsive while it trains
            result["status"] = _lib.trainer_run(self.ptr, cb, None)
            q.put(None)

        th = threading.Thread(target=run, name="clgan-train", daemon=True)
        th.start()
        try:
            while True:
                try:
                    item = q.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item is None:
                    break
                yield item
        except (KeyboardInterrupt, GeneratorExit) as e:
            _lib.trainer_request_stop(self.ptr)
            while th.is_alive():
                th.join(0.1)
            self._done = True
            if isinstance(e, GeneratorExit):
                return
            raise
        finally:
            th.join()
        self._done = True
        st = result.get("status", 0)
        if st == -1008:  # stopped on request: by stop(), or by Ctrl-C reaching the library
            if self._stopping:
                return
            raise KeyboardInterrupt
        self._ctx.check(st)

    def run(self):
        """Train to the end; returns the history."""
        for _ in self:
            pass
        return self.history

    def stop(self):
        """Ask the training loop to stop at the end of the current step (from any thread)."""
        self._stopping = True
        _lib.trainer_request_stop(self.ptr)

    @property
    def history(self):
        """The rows of metrics.csv: a dict of NumPy arrays, one per column."""
        path = os.path.join(self.out, "metrics.csv")
        if not os.path.exists(path):
            return {}
        with open(path) as f:
            header = f.readline().strip().split(",")
        data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
        ints = ("step", "epoch")  # whole numbers: int64 columns, the rest float64
        return {name: (data[:, i] if len(data) else np.zeros(0)).astype(np.int64 if name in ints else np.float64)
                for i, name in enumerate(header)}



class Generator(_OnDevice):
    """A trained generator from a checkpoint file or a run folder (its latest checkpoint).

    g.nz, g.shape; g.sample(16, seed=1) -> float32 (16, C, H, W) in the data's range;
    g(z) runs it on given latent vectors z (n, nz), as `clgan sample --noise` does.
    """

    _free = staticmethod(_lib.generator_free)

    def __init__(self, checkpoint, device=None):
        self.ptr, self._ctx = None, None
        self._ctx = _Context(device)
        self.ptr = c_void_p()
        self._ctx.check(_lib.generator_load(byref(self.ptr), self._ctx.ptr, _b(os.fspath(checkpoint))))
        nz, c, h, w = c_int(), c_int(), c_int(), c_int()
        _lib.generator_shape(self.ptr, byref(nz), byref(c), byref(h), byref(w))
        self.nz, self.shape = nz.value, (c.value, h.value, w.value)
        lo, hi = c_float(), c_float()
        _lib.generator_range(self.ptr, byref(lo), byref(hi))
        self.range = (lo.value, hi.value)

    def noise(self, n, seed=1):
        """n latent vectors drawn as in training (the config's noise), from `seed` (0 to 2**63-1;
        1 is `clgan sample`'s default)."""
        n, seed = int(n), int(seed)
        if n < 0:
            raise ValueError(f"Generator: n must be 0 or more, not {n}")
        if not 0 <= seed < 2**63:
            raise ValueError(f"Generator: seed must be from 0 to 2**63-1, not {seed}")
        z = np.empty((n, self.nz), np.float32)
        _lib.generator_noise(self.ptr, z.ctypes.data_as(ctypes.POINTER(c_float)), int(n), int(seed))
        return z

    def sample(self, n, seed=1):
        return self(self.noise(n, seed))

    def __call__(self, z):
        z = np.ascontiguousarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.nz:
            raise ValueError(f"Generator: z must have shape (n, {self.nz}), not {z.shape}")
        if not np.isfinite(z).all():
            raise ValueError("Generator: z holds NaN or infinite values")
        x = np.empty((z.shape[0],) + self.shape, np.float32)
        if z.shape[0]:
            self._ctx.check(_lib.generator_run(self.ptr, x.ctypes.data_as(ctypes.POINTER(c_float)),
                                               z.ctypes.data_as(ctypes.POINTER(c_float)), z.shape[0]))
        return x



def bench(cfg, steps=5, warmup=2, device=None):
    """Time training steps of a config on synthetic data: the numbers of `clgan bench --json`."""
    cfg = _config(cfg)
    ctx = _Context(device, profiling=True)
    out = c_void_p()
    try:
        ctx.check(_lib.bench_json(ctx.ptr, cfg.ptr, int(warmup), int(steps), byref(out)))
        text = ctypes.string_at(out).decode()
    finally:
        if out:
            _lib.free(out)
        ctx.close()
    return json.loads(text)


def grid(images, cols=0, pad=1):
    """Tile a batch (n, C, H, W) into one image: (rows*H, cols*W) for grey, (.., .., 3) for RGB,
    scaled from the batch's range to [0, 1] so matplotlib's imshow shows it as it is."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"grid: images must be (n, 1 or 3, H, W), not {x.shape}")
    n, c, h, w = x.shape
    cols = cols or max(1, int(np.ceil(np.sqrt(n))))
    rows = max(1, -(-n // cols))
    lo, hi = float(x.min()) if n else 0.0, float(x.max()) if n else 1.0
    x = (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
    out = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad, c), np.float32)
    for i in range(n):
        r, k = divmod(i, cols)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + k * (w + pad):pad + k * (w + pad) + w] = \
            x[i].transpose(1, 2, 0)
    return out[..., 0] if c == 1 else out
