"""Read points back from VictoriaMetrics, which stands in for InfluxDB v2 in local runs.

VictoriaMetrics stores an InfluxDB line ``m,tag=v f=1 <ts>`` as the series
``m_f{tag="v"}`` with a millisecond timestamp. Recently written points become searchable
after an internal flush; every query here forces that flush first, but the first samples
of a *new* series may still take up to about 1 s to be found (seen with VictoriaMetrics
1.79): poll with :meth:`VictoriaQuery.wait_for_points` rather than asserting once. Deduplication
(``-dedup.minScrapeInterval=1ms``) makes a re-written point (same series, same
timestamp) count once.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request

__all__ = ["VictoriaQuery", "series_selector"]


def series_selector(name_regex: str, **labels: str) -> str:
    """A PromQL series selector: metric name matching ``name_regex`` and exact labels."""
    parts = [f'__name__=~"{_quote(name_regex)}"']
    parts += [f'{key}="{_quote(str(value))}"' for key, value in sorted(labels.items())]
    return "{" + ",".join(parts) + "}"


class VictoriaQuery:
    """Queries over VictoriaMetrics' HTTP API at ``url`` (e.g. ``http://127.0.0.1:8428``)."""

    def __init__(self, url: str, timeout_s: float = 10.0):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def healthy(self) -> bool:
        return self._get("/health").strip() == "OK"

    def flush(self) -> None:
        """Make every point received so far searchable."""
        self._get("/internal/force_flush")

    def series(self, name_regex: str, **labels: str) -> list[dict]:
        """Matching series, each ``{"metric": {labels}, "values": [...], "timestamps": [ms]}``."""
        self.flush()
        text = self._get("/api/v1/export", {"match[]": series_selector(name_regex, **labels)})
        found = [json.loads(line) for line in text.splitlines() if line.strip()]
        return sorted(found, key=lambda s: sorted(s["metric"].items()))

    def count_points(self, measurement: str, field: str = ".+", **tags: str) -> int:
        """Number of InfluxDB points of ``measurement`` with these tags.

        A point (measurement, tag set, timestamp) is stored as one sample per field, in the
        series ``<measurement>_<field>``; it is counted once whatever its number of fields.
        ``field`` is a regex restricting which fields' series are looked at.
        """
        points = set()
        for found in self.series(f"{re.escape(measurement)}_{field}", **tags):
            tag_set = frozenset((k, v) for k, v in found["metric"].items() if k != "__name__")
            points.update((tag_set, ts) for ts in found["timestamps"])
        return len(points)

    def wait_for_points(self, measurement: str, at_least: int, timeout_s: float = 10.0,
                        **tags: str) -> int:
        """Poll until ``measurement`` has at least ``at_least`` points; the count, or raise."""
        deadline = time.monotonic() + timeout_s
        while True:
            count = self.count_points(measurement, **tags)
            if count >= at_least or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if count < at_least:
            raise TimeoutError(f"measurement {measurement!r} with tags {tags}: {count} points "
                               f"after {timeout_s} s, expected at least {at_least}")
        return count

    def _get(self, path: str, params: dict | None = None) -> str:
        url = self.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        with urllib.request.urlopen(url, timeout=self.timeout_s) as response:
            return response.read().decode()


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
