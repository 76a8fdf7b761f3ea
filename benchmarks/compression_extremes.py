"""Frames full of signal: what ``encode_frame`` does with sparks, saturation and random data.

The pair coders are built for noise; a residual beyond +-7 ADU takes their per-pixel
overflow path. This script builds the simulator's default camera (pedestal from a
pedestal run), takes one data frame and derives frames a detector can also send:
sparks (a bright Gaussian glow with shot noise, growing in size and brightness), smooth
backgrounds the column medians cannot follow (a ramp down the rows, a glow in one corner),
the left half saturated at 65535, and uniform random data. For each, with and without
the pedestal, one table row: the share of sampled residuals that overflow (what
``encode_frame`` decides on, ``PLANES_ABOVE``), the codec it chose, its ratio and
encode / decode time, the pair coder forced on the same frame (what ``encode_frame``
did before the planes codec), and Blosc2 zstd+shuffle c1. Times are medians of
``--repeats`` single-thread calls, all methods interleaved per repeat.

A second table moves the data frame's dark level by ``--drifts`` ADU (the sensor
warmed or cooled since the pedestal run) and codes it with the pedestal: by
``encode_frame`` (which measures the frame's dark offset), by ``encode_frame`` with
that measurement off (``SHIFT_FROM_ADU`` out of reach: what it did before), and by
Blosc2 c1; a third table does the same for the lossy mode at q = 2 (its reconstruction
error is checked against sigma / (q sqrt 12) instead of bit-exactness), every drift's
three coders timed in turn in each repeat, so a slow phase of the host hits every row.

Usage::

    python benchmarks/compression_extremes.py --pedestal-frames 30 --repeats 7
"""

import argparse
import contextlib
import os
import sys
import time

# benchmarks/compression.py would shadow the package: keep this folder off the import path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import numpy as np  # noqa: E402

import compression  # noqa: E402
from compression.column_median import column_base  # noqa: E402
from compression.plane_kernels import NIBBLE_REACH, clipped_share  # noqa: E402
from compression.residual_survey import survey_residuals  # noqa: E402
from edge.sim import FrameSimulator, SensorModel  # noqa: E402
from recon import Pedestal  # noqa: E402

sys.path.append(_HERE)  # the package is imported: the folder's own helpers no longer shadow it
from peers import BLOSC2_C1, blosc2_codec  # noqa: E402

#: (name, glow sigma as a fraction of the frame width, peak ADU)
_SPARKS = [("spark, small faint", 0.05, 100), ("spark, faint", 0.1, 100), ("spark", 0.1, 300),
           ("spark, large", 0.2, 1000), ("spark, whole frame", 0.4, 3000)]


def _smooth_backgrounds(y: np.ndarray, x: np.ndarray) -> list:
    """``[(name, ADU map)]``: smooth light the column medians cannot follow (no pedestal)."""
    rows, cols = y.shape
    return [("row ramp (0-10 ADU)", 10.0 * y / rows), ("row ramp (0-40 ADU)", 40.0 * y / rows),
            ("corner glow (30 ADU)", 30.0 * np.exp(-(y / (0.13 * rows)) ** 2 - (x / (0.13 * cols)) ** 2))]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pedestal-frames", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--drifts", default="0,1,2,3,4,6,8,16,-4",
                        help="dark-level shifts in ADU for the second table (comma-separated)")
    return parser.parse_args(argv)


def extreme_frames(frame: np.ndarray, seed: int) -> list:
    """``[(name, frame)]``: the data frame itself, sparks on it, half saturated, random."""
    rng = np.random.default_rng(seed)
    rows, cols = frame.shape
    y, x = np.mgrid[0:rows, 0:cols]
    frames = [("data frame", frame)]
    for name, width, peak in _SPARKS:
        glow = peak * np.exp(-(((x - 0.48 * cols) / (width * cols)) ** 2
                               + ((y - 0.52 * rows) / (width * rows)) ** 2) / 2)
        noisy = glow + rng.normal(0, 1, glow.shape) * np.sqrt(0.5 * glow)  # shot noise
        frames.append((f"{name} ({peak} ADU)", np.clip(frame + noisy, 0, 65535).astype(np.uint16)))
    for name, background in _smooth_backgrounds(y, x):
        frames.append((name, np.clip(frame + np.rint(background), 0, 65535).astype(np.uint16)))
    frames.append(("left half saturated", np.where(x < cols // 2, 65535, frame).astype(np.uint16)))
    frames.append(("random uint16", rng.integers(0, 65536, frame.shape, dtype=np.uint16)))
    return frames


def methods(pedestal) -> dict:
    """label -> (encode(frame) -> blob, decode(blob) -> frame), with and without the pedestal."""
    pairs_ped = compression.PedestalPairCodec(noisy_factor=compression.frame_api.NOISY_FACTOR)
    pairs_col = compression.ColumnPairCodec()
    return {
        ("pedestal", "encode_frame"): (lambda f: compression.encode_frame(f, pedestal),
                                       lambda b: compression.decode_frame(b, pedestal)),
        ("pedestal", "pairs forced"): (lambda f: pairs_ped.encode(f, pedestal),
                                       lambda b: pairs_ped.decode(b, pedestal)),
        ("none", "encode_frame"): (compression.encode_frame, compression.decode_frame),
        ("none", "pairs forced"): (pairs_col.encode, pairs_col.decode),
        ("either", "blosc2 c1"): blosc2_codec(BLOSC2_C1, pedestal.shape),
    }


def measure(table: dict, frame: np.ndarray, repeats: int) -> dict:
    """label -> (blob, median encode ms, median decode ms); checks every method is lossless."""
    times = {label: ([], []) for label in table}
    blobs = {}
    for _ in range(repeats):
        for label, (encode, decode) in table.items():
            started = time.perf_counter()
            blob = encode(frame)
            middle = time.perf_counter()
            decoded = decode(blob)
            times[label][0].append(middle - started)
            times[label][1].append(time.perf_counter() - middle)
            if not np.array_equal(np.frombuffer(decoded, np.uint16).reshape(frame.shape), frame):
                raise SystemExit(f"{label} is not lossless")
            blobs[label] = blob
    return {label: (blobs[label], 1e3 * np.median(enc), 1e3 * np.median(dec))
            for label, (enc, dec) in times.items()}


def overflow_shares(frame: np.ndarray, pedestal) -> dict:
    """mode -> the share ``encode_frame`` decides on: with a pedestal every 64th row around
    the frame's dark offset (if coded), without every 16th row around the column medians."""
    survey = survey_residuals(frame, compression.prepare_pedestal(pedestal).base, 64)
    offset = survey.offset() if abs(survey.offset()) >= compression.frame_api.SHIFT_FROM_ADU else 0
    return {"pedestal": survey.clipped_share(NIBBLE_REACH, offset),
            "none": clipped_share(frame, column_base(frame, 16), 16)}


def print_rows(name: str, frame: np.ndarray, pedestal, results: dict) -> None:
    _, blosc_enc, blosc_dec = results[("either", "blosc2 c1")]
    blosc_ratio = frame.nbytes / len(results[("either", "blosc2 c1")][0])
    for mode, share in overflow_shares(frame, pedestal).items():
        blob, enc, dec = results[(mode, "encode_frame")]
        forced, forced_enc, _ = results[(mode, "pairs forced")]
        codec = compression.read_header(blob)["codec"]["id"].removeprefix("cygno_")
        print(f"| {name} | {mode} | {share:.3f} | {codec} | "
              f"{frame.nbytes / len(blob):.3f} | {enc:.1f} | {dec:.1f} | {frame.nbytes / len(forced):.3f} | "
              f"{forced_enc:.1f} | {blosc_ratio:.3f} | {blosc_enc:.1f} | {blosc_dec:.1f} |")


@contextlib.contextmanager
def _offset_measurement_off():
    """``encode_frame`` as before the dark offset: never shifts the pedestal."""
    saved = compression.frame_api.SHIFT_FROM_ADU
    compression.frame_api.SHIFT_FROM_ADU = 1 << 30
    try:
        yield
    finally:
        compression.frame_api.SHIFT_FROM_ADU = saved


def drift_methods(pedestal) -> dict:
    """label -> (encode, decode) for the drift table."""
    def encode_without_offset(frame):
        with _offset_measurement_off():
            return compression.encode_frame(frame, pedestal)
    decode = lambda b: compression.decode_frame(b, pedestal)  # noqa: E731
    return {"encode_frame": (lambda f: compression.encode_frame(f, pedestal), decode),
            "without offset": (encode_without_offset, decode),
            "blosc2 c1": blosc2_codec(BLOSC2_C1, pedestal.shape)}


def print_drift_table(frame: np.ndarray, pedestal, drifts: list, repeats: int) -> None:
    table = drift_methods(pedestal)
    print("\n| dark level | offset coded | ratio | encode ms | decode ms | without offset: codec | "
          "ratio | encode ms | blosc2 c1 ratio | blosc2 encode ms | encode / blosc2 encode |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for drift in drifts:
        moved = np.clip(frame.astype(np.int32) + drift, 0, 65535).astype(np.uint16)
        for encode, decode in table.values():  # warm-up: kernels, shifted base
            decode(encode(moved))
        results = measure(table, moved, repeats)
        (blob, enc, dec), (old, old_enc, _), (fast, blosc_enc, _) = (results[k] for k in table)
        header, old_codec = compression.read_header(blob), compression.read_header(old)["codec"]["id"]
        print(f"| {drift:+d} ADU | {header.get('dark_offset', 0):+d} | {moved.nbytes / len(blob):.3f} | {enc:.1f} | "
              f"{dec:.1f} | {old_codec.removeprefix('cygno_')} | {moved.nbytes / len(old):.3f} | {old_enc:.1f} | "
              f"{moved.nbytes / len(fast):.3f} | {blosc_enc:.1f} | {enc / blosc_enc:.2f} |")


def time_jobs(jobs: dict, repeats: int) -> dict:
    """key -> (blob, median encode ms) of ``jobs`` (key -> (encode, frame)), every job once per
    repeat in turn after a warm-up call, so that a slow phase of the host hits them alike."""
    times = {key: [] for key in jobs}
    blobs = {key: encode(frame) for key, (encode, frame) in jobs.items()}
    for _ in range(repeats):
        for key, (encode, frame) in jobs.items():
            started = time.perf_counter()
            blobs[key] = encode(frame)
            times[key].append(time.perf_counter() - started)
    return {key: (blobs[key], 1e3 * np.median(times[key])) for key in jobs}


def lossy_encoders(pedestal, q: float) -> dict:
    """label -> encode for the lossy drift table: with and without the dark offset, and the peer."""
    def without_offset(frame):
        with _offset_measurement_off():
            return compression.encode_frame(frame, pedestal, lossy_q=q)
    return {"lossy": lambda f: compression.encode_frame(f, pedestal, lossy_q=q),
            "without offset": without_offset,
            "blosc2 c1": blosc2_codec(BLOSC2_C1, pedestal.shape)[0]}


def print_lossy_drift_table(frame: np.ndarray, pedestal, drifts: list, repeats: int, q: float = 2.0) -> None:
    sigma = compression.prepare_pedestal(pedestal).sigma.astype(np.float64)
    expected_rms = float(np.sqrt(np.mean(np.maximum(sigma, 0.5) ** 2)) / (q * np.sqrt(12)))
    encoders = lossy_encoders(pedestal, q)
    moved = {drift: np.clip(frame.astype(np.int32) + drift, 0, 65535).astype(np.uint16) for drift in drifts}
    timed = time_jobs({(drift, label): (encode, moved[drift]) for drift in drifts
                       for label, encode in encoders.items()}, repeats)
    print(f"\n| dark level | lossy q={q:g}: offset coded | ratio | encode ms | error rms / expected | "
          "without offset: ratio | encode ms | blosc2 c1 encode ms | encode / blosc2 encode |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for drift, frame in moved.items():
        (blob, enc), (old, old_enc), (_, blosc_enc) = (timed[drift, label] for label in encoders)
        error = compression.decode_frame(blob, pedestal).astype(np.float64) - frame
        print(f"| {drift:+d} ADU | {compression.read_header(blob)['dark_offset']:+d} | {frame.nbytes / len(blob):.3f} | "
              f"{enc:.1f} | {error.std() / expected_rms:.3f} | {frame.nbytes / len(old):.3f} | {old_enc:.1f} | "
              f"{blosc_enc:.1f} | {enc / blosc_enc:.2f} |")


def main(argv=None):
    args = parse_args(argv)
    sensor = SensorModel((2304, 2304), seed=args.seed)
    simulator = FrameSimulator(sensor, seed=args.seed + 1)
    pedestal = Pedestal.from_frames(simulator.pedestal_frame(i) for i in range(args.pedestal_frames))
    frames = extreme_frames(simulator.data_frame(0)[0], args.seed)
    table = methods(pedestal)
    print(f"# simulator camera 2304x2304 (seed {args.seed}), pedestal from {args.pedestal_frames} frames; "
          f"medians of {args.repeats}; PLANES_ABOVE = {compression.frame_api.PLANES_ABOVE}")
    print("| frame | pedestal | overflow share | encode_frame codec | ratio | encode ms | decode ms | "
          "pairs forced: ratio | pairs forced: encode ms | blosc2 c1 ratio | blosc2 encode ms | "
          "blosc2 decode ms |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, frame in frames:
        for encode, decode in table.values():  # warm-up: numba compilation
            decode(encode(frame))
        print_rows(name, frame, pedestal, measure(table, frame, args.repeats))
    drifts = [int(d) for d in args.drifts.split(",")]
    print_drift_table(frames[0][1], pedestal, drifts, args.repeats)
    print_lossy_drift_table(frames[0][1], pedestal, drifts, args.repeats)


if __name__ == "__main__":
    main()
