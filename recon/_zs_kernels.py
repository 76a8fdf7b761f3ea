"""Numba kernels of zero suppression (the hot path).

Each has a plain-numpy twin in :mod:`recon._zs_reference` that the tests compare
against. All release the GIL so the edge can run frames on both cores in threads.
"""

import numpy as np
from numba import njit

__all__ = ["block_significance", "hysteresis", "dilate_square", "gather_blocks"]


@njit(cache=True, nogil=True)
def block_significance(frame, mean, weight, norm, block):
    """Weighted sum of (frame - mean) per block, scaled to unit noise variance.

    One pass over the frame, reading each pixel, its mean and weight once. The rows
    of a block are first summed column by column into a float64 row (a loop the
    compiler vectorises), then that row is summed block by block.
    """
    rows, cols = frame.shape
    n_brows, n_bcols = norm.shape
    sums = np.empty((n_brows, n_bcols), dtype=np.float64)
    column_sums = np.empty(cols, dtype=np.float64)
    for brow in range(n_brows):
        column_sums[:] = 0.0
        for r in range(brow * block, min(brow * block + block, rows)):
            for c in range(cols):
                column_sums[c] += (np.float32(frame[r, c]) - mean[r, c]) * weight[r, c]
        for bcol in range(n_bcols):
            total = 0.0
            for c in range(bcol * block, min(bcol * block + block, cols)):
                total += column_sums[c]
            sums[brow, bcol] = total * norm[brow, bcol]
    return sums


@njit(cache=True, nogil=True)
def hysteresis(significance, seed, grow):
    """Blocks >= ``seed``, plus blocks >= ``grow`` 8-connected to them."""
    n_brows, n_bcols = significance.shape
    keep = np.zeros((n_brows, n_bcols), dtype=np.bool_)
    stack = np.empty(n_brows * n_bcols, dtype=np.int64)
    for start in range(n_brows * n_bcols):
        r0, c0 = start // n_bcols, start % n_bcols
        if keep[r0, c0] or significance[r0, c0] < seed:
            continue
        keep[r0, c0] = True
        stack[0] = start
        top = 1
        while top > 0:
            top -= 1
            r, c = stack[top] // n_bcols, stack[top] % n_bcols
            for dr in range(-1, 2):
                for dc in range(-1, 2):
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < n_brows and 0 <= cc < n_bcols and not keep[rr, cc] \
                            and significance[rr, cc] >= grow:
                        keep[rr, cc] = True
                        stack[top] = rr * n_bcols + cc
                        top += 1
    return keep


@njit(cache=True, nogil=True)
def dilate_square(keep, radius):
    """Binary dilation by a (2*radius+1) square, separably (rows then columns)."""
    n_brows, n_bcols = keep.shape
    across = np.zeros_like(keep)
    for r in range(n_brows):
        for c in range(n_bcols):
            if keep[r, c]:
                for cc in range(max(c - radius, 0), min(c + radius + 1, n_bcols)):
                    across[r, cc] = True
    out = np.zeros_like(keep)
    for r in range(n_brows):
        for c in range(n_bcols):
            if across[r, c]:
                for rr in range(max(r - radius, 0), min(r + radius + 1, n_brows)):
                    out[rr, c] = True
    return out


@njit(cache=True, nogil=True)
def gather_blocks(frame, keep, block):
    """Coordinates and raw values of all pixels in kept blocks, row-major."""
    rows, cols = frame.shape
    n_brows, n_bcols = keep.shape
    widths = np.zeros(n_brows, dtype=np.int64)
    for brow in range(n_brows):
        for bcol in range(n_bcols):
            if keep[brow, bcol]:
                widths[brow] += min(block, cols - bcol * block)
    total = 0
    for r in range(rows):
        total += widths[r // block]
    out_rows = np.empty(total, dtype=np.int32)
    out_cols = np.empty(total, dtype=np.int32)
    values = np.empty(total, dtype=np.uint16)
    k = 0
    for r in range(rows):
        brow = r // block
        if widths[brow] == 0:
            continue
        for bcol in range(n_bcols):
            if keep[brow, bcol]:
                for c in range(bcol * block, min(bcol * block + block, cols)):
                    out_rows[k] = r
                    out_cols[k] = c
                    values[k] = frame[r, c]
                    k += 1
    return out_rows, out_cols, values
