"""Lossless frame codec that knows the pedestal: residuals to the rounded pedestal mean.

A camera pixel is its pedestal plus read noise of a few ADU, so ``frame -
round(mean)`` is a 3-bit-per-pixel stream of small integers. It is pair-coded
(:mod:`compression.pair_kernels`) and entropy-coded by zstd (Huffman literals).
The blob names the pedestal by its fingerprint; decoding needs the same pedestal.
With ``noisy_factor`` set, the pedestal's noisy pixels are coded coarse
(:mod:`compression.noisy_shift`), their low bits in a last section; with ``mirror``,
pixels whose mean lies above its rounded value code the negated residual
(:func:`compression.pedestal_prep.mirrored_base`). With ``dark_offsets``, a frame whose
dark level moved since the pedestal run is coded with its ``dark_offset``: every pixel
predicted that many ADU off its pedestal (:mod:`compression.residual_survey`). The
offset is the frame's, so it rides in the blob's header, as ``noisy_sigma`` does.
"""

import numpy as np

from .codec_base import (FrameCodec, check_bool, check_frame, check_int, decode_checked_pairs, frame_header,
                         overflow_sections, pair_sections, read_overflow_sections, read_pair_sections,
                         transient_pairs)
from .container import pack_blob
from .residual_survey import check_dark_offset, dark_offset_field, read_dark_offset
from .zstd_sections import compress_section, decompress_section
from .errors import CodecError
from .noisy_shift import check_reference_sigma, noisy_pixels, reference_sigma
from .pair_kernels import DEFAULT_ALPHABET, PairStreams, check_alphabet
from .pedestal_prep import check_pedestal_matches, mirrored_base, prepare_pedestal, shifted_base
from .sigma_classes import (MAX_CLASSES, cached_class_edges, check_edges, gather_by_class, pair_class_map,
                            scatter_by_class)

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
    classes : int in [1, 4]
        Noise classes per pixel (:mod:`compression.sigma_classes`): 1 codes all pairs
        with one table (fastest); K > 1 reorders the pair symbols into K * K classes by
        the pedestal's sigma, each with its own tables (worth it for a broad sigma map).
    noisy_factor : float, 0 or in [1.5, 1000]
        0 (the default, format 1's only mode) codes every pixel alike. Otherwise pixels
        whose sigma exceeds ``noisy_factor`` times the median sigma are coded coarse,
        their low bits apart (:mod:`compression.noisy_shift`); ``encode_frame`` uses 2.
        (Below ~1.4 pixels barely noisier than the median would be shifted by a whole
        bit, which costs more than it saves: measured 85.9 % of the limit at 1.0.)
    mirror : bool
        False (the default, format 1's only mode) predicts every pixel by its rounded
        mean. True negates the residual of the pixels whose mean lies above its rounded
        value, so that all lean the same way (:func:`~compression.pedestal_prep.mirrored_base`);
        ``encode_frame`` uses it.
    dark_offsets : bool
        False (the default, format 1's first mode) predicts each pixel by its rounded mean.
        True lets ``encode`` take the frame's ``dark_offset`` (``encode_frame`` measures
        it), written in the header and honoured by ``decode``.
    """

    codec_id = "cygno_pedestal_pairs"
    defaults = {"level": 1, "alphabet": DEFAULT_ALPHABET, "classes": 1, "noisy_factor": 0.0, "mirror": False,
                "dark_offsets": False}

    def _check_params(self) -> None:
        check_int(self.params, "level", 1, 22)
        check_int(self.params, "classes", 1, MAX_CLASSES)
        self.params["alphabet"] = check_alphabet(self.params["alphabet"])
        factor = self.params["noisy_factor"]
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) \
                or not (factor == 0 or 1.5 <= factor <= 1000):
            raise CodecError(f"noisy_factor must be 0 (off) or a number in [1.5, 1000], got {factor!r}")
        self.params["noisy_factor"] = float(factor)
        check_bool(self.params, "mirror")
        check_bool(self.params, "dark_offsets")

    def encode(self, frame: np.ndarray, pedestal=None, dark_offset: int = 0) -> bytes:
        """Blob of a 2-D uint16 ``frame`` coded against ``pedestal`` (required).

        ``dark_offset`` (int in [-256, 256], nonzero only with ``dark_offsets``): predict
        every pixel that many ADU above its pedestal; the header keeps it.
        """
        frame = check_frame(frame)
        dark_offset = check_dark_offset(dark_offset, self.params["dark_offsets"])
        if pedestal is None:
            raise CodecError(f"{self.codec_id} needs a pedestal, got None")
        prepared = prepare_pedestal(pedestal, frame.shape)
        reference = reference_sigma(prepared.id, prepared.sigma) if self.params["noisy_factor"] else None
        if reference is not None and reference <= 0:
            raise CodecError(f"noisy_factor={self.params['noisy_factor']} needs a pedestal whose median "
                             f"sigma is > 0, got {reference}")
        noisy = self._noisy(prepared, reference)
        streams, checksum = transient_pairs(frame, self._base(prepared, dark_offset), self.params["alphabet"],
                                            noisy, self.params["mirror"])
        header = frame_header(self, frame, prepared.id, checksum,
                              **({} if noisy is None else {"noisy_sigma": reference}),
                              **dark_offset_field(dark_offset, self.params["dark_offsets"]))
        fine = [] if noisy is None else [compress_section(streams.fine, self.params["level"])]
        if self.params["classes"] == 1:
            return pack_blob(header, pair_sections(streams, self.params["level"]) + fine)
        edges = cached_class_edges(prepared.id, prepared.sigma, self.params["classes"])
        classes, starts = pair_class_map(prepared.id, prepared.sigma, edges)
        ordered = scatter_by_class(streams.symbols, classes, starts)
        bounds = [*starts, ordered.size]
        sections = [compress_section(ordered[bounds[k]:bounds[k + 1]], self.params["level"])
                    for k in range(len(starts))]
        header["class_edges"] = edges
        return pack_blob(header, sections + overflow_sections(streams, self.params["level"]) + fine)

    def _base(self, prepared, dark_offset: int) -> np.ndarray:
        """The prediction the kernels read: rounded mean (or mirrored base), shifted if asked."""
        mirror = self.params["mirror"]
        if dark_offset:
            return shifted_base(prepared, dark_offset, mirror)
        return mirrored_base(prepared) if mirror else prepared.base

    def _noisy(self, prepared, reference):
        """The pedestal's noisy pixels for the header's ``noisy_sigma`` (None when the mode is off)."""
        factor = self.params["noisy_factor"]
        if factor == 0:
            return None
        return noisy_pixels(prepared.id, prepared.sigma, check_reference_sigma(reference), factor)

    def decode_sections(self, header: dict, sections: list, pedestal=None) -> np.ndarray:
        """Frame from an unpacked blob; the pedestal must be the one the blob names."""
        if header.get("pedestal_id") is None:
            raise CodecError(f"a {self.codec_id} blob must name its pedestal, header has none")
        prepared = check_pedestal_matches(header, pedestal)
        noisy = self._noisy(prepared, header.get("noisy_sigma"))
        extra = 0 if noisy is None else 1
        if self.params["classes"] == 1:
            _check_count(sections, 3 + extra)
            streams = read_pair_sections(header, sections, 0)
        else:
            edges = check_edges(header.get("class_edges"))
            classes, starts = pair_class_map(prepared.id, prepared.sigma, edges)
            _check_count(sections, len(starts) + 2 + extra)
            overflow, escapes = read_overflow_sections(header, sections, len(starts))
            symbols = gather_by_class(_class_streams(header, sections, starts, classes.size), classes,
                                      starts)
            streams = PairStreams(symbols, overflow, escapes)
        if noisy is not None:
            streams = streams._replace(fine=_fine_stream(header, sections, noisy.pixels.size))
        base = self._base(prepared, read_dark_offset(header, self.params["dark_offsets"]))
        return decode_checked_pairs(streams, base, header, self.params["alphabet"], noisy, self.params["mirror"])


def _check_count(sections: list, expected: int) -> None:
    if len(sections) != expected:
        raise CodecError(f"a cygno_pedestal_pairs blob of this config has {expected} sections, "
                         f"got {len(sections)}")


def _fine_stream(header: dict, sections: list, n_noisy: int) -> np.ndarray:
    """The last section: one byte of low bits per noisy pixel."""
    fine = decompress_section(sections[-1], header["sections"][-1][1], n_noisy, "fine")
    return np.frombuffer(fine, np.uint8)


def _class_streams(header: dict, sections: list, starts: np.ndarray, n_pairs: int) -> np.ndarray:
    """The symbols of every class, decompressed and concatenated in class order."""
    sizes = np.diff([*starts, n_pairs])
    parts = [decompress_section(sections[k], header["sections"][k][1], int(size), f"symbols class {k}")
             for k, size in enumerate(sizes)]
    if [len(part) for part in parts] != list(sizes):
        raise CodecError(f"class sections hold {[len(p) for p in parts]} symbols, the pedestal's "
                         f"classes need {list(sizes)}")
    return np.frombuffer(b"".join(parts), np.uint8)
