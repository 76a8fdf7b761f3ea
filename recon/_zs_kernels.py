"""Numba kernels of zero suppression (the hot path).

Each has a plain-numpy twin in :mod:`recon._zs_reference` that the tests compare
against. All release the GIL so the edge can run frames on both cores in threads.
"""

import numpy as np
from numba import njit

__all__ = ["block_sums", "window_sums", "window_significance", "hysteresis", "dilate_rect", "gather_blocks"]


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _row_offset(residual, inv_sigma_row, clip):
    """Weighted mean of one row's residual in ADU, each normalised residual clipped.

    ``reassoc`` lets the compiler vectorise the two sums; the result differs from a
    strictly ordered sum only in the last bits of a float64.
    """
    numerator = 0.0
    denominator = 0.0
    for c in range(residual.shape[0]):
        s = inv_sigma_row[c]
        numerator += s * min(max(residual[c], -clip), clip)
        denominator += s * s
    if denominator > 0.0:
        return np.float32(numerator / denominator)
    return np.float32(0.0)


@njit(cache=True, nogil=True)
def block_sums(frame, mean, inv_sigma, block, clip):
    """Weighted sum of (frame - mean - row offset) per block (weights 1/sigma**2).

    One pass over the frame, reading each pixel, its mean and 1/sigma once. Each row's
    common offset (row-correlated noise, pedestal drift) is its weighted mean residual
    with normalised residuals clipped at ``clip`` (so signal barely moves it); it is
    removed before the row is added, column by column, into a float64 row (a loop the
    compiler vectorises) that is summed block by block after the block's last row.

    Returns
    -------
    sums : float64 (ceil(rows/block), ceil(cols/block))
    row_offsets : float32 (rows,), ADU
    """
    rows, cols = frame.shape
    n_brows, n_bcols = -(-rows // block), -(-cols // block)
    sums = np.empty((n_brows, n_bcols), dtype=np.float64)
    row_offsets = np.zeros(rows, dtype=np.float32)
    column_sums = np.empty(cols, dtype=np.float64)
    residual = np.empty(cols, dtype=np.float32)
    for brow in range(n_brows):
        column_sums[:] = 0.0
        for r in range(brow * block, min(brow * block + block, rows)):
            for c in range(cols):
                residual[c] = (np.float32(frame[r, c]) - mean[r, c]) * inv_sigma[r, c]
            offset = _row_offset(residual, inv_sigma[r], clip)
            row_offsets[r] = offset
            for c in range(cols):
                s = inv_sigma[r, c]
                column_sums[c] += (residual[c] - offset * s) * s
        for bcol in range(n_bcols):
            total = 0.0
            for c in range(bcol * block, min(bcol * block + block, cols)):
                total += column_sums[c]
            sums[brow, bcol] = total
    return sums, row_offsets


@njit(cache=True, nogil=True)
def window_sums(values, span):
    """Sum of ``values`` over every ``span`` x ``span`` window (top-left index).

    Windows at the bottom and right edges hold fewer blocks. Separable: along
    rows first, then down columns a whole row at a time (vectorised).
    """
    n_brows, n_bcols = values.shape
    across = np.empty((n_brows, n_bcols), dtype=np.float64)
    for i in range(n_brows):
        for j in range(n_bcols):
            total = 0.0
            for b in range(j, min(j + span, n_bcols)):
                total += values[i, b]
            across[i, j] = total
    out = np.zeros((n_brows, n_bcols), dtype=np.float64)
    for i in range(n_brows):
        for a in range(i, min(i + span, n_brows)):
            for j in range(n_bcols):
                out[i, j] += across[a, j]
    return out


@njit(cache=True, nogil=True)
def window_significance(sums, window_weights, window_norms, offset, span):
    """Significance of every ``span`` x ``span`` window of blocks (top-left index).

    ``(window sum - offset * window weight) * window norm``, where the window's
    weight and norm (1/sqrt(weight), 0 if none) come from the pedestal: unit
    variance under noise.
    """
    out = window_sums(sums, span)
    n_brows, n_bcols = out.shape
    for i in range(n_brows):
        for j in range(n_bcols):
            out[i, j] = (out[i, j] - offset * window_weights[i, j]) * window_norms[i, j]
    return out


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
def dilate_rect(keep, low, high):
    """out[a, b] = any keep[i, j] with a - low <= i <= a + high, b - low <= j <= b + high.

    Separable (rows then columns). ``low == high == r`` is a (2r+1) square dilation;
    ``low = span - 1`` marks every block covered by a kept window (top-left index).
    """
    n_brows, n_bcols = keep.shape
    across = np.zeros_like(keep)
    for r in range(n_brows):
        for c in range(n_bcols):
            if keep[r, c]:
                for cc in range(max(c - high, 0), min(c + low + 1, n_bcols)):
                    across[r, cc] = True
    out = np.zeros_like(keep)
    for r in range(n_brows):
        for c in range(n_bcols):
            if across[r, c]:
                for rr in range(max(r - high, 0), min(r + low + 1, n_brows)):
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
