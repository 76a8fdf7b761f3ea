"""The explicit lossy mode: added noise sigma*sqrt(1/(12 q^2)), unbiased, never the default."""

import types

import numpy as np
import pytest

import compression

SHAPE = (300, 400)
SIGMA = 2.0


@pytest.fixture(scope="module")
def flat_camera():
    rng = np.random.default_rng(11)
    pedestal = types.SimpleNamespace(mean=(100 + rng.normal(0, 1.5, SHAPE)).astype(np.float32),
                                     sigma=np.full(SHAPE, SIGMA, np.float32))
    frame = np.rint(pedestal.mean + rng.normal(0, SIGMA, SHAPE)).astype(np.uint16)
    return pedestal, frame


@pytest.mark.parametrize("q", [1.0, 2.0, 4.0])
def test_added_noise_matches_sigma_over_q_sqrt12(flat_camera, q):
    pedestal, frame = flat_camera
    decoded = compression.decode_frame(compression.encode_frame(frame, pedestal, lossy_q=q), pedestal)
    error = decoded.astype(np.float64) - frame
    expected = SIGMA * np.sqrt(1 / (12 * q * q))
    assert decoded.dtype == np.float32
    assert error.std() == pytest.approx(expected, rel=0.02)
    assert np.abs(error).max() <= SIGMA / q / 2 + 1e-3


@pytest.mark.parametrize("q", [1.0, 4.0])
def test_lossy_error_is_unbiased(flat_camera, q):
    pedestal, frame = flat_camera
    decoded = compression.decode_frame(compression.encode_frame(frame, pedestal, lossy_q=q), pedestal)
    error = decoded.astype(np.float64) - frame
    assert abs(error.mean()) < 5 * error.std() / np.sqrt(error.size)


def test_lossy_blob_says_it_is_lossy(flat_camera):
    pedestal, frame = flat_camera
    header = compression.read_header(compression.encode_frame(frame, pedestal, lossy_q=2))
    assert header["codec"]["id"] == "cygno_dither_quantize" and header["codec"]["q"] == 2.0
    assert header["dtype"] == "float32"


def test_default_mode_is_lossless(flat_camera):
    pedestal, frame = flat_camera
    header = compression.read_header(compression.encode_frame(frame, pedestal))
    assert header["codec"]["id"] == "cygno_pedestal_pairs"


def test_codes_beyond_int16_survive(flat_camera):
    pedestal, frame = flat_camera
    bright = frame.copy()
    bright[0, :5] = 65535
    decoded = compression.decode_frame(compression.encode_frame(bright, pedestal, lossy_q=64), pedestal)
    assert np.abs(decoded.astype(np.float64) - bright).max() <= SIGMA / 64 / 2 + 1e-2


@pytest.mark.parametrize("drift", [-4, 6])
def test_a_drifted_frame_is_quantised_around_its_dark_level(flat_camera, drift):
    pedestal, frame = flat_camera
    moved = frame + np.uint16(drift) if drift > 0 else frame - np.uint16(-drift)
    blob = compression.encode_frame(moved, pedestal, lossy_q=2)
    undrifted = compression.encode_frame(frame, pedestal, lossy_q=2)
    assert compression.read_header(blob)["dark_offset"] == drift
    assert abs(len(blob) - len(undrifted)) < 0.01 * len(undrifted)  # codes centred as without drift
    error = compression.decode_frame(blob, pedestal).astype(np.float64) - moved
    assert error.std() == pytest.approx(SIGMA * np.sqrt(1 / 48), rel=0.02)
    assert abs(error.mean()) < 5 * error.std() / np.sqrt(error.size)


def test_lossy_codec_records_a_dark_offset_only_when_configured(flat_camera):
    pedestal, frame = flat_camera
    with pytest.raises(compression.CodecError, match="dark_offsets=True"):
        compression.DitherQuantizeCodec(q=2).encode(frame, pedestal, dark_offset=3)
    assert "dark_offset" not in compression.read_header(compression.DitherQuantizeCodec(q=2).encode(frame, pedestal))
