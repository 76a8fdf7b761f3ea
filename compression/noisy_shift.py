"""Noisy pixels coded coarse: the residual shifted right by k bits, the k low bits apart.

A camera has a few % of noisy pixels (random-telegraph and hot pixels, sigma
several times the median). Sharing one Huffman table with the quiet pixels, they
cost many bits each and widen the table every quiet pixel pays for: with 2-3 %
noisy pixels that mixture costs 2-3 % of the size, and most noisy pixels overflow
the nibble alphabet into the slow path. A pixel whose pedestal sigma exceeds
``factor`` times the reference sigma (the median, written in the blob header) is
*noisy*; its residual ``d`` is coded as ``d >> k`` in the pair stream, where
``2**k`` is its sigma over the reference rounded to a power of two (so the coarse
value has about the quiet pixels' spread), and its ``k`` low bits go to a *fine*
stream of one byte per noisy pixel, raster order.

The pair coders rewrite the noisy pixels' symbols right after coding each part of
a band (:func:`shift_noisy`: a sparse pass, the frame is
never copied), and a clipped coarse residual overflows like any other, the coarse
pixel ``base + (d >> k)`` (a valid uint16 for every frame and base value; mirrored in
the ``mirror`` mode) being its escape. The decoder restores each decoded band (:func:`unshift_band`). Which pixels
are noisy, and their ``k``, follow from the pedestal and the header alone. The
numpy twins are :func:`shift_down_reference` and :func:`shift_up_reference`.

Measured on simulated 2304 x 2304 cameras (``benchmarks/compression.py``): the
default camera (0.5 % noisy pixels) codes ~0.9 % smaller, cameras with 2-3 % noisy
pixels 2.5-3.5 % smaller, and fewer pixels take the slow overflow path.
"""

from typing import NamedTuple

import numba
import numpy as np

from .errors import CodecError
from .pedestal_prep import cached_per_pedestal
from .residual_bits import residual, restore, zigzag
from .residual_reference import residual_reference, restore_reference
from .row_bands import row_bands

__all__ = ["NoisyPixels", "MAX_SHIFT", "reference_sigma", "check_reference_sigma", "noisy_pixels",
           "BandNoisy", "noisy_by_band", "unshift_band", "shift_noisy",
           "shift_down_reference", "shift_up_reference"]

#: Largest shift: the fine bits of a pixel fit one byte.
MAX_SHIFT = 8


class NoisyPixels(NamedTuple):
    """The noisy pixels of a pedestal.

    Attributes
    ----------
    pixels : ndarray of int64, shape (k,)
        Flat (raster) indices, ascending.
    shifts : ndarray of uint8, shape (k,)
        Bits each pixel's residual is shifted by, in [1, MAX_SHIFT].
    """

    pixels: np.ndarray
    shifts: np.ndarray


def reference_sigma(pedestal_id: str, sigma: np.ndarray) -> float:
    """The median of ``sigma`` as a float32 value (cached per pedestal)."""
    return cached_per_pedestal(("median sigma", pedestal_id),
                               lambda: float(np.float32(np.median(sigma))))


def check_reference_sigma(value) -> float:
    """The header's ``noisy_sigma``: a finite number > 0, else CodecError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
            or value <= 0:
        raise CodecError(f"noisy_sigma must be a finite number > 0, got {value!r}")
    return float(value)


def noisy_pixels(pedestal_id: str, sigma: np.ndarray, reference: float, factor: float) -> NoisyPixels:
    """Pixels with sigma > ``factor * reference`` and their shifts (cached per pedestal).

    The shift is the number of ``j`` in 1..MAX_SHIFT with sigma > reference * 2**(j - 0.5)
    (at least 1): comparisons against float32 edges, bit-identical on every machine.
    """
    return cached_per_pedestal(("noisy pixels", pedestal_id, reference, factor),
                               lambda: _noisy_pixels(sigma, reference, factor))


def _noisy_pixels(sigma: np.ndarray, reference: float, factor: float) -> NoisyPixels:
    flat = np.ascontiguousarray(sigma, dtype=np.float32).reshape(-1)
    pixels = np.flatnonzero(flat > np.float32(factor * reference)).astype(np.int64)
    edges = np.array([reference * 2 ** (j - 0.5) for j in range(1, MAX_SHIFT + 1)], np.float32)
    shifts = np.clip(np.searchsorted(edges, flat[pixels], side="left"), 1, MAX_SHIFT).astype(np.uint8)
    return NoisyPixels(pixels, shifts)


class BandNoisy(NamedTuple):
    """The noisy pixels of one row band (:func:`noisy_by_band`)."""

    pixels: np.ndarray     # int64, band-relative flat indices, ascending
    shifts: np.ndarray     # uint8, their shifts
    start: int             # their slice start:stop of the frame's noisy pixels and fine stream
    stop: int


_NO_NOISY = BandNoisy(np.empty(0, np.int64), np.empty(0, np.uint8), 0, 0)


def noisy_by_band(noisy, shape: tuple) -> list:
    """One :class:`BandNoisy` per row band of ``shape`` (:func:`~compression.row_bands.row_bands`).

    ``noisy`` None (no noisy pixels coded apart) gives empty arrays for every band. The
    split is remembered for the ``noisy`` object (one per pedestal, from the cache of
    :func:`noisy_pixels`): it cost 0.135 ms per frame, each way, with 3 % noisy pixels.
    """
    bands = tuple(row_bands(shape))
    if noisy is None:
        return [_NO_NOISY] * len(bands)
    owner, split = cached_per_pedestal(("noisy bands", id(noisy), bands),
                                       lambda: (noisy, _split_by_band(noisy, bands, shape)))
    return split if owner is noisy else _split_by_band(noisy, bands, shape)  # a reused id


def _split_by_band(noisy, bands: tuple, shape: tuple) -> list:
    cols = shape[1]
    offsets = [first * cols for first, _ in bands] + [shape[0] * cols]
    bounds = np.searchsorted(noisy.pixels, offsets).tolist()
    return [BandNoisy(noisy.pixels[start:stop] - offset, noisy.shifts[start:stop], start, stop)
            for offset, start, stop in zip(offsets, bounds, bounds[1:])]


def unshift_band(band: np.ndarray, base: np.ndarray, mirror, part: BandNoisy, fine: np.ndarray) -> None:
    """Restore a decoded band's noisy pixels from their coarse values and ``fine`` bits, in place."""
    if part.stop > part.start and not _shift_up(band.reshape(-1), base, np.int32(mirror), part.pixels,
                                                 part.shifts, fine[part.start:part.stop]):
        raise CodecError(f"fine stream holds a value that does not fit its pixel "
                         f"(noisy pixels {part.start}..{part.stop - 1})")


@numba.njit(cache=True, nogil=True, inline="always")
def _coarse(frame_flat, base_flat, cols, one_row, mirror, pixel, shift, fine, j):
    """Coarse residual ``d >> k`` of a noisy pixel; its low bits go to ``fine[j]``."""
    b = np.int32(base_flat[pixel % np.uint64(cols) if one_row else pixel])
    d = residual(np.int32(frame_flat[pixel]), b, mirror)
    k = np.int32(shift)
    fine[j] = np.uint8(d & ((np.int32(1) << k) - np.int32(1)))
    return d >> k


@numba.njit(cache=True, nogil=True)
def shift_noisy(frame_flat, base, mirror, out, into_nibbles, limit, pixels, shifts, fine, first, end,
                clipped_pixels, clipped_coarse):
    """Rewrite the coded values of the noisy pixels in ``[first, end)`` with their coarse residuals.

    ``into_nibbles``: ``out`` is the nibble coder's symbols (:mod:`compression.nibble_kernels`;
    pixel ``p`` is the high nibble of ``out[p // 2]`` when even, the low one when odd).
    Otherwise ``out`` is the general coder's clipped values, ``out[p - first]``. ``pixels``
    are ascending flat indices into ``frame_flat`` (and ``base``, or its one row). The noisy
    pixels whose coarse residual is clipped at ``limit`` go to ``clipped_pixels`` with that
    residual in ``clipped_coarse`` (for :func:`~compression.residual_bits.append_overflow`);
    returns their count.
    """
    base_flat, cols, one_row = base.reshape(-1), base.shape[1], base.shape[0] == 1
    count = 0
    for j in range(np.searchsorted(pixels, first), np.searchsorted(pixels, end)):
        p = np.uint64(pixels[j])  # unsigned: no negative-index wraparound on the loads
        coarse = _coarse(frame_flat, base_flat, cols, one_row, mirror, p, shifts[j], fine, j)
        z = min(zigzag(coarse), np.int32(limit))
        clipped_pixels[count] = p
        clipped_coarse[count] = coarse
        count += np.int64(z >= limit)
        if into_nibbles:
            q = p >> np.uint64(1)
            s = np.int32(out[q])
            odd = np.int32(p & np.uint64(1))
            keep = np.int32(0x0F) << (np.int32(4) * odd)  # the other pixel's nibble
            out[q] = np.uint8((s & keep) | (z << (np.int32(4) * (np.int32(1) - odd))))
        else:
            out[p - np.uint64(first)] = np.uint8(z)
    return count


@numba.njit(cache=True, nogil=True)
def _shift_up(flat, base, mirror, pixels, shifts, fine):
    """Inverse of the coders' shift, in place; False if a fine value or a pixel is out of range."""
    cols = base.shape[1]
    one_row = base.shape[0] == 1
    base_flat = base.reshape(-1)
    for j in range(pixels.size):
        p = pixels[j]
        b = np.int32(base_flat[p % cols if one_row else p])
        k = np.int32(shifts[j])
        low = np.int32(fine[j])
        x = restore((residual(np.int32(flat[p]), b, mirror) << k) + low, b, mirror)
        if low >> k or x < 0 or x > 65535:
            return False
        flat[p] = np.uint16(x)
    return True


def shift_down_reference(frame, base, pixels, shifts, mirror=False) -> tuple:
    """What the coders code instead of ``frame``: ``(copy with the noisy pixels coarse, fine)``."""
    flat = frame.astype(np.int64).reshape(-1)
    b = np.broadcast_to(base, frame.shape).astype(np.int64).reshape(-1)[pixels]
    d = residual_reference(flat[pixels], b, mirror)
    k = shifts.astype(np.int64)
    flat[pixels] = restore_reference(d >> k, b, mirror)
    return flat.reshape(frame.shape).astype(np.uint16), (d & ((1 << k) - 1)).astype(np.uint8)


def shift_up_reference(band, base, pixels, shifts, fine, mirror=False) -> np.ndarray:
    """numpy twin of the decoder's restoring of noisy pixels (for valid input): a restored copy."""
    flat = band.astype(np.int64).reshape(-1)
    b = np.broadcast_to(base, band.shape).astype(np.int64).reshape(-1)[pixels]
    coarse = residual_reference(flat[pixels], b, mirror)
    flat[pixels] = restore_reference((coarse << shifts.astype(np.int64)) + fine, b, mirror)
    return flat.reshape(band.shape).astype(np.uint16)
