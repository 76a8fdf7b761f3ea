"""Lossless codec for frames full of signal: residual byte planes, zstd behind.

The pair coders (:mod:`compression.codec_pedestal`, :mod:`compression.codec_column`)
are built for noise: a residual beyond +-7 ADU leaves the pair symbol for a slow
per-pixel path. A spark, a large saturated area or random data puts most pixels
there: measured on LIME-sized frames, 17-64 ms per frame against Blosc2's 9.5-17 ms,
and a worse ratio once most pixels overflow (``benchmarks/compression_extremes.py``).
This codec codes the residual to the same base (the pedestal's rounded mean, or the column medians stored in the blob)
as ``zigzag16`` split into a low and a high byte plane (:mod:`compression.plane_kernels`;
a saturated pixel always takes the code 0xFFFF), each compressed by zstd: every pixel
costs the same, whatever its value.
``encode_frame`` chooses it when many residuals would overflow (``PLANES_ABOVE``).
"""

import numpy as np

from .checksum import pixel_checksum
from .codec_base import FrameCodec, check_frame, check_int, frame_header, verify_checksum
from .codec_column import read_column_base
from .column_median import column_base
from .container import pack_blob
from .errors import CodecError
from .pair_kernels import check_base
from .pedestal_prep import check_pedestal_matches, prepare_pedestal
from .plane_kernels import join_planes, split_planes
from .zstd_sections import compress_section, decompress_section

__all__ = ["ResidualPlanesCodec"]


class ResidualPlanesCodec(FrameCodec):
    """Lossless: the residual's low and high byte planes, zstd each.

    Parameters
    ----------
    level : int
        zstd level of the planes.
    row_step : int >= 1
        Rows sampled for the column medians, the base when no pedestal is given (stored in
        the blob, which then stands alone).
    """

    codec_id = "cygno_residual_planes"
    defaults = {"level": 1, "row_step": 16}

    def _check_params(self) -> None:
        check_int(self.params, "level", 1, 22)
        check_int(self.params, "row_step", 1, 1 << 16)

    def encode(self, frame: np.ndarray, pedestal=None, base: np.ndarray | None = None) -> bytes:
        """Blob of a 2-D uint16 ``frame``: against ``pedestal`` if given, else its column medians.

        ``base``, without a pedestal, is the frame's column medians if the caller already has them.
        """
        frame = check_frame(frame)
        sections, pedestal_id = [], None
        if pedestal is not None:
            prepared = prepare_pedestal(pedestal, frame.shape)
            base, pedestal_id = prepared.base, prepared.id
        else:
            row_step = self.params["row_step"]
            base = column_base(frame, row_step) if base is None else check_base(base, frame.shape)
            sections.append(compress_section(base.astype("<u2"), self.params["level"]))
        low, high = split_planes(frame, base)
        sections += [compress_section(plane, self.params["level"]) for plane in (low, high)]
        return pack_blob(frame_header(self, frame, pedestal_id, pixel_checksum(frame)), sections)

    def decode_sections(self, header: dict, sections: list, pedestal=None) -> np.ndarray:
        """Frame from an unpacked blob; a blob naming a pedestal needs that pedestal."""
        rows, cols = header["shape"]
        prepared = check_pedestal_matches(header, pedestal)
        expected = 2 if prepared is not None else 3
        if len(sections) != expected:
            raise CodecError(f"a {self.codec_id} blob {'with' if prepared else 'without'} a pedestal has "
                             f"{expected} sections, got {len(sections)}")
        base = prepared.base if prepared is not None else read_column_base(header, sections[0], cols)
        low, high = (_plane(header, sections, k, rows * cols) for k in range(expected - 2, expected))
        return verify_checksum(header, join_planes(low, high, base, (rows, cols)))


def _plane(header: dict, sections: list, k: int, n_pixels: int) -> np.ndarray:
    name = "low plane" if k == len(sections) - 2 else "high plane"
    raw = decompress_section(sections[k], header["sections"][k][1], n_pixels, name)
    if len(raw) != n_pixels:
        raise CodecError(f"section {name!r} has {len(raw)} bytes, the frame has {n_pixels} pixels")
    return np.frombuffer(raw, np.uint8)
