"""Bit instructions numba does not expose: count trailing zeros, population count, and
the low bits of 16 pixels as one 16-bit mask.

They are LLVM's ``llvm.cttz`` and ``llvm.ctpop`` intrinsics, emitted through
:func:`numba.extending.intrinsic`: one instruction each on x86-64 with BMI1 and
POPCNT (``tzcnt``, ``popcnt``; every x86-64 CPU of the last decade), a short
sequence elsewhere. They replace a de Bruijn multiply-and-lookup and a
shift-and-add popcount in the walk over clipped pixels
(:mod:`compression.nibble_kernels`), whose every step sits on the critical path.
:func:`low_bit_mask16` is a vector ``trunc`` to ``<16 x i1>`` and a bitcast, which x86
lowers to a byte pack and ``pmovmskb``: the low-bit plane of
:mod:`compression.low_bit_split` in 0.035 ms per 0.5 M-pixel band, against 0.063 ms
through a byte per pixel and a multiply, 0.16-0.23 ms with shifts and ORs.
The plain-Python twins are what the tests compare them against.
"""

import numba
from llvmlite import ir
from numba.extending import intrinsic

__all__ = ["trailing_zeros", "popcount", "low_bit_mask16", "trailing_zeros_reference", "popcount_reference",
           "low_bit_mask16_reference"]


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


@intrinsic
def _xor_low_bits16(typingctx, first, second, i, j):
    if not (_contiguous_uint16(first) and _contiguous_uint16(second)
            and isinstance(i, numba.types.Integer) and isinstance(j, numba.types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        lanes = ir.VectorType(ir.IntType(16), 16)
        vectors = []
        operands = ((signature.args[0], args[0], args[2]), (signature.args[1], args[1], args[3]))
        for array_type, array, index in operands:
            data = context.make_array(array_type)(context, builder, array).data
            pointer = builder.bitcast(builder.gep(data, [index]), lanes.as_pointer())
            vectors.append(builder.load(pointer, align=1))
        bits = builder.trunc(builder.xor(*vectors), ir.VectorType(ir.IntType(1), 16))
        return builder.bitcast(bits, ir.IntType(16))

    return numba.types.uint16(first, second, numba.types.int64, numba.types.int64), codegen


def _contiguous_uint16(array_type) -> bool:
    """A 1-D C-contiguous uint16 array type, writable or not (a frame from a DAQ buffer is not)."""
    return isinstance(array_type, numba.types.Array) and array_type.dtype == numba.types.uint16 \
        and array_type.ndim == 1 and array_type.layout == "C"


@numba.njit(cache=True, nogil=True, inline="always")
def low_bit_mask16(first, second, i, j):
    """Bit k set where ``first[i + k] ^ second[j + k]`` is odd, k in [0, 16) (uint16).

    ``first`` and ``second`` are 1-D uint16 arrays; the 16 elements read from each must
    exist (not checked).
    """
    return _xor_low_bits16(first, second, numba.int64(i), numba.int64(j))


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


def low_bit_mask16_reference(first, second, i: int, j: int) -> int:
    """Python twin of :func:`low_bit_mask16`."""
    return sum(((int(first[i + k]) ^ int(second[j + k])) & 1) << k for k in range(16))
