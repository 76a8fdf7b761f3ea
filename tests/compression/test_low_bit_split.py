"""Halved residuals and the low-bit plane: kernels against numpy, and the column codec's mode."""

import numpy as np
import pytest
import zstandard

import compression
from compression import CodecError, ColumnPairCodec
from compression.low_bit_split import (HALF_CENTRE, low_bit_bytes, merge_low_bits, merge_low_bits_reference,
                                       pack_low_bits, split_low_bits, split_low_bits_reference)
from compression.pair_kernels import decode_pairs, encode_pairs
from compression.pair_reference import encode_pairs_reference
from compression.row_bands import row_bands

#: Row lengths: multiples of 16 (the 16-pixel mask path), even, odd; one pixel.
SHAPES = [(24, 32), (9, 48), (13, 22), (20, 27), (1, 1), (3, 5), (1, 9)]


def _frame_and_bases(shape, seed=3):
    rng = np.random.default_rng(seed)
    frame = rng.normal(1000, 8, shape).astype(np.uint16)
    frame.flat[::7] = rng.integers(0, 65536, frame.flat[::7].size)
    frame.flat[::11] = 65535
    frame.flat[::13] = 0
    yield frame, np.full((1, shape[1]), 1001, np.uint16)
    yield frame, rng.integers(0, 65536, shape, dtype=np.uint16)


def _scratch(shape):
    pixels = shape[0] * shape[1]
    return np.empty(shape, np.uint16), np.empty(low_bit_bytes(pixels), np.uint8), np.empty(pixels + 16, np.uint8)


@pytest.mark.parametrize("shape", SHAPES)
def test_split_matches_the_numpy_reference(shape):
    for frame, base in _frame_and_bases(shape):
        half, low, parity = _scratch(shape)
        split_low_bits(frame, base, half, low, parity)
        expected_half, expected_low = split_low_bits_reference(frame, base)
        assert np.array_equal(half, expected_half)
        assert np.array_equal(low, expected_low)


@pytest.mark.parametrize("shape", SHAPES)
def test_pack_alone_gives_the_split_low_bits(shape):
    for frame, base in _frame_and_bases(shape):
        _, low, parity = _scratch(shape)
        pack_low_bits(frame, base, low, parity)
        assert np.array_equal(low, split_low_bits_reference(frame, base)[1])


@pytest.mark.parametrize("shape", SHAPES)
def test_merge_restores_the_frame_like_the_reference(shape):
    for frame, base in _frame_and_bases(shape):
        half, low = split_low_bits_reference(frame, base)
        assert np.array_equal(merge_low_bits_reference(half, base, low), frame)
        merged = half.copy()
        merge_low_bits(merged, base, low, np.empty(frame.size + 16, np.uint8))
        assert np.array_equal(merged, frame)


def test_the_half_frame_spans_uint16_at_the_extremes():
    frame = np.array([[0, 65535, 0, 65535]], np.uint16)
    base = np.array([[65535, 0, 0, 65535]], np.uint16)
    half, _ = split_low_bits_reference(frame, base)
    assert half.tolist() == [[0, 65535, HALF_CENTRE, HALF_CENTRE]]


@pytest.mark.parametrize("alphabet", [14, 16])
def test_pair_coding_of_halved_residuals_is_that_of_the_half_frame(alphabet, small_bands):
    # several bands; odd columns (general kernel) and even ones (nibble kernel, fused halving)
    for shape in [(701, 401), (655, 402), (300, 512)]:
        assert len(list(row_bands(shape))) >= 2
        for frame, base in _frame_and_bases(shape, seed=8):
            low = np.empty(low_bit_bytes(frame.size), np.uint8)
            streams = encode_pairs(frame, base, alphabet, low_bits=low)
            half, expected_low = split_low_bits_reference(frame, base)
            expected = encode_pairs_reference(half, np.full((1, shape[1]), HALF_CENTRE, np.uint16), alphabet)
            for name, got, want in zip(expected._fields, streams, expected):
                assert np.array_equal(got, want), name
            assert np.array_equal(low, expected_low)
            assert np.array_equal(decode_pairs(streams, base, shape, alphabet, low_bits=low), frame)


@pytest.mark.parametrize("combined", [{"mirror": True}, {"low_bits": np.empty(2, np.uint8)}])
def test_pair_coders_refuse_low_bits_they_cannot_use(combined):
    frame, base = next(_frame_and_bases((4, 6)))
    options = {"low_bits": np.empty(3, np.uint8), **combined}
    with pytest.raises(CodecError, match="low_bits"):
        encode_pairs(frame, base, 16, **options)


def test_column_codec_with_low_bit_plane_round_trips_every_shape():
    for shape in SHAPES + [(64, 48), (1, 7), (7, 1)]:
        for frame, _ in _frame_and_bases(shape):
            codec = ColumnPairCodec(low_bit_plane=True)
            blob = codec.encode(frame)
            assert len(compression.read_header(blob)["sections"]) == 5
            assert np.array_equal(compression.decode_frame(blob), frame)


def test_column_codec_config_names_the_mode():
    codec = ColumnPairCodec(low_bit_plane=True)
    assert codec.get_config()["low_bit_plane"] is True
    assert compression.get_codec(codec.get_config()) == codec
    assert ColumnPairCodec().get_config()["low_bit_plane"] is False


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_column_codec_refuses_a_low_bit_plane_flag_that_is_not_a_bool(bad):
    with pytest.raises(CodecError, match=rf"low_bit_plane.*{bad!r}"):
        ColumnPairCodec(low_bit_plane=bad)


def _wide_noise_frame(shape=(96, 128), sigma=4.0, seed=5):
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(500, sigma, shape), 0, 65535).astype(np.uint16)


def test_encode_frame_halves_the_residuals_of_wide_noise_only():
    wide, narrow = _wide_noise_frame(), _wide_noise_frame(sigma=2.0)
    for frame, halved in ((wide, True), (narrow, False)):
        blob = compression.encode_frame(frame)
        assert compression.read_header(blob)["codec"]["low_bit_plane"] is halved
        assert np.array_equal(compression.decode_frame(blob), frame)


def test_halving_clips_fewer_pixels_for_a_small_size_cost():
    frame = _wide_noise_frame(shape=(256, 256))
    plain = encode_pairs(frame, np.full((1, 256), 500, np.uint16), 16)
    halved = encode_pairs(frame, np.full((1, 256), 500, np.uint16), 16,
                          low_bits=np.empty(low_bit_bytes(frame.size), np.uint8))
    assert halved.overflow.size < plain.overflow.size / 4
    sizes = [len(ColumnPairCodec(low_bit_plane=mode).encode(frame)) for mode in (False, True)]
    assert sizes[1] < 1.03 * sizes[0]


def _repacked(blob: bytes, edit) -> bytes:
    from compression.container import pack_blob, unpack_blob
    from compression.zstd_sections import compress_section

    header, sections = unpack_blob(blob)
    low = np.frombuffer(zstandard.ZstdDecompressor().decompress(bytes(sections[4])), np.uint8).copy()
    edit(low)
    rebuilt = [(bytes(s), header["sections"][i][1]) for i, s in enumerate(sections[:4])]
    return pack_blob({k: v for k, v in header.items() if k != "sections"}, rebuilt + [compress_section(low, 1)])


def test_low_bits_set_past_the_last_pixel_are_refused():
    frame, _ = next(_frame_and_bases((20, 27)))  # 540 pixels: the last byte holds 4
    blob = ColumnPairCodec(low_bit_plane=True).encode(frame)
    assert np.array_equal(compression.decode_frame(_repacked(blob, lambda low: None)), frame)
    with pytest.raises(CodecError, match="past the last pixel"):
        compression.decode_frame(_repacked(blob, lambda low: low.__setitem__(-1, low[-1] | 0x80)))


def test_a_flipped_low_bit_fails_the_pixel_checksum():
    frame, _ = next(_frame_and_bases((16, 32)))
    blob = ColumnPairCodec(low_bit_plane=True).encode(frame)
    with pytest.raises(CodecError, match="checksum"):
        compression.decode_frame(_repacked(blob, lambda low: low.__setitem__(3, low[3] ^ 0x04)))


def test_a_read_only_frame_and_base_code_with_low_bits():
    # frames from a DAQ buffer (np.frombuffer) are read-only
    frame, base = next(_frame_and_bases((32, 64)))
    frame.setflags(write=False)
    base.setflags(write=False)
    low = np.empty(low_bit_bytes(frame.size), np.uint8)
    streams = encode_pairs(frame, base, 16, low_bits=low)
    assert np.array_equal(decode_pairs(streams, base, frame.shape, 16, low_bits=low), frame)
    wide = _wide_noise_frame()
    wide.setflags(write=False)
    blob = compression.encode_frame(wide)
    assert compression.read_header(blob)["codec"]["low_bit_plane"] is True
    assert np.array_equal(compression.decode_frame(blob), wide)
