"""The run manifest: every raw frame of a run as stored in S3, built from S3 alone.

Written to ``raw/<detector>/run<run>/manifest.json`` once S3 holds every frame the edge
published (``frames_published`` of the run_stop item). Frames are listed by number with
key, compressed size, checksum of the raw pixel bytes (``compression.checksum``),
timestamp, raw size, exposure and the DAQ's metadata (slow-control readings, ...); then the codec configs and pedestal ids in use, run start/stop
times, the frames the edge quarantined, and totals.
"""

import json
import time
from collections.abc import Callable

from compression.checksum import CHECKSUM_ALGORITHM

from . import layout
from .errors import ObjectMissingError
from .object_metadata import parse_raw_metadata, read_daq_metadata

__all__ = ["MANIFEST_FORMAT", "build_manifest", "manifest_bytes", "stored_frames", "wait_until"]

MANIFEST_FORMAT = "cygno-run-manifest/1"


def stored_frames(s3, prefix: str) -> dict:
    """Frame number -> StoredObject (key, size) of the frame objects under ``prefix``."""
    frames = {}
    for item in s3.list(prefix):
        number = layout.frame_of_key(item.key)
        if number is not None:
            frames[number] = item
    return frames


def wait_until(check: Callable[[], bool], checks: int, wait_s: float,
               sleep: Callable[[float], None] = time.sleep) -> bool:
    """True as soon as ``check()`` is; else re-check ``checks`` times spread over ``wait_s``."""
    if check():
        return True
    for _ in range(checks):
        sleep(wait_s / checks)
        if check():
            return True
    return False


def build_manifest(s3, stop_header: dict) -> dict:
    """The manifest of the run named by a validated run_stop header (reads S3 only)."""
    detector, run = stop_header["detector"], stop_header["run"]
    frames = []
    for number, item in sorted(stored_frames(s3, layout.raw_prefix(detector, run)).items()):
        fields = parse_raw_metadata(item.key, s3.head(item.key).metadata)
        frames.append({"frame": number, "key": item.key, "size": item.size,
                       "checksum": fields["checksum"], "timestamp": fields["timestamp"],
                       "raw_bytes": fields["raw_bytes"], "shape": fields["shape"],
                       "pedestal_id": fields["pedestal_id"], "codec": fields["codec"],
                       "exposure_s": fields["exposure_s"], "metadata": read_daq_metadata(s3, fields)})
    codecs = _distinct(frame.pop("codec") for frame in frames)
    start = _run_start(s3, detector, run)
    return {
        "format": MANIFEST_FORMAT, "detector": detector, "run": run,
        "checksum_algorithm": CHECKSUM_ALGORITHM,
        "start_timestamp": start.get("timestamp"), "stop_timestamp": stop_header["timestamp"],
        "pedestal_run": bool(start.get("pedestal", stop_header.get("pedestal", False))),
        "pedestal_ids": sorted({f["pedestal_id"] for f in frames if f["pedestal_id"]}),
        "codecs": codecs,
        "frames": frames,
        "quarantined": stop_header["quarantined"],
        "missing": stop_header.get("missing", []),
        "totals": _totals(frames, stop_header),
    }


def manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, indent=1, sort_keys=True).encode()


def _run_start(s3, detector: str, run: int) -> dict:
    try:
        return json.loads(s3.get(layout.run_start_key(detector, run)).body)
    except (ObjectMissingError, ValueError):
        return {}


def _distinct(configs) -> list:
    seen = {}
    for config in configs:
        seen.setdefault(json.dumps(config, sort_keys=True), config)
    return list(seen.values())


def _totals(frames: list, stop_header: dict) -> dict:
    stored = sum(f["size"] for f in frames)
    raw = sum(f["raw_bytes"] for f in frames)
    return {"frames_stored": len(frames), "frames_daq": stop_header["frames_daq"],
            "frames_published": stop_header["frames_published"],
            "frames_quarantined": len(stop_header["quarantined"]),
            "stored_bytes": stored, "raw_bytes": raw,
            "compression_ratio": raw / stored if stored else None}
