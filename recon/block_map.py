"""Rebinning of zero-suppressed pixels into a coarse block significance map.

The faint signals of CYGNO (a minimum-ionising muon gives about 1-1.5 sigma of noise
per full-resolution pixel) only become visible when pixels are summed: a 4 x 4 block
inside a muon track sums to about 5 sigma. This module forms, for each ``bin x bin``
block, the inverse-variance weighted sum of the pedestal-subtracted kept pixels scaled
to unit noise variance (the same statistic as zero suppression, with the pedestal's
cached per-block norm), touching only the kept pixels, never the dense frame.
"""

import numpy as np
from numba import njit

from .errors import ReconError

__all__ = ["BlockMap", "block_map"]


class BlockMap:
    """Per-pixel signal and per-block significance of one zero-suppressed frame.

    Attributes
    ----------
    rows, cols : ndarray of int32, shape (n,)
        The kept pixels that are usable (pedestal weight > 0: not masked), in input order.
    signal : ndarray of float32, shape (n,)
        Their pedestal-subtracted ADU.
    significance : ndarray of float32, shape (n_block_rows, n_block_cols)
        ``sum(signal * weight) * norm`` per block: unit variance under noise when the
        whole block is kept (0 for blocks without kept pixels).
    bin : int
        Block side in full-resolution pixels.
    """

    def __init__(self, rows, cols, signal, significance, bin):
        self.rows = rows
        self.cols = cols
        self.signal = signal
        self.significance = significance
        self.bin = bin


def block_map(rows, cols, values, mean, weight, norm, bin=4):
    """Pedestal-subtract kept pixels and sum them into ``bin x bin`` blocks.

    Parameters
    ----------
    rows, cols : ndarray of int32, shape (n,)
        Kept pixel coordinates.
    values : ndarray of uint16, shape (n,)
        Raw ADU of the kept pixels.
    mean, weight : ndarray of float32, shape (rows, cols)
        Pedestal mean and inverse variance per pixel (0 for masked pixels).
    norm : ndarray of float64, shape (ceil(rows / bin), ceil(cols / bin))
        ``1 / sqrt(sum of weight)`` per block (``Pedestal.block_norm(bin)``).
    bin : int
        Block side in pixels (the collaboration rebins 4 x 4).

    Returns
    -------
    BlockMap
        Masked pixels (weight 0) are dropped from its pixel arrays.
    """
    if not isinstance(bin, (int, np.integer)) or bin < 1:
        raise ReconError(f"bin must be a positive integer, got {bin!r}")
    if mean.shape != weight.shape or mean.ndim != 2:
        raise ReconError(f"pedestal mean/weight shapes must match and be 2-D, got {mean.shape}/{weight.shape}")
    expected = (-(-mean.shape[0] // bin), -(-mean.shape[1] // bin))
    if norm.shape != expected:
        raise ReconError(f"norm.shape must be {expected} for bin={bin}, got {norm.shape}")
    return BlockMap(*_block_map_kernel(rows, cols, values, mean, weight, norm, int(bin)), int(bin))


@njit(cache=True, nogil=True)
def _block_map_kernel(rows, cols, values, mean, weight, norm, bin):
    n = values.shape[0]
    out_rows = np.empty(n, dtype=np.int32)
    out_cols = np.empty(n, dtype=np.int32)
    signal = np.empty(n, dtype=np.float32)
    significance = np.zeros(norm.shape, dtype=np.float32)
    k = 0
    for i in range(n):
        r = rows[i]
        c = cols[i]
        w = weight[r, c]
        if w <= 0:
            continue  # masked pixel: no information
        s = np.float32(values[i]) - mean[r, c]
        out_rows[k] = r
        out_cols[k] = c
        signal[k] = s
        k += 1
        significance[r // bin, c // bin] += s * w
    for br in range(norm.shape[0]):
        for bc in range(norm.shape[1]):
            significance[br, bc] *= norm[br, bc]
    return out_rows[:k], out_cols[:k], signal[:k], significance


def _block_map_reference(rows, cols, values, mean, weight, norm, bin):
    """Plain-numpy twin of :func:`_block_map_kernel` (used by the tests)."""
    usable = weight[rows, cols] > 0
    rows, cols, values = rows[usable], cols[usable], values[usable]
    signal = values.astype(np.float32) - mean[rows, cols]
    flat = (rows // bin) * norm.shape[1] + cols // bin
    sums = np.bincount(flat, weights=signal * weight[rows, cols], minlength=norm.size)
    return rows, cols, signal, (sums.reshape(norm.shape) * norm).astype(np.float32)
