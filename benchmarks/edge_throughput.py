"""Edge throughput and memory: frames/s of the whole pipeline, and the agent's peak RSS.

Run:  .venv/bin/python benchmarks/edge_throughput.py [--frames 120] [--shape 2304x2304]
      [--pipeline pedestal_tracking=true ...] [--skip-in-process] [--skip-agent]

Table 1 runs the agent's stages (lossless codec with pedestal, zero suppression,
reconstruction) in-process on a pool of simulator data frames, with 1 and 2 worker
threads, next to two peers timed in the same run on the same frames: one numpy pass
(``frame.astype(np.float32) - pedestal.mean``) and Blosc2 zstd+shuffle clevel 1.

Table 2 runs the real agent (``cygno-edge run``, a child process) against a real
Mosquitto with a pedestal, and feeds it from the simulated DAQ with the ack channel,
unthrottled, from a pool of pre-generated frames: frames/s is counted from the DAQ's
first image to the edge's acknowledgement of the last one (every frame compressed,
zero-suppressed, reconstructed, fsync'ed into the spool and published), and the
agent's RSS is sampled every 50 ms (peaks during the pedestal run and the data run, and
the last sample). ``--pipeline KEY=VALUE`` passes ``[pipeline]`` settings to the agent. The simulated DAQ shares the 2 cores.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # compression.py shadows
sys.path.insert(0, str(Path(_HERE).parent / "scripts"))

import psutil  # noqa: E402

import recon  # noqa: E402
from edge.daq_protocol import Image  # noqa: E402
from edge.sim import FrameSimulator, SensorModel  # noqa: E402
from edge.sim.daq_sender import DaqSender  # noqa: E402
from edge.stages import FrameWork, build_stages, run_stages  # noqa: E402

PIPELINE = {"codec": "lossless", "lossy_q": 2, "zero_suppression": True, "reconstruction": True}


def main() -> int:
    args = _parse()
    simulator = FrameSimulator(SensorModel(args.shape, seed=1), seed=2)
    print(f"# frames {args.shape[0]}x{args.shape[1]}, pool of {args.pool} data frames, "
          f"pedestal from {args.pedestal_frames} frames, {os.cpu_count()} cores")
    pedestal = recon.Pedestal.from_frames(simulator.pedestal_frame(i) for i in range(args.pedestal_frames))
    pool = [simulator.data_frame(i)[0] for i in range(args.pool)]
    if not args.skip_in_process:
        _in_process_table(pool, pedestal, args.frames)
    _agent_table(simulator, args)
    return 0


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=120, help="frames per measurement")
    parser.add_argument("--pool", type=int, default=8, help="distinct data frames cycled")
    parser.add_argument("--pedestal-frames", type=int, default=30)
    parser.add_argument("--shape", default="2304x2304", type=lambda t: tuple(int(n) for n in t.split("x")))
    parser.add_argument("--skip-agent", action="store_true", help="only the in-process table")
    parser.add_argument("--skip-in-process", action="store_true", help="only the agent table")
    parser.add_argument("--pipeline", action="append", default=[], metavar="KEY=VALUE",
                        help="an edge.toml [pipeline] setting for the agent, e.g. pedestal_tracking=true")
    args = parser.parse_args()
    args.pipeline = dict(_setting(item) for item in args.pipeline)
    return args


def _setting(item: str) -> tuple:
    key, _, text = item.partition("=")
    value = {"true": True, "false": False}.get(text.lower(), text)
    for kind in (int, float):
        try:
            value = kind(text)
            break
        except ValueError:
            pass
    return key, value


def _in_process_table(pool, pedestal, n_frames) -> None:
    import blosc2

    stages = build_stages(PIPELINE)
    work = lambda i: run_stages(stages, FrameWork("bench", Image(1, i, 0.0, 0.3, pool[i % len(pool)]), pedestal))
    for i in range(len(pool)):  # warm the numba caches
        work(i)
    rows = []
    for threads in (1, 2):
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as executor:
            results = list(executor.map(work, range(n_frames)))
        seconds = time.perf_counter() - started
        per_stage = {name: 1000 * np.mean([r.timings[name] for r in results]) for name in results[0].timings}
        rows.append((f"edge stages, {threads} thread(s)", n_frames / seconds, per_stage))
    numpy_s = _best(lambda i: pool[i % len(pool)].astype(np.float32) - pedestal.mean, n_frames)
    blosc_s = _best(lambda i: blosc2.compress(pool[i % len(pool)], typesize=2, clevel=1,
                                               codec=blosc2.Codec.ZSTD, filter=blosc2.Filter.SHUFFLE), n_frames)
    print("\n| what | frames/s | compress ms | zero_suppress ms | reconstruct ms |")
    print("|---|---:|---:|---:|---:|")
    for label, rate, stage in rows:
        print(f"| {label} | {rate:.1f} | {stage['compress']:.1f} | {stage['zero_suppress']:.1f} | "
              f"{stage['reconstruct']:.1f} |")
    print(f"| peer: one numpy pass, 1 thread | {1 / numpy_s:.1f} | | | |")
    print(f"| peer: blosc2 zstd+shuffle c1, 1 thread | {1 / blosc_s:.1f} | | | |")
    one, two = rows[0][1], rows[1][1]
    print(f"\n2 threads / 1 thread: {two / one:.2f}; all stages, 1 thread, cost "
          f"{(1 / one) / numpy_s:.1f} numpy passes per frame")


def _best(function, n: int) -> float:
    times = []
    for i in range(min(n, 20)):
        started = time.perf_counter()
        function(i)
        times.append(time.perf_counter() - started)
    return min(times)


def _agent_table(simulator, args) -> None:
    if args.skip_agent:
        return
    from deployment import Deployment
    from localservices import LocalServices

    with tempfile.TemporaryDirectory(prefix="cygno-bench-") as workdir, \
            LocalServices(Path(workdir) / "services") as services:
        print(f"\n[pipeline] settings: {args.pipeline or 'defaults'}")
        print("\n| agent workers | frames | seconds | frames/s | MB/s in | peak RSS MB | "
              "peak RSS MB, pedestal run | peak RSS MB, data run | RSS MB at the end |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for workers in (1, 2):
            deployment = Deployment(Path(workdir) / f"w{workers}", services, detector=f"bench{workers}",
                                    edge_settings={"pipeline": {"workers": workers, **args.pipeline},
                                                   "telemetry": {"interval_s": 5.0}})
            with deployment:
                edge = deployment.start_edge()
                _measure_agent(deployment, edge, simulator, args, workers)


def _measure_agent(deployment, edge, simulator, args, workers) -> None:
    peak = {"pedestal": 0, "data": 0, "last": 0}
    phase = ["pedestal"]
    done = threading.Event()

    def sample():
        process = psutil.Process(edge.pid)
        while not done.is_set():
            try:
                rss = process.memory_info().rss
            except psutil.Error:
                return
            peak[phase[0]] = max(peak[phase[0]], rss)
            peak["last"] = rss
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with DaqSender(simulator, deployment.daq_endpoint, ack_endpoint=deployment.ack_endpoint,
                   send_timeout_s=300) as daq:
        daq.send_run(1, args.pedestal_frames, pedestal=True, pool=args.pool)
        phase[0] = "data"
        report = daq.send_run(2, args.frames, pool=args.pool)
    done.set()
    sampler.join()
    megabytes = report.frames_sent * simulator.shape[0] * simulator.shape[1] * 2 / 1e6
    mb = {name: value / 1e6 for name, value in peak.items()}
    print(f"| {workers} | {report.frames_sent} | {report.seconds:.1f} | {report.rate_hz:.1f} | "
          f"{megabytes / report.seconds:.0f} | {max(mb['pedestal'], mb['data']):.0f} | "
          f"{mb['pedestal']:.0f} | {mb['data']:.0f} | {mb['last']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
