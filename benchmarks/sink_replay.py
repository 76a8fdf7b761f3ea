"""Benchmark of ``cygno-sink replay``: reconstructing a stored run again from S3.

Stores ``--frames`` LIME-size frames (2304 x 2304, pedestal ~100 ADU, 2 ADU noise, one
faint 400-pixel track each) compressed with the pedestal codec in a real S3 (``--config``
sink.toml, e.g. the local SeaweedFS), then replays the run into a local ROOT file with 1
and 2 worker threads. Peer in the same run: the same decode + reconstruct on the same
blobs held in memory, single thread (what replay costs beyond the computation itself).

Usage::

    python benchmarks/sink_replay.py --config sink.toml --frames 20 --repeat 2
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
# benchmarks/compression.py would shadow the compression package: drop this folder from the path
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.join(_HERE, "..", "tests", "sink"))

from sink_envelopes import pedestal_envelope, raw_envelope, topic_of  # noqa: E402

import compression  # noqa: E402
import recon  # noqa: E402
from sink.config import load_sink_config  # noqa: E402
from sink.handlers import Stores  # noqa: E402
from sink.processor import ItemProcessor  # noqa: E402
from sink.replay import replay_run  # noqa: E402
from sink.s3_store import S3Store  # noqa: E402

DETECTOR = "lime"


def store_run(s3, run: int, frames: int, shape: tuple) -> tuple:
    """Store a pedestal and ``frames`` compressed frames; the pedestal and blobs."""
    rng = np.random.default_rng(3)
    mean = rng.normal(100, 1.5, shape).astype(np.float32)
    pedestal = recon.Pedestal(mean, np.full(shape, 2.0, np.float32), n_frames=100)
    processor = ItemProcessor(Stores(s3, None))
    envelope = pedestal_envelope(run - 1, pedestal.to_bytes(), pedestal_id=pedestal.id)
    assert processor.process(topic_of(envelope), envelope.to_bytes())
    blobs = []
    for frame in range(frames):
        pixels = np.clip(rng.normal(mean, 2.0), 0, 65535).round().astype(np.uint16)
        pixels[1000:1004, 500:600] += 40
        blob = compression.encode_frame(pixels, pedestal)
        envelope = raw_envelope(run, frame, body=blob, pixels=pixels, pedestal_id=pedestal.id)
        assert processor.process(topic_of(envelope), envelope.to_bytes())
        blobs.append(blob)
    return pedestal, blobs


def in_memory(pedestal, blobs: list, run: int) -> float:
    started = time.perf_counter()
    for frame, blob in enumerate(blobs):
        recon.reconstruct(compression.decode_frame(blob, pedestal), pedestal, run=run, event=frame)
    return time.perf_counter() - started


def replay(s3, run: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        replay_run(s3, DETECTOR, run, os.path.join(folder, "reco.root"), progress=False,
                   workers=workers)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    s3 = S3Store(load_sink_config(args.config)["s3"])
    s3.ensure_bucket()
    run = 60000 + int(time.time()) % 30000
    pedestal, blobs = store_run(s3, run, args.frames, (2304, 2304))
    in_memory(pedestal, blobs[:2], run)  # compile / load the numba kernels before timing
    timings: dict = {}
    for _ in range(args.repeat):  # interleaved, so load changes hit every path alike
        timings.setdefault("decode + reconstruct in memory, 1 thread", []).append(
            in_memory(pedestal, blobs, run))
        for workers in (1, 2):
            timings.setdefault(f"cygno-sink replay from S3, {workers} worker(s)", []).append(
                replay(s3, run, workers))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    peer = medians["decode + reconstruct in memory, 1 thread"]
    print(f"{args.frames} frames of 2304 x 2304, median of {args.repeat} interleaved runs\n")
    print("| path | seconds | s/frame | time vs in-memory peer |")
    print("|---|---|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.2f} | {seconds / args.frames:.3f} | {seconds / peer:.2f} |")


if __name__ == "__main__":
    main()
