"""Benchmark of prompt reconstruction (issue 5): quality against truth, speed against the reference.

Runs on simulator frames with truth and prints tables of

* efficiency, integral bias and resolution per kind of deposit, the fraction of muons
  reconstructed whole (one cluster covering >= 90 % of the track) and fake clusters per
  noise-only frame, for ``recon.reconstruct`` and for the plain reference chain;
* time per frame from the raw frame, single thread, ours and the reference's,
  interleaved on the same frames (ratios are what counts on a shared machine);
* the superclustering variants (simple morphology, geodesic active contour, collinear);
* the peak memory that reconstruction allocates per frame (tracemalloc).

Usage::

    python benchmarks/reconstruction.py --frames 60 --noise-frames 200 --reference-frames 20
"""

import argparse
import functools
import os
import sys
import time
import tracemalloc

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # single thread for both chains

import numpy as np

# This directory holds scripts named like packages (benchmarks/compression.py): take it
# off sys.path so the packages win, and import the helpers here as benchmarks.<name>.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [os.path.dirname(_HERE)] + [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

from edge.sim import FrameSimulator, SensorModel, fe55  # noqa: E402
import recon  # noqa: E402
from recon import Pedestal, reconstruct, zero_suppress  # noqa: E402
from benchmarks.reference_chain import calibrate_noise_threshold, reference_reconstruct  # noqa: E402
from benchmarks.superclustering import VARIANTS, run_variant  # noqa: E402
from benchmarks.truth_matching import WHOLE_FRACTION, match_frame  # noqa: E402

KINDS = ("fe55", "er", "nr", "muon", "alpha")
COLLABORATION_FACTOR = 6.0  # collaboration's chain / plain reference, as stated in issue 5


def main(argv=None):
    args = _parse(argv)
    overrides = {}
    if args.sigma_adu is not None:  # a noisier (or quieter) camera than the default one
        overrides = {"sigma_median_adu": args.sigma_adu,
                     "sigma_range_adu": (0.7 * args.sigma_adu, 1.4 * args.sigma_adu)}
    sensor = SensorModel(args.shape, seed=args.seed, **overrides)
    sim = FrameSimulator(sensor, seed=args.seed + 1)
    started = time.perf_counter()
    pedestal = Pedestal.from_frames(sim.pedestal_frame(i) for i in range(args.pedestal_frames))
    print(f"# shape {args.shape}, sensor seed {args.seed}, noise {overrides or 'default'}, pedestal from {args.pedestal_frames} frames in "
          f"{time.perf_counter() - started:.1f} s, masked {int(pedestal.mask.sum())} pixels")
    global reconstruct
    if args.option:  # reconstruction options other than the defaults, e.g. merge_radius=2
        options = {k: _number(v) for k, v in (item.split("=", 1) for item in args.option)}
        reconstruct = functools.partial(recon.reconstruct, **options)
        print(f"# reconstruction options: {options}")
    reconstruct(*sim.data_frame(0)[:1], pedestal)  # compile / load the numba cache
    threshold = calibrate_noise_threshold([sim.pedestal_frame(10000 + i) for i in range(3)], pedestal)
    print(f"# reference neighbour-filter threshold calibrated on 3 signal-free frames: {threshold:.3f} ADU")
    reference = functools.partial(reference_reconstruct, pedestal=pedestal, noise_threshold=threshold)
    data = [sim.data_frame(1000 + i) for i in range(args.frames)]
    noise = [sim.data_frame(100000 + i, mix={})[0] for i in range(args.noise_frames)]
    ours = [reconstruct(frame, pedestal) for frame, _ in data]
    theirs = [reference(frame) for frame, _ in data[:args.reference_frames]]
    _quality_table("recon.reconstruct", ours, data, [reconstruct(f, pedestal) for f in noise])
    _quality_table("plain reference chain", theirs, data[:args.reference_frames],
                   [reference(f) for f in noise[:args.reference_noise_frames]])
    _timing_table(data[:args.reference_frames], pedestal, reference)
    _separation_table(sim, pedestal)
    if args.variant_frames:
        _variant_table(data[:args.variant_frames], noise[:args.variant_noise_frames], pedestal)
    _memory_line(data[0][0], pedestal)


def _quality_table(title, results, data, noise_results):
    records = [r for result, (_, truth) in zip(results, data) for r in match_frame(result, truth.deposits)]
    print(f"\n## Quality: {title} ({len(results)} frames, {len(noise_results)} noise-only frames)\n")
    print("| kind | deposits | found | integral bias | integral resolution | whole (>= 90 % of length) |")
    print("|---|---|---|---|---|---|")
    for kind in KINDS:
        mine = [r for r in records if r["kind"] == kind]
        if not mine:
            continue
        found = np.array([r["cluster"] >= 0 for r in mine])
        ratio = np.array([r["integral"] / r["truth"] for r in mine if r["cluster"] >= 0 and not r["shared"]])
        bias = f"{100 * (ratio.mean() - 1):+.2f} %" if len(ratio) else "-"
        resolution = f"{100 * ratio.std():.2f} %" if len(ratio) > 1 else "-"
        whole = "-"
        if kind == "muon":
            coverage = np.array([r["coverage"] for r in mine])
            whole = f"{100 * np.mean(coverage >= WHOLE_FRACTION):.1f} % ({int(np.sum(coverage >= WHOLE_FRACTION))}/{len(mine)})"
        print(f"| {kind} | {len(mine)} | {100 * found.mean():.1f} % | {bias} | {resolution} | {whole} |")
    fakes = [int(r["nSc"]) for r in noise_results]
    if fakes:
        print(f"\nfake clusters per noise-only frame: {np.mean(fakes):.3f} ({sum(fakes)} in {len(fakes)} frames)")


def _timing_table(data, pedestal, reference):
    ours, theirs, steps = [], [], []
    for frame, _ in data:  # interleaved, so both see the same machine load
        started = time.perf_counter()
        result = reconstruct(frame, pedestal)
        ours.append(time.perf_counter() - started)
        steps.append([result[name] for name in ("t_zerosup", "t_rebin", "t_DBSCAN", "t_variables")])
        started = time.perf_counter()
        reference(frame)
        theirs.append(time.perf_counter() - started)
    ours_ms, theirs_ms = 1e3 * np.median(ours), 1e3 * np.median(theirs)
    print(f"\n## Time per frame, raw frame -> clusters, single thread ({len(data)} frames, median)\n")
    print("| chain | ms / frame | speed-up of recon.reconstruct |")
    print("|---|---|---|")
    print(f"| recon.reconstruct | {ours_ms:.1f} | 1 |")
    print(f"| plain reference (measured) | {theirs_ms:.1f} | {theirs_ms / ours_ms:.1f}x |")
    print(f"| collaboration's chain (derived: {COLLABORATION_FACTOR:g} x plain, issue 5's factor, not measured) "
          f"| {COLLABORATION_FACTOR * theirs_ms:.0f} | {COLLABORATION_FACTOR * theirs_ms / ours_ms:.0f}x |")
    median_steps = 1e3 * np.median(np.array(steps), axis=0)
    print("\nrecon.reconstruct steps (median ms): t_zerosup {:.2f}, t_rebin {:.2f}, t_DBSCAN {:.2f}, "
          "t_variables {:.2f}".format(*median_steps))


def _variant_table(data, noise, pedestal):
    print(f"\n## Superclustering variants ({len(data)} frames, {len(noise)} noise-only frames)\n")
    print("| variant | muons whole | fe55 found | fakes / noise frame | ms / frame after zero suppression |")
    print("|---|---|---|---|---|")
    sparse = [zero_suppress(frame, pedestal) for frame, _ in data]
    noise_sparse = [zero_suppress(frame, pedestal) for frame in noise]
    for name in VARIANTS:
        started = time.perf_counter()
        results = [run_variant(name, s, pedestal) for s in sparse]
        elapsed = (time.perf_counter() - started) / len(sparse)
        records = [r for result, (_, truth) in zip(results, data) for r in match_frame(result, truth.deposits)]
        muons = np.array([r["coverage"] >= WHOLE_FRACTION for r in records if r["kind"] == "muon"])
        fe55 = np.array([r["cluster"] >= 0 for r in records if r["kind"] == "fe55"])
        fakes = np.mean([int(run_variant(name, s, pedestal)["nSc"]) for s in noise_sparse]) if noise_sparse else np.nan
        print(f"| {name} | {100 * muons.mean():.1f} % | {100 * fe55.mean():.1f} % | {fakes:.3f} | {1e3 * elapsed:.1f} |")


def _separation_table(sim, pedestal, distances=(24, 28, 32, 40, 48), trials=20):
    """Two Fe-55 spots at a given distance: how often do they come out as two clusters?"""
    rng = np.random.default_rng(7)
    rows, cols = sim.shape
    print("\n## Two Fe-55 spots side by side: resolved as two clusters\n")
    print("| distance (px) | " + " | ".join(str(d) for d in distances) + " |")
    print("|---|" + "---|" * len(distances))
    resolved = []
    for distance in distances:
        hits = 0
        for trial in range(trials):
            x, y = rng.uniform(100, cols - 100 - distance), rng.uniform(100, rows - 100)
            angle = rng.uniform(0, np.pi)
            spots = [fe55(rng, sim.shape, x=x, y=y),
                     fe55(rng, sim.shape, x=x + distance * np.cos(angle), y=y + distance * np.sin(angle))]
            frame, _ = sim.data_frame(200000 + trial, deposits=spots)
            hits += int(reconstruct(frame, pedestal)["nSc"]) == 2
        resolved.append(f"{100 * hits / trials:.0f} %")
    print("| resolved | " + " | ".join(resolved) + " |")


def _memory_line(frame, pedestal):
    tracemalloc.start()
    reconstruct(frame, pedestal)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\npeak memory allocated by one reconstruct() of a {frame.shape[0]}x{frame.shape[1]} frame "
          f"(tracemalloc, pedestal caches warm): {peak / 2**20:.1f} MiB")


def _number(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(text, text)


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", default="2304x2304", type=lambda s: tuple(int(v) for v in s.split("x")))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pedestal-frames", type=int, default=50)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--noise-frames", type=int, default=200)
    parser.add_argument("--reference-frames", type=int, default=20)
    parser.add_argument("--reference-noise-frames", type=int, default=20)
    parser.add_argument("--variant-frames", type=int, default=60, help="0 skips the variant table")
    parser.add_argument("--variant-noise-frames", type=int, default=50)
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="a recon.reconstruct option for the quality, timing and separation tables")
    parser.add_argument("--sigma-adu", type=float, default=None,
                        help="median pixel noise of the simulated camera (default: the simulator's 2.2)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
