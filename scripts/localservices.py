"""Real Mosquitto, SeaweedFS (S3) and VictoriaMetrics (InfluxDB v2 write API) on loopback.

Used by the integration tests and the demo, never mocked. Every run picks free ephemeral
ports on 127.0.0.1, keeps data, configs, logs and pid files under one work directory, and
starts each server in its own process group so teardown kills it whole.

    with LocalServices("/tmp/cygno-svc") as services:
        services.endpoints.s3_endpoint_url
        services.restart_broker()                  # same port, persistent sessions kept
        services.count_points("edge_pipeline", detector="lime")

CLI (servers outlive the command; ``stop`` kills them, also after a crash)::

    python scripts/localservices.py start --dir D [--format env|json]
    python scripts/localservices.py stop --dir D
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from managed_server import (  # noqa: E402  (sibling module in scripts/)
    ManagedServer, ServiceError, free_ports, kill_leftovers, remove_weed_sockets, stop_all, wait_until,
)
from server_commands import (  # noqa: E402
    WEED_PORT_NAMES, mosquitto_command, seaweedfs_command, victoria_metrics_command,
)
from victoria_query import VictoriaQuery  # noqa: E402

__all__ = ["Endpoints", "LocalServices", "ServiceError", "make_s3_client", "stop_workdir"]

HOST = "127.0.0.1"
S3_ACCESS_KEY = "cygno-dev-access"
S3_SECRET_KEY = "cygno-dev-secret-key"
S3_REGION = "us-east-1"
INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET = "cygno-dev-token", "cygno", "cygno"  # VM ignores them
START_TIMEOUT_S = float(os.environ.get("CYGNO_SERVICES_TIMEOUT_S", "60"))


@dataclass(frozen=True)
class Endpoints:
    """Where the local servers listen and how to log in."""

    mqtt_host: str
    mqtt_port: int
    s3_endpoint_url: str
    s3_access_key_id: str
    s3_secret_access_key: str
    s3_region: str
    influx_url: str
    influx_token: str
    influx_org: str
    influx_bucket: str

    def as_env(self) -> dict[str, str]:
        """``CYGNO_<SECTION>_<KEY>`` variables (the config loader reads secrets from these)."""
        return {
            "CYGNO_MQTT_HOST": self.mqtt_host, "CYGNO_MQTT_PORT": str(self.mqtt_port),
            "CYGNO_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "CYGNO_S3_ACCESS_KEY_ID": self.s3_access_key_id,
            "CYGNO_S3_SECRET_ACCESS_KEY": self.s3_secret_access_key, "CYGNO_S3_REGION": self.s3_region,
            "CYGNO_INFLUX_URL": self.influx_url, "CYGNO_INFLUX_TOKEN": self.influx_token,
            "CYGNO_INFLUX_ORG": self.influx_org, "CYGNO_INFLUX_BUCKET": self.influx_bucket,
        }


def make_s3_client(endpoints: Endpoints):
    """A boto3 S3 client for the local SeaweedFS (path-style addressing)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=endpoints.s3_endpoint_url, region_name=endpoints.s3_region,
        aws_access_key_id=endpoints.s3_access_key_id,
        aws_secret_access_key=endpoints.s3_secret_access_key,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                      connect_timeout=2, read_timeout=30),
    )


class LocalServices:
    """Start, stop and query the three local servers under ``workdir``.

    ``die_with_parent`` (default True) makes the kernel kill the servers when this Python
    process dies, even by SIGKILL; the CLI turns it off so the servers outlive ``start``.
    """

    def __init__(self, workdir, die_with_parent: bool = True, timeout_s: float = START_TIMEOUT_S):
        self.workdir = Path(workdir).resolve()
        self.die_with_parent = die_with_parent
        self.timeout_s = timeout_s
        self._servers: dict[str, ManagedServer] = {}
        self._endpoints: Endpoints | None = None
        # Children are spawned from one long-lived thread: PR_SET_PDEATHSIG fires when the
        # spawning *thread* ends, so a broker restarted from a short-lived thread survives.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="localservices")

    # ---- lifecycle -------------------------------------------------------------------
    def start(self) -> Endpoints:
        """Start all servers on fresh ports and wait until each one answers."""
        if self._servers:
            raise ServiceError(f"services already started in {self.workdir}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        stop_workdir(self.workdir)
        try:
            self._start_on_free_ports()
        except ServiceError as exc:
            if "address already in use" not in str(exc).lower():
                raise
            self._start_on_free_ports()  # another program took a port we had picked: once more
        (self.workdir / "endpoints.json").write_text(json.dumps(asdict(self._endpoints), indent=1))
        return self._endpoints

    def stop(self) -> None:
        """Stop every server (TERM, then KILL of the whole process group). Idempotent."""
        servers, self._servers = list(self._servers.values()), {}
        stop_all(servers)
        if getattr(self, "_weed_ports", None):
            remove_weed_sockets(self._weed_ports.values())
        self._spawner.shutdown(wait=False)
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="localservices")

    def __enter__(self) -> "LocalServices":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise ServiceError(f"services in {self.workdir} are not started: call start() first")
        return self._endpoints

    def __getattr__(self, name: str):
        """``services.mqtt_port``, ``services.s3_endpoint_url``...: the :class:`Endpoints` fields."""
        if name in Endpoints.__dataclass_fields__:
            return getattr(self.endpoints, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def s3_client(self):
        """A boto3 S3 client logged in to the local SeaweedFS."""
        return make_s3_client(self.endpoints)

    # ---- broker failure drills -------------------------------------------------------
    def stop_broker(self, kill: bool = False) -> None:
        """Stop Mosquitto. Graceful (SIGTERM) saves its persistence file; ``kill=True`` is
        a crash (SIGKILL): messages since the last autosave (5 s) are lost, as in production."""
        server = self._servers.pop("mosquitto", None)
        if server is not None:
            server.stop(grace_s=0 if kill else None)

    def start_broker(self) -> None:
        """Start Mosquitto on the same port as before and wait until it accepts connections."""
        port = self.endpoints.mqtt_port
        argv = mosquitto_command(self.workdir / "mosquitto", port)
        server = self._launch("mosquitto", argv, grace_s=10.0)
        wait_until(server, f"an MQTT CONNECT to port {port} gets a CONNACK", self.timeout_s,
                   lambda: _mqtt_answers(port))

    @property
    def broker_running(self) -> bool:
        server = self._servers.get("mosquitto")
        return server is not None and server.exit_code() is None

    def restart_broker(self, kill: bool = False) -> None:
        self.stop_broker(kill=kill)
        self.start_broker()

    # ---- querying VictoriaMetrics back -----------------------------------------------
    @property
    def influx(self) -> VictoriaQuery:
        return VictoriaQuery(self.endpoints.influx_url)

    def influx_query_series(self, name_regex: str, **labels) -> list[dict]:
        """Series whose metric name (``<measurement>_<field>``) matches, with their samples."""
        return self.influx.series(name_regex, **labels)

    def count_points(self, measurement: str, field: str = ".+", **tags) -> int:
        """Number of (deduplicated) InfluxDB points of ``measurement`` with these tags."""
        return self.influx.count_points(measurement, field, **tags)

    def wait_for_points(self, measurement: str, at_least: int, timeout_s: float = 10.0,
                        **tags) -> int:
        """Poll until ``measurement`` has ``at_least`` points (a new series takes up to ~1 s)."""
        return self.influx.wait_for_points(measurement, at_least, timeout_s, **tags)

    # ---- internals -------------------------------------------------------------------
    def _start_on_free_ports(self) -> None:
        mqtt_port, vm_port, *weed = free_ports(2 + len(WEED_PORT_NAMES))
        self._weed_ports = dict(zip(WEED_PORT_NAMES, weed, strict=True))
        (self.workdir / "seaweedfs").mkdir(parents=True, exist_ok=True)
        (self.workdir / "seaweedfs" / "ports.json").write_text(json.dumps(self._weed_ports))
        self._endpoints = Endpoints(
            HOST, mqtt_port, f"http://{HOST}:{self._weed_ports['s3']}", S3_ACCESS_KEY,
            S3_SECRET_KEY, S3_REGION, f"http://{HOST}:{vm_port}", INFLUX_TOKEN, INFLUX_ORG,
            INFLUX_BUCKET)
        try:
            self._launch("victoria-metrics", victoria_metrics_command(
                self.workdir / "victoria-metrics", vm_port), grace_s=5.0)
            self._launch("seaweedfs", seaweedfs_command(  # its filer's graceful stop takes 15 s
                self.workdir / "seaweedfs", self._weed_ports, S3_ACCESS_KEY, S3_SECRET_KEY),
                grace_s=1.0)
            self.start_broker()
            self._wait_victoria()
            self._wait_s3()
        except BaseException:
            self.stop()
            raise

    def _launch(self, name: str, argv: list[str], grace_s: float = 3.0) -> ManagedServer:
        server = ManagedServer(name, argv, self.workdir / name, self.die_with_parent, grace_s)
        self._servers[name] = server
        self._spawner.submit(server.start).result()
        return server

    def _wait_victoria(self) -> None:
        query = self.influx
        wait_until(self._servers["victoria-metrics"], f"{query.url}/health says OK",
                   self.timeout_s, query.healthy)

    def _wait_s3(self) -> None:
        client = make_s3_client(self.endpoints)
        master = f"http://{HOST}:{self._weed_ports['master']}"
        # Until the volume server has registered with the master, the first write into a
        # new bucket stalls for 3-5 s: wait for free volume slots too.
        wait_until(self._servers["seaweedfs"],
                   f"S3 ListBuckets works at {self.endpoints.s3_endpoint_url} and the master at "
                   f"{master} has free volume slots", self.timeout_s,
                   lambda: client.list_buckets() is not None and _weed_free_volumes(master) > 0)


def stop_workdir(workdir) -> list[str]:
    """Kill the servers of any run recorded under ``workdir`` (even a crashed one), remove
    the sockets its SeaweedFS left in /tmp; the names of the servers killed."""
    workdir = Path(workdir).resolve()
    killed = kill_leftovers(workdir)
    ports_file = workdir / "seaweedfs" / "ports.json"
    if ports_file.exists():
        remove_weed_sockets(json.loads(ports_file.read_text()).values())
    return killed


def _weed_free_volumes(master_url: str) -> int:
    import urllib.request

    with urllib.request.urlopen(f"{master_url}/dir/status", timeout=2) as response:
        return int(json.load(response)["Topology"].get("Free", 0))


def _mqtt_answers(port: int) -> bool:
    """A minimal MQTT 3.1.1 CONNECT (clean session, empty client id) is accepted.

    More than "the port answers": a foreign program on the port must not pass for the broker.
    """
    import socket

    with socket.create_connection((HOST, port), timeout=1) as sock:
        sock.sendall(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")
        connack = sock.recv(4)
        sock.sendall(b"\xe0\x00")  # DISCONNECT
    return connack == b"\x20\x02\x00\x00"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--dir", required=True, help="work directory for data, logs and pid files")
    parser.add_argument("--format", choices=["env", "json"], default="env")
    args = parser.parse_args(argv)
    if args.command == "stop":
        killed = stop_workdir(args.dir)
        print(f"stopped {', '.join(killed) or 'nothing (no server was running)'}", file=sys.stderr)
        return 0
    try:
        endpoints = LocalServices(args.dir, die_with_parent=False).start()
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(asdict(endpoints), indent=1))
    else:
        print("\n".join(f"export {k}={v}" for k, v in endpoints.as_env().items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
