"""Per-frame noise level of the block significance: pedestal offset and noise scale.

The pedestal drifts with the sensor temperature, and a frame may be noisier than
its pedestal run (correlated row noise, a warmer sensor). Both would flood a fixed
threshold with noise: a drift of 0.5 ADU shifts every 4x4 block of 2.2 ADU pixels
by about 0.9 sigma. So each frame measures, on a sparse sample of its blocks
(robust statistics: signal covers a few per cent of blocks at most), the common
offset of its pedestal-subtracted values (ADU) and the spread of the corrected
block significance; zero suppression subtracts the offset and scales its
thresholds by the spread when it exceeds 1.
"""

import numpy as np

__all__ = ["frame_noise_level", "SAMPLE_STRIDE", "MIN_SAMPLES"]

#: Every SAMPLE_STRIDE-th block (in C order) is sampled (about 11 000 of a 2304 x 2304
#: frame's 4x4 blocks: the offset to 0.01 ADU, the scale to 1 %); a prime avoids
#: aliasing with rows.
SAMPLE_STRIDE = 29
_MAD_TO_SIGMA = 1.4826
#: Fewer sampled blocks than this measure neither the offset nor the scale.
MIN_SAMPLES = 16


def frame_noise_level(sums, weights):
    """Common offset (ADU) and noise scale of one frame, from a sample of its blocks.

    Parameters
    ----------
    sums : ndarray of float64, shape (block_rows, block_cols)
        Weighted sums of pedestal-subtracted values per block
        (:func:`recon._zs_kernels.block_sums`).
    weights : ndarray of float64, same shape
        Sum of the pixel weights (1/sigma**2) per block (``Pedestal.block_weight``).

    Returns
    -------
    offset : float or None
        Median over sampled blocks of their weighted mean residual, ADU; None when
        fewer than :data:`MIN_SAMPLES` blocks are sampled (a frame of less than about
        90 x 90 pixels), which are too few to measure it.
    scale : float
        Robust (MAD) standard deviation of their offset-corrected significance (1.0
        when the offset is not measured).
    """
    sample_sums = sums.ravel()[::SAMPLE_STRIDE]
    sample_weights = weights.ravel()[::SAMPLE_STRIDE]
    alive = sample_weights > 0
    if alive.sum() < MIN_SAMPLES:
        return None, 1.0
    sample_sums, sample_weights = sample_sums[alive], sample_weights[alive]
    offset = float(np.median(sample_sums / sample_weights))
    significance = (sample_sums - offset * sample_weights) / np.sqrt(sample_weights)
    spread = _MAD_TO_SIGMA * float(np.median(np.abs(significance - np.median(significance))))
    return offset, spread
