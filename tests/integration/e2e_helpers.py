"""Shared steps of the end-to-end tests: send simulated runs, read back what the sink stored."""

import json
import threading

from deployment import wait_for

from compression.checksum import pixel_checksum
from edge.sim import FrameSimulator, SensorModel
from edge.sim.daq_sender import DaqSender
from sink import layout

SHAPE = (288, 512)  # small non-square frames keep the suite fast; the code never assumes a size


def simulator(seed=3, drift_adu_per_frame=0.0):
    return FrameSimulator(SensorModel(SHAPE, seed=1), seed=seed, drift_adu_per_frame=drift_adu_per_frame)


class RunSender:
    """Sends one run from a background thread, recording each frame's checksum."""

    def __init__(self, deployment, run, frames, pedestal=False, rate_hz=None, seed=3,
                 drift_adu_per_frame=0.0, after_frame=None):
        self.checksums = {}
        self._after_frame = after_frame  # called with each frame number once sent; may block
        self.frames_sent = threading.Event()
        self.milestones = {}
        self.report = None
        self.error = None
        self._args = (deployment, run, frames, pedestal, rate_hz, seed, drift_adu_per_frame)
        self._thread = threading.Thread(target=self._send, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def wait_for_frame(self, number, timeout=120):
        event = self.milestones.setdefault(number, threading.Event())
        assert event.wait(timeout), f"frame {number} was not sent within {timeout} s"

    def join(self, timeout=300):
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the simulated DAQ is still sending"
        if self.error:
            raise self.error
        return self.report

    def _on_frame(self, number, frame, truth):
        self.checksums[number] = pixel_checksum(frame)
        self.milestones.setdefault(number, threading.Event()).set()
        if self._after_frame is not None:
            self._after_frame(number)

    def _send(self):
        deployment, run, frames, pedestal, rate_hz, seed, drift = self._args
        try:
            with DaqSender(simulator(seed, drift), deployment.daq_endpoint,
                           ack_endpoint=deployment.ack_endpoint, send_timeout_s=120) as daq:
                self.report = daq.send_run(run, frames, pedestal=pedestal, rate_hz=rate_hz,
                                           on_frame=self._on_frame)
        except Exception as exc:  # noqa: BLE001 - re-raised in join()
            self.error = exc


def send_run(deployment, run, frames, pedestal=False, rate_hz=None, seed=3,
             drift_adu_per_frame=0.0, after_frame=None) -> dict:
    """Send a whole run and return {frame number: checksum}.

    ``after_frame(number)``, if given, is called once each frame is sent; the sender
    waits for it, so a test can hold the run until the edge has reacted."""
    sender = RunSender(deployment, run, frames, pedestal, rate_hz, seed, drift_adu_per_frame,
                       after_frame).start()
    sender.join()
    return sender.checksums


def manifest(deployment, run, timeout=180) -> dict:
    s3 = deployment.s3_client()
    key = layout.manifest_key(deployment.detector, run)

    def fetch():
        try:
            return json.loads(s3.get_object(Bucket=deployment.bucket, Key=key)["Body"].read())
        except s3.exceptions.NoSuchKey:
            return None

    return wait_for(fetch, timeout, what=f"manifest of run {run}")


def keys_under(deployment, prefix) -> list:
    s3 = deployment.s3_client()
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=deployment.bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(keys)


def assert_run_complete(deployment, run, checksums):
    """Every frame sent is stored once, under its own key, bit-exact by checksum."""
    stored = manifest(deployment, run)
    by_frame = {f["frame"]: f for f in stored["frames"]}
    assert sorted(by_frame) == sorted(checksums), f"frames missing: {set(checksums) - set(by_frame)}"
    assert {n: f["checksum"] for n, f in by_frame.items()} == checksums
    frame_keys = [k for k in keys_under(deployment, layout.raw_prefix(deployment.detector, run))
                  if not k.endswith("manifest.json")]
    assert frame_keys == sorted(layout.raw_key(deployment.detector, run, n) for n in checksums)
    assert stored["missing"] == [] and stored["quarantined"] == []
    return stored
