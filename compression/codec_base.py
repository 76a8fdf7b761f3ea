"""What every codec here shares: numcodecs-style config, input checks, blob assembly.

A codec is configured by a small dict (``get_config()``: ``{"id": codec_id, ...}``)
that travels inside every blob it writes, so ``get_codec(header["codec"])`` rebuilds
the exact decoder years later. ``encode`` returns a complete blob (see
:mod:`compression.container`) and ``decode`` takes one.
"""

import threading

import numpy as np

from .checksum import CHECKSUM_ALGORITHM, pixel_checksum, pixel_digest
from .container import MAX_PIXELS, unpack_blob
from .errors import CodecError
from .pair_kernels import PairStreams, decode_pairs, encode_pairs
from .zstd_sections import compress_section, decompress_section

__all__ = ["FrameCodec", "check_frame", "check_bool", "check_int", "frame_header", "verify_checksum",
           "pair_sections", "overflow_sections", "read_pair_sections", "read_overflow_sections",
           "transient_pairs", "decode_checked_pairs"]

#: Per-thread symbols buffer of :func:`transient_pairs`.
_SCRATCH = threading.local()


class FrameCodec:
    """Base of the codecs: parameters, ``get_config``/``from_config``, equality."""

    codec_id = ""
    #: Parameter name -> default value; ``from_config`` accepts exactly these keys.
    defaults = {}

    def __init__(self, **params):
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise CodecError(f"{self.codec_id} has no parameter(s) {unknown}; "
                             f"known: {sorted(self.defaults)}")
        self.params = {**self.defaults, **params}
        self._check_params()

    def _check_params(self) -> None:
        """Validate ``self.params`` (subclasses raise CodecError naming the field)."""

    def get_config(self) -> dict:
        """``{"id": codec_id, **parameters}``: everything needed to rebuild this codec."""
        return {"id": self.codec_id, **self.params}

    @classmethod
    def from_config(cls, config: dict):
        """The codec described by ``config`` (as returned by ``get_config``)."""
        if not isinstance(config, dict) or config.get("id") != cls.codec_id:
            raise CodecError(f"config for {cls.codec_id} must be a dict with id {cls.codec_id!r}, "
                             f"got {config!r}")
        return cls(**{key: value for key, value in config.items() if key != "id"})

    def decode(self, blob, pedestal=None):
        """Decode a blob written by this codec (checks its header names this codec)."""
        header, sections = unpack_blob(blob)
        if header["codec"].get("id") != self.codec_id:
            raise CodecError(f"blob was written by codec {header['codec'].get('id')!r}, "
                             f"not {self.codec_id!r}")
        return self.decode_sections(header, sections, pedestal)

    def decode_sections(self, header: dict, sections: list, pedestal=None):
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other) and self.params == other.params

    def __hash__(self):
        return hash((self.codec_id, tuple(sorted(self.params.items()))))

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{type(self).__name__}({args})"


def check_frame(frame) -> np.ndarray:
    """A 2-D uint16 frame as a C-contiguous native-endian array, or CodecError."""
    if not isinstance(frame, np.ndarray):
        raise CodecError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.dtype.kind != "u" or frame.dtype.itemsize != 2 or frame.ndim != 2:
        raise CodecError(f"frame must be a 2-D uint16 array, got {frame.dtype} with shape {frame.shape}")
    if min(frame.shape) < 1 or frame.size > MAX_PIXELS:
        raise CodecError(f"frame shape must be >= 1 x 1 and at most {MAX_PIXELS} pixels, got {frame.shape}")
    return np.ascontiguousarray(frame, dtype=np.uint16)


def check_bool(params: dict, name: str) -> None:
    """``params[name]`` must be True or False."""
    if not isinstance(params[name], bool):
        raise CodecError(f"{name} must be true or false, got {params[name]!r}")


def check_int(params: dict, name: str, low: int, high: int) -> None:
    """``params[name]`` must be an int in [low, high]."""
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise CodecError(f"codec parameter {name} must be an int in [{low}, {high}], got {value!r}")
    params[name] = int(value)


def frame_header(codec: FrameCodec, frame: np.ndarray, pedestal_id, checksum: str | None = None,
                 **extra) -> dict:
    """Header of a frame blob: codec config, shape, dtype, pixel checksum, pedestal id.

    ``checksum`` is ``pixel_checksum(frame)``, computed here unless the caller has it.
    """
    return {"kind": "frame", "codec": codec.get_config(), "shape": list(frame.shape),
            "dtype": "uint16", "checksum": checksum or pixel_checksum(frame),
            "checksum_algorithm": CHECKSUM_ALGORITHM, "pedestal_id": pedestal_id, **extra}


def verify_checksum(header: dict, array: np.ndarray, found: str | None = None) -> np.ndarray:
    """``array`` if its pixel checksum (``found``, or computed here) is the header's, else CodecError."""
    found = found or pixel_checksum(array)
    if found != header["checksum"]:
        raise CodecError(f"decoded pixels have checksum {found}, blob header says {header['checksum']}")
    return array


def transient_pairs(frame: np.ndarray, base: np.ndarray, alphabet: int, noisy=None,
                    mirror: bool = False, low_bits: np.ndarray | None = None) -> tuple:
    """``(PairStreams, pixel checksum)`` of :func:`~compression.pair_kernels.encode_pairs`.

    The symbols go into this thread's reusable buffer: the streams are valid until this
    thread's next call, so a codec compresses them at once. Reusing the buffer spares
    the ~650 page faults of a fresh 2.6 MB array per LIME frame. The checksum is hashed
    band by band as the frame is coded (:mod:`compression.row_bands`).
    """
    size = (frame.size + 1) // 2
    buffer = getattr(_SCRATCH, "symbols", None)
    if buffer is None or buffer.size < size:
        buffer = _SCRATCH.symbols = np.empty(size, dtype=np.uint8)
    digest = pixel_digest()
    streams = encode_pairs(frame, base, alphabet, out=buffer[:size], digest=digest, noisy=noisy, mirror=mirror,
                           low_bits=low_bits)
    return streams, (digest.hexdigest() if digest else pixel_checksum(frame))


def decode_checked_pairs(streams: PairStreams, base: np.ndarray, header: dict, alphabet: int, noisy=None,
                         mirror: bool = False, low_bits: np.ndarray | None = None) -> np.ndarray:
    """:func:`~compression.pair_kernels.decode_pairs`, its pixels checked against the header's checksum."""
    digest = pixel_digest()
    frame = decode_pairs(streams, base, header["shape"], alphabet, digest=digest, noisy=noisy, mirror=mirror,
                         low_bits=low_bits)
    return verify_checksum(header, frame, digest.hexdigest() if digest else None)


def pair_sections(streams: PairStreams, level: int) -> list:
    """The three stored sections (symbols, overflow, escapes) of a pair-coded frame."""
    return [compress_section(streams.symbols, level), *overflow_sections(streams, level)]


def overflow_sections(streams: PairStreams, level: int) -> list:
    """The overflow and escapes sections alone (the class codec stores its symbols its own way)."""
    return [compress_section(streams.overflow, level), compress_section(streams.escapes.astype("<u2"), level)]


def read_pair_sections(header: dict, sections: list, first: int) -> PairStreams:
    """Decompress ``sections[first:first + 3]`` into PairStreams, sizes checked against the shape."""
    rows, cols = header["shape"]
    n = rows * cols
    if len(sections) < first + 3:
        raise CodecError(f"blob has {len(sections)} sections, pair coding needs {first + 3}")
    symbols = decompress_section(sections[first], header["sections"][first][1], (n + 1) // 2, "symbols")
    if len(symbols) != (n + 1) // 2:
        raise CodecError(f"section 'symbols' has {len(symbols)} bytes, a {rows}x{cols} frame needs "
                         f"{(n + 1) // 2}")
    overflow, escapes = read_overflow_sections(header, sections, first + 1)
    return PairStreams(np.frombuffer(symbols, np.uint8), overflow, escapes)


def read_overflow_sections(header: dict, sections: list, first: int) -> tuple:
    """``(overflow uint8, escapes uint16)`` from ``sections[first:first + 2]``."""
    n = header["shape"][0] * header["shape"][1]
    if len(sections) < first + 2:
        raise CodecError(f"blob has {len(sections)} sections, overflow and escapes need {first + 2}")
    overflow = decompress_section(sections[first], header["sections"][first][1], n, "overflow")
    escapes = decompress_section(sections[first + 1], header["sections"][first + 1][1], 2 * n, "escapes")
    if len(escapes) % 2:
        raise CodecError(f"section 'escapes' has an odd byte count {len(escapes)}")
    return np.frombuffer(overflow, np.uint8), np.frombuffer(escapes, "<u2").astype(np.uint16)
