"""What the edge does with each DAQ message: run documents, frames, pedestals, failures.

Every image ends either spooled (its raw, zs and reco envelopes written durably) or
quarantined with its run and frame number; the run-stop document counts both, and
lists the frames the DAQ announced that never arrived.
"""

import json
import logging
import threading
import time

from .daq_protocol import Image, RunEnd, RunStart
from .stages import FrameWork, run_stages
from .wire import Envelope, digest, item_key, topic

__all__ = ["FrameHandler"]

log = logging.getLogger(__name__)


class FrameHandler:
    """Turns validated DAQ messages into spooled envelopes."""

    def __init__(self, detector, stages, spool, runs, pedestals, quarantine, counters, on_spooled,
                 tracking=None):
        self.detector = detector
        self.tracking = tracking  # an edge.pedestal_tracking.PedestalTracking, or None
        self.stages = stages
        self.spool = spool
        self.runs = runs
        self.pedestals = pedestals
        self.quarantine = quarantine
        self.counters = counters
        self.on_spooled = on_spooled
        self.on_done = lambda run, frame=None, what=None: None  # DAQ acknowledgements
        self._pending: dict[int, set] = {}
        self._lock = threading.Lock()

    def run_started(self, message: RunStart) -> None:
        self.runs.start(message.run, message.pedestal, message.metadata)
        self.counters.add("runs_started")
        if message.pedestal:
            self.pedestals.begin(message.run)
        header = {"kind": "run_start", "detector": self.detector,
                  "key": item_key("run_start", message.run), "run": message.run,
                  "pedestal": message.pedestal, "timestamp": time.time(),
                  "metadata": message.metadata,
                  "pedestal_id": getattr(self.pedestals.current, "id", None)}
        self.spool_envelopes([Envelope(header)])
        self.on_done(message.run, what="run_start")
        log.info("run %d started (pedestal=%s)", message.run, message.pedestal)

    def submit(self, pool, image: Image):
        """Process one image on the worker pool; returns the future."""
        self.counters.add("frames_received")
        self.counters.add("bytes_in", image.pixels.nbytes)
        state = self.runs.get(image.run)
        if state.pedestal:
            self.pedestals.add(image.run, image.frame, image.pixels)
        future = pool.submit(self._process, image, self.pedestals.current, state.pedestal)
        with self._lock:
            self._pending.setdefault(image.run, set()).add(future)
        future.add_done_callback(lambda done: self._forget(image.run, done))
        return future

    def run_ended(self, message: RunEnd) -> None:
        self._wait_for_run(message.run)
        state = self.runs.get(message.run)
        built = self.pedestals.finish(message.run) if state.pedestal else None
        if built is not None:
            pedestal, _ = built
            self._publish_then_adopt(self._pedestal_envelope(message.run, pedestal), pedestal)
        summary = state.summary(message.frames)
        header = {"kind": "run_stop", "detector": self.detector, "key": item_key("run_stop", message.run),
                  "run": message.run, "timestamp": time.time(), "metadata": message.metadata,
                  "pedestal_id": getattr(self.pedestals.current, "id", None),
                  "reconstruction": any(stage.name == "reconstruct" for stage in self.stages),
                  **summary}
        self.runs.sync(message.run)
        self.spool_envelopes([Envelope(header)])
        self.runs.finish(message.run)
        self.on_done(message.run, what="run_end")
        self.counters.add("runs_ended")
        if summary["missing"]:
            log.error("run %d: %d frame(s) announced by the DAQ never arrived: %s", message.run,
                      len(summary["missing"]), summary["missing"][:20])
        log.info("run %d ended: %s", message.run, {k: v for k, v in summary.items() if k != "missing"})

    def quarantine_message(self, reason: str, parts) -> None:
        """A DAQ message that broke the contract: keep it, count it, go on."""
        run, frame = _guess_run_frame(parts)
        self.quarantine.add(reason, [bytes(p) for p in parts], run, frame)
        if run is not None and frame is not None:
            self.runs.mark_quarantined(run, frame)
            self.on_done(run, frame)
        if frame is not None:
            self.counters.add("frames_quarantined")

    def spool_envelopes(self, envelopes) -> None:
        entries = []
        for envelope in envelopes:
            payload = envelope.to_bytes()
            entries.append((envelope.key, digest(payload), topic(self.detector, envelope.kind), payload))
        self.spool.put_many(entries)
        self.on_spooled()

    def _process(self, image: Image, pedestal, pedestal_run: bool) -> None:
        try:
            stages = self.stages[:1] if pedestal_run else self.stages
            work = run_stages(stages, FrameWork(self.detector, image, pedestal))
            self.spool_envelopes(work.envelopes)
            self._track_pedestal(work, pedestal_run)
        except Exception as exc:  # noqa: BLE001 - any failure must quarantine, not kill the agent
            log.exception("frame run=%d frame=%d failed", image.run, image.frame)
            self.quarantine.add(f"{type(exc).__name__}: {exc}", [image.pixels.tobytes()],
                                image.run, image.frame)
            self.runs.mark_quarantined(image.run, image.frame)
            self.counters.add("frames_quarantined")
            self.on_done(image.run, image.frame)
            return
        self.runs.mark_spooled(image.run, image.frame)
        self.on_done(image.run, image.frame)
        self.counters.add("frames_spooled")
        self.counters.add("bytes_out", len(work.envelopes[0].body))

    def _track_pedestal(self, work: FrameWork, pedestal_run: bool) -> None:
        """Online tracking: fold in this frame; publish then adopt a tracked pedestal when due.

        A tracking failure is logged and counted; it never costs the frame itself."""
        if self.tracking is None or pedestal_run:
            return
        image = work.image

        def publish_then_adopt(tracked):
            envelope = self._pedestal_envelope(image.run, tracked, frame=image.frame)
            self._publish_then_adopt(envelope, tracked)

        try:
            self.tracking.observe(image, work.pedestal, work.sparse, publish_then_adopt)
        except Exception:  # noqa: BLE001 - the frame is fine, only the pedestal update failed
            log.exception("pedestal tracking failed on run=%d frame=%d", image.run, image.frame)
            self.counters.add("pedestal_tracking_errors")

    def _publish_then_adopt(self, envelope: Envelope, pedestal) -> None:
        """Spool a new pedestal's item durably, then put the pedestal in force: a crash in
        between leaves the old one in force, never one whose item the cloud will not get."""
        self.spool_envelopes([envelope])
        self.pedestals.adopt(pedestal, envelope.body)

    def _pedestal_envelope(self, run: int, pedestal, frame: int | None = None) -> Envelope:
        """A pedestal item: from a pedestal run (``frame`` None) or tracked at ``frame``."""
        header = {"kind": "pedestal", "detector": self.detector,
                  "key": item_key("pedestal", run, frame), "run": run, "pedestal_id": pedestal.id,
                  "n_frames": pedestal.n_frames, "shape": list(pedestal.mean.shape)}
        if frame is not None:
            header["frame"] = frame
        return Envelope(header, pedestal.to_bytes())

    def _wait_for_run(self, run: int) -> None:
        with self._lock:
            futures = list(self._pending.get(run, ()))
        for future in futures:
            future.exception()  # waits; failures were quarantined inside

    def _forget(self, run: int, future) -> None:
        with self._lock:
            self._pending.get(run, set()).discard(future)


def _guess_run_frame(parts) -> tuple:
    """Best-effort run and frame numbers of a rejected message, for the quarantine record."""
    try:
        header = json.loads(bytes(parts[0]).decode("utf-8"))
        run, frame = header.get("run"), header.get("frame")
    except Exception:  # noqa: BLE001 - the message is already known to be garbage
        return None, None
    return (run if isinstance(run, int) else None), (frame if isinstance(frame, int) else None)
