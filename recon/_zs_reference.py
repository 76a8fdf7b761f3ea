"""Plain numpy/scipy twins of :mod:`recon._zs_kernels`, for tests only.

Written independently of the kernels (array operations, scipy.ndimage labelling
and dilation) so that agreement between the two is evidence, not tautology.
"""

import numpy as np
from scipy import ndimage

__all__ = ["block_sums", "window_sums", "window_significance", "hysteresis", "dilate_rect", "gather_blocks",
           "refine", "disk"]


def _pad_to_blocks(values, block):
    rows, cols = values.shape
    padded = np.zeros((-(-rows // block) * block, -(-cols // block) * block), values.dtype)
    padded[:rows, :cols] = values
    return padded


def block_sums(frame, mean, inv_sigma, block, clip):
    """See :func:`recon._zs_kernels.block_sums`."""
    residual = (frame.astype(np.float32) - mean) * inv_sigma
    clipped = np.clip(residual, -clip, clip)
    numerator = (inv_sigma * clipped).astype(np.float64).sum(axis=1)
    denominator = (inv_sigma * inv_sigma).astype(np.float64).sum(axis=1)
    offsets = np.zeros(frame.shape[0], dtype=np.float32)
    alive = denominator > 0
    offsets[alive] = (numerator[alive] / denominator[alive]).astype(np.float32)
    z = (residual - offsets[:, None] * inv_sigma) * inv_sigma
    padded = _pad_to_blocks(z, block)
    tiles = padded.reshape(padded.shape[0] // block, block, -1, block)
    return tiles.sum(axis=(1, 3), dtype=np.float64), offsets


def window_sums(values, span):
    """See :func:`recon._zs_kernels.window_sums`."""
    out = np.zeros_like(values, dtype=np.float64)
    for a in range(span):
        for b in range(span):
            out[: out.shape[0] - a, : out.shape[1] - b] += values[a:, b:]
    return out


def window_significance(sums, window_weights, window_norms, offset, span):
    """See :func:`recon._zs_kernels.window_significance`."""
    return (window_sums(sums, span) - offset * window_weights) * window_norms


def hysteresis(significance, seed, grow):
    """See :func:`recon._zs_kernels.hysteresis`."""
    labels, _ = ndimage.label(significance >= grow, structure=np.ones((3, 3)))
    seeded = np.unique(labels[significance >= seed])
    return np.isin(labels, seeded[seeded > 0])


def dilate_rect(keep, low, high):
    """See :func:`recon._zs_kernels.dilate_rect`."""
    out = keep.copy()
    for di in range(-high, low + 1):
        for dj in range(-high, low + 1):
            src = keep[max(-di, 0): keep.shape[0] - max(di, 0), max(-dj, 0): keep.shape[1] - max(dj, 0)]
            out[max(di, 0): keep.shape[0] - max(-di, 0), max(dj, 0): keep.shape[1] - max(-dj, 0)] |= src
    return out


def gather_blocks(frame, keep, block):
    """See :func:`recon._zs_kernels.gather_blocks`."""
    pixels = np.kron(keep, np.ones((block, block), dtype=bool))[: frame.shape[0], : frame.shape[1]]
    rows, cols = np.nonzero(pixels)
    return rows.astype(np.int32), cols.astype(np.int32), frame[rows, cols]


# --- pixel-level refinement (twins of recon._zs_refine_kernels) ---------------------

_CROSS = ndimage.generate_binary_structure(2, 1)


def disk(radius):
    """Boolean disk of all offsets with dy**2 + dx**2 <= radius**2."""
    size = int(np.floor(radius))
    dy, dx = np.mgrid[-size:size + 1, -size:size + 1]
    return dy * dy + dx * dx <= radius * radius


def _edge(mask):
    return mask & ~ndimage.binary_erosion(mask, structure=_CROSS, border_value=0)


def _dilate(mask, radius):
    return ndimage.binary_dilation(mask, structure=disk(radius)) if mask.any() else mask


def refine(frame, mean, weight, candidate, params, row_offsets, offset=0.0, scale=1.0):
    """Kept pixels of the pixel stage: rows, cols, values (row-major)."""
    shape, block = frame.shape, params.block
    window = np.ones((2 * params.window + 1,) * 2)
    shifted = row_offsets[:, None] + np.float32(offset)
    z = ((frame.astype(np.float32) - mean - shifted) * weight).astype(np.float64)
    total = ndimage.correlate(z, window, mode="constant")
    weights = ndimage.correlate(weight.astype(np.float64), window, mode="constant")
    alive = weights > 0
    significance = np.where(alive, total / np.sqrt(np.where(alive, weights, 1.0)), -np.inf)
    in_candidate = _pixels(candidate, block, shape)
    core = in_candidate & (significance >= params.core * scale)
    bright = in_candidate & (significance >= params.bright * scale)
    near = bright | _dilate(_edge(bright), params.near)
    edge = _edge(core)
    kept = core | _dilate(edge & ~near, params.reach) | _dilate(edge & near, params.bright_reach)
    reach = params.max_reach_blocks
    kept &= _pixels(dilate_rect(candidate, reach, reach), block, shape)
    rows, cols = np.nonzero(kept)
    return rows.astype(np.int32), cols.astype(np.int32), frame[rows, cols]


def _pixels(blocks, block, shape):
    return np.kron(blocks, np.ones((block, block), dtype=bool))[: shape[0], : shape[1]]
