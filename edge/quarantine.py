"""Quarantine: where a message or frame that failed goes, with its run and sequence number.

Nothing that fails is dropped silently: the failing message parts are written under
``<spool>/quarantine/`` next to a ``reason.json`` (error, run, frame, time), logged
and counted. Payloads are kept up to ``max_bytes`` in total; past that only the
reason is written (a broken DAQ must not fill the disk the spool needs).
"""

import json
import logging
import threading
import time
from pathlib import Path

__all__ = ["Quarantine"]

log = logging.getLogger(__name__)


class Quarantine:
    """Writes failed messages to disk and keeps counts for telemetry."""

    def __init__(self, directory, max_bytes: int = 1 << 30):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._bytes = sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file())
        self._serial = 0
        self.count = 0

    def add(self, reason: str, parts=(), run: int | None = None, frame: int | None = None) -> Path:
        """Quarantine one message; returns the folder holding it."""
        with self._lock:
            self._serial += 1
            self.count += 1
            folder = self.directory / self._folder_name(run, frame)
            folder.mkdir(parents=True, exist_ok=True)
            size = sum(memoryview(p).nbytes for p in parts)
            keep_payload = self._bytes + size <= self.max_bytes
            if keep_payload:
                for index, part in enumerate(parts):
                    (folder / f"part{index}.bin").write_bytes(part)
                self._bytes += size
            record = {"reason": reason, "run": run, "frame": frame, "time": time.time(),
                      "parts": len(parts), "bytes": size, "payload_kept": keep_payload}
            (folder / "reason.json").write_text(json.dumps(record, indent=1))
        log.error("quarantined run=%s frame=%s: %s (%s)", run, frame, reason, folder)
        return folder

    def _folder_name(self, run, frame) -> str:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        run_part = f"run{run:05d}" if isinstance(run, int) else "run-unknown"
        frame_part = f"frame{frame:06d}" if isinstance(frame, int) else "frame-unknown"
        return f"{stamp}-{run_part}-{frame_part}-{self._serial:06d}"
