"""In-memory stand-ins for S3 and InfluxDB (unit tests only; integration tests use real servers)."""

import threading

from sink.errors import ObjectMissingError, StoreError
from sink.s3_store import StoredObject


class MemoryS3:
    """Same methods as sink.s3_store.S3Store; counts puts per key."""

    def __init__(self):
        self.objects: dict[str, tuple[bytes, dict]] = {}
        self.puts: dict[str, int] = {}
        self.bucket = "memory"
        self._lock = threading.Lock()

    def ensure_bucket(self):
        pass

    def put(self, key, body, metadata=None):
        with self._lock:
            self.objects[key] = (bytes(body), dict(metadata or {}))
            self.puts[key] = self.puts.get(key, 0) + 1

    def get(self, key):
        body, metadata = self._find(key)
        return StoredObject(key, len(body), dict(metadata), body)

    def head(self, key):
        body, metadata = self._find(key)
        return StoredObject(key, len(body), dict(metadata))

    def exists(self, key):
        return key in self.objects

    def list(self, prefix):
        with self._lock:
            return [StoredObject(k, len(v[0])) for k, v in sorted(self.objects.items())
                    if k.startswith(prefix)]

    def _find(self, key):
        with self._lock:
            if key not in self.objects:
                raise ObjectMissingError(f"no S3 object s3://memory/{key}")
            return self.objects[key]


class BrokenS3(MemoryS3):
    """Every put fails as a store that stayed down through all retries would."""

    def put(self, key, body, metadata=None):
        raise StoreError(f"S3 put {key!r} failed 3 times over 0.1 s; last error: ConnectionError")


class MemoryInflux:
    """Keeps points by (measurement, tags, time): a rewrite of the same point overwrites it."""

    def __init__(self):
        self.points: dict = {}
        self.writes = 0

    def write(self, points):
        self.writes += 1
        for point in points:
            line = point.to_line_protocol()
            if not line:
                continue
            series, _, rest = line.partition(" ")
            fields, _, time_ns = rest.rpartition(" ")
            self.points[(series, int(time_ns))] = fields

    def close(self):
        pass


class RefusingInflux(MemoryInflux):
    """Refuses every point as malformed, as InfluxDB does with HTTP 400."""

    def write(self, points):
        from sink.errors import QuarantineError
        raise QuarantineError("InfluxDB refused 1 point(s) with HTTP 400: field type conflict")
