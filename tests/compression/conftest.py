"""Small synthetic camera frames and pedestals for the codec tests (no simulator needed)."""

import types

import numpy as np
import pytest

import compression.row_bands


def make_pedestal(shape, seed=0):
    """Pedestal-like object: mean ~100 ADU with column pattern, sigma 1.5-3 plus a noisy tail."""
    rng = np.random.default_rng(seed)
    mean = 100 + rng.normal(0, 1.5, shape) + rng.normal(0, 1.0, (1, shape[1]))
    sigma = rng.uniform(1.5, 3.0, shape)
    sigma[rng.random(shape) < 0.01] *= 5
    return types.SimpleNamespace(mean=mean.astype(np.float32), sigma=sigma.astype(np.float32))


def make_frame(pedestal, seed=1, spots=2):
    """A data frame: pedestal + Gaussian noise + a few bright spots and a hot pixel."""
    rng = np.random.default_rng(seed)
    frame = pedestal.mean + rng.normal(0, 1, pedestal.mean.shape) * pedestal.sigma
    rows, cols = pedestal.mean.shape
    for _ in range(spots):
        r, c = rng.integers(0, rows), rng.integers(0, cols)
        frame[max(r - 2, 0):r + 3, max(c - 2, 0):c + 3] += rng.uniform(50, 2000)
    frame[rng.integers(0, rows), rng.integers(0, cols)] = 4000
    return np.clip(np.rint(frame), 0, 65535).astype(np.uint16)


@pytest.fixture
def pedestal():
    return make_pedestal((48, 66))


@pytest.fixture
def frame(pedestal):
    return make_frame(pedestal)


@pytest.fixture
def small_bands(monkeypatch):
    """Row bands of 2**17 pixels, so that frames of a few hundred K pixels span several."""
    monkeypatch.setattr(compression.row_bands, "BAND_PIXELS", 1 << 17)
