"""Lossless frame codec that knows the pedestal: residuals to the rounded pedestal mean.

A camera pixel is its pedestal plus read noise of a few ADU, so ``frame -
round(mean)`` is a 3-bit-per-pixel stream of small integers. It is pair-coded
(:mod:`compression.pair_kernels`) and entropy-coded by zstd (Huffman literals).
The blob names the pedestal by its fingerprint; decoding needs the same pedestal.
"""

import numpy as np

from .codec_base import (FrameCodec, check_frame, check_int, frame_header, pair_sections,
                         read_pair_sections, verify_checksum)
from .container import pack_blob
from .errors import CodecError
from .pair_kernels import DEFAULT_ALPHABET, check_alphabet, decode_pairs, encode_pairs
from .pedestal_prep import check_pedestal_matches, prepare_pedestal

__all__ = ["PedestalPairCodec"]


class PedestalPairCodec(FrameCodec):
    """Lossless: pair-coded residuals to the pedestal, zstd behind.

    Parameters
    ----------
    level : int
        zstd level of the sections (1 is the fastest; higher barely helps on noise).
    alphabet : int in [2, 16]
        Zigzagged residuals ``0 .. alphabet-2`` go into the pair symbol; larger ones
        continue in the overflow stream.
    """

    codec_id = "cygno_pedestal_pairs"
    defaults = {"level": 1, "alphabet": DEFAULT_ALPHABET}

    def _check_params(self) -> None:
        check_int(self.params, "level", 1, 22)
        self.params["alphabet"] = check_alphabet(self.params["alphabet"])

    def encode(self, frame: np.ndarray, pedestal=None) -> bytes:
        """Blob of a 2-D uint16 ``frame`` coded against ``pedestal`` (required)."""
        frame = check_frame(frame)
        if pedestal is None:
            raise CodecError(f"{self.codec_id} needs a pedestal, got None")
        prepared = prepare_pedestal(pedestal, frame.shape)
        streams = encode_pairs(frame, prepared.base, self.params["alphabet"])
        header = frame_header(self, frame, prepared.id)
        return pack_blob(header, pair_sections(streams, self.params["level"]))

    def decode_sections(self, header: dict, sections: list, pedestal=None) -> np.ndarray:
        """Frame from an unpacked blob; the pedestal must be the one the blob names."""
        if header.get("pedestal_id") is None or len(sections) != 3:
            raise CodecError(f"a {self.codec_id} blob has 3 sections and a pedestal id, got "
                             f"{len(sections)} sections, pedestal_id {header.get('pedestal_id')!r}")
        prepared = check_pedestal_matches(header, pedestal)
        streams = read_pair_sections(header, sections, 0)
        frame = decode_pairs(streams, prepared.base, header["shape"], self.params["alphabet"])
        return verify_checksum(header, frame)
