"""LOSSY frame codec, noise-bounded: each pixel quantised to sigma/q with subtractive dither.

Never a default: it is chosen explicitly (``encode_frame(..., lossy_q=q)``). It
needs a pedestal (mean and sigma). The decoded frame is float32 ADU whose error to
the original is uniform, unbiased and of rms ``sigma / (q * sqrt(12))``: it adds
8.3 % to the noise variance at q = 1, 2.1 % at q = 2, 0.5 % at q = 4. The codes are zigzagged to one byte (255 = an int32 escape follows)
and zstd-coded. The header checksum is of the int32 codes ("checksum_of": "codes").
"""

import numpy as np

from .checksum import pixel_checksum
from .codec_base import FrameCodec, check_frame, check_int, frame_header
from .container import pack_blob
from .dither_kernels import dequantise, quantise
from .errors import CodecError
from .pedestal_prep import check_pedestal_matches, prepare_pedestal
from .zstd_sections import compress_section, decompress_section

__all__ = ["DitherQuantizeCodec"]

_ESCAPE = 255


class DitherQuantizeCodec(FrameCodec):
    """Lossy: quantise ``(x - mean)`` to steps of ``sigma / q`` with subtractive dither.

    Parameters
    ----------
    q : float in [0.25, 64]
        Steps per sigma: the added noise is ``sigma * sqrt(1 / (12 q^2))``.
    seed : int in [0, 2**63)
        Seed of the dither (the decoder regenerates the same dither).
    level : int
        zstd level.
    """

    codec_id = "cygno_dither_quantize"
    defaults = {"q": 4.0, "seed": 0, "level": 1}

    def _check_params(self) -> None:
        q = self.params["q"]
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0.25 <= q <= 64:
            raise CodecError(f"codec parameter q must be a number in [0.25, 64], got {q!r}")
        self.params["q"] = float(q)
        check_int(self.params, "seed", 0, (1 << 63) - 1)
        check_int(self.params, "level", 1, 22)

    def encode(self, frame: np.ndarray, pedestal=None) -> bytes:
        """Blob of the quantised ``frame``; ``pedestal`` (mean and sigma) is required."""
        frame = check_frame(frame)
        if pedestal is None:
            raise CodecError(f"{self.codec_id} (lossy) needs a pedestal for its sigma, got None")
        prepared = prepare_pedestal(pedestal, frame.shape)
        codes = quantise(frame, prepared.mean, prepared.sigma, self.params["q"], self.params["seed"])
        zigzag = ((codes.astype(np.int64) << 1) ^ (codes.astype(np.int64) >> 63)).ravel()
        escapes = zigzag[zigzag >= _ESCAPE].astype("<u4")
        header = frame_header(self, frame, prepared.id, checksum_of="codes")
        header.update(dtype="float32", checksum=pixel_checksum(codes))
        sections = [compress_section(np.minimum(zigzag, _ESCAPE).astype(np.uint8), self.params["level"]),
                    compress_section(escapes, self.params["level"])]
        return pack_blob(header, sections)

    def decode_sections(self, header: dict, sections: list, pedestal=None) -> np.ndarray:
        """float32 reconstruction; the pedestal must be the one the blob names."""
        prepared = check_pedestal_matches(header, pedestal)
        if prepared is None or len(sections) != 2:
            raise CodecError(f"a {self.codec_id} blob has 2 sections and a pedestal id, got "
                             f"{len(sections)} sections, pedestal_id {header.get('pedestal_id')!r}")
        codes = self._codes(header, sections)
        if pixel_checksum(codes) != header["checksum"]:
            raise CodecError(f"decoded codes have checksum {pixel_checksum(codes)}, blob header says "
                             f"{header['checksum']}")
        return dequantise(codes, prepared.mean, prepared.sigma, self.params["q"], self.params["seed"])

    def _codes(self, header: dict, sections: list) -> np.ndarray:
        shape = header["shape"]
        n = shape[0] * shape[1]
        small = np.frombuffer(decompress_section(sections[0], header["sections"][0][1], n, "codes"),
                              np.uint8)
        if small.size != n:
            raise CodecError(f"section 'codes' has {small.size} bytes, a {shape} frame needs {n}")
        escapes = np.frombuffer(decompress_section(sections[1], header["sections"][1][1], 4 * n,
                                                   "escapes"), np.uint8)
        if escapes.size % 4:
            raise CodecError(f"section 'escapes' has {escapes.size} bytes, not a multiple of 4")
        zigzag = small.astype(np.int64)
        hit = zigzag == _ESCAPE
        if np.count_nonzero(hit) != escapes.size // 4:
            raise CodecError(f"section 'escapes' holds {escapes.size // 4} values, the codes need "
                             f"{np.count_nonzero(hit)}")
        zigzag[hit] = escapes.view("<u4")
        return ((zigzag >> 1) ^ -(zigzag & 1)).astype(np.int32).reshape(shape)
