"""Slow-control telemetry of the edge: host metrics and pipeline counters.

Every ``[telemetry] interval_s`` the agent spools one ``telemetry`` envelope; the sink
writes its ``host`` dict to InfluxDB measurement ``edge_host`` and its ``pipeline``
dict to ``edge_pipeline``, both tagged ``detector``.
"""

import os
import threading
import time

import psutil

from .wire import Envelope, item_key

__all__ = ["PipelineCounters", "host_metrics", "telemetry_envelope"]


class PipelineCounters:
    """Thread-safe counters of the agent, read by telemetry and the final summary."""

    FIELDS = ("frames_received", "frames_spooled", "frames_quarantined", "messages_rejected",
              "bytes_in", "bytes_out", "blocked_s", "runs_started", "runs_ended")

    def __init__(self):
        self._lock = threading.Lock()
        self._values = dict.fromkeys(self.FIELDS, 0)

    def add(self, name: str, amount=1) -> None:
        with self._lock:
            self._values[name] += amount

    def snapshot(self) -> dict:
        with self._lock:
            values = dict(self._values)
        values["compression_ratio"] = values["bytes_in"] / values["bytes_out"] if values["bytes_out"] else 0.0
        return values

    def __getitem__(self, name: str):
        with self._lock:
            return self._values[name]


def host_metrics(spool_dir) -> dict:
    """CPU, memory, load and free disk under the spool, as plain numbers."""
    memory = psutil.virtual_memory()
    load1, load5, load15 = os.getloadavg()
    disk = psutil.disk_usage(str(spool_dir))
    process = psutil.Process()
    return {
        "cpu_percent": float(psutil.cpu_percent(interval=None)),
        "mem_percent": float(memory.percent),
        "mem_available_bytes": int(memory.available),
        "load1": load1, "load5": load5, "load15": load15,
        "disk_free_bytes": int(disk.free),
        "disk_used_percent": float(disk.percent),
        "agent_rss_bytes": int(process.memory_info().rss),
        "agent_threads": int(process.num_threads()),
    }


def telemetry_envelope(detector: str, host: dict, pipeline: dict) -> Envelope:
    """One telemetry item, keyed by its time so a resend overwrites the same point."""
    time_ns = time.time_ns()
    header = {"kind": "telemetry", "detector": detector,
              "key": item_key("telemetry", time_ns=time_ns), "time_ns": time_ns,
              "host": host, "pipeline": pipeline}
    return Envelope(header)
