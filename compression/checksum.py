"""Checksums and fingerprints shared by the codec container, the edge and the sink.

One definition only: the manifest, the simulator's truth and the codec container
all call :func:`pixel_checksum`, so a checksum computed anywhere can be compared
with one computed anywhere else.
"""

import hashlib
import sys

import numpy as np
import xxhash

__all__ = ["pixel_checksum", "pixel_digest", "pedestal_fingerprint", "CHECKSUM_ALGORITHM"]

#: Name written next to every checksum so that a reader knows how to recompute it.
CHECKSUM_ALGORITHM = "xxh3_64"


def pixel_checksum(frame: np.ndarray) -> str:
    """Checksum of a frame's raw pixel bytes (C order, little-endian).

    Parameters
    ----------
    frame : ndarray, shape (rows, cols)
        Any numeric array; it is hashed as its little-endian C-order bytes.

    Returns
    -------
    str
        16 hex digits of xxh3_64. Fast (several GB/s), so it can run on every
        frame at camera rate; it detects corruption, it is not a security hash.
    """
    array = np.ascontiguousarray(frame)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    return xxhash.xxh3_64_hexdigest(memoryview(array).cast("B"))


def pixel_digest():
    """A streaming form of :func:`pixel_checksum`, or None on a big-endian host.

    Fed a native uint16 frame's rows in order (``digest.update(rows)``),
    ``digest.hexdigest()`` equals ``pixel_checksum(frame)``; the pair coders use it to
    hash each band of rows while it is in cache (:mod:`compression.row_bands`). On a
    big-endian host native bytes are not the little-endian bytes the checksum is
    defined on, so callers fall back to :func:`pixel_checksum`.
    """
    return xxhash.xxh3_64() if sys.byteorder == "little" else None


def pedestal_fingerprint(mean: np.ndarray, sigma: np.ndarray) -> str:
    """Content hash naming a pedestal: blake2b-128 of its float32 mean and sigma maps.

    Parameters
    ----------
    mean, sigma : ndarray, shape (rows, cols)
        Converted to little-endian float32 C-order before hashing.

    Returns
    -------
    str
        32 hex digits. Equal maps give equal ids on every machine.
    """
    digest = hashlib.blake2b(digest_size=16)
    for plane in (mean, sigma):
        array = np.ascontiguousarray(plane, dtype="<f4")
        digest.update(str(array.shape).encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()
