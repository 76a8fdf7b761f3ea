"""Lossless frame codec without a pedestal: residuals to each column's median.

Without a pedestal the best cheap prediction of a pixel is the level of its
column: sCMOS columns carry fixed-pattern offsets, pixels are otherwise
independent (a neighbour-difference predictor would double the noise). The
column medians (of every ``row_step``-th row, :mod:`compression.column_median`) are
stored in the blob, so blobs are self-contained; residuals are pair-coded like the
pedestal codec's. With ``low_bit_plane`` the pair coder codes the halved residuals and
their low bits are stored as a raw bit plane (:mod:`compression.low_bit_split`): for
frames whose residuals are too wide for the pair symbols.
"""

import numpy as np

from .codec_base import (FrameCodec, check_bool, check_frame, check_int, decode_checked_pairs, frame_header,
                         pair_sections, read_pair_sections, transient_pairs)
from .column_median import column_base
from .container import pack_blob
from .errors import CodecError
from .low_bit_split import low_bit_bytes
from .pair_kernels import DEFAULT_ALPHABET, check_alphabet
from .zstd_sections import compress_section, decompress_section

__all__ = ["ColumnPairCodec", "column_base", "read_column_base", "read_low_bits"]


class ColumnPairCodec(FrameCodec):
    """Lossless, self-contained: pair-coded residuals to the column medians, zstd behind.

    Parameters
    ----------
    level : int
        zstd level of the sections.
    alphabet : int in [2, 16]
        As in :class:`~compression.codec_pedestal.PedestalPairCodec`.
    row_step : int >= 1
        Rows sampled for the column medians (16: 144 rows of a 2304-row frame).
    low_bit_plane : bool
        Code the halved residuals, their low bits as a fifth section (a raw bit plane).
        Default False, the format before this mode.
    """

    codec_id = "cygno_column_pairs"
    defaults = {"level": 1, "alphabet": DEFAULT_ALPHABET, "row_step": 16, "low_bit_plane": False}

    def _check_params(self) -> None:
        check_int(self.params, "level", 1, 22)
        check_int(self.params, "row_step", 1, 1 << 16)
        check_bool(self.params, "low_bit_plane")
        self.params["alphabet"] = check_alphabet(self.params["alphabet"])

    def encode(self, frame: np.ndarray, pedestal=None, base: np.ndarray | None = None) -> bytes:
        """Blob of a 2-D uint16 ``frame`` (``pedestal`` is ignored: the blob stands alone).

        ``base`` is the frame's column medians (``column_base(frame, row_step)``) if the
        caller already has them.
        """
        frame = check_frame(frame)
        base = column_base(frame, self.params["row_step"]) if base is None else base
        low_bits = np.empty(low_bit_bytes(frame.size), np.uint8) if self.params["low_bit_plane"] else None
        streams, checksum = transient_pairs(frame, base, self.params["alphabet"], low_bits=low_bits)
        sections = [compress_section(base.astype("<u2"), self.params["level"]),
                    *pair_sections(streams, self.params["level"])]
        if low_bits is not None:
            sections.append(compress_section(low_bits, self.params["level"]))
        return pack_blob(frame_header(self, frame, None, checksum), sections)

    def decode_sections(self, header: dict, sections: list, pedestal=None) -> np.ndarray:
        """Frame from an unpacked blob (needs no pedestal)."""
        rows, cols = header["shape"]
        expected = 5 if self.params["low_bit_plane"] else 4
        if len(sections) != expected:
            raise CodecError(f"a {self.codec_id} blob has {expected} sections, got {len(sections)}")
        base = read_column_base(header, sections[0], cols)
        streams = read_pair_sections(header, sections, 1)
        low_bits = read_low_bits(header, sections[4], rows * cols) if self.params["low_bit_plane"] else None
        return decode_checked_pairs(streams, base, header, self.params["alphabet"], low_bits=low_bits)


def read_column_base(header: dict, section, cols: int) -> np.ndarray:
    """The column medians stored in a blob's first section, shape (1, cols)."""
    raw = decompress_section(section, header["sections"][0][1], 2 * cols, "column_base")
    if len(raw) != 2 * cols:
        raise CodecError(f"section 'column_base' has {len(raw)} bytes, {cols} columns need {2 * cols}")
    return np.frombuffer(raw, "<u2").astype(np.uint16).reshape(1, cols)


def read_low_bits(header: dict, section, pixels: int) -> np.ndarray:
    """The low-bit plane stored in a blob's fifth section; its unused last bits must be 0."""
    size = low_bit_bytes(pixels)
    raw = decompress_section(section, header["sections"][4][1], size, "low_bits")
    if len(raw) != size:
        raise CodecError(f"section 'low_bits' has {len(raw)} bytes, {pixels} pixels need {size}")
    low_bits = np.frombuffer(raw, np.uint8)
    if pixels % 8 and low_bits[-1] >> (pixels % 8):
        raise CodecError(f"section 'low_bits' sets bits past the last pixel: last byte {low_bits[-1]:#04x}")
    return low_bits
