"""Two bit instructions numba does not expose: count trailing zeros and population count.

They are LLVM's ``llvm.cttz`` and ``llvm.ctpop`` intrinsics, emitted through
:func:`numba.extending.intrinsic`: one instruction each on x86-64 with BMI1 and
POPCNT (``tzcnt``, ``popcnt``; every x86-64 CPU of the last decade), a short
sequence elsewhere. They replace a de Bruijn multiply-and-lookup and a
shift-and-add popcount in the walk over clipped pixels
(:mod:`compression.nibble_kernels`), whose every step sits on the critical path.
The plain-Python twins are what the tests compare them against.
"""

import numba
from llvmlite import ir
from numba.extending import intrinsic

__all__ = ["trailing_zeros", "popcount", "trailing_zeros_reference", "popcount_reference"]


@intrinsic
def _cttz64(typingctx, value):
    if value != numba.types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))  # 0 -> 64, not poison

    return numba.types.uint64(numba.types.uint64), codegen


@intrinsic
def _ctpop64(typingctx, value):
    if value != numba.types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return numba.types.uint64(numba.types.uint64), codegen


@numba.njit(cache=True, nogil=True, inline="always")
def trailing_zeros(word):
    """Zero bits below the lowest set bit of the uint64 ``word`` (int64; 64 for 0)."""
    return numba.int64(_cttz64(numba.uint64(word)))


@numba.njit(cache=True, nogil=True, inline="always")
def popcount(word):
    """Set bits of the uint64 ``word`` (int64)."""
    return numba.int64(_ctpop64(numba.uint64(word)))


def trailing_zeros_reference(word: int) -> int:
    """Python twin of :func:`trailing_zeros`."""
    word &= (1 << 64) - 1
    return 64 if word == 0 else (word & -word).bit_length() - 1


def popcount_reference(word: int) -> int:
    """Python twin of :func:`popcount`."""
    return bin(word & ((1 << 64) - 1)).count("1")
