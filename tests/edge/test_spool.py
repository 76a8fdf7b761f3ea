"""The durable spool: ordering, crash recovery, digest-checked removal, size bound."""

import pytest

from edge.errors import SpoolError
from edge.spool import Spool


def _fill(spool, n, size=10):
    for i in range(n):
        spool.put(f"raw-r00001-f{i:06d}", f"d{i}", "cygno/v1/lime/raw", bytes([i]) * size)


def test_items_come_back_in_order_with_topic_and_payload(tmp_path):
    spool = Spool(tmp_path, max_bytes=10**6)
    _fill(spool, 3)
    items = spool.items()
    assert [item.key for item in items] == [f"raw-r00001-f{i:06d}" for i in range(3)]
    assert spool.read(items[1]) == ("cygno/v1/lime/raw", b"\x01" * 10)


def test_restart_recovers_every_item_without_reading_them(tmp_path):
    _fill(Spool(tmp_path, max_bytes=10**6), 5)
    reopened = Spool(tmp_path, max_bytes=10**6)
    assert reopened.count == 5 and reopened.bytes > 50
    reopened.put("raw-r00001-f000099", "d", "t", b"x")
    assert reopened.items()[-1].seq == 5


def test_half_written_item_is_discarded_on_restart(tmp_path):
    spool = Spool(tmp_path, max_bytes=10**6)
    _fill(spool, 1)
    (tmp_path / "tmp" / "raw-r00001-f000001.123.tmp").write_bytes(b"torn")
    reopened = Spool(tmp_path, max_bytes=10**6)
    assert reopened.count == 1
    assert not list((tmp_path / "tmp").iterdir())


def test_remove_needs_the_matching_digest(tmp_path):
    spool = Spool(tmp_path, max_bytes=10**6)
    _fill(spool, 2)
    assert not spool.remove("raw-r00001-f000000", "stale")
    assert spool.remove("raw-r00001-f000000", "d0")
    assert spool.count == 1 and not spool.remove("raw-r00001-f000000", "d0")
    assert Spool(tmp_path, max_bytes=10**6).count == 1


def test_same_key_replaces_older_item(tmp_path):
    spool = Spool(tmp_path, max_bytes=10**6)
    spool.put("pedestal-r00002", "a", "t", b"old")
    spool.put("pedestal-r00002", "b", "t", b"new")
    assert spool.count == 1 and spool.read(spool.items()[0])[1] == b"new"
    assert Spool(tmp_path, max_bytes=10**6).count == 1


def test_full_when_bytes_reach_the_bound(tmp_path):
    spool = Spool(tmp_path, max_bytes=200)
    _fill(spool, 3, size=30)  # 3 x (2 + 17-byte topic + 30) = 147 bytes
    assert not spool.full
    _fill(spool, 5, size=30)  # 245 bytes
    assert spool.full


@pytest.mark.parametrize("key", ["", "a.b", "a/b"])
def test_bad_keys_are_refused(tmp_path, key):
    with pytest.raises(SpoolError, match="spool key"):
        Spool(tmp_path, max_bytes=100).put(key, "d", "t", b"x")


def test_foreign_file_in_spool_is_reported(tmp_path):
    (tmp_path / "items").mkdir(parents=True)
    (tmp_path / "items" / "junk.msg").write_bytes(b"x")
    with pytest.raises(SpoolError, match="junk.msg"):
        Spool(tmp_path, max_bytes=100)
