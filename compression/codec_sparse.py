"""Codec of zero-suppressed frames: the kept pixels' coordinates and raw values.

Coordinates become row-major linear indices; their gaps (0 inside a cluster's
row runs) are stored as 4 little-endian byte planes, values as the residual to
the pedestal (or, without one, to the previous kept pixel) modulo 2**16,
zigzagged, as 2 byte planes. zstd finds the long zero runs of the high planes and
the repeats of the gap plane. The header checksum covers indices and values.
"""

from typing import NamedTuple

import numpy as np

from .checksum import pixel_checksum
from .codec_base import FrameCodec, check_int
from .container import check_shape, pack_blob
from .errors import CodecError
from .pedestal_prep import check_pedestal_matches, prepare_pedestal
from .zstd_sections import compress_section, decompress_section

__all__ = ["SparsePixels", "SparsePixelCodec"]


class SparsePixels(NamedTuple):
    """Decoded sparse frame: ``recon.SparseFrame(*pixels)`` rebuilds recon's type."""

    rows: np.ndarray    # int32, (n,), row-major sorted
    cols: np.ndarray    # int32, (n,)
    values: np.ndarray  # uint16, (n,), raw ADU
    shape: tuple        # (rows, cols) of the full frame


class SparsePixelCodec(FrameCodec):
    """Lossless sparse-pixel codec (``level``: zstd level of the sections)."""

    codec_id = "cygno_sparse"
    defaults = {"level": 3}

    def _check_params(self) -> None:
        check_int(self.params, "level", 1, 22)

    def encode(self, sparse, pedestal=None) -> bytes:
        """Blob of any object with ``.rows``, ``.cols``, ``.values`` and ``.shape``."""
        shape, index, values = _checked_pixels(sparse)
        prepared = prepare_pedestal(pedestal, shape) if pedestal is not None else None
        gaps = np.diff(index, prepend=-1) - 1
        residual = (values.astype(np.int64) - _prediction(index, values, prepared)) & 0xFFFF
        signed = residual - ((residual >> 15) << 16)
        zigzag = ((signed << 1) ^ (signed >> 63)).astype("<u2")
        level = self.params["level"]
        header = {"kind": "sparse", "codec": self.get_config(), "shape": list(shape), "dtype": "uint16",
                  "n_pixels": int(index.size), "checksum": _checksum(index, values),
                  "checksum_of": "index_values", "pedestal_id": prepared.id if prepared else None}
        sections = [compress_section(_planes(gaps.astype("<u4")), level),
                    compress_section(_planes(zigzag), level)]
        return pack_blob(header, sections)

    def decode_sections(self, header: dict, sections: list, pedestal=None) -> SparsePixels:
        """SparsePixels from an unpacked blob (the pedestal must be the one it names, if any)."""
        prepared = check_pedestal_matches(header, pedestal)
        shape = header["shape"]
        n_pixels = header.get("n_pixels")
        if isinstance(n_pixels, bool) or not isinstance(n_pixels, int) \
                or not 0 <= n_pixels <= shape[0] * shape[1] or len(sections) != 2:
            raise CodecError(f"sparse blob n_pixels must be an int in [0, {shape[0] * shape[1]}] with 2 "
                             f"sections, got {n_pixels!r} and {len(sections)} sections")
        gaps = _unplanes(sections[0], header["sections"][0][1], n_pixels, 4, "gaps").astype(np.int64)
        index = np.cumsum(gaps + 1) - 1
        if n_pixels and index[-1] >= shape[0] * shape[1]:
            raise CodecError(f"sparse gaps reach pixel {index[-1]}, beyond the {shape} frame")
        zigzag = _unplanes(sections[1], header["sections"][1][1], n_pixels, 2, "values").astype(np.int64)
        values = _rebuild_values(zigzag, index, prepared)
        if _checksum(index, values) != header["checksum"]:
            raise CodecError(f"decoded sparse pixels have checksum {_checksum(index, values)}, "
                             f"blob header says {header['checksum']}")
        rows, cols = np.divmod(index, shape[1])
        return SparsePixels(rows.astype(np.int32), cols.astype(np.int32), values, tuple(shape))


def _checked_pixels(sparse) -> tuple:
    missing = [name for name in ("rows", "cols", "values", "shape") if not hasattr(sparse, name)]
    if missing:
        raise CodecError(f"sparse must have .rows, .cols, .values and .shape, "
                         f"{type(sparse).__name__} lacks {missing}")
    shape = check_shape(tuple(int(n) for n in sparse.shape) if _int_pair(sparse.shape) else sparse.shape)
    rows, cols = (np.asarray(getattr(sparse, name)) for name in ("rows", "cols"))
    values = np.asarray(sparse.values)
    if values.dtype != np.uint16 or rows.dtype.kind not in "iu" or cols.dtype.kind not in "iu" \
            or not rows.ndim == cols.ndim == values.ndim == 1 or not rows.size == cols.size == values.size:
        raise CodecError(f"sparse rows/cols must be 1-D ints and values 1-D uint16 of one length, got "
                         f"{rows.dtype}{rows.shape} {cols.dtype}{cols.shape} {values.dtype}{values.shape}")
    if rows.size and (rows.min() < 0 or rows.max() >= shape[0] or cols.min() < 0 or cols.max() >= shape[1]):
        raise CodecError(f"sparse coordinates must lie in the {shape} frame, got rows "
                         f"[{rows.min()}, {rows.max()}], cols [{cols.min()}, {cols.max()}]")
    index = rows.astype(np.int64) * shape[1] + cols.astype(np.int64)
    if index.size > 1 and np.any(np.diff(index) <= 0):
        at = int(np.flatnonzero(np.diff(index) <= 0)[0])
        raise CodecError(f"sparse pixels must be sorted row-major without repeats, pixel {at + 1} "
                         f"({rows[at + 1]}, {cols[at + 1]}) follows ({rows[at]}, {cols[at]})")
    return shape, index, values


def _int_pair(shape) -> bool:
    try:
        return len(shape) == 2 and all(int(n) == n for n in shape)
    except (TypeError, ValueError):
        return False


def _prediction(index: np.ndarray, values: np.ndarray, prepared) -> np.ndarray:
    if prepared is not None:
        return prepared.base.ravel()[index].astype(np.int64)
    return np.concatenate([[0], values[:-1]]).astype(np.int64)


def _rebuild_values(zigzag: np.ndarray, index: np.ndarray, prepared) -> np.ndarray:
    residual = (zigzag >> 1) ^ -(zigzag & 1)
    if prepared is not None:
        return ((prepared.base.ravel()[index].astype(np.int64) + residual) & 0xFFFF).astype(np.uint16)
    return (np.cumsum(residual) & 0xFFFF).astype(np.uint16)


def _checksum(index: np.ndarray, values: np.ndarray) -> str:
    return pixel_checksum(np.concatenate([index.astype("<i8").view(np.uint8),
                                          values.astype("<u2").view(np.uint8)]))


def _planes(array: np.ndarray) -> np.ndarray:
    """Bytes of a little-endian array regrouped plane by plane (all low bytes first)."""
    return np.ascontiguousarray(array.view(np.uint8).reshape(-1, array.itemsize).T)


def _unplanes(payload, declared: int, n: int, width: int, what: str) -> np.ndarray:
    raw = np.frombuffer(decompress_section(payload, declared, n * width, what), np.uint8)
    if raw.size != n * width:
        raise CodecError(f"section {what!r} has {raw.size} bytes, {n} pixels need {n * width}")
    dtype = "<u4" if width == 4 else "<u2"
    return np.ascontiguousarray(raw.reshape(width, n).T).view(dtype).ravel()
