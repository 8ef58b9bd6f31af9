"""Shared fixtures: the source tree's configs, the clgan binary for parity checks, a device."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("CLGAN_CLI", str(ROOT / "build" / "clgan"))
    if not os.path.exists(path):
        pytest.fail(f"the clgan binary is not at {path}: set CLGAN_CLI")
    return path


@pytest.fixture(scope="session")
def device():
    # the suite's device (tests/CMakeLists.txt sets it); None: the library's default
    return os.environ.get("CLGAN_TEST_DEVICE") or None


@pytest.fixture
def small(root):
    """The small MLP GAN of the end-to-end tests, cut to a few steps."""
    import clgan
    return clgan.Config(root / "configs" / "test_mlp.ini",
                        overrides={"train.max_steps": 6, "train.log_every": 2, "data.limit": 640})
