"""What S3 user metadata each stored item carries, written by the handlers, read back by
the manifest and ``get-frame`` (so the manifest can be rebuilt from S3 alone).

S3 metadata are ASCII strings: numbers are written with ``repr`` (exact round trip for
floats), dicts and lists as compact JSON, a missing pedestal id as ``""``.

A raw frame's DAQ metadata (the image header's extra keys: camera, gain, slow-control
readings; docs/daq-protocol.md promises they reach the cloud) go inline as ``daq`` when
their JSON is at most :data:`DAQ_INLINE_LIMIT` characters (S3 allows 2 KB of user metadata
per object); larger ones go to a side object named by ``daq-key``.
"""

import json

from .errors import CorruptObjectError, ObjectMissingError

__all__ = ["DAQ_INLINE_LIMIT", "daq_metadata_json", "frame_metadata", "parse_raw_metadata",
           "pedestal_metadata", "raw_metadata", "read_daq_metadata"]

DAQ_INLINE_LIMIT = 1024


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True)


def _text(value) -> str:
    if isinstance(value, str):
        return value.encode("ascii", "backslashreplace").decode("ascii")
    return _json(value) if isinstance(value, (dict, list)) else repr(value)


def daq_metadata_json(header: dict) -> str:
    """The DAQ metadata of a raw header as compact ASCII JSON."""
    return _json(header["metadata"])


def raw_metadata(header: dict, envelope_digest: str, daq_key: str | None = None) -> dict:
    """Metadata of a raw frame object, from its validated ``raw`` header.

    ``daq_key`` names the side object holding the DAQ metadata when they are too large to
    go inline (the caller stores it); otherwise they go inline as ``daq``.
    """
    metadata = {
        "run": repr(header["run"]), "frame": repr(header["frame"]),
        "checksum": header["checksum"], "timestamp": repr(header["timestamp"]),
        "raw-bytes": repr(header["raw_bytes"]), "shape": _json(header["shape"]),
        "dtype": header["dtype"], "codec": _json(header["codec"]),
        "pedestal-id": header.get("pedestal_id") or "", "digest": envelope_digest,
    }
    if header.get("exposure_s") is not None:
        metadata["exposure-s"] = repr(header["exposure_s"])
    if daq_key:
        metadata["daq-key"] = daq_key
    else:
        metadata["daq"] = daq_metadata_json(header)
    return metadata


def parse_raw_metadata(key: str, metadata: dict) -> dict:
    """The raw header fields back from an object's metadata; CorruptObjectError if unusable."""
    try:
        return {
            "run": int(metadata["run"]), "frame": int(metadata["frame"]),
            "checksum": metadata["checksum"], "timestamp": float(metadata["timestamp"]),
            "raw_bytes": int(metadata["raw-bytes"]), "shape": json.loads(metadata["shape"]),
            "dtype": metadata["dtype"], "codec": json.loads(metadata["codec"]),
            "pedestal_id": metadata.get("pedestal-id") or None,
            "exposure_s": float(metadata["exposure-s"]) if "exposure-s" in metadata else None,
            "daq_metadata": json.loads(metadata["daq"]) if "daq" in metadata else None,
            "daq_metadata_key": metadata.get("daq-key"),
        }
    except KeyError as exc:
        raise CorruptObjectError(f"S3 object {key!r} lacks metadata field {exc.args[0]!r} "
                                 f"(has {sorted(metadata)})") from None
    except ValueError as exc:
        raise CorruptObjectError(f"S3 object {key!r} has unreadable metadata: {exc}") from None


def read_daq_metadata(s3, fields: dict) -> dict:
    """A raw frame's DAQ metadata (``fields`` from :func:`parse_raw_metadata`), inline or
    from its side object; CorruptObjectError if unreadable."""
    if fields["daq_metadata_key"] is None:
        return fields["daq_metadata"] or {}
    key = fields["daq_metadata_key"]
    try:
        return json.loads(s3.get(key).body)
    except (ObjectMissingError, ValueError) as exc:
        raise CorruptObjectError(f"DAQ metadata object {key!r} is unusable: {exc}") from None


def frame_metadata(header: dict, envelope_digest: str) -> dict:
    """Metadata of a per-frame zs or reco object: where it belongs and what it summarises."""
    skip = {"kind", "detector", "key", "metadata"}
    metadata = {name.replace("_", "-"): _text(value)
                for name, value in header.items() if name not in skip and value is not None}
    metadata["digest"] = envelope_digest
    return metadata


def pedestal_metadata(header: dict, envelope_digest: str) -> dict:
    """Metadata of a pedestal object: its id, the run it was built from, how many frames."""
    return {"pedestal-id": header["pedestal_id"], "run": repr(header["run"]),
            "n-frames": repr(header["n_frames"]), "shape": _json(header["shape"]),
            "digest": envelope_digest}
