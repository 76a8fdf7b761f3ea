"""InfluxDB (v2 write API) for per-frame reconstruction summaries and edge telemetry.

Points are built by pure functions from validated envelope headers; their timestamp is
the item's own (the frame's ``timestamp``, the telemetry's ``time_ns``), so a
redelivered item writes the very same series and time and overwrites the first point.
"""

import logging
from decimal import Decimal

import urllib3.exceptions
from influxdb_client import InfluxDBClient, Point, WritePrecision
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.rest import ApiException

from edge.wire import OPTIONAL_FIELDS

from .errors import QuarantineError
from .retry import RetryPolicy, retry

__all__ = ["InfluxStore", "reco_point", "seconds_to_ns", "telemetry_points"]

log = logging.getLogger(__name__)

_RETRYABLE = (ApiException, urllib3.exceptions.HTTPError, OSError)
#: HTTP statuses meaning "these points will never be accepted", not "try again later".
_REFUSED = (400, 422)

#: Field name -> type; fixed types, because InfluxDB refuses a field that changes type. The
#: reco header's optional fields (``edge.wire.OPTIONAL_FIELDS``) are written as floats.
RECO_FIELDS = {"nSc": int, "cmos_integral": float, "max_sc_integral": float, "processing_s": float}


def seconds_to_ns(timestamp: float) -> int:
    """Unix seconds (int or float) to integer nanoseconds, through the decimal text of the
    number (``1764050003.25`` -> ``1764050003250000000`` exactly, where ``* 1e9`` is 128 ns off)."""
    return int(Decimal(repr(timestamp)) * 1_000_000_000)


def reco_point(header: dict) -> Point:
    """Measurement ``reco``, tags detector and run, the frame's summary fields, at its timestamp."""
    point = (Point("reco").tag("detector", header["detector"]).tag("run", str(header["run"]))
             .field("frame", int(header["frame"])))
    for name, kind in RECO_FIELDS.items():
        point.field(name, kind(header[name]))
    for name in OPTIONAL_FIELDS["reco"]:
        if name in header:
            point.field(name, float(header[name]))
    return point.time(seconds_to_ns(header["timestamp"]), WritePrecision.NS)


def telemetry_points(header: dict) -> list[Point]:
    """Measurements ``edge_host`` and ``edge_pipeline`` (tag detector) at ``time_ns``.

    Only numeric values become fields, all as floats (booleans as 0/1) so a value that is
    sometimes ``0`` and sometimes ``0.5`` never changes the field's type; a measurement
    without any numeric value is skipped.
    """
    points = []
    for measurement, values in (("edge_host", header["host"]), ("edge_pipeline", header["pipeline"])):
        fields = {name: float(value) for name, value in values.items()
                  if isinstance(value, (int, float))}
        if not fields:
            continue
        point = Point(measurement).tag("detector", header["detector"])
        for name, value in sorted(fields.items()):
            point.field(name, value)
        points.append(point.time(header["time_ns"], WritePrecision.NS))
    return points


class InfluxStore:
    """Synchronous writes to one org/bucket; each write retries per ``policy``."""

    def __init__(self, influx_config: dict, policy: RetryPolicy | None = None):
        self.org = influx_config["org"]
        self.bucket = influx_config["bucket"]
        self.policy = policy or RetryPolicy()
        self._client = InfluxDBClient(url=influx_config["url"], token=influx_config["token"],
                                      org=self.org, timeout=30_000)
        self._write_api = self._client.write_api(write_options=SYNCHRONOUS)

    def write(self, points: list[Point]) -> None:
        """Write the points; returns once the server has accepted them.

        Points without any field (all NaN) are dropped. Raises QuarantineError if the server
        refuses the points as malformed (HTTP 400/422: retrying cannot help), StoreError if
        it stays unreachable or failing for the policy's retry window.
        """
        lines = [line for line in (point.to_line_protocol() for point in points) if line]
        if not lines:
            return

        def write_once():
            try:
                self._write_api.write(bucket=self.bucket, org=self.org, record=lines)
            except ApiException as exc:
                if exc.status in _REFUSED:
                    raise QuarantineError(f"InfluxDB refused {len(lines)} point(s) with HTTP "
                                          f"{exc.status}: {str(exc.body)[:200]}") from None
                raise
        retry(write_once, f"InfluxDB write of {len(lines)} point(s) to {self.bucket!r}",
              self.policy, _RETRYABLE)

    def close(self) -> None:
        self._client.close()
