"""The tracked pedestal's kernels, each with its numpy twin: the region near signal, and
one in-place update.

``near_kernel`` stamps a (2 guard + 1)-pixel square around each kept pixel, which is
what ``scipy.ndimage.maximum_filter`` of the kept-pixel mask gives (its reflected border
never reaches outside the square), in time proportional to the kept pixels.

``update_kernel`` visits each pixel once and allocates nothing; the numpy reference
builds five frame-sized float64 temporaries and makes about ten passes. The maps are
float32 (half the memory of float64: 42 MB less for a LIME camera) and every step is
computed in float64, then stored. Both apply, to every pixel that is not ``near`` signal
and lies within ``clip`` sigma of its mean,

    mean     += alpha * d
    variance  = (1 - alpha) * (variance + alpha * d * d),    d = frame - mean,

and leave every other pixel as it was. The tests require identical maps from both.
"""

import numpy as np
from numba import njit
from scipy import ndimage

__all__ = ["near_kernel", "near_reference", "update_kernel", "update_reference"]


@njit(cache=True, nogil=True)
def update_kernel(frame, mean, variance, near, alpha, clip):
    """Update float32 (or float64) ``mean`` and ``variance`` in place; returns the pixels used."""
    rows, cols = frame.shape
    used = 0
    for r in range(rows):
        for c in range(cols):
            if near[r, c]:
                continue
            d = np.float64(frame[r, c]) - mean[r, c]
            if abs(d) > clip * np.sqrt(np.float64(variance[r, c])):
                continue
            mean[r, c] += alpha * d
            variance[r, c] = (1.0 - alpha) * (np.float64(variance[r, c]) + alpha * d * d)
            used += 1
    return used


def update_reference(frame, mean, variance, near, alpha, clip):
    """Same result as :func:`update_kernel`, with whole-array numpy expressions."""
    wide_mean, wide_variance = mean.astype(np.float64), variance.astype(np.float64)
    delta = frame.astype(np.float64) - wide_mean
    use = (np.abs(delta) <= clip * np.sqrt(wide_variance)) & ~near
    step = np.where(use, alpha, 0.0)
    mean[...] = wide_mean + step * delta
    variance[...] = np.where(use, (1.0 - step) * (wide_variance + step * delta * delta), wide_variance)
    return int(use.sum())


@njit(cache=True, nogil=True)
def near_kernel(rows, cols, shape, guard):
    """bool (rows, cols) map: True within ``guard`` pixels (square) of a listed pixel."""
    n_rows, n_cols = shape
    near = np.zeros((n_rows, n_cols), dtype=np.bool_)
    for k in range(rows.size):
        r0, r1 = max(rows[k] - guard, 0), min(rows[k] + guard + 1, n_rows)
        c0, c1 = max(cols[k] - guard, 0), min(cols[k] + guard + 1, n_cols)
        for r in range(r0, r1):
            for c in range(c0, c1):
                near[r, c] = True
    return near


def near_reference(rows, cols, shape, guard):
    """Same result as :func:`near_kernel`, with a maximum filter over the whole frame."""
    region = np.zeros(shape, dtype=bool)
    region[rows, cols] = True
    return ndimage.maximum_filter(region, size=2 * guard + 1) if guard else region
