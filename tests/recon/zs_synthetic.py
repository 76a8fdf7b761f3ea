"""Small synthetic frames with known truth for the pedestal and zero-suppression tests.

Independent of the project's simulator on purpose: Gaussian noise of known per-pixel
mean and sigma, plus signals drawn as Gaussian profiles, so every expectation is exact.
"""

import numpy as np

from recon import Pedestal

SIGMA_ADU = 2.2


def sensor_maps(shape, seed=0, sigma=SIGMA_ADU):
    """True per-pixel mean (about 100 ADU, column pattern) and sigma of a clean sensor."""
    rng = np.random.default_rng([seed, 1])
    mean = 100 + rng.normal(0, 1.5, shape) + rng.normal(0, 1.0, shape[1])[None, :]
    sigma_map = sigma * np.exp(rng.normal(0, 0.1, shape))
    return mean.astype(np.float32), sigma_map.astype(np.float32)


def true_pedestal(shape, seed=0):
    """A Pedestal made from the true maps (no estimation noise), with an empty mask."""
    mean, sigma = sensor_maps(shape, seed)
    return Pedestal(mean, sigma, np.zeros(shape, bool))


def noise_frame(pedestal_maps, seed, signal=None):
    """One uint16 frame: mean + Gaussian noise (+ signal), rounded."""
    mean, sigma = pedestal_maps
    rng = np.random.default_rng([seed, 2])
    analog = mean + sigma * rng.standard_normal(mean.shape)
    if signal is not None:
        analog = analog + signal
    return np.clip(np.rint(analog), 0, 65535).astype(np.uint16)


def line_signal(shape, start, end, peak_adu, width_px=2.5):
    """Noise-free straight track: a Gaussian transverse profile of ``peak_adu`` at its core."""
    rows, cols = np.indices(shape, dtype=np.float64)
    (r0, c0), (r1, c1) = start, end
    length = np.hypot(r1 - r0, c1 - c0)
    along = ((rows - r0) * (r1 - r0) + (cols - c0) * (c1 - c0)) / length
    across = np.abs((rows - r0) * (c1 - c0) - (cols - c0) * (r1 - r0)) / length
    profile = peak_adu * np.exp(-0.5 * (across / width_px) ** 2)
    return np.where((along >= 0) & (along <= length), profile, 0.0)


def spot_signal(shape, centre, integral_adu, width_px=2.5):
    """Noise-free Gaussian spot (an Fe-55 like blob) of a given integral."""
    rows, cols = np.indices(shape, dtype=np.float64)
    r2 = (rows - centre[0]) ** 2 + (cols - centre[1]) ** 2
    return integral_adu / (2 * np.pi * width_px ** 2) * np.exp(-0.5 * r2 / width_px ** 2)


def kept_fraction(sparse, signal):
    """Share of a noise-free signal image that lies on the kept pixels."""
    return signal[sparse.rows, sparse.cols].sum() / signal.sum()
