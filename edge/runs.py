"""Run bookkeeping on the edge: what each run has sent, quarantined and missed.

The run-stop document carries final counts (as in bluesky's event model) so the sink
can tell a complete run from one still in flight. The counts must survive an agent
restart in the middle of a run, so each run keeps two append-only files under
``<spool>/state/``: ``run<r>.json`` (the start document) and ``run<r>.frames``
(one line per frame, ``+<n>`` spooled or ``!<n>`` quarantined). Appends are flushed
to the OS on every frame (a ``kill -9`` loses nothing the kernel has) and fsync'ed
with the run-stop item.
"""

import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RunBook", "RunState"]


@dataclass
class RunState:
    run: int
    pedestal: bool
    started: float
    metadata: dict = field(default_factory=dict)
    spooled: set = field(default_factory=set)
    quarantined: set = field(default_factory=set)

    def summary(self, frames_daq: int) -> dict:
        """Final counts for the run-stop document."""
        accounted = self.spooled | self.quarantined
        missing = sorted(set(range(frames_daq)) - accounted)
        return {"frames_daq": frames_daq, "frames_published": len(self.spooled),
                "quarantined": sorted(self.quarantined), "missing": missing,
                "pedestal": self.pedestal}


class RunBook:
    """Per-run state, persisted so a restarted agent closes runs with the right counts."""

    def __init__(self, state_dir):
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._runs: dict[int, RunState] = {}
        for path in sorted(self.state_dir.glob("run*.json")):
            self._load(path)

    def start(self, run: int, pedestal: bool, metadata: dict | None = None) -> RunState:
        """Open a run; a run already open (a DAQ resend after a restart) keeps its counts."""
        with self._lock:
            if run in self._runs:
                return self._runs[run]
            state = RunState(run, pedestal, time.time(), metadata or {})
            self._runs[run] = state
            record = {"run": run, "pedestal": pedestal, "started": state.started,
                      "metadata": state.metadata}
            _atomic_write(self._json_path(run), json.dumps(record).encode())
            self._frames_path(run).write_bytes(b"")
            return state

    def get(self, run: int) -> RunState:
        """State of a run; a run never started (agent began mid-run) is opened as data."""
        with self._lock:
            state = self._runs.get(run)
        return state if state is not None else self.start(run, pedestal=False,
                                                           metadata={"implicit_start": True})

    def mark_spooled(self, run: int, frame: int) -> None:
        self._append(run, f"+{frame}\n", "spooled", frame)

    def mark_quarantined(self, run: int, frame: int) -> None:
        self._append(run, f"!{frame}\n", "quarantined", frame)

    def finish(self, run: int) -> None:
        """Forget a run once its run-stop item is in the spool."""
        with self._lock:
            self._runs.pop(run, None)
            self._json_path(run).unlink(missing_ok=True)
            self._frames_path(run).unlink(missing_ok=True)

    def sync(self, run: int) -> None:
        """fsync the run's frame log (called before its run-stop is spooled)."""
        path = self._frames_path(run)
        if path.exists():
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())

    def _append(self, run: int, line: str, which: str, frame: int) -> None:
        state = self.get(run)
        with self._lock:
            getattr(state, which).add(frame)
            with open(self._frames_path(run), "a") as handle:
                handle.write(line)

    def _load(self, path: Path) -> None:
        record = json.loads(path.read_text())
        state = RunState(record["run"], record["pedestal"], record["started"], record["metadata"])
        frames_path = self._frames_path(state.run)
        lines = frames_path.read_text().split() if frames_path.exists() else []
        for line in lines:
            target = state.spooled if line[0] == "+" else state.quarantined
            if line[1:].isdigit():
                target.add(int(line[1:]))
        self._runs[state.run] = state

    def _json_path(self, run: int) -> Path:
        return self.state_dir / f"run{run:05d}.json"

    def _frames_path(self, run: int) -> Path:
        return self.state_dir / f"run{run:05d}.frames"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
