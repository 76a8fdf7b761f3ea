"""``edge.toml``: the edge agent's configuration, validated at start."""

import math
import os

from .config_loader import Option, identifier, load_config, positive
from .errors import ConfigError
from .mqtt_connection import mqtt_options

__all__ = ["EDGE_OPTIONS", "load_edge_config"]


def _endpoint(value: str) -> str | None:
    ok = value.startswith(("tcp://", "ipc://", "inproc://"))
    return None if ok else "must be a ZeroMQ endpoint like tcp://127.0.0.1:5555 or ipc:///run/daq.sock"


def _codec_mode(value: str) -> str | None:
    return None if value in ("lossless", "lossy") else "must be 'lossless' or 'lossy'"


def _fraction(value: float) -> str | None:
    return None if 0 < value < 1 else "must be between 0 and 1 (exclusive)"


def _calibration(value: float) -> str | None:
    return None if math.isfinite(value) and value > 0 else "must be a finite number > 0 (ADU per keV)"


def _log_level(value: str) -> str | None:
    ok = value.upper() in ("DEBUG", "INFO", "WARNING", "ERROR")
    return None if ok else "must be DEBUG, INFO, WARNING or ERROR"


EDGE_OPTIONS = [
    Option("detector", "name", str, check=identifier, help="detector name, e.g. lime"),
    Option("daq", "endpoint", str, check=_endpoint, help="ZeroMQ endpoint the DAQ binds (PUSH)"),
    Option("daq", "ack_endpoint", str, None, check=_endpoint,
           help="optional: DAQ PULL socket for per-frame acks (lets the DAQ resend after a crash)"),
    Option("daq", "receive_hwm", int, 4, check=positive,
           help="frames ZeroMQ may queue before the DAQ's PUSH blocks"),
    *mqtt_options("cygno-edge"),
    Option("spool", "dir", str, help="durable spool directory (the only path the agent writes)"),
    Option("spool", "max_bytes", int, check=positive, help="spool size at which the DAQ is blocked"),
    Option("spool", "resend_after_s", (int, float), 30.0, check=positive,
           help="republish an item not acknowledged by the sink after this long"),
    Option("spool", "max_inflight_bytes", int, 256 * 2**20, check=positive,
           help="bytes published but not yet acknowledged, at most"),
    Option("pipeline", "workers", int, os.cpu_count() or 1, check=positive),
    Option("pipeline", "codec", str, "lossless", check=_codec_mode),
    Option("pipeline", "lossy_q", (int, float), 2, check=positive),
    Option("pipeline", "zero_suppression", bool, True),
    Option("pipeline", "reconstruction", bool, True),
    Option("pipeline", "reco_pixel_lists", bool, False,
           help="add each cluster's pixels to the reco results (redpix_* branches; ~12 bytes a pixel)"),
    Option("pipeline", "reco_adu_per_kev", (int, float), None, check=_calibration,
           help="energy calibration, ADU of cluster integral per keV: adds sc_energy (unset: no sc_energy)"),
    Option("pipeline", "pedestal_tracking", bool, False,
           help="follow the pedestal's drift from data frames (triggerless running)"),
    Option("pipeline", "pedestal_tracking_every", int, 10, check=positive,
           help="fold one data frame in this many into the tracked pedestal"),
    Option("pipeline", "pedestal_tracking_publish_every", int, 50, check=positive,
           help="adopt and publish the tracked pedestal after this many updates"),
    Option("pipeline", "pedestal_tracking_alpha", (int, float), 0.01, check=_fraction,
           help="weight of each update (memory about 1/alpha updates)"),
    Option("telemetry", "interval_s", (int, float), 5.0, check=positive),
    Option("logging", "level", str, "INFO", check=_log_level),
]


def load_edge_config(path) -> dict:
    """Load and validate ``edge.toml``; raises ConfigError naming the key and value."""
    config = load_config(path, EDGE_OPTIONS)
    pipeline = config["pipeline"]
    if pipeline["pedestal_tracking"] and not pipeline["zero_suppression"]:
        raise ConfigError(f"{path}: [pipeline] pedestal_tracking = true needs zero_suppression = true "
                          "(tracking leaves out the pixels it keeps), got zero_suppression = false")
    return config
