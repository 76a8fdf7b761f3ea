"""Plain numpy/scipy twins of :mod:`recon._zs_kernels`, for tests only.

Written independently of the kernels (array operations, scipy.ndimage labelling
and dilation) so that agreement between the two is evidence, not tautology.
"""

import numpy as np
from scipy import ndimage

__all__ = ["block_significance", "hysteresis", "dilate_square", "gather_blocks"]


def _pad_to_blocks(values, block):
    rows, cols = values.shape
    padded = np.zeros((-(-rows // block) * block, -(-cols // block) * block), values.dtype)
    padded[:rows, :cols] = values
    return padded


def block_significance(frame, mean, weight, norm, block):
    """See :func:`recon._zs_kernels.block_significance`."""
    z = (frame.astype(np.float32) - mean) * weight
    padded = _pad_to_blocks(z, block)
    tiles = padded.reshape(padded.shape[0] // block, block, -1, block)
    return tiles.sum(axis=(1, 3), dtype=np.float64) * norm


def hysteresis(significance, seed, grow):
    """See :func:`recon._zs_kernels.hysteresis`."""
    labels, _ = ndimage.label(significance >= grow, structure=np.ones((3, 3)))
    seeded = np.unique(labels[significance >= seed])
    return np.isin(labels, seeded[seeded > 0])


def dilate_square(keep, radius):
    """See :func:`recon._zs_kernels.dilate_square`."""
    if radius == 0:
        return keep.copy()
    square = np.ones((2 * radius + 1, 2 * radius + 1), dtype=bool)
    return ndimage.binary_dilation(keep, structure=square)


def gather_blocks(frame, keep, block):
    """See :func:`recon._zs_kernels.gather_blocks`."""
    pixels = np.kron(keep, np.ones((block, block), dtype=bool))[: frame.shape[0], : frame.shape[1]]
    rows, cols = np.nonzero(pixels)
    return rows.astype(np.int32), cols.astype(np.int32), frame[rows, cols]
