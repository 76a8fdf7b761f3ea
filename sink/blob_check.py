"""Ingest checks of codec blobs: S3 only ever holds intact blobs that match their envelope.

A raw or zs item's body is a ``compression`` blob whose trailer hashes every byte and whose
header repeats the frame's shape, checksum and pedestal id. Reading that header (one
xxh3 pass, well under a millisecond for a 3 MB blob, no decoding) proves the body is intact
and that it is the frame the envelope describes; a blob failing either check raises
:class:`QuarantineError`, so it is quarantined instead of stored as data.
"""

from . import bridge
from .errors import QuarantineError

__all__ = ["check_frame_blob", "check_sparse_blob"]


def check_frame_blob(header: dict, body: bytes) -> None:
    """The body of a ``raw`` item must be an intact frame blob agreeing with ``header``."""
    info = _read(header, body, "frame")
    _agree(header, "shape", list(info["shape"]), list(header["shape"]))
    _agree(header, "codec", info["codec"], header["codec"])
    _agree(header, "pedestal_id", info.get("pedestal_id"), header.get("pedestal_id"))
    if info.get("checksum_of", "pixels") == "pixels":  # a lossy blob hashes its codes instead
        _agree(header, "checksum", info["checksum"], header["checksum"])


def check_sparse_blob(header: dict, body: bytes) -> None:
    """The body of a ``zs`` item must be an intact sparse blob of the same pedestal."""
    info = _read(header, body, "sparse")
    _agree(header, "pedestal_id", info.get("pedestal_id"), header.get("pedestal_id"))


def _read(header: dict, body: bytes, kind: str) -> dict:
    try:
        info = bridge.read_blob_header(body)
    except ValueError as exc:  # compression.CodecError
        raise QuarantineError(f"{header['key']}: the body is not an intact codec blob: {exc}") from None
    if info.get("kind") != kind:
        raise QuarantineError(f"{header['key']}: the body holds a {info.get('kind')!r} blob, "
                              f"expected {kind!r}")
    return info


def _agree(header: dict, name: str, in_blob, in_header) -> None:
    if in_blob != in_header:
        raise QuarantineError(f"{header['key']}: header field {name!r} is {in_header!r} but the "
                              f"codec blob says {in_blob!r}")
