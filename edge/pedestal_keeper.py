"""The pedestal in force on the edge: built from pedestal runs, kept across restarts.

During a pedestal run (``run_start`` with ``pedestal: true``) every frame is fed to
``recon.Pedestal.from_frames`` running in a background thread over a bounded queue
(one streaming pass, bounded memory). At ``run_end`` the new pedestal replaces the
old one, is written atomically to ``<spool>/state/pedestal.bin`` so a restarted
agent keeps using it, and is returned for publication.
"""

import logging
import os
import queue
import threading
from pathlib import Path

import recon

__all__ = ["PedestalKeeper"]

log = logging.getLogger(__name__)

_END = object()


class PedestalKeeper:
    """Holds the current pedestal and builds the next one from a pedestal run."""

    def __init__(self, state_dir):
        self._path = Path(state_dir) / "pedestal.bin"
        self.current = self._load()
        self._frames: queue.Queue | None = None
        self._builder: threading.Thread | None = None
        self._result: dict = {}
        self._added: set = set()
        self.building_run: int | None = None

    def begin(self, run: int) -> None:
        """Start accumulating a pedestal run (a resent run_start of that run changes nothing)."""
        if run == self.building_run:
            return
        self.abort()
        self._added = set()
        self.building_run = run
        self._frames = queue.Queue(maxsize=8)
        self._result = {"frames": 0}
        self._builder = threading.Thread(target=self._build, args=(self._frames, self._result, run),
                                         name=f"pedestal-run{run}", daemon=True)
        self._builder.start()

    def add(self, run: int, frame: int, pixels) -> None:
        """Feed one frame of the pedestal run being built (others, and resent ones, are ignored)."""
        if self._frames is not None and run == self.building_run and frame not in self._added:
            self._added.add(frame)
            self._frames.put(pixels)

    def finish(self, run: int):
        """End the pedestal run; returns ``(pedestal, n_frames)`` or None if nothing was built.

        The new pedestal is not yet in force: the caller spools its item durably first and
        then calls :meth:`adopt`, so that a crash in between leaves the old pedestal in force,
        never one that the cloud will not receive."""
        if self._frames is None or run != self.building_run:
            return None
        self._frames.put(_END)
        self._builder.join()
        self._frames = None
        self.building_run = None
        result, self._result = self._result, {}  # keep no reference once it is handed over
        pedestal = result.get("pedestal")
        if pedestal is None:
            log.error("pedestal run %d produced no pedestal: %s", run, result.get("error"))
            return None
        log.info("new pedestal %s from run %d (%d frames)", pedestal.id, run, result["frames"])
        return pedestal, result["frames"]

    def adopt(self, pedestal, serialised: bytes | None = None) -> None:
        """Make ``pedestal`` (e.g. a tracked one) the one in force, saved for restarts.

        ``serialised`` is ``pedestal.to_bytes()`` if the caller has it already (it takes
        most of a second for a LIME pedestal)."""
        self.current = pedestal
        self._save(pedestal.to_bytes() if serialised is None else serialised)

    def abort(self) -> None:
        if self._frames is not None:
            self._frames.put(_END)
            self._builder.join()
            self._frames = None
            self.building_run = None

    @staticmethod
    def _build(frames: queue.Queue, result: dict, run: int) -> None:
        def stream():
            while (frame := frames.get()) is not _END:
                result["frames"] += 1
                yield frame

        try:
            result["pedestal"] = recon.Pedestal.from_frames(stream(), run=run)
        except (ValueError, OSError) as exc:
            result["error"] = str(exc)
            for _ in stream():  # drain so that add() never blocks
                pass

    def _load(self):
        if not self._path.exists():
            return None
        try:
            pedestal = recon.Pedestal.from_bytes(self._path.read_bytes())
        except (ValueError, OSError) as exc:
            log.error("ignoring unreadable pedestal %s: %s", self._path, exc)
            return None
        log.info("using pedestal %s from %s", pedestal.id, self._path)
        return pedestal

    def _save(self, serialised: bytes) -> None:
        tmp = self._path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            handle.write(serialised)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._path)
