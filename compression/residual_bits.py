"""Bit-level helpers of the pair kernels: zigzag, the escape marker, zero-byte flags.

Shared by :mod:`compression.pair_kernels` (general alphabet) and
:mod:`compression.nibble_kernels` (its fast path), which must produce identical bytes.
All are inlined into the numba loops that call them.
"""

import numba
import numpy as np

__all__ = ["ESCAPE", "zigzag", "unzigzag", "zero_byte_flags"]

#: Overflow byte meaning "the raw uint16 pixel follows in the escape stream".
ESCAPE = 255
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)


@numba.njit(cache=True, nogil=True, inline="always")
def zigzag(d):
    """int32 residual -> non-negative code: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ..."""
    return (d << np.int32(1)) ^ (d >> np.int32(31))


@numba.njit(cache=True, nogil=True, inline="always")
def unzigzag(z):
    """Inverse of :func:`zigzag` (int32)."""
    return (z >> np.int32(1)) ^ -(z & np.int32(1))


@numba.njit(cache=True, nogil=True, inline="always")
def zero_byte_flags(word):
    """Bit 7 of each byte of the uint64 ``word`` set exactly where that byte is zero.

    Branch-free (no carries cross bytes: the high bit of each byte is masked off
    before the add), so eight bytes are tested with five operations.
    """
    return ~(((word & _LOW7) + _LOW7) | word | _LOW7)
