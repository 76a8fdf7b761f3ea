"""Finding a stored pedestal by its id (a codec blob names the pedestal it was encoded with).

The pedestal handler writes ``pedestal/<detector>/by-id/<id>.json`` next to each
pedestal; if that index entry is missing (e.g. written by an older sink), the pedestal
objects under ``pedestal/<detector>/`` are searched by their ``pedestal-id`` metadata.
"""

import json
import threading

from . import bridge, layout
from .errors import CorruptObjectError, ObjectMissingError

__all__ = ["PedestalCache", "find_pedestal_key"]


def find_pedestal_key(s3, detector: str, pedestal_id: str) -> str:
    """Key of the pedestal object with ``pedestal_id``; ObjectMissingError if none."""
    try:
        entry = json.loads(s3.get(layout.pedestal_index_key(detector, pedestal_id)).body)
        key = entry["key"]
        if s3.head(key).metadata.get("pedestal-id") == pedestal_id:
            return key
    except (ObjectMissingError, ValueError, KeyError, TypeError):
        pass
    for item in s3.list(layout.pedestal_prefix(detector)):
        if item.key.endswith("." + layout.PEDESTAL_EXT) and \
                s3.head(item.key).metadata.get("pedestal-id") == pedestal_id:
            return item.key
    raise ObjectMissingError(f"no pedestal with id {pedestal_id} under "
                             f"{layout.pedestal_prefix(detector)} in S3")


class PedestalCache:
    """Pedestals of one detector by id, each fetched and parsed once (thread-safe: the
    replay workers share one cache, and a LIME pedestal is about 40 MB to fetch and parse)."""

    def __init__(self, s3, detector: str):
        self.s3 = s3
        self.detector = detector
        self._pedestals: dict = {}
        self._lock = threading.Lock()

    def get(self, pedestal_id: str):
        """The recon.Pedestal with that id; ObjectMissingError / CorruptObjectError."""
        with self._lock:
            return self._load(pedestal_id)

    def _load(self, pedestal_id: str):
        if pedestal_id not in self._pedestals:
            key = find_pedestal_key(self.s3, self.detector, pedestal_id)
            try:
                self._pedestals[pedestal_id] = bridge.pedestal_from_bytes(self.s3.get(key).body)
            except ValueError as exc:
                raise CorruptObjectError(f"pedestal {key!r} cannot be read: {exc}") from None
        return self._pedestals[pedestal_id]
