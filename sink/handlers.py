"""Storing each kind of validated item: one function per kind, all idempotent.

Each handler gets the stores, the envelope and the envelope's digest, stores the item
under the key :mod:`sink.layout` gives it (a redelivery overwrites the same key and the
same InfluxDB point) and returns True once it is durably stored, False if the item must
not be acknowledged yet (only run_stop: the run is not complete in S3 yet). A codec blob
that is damaged or does not match its header raises QuarantineError before anything is
stored (sink.blob_check).
"""

import json
import logging
from dataclasses import dataclass

from . import layout
from .blob_check import check_frame_blob, check_sparse_blob
from .influx_store import reco_point, telemetry_points
from .object_metadata import (
    DAQ_INLINE_LIMIT,
    daq_metadata_json,
    frame_metadata,
    pedestal_metadata,
    raw_metadata,
)

__all__ = [
    "HANDLERS",
    "Stores",
    "header_json",
    "store_pedestal",
    "store_raw",
    "store_reco",
    "store_run_start",
    "store_telemetry",
    "store_zs",
]

log = logging.getLogger(__name__)


@dataclass
class Stores:
    """Where items go: an S3Store-like and an InfluxStore-like object."""

    s3: object
    influx: object


def header_json(header: dict) -> bytes:
    return json.dumps(header, indent=1, sort_keys=True).encode()


def store_raw(stores: Stores, envelope, envelope_digest: str) -> bool:
    """The codec blob, with checksum, timestamp, sizes, codec config, DAQ metadata as object metadata."""
    h = envelope.header
    check_frame_blob(h, envelope.body)
    daq_json = daq_metadata_json(h)
    daq_key = None
    if len(daq_json) > DAQ_INLINE_LIMIT:  # too large for S3 metadata: a side object, stored first
        daq_key = layout.raw_daq_metadata_key(h["detector"], h["run"], h["frame"])
        stores.s3.put(daq_key, daq_json.encode())
    stores.s3.put(layout.raw_key(h["detector"], h["run"], h["frame"]), envelope.body,
                  raw_metadata(h, envelope_digest, daq_key))
    return True


def store_zs(stores: Stores, envelope, envelope_digest: str) -> bool:
    """The sparse-frame blob."""
    h = envelope.header
    check_sparse_blob(h, envelope.body)
    stores.s3.put(layout.zs_key(h["detector"], h["run"], h["frame"]), envelope.body,
                  frame_metadata(h, envelope_digest))
    return True


def store_reco(stores: Stores, envelope, envelope_digest: str) -> bool:
    """The reconstruction result in S3, then its summary point in InfluxDB (measurement reco)."""
    h = envelope.header
    stores.s3.put(layout.reco_key(h["detector"], h["run"], h["frame"]), envelope.body,
                  frame_metadata(h, envelope_digest))
    stores.influx.write([reco_point(h)])
    return True


def store_pedestal(stores: Stores, envelope, envelope_digest: str) -> bool:
    """The pedestal file, then the index entry that finds it by pedestal id."""
    h = envelope.header
    key = layout.pedestal_key(h["detector"], h["run"], h.get("frame"))
    stores.s3.put(key, envelope.body, pedestal_metadata(h, envelope_digest))
    index = {"pedestal_id": h["pedestal_id"], "key": key, "run": h["run"], "n_frames": h["n_frames"]}
    stores.s3.put(layout.pedestal_index_key(h["detector"], h["pedestal_id"]),
                  json.dumps(index, sort_keys=True).encode())
    return True


def store_run_start(stores: Stores, envelope, envelope_digest: str) -> bool:
    """The run_start header as ``runs/<detector>/run<run>/start.json``."""
    h = envelope.header
    stores.s3.put(layout.run_start_key(h["detector"], h["run"]), header_json(h),
                  {"digest": envelope_digest})
    return True


def store_telemetry(stores: Stores, envelope, envelope_digest: str) -> bool:
    """Host and pipeline numbers as InfluxDB points ``edge_host`` / ``edge_pipeline``."""
    stores.influx.write(telemetry_points(envelope.header))
    return True


#: Handler of each kind except run_stop, which needs the run-end logic (sink.run_end).
HANDLERS = {
    "raw": store_raw, "zs": store_zs, "reco": store_reco, "pedestal": store_pedestal,
    "run_start": store_run_start, "telemetry": store_telemetry,
}
