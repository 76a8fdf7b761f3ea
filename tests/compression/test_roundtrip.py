"""Bit-exact round trips over shapes and edge cases, with and without a pedestal."""

import numpy as np
import pytest

import compression
from tests.compression.conftest import make_frame, make_pedestal

SHAPES = [(1, 1), (1, 7), (7, 1), (3, 5), (17, 31), (64, 48), (33, 96)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_pedestal", [False, True])
def test_noise_frame_round_trips(shape, with_pedestal):
    pedestal = make_pedestal(shape, seed=shape[0])
    frame = make_frame(pedestal, spots=1)
    used = pedestal if with_pedestal else None
    decoded = compression.decode_frame(compression.encode_frame(frame, used), used)
    assert decoded.dtype == np.uint16 and decoded.shape == shape
    assert np.array_equal(decoded, frame)


@pytest.mark.parametrize("fill", [0, 65535, 1, 32768])
@pytest.mark.parametrize("with_pedestal", [False, True])
def test_constant_frames_round_trip(fill, with_pedestal):
    shape = (9, 13)
    frame = np.full(shape, fill, dtype=np.uint16)
    used = make_pedestal(shape) if with_pedestal else None
    assert np.array_equal(compression.decode_frame(compression.encode_frame(frame, used), used), frame)


@pytest.mark.parametrize("with_pedestal", [False, True])
def test_uniform_random_frame_round_trips(with_pedestal):
    shape = (40, 57)
    frame = np.random.default_rng(5).integers(0, 65536, shape, dtype=np.uint16)
    used = make_pedestal(shape) if with_pedestal else None
    assert np.array_equal(compression.decode_frame(compression.encode_frame(frame, used), used), frame)


def test_non_contiguous_and_big_endian_frames_round_trip(pedestal, frame):
    wide = np.zeros((frame.shape[0], 2 * frame.shape[1]), dtype=np.uint16)
    wide[:, ::2] = frame
    assert np.array_equal(compression.decode_frame(compression.encode_frame(wide[:, ::2], pedestal),
                                                   pedestal), frame)
    swapped = frame.astype(">u2")
    assert np.array_equal(compression.decode_frame(compression.encode_frame(swapped)), frame)


def test_pedestal_with_extreme_means_round_trips():
    shape = (6, 8)
    pedestal = make_pedestal(shape)
    pedestal.mean[0, 0], pedestal.mean[1, 1] = -500.0, 90000.0
    frame = np.random.default_rng(2).integers(0, 65536, shape, dtype=np.uint16)
    assert np.array_equal(compression.decode_frame(compression.encode_frame(frame, pedestal), pedestal),
                          frame)


def test_pedestal_codec_beats_raw_on_noise(pedestal, frame):
    blob = compression.encode_frame(frame, pedestal)
    assert len(blob) < frame.nbytes / 3


def test_codec_objects_round_trip_through_their_config():
    for codec in (compression.PedestalPairCodec(level=3, alphabet=12),
                  compression.ColumnPairCodec(row_step=4),
                  compression.DitherQuantizeCodec(q=2.0, seed=7),
                  compression.SparsePixelCodec(level=5)):
        assert compression.get_codec(codec.get_config()) == codec


def test_non_default_codec_parameters_round_trip(pedestal, frame):
    for codec in (compression.PedestalPairCodec(level=5, alphabet=2),
                  compression.PedestalPairCodec(alphabet=16)):
        assert np.array_equal(compression.decode_frame(codec.encode(frame, pedestal), pedestal), frame)
    column = compression.ColumnPairCodec(row_step=1, alphabet=9)
    assert np.array_equal(column.decode(column.encode(frame)), frame)


def test_read_header_describes_the_blob(pedestal, frame):
    header = compression.read_header(compression.encode_frame(frame, pedestal))
    assert header["shape"] == frame.shape and header["dtype"] == "uint16"
    assert header["format_version"] == 1
    assert header["checksum"] == compression.pixel_checksum(frame)
    assert header["pedestal_id"] == compression.pedestal_fingerprint(pedestal.mean, pedestal.sigma)
    assert compression.get_codec(header["codec"]) == compression.PedestalPairCodec(noisy_factor=2.0, dark_offsets=True)


def test_blob_without_pedestal_is_self_contained(frame):
    header = compression.read_header(compression.encode_frame(frame))
    assert header["pedestal_id"] is None and header["codec"]["id"] == "cygno_column_pairs"


def test_threads_encode_and_decode_alike():
    from concurrent.futures import ThreadPoolExecutor
    pedestal = make_pedestal((64, 80), seed=3)
    frames = [make_frame(pedestal, seed=s) for s in range(8)]
    serial = [compression.encode_frame(f, pedestal) for f in frames]
    with ThreadPoolExecutor(2) as pool:
        parallel = list(pool.map(lambda f: compression.encode_frame(f, pedestal), frames))
        decoded = list(pool.map(lambda b: compression.decode_frame(b, pedestal), parallel))
    assert parallel == serial
    assert all(np.array_equal(d, f) for d, f in zip(decoded, frames))
