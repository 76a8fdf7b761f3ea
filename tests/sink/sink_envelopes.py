"""Valid envelopes of every kind, as the edge would publish them (tests build on these)."""

import numpy as np

import compression
import recon
from compression.checksum import pixel_checksum
from edge.wire import Envelope, item_key, topic

DETECTOR = "lime"
#: A tiny real pedestal (3 x 4), so bodies are real codec blobs that pass the sink's checks.
PEDESTAL = recon.Pedestal(np.full((3, 4), 100, np.float32), np.full((3, 4), 2, np.float32), n_frames=100)
PEDESTAL_ID = PEDESTAL.id


def small_frame(value=0):
    return (np.arange(12, dtype=np.uint16).reshape(3, 4) + 100 + value).astype(np.uint16)


def raw_envelope(run=12, frame=3, body=None, pixels=None, pedestal_id=PEDESTAL_ID,
                 codec=None, timestamp=1764050000.25, metadata=None):
    """A raw item; ``body`` defaults to the real blob of ``pixels`` (with PEDESTAL if named)."""
    pixels = small_frame() if pixels is None else pixels
    if body is None:
        body = compression.encode_frame(pixels, PEDESTAL if pedestal_id == PEDESTAL_ID else None)
    if codec is None:
        codec = compression.read_header(body)["codec"]
    header = {"kind": "raw", "detector": DETECTOR, "key": item_key("raw", run, frame), "run": run,
              "frame": frame, "timestamp": timestamp, "shape": list(pixels.shape),
              "dtype": "uint16", "checksum": pixel_checksum(pixels), "codec": codec,
              "raw_bytes": int(pixels.nbytes), "exposure_s": 0.3,
              "metadata": {"Lime_pressure": 908.1} if metadata is None else metadata,
              "pedestal_id": pedestal_id}
    return Envelope(header, body)


def sparse_blob():
    sparse = recon.SparseFrame(np.array([0, 2], np.int32), np.array([1, 3], np.int32),
                               np.array([130, 150], np.uint16), (3, 4))
    return compression.encode_sparse(sparse, PEDESTAL)


def frame_envelope(kind, run=12, frame=3, body=None, **fields):
    """A zs item (real sparse blob by default) or a reco item (``body`` defaults to b"result")."""
    header = {"kind": kind, "detector": DETECTOR, "key": item_key(kind, run, frame), "run": run,
              "frame": frame, "timestamp": 1764050000.25 + frame, "pedestal_id": PEDESTAL_ID}
    if kind == "zs":
        header["n_pixels"] = 2
        body = sparse_blob() if body is None else body
    else:
        header.update({"nSc": 2, "cmos_integral": 1234.5, "max_sc_integral": 800.0,
                       "processing_s": 0.05})
        body = b"result-bytes" if body is None else body
    header.update(fields)
    return Envelope(header, body)


def pedestal_envelope(run=11, body=None, pedestal_id=PEDESTAL_ID, frame=None):
    """A pedestal item: from a pedestal run, or (``frame`` given) tracked online at that frame."""
    body = PEDESTAL.to_bytes() if body is None else body
    header = {"kind": "pedestal", "detector": DETECTOR, "key": item_key("pedestal", run, frame),
              "run": run, "pedestal_id": pedestal_id, "n_frames": 100, "shape": [3, 4]}
    if frame is not None:
        header["frame"] = frame
    return Envelope(header, body)


def run_start_envelope(run=12, pedestal=False):
    header = {"kind": "run_start", "detector": DETECTOR, "key": item_key("run_start", run),
              "run": run, "pedestal": pedestal, "timestamp": 1764049999.0,
              "metadata": {"shifter": "x"}, "pedestal_id": PEDESTAL_ID}
    return Envelope(header)


def run_stop_envelope(run=12, frames_published=3, quarantined=(), frames_daq=None, reconstruction=False):
    header = {"kind": "run_stop", "detector": DETECTOR, "key": item_key("run_stop", run), "run": run,
              "timestamp": 1764050100.0, "frames_daq": frames_daq or frames_published + len(quarantined),
              "frames_published": frames_published, "quarantined": list(quarantined),
              "missing": [], "pedestal": False, "metadata": {}, "pedestal_id": PEDESTAL_ID,
              "reconstruction": reconstruction}
    return Envelope(header)


def telemetry_envelope(time_ns=1764050000123456789):
    header = {"kind": "telemetry", "detector": DETECTOR, "key": item_key("telemetry", time_ns=time_ns),
              "time_ns": time_ns, "host": {"cpu_percent": 12.5, "load1": 0, "label": "x"},
              "pipeline": {"frames_spooled": 7, "healthy": True}}
    return Envelope(header)


def topic_of(envelope):
    return topic(envelope.header["detector"], envelope.kind)
