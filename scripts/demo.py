"""The main job: a simulated pedestal run and data run through edge and sink, on real services.

Starts Mosquitto, SeaweedFS (S3) and VictoriaMetrics (InfluxDB v2 write API) on loopback
in a throwaway directory, then the sink and the edge agent with the example configs'
settings, simulates a pedestal run and a data run with the camera simulator, waits
until the sink has written the run's manifest and ROOT file, and prints a summary
read back from S3 and the time-series store (not from the agent's own counters).

Usage: ``python scripts/demo.py [--frames N] [--pedestal-frames N] [--shape RxC] [--keep]``
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deployment import Deployment, wait_for  # noqa: E402
from localservices import LocalServices  # noqa: E402

from compression.checksum import pixel_checksum  # noqa: E402
from edge.sim import FrameSimulator, SensorModel  # noqa: E402
from edge.sim.daq_sender import DaqSender  # noqa: E402
from sink import layout  # noqa: E402

PEDESTAL_RUN, DATA_RUN = 1, 2


def main(argv=None) -> int:
    args = _parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="cygno-demo-"))
    print(f"demo directory: {workdir}")
    try:
        with LocalServices(workdir / "services") as services:
            print(f"services up: MQTT {services.mqtt_port}, S3 {services.s3_endpoint_url}, "
                  f"VictoriaMetrics {services.influx_url}")
            with Deployment(workdir / "deploy", services) as deployment:
                deployment.start_sink()
                deployment.start_edge()
                checksums = _simulate(deployment, args)
                summary = _collect(deployment, services, checksums)
        _print_summary(summary)
        return 0 if summary["ok"] else 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="frames in the data run (default 40)")
    parser.add_argument("--pedestal-frames", type=int, default=30, help="frames in the pedestal run")
    parser.add_argument("--shape", default="2304x2304", type=_shape, help="frame ROWSxCOLS (default 2304x2304)")
    parser.add_argument("--rate", type=float, default=0, help="frames/s, 0 = as fast as the edge takes")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway directory")
    return parser.parse_args(argv)


def _shape(text: str) -> tuple:
    try:
        rows, cols = (int(n) for n in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shape must be ROWSxCOLS, got {text!r}") from None
    return rows, cols


def _simulate(deployment, args) -> dict:
    """Send the two runs; returns {(run, frame): checksum} of every frame sent."""
    simulator = FrameSimulator(SensorModel(args.shape, seed=7), seed=11)
    checksums = {}

    def remember(run):
        return lambda number, frame, truth: checksums.__setitem__((run, number), pixel_checksum(frame))

    with DaqSender(simulator, deployment.daq_endpoint, ack_endpoint=deployment.ack_endpoint,
                   send_timeout_s=120) as daq:
        for run, frames, pedestal in ((PEDESTAL_RUN, args.pedestal_frames, True),
                                      (DATA_RUN, args.frames, False)):
            print(f"run {run}: sending {frames} {'pedestal' if pedestal else 'data'} frames of "
                  f"{args.shape[0]}x{args.shape[1]}")
            report = daq.send_run(run, frames, pedestal=pedestal, rate_hz=args.rate or None,
                                  on_frame=remember(run))
            print(f"run {run}: sent {report.frames_sent} frames in {report.seconds:.1f} s "
                  f"({report.rate_hz:.1f} frames/s)")
    return checksums


def _collect(deployment, services, checksums) -> dict:
    s3, bucket, detector = services.s3_client(), deployment.bucket, deployment.detector
    manifests = {}
    for run in (PEDESTAL_RUN, DATA_RUN):
        key = layout.manifest_key(detector, run)
        manifests[run] = wait_for(lambda: _get_json(s3, bucket, key), 300, what=f"manifest of run {run}")
    root_key = layout.root_key(detector, DATA_RUN)
    wait_for(lambda: _exists(s3, bucket, root_key), 120, what="ROOT file of the data run")
    objects = _count_objects(s3, bucket)
    wait_for(lambda: services.count_points("edge_pipeline") > 0, 60, what="edge_pipeline points")
    points = {m: services.count_points(m) for m in ("edge_host", "edge_pipeline", "reco")}
    frames = [(run, f) for run, m in manifests.items() for f in m["frames"]]
    bytes_in = sum(f["raw_bytes"] for _, f in frames)
    bytes_out = sum(f["size"] for _, f in frames)
    bad = [f for run, f in frames if checksums.get((run, f["frame"])) != f["checksum"]]
    expected = len(checksums)
    return {"frames_sent": expected, "frames_stored": len(frames), "checksum_mismatches": len(bad),
            "bytes_in": bytes_in, "bytes_out": bytes_out, "objects": objects, "points": points,
            "ok": len(frames) == expected and not bad}


def _print_summary(summary) -> None:
    ratio = summary["bytes_in"] / summary["bytes_out"] if summary["bytes_out"] else 0
    print("\n=== cygno-edge demo summary ===")
    print(f"frames sent by the DAQ      {summary['frames_sent']}")
    print(f"frames in S3 (manifests)    {summary['frames_stored']}  "
          f"(checksum mismatches: {summary['checksum_mismatches']})")
    print(f"raw bytes in                {summary['bytes_in']:,}")
    print(f"compressed bytes out        {summary['bytes_out']:,}")
    print(f"compression ratio           {ratio:.2f}")
    print("objects in S3               " + ", ".join(f"{k}: {v}" for k, v in summary["objects"].items()))
    print("points in time-series store " + ", ".join(f"{k}: {v}" for k, v in summary["points"].items()))
    print("result                      " + ("OK" if summary["ok"] else "FAILED"))


def _get_json(s3, bucket, key):
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def _exists(s3, bucket, key) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except Exception:  # noqa: BLE001 - botocore raises ClientError(404)
        return False


def _count_objects(s3, bucket) -> dict:
    counts = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            prefix = item["Key"].split("/", 1)[0]
            counts[prefix] = counts.get(prefix, 0) + 1
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"demo took {time.monotonic() - started:.0f} s")
    sys.exit(code)
