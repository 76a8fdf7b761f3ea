"""Property-based round trips of random frames (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import compression
from tests.compression.conftest import make_pedestal

frames = hnp.arrays(np.uint16, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=40),
                    elements=st.one_of(st.integers(0, 65535), st.integers(95, 110)))


@settings(max_examples=120, deadline=None)
@given(frame=frames)
def test_random_frames_round_trip_without_pedestal(frame):
    assert np.array_equal(compression.decode_frame(compression.encode_frame(frame)), frame)


@settings(max_examples=120, deadline=None)
@given(frame=frames, seed=st.integers(0, 1000))
def test_random_frames_round_trip_with_pedestal(frame, seed):
    pedestal = make_pedestal(frame.shape, seed=seed)
    blob = compression.encode_frame(frame, pedestal)
    assert np.array_equal(compression.decode_frame(blob, pedestal), frame)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_random_sparse_frames_round_trip(data):
    rows, cols = data.draw(st.integers(1, 30)), data.draw(st.integers(1, 30))
    keep = data.draw(hnp.arrays(bool, (rows, cols)))
    values = data.draw(hnp.arrays(np.uint16, int(keep.sum())))
    r, c = np.nonzero(keep)
    sparse = compression.SparsePixels(r.astype(np.int32), c.astype(np.int32), values, (rows, cols))
    for pedestal in (None, make_pedestal((rows, cols))):
        decoded = compression.decode_sparse(compression.encode_sparse(sparse, pedestal), pedestal)
        for got, want in zip(decoded, sparse):
            assert np.array_equal(got, want)
