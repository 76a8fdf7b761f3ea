"""Plain-numpy twins of :mod:`compression.pair_kernels` (the tests compare the two).

Slow and simple on purpose: each step is one whole-array numpy expression.
"""

import numpy as np

from .errors import CodecError
from .pair_kernels import PairStreams
from .residual_reference import residual_reference, restore_reference

__all__ = ["encode_pairs_reference", "decode_pairs_reference"]

_ESCAPE = 255


def encode_pairs_reference(frame: np.ndarray, base: np.ndarray, alphabet: int,
                           mirror: bool = False) -> PairStreams:
    """Same output as :func:`compression.pair_kernels.encode_pairs`."""
    flat = frame.astype(np.int64).ravel()
    d = residual_reference(frame, base, mirror).ravel()
    z = np.where(d < 0, -2 * d - 1, 2 * d)
    limit = alphabet - 1
    clipped = np.minimum(z, limit)
    if clipped.size % 2:
        clipped = np.append(clipped, 0)
    symbols = (clipped[0::2] * alphabet + clipped[1::2]).astype(np.uint8)
    hit = z >= limit
    rest = z[hit] - limit
    overflow = np.minimum(rest, _ESCAPE).astype(np.uint8)
    escapes = flat[hit][rest >= _ESCAPE].astype(np.uint16)
    return PairStreams(symbols, overflow, escapes)


def decode_pairs_reference(streams: PairStreams, base: np.ndarray, shape: tuple,
                           alphabet: int, mirror: bool = False) -> np.ndarray:
    """Same output as :func:`compression.pair_kernels.decode_pairs`."""
    n = shape[0] * shape[1]
    symbols = streams.symbols.astype(np.int64)
    if symbols.size != (n + 1) // 2 or np.any(symbols >= alphabet * alphabet):
        raise CodecError("symbols stream does not fit the shape/alphabet")
    z = np.empty(2 * symbols.size, dtype=np.int64)
    z[0::2], z[1::2] = np.divmod(symbols, alphabet)
    z = z[:n]
    limit = alphabet - 1
    hit = np.flatnonzero(z == limit)
    overflow = streams.overflow.astype(np.int64)
    if overflow.size != hit.size or np.count_nonzero(overflow == _ESCAPE) != streams.escapes.size:
        raise CodecError("overflow/escape streams do not match the clipped pixels")
    z[hit] += overflow
    full_base = np.broadcast_to(base, shape).astype(np.int64).ravel()
    values = restore_reference(np.where(z % 2 == 1, -(z + 1) // 2, z // 2), full_base, mirror)
    values[hit[overflow == _ESCAPE]] = streams.escapes
    return (values & 0xFFFF).astype(np.uint16).reshape(shape)
