"""Helpers of the reconstruction tests: sparse frames built directly, simulator frames with truth.

The sparse frames here keep every pixel of the frame (no zero suppression), so the
clustering and variable tests do not depend on the zero-suppression thresholds.
"""

import numpy as np

from recon import Pedestal, SparseFrame

SIGMA_ADU = 2.0
MEAN_ADU = 100.0


def flat_pedestal(shape, sigma=SIGMA_ADU):
    """A pedestal of uniform mean and sigma and no bad pixel."""
    return Pedestal(np.full(shape, MEAN_ADU, np.float32), np.full(shape, sigma, np.float32),
                    mask=np.zeros(shape, bool))


def raw_frame(signal, seed=0, sigma=SIGMA_ADU):
    """uint16 frame: the flat pedestal plus Gaussian noise plus ``signal`` (ADU)."""
    rng = np.random.default_rng(seed)
    analog = MEAN_ADU + sigma * rng.standard_normal(signal.shape) + signal
    return np.clip(np.rint(analog), 0, 65535).astype(np.uint16)


def dense_sparse(frame):
    """A SparseFrame holding every pixel of ``frame``."""
    rows, cols = np.indices(frame.shape)
    return SparseFrame(rows.ravel().astype(np.int32), cols.ravel().astype(np.int32),
                       frame.ravel().copy(), tuple(frame.shape))


def spot(shape, row, col, integral, width=2.5):
    """Gaussian spot of a given integral (ADU) centred at (row, col)."""
    r, c = np.indices(shape, dtype=np.float64)
    return integral / (2 * np.pi * width**2) * np.exp(-0.5 * ((r - row) ** 2 + (c - col) ** 2) / width**2)


def track(shape, start, end, adu_per_px, width=2.5):
    """Straight track from (row, col) ``start`` to ``end``, ``adu_per_px`` per pixel of length."""
    r, c = np.indices(shape, dtype=np.float64)
    (r0, c0), (r1, c1) = start, end
    length = np.hypot(r1 - r0, c1 - c0)
    along = ((r - r0) * (r1 - r0) + (c - c0) * (c1 - c0)) / length
    across = ((r - r0) * (c1 - c0) - (c - c0) * (r1 - r0)) / length
    profile = adu_per_px / (np.sqrt(2 * np.pi) * width) * np.exp(-0.5 * (across / width) ** 2)
    return np.where((along >= 0) & (along <= length), profile, 0.0)
