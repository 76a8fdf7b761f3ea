"""Durable local spool: every outgoing item lives on disk until the sink acknowledges it.

Layout under ``<dir>/items``: one file per item, named
``<seq:012d>.<key>.<digest>.msg``, holding the MQTT topic and the envelope. An item is
written to ``<dir>/tmp``, fsync'ed, renamed into ``items/`` and the directory fsync'ed,
in that order; only then does :meth:`Spool.put_many` return. A crash (``kill -9``,
power loss) therefore leaves either the whole item or nothing, and a restart picks
up every item in sequence order from the file names alone, without reading them.

An item leaves the spool only through :meth:`Spool.remove` with the key *and* the
digest the sink stored, so a stale acknowledgement cannot delete a newer item with
the same key. ``max_bytes`` is a soft bound: the agent stops reading from the DAQ
while :attr:`Spool.full` is true (back-pressure), it never drops an item.
"""

import os
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .errors import SpoolError

__all__ = ["Spool", "SpoolItem"]

_TOPIC_LEN = struct.Struct(">H")


@dataclass(frozen=True)
class SpoolItem:
    seq: int
    key: str
    digest: str
    size: int
    path: Path


class Spool:
    """Crash-safe FIFO of (topic, payload) items keyed by idempotent item keys.

    Thread-safe: the pipeline threads put, the uplink thread reads and removes.
    """

    def __init__(self, directory, max_bytes: int):
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._items_dir = self.directory / "items"
        self._tmp_dir = self.directory / "tmp"
        self._lock = threading.Lock()
        self._by_seq: OrderedDict[int, SpoolItem] = OrderedDict()
        self._by_key: dict[str, SpoolItem] = {}
        self._bytes = 0
        self._next_seq = 0
        self._open()

    @property
    def bytes(self) -> int:
        return self._bytes

    @property
    def count(self) -> int:
        return len(self._by_seq)

    @property
    def full(self) -> bool:
        return self._bytes >= self.max_bytes

    def put(self, key: str, digest: str, topic: str, payload: bytes) -> SpoolItem:
        """Store one item durably; see :meth:`put_many`."""
        return self.put_many([(key, digest, topic, payload)])[0]

    def put_many(self, entries) -> list[SpoolItem]:
        """Store ``(key, digest, topic, payload)`` entries durably, then return.

        An entry whose key is already spooled replaces the older item (the same
        item produced again, e.g. after a DAQ resend).
        """
        staged = [self._write_tmp(*entry) for entry in entries]
        with self._lock:
            items = []
            for key, digest, tmp_path, size in staged:
                seq = self._next_seq
                self._next_seq += 1
                item = SpoolItem(seq, key, digest, size, self._items_dir / f"{seq:012d}.{key}.{digest}.msg")
                os.replace(tmp_path, item.path)
                self._forget(self._by_key.get(key), unlink=True)
                self._remember(item)
                items.append(item)
            _fsync_dir(self._items_dir)
        return items

    def read(self, item: SpoolItem) -> tuple[str, bytes]:
        """The (topic, payload) of a spooled item."""
        try:
            data = item.path.read_bytes()
        except OSError as exc:
            raise SpoolError(f"cannot read spool item {item.path.name!r}: {exc}") from exc
        (topic_len,) = _TOPIC_LEN.unpack_from(data)
        start = _TOPIC_LEN.size
        return data[start:start + topic_len].decode(), data[start + topic_len:]

    def remove(self, key: str, digest: str) -> bool:
        """Delete the item ``key`` if its digest matches; True if something was deleted."""
        with self._lock:
            item = self._by_key.get(key)
            if item is None or item.digest != digest:
                return False
            self._forget(item, unlink=True)
            return True

    def items(self) -> list[SpoolItem]:
        """Snapshot of the spooled items, oldest first."""
        with self._lock:
            return list(self._by_seq.values())

    def contains(self, key: str) -> bool:
        with self._lock:
            return key in self._by_key

    def _open(self) -> None:
        try:
            self._items_dir.mkdir(parents=True, exist_ok=True)
            self._tmp_dir.mkdir(parents=True, exist_ok=True)
            for leftover in self._tmp_dir.iterdir():
                leftover.unlink()  # a write that never reached its rename
            for path in sorted(self._items_dir.glob("*.msg")):
                self._recover(path)
        except OSError as exc:
            raise SpoolError(f"cannot open spool directory {str(self.directory)!r}: {exc}") from exc

    def _recover(self, path: Path) -> None:
        try:
            seq_text, key, digest, _ = path.name.split(".")
            item = SpoolItem(int(seq_text), key, digest, path.stat().st_size, path)
        except ValueError:
            raise SpoolError(f"spool item with unexpected name {path.name!r} in {str(path.parent)!r}") from None
        self._forget(self._by_key.get(key), unlink=True)
        self._remember(item)
        self._next_seq = max(self._next_seq, item.seq + 1)

    def _write_tmp(self, key: str, digest: str, topic: str, payload: bytes):
        if not key or "." in key or "/" in key:
            raise SpoolError(f"spool key {key!r} must be non-empty, without '.' or '/'")
        topic_bytes = topic.encode()
        tmp_path = self._tmp_dir / f"{key}.{threading.get_ident()}.tmp"
        try:
            with open(tmp_path, "wb") as handle:
                handle.write(_TOPIC_LEN.pack(len(topic_bytes)))
                handle.write(topic_bytes)
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            tmp_path.unlink(missing_ok=True)
            raise SpoolError(f"cannot write spool item {key!r}: {exc}") from exc
        return key, digest, tmp_path, _TOPIC_LEN.size + len(topic_bytes) + len(payload)

    def _remember(self, item: SpoolItem) -> None:
        self._by_seq[item.seq] = item
        self._by_key[item.key] = item
        self._bytes += item.size

    def _forget(self, item: SpoolItem | None, unlink: bool) -> None:
        if item is None:
            return
        del self._by_seq[item.seq]
        del self._by_key[item.key]
        self._bytes -= item.size
        if unlink:
            item.path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
