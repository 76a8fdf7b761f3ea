"""Zero suppression that keeps faint tracks: significance is decided per block.

A minimum-ionising muon is only about 1-1.5 sigma per pixel, so any per-pixel cut
either loses it or keeps a large share of the noise. Here the frame is tiled in
``block`` x ``block`` blocks; each block's inverse-variance weighted sum of
pedestal-subtracted values, scaled to unit noise variance, is its significance.
Blocks at or above ``seed`` start a region, which grows into 8-connected blocks at
or above ``grow`` (hysteresis), and then by ``halo`` blocks in every direction to
catch the diffusion tails. All pixels of the kept blocks are returned, raw.

Masked (hot, noisy, dead) pixels have zero weight, so they never seed or grow a
region; they are still returned when they lie inside a kept block (their raw values
are data; downstream uses ``pedestal.mask``).
"""

import numpy as np

from . import _zs_kernels
from .errors import PedestalError, ReconError
from .sparse_frame import SparseFrame

__all__ = ["zero_suppress", "DEFAULT_BLOCK", "DEFAULT_SEED", "DEFAULT_GROW", "DEFAULT_HALO"]

DEFAULT_BLOCK = 4
DEFAULT_SEED = 4.5
DEFAULT_GROW = 2.0
DEFAULT_HALO = 1


def zero_suppress(frame, pedestal, *, block=DEFAULT_BLOCK, seed=DEFAULT_SEED,
                  grow=DEFAULT_GROW, halo=DEFAULT_HALO):
    """Keep the pixels of the regions that stand above the noise.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols)
        Raw camera frame. Any shape (non-square included) equal to the pedestal's.
    pedestal : recon.Pedestal
        Dark offset, noise and bad-pixel mask of the camera.
    block : int
        Side of the square blocks on which significance is decided, in pixels.
    seed : float
        Significance (in noise sigma of a block) that starts a region.
    grow : float
        Significance that extends a region to an 8-connected neighbour; <= seed.
    halo : int
        Blocks added around each region in every direction (>= 0).

    Returns
    -------
    SparseFrame
        Kept pixels, row-major, with their raw uint16 values and the frame shape.

    Raises
    ------
    ReconError
        Bad frame or thresholds; :class:`PedestalError` if the pedestal does not fit.
    """
    _check_inputs(frame, pedestal, block, seed, grow, halo)
    return _suppress(_zs_kernels, frame, pedestal, block, seed, grow, halo)


def _suppress(kernels, frame, pedestal, block, seed, grow, halo):
    """The algorithm, on either the numba kernels or their numpy reference."""
    significance = kernels.block_significance(
        frame, pedestal.mean, pedestal.weight, pedestal.block_norm(block), block
    )
    keep = kernels.hysteresis(significance, float(seed), float(grow))
    if halo:
        keep = kernels.dilate_square(keep, int(halo))
    rows, cols, values = kernels.gather_blocks(frame, keep, block)
    return SparseFrame(rows, cols, values, tuple(frame.shape))


def _check_inputs(frame, pedestal, block, seed, grow, halo):
    if not isinstance(frame, np.ndarray):
        raise ReconError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint16:
        raise ReconError(f"frame.dtype must be uint16, got {frame.dtype}")
    if frame.ndim != 2 or min(frame.shape) < 1:
        raise ReconError(f"frame must be 2-D and non-empty, got shape {frame.shape}")
    if not all(hasattr(pedestal, name) for name in ("mean", "weight", "block_norm")):
        raise PedestalError(f"pedestal must be a recon.Pedestal, got {type(pedestal).__name__}")
    if tuple(pedestal.shape) != tuple(frame.shape):
        raise PedestalError(
            f"pedestal.shape must equal frame.shape {frame.shape}, got {pedestal.shape}"
        )
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or block < 1:
        raise ReconError(f"block must be an int >= 1, got {block!r}")
    if isinstance(halo, bool) or not isinstance(halo, (int, np.integer)) or halo < 0:
        raise ReconError(f"halo must be an int >= 0, got {halo!r}")
    try:
        finite = np.isfinite(float(seed)) and np.isfinite(float(grow))
    except (TypeError, ValueError):
        finite = False
    if not finite:
        raise ReconError(f"seed and grow must be finite numbers, got seed={seed!r}, grow={grow!r}")
    if grow > seed:
        raise ReconError(f"grow must be <= seed ({seed!r}), got {grow!r}")
