"""Byte planes of a frame's residuals, and the share of residuals the pair coders would clip.

For frames full of signal (sparks, large saturated areas, random data) most residuals
overflow the pair coders' 4-bit alphabet and take their slow per-pixel path. The
planes codec (:mod:`compression.codec_planes`) codes such a frame as two byte planes
instead: ``u = zigzag16(frame - base)``, the residual taken modulo 2**16 so that
every uint16 pair maps to one uint16 and back, split into its low and high bytes
(what Blosc2's shuffle does to raw pixels, on residuals). One exchange on top: a
saturated pixel (65535) takes the code 0xFFFF and the pixel that code belonged to
(residual -32768) takes the saturated pixel's code. Otherwise a saturated area's codes
would follow its pedestal (``65535 - base``, ~3 bits a pixel); so they are one constant
that zstd stores as runs. The exchange is its own inverse, for every base value.

:func:`clipped_share` estimates, from every ``row_step``-th row, which coder a frame
wants. The numpy twins are :func:`split_planes_reference`,
:func:`join_planes_reference` and :func:`clipped_share_reference`; the tests compare
each kernel with its twin.
"""

import numba
import numpy as np

from .residual_bits import unzigzag, zigzag

__all__ = ["split_planes", "join_planes", "clipped_share", "split_planes_reference",
           "join_planes_reference", "clipped_share_reference", "NIBBLE_REACH"]

#: Largest |residual| the default pair alphabet holds without overflow (zigzag 14).
NIBBLE_REACH = 7
_SATURATED = 65535


def split_planes(frame: np.ndarray, base: np.ndarray) -> tuple:
    """``(low, high)``: the bytes of ``zigzag16(frame - base)``, raster order.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols), C-contiguous
    base : ndarray of uint16, shape (rows, cols) or (1, cols), C-contiguous

    Returns
    -------
    (ndarray of uint8, ndarray of uint8), each of shape (rows * cols,)
    """
    low = np.empty(frame.size, np.uint8)
    high = np.empty(frame.size, np.uint8)
    _split(frame, base, low, high)
    return low, high


def join_planes(low: np.ndarray, high: np.ndarray, base: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of :func:`split_planes`: the uint16 frame of ``shape``."""
    frame = np.empty(shape, np.uint16)
    _join(low, high, base, frame)
    return frame


def clipped_share(frame: np.ndarray, base: np.ndarray, row_step: int) -> float:
    """Share of pixels in rows ``0, row_step, ...`` whose |frame - base| exceeds :data:`NIBBLE_REACH`."""
    rows = (frame.shape[0] + row_step - 1) // row_step
    return _count_clipped(frame, base, row_step) / (rows * frame.shape[1])


@numba.njit(cache=True, nogil=True, inline="always")
def _zigzag16(x, b):
    """:func:`~compression.residual_bits.zigzag` of the residual ``x - b`` taken as int16
    (modulo 2**16), in int32 lanes."""
    d = np.int32(np.int32(np.int32(x) - np.int32(b)) & np.int32(0xFFFF))
    d = np.int32(d - np.int32(np.int32(d & np.int32(0x8000)) << np.int32(1)))  # as int16
    return np.int32(zigzag(d) & np.int32(0xFFFF))


@numba.njit(cache=True, nogil=True, inline="always")
def _unzigzag16(u, b):
    """Inverse of :func:`_zigzag16`: the pixel (int32) of code ``u`` and base value ``b``."""
    return np.int32(np.int32(np.int32(b) + unzigzag(u)) & np.int32(0xFFFF))


@numba.njit(cache=True, nogil=True, inline="always")
def _exchange(u, b):
    """Code ``u`` with 0xFFFF and the saturated pixel's code for base value ``b`` exchanged."""
    code = _zigzag16(np.int32(_SATURATED), b)
    top = np.int32(0xFFFF)
    # numba widens int32 arithmetic to 64 bits; each step truncated back keeps the loops in
    # 8 lanes (measured on a random LIME frame: the join pass 5.5 ms in 64-bit lanes, 2.6 in 32)
    to_code = np.int32(np.int32(u == top) * np.int32(code - u))
    to_top = np.int32(np.int32(u == code) * np.int32(top - u))
    return np.int32(np.int32(u + to_code) + to_top)


@numba.njit(cache=True, nogil=True, inline="always")
def _row(frame, base, low, high, r):
    """Row ``r`` of the frame, of the base (its one row, or row ``r``) and of both planes.

    Row slices, not flat indices into the planes: with ``low[r * cols + c]`` LLVM did not
    vectorise the loops (11 ms against 1.6 ms per LIME frame)."""
    cols = frame.shape[1]
    span = slice(r * cols, (r + 1) * cols)
    return frame[r], base[0 if base.shape[0] == 1 else r], low[span], high[span]


@numba.njit(cache=True, nogil=True)
def _split(frame, base, low, high):
    for r in range(frame.shape[0]):
        x, b, row_low, row_high = _row(frame, base, low, high, r)
        for c in range(x.size):
            u = _exchange(_zigzag16(x[c], b[c]), b[c])
            row_low[c] = np.uint8(u & np.int32(0xFF))
            row_high[c] = np.uint8(u >> np.int32(8))


@numba.njit(cache=True, nogil=True)
def _join(low, high, base, frame):
    for r in range(frame.shape[0]):
        x, b, row_low, row_high = _row(frame, base, low, high, r)
        for c in range(x.size):
            u = np.int32(np.int32(row_low[c]) | np.int32(np.int32(row_high[c]) << np.int32(8)))
            x[c] = np.uint16(_unzigzag16(_exchange(u, b[c]), b[c]))


@numba.njit(cache=True, nogil=True)
def _count_clipped(frame, base, row_step):
    rows, cols = frame.shape
    one_row = base.shape[0] == 1
    count = 0
    for r in range(0, rows, row_step):
        b = base[0] if one_row else base[r]
        x = frame[r]
        for c in range(cols):
            count += np.int64(abs(np.int32(x[c]) - np.int32(b[c])) > NIBBLE_REACH)
    return count


def split_planes_reference(frame: np.ndarray, base: np.ndarray) -> tuple:
    """numpy twin of :func:`split_planes`."""
    base = np.broadcast_to(base, frame.shape).astype(np.int64)
    u = _exchange_reference(_zigzag16_reference(frame.astype(np.int64), base), base).reshape(-1)
    return (u & 0xFF).astype(np.uint8), (u >> 8).astype(np.uint8)


def join_planes_reference(low, high, base, shape) -> np.ndarray:
    """numpy twin of :func:`join_planes`."""
    base = np.broadcast_to(base, shape).astype(np.int64)
    u = _exchange_reference((low.astype(np.int64) | (high.astype(np.int64) << 8)).reshape(shape), base)
    d = np.where(u & 1, -(u >> 1) - 1, u >> 1)
    return ((base + d) % 65536).astype(np.uint16)


def _zigzag16_reference(x, base):
    d = (x - base) % 65536
    d = np.where(d >= 32768, d - 65536, d)  # the int16 residual
    return np.where(d < 0, -2 * d - 1, 2 * d)


def _exchange_reference(u, base):
    saturated_code = _zigzag16_reference(np.full_like(base, _SATURATED), base)
    return np.where(u == 0xFFFF, saturated_code, np.where(u == saturated_code, 0xFFFF, u))


def clipped_share_reference(frame, base, row_step) -> float:
    """numpy twin of :func:`clipped_share`."""
    sampled = frame[::row_step].astype(np.int64)
    rows_of_base = base[::row_step] if base.shape[0] == frame.shape[0] else base
    return float(np.mean(np.abs(sampled - rows_of_base.astype(np.int64)) > NIBBLE_REACH))
