"""The fixed camera: pedestal, noise, noisy (RTS) and hot pixels of one sCMOS sensor.

Numbers follow ``/work/shared/detector-facts.md`` (Hamamatsu ORCA-Fusion in LIME):
pedestal about 100 ADU varying 1-2 ADU pixel to pixel plus column fixed-pattern
offsets, temporal noise 1.5-3 ADU rms, a tail of random-telegraph pixels several
times noisier, a few hot pixels hundreds to thousands of ADU high and a small
row-correlated offset that changes every frame.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["SensorModel", "parse_shape"]

_SENSOR_STREAM = 0x5E550  # keeps the sensor's random stream apart from the frames'


@dataclass(frozen=True)
class _NoiseParameters:
    pedestal_adu: float = 100.0
    pixel_spread_adu: float = 1.5
    # The facts leave the column pattern's size open; 1.8 ADU makes gzip, Rice, JPEG-XL and
    # Blosc2 reach the facts' % of the entropy limit (benchmarks/sensor_calibration.py).
    column_spread_adu: float = 1.8
    sigma_median_adu: float = 2.2
    sigma_range_adu: tuple = (1.5, 3.0)
    noisy_fraction: float = 0.005
    noisy_factor_range: tuple = (3.0, 8.0)
    hot_per_megapixel: float = 2.0
    hot_excess_range_adu: tuple = (200.0, 3000.0)
    hot_shot_adu_per_adu: float = 0.5
    row_sigma_adu: float = 0.3


def parse_shape(shape) -> tuple[int, int]:
    """Check a ``(rows, cols)`` frame shape (never assumed square) and return it as ints."""
    try:
        rows, cols = (int(n) for n in shape)
        valid = all(float(n) == int(n) for n in shape)
    except (TypeError, ValueError):
        raise ValueError(f"shape must be (rows, cols) of positive ints, got {shape!r}") from None
    if not valid or rows < 1 or cols < 1:
        raise ValueError(f"shape must be (rows, cols) of positive ints, got {shape!r}")
    return rows, cols


class SensorModel:
    """One camera's fixed properties, drawn once from ``seed``.

    Parameters
    ----------
    shape : tuple of int, (rows, cols)
        Frame shape; 2304 x 2304 is the ORCA-Fusion, 2304 x 4096 style non-square
        shapes are supported.
    seed : int
        Seed of the sensor maps; the same seed gives the same camera.
    **overrides
        Any field of the noise parameters (e.g. ``noisy_fraction=0``,
        ``hot_per_megapixel=0``, ``row_sigma_adu=0``) to build a simpler camera.

    Attributes
    ----------
    true_mean : ndarray of float32, shape (rows, cols)
        Expected value of each pixel in a pedestal frame (ADU, before rounding):
        offset + column pattern + hot-pixel excess + mean telegraph level.
    true_sigma : ndarray of float32, shape (rows, cols)
        Expected temporal standard deviation of each pixel (ADU, before rounding),
        including the telegraph and row-correlated components.
    hot_mask, noisy_mask : ndarray of bool, shape (rows, cols)
        Hot pixels and random-telegraph (noisy) pixels.
    """

    def __init__(self, shape=(2304, 2304), seed: int = 0, **overrides):
        self.shape = parse_shape(shape)
        self.seed = int(seed)
        try:
            self.params = _NoiseParameters(**overrides)
        except TypeError as exc:
            raise ValueError(f"unknown SensorModel parameter in {sorted(overrides)!r}: {exc}") from None
        rng = np.random.default_rng([self.seed, _SENSOR_STREAM])
        self._draw_maps(rng)

    def _draw_maps(self, rng: np.random.Generator) -> None:
        p, (rows, cols) = self.params, self.shape
        columns = rng.normal(0.0, p.column_spread_adu, cols).astype(np.float32)
        offset = rng.normal(p.pedestal_adu, p.pixel_spread_adu, self.shape).astype(np.float32)
        offset += columns[None, :]
        white = _white_sigma_map(rng, self.shape, p)
        self.noisy_mask = rng.random(self.shape) < p.noisy_fraction
        factor = rng.uniform(*p.noisy_factor_range, int(self.noisy_mask.sum()))
        # A telegraph of amplitude A (high half the time) adds A/2 to the mean and A^2/4 to
        # the variance; A is chosen so that the pixel's total rms is ``factor`` x white.
        self._rts_index = np.flatnonzero(self.noisy_mask)
        self._rts_amplitude = (2.0 * white.flat[self._rts_index]
                               * np.sqrt(factor ** 2 - 1.0)).astype(np.float32)
        self.hot_mask = _hot_mask(rng, self.shape, p)
        excess = rng.uniform(*p.hot_excess_range_adu, int(self.hot_mask.sum())).astype(np.float32)
        offset[self.hot_mask] += excess
        white[self.hot_mask] = np.sqrt(white[self.hot_mask] ** 2 + p.hot_shot_adu_per_adu * excess)
        self._offset, self._white = offset, white
        mean = offset.copy()
        mean.flat[self._rts_index] += self._rts_amplitude / 2
        variance = white.astype(np.float64) ** 2 + p.row_sigma_adu ** 2
        variance.flat[self._rts_index] += self._rts_amplitude.astype(np.float64) ** 2 / 4
        self.true_mean = mean
        self.true_sigma = np.sqrt(variance).astype(np.float32)

    def noise_frame(self, rng: np.random.Generator) -> np.ndarray:
        """One pedestal frame before digitisation.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of this frame's noise (the caller seeds it per frame).

        Returns
        -------
        ndarray of float32, shape (rows, cols)
            Offset + white noise + telegraph state + hot excess + row offset, in ADU.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        frame = rng.standard_normal(self.shape, dtype=np.float32)
        frame *= self._white
        frame += self._offset
        row_offset = rng.standard_normal(self.shape[0], dtype=np.float32)
        frame += (row_offset * np.float32(self.params.row_sigma_adu))[:, None]
        high = rng.random(self._rts_index.size) < 0.5
        frame.flat[self._rts_index[high]] += self._rts_amplitude[high]
        return frame

    def __repr__(self) -> str:
        return (f"SensorModel(shape={self.shape}, seed={self.seed}, "
                f"hot={int(self.hot_mask.sum())}, noisy={int(self.noisy_mask.sum())})")


def _white_sigma_map(rng, shape, p: _NoiseParameters) -> np.ndarray:
    """Per-pixel white-noise rms: log-normal around the median, clipped to the quoted range."""
    sigma = p.sigma_median_adu * np.exp(rng.normal(0.0, 0.15, shape))
    return np.clip(sigma, *p.sigma_range_adu).astype(np.float32)


def _hot_mask(rng, shape, p: _NoiseParameters) -> np.ndarray:
    """A few hot pixels: ``hot_per_megapixel`` per 10^6 pixels, at least one if the rate is > 0."""
    size = shape[0] * shape[1]
    count = 0 if p.hot_per_megapixel <= 0 else max(1, round(p.hot_per_megapixel * size / 1e6))
    mask = np.zeros(shape, dtype=bool)
    mask.flat[rng.choice(size, size=min(count, size), replace=False)] = True
    return mask
