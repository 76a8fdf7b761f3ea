"""The self-describing blob every codec writes: magic, version, JSON header, sections, trailer.

Layout (all integers little-endian)::

    b"CYGC"            4 bytes  magic
    version            1 byte   FORMAT_VERSION (1)
    header_length      4 bytes  length of the UTF-8 JSON header
    header             JSON     kind, codec config, shape, dtype, checksum, pedestal_id,
                                sections (compressed and decoded size of each)
    sections           bytes    concatenated, sizes listed in the header
    trailer            8 bytes  xxh3_64 of everything before it

The trailer makes any flipped or missing byte a :class:`CodecError` before a
decoder touches the payload; the header's declared sizes are checked against caps
derived from the frame shape, so a forged blob cannot make a decoder allocate more
than :data:`MAX_PIXELS` pixels' worth of memory.
"""

import json
import struct

import xxhash

from .errors import CodecError

__all__ = ["MAGIC", "FORMAT_VERSION", "MAX_PIXELS", "pack_blob", "unpack_blob", "read_header",
           "check_shape"]

MAGIC = b"CYGC"
FORMAT_VERSION = 1
#: Largest frame a blob may declare: 8192 x 8192 pixels (the biggest camera is 4096 x 2304).
MAX_PIXELS = 1 << 26
_MAX_HEADER_BYTES = 1 << 16
_PREFIX = struct.Struct("<4sBI")
_TRAILER = struct.Struct("<Q")
_KINDS = ("frame", "sparse")
_REQUIRED = {"kind": str, "codec": dict, "shape": list, "dtype": str, "checksum": str,
             "sections": list}


def check_shape(shape) -> tuple:
    """Validate a declared ``(rows, cols)``: two ints >= 1 whose product is <= MAX_PIXELS."""
    if not isinstance(shape, (list, tuple)) or len(shape) != 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in shape):
        raise CodecError(f"shape must be two ints (rows, cols), got {shape!r}")
    rows, cols = shape
    if rows < 1 or cols < 1 or rows * cols > MAX_PIXELS:
        raise CodecError(f"shape must be >= 1 x 1 and at most {MAX_PIXELS} pixels, got {shape!r}")
    return rows, cols


def pack_blob(header: dict, sections: list) -> bytes:
    """Assemble a blob from a header (without ``sections``) and the encoded sections.

    ``sections`` is a list of ``(payload_bytes, decoded_size)``; their sizes are
    written into the header so the decoder can check every length before use.
    """
    header = dict(header, sections=[[len(payload), int(size)] for payload, size in sections])
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    parts = [_PREFIX.pack(MAGIC, FORMAT_VERSION, len(text)), text, *(payload for payload, _ in sections)]
    digest = xxhash.xxh3_64()
    for part in parts:
        digest.update(part)
    return b"".join([*parts, _TRAILER.pack(digest.intdigest())])


def read_header(blob) -> dict:
    """The header of a blob, validated, without decoding its pixels.

    Returns
    -------
    dict
        ``format_version``, ``kind`` ("frame" or "sparse"), ``codec`` (config dict),
        ``shape`` (tuple), ``dtype``, ``checksum``, ``pedestal_id`` (str or None),
        ``sections`` (list of ``[stored_bytes, decoded_bytes]``).
    """
    header, _ = _split(blob)
    return header


def unpack_blob(blob) -> tuple:
    """Validated header and the list of section payloads (memoryviews into ``blob``)."""
    header, view = _split(blob)
    sections, offset = [], 0
    for stored, _ in header["sections"]:
        sections.append(view[offset:offset + stored])
        offset += stored
    return header, sections


def _split(blob) -> tuple:
    view = _as_view(blob)
    if len(view) < _PREFIX.size + _TRAILER.size:
        raise CodecError(f"blob too short: {len(view)} bytes, a blob has at least "
                         f"{_PREFIX.size + _TRAILER.size}")
    magic, version, header_length = _PREFIX.unpack_from(view)
    if magic != MAGIC:
        raise CodecError(f"blob magic must be {MAGIC!r}, got {bytes(magic)!r}")
    if version != FORMAT_VERSION:
        raise CodecError(f"blob format version {version} is not supported (this is {FORMAT_VERSION})")
    (trailer,) = _TRAILER.unpack_from(view, len(view) - _TRAILER.size)
    if xxhash.xxh3_64_intdigest(view[:len(view) - _TRAILER.size]) != trailer:
        raise CodecError(f"blob trailer checksum mismatch ({len(view)} bytes): corrupt or truncated")
    if header_length > _MAX_HEADER_BYTES or _PREFIX.size + header_length > len(view) - _TRAILER.size:
        raise CodecError(f"blob header_length {header_length} does not fit the {len(view)}-byte blob")
    header = _parse_header(view[_PREFIX.size:_PREFIX.size + header_length])
    payload = view[_PREFIX.size + header_length:len(view) - _TRAILER.size]
    stored_total = sum(stored for stored, _ in header["sections"])
    if stored_total != len(payload):
        raise CodecError(f"blob sections declare {stored_total} bytes, payload has {len(payload)}")
    return header, payload


def _as_view(blob) -> memoryview:
    try:
        view = memoryview(blob)
    except TypeError:
        raise CodecError(f"blob must be bytes-like, got {type(blob).__name__}") from None
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


def _parse_header(raw) -> dict:
    try:
        header = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CodecError(f"blob header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise CodecError(f"blob header must be a JSON object, got {type(header).__name__}")
    for name, kind in _REQUIRED.items():
        if not isinstance(header.get(name), kind):
            raise CodecError(f"blob header field {name!r} must be {kind.__name__}, "
                             f"got {header.get(name)!r}")
    if header["kind"] not in _KINDS:
        raise CodecError(f"blob header kind must be one of {_KINDS}, got {header['kind']!r}")
    pedestal_id = header.get("pedestal_id")
    if pedestal_id is not None and not isinstance(pedestal_id, str):
        raise CodecError(f"blob header pedestal_id must be a string or null, got {pedestal_id!r}")
    header["shape"] = check_shape(header["shape"])
    _check_sections(header["sections"])
    header["format_version"] = FORMAT_VERSION
    header["pedestal_id"] = pedestal_id
    return header


def _check_sections(sections: list) -> None:
    for entry in sections:
        if (not isinstance(entry, list) or len(entry) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in entry)):
            raise CodecError(f"blob header sections entries must be [stored, decoded] ints >= 0, "
                             f"got {entry!r}")
