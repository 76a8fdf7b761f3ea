"""Numba kernels of the pixel-level refinement of zero suppression.

The block stage finds candidate blocks; these kernels work only inside them (a few
per cent of the frame). Each pixel gets a windowed significance; pixels at or above
``core`` are kept, and every pixel on the edge of that core stamps a disk of radius
``reach`` (``bright_reach`` near bright cores, whose faint tails are already inside
the core). Plain-numpy twins live in :mod:`recon._zs_reference`.
"""

from functools import lru_cache

import numpy as np
from numba import njit

from ._zs_kernels import dilate_rect

__all__ = ["refine", "disk_offsets", "classify_pixels", "mark_near_bright", "stamp_kept",
           "gather_kept"]

CORE, BRIGHT, NEAR_BRIGHT, KEPT = 1, 2, 4, 8


def refine(frame, mean, weight, candidate, params, row_offsets, offset=0.0, scale=1.0):
    """Kept pixels of the pixel stage: rows, cols (int32), raw values, row-major.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols)
    mean, weight : ndarray of float32, shape (rows, cols)
        Pedestal mean and 1/sigma**2 (0 where masked).
    candidate : ndarray of bool, shape (ceil(rows/block), ceil(cols/block))
        Blocks where signal may be.
    params : recon.zs_params.ZeroSuppressionParams
    row_offsets : ndarray of float32, shape (rows,)
        Common offset of each row of this frame, ADU (from the block stage).
    offset : float
        Common pedestal offset of this frame, ADU, subtracted from every pixel.
    scale : float
        Noise scale of this frame; ``core`` and ``bright`` are multiplied by it.
    """
    shifted = row_offsets + np.float32(offset)
    state = classify_pixels(frame, mean, weight, candidate, params.block, params.window,
                            shifted, params.core * scale, params.bright * scale)
    mark_near_bright(state, candidate, params.block, disk_offsets(float(params.near)))
    stamp_kept(state, candidate, params.block, disk_offsets(float(params.reach)),
               disk_offsets(float(params.bright_reach)))
    region = dilate_rect(candidate, params.max_reach_blocks, params.max_reach_blocks)
    return gather_kept(frame, state, region, params.block)


@lru_cache(maxsize=16)
def disk_offsets(radius):
    """int64 (n, 2): all (dy, dx) with dy**2 + dx**2 <= radius**2."""
    size = int(np.floor(radius))
    dy, dx = np.mgrid[-size:size + 1, -size:size + 1]
    inside = dy * dy + dx * dx <= radius * radius
    offsets = np.stack([dy[inside], dx[inside]], axis=1).astype(np.int64)
    offsets.flags.writeable = False
    return offsets


@njit(cache=True, nogil=True)
def classify_pixels(frame, mean, weight, candidate, block, half, row_offsets, core, bright):
    """uint8 state map: CORE (and BRIGHT) bits for candidate pixels.

    A pixel's significance is the weighted sum of (frame - mean - row offset) over the
    (2*half+1)**2 window around it, divided by the root of the window's weights.
    Window sums are separable: per candidate block, the weighted residuals of the
    block and its margin are computed once, summed down columns, then along rows.
    """
    rows, cols = frame.shape
    state = np.zeros((rows, cols), dtype=np.uint8)
    side, width = block + 2 * half, 2 * half + 1
    z = np.empty((side, side), dtype=np.float64)
    w = np.empty((side, side), dtype=np.float64)
    z_down = np.empty((block, side), dtype=np.float64)
    w_down = np.empty((block, side), dtype=np.float64)
    n_brows, n_bcols = candidate.shape
    for brow in range(n_brows):
        for bcol in range(n_bcols):
            if not candidate[brow, bcol]:
                continue
            r0, c0 = brow * block - half, bcol * block - half
            for i in range(side):
                for j in range(side):
                    rr, cc = r0 + i, c0 + j
                    if 0 <= rr < rows and 0 <= cc < cols:
                        pixel_weight = weight[rr, cc]
                        w[i, j] = pixel_weight
                        z[i, j] = (np.float32(frame[rr, cc]) - mean[rr, cc]
                                   - row_offsets[rr]) * pixel_weight
                    else:
                        w[i, j] = 0.0
                        z[i, j] = 0.0
            for i in range(block):
                for j in range(side):
                    total, weights = 0.0, 0.0
                    for k in range(width):
                        total += z[i + k, j]
                        weights += w[i + k, j]
                    z_down[i, j] = total
                    w_down[i, j] = weights
            for i in range(min(block, rows - brow * block)):
                for j in range(min(block, cols - bcol * block)):
                    total, weights = 0.0, 0.0
                    for k in range(width):
                        total += z_down[i, j + k]
                        weights += w_down[i, j + k]
                    if weights > 0.0:
                        significance = total / np.sqrt(weights)
                        if significance >= core:
                            state[brow * block + i, bcol * block + j] |= CORE
                        if significance >= bright:
                            state[brow * block + i, bcol * block + j] |= BRIGHT
    return state


@njit(cache=True, nogil=True)
def _is_edge(state, bit, r, c):
    """True if a 4-neighbour of (r, c) lacks ``bit`` or lies outside the frame."""
    rows, cols = state.shape
    if r == 0 or c == 0 or r == rows - 1 or c == cols - 1:
        return True
    return ((state[r - 1, c] & bit) == 0 or (state[r + 1, c] & bit) == 0
            or (state[r, c - 1] & bit) == 0 or (state[r, c + 1] & bit) == 0)


@njit(cache=True, nogil=True)
def _stamp(state, bit, r, c, offsets):
    rows, cols = state.shape
    for k in range(offsets.shape[0]):
        rr, cc = r + offsets[k, 0], c + offsets[k, 1]
        if 0 <= rr < rows and 0 <= cc < cols:
            state[rr, cc] |= bit


@njit(cache=True, nogil=True)
def mark_near_bright(state, candidate, block, near_offsets):
    """Set NEAR_BRIGHT on bright pixels and within ``near_offsets`` of bright edges."""
    rows, cols = state.shape
    n_brows, n_bcols = candidate.shape
    for brow in range(n_brows):
        for bcol in range(n_bcols):
            if not candidate[brow, bcol]:
                continue
            for r in range(brow * block, min(brow * block + block, rows)):
                for c in range(bcol * block, min(bcol * block + block, cols)):
                    if state[r, c] & BRIGHT:
                        state[r, c] |= NEAR_BRIGHT
                        if _is_edge(state, BRIGHT, r, c):
                            _stamp(state, NEAR_BRIGHT, r, c, near_offsets)


@njit(cache=True, nogil=True)
def stamp_kept(state, candidate, block, offsets, bright_offsets):
    """Set KEPT on core pixels and on disks around the core's edge pixels."""
    rows, cols = state.shape
    n_brows, n_bcols = candidate.shape
    for brow in range(n_brows):
        for bcol in range(n_bcols):
            if not candidate[brow, bcol]:
                continue
            for r in range(brow * block, min(brow * block + block, rows)):
                for c in range(bcol * block, min(bcol * block + block, cols)):
                    if (state[r, c] & CORE) == 0:
                        continue
                    state[r, c] |= KEPT
                    if _is_edge(state, CORE, r, c):
                        near = (state[r, c] & NEAR_BRIGHT) != 0
                        _stamp(state, KEPT, r, c, bright_offsets if near else offsets)


@njit(cache=True, nogil=True)
def gather_kept(frame, state, region, block):
    """Coordinates and raw values of KEPT pixels inside ``region`` blocks, row-major."""
    rows, cols = frame.shape
    n_brows, n_bcols = region.shape
    starts = np.zeros(n_brows + 1, dtype=np.int64)  # region block columns, per block row
    listed = np.empty(n_brows * n_bcols, dtype=np.int64)
    for brow in range(n_brows):
        n = starts[brow]
        for bcol in range(n_bcols):
            if region[brow, bcol]:
                listed[n] = bcol
                n += 1
        starts[brow + 1] = n
    capacity = starts[n_brows] * block * block
    out_rows = np.empty(capacity, dtype=np.int32)
    out_cols = np.empty(capacity, dtype=np.int32)
    values = np.empty(capacity, dtype=np.uint16)
    k = 0
    for r in range(rows):
        brow = r // block
        for index in range(starts[brow], starts[brow + 1]):
            c0 = listed[index] * block
            for c in range(c0, min(c0 + block, cols)):
                if state[r, c] & KEPT:
                    out_rows[k] = r
                    out_cols[k] = c
                    values[k] = frame[r, c]
                    k += 1
    return out_rows[:k].copy(), out_cols[:k].copy(), values[:k].copy()
