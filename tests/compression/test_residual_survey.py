"""The residual survey (dark offset, overflow share), the shifted base, blobs with a dark offset."""

import numpy as np
import pytest

import compression
from compression import CodecError, PedestalPairCodec
from compression.pedestal_prep import mirrored_base, shifted_base
from compression.residual_survey import SURVEY_REACH, survey_residuals, survey_residuals_reference
from tests.compression.conftest import make_frame, make_pedestal

SHAPES = [(1, 1), (1, 9), (7, 1), (33, 20), (130, 41)]


def _drifted(frame, offset):
    """``frame`` with its dark level moved by ``offset`` ADU (clipped to uint16)."""
    return np.clip(frame.astype(np.int64) + offset, 0, 65535).astype(np.uint16)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("row_step", [1, 4, 64])
def test_survey_matches_its_numpy_twin(shape, row_step):
    rng = np.random.default_rng(sum(shape) + row_step)
    base = rng.integers(0, 65536, shape, dtype=np.uint16)
    for spread in (3, 300, 70000):  # noise, beyond the histogram's reach, anything
        frame = np.clip(base.astype(np.int64) + rng.integers(-spread, spread + 1, shape), 0, 65535)
        frame = frame.astype(np.uint16)
        counts = survey_residuals(frame, base, row_step).counts
        assert np.array_equal(counts, survey_residuals_reference(frame, base, row_step).counts)


@pytest.mark.parametrize("offset", [-9, -2, 0, 3, 40])
def test_dark_offset_finds_the_drift_under_signal(offset):
    pedestal = make_pedestal((128, 96), seed=2)
    frame = _drifted(make_frame(pedestal, seed=3, spots=40), offset)
    assert survey_residuals(frame, compression.prepare_pedestal(pedestal).base, 1).offset() == offset


def test_offset_beyond_the_reach_is_reported_at_its_edge():
    base = np.full((8, 8), 1000, np.uint16)
    assert survey_residuals(base + np.uint16(900), base, 1).offset() == SURVEY_REACH + 1
    assert survey_residuals(base - np.uint16(900), base, 1).offset() == -SURVEY_REACH - 1


@pytest.mark.parametrize("offset", [0, 5, -3, 250, -256])
def test_clipped_share_counts_residuals_beyond_the_reach_around_the_offset(offset):
    pedestal = make_pedestal((40, 33), seed=5)
    frame = _drifted(make_frame(pedestal, seed=6, spots=4), 5)
    base = compression.prepare_pedestal(pedestal).base
    residuals = frame.astype(np.int64) - base
    clamped = np.clip(residuals, -SURVEY_REACH - 1, SURVEY_REACH + 1)
    beyond = (np.abs(clamped - offset) > 7) | (np.abs(clamped) > SURVEY_REACH)
    assert survey_residuals(frame, base, 1).clipped_share(7, offset) == pytest.approx(beyond.mean())


def test_an_offset_brings_a_drifted_frame_back_within_the_alphabet():
    pedestal = make_pedestal((40, 33), seed=5)
    survey = survey_residuals(_drifted(make_frame(pedestal, seed=6), 6), compression.prepare_pedestal(pedestal).base, 1)
    assert survey.clipped_share(7, survey.offset()) < 0.1 < survey.clipped_share(7, 0)


def test_shifted_base_clips_to_uint16_and_is_kept():
    pedestal = make_pedestal((1, 5), seed=7)
    pedestal.mean[:] = [0, 1, 100, 65534, 65535]
    prepared = compression.prepare_pedestal(pedestal)
    up = shifted_base(prepared, 3)
    assert up.tolist() == [[3, 4, 103, 65535, 65535]]
    assert shifted_base(prepared, 3) is up
    assert shifted_base(prepared, -2).tolist() == [[0, 0, 98, 65532, 65533]]


def test_shifted_mirrored_base_moves_the_prediction_and_keeps_the_sign_bits():
    prepared = compression.prepare_pedestal(make_pedestal((20, 30), seed=8))
    mirrored = mirrored_base(prepared)
    shifted = shifted_base(prepared, 4, mirror=True)
    assert np.array_equal(shifted & 1, mirrored & 1)
    assert np.array_equal((shifted.astype(np.int64) + 1) >> 1, ((mirrored.astype(np.int64) + 1) >> 1) + 4)


@pytest.mark.parametrize("params", [{}, {"mirror": True}, {"noisy_factor": 2.0}, {"classes": 4},
                                    {"mirror": True, "noisy_factor": 2.0, "classes": 3}])
@pytest.mark.parametrize("offset", [-256, -5, 3, 256])
def test_pedestal_codec_with_a_dark_offset_round_trips(params, offset):
    pedestal = make_pedestal((45, 70), seed=9)
    frame = _drifted(make_frame(pedestal, seed=10), offset)
    blob = PedestalPairCodec(dark_offsets=True, **params).encode(frame, pedestal, dark_offset=offset)
    assert compression.read_header(blob)["dark_offset"] == offset
    assert np.array_equal(compression.decode_frame(blob, pedestal), frame)


@pytest.mark.parametrize("bad", [257, -257, 1.5, True, "3"])
def test_pedestal_codec_refuses_a_bad_dark_offset(bad, pedestal, frame):
    with pytest.raises(CodecError, match=rf"dark_offset.*{bad!r}"):
        PedestalPairCodec(dark_offsets=True).encode(frame, pedestal, dark_offset=bad)


def test_a_dark_offset_needs_a_codec_that_records_it(pedestal, frame):
    with pytest.raises(CodecError, match="dark_offsets=True"):
        PedestalPairCodec().encode(frame, pedestal, dark_offset=3)
    assert "dark_offset" not in compression.read_header(PedestalPairCodec().encode(frame, pedestal))


@pytest.mark.parametrize("offset", [-6, 2, 5, 12])
def test_encode_frame_codes_a_drifted_frame_with_its_offset(offset):
    pedestal = make_pedestal((96, 80), seed=11)
    frame = _drifted(make_frame(pedestal, seed=12), offset)
    blob = compression.encode_frame(frame, pedestal)
    header = compression.read_header(blob)
    assert (header["codec"]["id"], header["dark_offset"]) == ("cygno_pedestal_pairs", offset)
    assert np.array_equal(compression.decode_frame(blob, pedestal), frame)


def test_encode_frame_keeps_the_pedestal_as_it_is_within_one_adu():
    pedestal = make_pedestal((96, 80), seed=11)
    for offset in (-1, 0, 1):
        blob = compression.encode_frame(_drifted(make_frame(pedestal, seed=12), offset), pedestal)
        assert compression.read_header(blob)["dark_offset"] == 0


def test_an_offset_blob_refuses_another_pedestal():
    pedestal, other = make_pedestal((30, 30), seed=13), make_pedestal((30, 30), seed=14)
    blob = compression.encode_frame(_drifted(make_frame(pedestal, seed=15), 6), pedestal)
    with pytest.raises(compression.PedestalMismatchError):
        compression.decode_frame(blob, other)


@pytest.mark.parametrize("codec", [PedestalPairCodec, compression.DitherQuantizeCodec])
@pytest.mark.parametrize("bad", [1, "yes", None])
def test_codecs_refuse_a_dark_offsets_flag_that_is_not_a_bool(codec, bad):
    with pytest.raises(CodecError, match=rf"dark_offsets.*{bad!r}"):
        codec(dark_offsets=bad)
