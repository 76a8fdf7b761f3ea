"""``sink.toml``: the cloud sink's configuration, validated at start (see edge.config_loader)."""

import re

from edge.config_loader import Option, load_config, positive
from edge.mqtt_connection import mqtt_options

__all__ = ["SINK_OPTIONS", "load_sink_config"]

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _bucket_name(value: str) -> str | None:
    ok = _BUCKET_RE.match(value) and ".." not in value
    return None if ok else "must be an S3 bucket name: 3-63 of a-z 0-9 . -, starting/ending alphanumeric"


def _http_url(value: str) -> str | None:
    return None if value.startswith(("http://", "https://")) else "must start with http:// or https://"


def _log_level(value: str) -> str | None:
    ok = value.upper() in ("DEBUG", "INFO", "WARNING", "ERROR")
    return None if ok else "must be DEBUG, INFO, WARNING or ERROR"


def _non_negative(value) -> str | None:
    return None if value >= 0 else "must be >= 0"


SINK_OPTIONS = [
    *mqtt_options("cygno-sink"),
    Option("s3", "endpoint_url", str, None, check=_http_url,
           help="S3 endpoint (SeaweedFS, MinIO, ...); omit for AWS"),
    Option("s3", "bucket", str, check=_bucket_name, help="created at start if missing"),
    Option("s3", "region", str, "us-east-1"),
    Option("s3", "access_key_id", str),
    Option("s3", "secret_access_key", str, secret=True),
    Option("influx", "url", str, check=_http_url, help="InfluxDB v2 write API base URL"),
    Option("influx", "token", str, secret=True),
    Option("influx", "org", str),
    Option("influx", "bucket", str),
    Option("sink", "workers", int, 2, check=positive, help="threads storing items"),
    Option("sink", "queue_size", int, 8, check=positive,
           help="received items waiting for a worker; when full, MQTT reading pauses"),
    Option("sink", "retry_max_s", (int, float), 60.0, check=positive,
           help="give up on one store call after retrying this long (the edge will resend)"),
    Option("sink", "run_complete_wait_s", (int, float), 10.0, check=_non_negative,
           help="how long a run_stop waits for missing frames before it is left unacknowledged"),
    Option("sink", "run_complete_checks", int, 5, check=positive,
           help="how many times a run_stop re-checks S3 within run_complete_wait_s"),
    Option("logging", "level", str, "INFO", check=_log_level),
]


def load_sink_config(path) -> dict:
    """Load and validate ``sink.toml``; raises edge.errors.ConfigError naming key and value."""
    return load_config(path, SINK_OPTIONS)
