"""The sink's checks on a received message, beyond the wire contract's own.

Everything that becomes part of an S3 key or S3 metadata is checked here, before
anything is stored: the detector and the pedestal id are safe key parts, run and frame
numbers are non-negative, the item key is the one :func:`edge.wire.item_key` gives (so
one item can never be stored under two keys), and header and topic agree. A message
failing any check raises :class:`QuarantineError` naming the field and value.
"""

import re

from edge.wire import Envelope, WireError, item_key

from .errors import QuarantineError

__all__ = ["topic_parts", "validate_message"]

_SAFE_PART = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_CHECKSUM = re.compile(r"^[0-9a-f]{16}$")
_DTYPES = {"uint8", "uint16", "uint32", "int16", "int32", "float32"}


def topic_parts(topic: str) -> tuple[str, str]:
    """(detector, kind) levels of a ``cygno/v1/<detector>/<kind>`` topic (unchecked)."""
    parts = topic.split("/")
    return (parts[2], parts[3]) if len(parts) == 4 else ("unknown", "unknown")


def validate_message(topic: str, payload: bytes) -> Envelope:
    """The envelope of ``payload`` received on ``topic``, or QuarantineError saying what is wrong."""
    try:
        envelope = Envelope.from_bytes(payload)
    except WireError as exc:
        raise QuarantineError(str(exc)) from None
    header = envelope.header
    detector, kind = topic_parts(topic)
    _expect(header, "kind", kind, f"the topic {topic!r}")
    _expect(header, "detector", detector, f"the topic {topic!r}")
    _check_safe("detector", detector)
    if kind == "telemetry":
        _check_non_negative(header, "time_ns")
        expected_key = item_key(kind, time_ns=header["time_ns"])
    else:
        _check_non_negative(header, "run")
        if "frame" in header:
            _check_non_negative(header, "frame")
        expected_key = item_key(kind, header["run"], header.get("frame") if kind in
                                ("raw", "zs", "reco", "pedestal") else None)
    _expect(header, "key", expected_key, "edge.wire.item_key")
    _check_kind_fields(kind, header, envelope.body)
    return envelope


def _check_kind_fields(kind: str, header: dict, body: bytes) -> None:
    if header.get("pedestal_id") is not None or kind == "pedestal":
        _check_safe("pedestal_id", header.get("pedestal_id"))
    if kind in ("raw", "zs", "reco", "pedestal") and not body:
        raise QuarantineError(f"{kind} item {header['key']!r} has an empty body")
    if kind == "raw":
        if not _CHECKSUM.match(header["checksum"]):
            raise QuarantineError(f"raw header field 'checksum' is {header['checksum']!r}, "
                                  "expected 16 lowercase hex digits (xxh3_64)")
        exposure = header.get("exposure_s")
        if exposure is not None and (isinstance(exposure, bool) or not isinstance(exposure, (int, float))):
            raise QuarantineError(f"raw header field 'exposure_s' is {exposure!r}, expected a number")
        if header["dtype"] not in _DTYPES:
            raise QuarantineError(f"raw header field 'dtype' is {header['dtype']!r}, "
                                  f"expected one of {sorted(_DTYPES)}")
    if kind == "run_stop" and not isinstance(header.get("reconstruction", True), bool):
        raise QuarantineError(f"run_stop header field 'reconstruction' is "
                              f"{header['reconstruction']!r}, expected true or false")
    if kind in ("raw", "pedestal"):
        shape = header["shape"]
        if len(shape) != 2 or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                                      for n in shape):
            raise QuarantineError(f"{kind} header field 'shape' is {shape!r}, expected [rows, cols] > 0")


def _expect(header: dict, name: str, expected, source: str) -> None:
    if header[name] != expected:
        raise QuarantineError(f"header field {name!r} is {header[name]!r} but {source} says {expected!r}")


def _check_safe(name: str, value) -> None:
    if not isinstance(value, str) or not _SAFE_PART.match(value):
        raise QuarantineError(f"field {name!r} is {value!r}: it becomes part of an S3 key, "
                              "so it must be 1-128 ASCII letters, digits, '-' or '_'")


def _check_non_negative(header: dict, name: str) -> None:
    if header[name] < 0:
        raise QuarantineError(f"header field {name!r} is {header[name]!r}, must be >= 0")
