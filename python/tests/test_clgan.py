"""The Python package over libclgan: every call of its interface on the small test config,
errors as exceptions, an interrupt that saves and resumes, and parity with `clgan sample`."""
import os
import signal
import subprocess
import threading

import numpy as np
import pytest

import clgan


def test_version_and_devices(device):
    assert clgan.__version__ == clgan.version()
    assert clgan.__version__.count(".") == 2
    devs = clgan.devices()
    assert devs, "no OpenCL device listed"
    for d in devs:
        assert isinstance(d, clgan.Device)
        assert d.spec.count(":") == 1 and d.name and d.platform
        assert d.type in ("cpu", "gpu", "accelerator", "simulator", "other")
        assert d.compute_units > 0 and d.global_mem > 0
    if device:
        assert any(device.lower() in (d.name + " " + d.platform).lower() for d in devs)


def test_config_text_set_and_errors(root, tmp_path):
    cfg = clgan.Config(root / "configs" / "test_mlp.ini", overrides={"train.max_steps": 20})
    cfg.set("train.epochs", 1)
    text = cfg.text
    assert "max_steps = 20" in text and "epochs = 1" in text
    # the resolved text parses again to the same text
    assert clgan.Config(text=text).text == text
    with pytest.raises(clgan.errors.ConfigError, match="train.no_such_key"):
        cfg.set("train.no_such_key", 3)
    with pytest.raises(clgan.errors.ConfigError, match=r"train\.batch"):
        cfg.set("train.batch", "many")
    with pytest.raises(clgan.errors.FileError, match="missing.ini"):
        clgan.Config(tmp_path / "missing.ini")
    with pytest.raises(ValueError, match="NUL"):
        clgan.Config(text=text + "\0[train]\nbatch = 8\n")
    with pytest.raises(ValueError, match="NUL"):
        cfg.set("train.epochs", "1\0 ; rest")
    bad = tmp_path / "bad.ini"
    bad.write_text("[train]\nbatch = 8\n[generator\n")
    with pytest.raises(clgan.Error, match=r"bad\.ini:3"):
        clgan.Config(bad)


def test_train_history_and_generator(small, tmp_path, device, cli):
    out = tmp_path / "run"
    tr = clgan.Trainer(small, out=out, device=device)
    stats = list(tr)
    assert [s.step for s in stats] == [2, 4, 6]
    assert all(isinstance(s, clgan.StepStats) and np.isfinite(s.d_loss) and 0 < s.d_real < 1 for s in stats)
    h = tr.history
    assert list(h["step"]) == [1, 2, 3, 4, 5, 6]
    assert set(h) >= {"step", "epoch", "d_loss", "g_loss", "d_real", "d_fake", "acc_real", "acc_fake"}
    assert h["d_loss"][-1] == pytest.approx(stats[-1].d_loss, rel=1e-6)
    tr.close()
    # a run folder cannot be started twice without overwrite
    with pytest.raises(clgan.Error, match="already holds a run"):
        clgan.Trainer(small, out=out, device=device)

    g = clgan.Generator(out, device=device)
    assert g.nz == 100 and g.shape == (1, 28, 28)
    x = g.sample(5, seed=3)
    assert x.shape == (5, 1, 28, 28) and x.dtype == np.float32
    assert x.min() >= -1 and x.max() <= 1
    assert np.array_equal(x, g.sample(5, seed=3))
    assert not np.array_equal(x, g.sample(5, seed=4))

    # parity with the CLI on the same latent vectors
    z = np.random.default_rng(0).standard_normal((7, g.nz)).astype(np.float32)
    np.save(tmp_path / "z.npy", z)
    subprocess.run([cli, "sample", str(out), "--noise", str(tmp_path / "z.npy"), "--out-npy",
                    str(tmp_path / "x.npy"), "-o", "-"] + (["--device", device] if device else []),
                   check=True, capture_output=True)
    assert np.array_equal(g(z), np.load(tmp_path / "x.npy"))
    with pytest.raises(ValueError, match=r"\(n, 100\)"):
        g(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        g(np.full((2, g.nz), np.nan, np.float32))
    for bad in (-1, 2**63):
        with pytest.raises(ValueError, match="seed"):
            g.sample(2, seed=bad)
    # the default seed is `clgan sample`'s
    assert np.array_equal(g.sample(3), g.sample(3, seed=1))
    assert h["step"].dtype == np.int64 and h["epoch"].dtype == np.int64
    img = clgan.grid(x, cols=3)
    assert img.shape == (2 * 29 + 1, 3 * 29 + 1) and 0 <= img.min() and img.max() <= 1


def test_interrupt_saves_and_resumes(root, tmp_path, device):
    cfg = clgan.Config(root / "configs" / "test_mlp.ini",
                       overrides={"train.max_steps": 400, "train.log_every": 1, "data.limit": 640})
    out = tmp_path / "run"
    tr = clgan.Trainer(cfg, out=out, device=device)
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for s in tr:
            seen.append(s.step)
            if s.step == 3:
                # what a terminal's Ctrl-C or a notebook's interrupt does: SIGINT to the process
                threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()
    tr.close()
    assert (out / "checkpoints" / "latest.safetensors").exists()
    # the run stopped at the end of a step at or after the last one the loop saw, and saved it
    stopped = len(clgan.Trainer(cfg, resume=out, device=device).history["step"])
    assert 3 <= seen[-1] <= stopped < 400
    cfg.set("train.max_steps", stopped + 4)
    tr2 = clgan.Trainer(cfg, resume=out, device=device)
    steps = [s.step for s in tr2]
    assert steps[-1] == stopped + 4
    assert list(tr2.history["step"]) == list(range(1, stopped + 5))


def test_stop_from_another_thread(small, tmp_path, device):
    small.set("train.max_steps", 400)
    small.set("train.log_every", 1)
    tr = clgan.Trainer(small, out=tmp_path / "run", device=device)
    steps = []
    for s in tr:
        steps.append(s.step)
        if s.step == 2:
            threading.Thread(target=tr.stop).start()
    assert 2 <= steps[-1] < 400


def test_errors_carry_the_message(small, tmp_path):
    with pytest.raises(clgan.errors.DeviceError, match=r'"no-such-device" \(device\)'):
        clgan.Trainer(small, out=tmp_path / "x", device="no-such-device")
    with pytest.raises(TypeError, match="device must be a string"):
        clgan.Trainer(small, out=tmp_path / "x", device=0)
    with pytest.raises(clgan.Error, match="nothing.safetensors"):
        clgan.Generator(tmp_path / "nothing.safetensors")
    assert issubclass(clgan.errors.ConfigError, clgan.Error)


def test_bench_refuses_bad_counts(small, device):
    for steps, warmup in ((0, 1), (-1, 1), (2, -5)):
        with pytest.raises(clgan.errors.ArgumentError, match="allowed are 1 to 100000"):
            clgan.bench(small, steps=steps, warmup=warmup, device=device)


def test_bench(small, device):
    r = clgan.bench(small, steps=2, warmup=1, device=device)
    assert isinstance(r, dict)
    assert r["batch"] == 64 and 0 < r["ms_min"] <= r["ms_median"] <= r["ms_max"]
    # the estimate is 0 where the device reports no clock (Intel's CPU runtime); the FMA kernel's
    # measurement is always there
    assert r["img_per_s"] > 0 and r["peak_estimate_gflops"] >= 0 and r["peak_measured_gflops"] > 0
    # per layer and pass: both networks' layers, forward and backward
    assert {(l["net"], l["pass"]) for l in r["layers"]} >= {("G", "fwd"), ("G", "bwd"), ("D", "fwd"), ("D", "bwd")}
