"""Cost of an empty numba cache at service start: the first frame through the edge stages.

Run:  .venv/bin/python benchmarks/numba_cold_start.py [--repeats 2]

Each repeat runs a fresh Python process twice on the same new ``NUMBA_CACHE_DIR``: the
first finds the cache empty (every ``cache=True`` kernel the edge stages use is compiled on
the first frame), the second loads it. Each process times the import, the first frame and
a second frame (288 x 512 simulator frames, lossless codec + zero suppression +
reconstruction). The same pair of processes runs again with the agent's start-up
warm-up (``edge.warmup.warm_up``, what ``cygno-edge run`` does before it takes frames)
timed before the frames. Why it matters: see systemd/README.md (where the services keep
the cache).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CHILD = """
import json, sys, time
started = time.perf_counter()
import recon
from edge.daq_protocol import Image
from edge.sim import FrameSimulator, SensorModel
from edge.stages import FrameWork, build_stages, run_stages
imported = time.perf_counter() - started
simulator = FrameSimulator(SensorModel((288, 512), seed=1), seed=2)
pedestal = recon.Pedestal.from_frames(simulator.pedestal_frame(i) for i in range(10))
pipeline = {"codec": "lossless", "lossy_q": 2, "zero_suppression": True, "reconstruction": True,
            "pedestal_tracking": False, "pedestal_tracking_alpha": 0.01}
stages = build_stages(pipeline)
warm_up_s = 0.0
if sys.argv[1] == "warm-up":
    from edge.warmup import warm_up
    warm_up_s = warm_up(pipeline)
times = []
for number in range(2):
    frame = simulator.data_frame(number)[0]
    started = time.perf_counter()
    run_stages(stages, FrameWork("bench", Image(1, number, 0.0, 0.3, frame), pedestal))
    times.append(time.perf_counter() - started)
print(json.dumps({"import": imported, "warm_up": warm_up_s, "first": times[0], "second": times[1]}))
"""


def run_child(cache_dir: str, mode: str) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    output = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    print("| repeat | start-up | cache | import s | warm-up s | first frame s | second frame s |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for repeat in range(args.repeats):
        for mode in ("none", "warm-up"):
            with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache_dir:
                cold, warm = run_child(cache_dir, mode), run_child(cache_dir, mode)
            for label, row in (("empty", cold), ("warm", warm)):
                print(f"| {repeat} | {mode} | {label} | {row['import']:.2f} | {row['warm_up']:.2f} | "
                      f"{row['first']:.2f} | {row['second']:.3f} |")
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores (shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
