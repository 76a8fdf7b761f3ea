"""zstd for one section of a blob: compress, and decompress with every size checked first.

zstd is the entropy back end of every codec here: on byte streams without repeats
its fast strategy spends its time in the Huffman coder of the literals, which is
exactly the per-symbol table the residual streams need. Both directions release
the GIL, so two frames are coded at once on two cores.
"""

import threading

import numpy as np
import zstandard

from .errors import CodecError

__all__ = ["compress_section", "decompress_section"]

#: zstandard (de)compressor objects must not be shared between threads: one set per thread.
_PER_THREAD = threading.local()
#: At level 1 the match finder's hash and chain tables get 2**6 entries (zstd's minimum)
#: instead of 2**14 / 2**16: the residual streams hold almost no matches, and the small
#: tables stay in L1. Measured on LIME frames: 2**10 made the sections ~6 % faster and
#: 0.02 % smaller; 2**6 then made a noisy camera's overflow and fine sections (120 K and
#: 160 K bytes) 0.34 -> 0.22 and 0.22 -> 0.21 ms, ~1 % smaller, the symbols the same.
_LEVEL1_TABLE_LOG = 6


def compress_section(data: np.ndarray, level: int) -> tuple:
    """``(zstd_bytes, decoded_size)`` of a contiguous array's raw bytes.

    Empty input is stored as zero bytes (no zstd frame).
    """
    raw = np.ascontiguousarray(data).reshape(-1).view(np.uint8)
    if raw.size == 0:
        return b"", 0
    return _compressor(level).compress(raw), len(raw)


def decompress_section(payload, declared_size: int, max_size: int, what: str) -> bytes:
    """Decompress a section whose decoded size the header declares.

    Parameters
    ----------
    payload : bytes-like
        The stored section.
    declared_size : int
        Decoded size from the blob header.
    max_size : int
        Largest size this section may have for the blob's shape; a header declaring
        more is refused before anything is allocated.
    what : str
        Section name, used in error messages.
    """
    if declared_size > max_size:
        raise CodecError(f"section {what!r} declares {declared_size} bytes, at most {max_size} allowed")
    if declared_size == 0:
        if len(payload):
            raise CodecError(f"section {what!r} declares 0 bytes but stores {len(payload)}")
        return b""
    try:
        framed = zstandard.frame_content_size(payload)
        if framed != declared_size:
            raise CodecError(f"section {what!r} zstd frame holds {framed} bytes, header declares "
                             f"{declared_size}")
        data = _decompressor().decompress(payload, max_output_size=declared_size)
    except zstandard.ZstdError as exc:
        raise CodecError(f"section {what!r} is not a valid zstd frame: {exc}") from None
    if len(data) != declared_size:
        raise CodecError(f"section {what!r} decoded to {len(data)} bytes, header declares {declared_size}")
    return data


def _compressor(level: int) -> zstandard.ZstdCompressor:
    compressors = _PER_THREAD.__dict__.setdefault("compressors", {})
    if level not in compressors:
        if level == 1:
            params = zstandard.ZstdCompressionParameters.from_level(
                level, hash_log=_LEVEL1_TABLE_LOG, chain_log=_LEVEL1_TABLE_LOG)
            compressors[level] = zstandard.ZstdCompressor(compression_params=params)
        else:
            compressors[level] = zstandard.ZstdCompressor(level=level)
    return compressors[level]


def _decompressor() -> zstandard.ZstdDecompressor:
    if not hasattr(_PER_THREAD, "decompressor"):
        _PER_THREAD.decompressor = zstandard.ZstdDecompressor()
    return _PER_THREAD.decompressor
