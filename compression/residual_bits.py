"""What the pair kernels share: zigzag, the escape marker, zero-byte flags, overflow in and out.

Shared by :mod:`compression.pair_kernels` (general alphabet) and
:mod:`compression.nibble_kernels` (its fast path), which must produce identical bytes.
All are inlined into the numba loops that call them.
"""

import numba
import numpy as np

from .low_bit_split import HALF_CENTRE

__all__ = ["ESCAPE", "zigzag", "unzigzag", "residual", "restore", "zero_byte_flags", "append_overflow",
           "apply_overflow", "OVERFLOW_SHORT", "ESCAPES_SHORT"]

#: Overflow byte meaning "the raw uint16 pixel follows in the escape stream".
ESCAPE = 255
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
#: Status of :func:`apply_overflow` when a stream ends before the clipped pixels do.
OVERFLOW_SHORT = 2
ESCAPES_SHORT = 3


@numba.njit(cache=True, nogil=True, inline="always")
def _i32(value):
    """``value`` as int32. numba widens integer arithmetic to 64 bits; truncating every
    step back to 32 lets LLVM vectorise the loops in 32-bit lanes, twice as many per
    register (measured: the nibble pass over a LIME frame 2.8 -> 1.1-1.4 ms)."""
    return np.int32(value)


@numba.njit(cache=True, nogil=True, inline="always")
def zigzag(d):
    """int32 residual -> non-negative code: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ..."""
    return _i32(_i32(d << np.int32(1)) ^ _i32(d >> np.int32(31)))


@numba.njit(cache=True, nogil=True, inline="always")
def unzigzag(z):
    """Inverse of :func:`zigzag` (int32)."""
    return _i32(_i32(z >> np.int32(1)) ^ _i32(-_i32(z & np.int32(1))))


@numba.njit(cache=True, nogil=True, inline="always")
def residual(x, b, mirror):
    """int32 residual of pixel ``x`` to base value ``b`` (int32s; ``mirror`` int32 0 or 1).

    ``mirror`` 0: ``x - b``. ``mirror`` 1: ``b`` is a *mirrored base* (see
    :func:`compression.pedestal_prep.mirrored_base`): ``2 c - s`` for the prediction
    ``c`` and a sign bit ``s``; the residual is ``x - c``, negated where ``s`` is 1.
    Branch-free, so the vectorised loops stay vectorised.
    """
    return _flip(_i32(x - _prediction(b, mirror)), b, mirror)


@numba.njit(cache=True, nogil=True, inline="always")
def restore(d, b, mirror):
    """Inverse of :func:`residual`: the pixel (int32) of residual ``d`` and base value ``b``."""
    return _i32(_prediction(b, mirror) + _flip(d, b, mirror))


@numba.njit(cache=True, nogil=True, inline="always")
def _prediction(b, mirror):
    """The predicted pixel of base value ``b``: ``b``, or ``ceil(b / 2)`` for a mirrored base."""
    return _i32(_i32(b + mirror) >> mirror)


@numba.njit(cache=True, nogil=True, inline="always")
def _flip(value, b, mirror):
    """``value`` negated where the mirrored base value ``b`` is odd (``mirror`` 1), else as is."""
    negate = _i32(-_i32(b & mirror))
    return _i32(_i32(value ^ negate) - negate)


@numba.njit(cache=True, nogil=True, inline="always")
def zero_byte_flags(word):
    """Bit 7 of each byte of the uint64 ``word`` set exactly where that byte is zero.

    Branch-free (no carries cross bytes: the high bit of each byte is masked off
    before the add), so eight bytes are tested with five operations.
    """
    return ~(((word & _LOW7) + _LOW7) | word | _LOW7)


@numba.njit(cache=True, nogil=True)
def append_overflow(frame, base, mirror, halve, limit, pixels, offset, row_first, overflow, escapes,
                    n_over, n_esc, coarse_pixels, coarse):
    """Overflow (and escapes) of the clipped pixels ``offset + pixels[k]``, raster order.

    ``coarse_pixels`` (flat indices into ``frame``, ascending, each also a clipped pixel)
    are noisy pixels coded coarse (:mod:`compression.noisy_shift`): such a pixel
    overflows with its coarse residual ``coarse[c]`` instead of ``frame - base`` and
    escapes as the coarse pixel ``base + coarse[c]``.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols), C-contiguous
    base : ndarray of uint16, shape (rows, cols) or (1, cols), C-contiguous
    mirror : int32
        1 if ``base`` is a mirrored base (:func:`residual`), else 0.
    halve : int32
        1 if the symbols code halved residuals (:mod:`compression.low_bit_split`): the
        overflow continues the halved residual, and an escape stores the half frame's
        value ``HALF_CENTRE + (d >> 1)``. Not with ``mirror`` or coarse pixels.
    limit : int
        ``alphabet - 1``: the clipped value.
    pixels : ndarray of int64
        Ascending pixel indices, relative to ``offset``, all in or after the row that
        starts at flat index ``row_first``.
    overflow, escapes : ndarray of uint8 / uint16
        Appended to at ``n_over`` / ``n_esc``.

    Returns
    -------
    (row_first, n_over, n_esc) : the first flat index of the last pixel's row (tracked for a
    one-row base only; a full base needs no column, and ``row_first`` comes back as given),
    and the new lengths.
    """
    rows, cols = frame.shape
    flat = frame.reshape(-1)
    flat_base = base.reshape(-1)
    one_base_row = base.shape[0] != rows
    c = 0
    for k in range(pixels.size):
        i = offset + pixels[k]
        at = i
        if one_base_row:  # the column: raster order, so no division
            while i >= row_first + cols:
                row_first += cols
            at = i - row_first
        raw = flat[i]
        b = np.int32(flat_base[at])
        d = residual(np.int32(raw), b, mirror)
        if halve:
            d = np.int32(d >> np.int32(1))
            raw = np.uint16(np.int32(d + np.int32(HALF_CENTRE)) & np.int32(0xFFFF))
        if c < coarse_pixels.size and coarse_pixels[c] == i:
            d = coarse[c]
            raw = np.uint16(restore(d, b, mirror))
            c += 1
        rest = zigzag(d) - np.int32(limit)
        overflow[n_over] = min(rest, ESCAPE)
        n_over += 1
        if rest >= ESCAPE:
            escapes[n_esc] = raw
            n_esc += 1
    return row_first, n_over, n_esc


@numba.njit(cache=True, nogil=True)
def apply_overflow(flat, base, origin, mirror, limit, pixels, overflow, escapes, n_over, n_esc):
    """Inverse of :func:`append_overflow`: correct the decoded clipped pixels in place.

    Parameters
    ----------
    flat : ndarray of uint16, shape (n,)
        Pixels decoded as ``restore(unzigzag(limit), base)`` where clipped.
    base : ndarray of uint16, shape (rows, cols) or (1, cols)
        The base of the band ``flat`` belongs to; ``flat[i]`` is its pixel ``origin + i``.
        Only read with ``mirror`` 1 (a mirrored pixel's correction has the other sign).
    origin : int
    mirror : int32
    limit : int
        ``alphabet - 1``.
    pixels : ndarray of int64
        The clipped pixels' indices into ``flat``, ascending.
    overflow, escapes : ndarray of uint8 / uint16
        Read from ``n_over`` / ``n_esc`` on.

    Returns
    -------
    (status, n_over, n_esc) : 0, :data:`OVERFLOW_SHORT` or :data:`ESCAPES_SHORT`, and the
    entries used so far.
    """
    clipped_delta = unzigzag(np.int32(limit))
    base_flat, cols, one_row = base.reshape(-1), base.shape[1], base.shape[0] == 1
    for k in range(pixels.size):
        if n_over >= overflow.size:
            return OVERFLOW_SHORT, n_over, n_esc
        i = pixels[k]
        rest = np.int32(overflow[n_over])
        n_over += 1
        if rest == ESCAPE:
            if n_esc >= escapes.size:
                return ESCAPES_SHORT, n_over, n_esc
            flat[i] = escapes[n_esc]
            n_esc += 1
        else:  # the base need not be looked up again
            delta = unzigzag(rest + np.int32(limit)) - clipped_delta
            if mirror:  # a mirrored pixel (odd base value) moves the other way
                g = origin + i
                delta = _flip(delta, np.int32(base_flat[g % cols if one_row else g]), mirror)
            flat[i] = np.uint16((np.int32(flat[i]) + delta) & np.int32(0xFFFF))
    return 0, n_over, n_esc
