"""The pair coders' general kernels: any alphabet in [2, 16], any row length.

:mod:`compression.nibble_kernels` is the fast path for the default alphabet on
even-length rows; these kernels code everything else, 16 k pixels at a time: the
clipped zigzag residuals of a chunk go to a byte buffer (``_walk_span``), the noisy
pixels' values are replaced by their coarse ones (:func:`~compression.noisy_shift.shift_noisy`),
pairs of them become symbols, and the clipped pixels (found 8 bytes at a time) continue
in the overflow stream. Decoding mirrors it. The tests compare both directions with
:mod:`compression.pair_reference`.
"""

import numba
import numpy as np

from .bit_ops import trailing_zeros
from .noisy_shift import shift_noisy
from .residual_bits import append_overflow, apply_overflow, residual, restore, unzigzag, zero_byte_flags, zigzag

__all__ = ["encode_chunks", "decode_chunks", "BAD_SYMBOL"]

_LSB = np.uint64(0x0101010101010101)
#: Pixels per chunk: the chunk's clipped values stay in L1 between the passes over them.
_CHUNK = 16384

#: Status of :func:`decode_chunks` for a symbol outside the alphabet.
BAD_SYMBOL = 1


@numba.njit(cache=True, nogil=True)
def encode_chunks(frame, base, mirror, alphabet, symbols, overflow, escapes, noisy, shifts, fine):
    """Like :func:`~compression.nibble_kernels.encode_nibble_rows` for any alphabet and row length.

    Parameters as there, plus ``alphabet`` (int in [2, 16]). Returns (n_overflow, n_escapes).
    """
    n = frame.size
    limit = alphabet - 1
    clipped = np.zeros(_CHUNK + 8, dtype=np.uint8)
    hits = np.empty(_CHUNK, dtype=np.int64)
    n_over, n_esc = 0, 0
    row_first = 0  # first flat index of the latest clipped pixel's row
    coarse_pixels, coarse = np.empty(noisy.size, np.int64), np.empty(noisy.size, np.int32)
    for start in range(0, n, _CHUNK):
        end = min(start + _CHUNK, n)
        _walk_span(frame, base, mirror, start, end, limit, clipped, False)
        n_coarse = 0
        if noisy.size:
            n_coarse = shift_noisy(frame.reshape(-1), base, mirror, clipped, False, limit, noisy, shifts, fine,
                                   start, end, coarse_pixels, coarse)
        clipped[end - start:] = 0
        _pair_up(clipped, alphabet, symbols[start // 2:(end + 1) // 2])
        n_hits = _find_clipped(clipped, limit, end - start, hits)
        row_first, n_over, n_esc = append_overflow(frame, base, mirror, np.int32(0), limit, hits[:n_hits], start,
                                                   row_first, overflow, escapes, n_over, n_esc,
                                                   coarse_pixels[:n_coarse], coarse[:n_coarse])
    return n_over, n_esc


@numba.njit(cache=True, nogil=True)
def decode_chunks(symbols, base, mirror, alphabet, overflow, escapes, frame):
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
            return BAD_SYMBOL, n_over, n_esc
        clipped[end - start:] = 0
        _walk_span(frame, base, mirror, start, end, limit, clipped, True)
        n_hits = _find_clipped(clipped, limit, end - start, hits)
        status, n_over, n_esc = apply_overflow(flat[start:end], base, start, mirror, limit, hits[:n_hits],
                                               overflow, escapes, n_over, n_esc)
        if status:
            return status, n_over, n_esc
    return 0, n_over, n_esc


@numba.njit(cache=True, nogil=True)
def _walk_span(frame, base, mirror, start, end, limit, clipped, decode):
    """Flat pixels [start, end), row piece by row piece: their clipped zigzag residuals into
    ``clipped[0:end-start]`` or (``decode``) their values from those into ``frame``."""
    rows, cols = frame.shape
    r = start // cols
    c = start - r * cols
    pos = start
    while pos < end:
        length = min(end - pos, cols - c)
        x, b = frame[r, c:c + length], base[r if base.shape[0] == rows else 0, c:c + length]
        z8 = clipped[pos - start:pos - start + length]
        # the mode as a constant in each call, so that LLVM drops the mirror's work when off
        if decode and mirror:
            _unzigzag_run(z8, b, np.int32(1), x)
        elif decode:
            _unzigzag_run(z8, b, np.int32(0), x)
        elif mirror:
            _clip_zigzag_run(x, b, np.int32(1), np.int32(limit), z8)
        else:
            _clip_zigzag_run(x, b, np.int32(0), np.int32(limit), z8)
        pos += length
        r += 1
        c = 0


@numba.njit(cache=True, nogil=True, inline="always")
def _clip_zigzag_run(x, b, mirror, limit, out):
    for k in range(x.size):
        d = residual(np.int32(x[k]), np.int32(b[k]), mirror)
        out[k] = np.uint8(min(zigzag(d), limit))


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
            i = 8 * w + (trailing_zeros(flags) >> 3)
            if i < n:
                hits[count] = i
                count += 1
            flags &= flags - np.uint64(1)
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
