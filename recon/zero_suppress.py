"""Zero suppression that keeps faint tracks: significance is decided above pixel scale.

A minimum-ionising muon is only about 1-1.5 sigma per pixel, so any per-pixel cut
either loses it or keeps a large share of the noise. Two stages:

1. Blocks (whole frame, one fused pass). The frame is tiled in ``block`` x ``block``
   blocks; a block's inverse-variance weighted sum of pedestal-subtracted values,
   scaled to unit noise variance, is its significance. Blocks >= ``seed`` start a
   region, which grows into 8-connected blocks >= ``grow`` (hysteresis), plus
   ``halo`` blocks around: the candidate blocks (a few per cent of a frame).
2. Pixels (candidate blocks only). Each pixel's significance over a small window;
   pixels >= ``core`` are the signal core, and a disk of radius ``reach`` around the
   core's edge keeps the diffusion tails of faint tracks (``bright_reach`` next to
   bright cores, whose tails are already significant). This hugs a track far
   closer than whole blocks do, at the same kept signal.

With ``adapt`` (default), the block pass also removes each row's common offset
(row-correlated noise; clipped weighted mean of the row), and each frame measures
its remaining common offset and noise scale on a sample of blocks
(:mod:`recon.zs_noise`), so a drifting pedestal or a noisier frame does not flood the
thresholds with noise. (A track lying exactly along one row would be taken for row
noise; tracks a degree or more off the rows are not affected.)

Masked (hot, noisy, dead) pixels have zero weight, so they never seed, grow or
form a core; they are still returned when they lie in the kept area (their raw
values are data; downstream uses ``pedestal.mask``).
"""

from types import SimpleNamespace

import numpy as np

from . import _zs_kernels, _zs_refine_kernels
from .errors import PedestalError, ReconError
from .sparse_frame import SparseFrame
from .zs_noise import frame_noise_level
from .zs_params import ZeroSuppressionParams

__all__ = ["zero_suppress"]

#: Normalised residuals are clipped at this many sigma when a row's offset is measured.
ROW_CLIP = 3.0

#: The numba implementation; :mod:`recon._zs_reference` is its plain-numpy twin.
NUMBA_BACKEND = SimpleNamespace(
    block_sums=_zs_kernels.block_sums,
    window_significance=_zs_kernels.window_significance,
    hysteresis=_zs_kernels.hysteresis,
    dilate_rect=_zs_kernels.dilate_rect,
    gather_blocks=_zs_kernels.gather_blocks,
    refine=_zs_refine_kernels.refine,
)


def zero_suppress(frame, pedestal, **thresholds):
    """Keep the pixels of the regions that stand above the noise.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols)
        Raw camera frame. Any shape (non-square included) equal to the pedestal's.
    pedestal : recon.Pedestal
        Dark offset, noise and bad-pixel mask of the camera.
    **thresholds
        Any field of :class:`recon.zs_params.ZeroSuppressionParams` (``block``,
        ``seed``, ``grow``, ``halo``, ``refine``, ``window``, ``core``, ``reach``,
        ``bright``, ``near``, ``bright_reach``); the defaults are tuned on the
        simulator. A ready ``params=ZeroSuppressionParams(...)`` is accepted too.

    Returns
    -------
    SparseFrame
        Kept pixels, row-major, with their raw uint16 values, the frame shape and
        (with ``adapt``) the frame's common level over the pedestal.

    Raises
    ------
    ReconError
        Bad frame or thresholds; :class:`PedestalError` if the pedestal does not fit.
    """
    params = thresholds.pop("params", None)
    if params is None:
        params = ZeroSuppressionParams.from_options(**thresholds)
    elif thresholds or not isinstance(params, ZeroSuppressionParams):
        raise ReconError(f"params must be a ZeroSuppressionParams given alone, got {params!r} "
                         f"with {sorted(thresholds)}")
    _check_inputs(frame, pedestal)
    return _suppress(NUMBA_BACKEND, frame, pedestal, params)


def _suppress(backend, frame, pedestal, params):
    """The algorithm, on either the numba kernels or their numpy reference."""
    block = params.block
    weights = pedestal.block_weight(block)
    clip = np.float32(ROW_CLIP if params.adapt else 0.0)
    sums, row_offsets = backend.block_sums(frame, pedestal.mean, pedestal.inv_sigma, block, clip)
    offset, scale, level = 0.0, 1.0, None
    if params.adapt:
        measured, spread = frame_noise_level(sums, weights)
        if measured is not None:
            offset, scale = float(np.float32(measured)), max(spread, 1.0)
            level = float(np.mean(row_offsets, dtype=np.float64)) + offset
    window_weights, window_norms = pedestal.window_norm(block, params.span)
    significance = backend.window_significance(sums, window_weights, window_norms, offset,
                                               params.span)
    keep = backend.hysteresis(significance, params.seed * scale, params.grow * scale)
    candidate = backend.dilate_rect(keep, params.span - 1 + params.halo, params.halo)
    if params.refine:
        rows, cols, values = backend.refine(frame, pedestal.mean, pedestal.weight, candidate,
                                            params, row_offsets, offset, scale)
    else:
        rows, cols, values = backend.gather_blocks(frame, candidate, block)
    return SparseFrame(rows, cols, values, tuple(frame.shape), level)


def _check_inputs(frame, pedestal):
    if not isinstance(frame, np.ndarray):
        raise ReconError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint16:
        raise ReconError(f"frame.dtype must be uint16, got {frame.dtype}")
    if frame.ndim != 2 or min(frame.shape) < 1:
        raise ReconError(f"frame must be 2-D and non-empty, got shape {frame.shape}")
    if not all(hasattr(pedestal, name) for name in ("mean", "weight", "inv_sigma", "window_norm")):
        raise PedestalError(f"pedestal must be a recon.Pedestal, got {type(pedestal).__name__}")
    if tuple(pedestal.shape) != tuple(frame.shape):
        raise PedestalError(
            f"pedestal.shape must equal frame.shape {frame.shape}, got {pedestal.shape}"
        )
