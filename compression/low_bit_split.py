"""Halved residuals and a plane of their low bits: the column codec's mode for wide noise.

Without a pedestal a pixel's residual to its column level holds the pixel-to-pixel
pedestal spread as well as the read noise. On a noisy camera that is ~3.7 ADU rms, and
6 % of the residuals fall beyond the +-7 ADU a pair symbol holds: each such pixel takes
the pair coders' per-pixel overflow path, which then costs more than all the rest of
the pair coding. Splitting each residual ``d = frame - base`` into ``d >> 1`` (floor
division by 2) and its low bit ``d & 1`` lets the pair coder code the halved residual,
which clips four times fewer pixels, while the low bits, nearly uniform at such noise,
are stored as a raw bit plane (8 pixels per byte). Measured on the simulator's noisy
camera: 0.7 % larger blobs, but ~1.5 ms less pair coding per LIME frame.

The halved residual is handed to the unchanged pair coders as a *half frame*
``h = HALF_CENTRE + (d >> 1)`` (in ``[0, 65535]`` for every uint16 frame and base)
coded against the constant base :data:`HALF_CENTRE`; decoding gives ``h`` back, and
``frame = base + 2 (h - HALF_CENTRE) + low`` (modulo 2**16). The low bits are packed in
raster order, bit ``i % 8`` of byte ``i // 8`` for pixel ``i``, the unused high bits of
the last byte zero. The numba kernels work on one row band at a time (bands start at a
multiple of 8 pixels, :mod:`compression.row_bands`); their numpy twins are
:func:`split_low_bits_reference` and :func:`merge_low_bits_reference`.
"""

import numba
import numpy as np

from .bit_ops import low_bit_mask16

__all__ = ["HALF_CENTRE", "low_bit_bytes", "split_low_bits", "pack_low_bits", "merge_low_bits",
           "split_low_bits_reference", "merge_low_bits_reference"]

#: The half frame's value for a zero halved residual.
HALF_CENTRE = 32768
#: Multiplying a uint64 of eight 0/1 bytes by this puts them, as bits, in the top byte.
_GATHER = np.uint64(0x0102040810204080)
#: One in each byte (multiplying a byte by it copies the byte to all eight), bit m of
#: byte m, and seven low bits in each byte: the unpacking of a byte into eight 0/1 bytes.
_ONES = np.uint64(0x0101010101010101)
_BIT_OF_BYTE = np.uint64(0x8040201008040201)
_SEVEN_BITS = np.uint64(0x7F7F7F7F7F7F7F7F)


def low_bit_bytes(pixels: int) -> int:
    """Bytes of the low-bit plane of ``pixels`` pixels."""
    return (pixels + 7) // 8


@numba.njit(cache=True, nogil=True)
def split_low_bits(band, base, half, low, parity):
    """Half frame and packed low bits of ``band - base``.

    Parameters
    ----------
    band : ndarray of uint16, shape (rows, cols), C-contiguous
    base : ndarray of uint16, shape (rows, cols) or (1, cols), C-contiguous
    half : ndarray of uint16, shape (rows, cols), C-contiguous (written)
        ``HALF_CENTRE + ((band - base) >> 1)``.
    low : ndarray of uint8, shape (ceil(rows * cols / 8),) (written)
        The low bits ``(band - base) & 1``, 8 pixels per byte, raster order.
    parity : ndarray of uint8, shape (>= rows * cols + 8,)
        Scratch.
    """
    rows, cols = band.shape
    one_row = base.shape[0] == 1
    for r in range(rows):  # vectorised: int32 lanes, no branch
        b = base[0] if one_row else base[r]
        x, h = band[r], half[r]
        for c in range(cols):
            d = np.int32(np.int32(x[c]) - np.int32(b[c]))
            h[c] = np.uint16(np.int32(np.int32(d >> np.int32(1)) + np.int32(HALF_CENTRE)))
    pack_low_bits(band, base, low, parity)


@numba.njit(cache=True, nogil=True)
def pack_low_bits(band, base, low, parity):
    """The packed low bits of ``band - base`` alone (arguments as :func:`split_low_bits`).

    The low bit of ``x - b`` is that of ``x ^ b``. With a row length a multiple of 16,
    16 pixels at a time (:func:`~compression.bit_ops.low_bit_mask16`); otherwise one
    byte per pixel in ``parity``, gathered 8 at a time by a multiply.
    """
    rows, cols = band.shape
    one_row = base.shape[0] == 1
    if cols % 16 == 0:
        pixels, base_pixels, masks = band.reshape(-1), base.reshape(-1), low.view(np.uint16)
        for r in range(rows):
            b = 0 if one_row else r * cols
            for k in range(cols // 16):
                masks[r * (cols // 16) + k] = low_bit_mask16(pixels, base_pixels, r * cols + 16 * k, b + 16 * k)
        return
    for r in range(rows):
        b = base[0] if one_row else base[r]
        x, p = band[r], parity[r * cols:(r + 1) * cols]
        for c in range(cols):
            p[c] = np.uint8((x[c] ^ b[c]) & np.uint16(1))
    n = rows * cols
    parity[n:n + 8] = 0
    words = parity[:8 * low.size].view(np.uint64)
    for k in range(low.size):
        low[k] = np.uint8((words[k] * _GATHER) >> np.uint64(56))


@numba.njit(cache=True, nogil=True)
def merge_low_bits(half, base, low, parity):
    """Inverse of :func:`split_low_bits`: overwrite the half frame ``half`` with the frame.

    Parameters
    ----------
    half : ndarray of uint16, shape (rows, cols), C-contiguous (read and written)
    base : ndarray of uint16, shape (rows, cols) or (1, cols), C-contiguous
    low : ndarray of uint8, shape (ceil(rows * cols / 8),)
    parity : ndarray of uint8, shape (>= 8 * ceil(rows * cols / 8),)
        Scratch.
    """
    rows, cols = half.shape
    one_row = base.shape[0] == 1
    words = parity[:8 * low.size].view(np.uint64)
    for k in range(low.size):
        spread = (np.uint64(low[k]) * _ONES) & _BIT_OF_BYTE  # byte m: 0 or 2**m
        words[k] = ((spread + _SEVEN_BITS) >> np.uint64(7)) & _ONES  # byte m: bit m of low[k]
    for r in range(rows):
        b = base[0] if one_row else base[r]
        h, p = half[r], parity[r * cols:(r + 1) * cols]
        for c in range(cols):
            d = np.int32(np.int32(np.int32(h[c]) - np.int32(HALF_CENTRE)) * np.int32(2))
            h[c] = np.uint16(np.int32(np.int32(np.int32(b[c]) + d) + np.int32(p[c])) & np.int32(0xFFFF))


def split_low_bits_reference(frame: np.ndarray, base: np.ndarray) -> tuple:
    """``(half, low)`` of :func:`split_low_bits` for a whole frame, in plain numpy."""
    d = frame.astype(np.int64) - np.broadcast_to(base, frame.shape).astype(np.int64)
    half = (HALF_CENTRE + (d >> 1)).astype(np.uint16)
    return half, np.packbits((d & 1).astype(np.uint8).ravel(), bitorder="little")


def merge_low_bits_reference(half: np.ndarray, base: np.ndarray, low: np.ndarray) -> np.ndarray:
    """The frame of :func:`merge_low_bits` for a whole frame, in plain numpy."""
    bits = np.unpackbits(low, count=half.size, bitorder="little").reshape(half.shape)
    full_base = np.broadcast_to(base, half.shape).astype(np.int64)
    return ((full_base + 2 * (half.astype(np.int64) - HALF_CENTRE) + bits) & 0xFFFF).astype(np.uint16)
