"""The edge <-> sink wire contract: topics, message envelopes, schemas, acknowledgements.

This is the only module that defines what travels over MQTT; the edge agent and the
cloud sink both import it. Bump :data:`WIRE_VERSION` (and the topic root with it) for
any incompatible change, so old and new agents never misread each other.

A message is an *envelope*: ``b"CYGW"``, one byte of wire version, a 4-byte
big-endian header length, a UTF-8 JSON header, then an opaque binary body (a codec
blob, a pedestal file, a reconstruction result). The header always has ``kind``,
``detector`` and ``key``; each kind adds the fields listed in :data:`SCHEMAS`.

``key`` names an item idempotently (``raw-r00012-f000034``): a redelivered item has
the same key, so the sink overwrites the same S3 object and InfluxDB point. After
storing durably, the sink publishes an :class:`Ack` with the key and the digest of
the envelope it stored; only then does the edge delete the item from its spool.
"""

import json
import struct
from dataclasses import dataclass

import xxhash

from .errors import EdgeError

__all__ = [
    "WIRE_VERSION", "KINDS", "SCHEMAS", "OPTIONAL_FIELDS", "WireError", "Envelope", "Ack",
    "topic", "ack_topic", "data_subscription", "kind_from_topic", "item_key", "digest",
    "validate_header",
]

WIRE_VERSION = 1
_MAGIC = b"CYGW"
_PREFIX = struct.Struct(">4sBI")
_MAX_HEADER_BYTES = 1 << 20

_NUMBER = (int, float)
_COMMON = {"kind": str, "detector": str, "key": str}
#: Header fields each kind must carry, with their JSON types (beyond the common ones).
SCHEMAS = {
    "run_start": {"run": int, "pedestal": bool, "timestamp": _NUMBER, "metadata": dict},
    "raw": {"run": int, "frame": int, "timestamp": _NUMBER, "shape": list, "dtype": str,
            "checksum": str, "codec": dict, "raw_bytes": int, "metadata": dict},
    "zs": {"run": int, "frame": int, "timestamp": _NUMBER, "n_pixels": int},
    "reco": {"run": int, "frame": int, "timestamp": _NUMBER, "nSc": int,
             "cmos_integral": _NUMBER, "max_sc_integral": _NUMBER, "processing_s": _NUMBER},
    "pedestal": {"run": int, "pedestal_id": str, "n_frames": int, "shape": list},
    "run_stop": {"run": int, "timestamp": _NUMBER, "frames_daq": int, "frames_published": int,
                 "quarantined": list},
    "telemetry": {"time_ns": int, "host": dict, "pipeline": dict},
}
#: Header fields a kind may carry, type-checked when present. Added within wire version 1:
#: a sink that predates one ignores it, and items from an edge that predates it lack it.
OPTIONAL_FIELDS = {
    "reco": {"frame_level": _NUMBER},
}
KINDS = tuple(SCHEMAS)


class WireError(EdgeError, ValueError):
    """A message does not follow the wire contract (the message names field and value)."""


def topic(detector: str, kind: str) -> str:
    """MQTT topic of one kind of item from one detector, e.g. ``cygno/v1/lime/raw``."""
    _check_kind(kind)
    return f"cygno/v{WIRE_VERSION}/{detector}/{kind}"


def ack_topic(detector: str) -> str:
    """Topic on which the sink acknowledges durably stored items to that detector's edge."""
    return f"cygno/v{WIRE_VERSION}/{detector}/ack"


def data_subscription() -> str:
    """Topic filter for every data kind of every detector (acks are filtered by kind)."""
    return f"cygno/v{WIRE_VERSION}/+/+"


def kind_from_topic(name: str) -> str | None:
    """The kind of a data topic, or None for acks and foreign topics."""
    parts = name.split("/")
    if len(parts) == 4 and parts[:2] == ["cygno", f"v{WIRE_VERSION}"] and parts[3] in SCHEMAS:
        return parts[3]
    return None


def item_key(kind: str, run: int | None = None, frame: int | None = None,
             time_ns: int | None = None) -> str:
    """Idempotent item name: the same item always gets the same key."""
    _check_kind(kind)
    if kind == "telemetry":
        return f"telemetry-t{time_ns:020d}"
    if frame is not None:
        return f"{kind}-r{run:05d}-f{frame:06d}"
    return f"{kind}-r{run:05d}"


@dataclass(frozen=True)
class Envelope:
    """One wire message: a validated JSON header and an opaque body."""

    header: dict
    body: bytes = b""

    def __post_init__(self):
        validate_header(self.header)

    @property
    def kind(self) -> str:
        return self.header["kind"]

    @property
    def key(self) -> str:
        return self.header["key"]

    def to_bytes(self) -> bytes:
        header = json.dumps(self.header, separators=(",", ":")).encode()
        return _PREFIX.pack(_MAGIC, WIRE_VERSION, len(header)) + header + bytes(self.body)

    @classmethod
    def from_bytes(cls, payload: bytes) -> "Envelope":
        view = memoryview(payload)
        if len(view) < _PREFIX.size:
            raise WireError(f"envelope is {len(view)} bytes, shorter than its {_PREFIX.size}-byte prefix")
        magic, version, header_len = _PREFIX.unpack(view[:_PREFIX.size])
        if magic != _MAGIC:
            raise WireError(f"envelope magic is {magic!r}, expected {_MAGIC!r}")
        if version != WIRE_VERSION:
            raise WireError(f"envelope wire version is {version}, this build speaks {WIRE_VERSION}")
        end = _PREFIX.size + header_len
        if header_len > _MAX_HEADER_BYTES or end > len(view):
            raise WireError(f"envelope header length {header_len} exceeds the {len(view)}-byte message")
        try:
            header = json.loads(bytes(view[_PREFIX.size:end]).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WireError(f"envelope header is not UTF-8 JSON: {exc}") from None
        return cls(header, bytes(view[end:]))


def digest(payload: bytes) -> str:
    """Digest of a whole envelope, echoed in acks so a stale ack never deletes a newer item."""
    return xxhash.xxh3_64_hexdigest(payload)


@dataclass(frozen=True)
class Ack:
    """The sink's word that the item ``key`` with envelope digest ``digest`` is durably stored."""

    key: str
    digest: str

    def to_bytes(self) -> bytes:
        return json.dumps({"key": self.key, "digest": self.digest}).encode()

    @classmethod
    def from_bytes(cls, payload: bytes) -> "Ack":
        try:
            data = json.loads(bytes(payload).decode("utf-8"))
            return cls(str(data["key"]), str(data["digest"]))
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise WireError(f"ack is not {{'key', 'digest'}} JSON ({exc}): {bytes(payload)[:80]!r}") from None


def validate_header(header) -> None:
    """Raise :class:`WireError` unless ``header`` has every field of its kind, well typed."""
    if not isinstance(header, dict):
        raise WireError(f"envelope header must be a JSON object, got {type(header).__name__}")
    kind = header.get("kind")
    _check_kind(kind)
    for name, types in {**_COMMON, **SCHEMAS[kind]}.items():
        if name not in header:
            raise WireError(f"{kind} header is missing field {name!r}")
        _check_type(kind, name, header[name], types)
    for name, types in OPTIONAL_FIELDS.get(kind, {}).items():
        if name in header:
            _check_type(kind, name, header[name], types)


def _check_type(kind: str, name: str, value, types) -> None:
    if (isinstance(value, bool) and types is not bool) or not isinstance(value, types):
        raise WireError(f"{kind} header field {name!r} has ill-typed value {value!r}")


def _check_kind(kind) -> None:
    if kind not in SCHEMAS:
        raise WireError(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
