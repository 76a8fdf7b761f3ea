"""Property-based round trips of random frames (hypothesis)."""

import types

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


@settings(max_examples=120, deadline=None)
@given(frame=frames, data=st.data())
def test_random_frames_round_trip_with_any_pedestal_and_mode(frame, data):
    shape = frame.shape
    floats = st.floats(-100, 70000, width=32)
    mean = data.draw(hnp.arrays(np.float32, shape, elements=floats))
    sigma = data.draw(hnp.arrays(np.float32, shape, elements=st.floats(0, 50, width=32)))
    pedestal = types.SimpleNamespace(mean=mean, sigma=sigma)
    codec = compression.PedestalPairCodec(
        alphabet=data.draw(st.integers(2, 16)), classes=data.draw(st.integers(1, 4)),
        noisy_factor=data.draw(st.sampled_from([0.0, 1.5, 2.0, 5.0])) if np.median(sigma) > 0 else 0.0,
        mirror=data.draw(st.booleans()))
    assert np.array_equal(codec.decode(codec.encode(frame, pedestal), pedestal), frame)


@settings(max_examples=120, deadline=None)
@given(frame=frames, data=st.data())
def test_random_frames_round_trip_through_the_column_codec_in_any_mode(frame, data):
    codec = compression.ColumnPairCodec(alphabet=data.draw(st.integers(2, 16)),
                                        row_step=data.draw(st.integers(1, 8)),
                                        low_bit_plane=data.draw(st.booleans()))
    assert np.array_equal(codec.decode(codec.encode(frame)), frame)


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
