"""Noisy pixels coded coarse: kernels against numpy, exact round trips, the header and its checks."""

import types

import numpy as np
import pytest

import compression
from compression import CodecError
from compression.noisy_shift import (MAX_SHIFT, NoisyPixels, noisy_by_band, noisy_pixels, shift_down_reference,
                                     shift_up_reference)
from compression.pair_kernels import decode_pairs, encode_pairs
from compression.pair_reference import decode_pairs_reference, encode_pairs_reference
from tests.compression.conftest import make_frame, make_pedestal
from tests.compression.test_classes import broad_pedestal, narrow_pedestal

_SHAPES = [(1, 1), (2, 3), (5, 8), (31, 64), (300, 129), (120, 2304)]  # the last: several row bands (small_bands)


def _cases(shape):
    pedestal = make_pedestal(shape, seed=shape[1])
    base = np.clip(np.rint(pedestal.mean), 0, 65535).astype(np.uint16)
    noisy = noisy_pixels(f"test-{shape}", pedestal.sigma, float(np.median(pedestal.sigma)), 2.0)
    rng = np.random.default_rng(shape[0])
    for frame in (make_frame(pedestal), rng.integers(0, 65536, shape, dtype=np.uint16),
                  np.zeros(shape, np.uint16), np.full(shape, 65535, np.uint16)):
        yield frame, base, noisy


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("alphabet", [2, 14, 16])
@pytest.mark.parametrize("shape", _SHAPES)
def test_encode_pairs_with_noisy_pixels_matches_reference(shape, alphabet, mirror, small_bands):
    for frame, base, noisy in _cases(shape):
        coarse, fine = shift_down_reference(frame, base, noisy.pixels, noisy.shifts, mirror)
        expected = encode_pairs_reference(coarse, base, alphabet, mirror)._replace(fine=fine)
        found = encode_pairs(frame, base, alphabet, noisy=noisy, mirror=mirror)
        for name, a, b in zip(found._fields, found, expected):
            assert np.array_equal(a, b), name


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("alphabet", [2, 16])
@pytest.mark.parametrize("shape", _SHAPES)
def test_decode_pairs_with_noisy_pixels_matches_reference(shape, alphabet, mirror, small_bands):
    for frame, base, noisy in _cases(shape):
        streams = encode_pairs(frame, base, alphabet, noisy=noisy, mirror=mirror)
        coarse = decode_pairs_reference(streams, base, shape, alphabet, mirror)
        expected = shift_up_reference(coarse, base, noisy.pixels, noisy.shifts, streams.fine, mirror)
        decoded = decode_pairs(streams, base, shape, alphabet, noisy=noisy, mirror=mirror)
        assert np.array_equal(decoded, expected)
        assert np.array_equal(decoded, frame)


def test_noisy_pixels_and_shifts_follow_sigma():
    sigma = np.array([[1.0, 2.0, 2.01, 2.9, 3.0, 6.0, 1e6]], np.float32)
    noisy = noisy_pixels("test-shifts", sigma, 1.0, 2.0)
    assert noisy.pixels.tolist() == [2, 3, 4, 5, 6]
    assert noisy.shifts.tolist() == [1, 2, 2, 3, MAX_SHIFT]  # 2**(k - 0.5) < sigma / reference


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (37, 61), (64, 2304)])
def test_codec_with_noisy_pixels_round_trips(shape):
    pedestal = broad_pedestal(shape, seed=shape[0])
    codec = compression.PedestalPairCodec(noisy_factor=2.0)
    for frame in (make_frame(pedestal), np.zeros(shape, np.uint16), np.full(shape, 65535, np.uint16)):
        assert np.array_equal(codec.decode(codec.encode(frame, pedestal), pedestal), frame)


def camera_with_noisy_pixels(shape, seed=0):
    """Pedestal of a camera with 3 % noisy pixels (sigma 3-8 times the others')."""
    pedestal = narrow_pedestal(shape, seed)
    rng = np.random.default_rng(seed)
    noisy = rng.random(shape) < 0.03
    pedestal.sigma[noisy] *= rng.uniform(3, 8, int(noisy.sum())).astype(np.float32)
    return pedestal


def test_noisy_pixels_coded_coarse_make_smaller_blobs():
    pedestal = camera_with_noisy_pixels((600, 800))
    frame = make_frame(pedestal, spots=0)
    plain = compression.PedestalPairCodec().encode(frame, pedestal)
    coarse = compression.PedestalPairCodec(noisy_factor=2.0).encode(frame, pedestal)
    assert len(coarse) < 0.98 * len(plain)


def test_encode_frame_codes_noisy_pixels_coarse(pedestal, frame):
    header = compression.read_header(compression.encode_frame(frame, pedestal))
    assert header["codec"]["noisy_factor"] == compression.frame_api.NOISY_FACTOR
    assert header["noisy_sigma"] == pytest.approx(float(np.median(pedestal.sigma)), rel=1e-6)


@pytest.mark.parametrize("factor", [-1, 0.5, 1.2, 1e9, float("nan"), True, "2"])
def test_bad_noisy_factor_is_refused(factor):
    with pytest.raises(CodecError, match="noisy_factor"):
        compression.PedestalPairCodec(noisy_factor=factor)


@pytest.mark.parametrize("value", [None, "x", -1.0, 0, float("inf"), True])
def test_forged_noisy_sigma_raises_codec_error(pedestal, frame, value):
    from tests.compression.test_corruption import _forge
    blob = compression.PedestalPairCodec(noisy_factor=2.0).encode(frame, pedestal)
    with pytest.raises(CodecError, match="noisy_sigma"):
        compression.decode_frame(_forge(blob, lambda h: h.update(noisy_sigma=value)), pedestal)


def test_fine_bits_that_do_not_fit_their_pixel_raise_codec_error(pedestal, frame):
    codec = compression.PedestalPairCodec(noisy_factor=2.0)
    header, sections = compression.container.unpack_blob(codec.encode(frame, pedestal))
    fine = np.frombuffer(compression.zstd_sections.decompress_section(
        sections[-1], header["sections"][-1][1], frame.size, "fine"), np.uint8).copy()
    fine[:] = 255  # every shift is < 8 bits here
    header["sections"][-1][1] = fine.size
    sections = sections[:-1] + [compression.zstd_sections.compress_section(fine, 1)[0]]
    with pytest.raises(CodecError, match="fine stream"):
        codec.decode_sections(header, sections, pedestal)


def test_a_pedestal_without_noise_is_coded_without_noisy_pixels():
    shape = (10, 12)
    pedestal = types.SimpleNamespace(mean=np.full(shape, 100, np.float32), sigma=np.zeros(shape, np.float32))
    frame = make_frame(pedestal)
    blob = compression.encode_frame(frame, pedestal)
    assert compression.read_header(blob)["codec"]["noisy_factor"] == 0
    assert np.array_equal(compression.decode_frame(blob, pedestal), frame)
    with pytest.raises(CodecError, match="median sigma is > 0, got 0.0"):
        compression.PedestalPairCodec(noisy_factor=2.0).encode(frame, pedestal)


def test_band_split_is_remembered_for_the_same_noisy_pixels(small_bands):
    shape = (300, 2304)
    pedestal = make_pedestal(shape, seed=4)
    noisy = noisy_pixels("test-band-split", pedestal.sigma, float(np.median(pedestal.sigma)), 2.0)
    split = noisy_by_band(noisy, shape)
    assert len(split) >= 3 and noisy_by_band(noisy, shape) is split
    other = noisy_by_band(NoisyPixels(noisy.pixels.copy(), noisy.shifts.copy()), shape)
    assert other is not split
    for mine, theirs in zip(split, other):
        assert np.array_equal(mine.pixels, theirs.pixels) and (mine.start, mine.stop) == (theirs.start, theirs.stop)
