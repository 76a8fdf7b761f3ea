"""The byte-plane codec for frames full of signal, its kernels, and when encode_frame picks it."""

import numpy as np
import pytest

import compression
from compression import CodecError, PedestalMismatchError, ResidualPlanesCodec
from compression.column_median import column_base, column_base_reference
from compression.plane_kernels import (clipped_share, clipped_share_reference, join_planes,
                                       join_planes_reference, split_planes, split_planes_reference)
from tests.compression.conftest import make_frame, make_pedestal

SHAPES = [(1, 1), (1, 7), (5, 1), (13, 22), (31, 17), (64, 96)]


def _random_frame(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 65536, size=shape, dtype=np.uint16)


def _spark_frame(pedestal, seed=3):
    """The pedestal's noise plus a bright blob over most of the frame (a spark)."""
    rng = np.random.default_rng(seed)
    rows, cols = pedestal.mean.shape
    y, x = np.mgrid[0:rows, 0:cols]
    blob = 2000 * np.exp(-(((x - cols / 2) / cols) ** 2 + ((y - rows / 2) / rows) ** 2) * 2)
    frame = pedestal.mean + rng.normal(0, 1, (rows, cols)) * pedestal.sigma + blob
    return np.clip(np.rint(frame), 0, 65535).astype(np.uint16)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("one_row", [False, True])
def test_split_and_join_match_their_numpy_twins(shape, one_row):
    frame = _random_frame(shape, seed=1)
    base = _random_frame((1 if one_row else shape[0], shape[1]), seed=2)
    low, high = split_planes(frame, base)
    expected_low, expected_high = split_planes_reference(frame, base)
    assert np.array_equal(low, expected_low) and np.array_equal(high, expected_high)
    assert np.array_equal(join_planes(low, high, base, shape), join_planes_reference(low, high, base, shape))
    assert np.array_equal(join_planes(low, high, base, shape), frame)


def test_residual_wraps_modulo_65536():
    frame = np.array([[0, 65534, 100, 65535]], np.uint16)
    base = np.array([[65535, 0, 100, 65535]], np.uint16)
    low, high = split_planes(frame, base)
    assert (low.tolist(), high.tolist()) == ([2, 3, 0, 255], [0, 0, 0, 255])  # +1, -2, 0, saturated


@pytest.mark.parametrize("row_step", [1, 3, 16])
def test_clipped_share_matches_its_numpy_twin(row_step):
    pedestal = make_pedestal((40, 33), seed=5)
    frame = make_frame(pedestal, seed=6, spots=4)
    for base in (compression.prepare_pedestal(pedestal).base, column_base(frame, row_step)):
        assert clipped_share(frame, base, row_step) == pytest.approx(clipped_share_reference(frame, base, row_step))


def test_column_medians_of_random_data_match_the_reference():
    """Columns whose median lies far above their minimum take the exact (radix) select."""
    frame = _random_frame((200, 300), seed=7)
    assert np.array_equal(column_base(frame, 3), column_base_reference(frame, 3))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_pedestal", [False, True])
def test_planes_codec_round_trips(shape, with_pedestal):
    pedestal = make_pedestal(shape, seed=8) if with_pedestal else None
    frame = _random_frame(shape, seed=9)
    blob = ResidualPlanesCodec().encode(frame, pedestal)
    assert np.array_equal(compression.decode_frame(blob, pedestal), frame)
    assert compression.read_header(blob)["pedestal_id"] == (pedestal and compression.prepare_pedestal(pedestal).id)


def test_planes_blob_with_a_pedestal_refuses_another(pedestal, frame):
    blob = ResidualPlanesCodec().encode(frame, pedestal)
    with pytest.raises(PedestalMismatchError):
        compression.decode_frame(blob, make_pedestal(frame.shape, seed=99))
    with pytest.raises(PedestalMismatchError):
        compression.decode_frame(blob)


@pytest.mark.parametrize("codec", [ResidualPlanesCodec(), compression.ColumnPairCodec()])
@pytest.mark.parametrize("bad", [np.zeros((1, 67), np.uint16), np.zeros((1, 66), np.int32), np.zeros(66, np.uint16)])
def test_column_codecs_refuse_a_given_base_of_another_shape_or_type(codec, bad, frame):
    with pytest.raises(CodecError, match="base must be uint16"):
        codec.encode(frame, base=bad)


@pytest.mark.parametrize("with_pedestal", [False, True])
def test_encode_frame_codes_a_spark_as_planes(with_pedestal):
    pedestal = make_pedestal((96, 128), seed=10)
    frame = _spark_frame(pedestal)
    used = pedestal if with_pedestal else None
    blob = compression.encode_frame(frame, used)
    assert compression.read_header(blob)["codec"]["id"] == ResidualPlanesCodec.codec_id
    assert np.array_equal(compression.decode_frame(blob, used), frame)


@pytest.mark.parametrize("with_pedestal", [False, True])
def test_encode_frame_codes_noise_as_pairs(with_pedestal, pedestal, frame):
    blob = compression.encode_frame(frame, pedestal if with_pedestal else None)
    assert compression.read_header(blob)["codec"]["id"] != ResidualPlanesCodec.codec_id


def test_random_frames_stay_their_size():
    """Incompressible input is stored at about its own size, not expanded."""
    frame = _random_frame((256, 256), seed=11)
    assert len(compression.encode_frame(frame)) < 1.01 * frame.nbytes


def test_saturated_pixels_take_one_constant_code():
    """65535 codes as 0xFFFF whatever the base, and the code it displaces still round-trips."""
    base = np.array([[0, 100, 3000, 32767, 65535, 7]], np.uint16)
    frame = np.array([[65535, 65535, 65535, 65535, 65535, (7 + 32768) % 65536]], np.uint16)
    low, high = split_planes(frame, base)
    assert low[:5].tolist() == [255] * 5 and high[:5].tolist() == [255] * 5
    assert np.array_equal(join_planes(low, high, base, frame.shape), frame)


def test_every_pixel_value_round_trips_against_every_kind_of_base():
    values = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    for base_value in (0, 1, 100, 32767, 32768, 65534, 65535):
        base = np.full((1, 256), base_value, np.uint16)
        low, high = split_planes(values, base)
        assert np.array_equal(join_planes(low, high, base, values.shape), values)
        assert len(set((high.astype(np.int64) << 8 | low).tolist())) == 65536  # one code per value
