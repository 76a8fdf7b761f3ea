"""Valid envelopes of every kind, as the edge would publish them (tests build on these)."""

import numpy as np

from compression.checksum import pixel_checksum
from edge.wire import Envelope, item_key, topic

DETECTOR = "lime"
PEDESTAL_ID = "0123456789abcdef0123456789abcdef"


def raw_envelope(run=12, frame=3, body=b"blob-bytes", pixels=None, pedestal_id=PEDESTAL_ID,
                 codec=None, timestamp=1764050000.25):
    pixels = np.arange(12, dtype=np.uint16).reshape(3, 4) if pixels is None else pixels
    header = {"kind": "raw", "detector": DETECTOR, "key": item_key("raw", run, frame), "run": run,
              "frame": frame, "timestamp": timestamp, "shape": list(pixels.shape),
              "dtype": "uint16", "checksum": pixel_checksum(pixels),
              "codec": codec or {"id": "cygno-frame", "mode": "lossless"},
              "raw_bytes": int(pixels.nbytes), "metadata": {"exposure": 0.3},
              "pedestal_id": pedestal_id}
    return Envelope(header, body)


def frame_envelope(kind, run=12, frame=3, body=b"result-bytes", **fields):
    header = {"kind": kind, "detector": DETECTOR, "key": item_key(kind, run, frame), "run": run,
              "frame": frame, "timestamp": 1764050000.25 + frame, "pedestal_id": PEDESTAL_ID}
    if kind == "zs":
        header["n_pixels"] = 17
    else:
        header.update({"nSc": 2, "cmos_integral": 1234.5, "max_sc_integral": 800.0,
                       "processing_s": 0.05})
    header.update(fields)
    return Envelope(header, body)


def pedestal_envelope(run=11, body=b"pedestal-file", pedestal_id=PEDESTAL_ID):
    header = {"kind": "pedestal", "detector": DETECTOR, "key": item_key("pedestal", run),
              "run": run, "pedestal_id": pedestal_id, "n_frames": 100, "shape": [3, 4]}
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
