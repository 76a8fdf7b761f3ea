"""Residuals against a base map, coded as one byte per PAIR of pixels (numba kernels).

A pixel's residual ``d = frame - base`` is zigzagged (``z = 2|d|``, minus one if
negative) and clipped at ``alphabet - 1``. Two consecutive pixels (raster order)
form one symbol ``z0 * alphabet + z1`` (at most 14 * 14 = 196 < 256 values). Coding
pairs halves the per-pixel redundancy of the Huffman coder behind (zstd literals),
which on a 3-bit-per-pixel noise residual is a few % of the size.

A clipped pixel continues in the *overflow* stream: ``z - (alphabet - 1)`` as one
byte, 255 meaning "the raw uint16 value follows in the *escape* stream". Both
streams are in raster order. All loops are ``nogil``; the plain-numpy twins are in
:mod:`compression.pair_reference` and the tests compare the two.
"""

from typing import NamedTuple

import numba
import numpy as np

from .errors import CodecError

__all__ = ["PairStreams", "DEFAULT_ALPHABET", "encode_pairs", "decode_pairs", "check_alphabet",
           "check_base"]

DEFAULT_ALPHABET = 14
_ESCAPE = 255
_LSB = np.uint64(0x0101010101010101)
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_BYTE_INDEX = np.uint64(0x0001020304050607)


class PairStreams(NamedTuple):
    """The three byte streams of one coded frame."""

    symbols: np.ndarray   # uint8, (ceil(n / 2),)
    overflow: np.ndarray  # uint8, (n_clipped,)
    escapes: np.ndarray   # uint16, (n_escaped,)


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


def encode_pairs(frame: np.ndarray, base: np.ndarray, alphabet: int = DEFAULT_ALPHABET) -> PairStreams:
    """Pair symbols, overflow and escapes of ``frame - base``.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols), C-contiguous
    base : ndarray of uint16, shape (rows, cols) or (1, cols)
    alphabet : int in [2, 16]

    Returns
    -------
    PairStreams
    """
    alphabet = check_alphabet(alphabet)
    base = check_base(base, frame.shape)
    n = frame.size
    clipped = np.zeros(_padded(n), dtype=np.uint8)
    _clip_zigzag(frame, base, alphabet - 1, clipped)
    symbols = np.empty((n + 1) // 2, dtype=np.uint8)
    _pair_up(clipped, alphabet, symbols)
    hits = _clipped_positions(clipped, alphabet - 1, n)
    overflow = np.empty(hits.size, dtype=np.uint8)
    escapes = np.empty(hits.size, dtype=np.uint16)
    n_esc = _gather_overflow(frame, base, hits, alphabet - 1, overflow, escapes)
    return PairStreams(symbols, overflow, escapes[:n_esc].copy())


def decode_pairs(streams: PairStreams, base: np.ndarray, shape: tuple,
                 alphabet: int = DEFAULT_ALPHABET) -> np.ndarray:
    """Inverse of :func:`encode_pairs`; inconsistent streams raise :class:`CodecError`."""
    alphabet = check_alphabet(alphabet)
    base = check_base(base, shape)
    n = shape[0] * shape[1]
    if streams.symbols.size != (n + 1) // 2:
        raise CodecError(f"symbols stream has {streams.symbols.size} pairs, a {shape} frame needs "
                         f"{(n + 1) // 2}")
    clipped = np.zeros(_padded(n), dtype=np.uint8)
    if _unpair(streams.symbols, alphabet, clipped):
        raise CodecError(f"symbols stream holds a value >= {alphabet * alphabet} (alphabet {alphabet})")
    frame = np.empty(shape, dtype=np.uint16)
    _unzigzag(clipped, base, frame)
    hits = _clipped_positions(clipped, alphabet - 1, n)
    if hits.size != streams.overflow.size or _apply_overflow(
            hits, alphabet - 1, streams.overflow, streams.escapes, base, frame):
        raise CodecError(f"overflow/escape streams ({streams.overflow.size}/{streams.escapes.size} "
                         f"entries) do not match the clipped pixels of the symbols (code {status})")
    return frame


def _clipped_positions(clipped: np.ndarray, limit: int, n: int) -> np.ndarray:
    hits = np.empty(max(n // 16, 64), dtype=np.int64)
    count = _find_clipped(clipped, limit, n, hits)
    if count > hits.size:  # more than 1 pixel in 16 clipped: count again into a full buffer
        hits = np.empty(count, dtype=np.int64)
        _find_clipped(clipped, limit, n, hits)
    return hits[:count]


def _padded(n: int) -> int:
    """Length of the clipped-value buffer: even (pairs) and a multiple of 8 (word scans)."""
    return (n + 7) // 8 * 8


@numba.njit(cache=True, nogil=True)
def _clip_zigzag(frame, base, limit, clipped):
    rows, cols = frame.shape
    for r in range(rows):
        _clip_zigzag_row(frame[r], base[r if base.shape[0] == rows else 0], np.int32(limit),
                         clipped[r * cols:(r + 1) * cols])


@numba.njit(cache=True, nogil=True, inline="always")
def _clip_zigzag_row(x, b, limit, out):
    for c in range(x.size):
        d = np.int32(x[c]) - np.int32(b[c])
        z = (d << np.int32(1)) ^ (d >> np.int32(31))
        out[c] = np.uint8(min(z, limit))


@numba.njit(cache=True, nogil=True)
def _pair_up(clipped, alphabet, symbols):
    for i in range(symbols.size):
        symbols[i] = clipped[2 * i] * alphabet + clipped[2 * i + 1]


@numba.njit(cache=True, nogil=True)
def _find_clipped(clipped, limit, n, hits):
    """Count indices i < n with ``clipped[i] == limit``; store as many as ``hits`` holds.

    8 bytes per step: ``word ^ limit`` has a zero byte exactly where a pixel is
    clipped; the exact zero-byte flags are walked lowest first.
    """
    words = clipped.view(np.uint64)
    pattern = _LSB * np.uint64(limit)
    count = 0
    for w in range(words.size):
        v = words[w] ^ pattern
        flags = ~(((v & _LOW7) + _LOW7) | v | _LOW7)
        while flags != 0:
            lowest = flags & (~flags + np.uint64(1))
            i = 8 * w + np.int64(((lowest >> np.uint64(7)) * _BYTE_INDEX) >> np.uint64(56))
            if i < n:
                if count < hits.size:
                    hits[count] = i
                count += 1
            flags ^= lowest
    return count


@numba.njit(cache=True, nogil=True)
def _gather_overflow(frame, base, hits, limit, overflow, escapes):
    cols = frame.shape[1]
    full = base.shape[0] > 1
    n_esc = 0
    r = 0
    row_end = cols
    for k in range(hits.size):
        i = hits[k]
        while i >= row_end:
            r += 1
            row_end += cols
        c = i - (row_end - cols)
        d = np.int32(frame[r, c]) - np.int32(base[r if full else 0, c])
        rest = ((d << 1) ^ (d >> 31)) - limit
        if rest < _ESCAPE:
            overflow[k] = rest
        else:
            overflow[k] = _ESCAPE
            escapes[n_esc] = frame[r, c]
            n_esc += 1
    return n_esc


@numba.njit(cache=True, nogil=True)
def _unpair(symbols, alphabet, clipped):
    """Split symbols into the clipped values, two per little-endian uint16 store."""
    words = clipped.view(np.uint16)
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


@numba.njit(cache=True, nogil=True)
def _unzigzag(clipped, base, frame):
    rows, cols = frame.shape
    for r in range(rows):
        _unzigzag_row(clipped[r * cols:(r + 1) * cols], base[r if base.shape[0] == rows else 0],
                      frame[r])


@numba.njit(cache=True, nogil=True, inline="always")
def _unzigzag_row(z8, b, x):
    for c in range(x.size):
        z = np.int32(z8[c])
        x[c] = np.uint16((np.int32(b[c]) + ((z >> np.int32(1)) ^ -(z & np.int32(1)))) & np.int32(0xFFFF))


@numba.njit(cache=True, nogil=True)
def _apply_overflow(hits, limit, overflow, escapes, base, frame):
    cols = frame.shape[1]
    full = base.shape[0] > 1
    n_esc = 0
    r = 0
    row_end = cols
    for k in range(hits.size):
        i = hits[k]
        while i >= row_end:
            r += 1
            row_end += cols
        c = i - (row_end - cols)
        rest = np.int32(overflow[k])
        if rest == _ESCAPE:
            if n_esc >= escapes.size:
                return 1
            frame[r, c] = escapes[n_esc]
            n_esc += 1
        else:
            z = rest + limit
            b = np.int32(base[r if full else 0, c])
            frame[r, c] = np.uint16((b + ((z >> 1) ^ -(z & 1))) & 0xFFFF)
    return 0 if n_esc == escapes.size else 2
