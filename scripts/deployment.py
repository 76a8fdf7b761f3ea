"""A local deployment of cygno-edge: configs, edge agent and sink as real processes.

Used by the demo (``make demo``) and by the end-to-end integration tests. The agent
and the sink run as their console scripts (``cygno-edge run``, ``cygno-sink run``) in
child processes, so a test can ``kill -9`` them exactly as a crash would, and start
them again on the same spool and the same persistent MQTT session.
"""

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EDGE_EXAMPLE = REPO / "edge" / "edge.example.toml"
SINK_EXAMPLE = REPO / "sink" / "sink.example.toml"
# Keys of the example configs that point at production files (TLS CA, secret files).
_LOCAL_DROPS = {"mqtt": ("ca_file", "username", "password_file"),
                "s3": ("secret_access_key_file",), "influx": ("token_file",)}

__all__ = ["Deployment", "free_tcp_endpoint"]


def free_tcp_endpoint() -> str:
    """A ``tcp://127.0.0.1:<port>`` endpoint on a port nobody listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


class Deployment:
    """Edge + sink configured against running services (see ``localservices``).

    The configs are the shipped examples (``edge/edge.example.toml``,
    ``sink/sink.example.toml``) with the local endpoints, credentials and spool put in.

    Parameters
    ----------
    workdir : path
        Holds ``edge.toml``, ``sink.toml``, the edge spool and the process logs.
    services : LocalServices
        Running Mosquitto, SeaweedFS and VictoriaMetrics (their endpoints are read).
    detector : str
    edge_settings, sink_settings : dict of dict, optional
        Extra ``{section: {key: value}}`` merged into the generated configs.
    """

    def __init__(self, workdir, services, detector="lime", edge_settings=None, sink_settings=None,
                 bucket="cygno-demo"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.services = services
        self.detector = detector
        self.bucket = bucket
        self.daq_endpoint = free_tcp_endpoint()
        self.ack_endpoint = free_tcp_endpoint()
        self.spool_dir = self.workdir / "edge-spool"
        self.edge_config = self.workdir / "edge.toml"
        self.sink_config = self.workdir / "sink.toml"
        self._write(self.edge_config, self._edge_settings(edge_settings or {}))
        self._write(self.sink_config, self._sink_settings(sink_settings or {}))
        self.edge: subprocess.Popen | None = None
        self.sink: subprocess.Popen | None = None

    def start_edge(self) -> subprocess.Popen:
        self.edge = self._spawn("cygno-edge", self.edge_config, "edge.log")
        return self.edge

    def start_sink(self) -> subprocess.Popen:
        self.sink = self._spawn("cygno-sink", self.sink_config, "sink.log")
        return self.sink

    def kill_edge(self, sig=signal.SIGKILL) -> None:
        self._end(self.edge, sig)

    def kill_sink(self, sig=signal.SIGKILL) -> None:
        self._end(self.sink, sig)

    def stop(self) -> None:
        """Stop both gracefully (SIGTERM), killing whatever does not exit in time."""
        for process in (self.edge, self.sink):
            self._end(process, signal.SIGTERM)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def s3_client(self):
        return self.services.s3_client()

    def _edge_settings(self, extra: dict) -> dict:
        s = self.services
        settings = {
            "detector": {"name": self.detector},
            "daq": {"endpoint": self.daq_endpoint, "ack_endpoint": self.ack_endpoint},
            "mqtt": {"host": s.mqtt_host, "port": s.mqtt_port, "client_id": f"edge-{self.detector}"},
            "spool": {"dir": str(self.spool_dir), "max_bytes": 2 * 2**30, "resend_after_s": 5.0},
            "telemetry": {"interval_s": 1.0},
        }
        return _merge(_example(EDGE_EXAMPLE), _merge(settings, extra))

    def _sink_settings(self, extra: dict) -> dict:
        s = self.services
        settings = {
            "mqtt": {"host": s.mqtt_host, "port": s.mqtt_port, "client_id": f"sink-{self.detector}",
                     "tls": False},
            "s3": {"endpoint_url": s.s3_endpoint_url, "bucket": self.bucket,
                   "access_key_id": s.s3_access_key_id, "secret_access_key": s.s3_secret_access_key},
            "influx": {"url": s.influx_url, "token": s.influx_token, "org": s.influx_org,
                       "bucket": s.influx_bucket},
            "sink": {"run_complete_wait_s": 2.0},
        }
        return _merge(_example(SINK_EXAMPLE), _merge(settings, extra))

    def _spawn(self, script: str, config: Path, log_name: str) -> subprocess.Popen:
        executable = Path(sys.executable).with_name(script)
        log = open(self.workdir / log_name, "ab")
        return subprocess.Popen([str(executable), "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})

    @staticmethod
    def _end(process, sig) -> None:
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @staticmethod
    def _write(path: Path, settings: dict) -> None:
        lines = []
        for section, table in settings.items():
            lines.append(f"[{section}]")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in table.items())
            lines.append("")
        path.write_text("\n".join(lines))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wait_for(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value; TimeoutError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:g} s")
        time.sleep(interval)


def _example(path: Path) -> dict:
    """An example config without the keys that name production-only files."""
    config = tomllib.loads(path.read_text())
    for section, keys in _LOCAL_DROPS.items():
        for key in keys:
            config.get(section, {}).pop(key, None)
    return config


def _merge(base: dict, extra: dict) -> dict:
    merged = {section: dict(table) for section, table in base.items()}
    for section, table in extra.items():
        merged.setdefault(section, {}).update(table)
    return merged


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
