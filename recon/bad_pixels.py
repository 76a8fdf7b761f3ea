"""Find hot, noisy and dead pixels from a pedestal's per-pixel mean and sigma."""

import numpy as np

from .errors import PedestalError

__all__ = ["find_bad_pixels", "HOT_SPREADS", "NOISY_FACTOR", "DEAD_FACTOR"]

#: A pixel is hot when its mean exceeds its column's median by this many robust spreads.
HOT_SPREADS = 8.0
#: Floor, in ADU, of the hot threshold (so a perfectly flat sensor does not flag noise).
HOT_MIN_ADU = 10.0
#: A pixel is noisy when its sigma exceeds this multiple of the median sigma.
NOISY_FACTOR = 2.5
#: A pixel is dead when its sigma is below this multiple of the median sigma.
DEAD_FACTOR = 0.2


def find_bad_pixels(mean, sigma, hot_spreads=HOT_SPREADS, noisy_factor=NOISY_FACTOR,
                    dead_factor=DEAD_FACTOR):
    """Mask of pixels that must never seed a cluster.

    Hot pixels are found against each column's median mean (so the sensor's column
    fixed-pattern offsets are not mistaken for hot pixels), with a robust
    (MAD-based) spread; noisy and dead pixels against the median sigma.

    Parameters
    ----------
    mean, sigma : ndarray of float, shape (rows, cols)
        Per-pixel pedestal mean and temporal standard deviation, in ADU.
    hot_spreads : float
        Hot threshold, in robust spreads of ``mean`` above the column median.
    noisy_factor : float
        Noisy threshold, as a multiple of the median sigma (> 1).
    dead_factor : float
        Dead threshold, as a multiple of the median sigma (in [0, 1)).

    Returns
    -------
    mask : ndarray of bool, shape (rows, cols)
        True for hot, noisy or dead pixels.
    """
    _check_options(hot_spreads, noisy_factor, dead_factor)
    mean = np.asarray(mean, dtype=np.float32)
    sigma = np.asarray(sigma, dtype=np.float32)
    return (hot_pixels(mean, hot_spreads)
            | (sigma > noisy_factor * _typical(sigma))
            | (sigma <= dead_factor * _typical(sigma)))


def hot_pixels(mean, hot_spreads=HOT_SPREADS):
    """Pixels whose mean stands far above their column's median mean.

    Parameters
    ----------
    mean : ndarray of float32, shape (rows, cols)
    hot_spreads : float

    Returns
    -------
    ndarray of bool, shape (rows, cols)
    """
    residual = mean - np.median(mean, axis=0, keepdims=True)
    spread = 1.4826 * float(np.median(np.abs(residual)))
    threshold = max(hot_spreads * spread, HOT_MIN_ADU)
    return residual > threshold


def _typical(sigma):
    """Median sigma over the pixels that respond at all."""
    alive = sigma[sigma > 0]
    return float(np.median(alive)) if alive.size else 0.0


def _check_options(hot_spreads, noisy_factor, dead_factor):
    if not hot_spreads > 0:
        raise PedestalError(f"hot_spreads must be > 0, got {hot_spreads!r}")
    if not noisy_factor > 1:
        raise PedestalError(f"noisy_factor must be > 1, got {noisy_factor!r}")
    if not 0 <= dead_factor < 1:
        raise PedestalError(f"dead_factor must be in [0, 1), got {dead_factor!r}")
