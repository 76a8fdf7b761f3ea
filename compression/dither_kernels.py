"""Subtractive-dither quantisation to a fraction of each pixel's noise (numba + numpy twins).

fpack-style: with step ``s_i = max(sigma_i, SIGMA_FLOOR) / q`` and a dither
``u_i`` uniform in [0, 1) drawn from ``(seed, i)``, the code is
``v_i = floor((x_i - mean_i - d) / s_i + u_i)`` and the reconstruction
``(v_i - u_i + 0.5) * s_i + mean_i + d``, where ``d`` is the frame's dark offset (0
unless the dark level moved since the pedestal run, see
:mod:`compression.residual_survey`). The error is uniform on a width ``s_i``,
independent of the signal: zero mean, rms ``sigma_i / (q * sqrt(12))``.

The dither is splitmix64 of the pixel index (24-bit, so exact in float32), the same
in numba and numpy on every machine: the decoder regenerates it from the seed in the
config. It depends only on ``(n, seed)`` and is cached, read-only. All arithmetic is
float32 (IEEE, no fused operations), in the same order in numba and numpy.
"""

import threading
from functools import lru_cache

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
_lock = threading.Lock()


@numba.njit(cache=True, nogil=True)
def _dither(seed, out):
    for i in range(out.size):
        z = seed + np.uint64(i + 1) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
        out[i] = np.float32(np.float64(z >> np.uint64(40)) * _UNIT)


@numba.njit(cache=True, nogil=True)
def _quantise(frame, mean, sigma, q, offset, dither_values, codes, shifted):
    """int32 codes, and the same + 32768 clipped into uint16; returns how many were clipped."""
    n = frame.size
    flat_x, flat_m, flat_s = frame.reshape(n), mean.reshape(n), sigma.reshape(n)
    out, out16 = codes.reshape(n), shifted.reshape(n)
    clipped = 0
    floor, q32, d = np.float32(SIGMA_FLOOR), np.float32(q), np.float32(offset)
    for i in range(n):
        step = max(flat_s[i], floor) / q32
        code = np.int32(np.floor((np.float32(flat_x[i]) - flat_m[i] - d) / step + dither_values[i]))
        out[i] = code
        biased = min(max(code + np.int32(32768), np.int32(0)), np.int32(65535))
        clipped += biased - np.int32(32768) != code
        out16[i] = np.uint16(biased)
    return clipped


@numba.njit(cache=True, nogil=True)
def _dequantise(codes, mean, sigma, q, offset, dither_values, frame):
    n = frame.size
    flat_c, flat_m, flat_s = codes.reshape(n), mean.reshape(n), sigma.reshape(n)
    out = frame.reshape(n)
    floor, q32, half, d = np.float32(SIGMA_FLOOR), np.float32(q), np.float32(0.5), np.float32(offset)
    for i in range(n):
        step = max(flat_s[i], floor) / q32
        out[i] = (np.float32(flat_c[i]) - dither_values[i] + half) * step + flat_m[i] + d


def dither(n: int, seed: int) -> np.ndarray:
    """The dither ``u_i`` of pixels ``0 .. n-1``: float32 in [0, 1), read-only, cached."""
    with _lock:
        return _cached_dither(int(n), int(seed))


@lru_cache(maxsize=2)
def _cached_dither(n: int, seed: int) -> np.ndarray:
    out = np.empty(n, dtype=np.float32)
    _dither(np.uint64(seed), out)
    out.flags.writeable = False
    return out


def quantise(frame: np.ndarray, mean: np.ndarray, sigma: np.ndarray, q: float, seed: int,
             offset: int = 0) -> tuple:
    """Codes of a uint16 ``frame``; ``mean``/``sigma`` float32 of its shape, all C order;
    ``offset`` the frame's dark offset in ADU.

    Returns
    -------
    codes : ndarray of int32, shape of ``frame``
    shifted : ndarray of uint16, shape of ``frame``
        ``codes + 32768`` clipped to [0, 65535].
    n_clipped : int
        Pixels whose code does not fit ``shifted``.
    """
    codes = np.empty(frame.shape, dtype=np.int32)
    shifted = np.empty(frame.shape, dtype=np.uint16)
    n_clipped = _quantise(frame, mean, sigma, float(q), float(offset), dither(frame.size, seed), codes, shifted)
    return codes, shifted, int(n_clipped)


def dequantise(codes: np.ndarray, mean: np.ndarray, sigma: np.ndarray, q: float, seed: int,
               offset: int = 0) -> np.ndarray:
    """float32 reconstruction of :func:`quantise`'s codes."""
    out = np.empty(codes.shape, dtype=np.float32)
    _dequantise(codes, mean, sigma, float(q), float(offset), dither(codes.size, seed), out)
    return out


def dither_reference(n: int, seed: int) -> np.ndarray:
    """numpy twin of :func:`dither`."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(40)).astype(np.float64) * _UNIT).astype(np.float32)


def _steps(sigma: np.ndarray, q: float) -> np.ndarray:
    return np.maximum(sigma.astype(np.float32), np.float32(SIGMA_FLOOR)) / np.float32(q)


def quantise_reference(frame, mean, sigma, q, seed, offset=0) -> np.ndarray:
    """numpy twin of :func:`quantise` (its codes), float32 arithmetic in the same order."""
    u = dither_reference(frame.size, seed).reshape(frame.shape)
    scaled = (frame.astype(np.float32) - mean.astype(np.float32) - np.float32(offset)) / _steps(sigma, q)
    return np.floor(scaled + u).astype(np.int32)


def dequantise_reference(codes, mean, sigma, q, seed, offset=0) -> np.ndarray:
    """numpy twin of :func:`dequantise`."""
    u = dither_reference(codes.size, seed).reshape(codes.shape)
    return (codes.astype(np.float32) - u + np.float32(0.5)) * _steps(sigma, q) + mean.astype(np.float32) \
        + np.float32(offset)
