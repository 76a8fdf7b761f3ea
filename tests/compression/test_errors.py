"""Garbage in gives a CodecError naming the field; wrong pedestals are refused."""

import types

import numpy as np
import pytest

import compression
from compression import CodecError, PedestalMismatchError
from tests.compression.conftest import make_pedestal


@pytest.mark.parametrize("bad", [
    np.zeros((4, 4), dtype=np.int16), np.zeros((4, 4), dtype=np.float32), np.zeros(16, dtype=np.uint16),
    np.zeros((2, 2, 2), dtype=np.uint16), np.zeros((0, 5), dtype=np.uint16), [[1, 2], [3, 4]], None,
])
def test_bad_frames_are_refused(bad):
    with pytest.raises(CodecError, match="frame"):
        compression.encode_frame(bad)


def test_decoding_with_another_pedestal_is_refused(pedestal, frame):
    blob = compression.encode_frame(frame, pedestal)
    other = make_pedestal(frame.shape, seed=99)
    with pytest.raises(PedestalMismatchError, match=compression.read_header(blob)["pedestal_id"]):
        compression.decode_frame(blob, other)


def test_decoding_without_the_pedestal_is_refused(pedestal, frame):
    with pytest.raises(PedestalMismatchError, match="got none"):
        compression.decode_frame(compression.encode_frame(frame, pedestal))


def test_pedestal_of_another_shape_is_refused(frame):
    with pytest.raises(PedestalMismatchError, match="shape"):
        compression.encode_frame(frame, make_pedestal((5, 5)))


@pytest.mark.parametrize("bad_pedestal, field", [
    (types.SimpleNamespace(mean=np.zeros((48, 66), np.float32)), "sigma"),
    (types.SimpleNamespace(mean=np.zeros((48, 66), np.int32), sigma=np.ones((48, 66), np.float32)), "mean"),
    (types.SimpleNamespace(mean=np.full((48, 66), np.nan, np.float32), sigma=np.ones((48, 66), np.float32)),
     "mean"),
    (types.SimpleNamespace(mean=np.zeros((48, 66), np.float32), sigma=-np.ones((48, 66), np.float32)),
     "sigma"),
])
def test_bad_pedestals_are_refused(frame, bad_pedestal, field):
    with pytest.raises(CodecError, match=field):
        compression.encode_frame(frame, bad_pedestal)


@pytest.mark.parametrize("config", [None, {}, {"id": "nope"}, {"id": "cygno_pedestal_pairs", "level": 0},
                                    {"id": "cygno_pedestal_pairs", "alphabet": 17},
                                    {"id": "cygno_column_pairs", "colour": 1},
                                    {"id": "cygno_dither_quantize", "q": 0.0}])
def test_bad_codec_configs_are_refused(config):
    with pytest.raises(CodecError):
        compression.get_codec(config)


def test_lossy_mode_without_pedestal_is_refused(frame):
    with pytest.raises(CodecError, match="pedestal"):
        compression.encode_frame(frame, lossy_q=2)


def test_non_bytes_blob_is_refused():
    with pytest.raises(CodecError, match="bytes-like"):
        compression.decode_frame(12345)


def test_sparse_blob_is_not_a_frame(pedestal):
    sparse = compression.SparsePixels(np.array([0], np.int32), np.array([1], np.int32),
                                      np.array([7], np.uint16), (48, 66))
    with pytest.raises(CodecError, match="sparse"):
        compression.decode_frame(compression.encode_sparse(sparse))
