"""How long the local servers of the tests and the demo take to start, restart and stop.

Run:  .venv/bin/python benchmarks/local_services.py [--repeats 5]

Each repeat starts ``LocalServices`` in a fresh directory (Mosquitto, SeaweedFS with S3,
VictoriaMetrics; fresh ports, empty data), restarts the broker once (graceful, as the
failure tests do) and stops everything. Prints one row per phase: median, min and max
seconds, and the median as a fraction of the full start (the peer measured in the same
run, so the ratios survive the noise of the shared machine).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from localservices import LocalServices  # noqa: E402


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def one_cycle(workdir: Path) -> dict[str, float]:
    services = LocalServices(workdir)
    phases = {"start (all three ready)": timed(services.start)}
    try:
        phases["first S3 put into a new bucket"] = timed(lambda: _first_put(services))
        phases["restart_broker (graceful)"] = timed(services.restart_broker)
        phases["restart_broker(kill=True)"] = timed(lambda: services.restart_broker(kill=True))
    finally:
        phases["stop (all three gone)"] = timed(services.stop)
    return phases


def _first_put(services) -> None:
    client = services.s3_client()
    client.create_bucket(Bucket="bench-bucket")
    client.put_object(Bucket="bench-bucket", Key="k", Body=b"x" * 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-services-") as tmp:
        for repeat in range(args.repeats):
            runs.append(one_cycle(Path(tmp) / f"run{repeat}"))
    start_median = statistics.median(run["start (all three ready)"] for run in runs)
    print(f"# LocalServices, {args.repeats} repeats, fresh directory and ports each time")
    print("| phase | median s | min s | max s | median / start |")
    print("|---|---:|---:|---:|---:|")
    for phase in runs[0]:
        values = [run[phase] for run in runs]
        median = statistics.median(values)
        print(f"| {phase} | {median:.2f} | {min(values):.2f} | {max(values):.2f} | "
              f"{median / start_median:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
