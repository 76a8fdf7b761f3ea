"""Mirror mode: the base carries each pixel's lean in its parity; exact round trips; smaller blobs."""

import types

import numpy as np
import pytest

import compression
from compression import CodecError
from compression.pedestal_prep import mirrored_base, prepare_pedestal
from compression.residual_reference import residual_reference, restore_reference
from tests.compression.conftest import make_frame


def quiet_pedestal(shape, seed=0):
    """sigma ~1.6 ADU (where rounding the mean costs most), means anywhere between integers."""
    rng = np.random.default_rng(seed)
    return types.SimpleNamespace(mean=(100 + rng.normal(0, 1.5, shape)).astype(np.float32),
                                 sigma=rng.uniform(1.3, 1.9, shape).astype(np.float32))


def test_mirrored_base_is_twice_the_rounded_mean_minus_its_lean():
    mean = np.array([[10.0, 10.2, 9.8, 10.5, -3.0, 40000.0]], np.float32)
    pedestal = types.SimpleNamespace(mean=mean, sigma=np.ones_like(mean))
    # 10.5 rounds to 10 (half to even) and lies above it; -3 and 40000 are clipped
    assert mirrored_base(prepare_pedestal(pedestal)).tolist() == [[20, 19, 20, 19, 0, 65535]]


def test_mirror_residual_is_the_negated_residual_to_the_rounded_mean():
    base = np.array([20, 19, 21])  # prediction 10 for all three; the odd ones are mirrored
    x = np.array([12, 12, 8])
    assert residual_reference(x, base, True).tolist() == [2, -2, 3]
    assert restore_reference([2, -2, 3], base, True).tolist() == x.tolist()


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (37, 61), (64, 2304)])
def test_mirror_round_trips_every_frame(shape):
    pedestal = quiet_pedestal(shape, seed=shape[1])
    rng = np.random.default_rng(shape[0])
    codec = compression.PedestalPairCodec(mirror=True, noisy_factor=2.0)
    for frame in (make_frame(pedestal), np.zeros(shape, np.uint16), np.full(shape, 65535, np.uint16),
                  rng.integers(0, 65536, shape, dtype=np.uint16)):
        assert np.array_equal(codec.decode(codec.encode(frame, pedestal), pedestal), frame)


def test_mirror_round_trips_means_beyond_the_uint16_half_range():
    shape = (20, 40)
    rng = np.random.default_rng(4)
    pedestal = types.SimpleNamespace(mean=rng.uniform(-10, 70000, shape).astype(np.float32),
                                     sigma=np.full(shape, 2.0, np.float32))
    frame = np.clip(np.rint(pedestal.mean + rng.normal(0, 2, shape)), 0, 65535).astype(np.uint16)
    codec = compression.PedestalPairCodec(mirror=True)
    assert np.array_equal(codec.decode(codec.encode(frame, pedestal), pedestal), frame)


def test_mirror_makes_smaller_blobs_on_a_quiet_camera():
    pedestal = quiet_pedestal((600, 800))
    frame = make_frame(pedestal, spots=0)
    plain = compression.PedestalPairCodec().encode(frame, pedestal)
    mirrored = compression.PedestalPairCodec(mirror=True).encode(frame, pedestal)
    assert len(mirrored) < 0.995 * len(plain)


@pytest.mark.parametrize("value", [1, "true", None])
def test_bad_mirror_is_refused(value):
    with pytest.raises(CodecError, match="mirror"):
        compression.PedestalPairCodec(mirror=value)


def test_encode_frame_mirrors_only_a_quiet_camera(pedestal, frame):
    quiet = quiet_pedestal(pedestal.mean.shape)
    for used, expected in ((quiet, True), (pedestal, False)):  # median sigma 1.6 and 2.25 ADU
        header = compression.read_header(compression.encode_frame(make_frame(used), used))
        assert header["codec"]["mirror"] is expected
