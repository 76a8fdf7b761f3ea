"""Residuals against a base map, coded as one byte per PAIR of pixels (numba kernels).

A pixel's residual ``d = frame - base`` is zigzagged (``z = 2|d|``, minus one if
negative) and clipped at ``alphabet - 1``. Two consecutive pixels (raster order)
form one symbol ``z0 * alphabet + z1`` (at most 16 * 16 = 256 values). Coding
pairs halves the per-pixel redundancy of the Huffman coder behind (zstd literals),
which on a 3-bit-per-pixel noise residual is a few % of the size.

A clipped pixel continues in the *overflow* stream: ``z - (alphabet - 1)`` as one
byte, 255 meaning "the raw uint16 value follows in the *escape* stream". Both
streams are in raster order. All loops are ``nogil``; the plain-numpy twins are in
:mod:`compression.pair_reference` and the tests compare the two. The default
alphabet on even-length rows takes the fast path of :mod:`compression.nibble_kernels`.
The public coders walk the frame in row bands (:mod:`compression.row_bands`) and can
hand each band to a checksum digest while it is in cache.
"""

from typing import NamedTuple

import numba
import numpy as np

from .errors import CodecError
from .nibble_kernels import decode_nibble_rows, encode_nibble_rows, nibble_path_applies
from .noisy_shift import NoisyPixels, noisy_by_band, shift_clipped, unshift_band
from .residual_bits import (append_overflow, apply_overflow, residual, restore, unzigzag, zero_byte_flags,
                            zigzag)
from .row_bands import band_base, row_bands, symbol_span

__all__ = ["PairStreams", "DEFAULT_ALPHABET", "encode_pairs", "decode_pairs", "check_alphabet",
           "check_base"]

#: 16 fills the byte; 14 codes ~0.3 % smaller on sigma ~2 ADU noise but clips twice as many
#: pixels into the slower overflow path.
DEFAULT_ALPHABET = 16
_LSB = np.uint64(0x0101010101010101)
#: Pixels per chunk: the chunk's clipped values stay in L1 between the passes over them.
_CHUNK = 16384
_BYTE_INDEX = np.uint64(0x0001020304050607)


class PairStreams(NamedTuple):
    """The three byte streams of one coded frame."""

    symbols: np.ndarray   # uint8, (ceil(n / 2),)
    overflow: np.ndarray  # uint8, (n_clipped,)
    escapes: np.ndarray   # uint16, (n_escaped,)
    fine: np.ndarray = np.empty(0, np.uint8)  # uint8, (n_noisy,): see compression.noisy_shift


def check_alphabet(alphabet) -> int:
    """Alphabet per pixel: an int in [2, 16] (so a pair fits one byte)."""
    if isinstance(alphabet, bool) or not isinstance(alphabet, (int, np.integer)) \
            or not 2 <= alphabet <= 16:
        raise CodecError(f"alphabet must be an int in [2, 16], got {alphabet!r}")
    return int(alphabet)


def check_base(base, shape) -> np.ndarray:
    """A uint16 base map of shape ``(rows, cols)`` or ``(1, cols)`` (one row for every row)."""
    base = np.asarray(base)
    if base.dtype != np.uint16 or base.ndim != 2 or base.shape[1] != shape[1] \
            or base.shape[0] not in (1, shape[0]):
        raise CodecError(f"base must be uint16 of shape {tuple(shape)} or (1, {shape[1]}), "
                         f"got {base.dtype} {base.shape}")
    return np.ascontiguousarray(base)


def encode_pairs(frame: np.ndarray, base: np.ndarray, alphabet: int = DEFAULT_ALPHABET,
                 out: np.ndarray | None = None, digest=None,
                 noisy: NoisyPixels | None = None, mirror: bool = False) -> PairStreams:
    """Pair symbols, overflow and escapes of ``frame - base``.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols), C-contiguous
    base : ndarray of uint16, shape (rows, cols) or (1, cols)
    alphabet : int in [2, 16]
    out : ndarray of uint8, shape (ceil(rows * cols / 2),), optional
        Where to write the symbols (returned as ``.symbols``); a new array by default.
    digest : hashlib-style object, optional
        Its ``update`` is called with the frame's rows, band by band in order, each
        right after it is coded (:mod:`compression.row_bands`).
    noisy : NoisyPixels, optional
        Pixels whose residual is coded shifted right (:mod:`compression.noisy_shift`);
        their low bits are returned as ``.fine``.
    mirror : bool
        ``base`` is a mirrored base (:func:`compression.pedestal_prep.mirrored_base`).

    Returns
    -------
    PairStreams
    """
    alphabet = check_alphabet(alphabet)
    base = check_base(base, frame.shape)
    frame = np.ascontiguousarray(frame)
    n = frame.size
    symbols = np.empty((n + 1) // 2, dtype=np.uint8) if out is None else out
    if symbols.dtype != np.uint8 or symbols.shape != ((n + 1) // 2,) or not symbols.flags.c_contiguous:
        raise CodecError(f"out must be a contiguous uint8 array of shape ({(n + 1) // 2},), "
                         f"got {symbols.dtype} {symbols.shape}")
    overflow = np.empty(n, dtype=np.uint8)
    escapes = np.empty(n, dtype=np.uint16)
    nibbles = nibble_path_applies(frame.shape, alphabet)  # the default: ~20 % faster, same bytes
    fine = np.empty(0 if noisy is None else noisy.pixels.size, np.uint8)
    mirror = np.int32(bool(mirror))
    n_over, n_esc = 0, 0
    for (first, end), part in zip(row_bands(frame.shape), noisy_by_band(noisy, frame.shape)):
        band = frame[first:end]
        span = symbol_span(frame.shape[1], first, end)
        kernel_noisy = part.pixels, part.shifts, fine[part.start:part.stop]
        if nibbles:
            used = encode_nibble_rows(band, band_base(base, first, end), mirror, symbols[span],
                                      overflow[n_over:], escapes[n_esc:], *kernel_noisy)
        else:
            used = _encode_chunks(band, band_base(base, first, end), mirror, alphabet, symbols[span],
                                  overflow[n_over:], escapes[n_esc:], *kernel_noisy)
        n_over, n_esc = n_over + used[0], n_esc + used[1]
        if digest is not None:
            digest.update(band)
    return PairStreams(symbols, overflow[:n_over].copy(), escapes[:n_esc].copy(), fine)


def decode_pairs(streams: PairStreams, base: np.ndarray, shape: tuple,
                 alphabet: int = DEFAULT_ALPHABET, digest=None,
                 noisy: NoisyPixels | None = None, mirror: bool = False) -> np.ndarray:
    """Inverse of :func:`encode_pairs`; inconsistent streams raise :class:`CodecError`.

    ``digest``, if given, is updated with the decoded rows, band by band in order.
    ``noisy`` and ``mirror`` must be what the frame was encoded with (``streams.fine``
    holds the noisy pixels' fine bits).
    """
    alphabet = check_alphabet(alphabet)
    base = check_base(base, shape)
    n = shape[0] * shape[1]
    if streams.symbols.size != (n + 1) // 2:
        raise CodecError(f"symbols stream has {streams.symbols.size} pairs, a {shape} frame needs "
                         f"{(n + 1) // 2}")
    if streams.fine.size != (0 if noisy is None else noisy.pixels.size):
        raise CodecError(f"fine stream has {streams.fine.size} entries, the pedestal has "
                         f"{0 if noisy is None else noisy.pixels.size} noisy pixels")
    frame = np.empty(shape, dtype=np.uint16)
    nibbles = nibble_path_applies(shape, alphabet)
    mirror = np.int32(bool(mirror))
    n_over, n_esc = 0, 0
    for (first, end), part in zip(row_bands(shape), noisy_by_band(noisy, shape)):
        symbols, band = streams.symbols[symbol_span(shape[1], first, end)], frame[first:end]
        if nibbles:
            status, used_over, used_esc = decode_nibble_rows(
                symbols, band_base(base, first, end), mirror, streams.overflow[n_over:],
                streams.escapes[n_esc:], band)
        else:
            status, used_over, used_esc = _decode_chunks(
                symbols, band_base(base, first, end), mirror, alphabet, streams.overflow[n_over:],
                streams.escapes[n_esc:], band)
        if status == _BAD_SYMBOL:
            raise CodecError(f"symbols stream holds a value >= {alphabet * alphabet} (alphabet {alphabet})")
        n_over, n_esc = n_over + used_over, n_esc + used_esc
        if status or (end == shape[0] and (n_over, n_esc) != (streams.overflow.size, streams.escapes.size)):
            raise CodecError(f"overflow/escape streams ({streams.overflow.size}/{streams.escapes.size} "
                             f"entries) do not match the clipped pixels of the symbols")
        unshift_band(band, band_base(base, first, end), mirror, part, streams.fine)
        if digest is not None:
            digest.update(frame[first:end])
    return frame


_BAD_SYMBOL = 1


@numba.njit(cache=True, nogil=True)
def _encode_chunks(frame, base, mirror, alphabet, symbols, overflow, escapes, noisy, shifts, fine):
    n = frame.size
    limit = alphabet - 1
    clipped = np.zeros(_CHUNK + 8, dtype=np.uint8)
    hits = np.empty(_CHUNK, dtype=np.int64)
    n_over, n_esc = 0, 0
    row_first = 0  # first flat index of the latest clipped pixel's row
    coarse_pixels, coarse = np.empty(noisy.size, np.int64), np.empty(noisy.size, np.int32)
    for start in range(0, n, _CHUNK):
        end = min(start + _CHUNK, n)
        _clip_span(frame, base, mirror, start, end, limit, clipped)
        n_coarse = 0
        if noisy.size:
            n_coarse = shift_clipped(frame.reshape(-1), base, mirror, clipped, limit, noisy, shifts, fine,
                                     start, end, coarse_pixels, coarse)
        clipped[end - start:] = 0
        _pair_up(clipped, alphabet, symbols[start // 2:(end + 1) // 2])
        n_hits = _find_clipped(clipped, limit, end - start, hits)
        row_first, n_over, n_esc = append_overflow(frame, base, mirror, limit, hits[:n_hits], start, row_first,
                                                   overflow, escapes, n_over, n_esc,
                                                   coarse_pixels[:n_coarse], coarse[:n_coarse])
    return n_over, n_esc


@numba.njit(cache=True, nogil=True)
def _decode_chunks(symbols, base, mirror, alphabet, overflow, escapes, frame):
    """Decode ``frame`` (a band of rows); returns (status, overflow used, escapes used)."""
    n = frame.size
    flat = frame.reshape(-1)
    limit = alphabet - 1
    clipped = np.zeros(_CHUNK + 8, dtype=np.uint8)
    hits = np.empty(_CHUNK, dtype=np.int64)
    n_over, n_esc = 0, 0
    for start in range(0, n, _CHUNK):
        end = min(start + _CHUNK, n)
        if _unpair(symbols[start // 2:(end + 1) // 2], alphabet, clipped):
            return _BAD_SYMBOL, n_over, n_esc
        clipped[end - start:] = 0
        _unzigzag_span(clipped, base, mirror, start, end, frame)
        n_hits = _find_clipped(clipped, limit, end - start, hits)
        status, n_over, n_esc = apply_overflow(flat[start:end], base, start, mirror, limit, hits[:n_hits],
                                               overflow, escapes, n_over, n_esc)
        if status:
            return status, n_over, n_esc
    return 0, n_over, n_esc


@numba.njit(cache=True, nogil=True)
def _clip_span(frame, base, mirror, start, end, limit, clipped):
    """Clipped zigzag residuals of flat pixels [start, end) into ``clipped[0:end-start]``."""
    rows, cols = frame.shape
    r = start // cols
    c = start - r * cols
    pos = start
    while pos < end:
        length = min(end - pos, cols - c)
        x, b = frame[r, c:c + length], base[r if base.shape[0] == rows else 0, c:c + length]
        out = clipped[pos - start:pos - start + length]
        if mirror:  # the mode as a constant, so that LLVM drops its work when off
            _clip_zigzag_run(x, b, np.int32(1), np.int32(limit), out)
        else:
            _clip_zigzag_run(x, b, np.int32(0), np.int32(limit), out)
        pos += length
        r += 1
        c = 0


@numba.njit(cache=True, nogil=True, inline="always")
def _clip_zigzag_run(x, b, mirror, limit, out):
    for k in range(x.size):
        d = residual(np.int32(x[k]), np.int32(b[k]), mirror)
        out[k] = np.uint8(min(zigzag(d), limit))


@numba.njit(cache=True, nogil=True)
def _unzigzag_span(clipped, base, mirror, start, end, frame):
    """Pixels [start, end) of ``frame`` from their clipped values and the base."""
    rows, cols = frame.shape
    r = start // cols
    c = start - r * cols
    pos = start
    while pos < end:
        length = min(end - pos, cols - c)
        z8, b = clipped[pos - start:pos - start + length], base[r if base.shape[0] == rows else 0, c:c + length]
        if mirror:
            _unzigzag_run(z8, b, np.int32(1), frame[r, c:c + length])
        else:
            _unzigzag_run(z8, b, np.int32(0), frame[r, c:c + length])
        pos += length
        r += 1
        c = 0


@numba.njit(cache=True, nogil=True, inline="always")
def _unzigzag_run(z8, b, mirror, x):
    for k in range(x.size):
        x[k] = np.uint16(restore(unzigzag(np.int32(z8[k])), np.int32(b[k]), mirror) & np.int32(0xFFFF))


@numba.njit(cache=True, nogil=True)
def _pair_up(clipped, alphabet, symbols):
    for i in range(symbols.size):
        symbols[i] = clipped[2 * i] * alphabet + clipped[2 * i + 1]


@numba.njit(cache=True, nogil=True)
def _find_clipped(clipped, limit, n, hits):
    """Indices i < n with ``clipped[i] == limit`` into ``hits``; returns their count.

    8 bytes per step: ``word ^ limit`` has a zero byte exactly where a pixel is
    clipped; the exact zero-byte flags are walked lowest first.
    """
    words = clipped.view(np.uint64)
    pattern = _LSB * np.uint64(limit)
    count = 0
    for w in range((n + 7) // 8):
        flags = zero_byte_flags(words[w] ^ pattern)
        while flags != 0:
            lowest = flags & (~flags + np.uint64(1))
            i = 8 * w + np.int64(((lowest >> np.uint64(7)) * _BYTE_INDEX) >> np.uint64(56))
            if i < n:
                hits[count] = i
                count += 1
            flags ^= lowest
    return count


@numba.njit(cache=True, nogil=True)
def _unpair(symbols, alphabet, clipped):
    """Split symbols into the clipped values, two per little-endian uint16 store."""
    words = clipped.view(np.uint16)
    if alphabet == 16:  # the default: nibbles, every byte valid (6x faster than the general loop)
        for i in range(symbols.size):
            s = np.uint16(symbols[i])
            words[i] = (s >> np.uint16(4)) | ((s & np.uint16(15)) << np.uint16(8))
        return np.int32(0)
    a = np.int32(alphabet)
    reciprocal = np.int32((65536 + alphabet - 1) // alphabet)  # s // a == s * r >> 16 for s < 256
    limit = np.int32(alphabet * alphabet)
    bad = np.int32(0)
    for i in range(symbols.size):
        s = np.int32(symbols[i])
        bad |= np.int32(s >= limit)
        high = (s * reciprocal) >> np.int32(16)
        words[i] = np.uint16(high | ((s - high * a) << np.int32(8)))
    return bad
