"""The generic lossless peers the frame codec is compared with (issue 3), single thread.

Imported by the benchmark scripts after the ``compression`` package (this folder holds a
``compression.py`` that would shadow it). Each peer is ``name -> (encode(frame) -> bytes,
decode(bytes) -> frame, lossless)``, the shape of ``benchmarks/compression.py``'s table.
"""

import gzip

import blosc2
import imagecodecs
import numpy as np
import zstandard

__all__ = ["BLOSC2_C1", "blosc2_codec", "generic_peers"]

#: Blosc2 zstd+shuffle at clevel 1, one thread: the peer of the speed targets.
BLOSC2_C1 = "blosc2 zstd+shuffle c1"

_BLOSC = {
    BLOSC2_C1: (blosc2.Codec.ZSTD, 1, blosc2.Filter.SHUFFLE),
    "blosc2 zstd+shuffle c5": (blosc2.Codec.ZSTD, 5, blosc2.Filter.SHUFFLE),
    "blosc2 lz4+bitshuffle c5": (blosc2.Codec.LZ4, 5, blosc2.Filter.BITSHUFFLE),
}


def generic_peers(shape: tuple) -> dict:
    """gzip -6, zstd -1 / -3, Blosc2 (three settings), Rice and JPEG-XL lossless e1.

    Parameters
    ----------
    shape : tuple of int, (rows, cols)
        Shape of the uint16 frames, for the decoders of raw byte streams.
    """
    as_frame = lambda raw: np.frombuffer(raw, np.uint16).reshape(shape)  # noqa: E731
    zstd1, zstd3 = zstandard.ZstdCompressor(level=1), zstandard.ZstdCompressor(level=3)
    unzstd = zstandard.ZstdDecompressor()
    table = {
        "gzip -6": (lambda f: gzip.compress(f.tobytes(), 6), lambda b: as_frame(gzip.decompress(b)), True),
        "zstd -1": (lambda f: zstd1.compress(f.tobytes()), lambda b: as_frame(unzstd.decompress(b)), True),
        "zstd -3": (lambda f: zstd3.compress(f.tobytes()), lambda b: as_frame(unzstd.decompress(b)), True),
    }
    for name in _BLOSC:
        table[name] = (*blosc2_codec(name, shape), True)
    table["rice (imagecodecs rcomp)"] = (imagecodecs.rcomp_encode,
                                         lambda b: imagecodecs.rcomp_decode(b, shape=shape, dtype=np.uint16),
                                         True)
    if imagecodecs.JPEGXL.available:
        table["jpeg-xl lossless e1"] = (
            lambda f: imagecodecs.jpegxl_encode(f, lossless=True, effort=1, numthreads=1),
            lambda b: imagecodecs.jpegxl_decode(b, numthreads=1), True)
    return table


def blosc2_codec(name: str, shape: tuple) -> tuple:
    """``(encode, decode)`` of one Blosc2 peer (``name`` as in the table, e.g. :data:`BLOSC2_C1`)."""
    codec, level, shuffle = _BLOSC[name]
    params = dict(codec=codec, clevel=level, filters=[shuffle], typesize=2, nthreads=1)
    return (lambda f: blosc2.compress2(f, cparams=params),
            lambda b: np.frombuffer(blosc2.decompress2(b, dparams={"nthreads": 1}), np.uint16).reshape(shape))
