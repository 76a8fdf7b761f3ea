"""The sparse (zero-suppressed) codec: exact, compact, checked."""

import numpy as np
import pytest

import compression
from compression import CodecError, PedestalMismatchError
from tests.compression.conftest import make_pedestal


def clustered_sparse(shape=(2304, 2304), n_clusters=120, seed=0):
    """Zero-suppressed-looking pixels: discs of radius 2-8 px, values 100 + up to a few hundred ADU."""
    rng = np.random.default_rng(seed)
    keep = np.zeros(shape, dtype=bool)
    yy, xx = np.mgrid[-8:9, -8:9]
    for _ in range(n_clusters):
        r, c, radius = rng.integers(8, shape[0] - 8), rng.integers(8, shape[1] - 8), rng.uniform(2, 8)
        keep[r - 8:r + 9, c - 8:c + 9] |= yy ** 2 + xx ** 2 <= radius ** 2
    rows, cols = np.nonzero(keep)
    values = (100 + rng.normal(0, 2, rows.size) + rng.exponential(60, rows.size)).astype(np.uint16)
    return compression.SparsePixels(rows.astype(np.int32), cols.astype(np.int32), values, shape)


def _assert_same(decoded, sparse):
    assert decoded.shape == tuple(sparse.shape)
    for name in ("rows", "cols", "values"):
        assert np.array_equal(getattr(decoded, name), getattr(sparse, name)), name
    assert decoded.rows.dtype == np.int32 and decoded.values.dtype == np.uint16


def test_sparse_round_trips_without_pedestal():
    sparse = clustered_sparse((200, 300), 10)
    _assert_same(compression.decode_sparse(compression.encode_sparse(sparse)), sparse)


def test_sparse_round_trips_with_pedestal():
    sparse = clustered_sparse((200, 300), 10)
    pedestal = make_pedestal((200, 300))
    _assert_same(compression.decode_sparse(compression.encode_sparse(sparse, pedestal), pedestal), sparse)


def test_empty_sparse_frame_round_trips():
    empty = compression.SparsePixels(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint16),
                                     (5, 5))
    _assert_same(compression.decode_sparse(compression.encode_sparse(empty)), empty)


def test_typical_zero_suppressed_frame_is_under_one_percent_of_raw():
    sparse = clustered_sparse()
    kept = sparse.values.size / (2304 * 2304)
    assert 0.001 <= kept <= 0.005
    assert len(compression.encode_sparse(sparse)) <= 0.01 * 2304 * 2304 * 2


@pytest.mark.parametrize("rows, cols, field", [
    ([0, 0], [1, 1], "sorted"), ([1, 0], [0, 0], "sorted"), ([0], [9], "coordinates"), ([-1], [0], "coordinates"),
])
def test_bad_sparse_pixels_are_refused(rows, cols, field):
    sparse = compression.SparsePixels(np.array(rows), np.array(cols), np.ones(len(rows), np.uint16), (4, 4))
    with pytest.raises(CodecError, match=field):
        compression.encode_sparse(sparse)


def test_sparse_without_fields_is_refused():
    with pytest.raises(CodecError, match="rows"):
        compression.encode_sparse(object())


def test_sparse_with_wrong_pedestal_is_refused():
    sparse = clustered_sparse((50, 60), 3)
    blob = compression.encode_sparse(sparse, make_pedestal((50, 60)))
    with pytest.raises(PedestalMismatchError):
        compression.decode_sparse(blob, make_pedestal((50, 60), seed=7))


def test_sparse_byte_flips_and_truncations_raise_codec_error():
    blob = compression.encode_sparse(clustered_sparse((50, 60), 3))
    rng = np.random.default_rng(0)
    for position in rng.integers(0, len(blob), 40):
        broken = bytearray(blob)
        broken[position] ^= 0x5A
        with pytest.raises(CodecError):
            compression.decode_sparse(bytes(broken))
    for length in rng.integers(0, len(blob), 20):
        with pytest.raises(CodecError):
            compression.decode_sparse(blob[:length])
