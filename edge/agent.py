"""The edge agent: DAQ frames in over ZeroMQ, spooled envelopes out over MQTT.

One receiver thread (this loop) pulls DAQ messages, validates them and hands each
image to a worker thread that runs the pipeline stages and spools the results.
Back-pressure policy: the loop stops reading from ZeroMQ while the spool holds
``[spool] max_bytes`` or more, and while every worker is busy; the DAQ's PUSH socket
then blocks once ZeroMQ's small receive queue (``[daq] receive_hwm``) is full. Time
spent so is counted as ``blocked_s``. Nothing is ever dropped to make room.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import zmq

from . import daq_protocol
from .daq_acks import DaqAcknowledger, NoAcknowledger
from .errors import DaqMessageError
from .frame_handler import FrameHandler
from .pedestal_keeper import PedestalKeeper
from .pedestal_tracking import PedestalTracking
from .quarantine import Quarantine
from .runs import RunBook
from .spool import Spool
from .stages import build_stages
from .telemetry import PipelineCounters, host_metrics, telemetry_envelope
from .uplink import Uplink

__all__ = ["EdgeAgent"]

log = logging.getLogger(__name__)


class EdgeAgent:
    """Wires the DAQ socket, the pipeline, the spool, the uplink and telemetry together."""

    def __init__(self, config: dict):
        self.config = config
        self.detector = config["detector"]["name"]
        root = Path(config["spool"]["dir"])
        self.spool = Spool(root / "spool", config["spool"]["max_bytes"])
        self.counters = PipelineCounters()
        self.uplink = Uplink(self.spool, config["mqtt"], self.detector,
                             config["spool"]["resend_after_s"], config["spool"]["max_inflight_bytes"])
        workers = config["pipeline"]["workers"]
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="frame")
        self._slots = threading.BoundedSemaphore(workers + 1)
        pedestals = PedestalKeeper(root / "state")
        self.frames = FrameHandler(
            detector=self.detector, stages=build_stages(config["pipeline"]), spool=self.spool,
            runs=RunBook(root / "state"), pedestals=pedestals,
            quarantine=Quarantine(root / "quarantine"), counters=self.counters,
            on_spooled=self.uplink.notify, tracking=_tracking(config["pipeline"], pedestals),
        )
        self._stop = threading.Event()
        self._next_telemetry = 0.0
        self._context = zmq.Context.instance()
        ack_endpoint = config["daq"]["ack_endpoint"]
        self.daq_acks = DaqAcknowledger(self._context, ack_endpoint) if ack_endpoint else NoAcknowledger()
        self.frames.on_done = self.daq_acks.done

    def stop(self) -> None:
        """Ask :meth:`run` to return after the current message (signal-safe)."""
        self._stop.set()

    def run(self) -> None:
        """Serve until :meth:`stop`; then finish in-flight frames and flush telemetry."""
        self.uplink.start()
        socket = self._context.socket(zmq.PULL)
        socket.setsockopt(zmq.RCVHWM, self.config["daq"]["receive_hwm"])
        socket.setsockopt(zmq.LINGER, 0)
        socket.connect(self.config["daq"]["endpoint"])
        log.info("edge agent for %s pulling from %s", self.detector, self.config["daq"]["endpoint"])
        try:
            while not self._stop.is_set():
                self._wait_for_room()
                if socket.poll(100):
                    self._receive(socket)
                self.daq_acks.flush()
                self._maybe_telemetry()
        finally:
            socket.close()
            self._pool.shutdown(wait=True)
            self.daq_acks.flush()
            self.daq_acks.close()
            self._spool_telemetry()
            self.uplink.stop()
            log.info("edge agent stopped: %s", self.counters.snapshot())

    def _wait_for_room(self) -> None:
        if not self.spool.full:
            return
        started = time.monotonic()
        log.warning("spool full (%d bytes >= %d): blocking the DAQ", self.spool.bytes, self.spool.max_bytes)
        while self.spool.full and not self._stop.is_set():
            self.daq_acks.flush()
            self._maybe_telemetry()
            time.sleep(0.1)
        self.counters.add("blocked_s", time.monotonic() - started)

    def _receive(self, socket) -> None:
        parts = socket.recv_multipart(copy=False)
        buffers = [part.buffer for part in parts]
        try:
            message = daq_protocol.decode_message(buffers)
        except DaqMessageError as exc:
            self.counters.add("messages_rejected")
            self.frames.quarantine_message(str(exc), buffers)
            return
        if isinstance(message, daq_protocol.Image):
            self._submit(message)
        elif isinstance(message, daq_protocol.RunStart):
            self.frames.run_started(message)
        else:
            self.frames.run_ended(message)

    def _submit(self, image) -> None:
        started = time.monotonic()
        while not self._slots.acquire(timeout=0.05):  # all workers busy: the DAQ feels it
            self.daq_acks.flush()
        waited = time.monotonic() - started
        if waited > 0.001:
            self.counters.add("blocked_s", waited)
        future = self.frames.submit(self._pool, image)
        future.add_done_callback(lambda _: self._slots.release())

    def _maybe_telemetry(self) -> None:
        now = time.monotonic()
        if now >= self._next_telemetry:
            self._next_telemetry = now + self.config["telemetry"]["interval_s"]
            self._spool_telemetry()

    def _spool_telemetry(self) -> None:
        pipeline = self.counters.snapshot()
        pipeline.update(spool_items=self.spool.count, spool_bytes=self.spool.bytes,
                        uplink_connected=int(self.uplink.connected), uplink_inflight=self.uplink.inflight,
                        uplink_published=self.uplink.published, uplink_acked=self.uplink.acked,
                        uplink_resent=self.uplink.resent)
        envelope = telemetry_envelope(self.detector, host_metrics(self.spool.directory), pipeline)
        self.frames.spool_envelopes([envelope])


def _tracking(pipeline: dict, pedestals: PedestalKeeper) -> PedestalTracking | None:
    """Online pedestal tracking if ``[pipeline] pedestal_tracking`` asks for it."""
    if not pipeline["pedestal_tracking"]:
        return None
    return PedestalTracking(pedestals, every=pipeline["pedestal_tracking_every"],
                            publish_every=pipeline["pedestal_tracking_publish_every"],
                            alpha=pipeline["pedestal_tracking_alpha"])
