"""Subtractive-dither quantisation to a fraction of each pixel's noise (numba + numpy twins).

fpack-style: with step ``s_i = max(sigma_i, SIGMA_FLOOR) / q`` and a dither
``u_i`` uniform in [0, 1) drawn from ``(seed, i)``, the code is
``v_i = floor((x_i - mean_i) / s_i + u_i)`` and the reconstruction
``(v_i - u_i + 0.5) * s_i + mean_i``. The error is uniform on a width ``s_i``,
independent of the signal: zero mean, rms ``sigma_i / (q * sqrt(12))``.

The dither is splitmix64 of the pixel index, identical in numba and numpy on
every machine, so the decoder regenerates it from the seed in the config.
"""

import numba
import numpy as np

__all__ = ["SIGMA_FLOOR", "quantise", "dequantise", "dither", "quantise_reference",
           "dequantise_reference", "dither_reference"]

#: Pixels quieter than this (dead or stuck) are quantised as if their sigma were this, in ADU.
SIGMA_FLOOR = 0.5
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / (1 << 24)


@numba.njit(cache=True, nogil=True, inline="always")
def _uniform(seed, i):
    z = seed + np.uint64(i + 1) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(40)) * _UNIT


@numba.njit(cache=True, nogil=True)
def _quantise(frame, mean, sigma, q, seed, codes):
    rows, cols = frame.shape
    for r in range(rows):
        for c in range(cols):
            step = max(np.float64(sigma[r, c]), SIGMA_FLOOR) / q
            u = _uniform(seed, r * cols + c)
            codes[r, c] = np.int32(np.floor((np.float64(frame[r, c]) - mean[r, c]) / step + u))


@numba.njit(cache=True, nogil=True)
def _dequantise(codes, mean, sigma, q, seed, out):
    rows, cols = codes.shape
    for r in range(rows):
        for c in range(cols):
            step = max(np.float64(sigma[r, c]), SIGMA_FLOOR) / q
            u = _uniform(seed, r * cols + c)
            out[r, c] = np.float32((codes[r, c] - u + 0.5) * step + mean[r, c])


@numba.njit(cache=True, nogil=True)
def _dither(n, seed, out):
    for i in range(n):
        out[i] = _uniform(seed, i)


def dither(n: int, seed: int) -> np.ndarray:
    """The dither ``u_i`` of pixels ``0 .. n-1`` (float64 in [0, 1))."""
    out = np.empty(n, dtype=np.float64)
    _dither(n, np.uint64(seed), out)
    return out


def quantise(frame: np.ndarray, mean: np.ndarray, sigma: np.ndarray, q: float, seed: int) -> np.ndarray:
    """int32 codes, shape of ``frame`` (uint16), ``mean``/``sigma`` float32 of the same shape."""
    codes = np.empty(frame.shape, dtype=np.int32)
    _quantise(frame, mean, sigma, float(q), np.uint64(seed), codes)
    return codes


def dequantise(codes: np.ndarray, mean: np.ndarray, sigma: np.ndarray, q: float, seed: int) -> np.ndarray:
    """float32 reconstruction of :func:`quantise`'s codes."""
    out = np.empty(codes.shape, dtype=np.float32)
    _dequantise(codes, mean, sigma, float(q), np.uint64(seed), out)
    return out


def dither_reference(n: int, seed: int) -> np.ndarray:
    """numpy twin of :func:`dither`."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) * _UNIT


def _steps(sigma: np.ndarray, q: float) -> np.ndarray:
    return np.maximum(sigma.astype(np.float64), SIGMA_FLOOR) / q


def quantise_reference(frame, mean, sigma, q, seed) -> np.ndarray:
    """numpy twin of :func:`quantise`."""
    u = dither_reference(frame.size, seed).reshape(frame.shape)
    scaled = (frame.astype(np.float64) - mean.astype(np.float64)) / _steps(sigma, q)
    return np.floor(scaled + u).astype(np.int32)


def dequantise_reference(codes, mean, sigma, q, seed) -> np.ndarray:
    """numpy twin of :func:`dequantise`."""
    u = dither_reference(codes.size, seed).reshape(codes.shape)
    return ((codes - u + 0.5) * _steps(sigma, q) + mean.astype(np.float64)).astype(np.float32)
