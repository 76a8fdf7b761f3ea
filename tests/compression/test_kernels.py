"""Every numba kernel against its plain-numpy twin."""

import numpy as np
import pytest
import xxhash

from compression.checksum import pixel_checksum
from compression.column_median import column_base, column_base_reference
from compression.dither_kernels import (dequantise, dequantise_reference, dither, dither_reference,
                                        quantise, quantise_reference)
from compression.errors import CodecError
from compression.nibble_kernels import decode_nibble_rows, encode_nibble_rows
from compression.pair_kernels import decode_pairs, encode_pairs
from compression.pair_reference import decode_pairs_reference, encode_pairs_reference
from compression.row_bands import row_bands
from tests.compression.conftest import make_frame, make_pedestal


def _cases():
    rng = np.random.default_rng(3)
    for shape in [(1, 1), (2, 3), (5, 7), (31, 64), (300, 129)]:  # the last spans 3 chunks
        pedestal = make_pedestal(shape, seed=shape[1])
        base = np.clip(np.rint(pedestal.mean), 0, 65535).astype(np.uint16)
        yield make_frame(pedestal), base
        yield make_frame(pedestal), base[:1]
        yield rng.integers(0, 65536, shape, dtype=np.uint16), base


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("alphabet", [2, 14, 16])
def test_encode_pairs_matches_reference(alphabet, mirror):
    for frame, base in _cases():
        fast = encode_pairs(frame, base, alphabet, mirror=mirror)
        slow = encode_pairs_reference(frame, base, alphabet, mirror)
        for name, a, b in zip(fast._fields, fast, slow):
            assert np.array_equal(a, b), name


def _nibble_streams(frame, base, mirror):
    symbols = np.empty(frame.size // 2, np.uint8)
    overflow, escapes = np.empty(frame.size, np.uint8), np.empty(frame.size, np.uint16)
    n_over, n_esc = encode_nibble_rows(frame, base, np.int32(mirror), np.int32(0), symbols, overflow, escapes,
                                       np.empty(0, np.int64), np.empty(0, np.uint8), np.empty(0, np.uint8))
    return symbols, overflow[:n_over], escapes[:n_esc]


_NIBBLE_SHAPES = [(1, 2), (3, 6), (7, 10), (6000, 6), (20, 4098)]


def _nibble_cases(shape):
    # (6000, 6): 2 bands whose boundary falls inside a symbols word; (20, 4098): rows not
    # a multiple of 8 symbols; escapes and overflow from a noisy frame with outliers
    rng = np.random.default_rng(shape[0])
    frame = rng.normal(1000, 6, shape).astype(np.uint16)
    frame.flat[::37] = rng.integers(0, 65536, frame.flat[::37].size)
    for base in (np.full((1, shape[1]), 1000, np.uint16), rng.integers(990, 1010, shape, dtype=np.uint16)):
        yield frame, base


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("shape", _NIBBLE_SHAPES)
def test_nibble_fast_path_matches_reference(shape, mirror):
    for frame, base in _nibble_cases(shape):
        expected = encode_pairs_reference(frame, base, 16, mirror)
        for name, fast, slow in zip(expected._fields, _nibble_streams(frame, base, mirror), expected):
            assert np.array_equal(fast, slow), name


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("shape", _NIBBLE_SHAPES)
def test_nibble_decode_matches_reference(shape, mirror):
    for frame, base in _nibble_cases(shape):
        streams = encode_pairs_reference(frame, base, 16, mirror)
        decoded = np.empty_like(frame)
        status, n_over, n_esc = decode_nibble_rows(streams.symbols, base, np.int32(mirror), streams.overflow,
                                                   streams.escapes, decoded)
        assert (status, n_over, n_esc) == (0, streams.overflow.size, streams.escapes.size)
        assert np.array_equal(decoded, decode_pairs_reference(streams, base, shape, 16, mirror))
        assert np.array_equal(decoded, frame)


def test_encode_pairs_writes_symbols_into_out():
    frame, base = next(_cases())
    out = np.full((frame.size + 1) // 2, 7, dtype=np.uint8)
    streams = encode_pairs(frame, base, 16, out=out)
    assert streams.symbols is out
    assert np.array_equal(out, encode_pairs(frame, base, 16).symbols)


def test_encode_pairs_refuses_an_out_of_the_wrong_size():
    frame, base = next(_cases())
    with pytest.raises(CodecError, match="out must be"):
        encode_pairs(frame, base, 16, out=np.empty(frame.size + 5, dtype=np.uint8))


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("alphabet", [2, 14, 16])
def test_decode_pairs_matches_reference(alphabet, mirror):
    for frame, base in _cases():
        streams = encode_pairs_reference(frame, base, alphabet, mirror)
        assert np.array_equal(decode_pairs(streams, base, frame.shape, alphabet, mirror=mirror), frame)
        assert np.array_equal(decode_pairs_reference(streams, base, frame.shape, alphabet, mirror), frame)


def test_dither_matches_reference():
    assert np.array_equal(dither(1000, 12345), dither_reference(1000, 12345))
    assert np.array_equal(dither(10, 0), dither_reference(10, 0))


@pytest.mark.parametrize("q", [1.0, 2.0, 4.0])
@pytest.mark.parametrize("offset", [0, -3, 7])
def test_quantise_and_dequantise_match_reference(q, offset):
    pedestal = make_pedestal((23, 41))
    frame = make_frame(pedestal)
    codes, shifted, n_clipped = quantise(frame, pedestal.mean, pedestal.sigma, q, 99, offset)
    assert np.array_equal(codes, quantise_reference(frame, pedestal.mean, pedestal.sigma, q, 99, offset))
    assert np.array_equal(shifted, np.clip(codes + 32768, 0, 65535)) and n_clipped == 0
    assert np.allclose(dequantise(codes, pedestal.mean, pedestal.sigma, q, 99, offset),
                       dequantise_reference(codes, pedestal.mean, pedestal.sigma, q, 99, offset), atol=1e-3)


def test_column_base_is_the_column_median_of_sampled_rows():
    frame = np.random.default_rng(0).integers(90, 110, (33, 12), dtype=np.uint16)
    expected = np.sort(frame[::4], axis=0)[frame[::4].shape[0] // 2]
    assert np.array_equal(column_base(frame, 4)[0], expected)


@pytest.mark.parametrize("low,high", [(0, 65536), (95, 110), (250, 262), (65530, 65536)])
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1), (33, 12), (300, 5)])
def test_column_base_matches_reference(shape, low, high):
    frame = np.random.default_rng(shape[0] * shape[1]).integers(low, high, shape, dtype=np.uint16)
    for row_step in (1, 2, 16, 1000):
        assert np.array_equal(column_base(frame, row_step), column_base_reference(frame, row_step))


def test_column_base_selects_exactly_above_its_counting_window():
    frame = np.random.default_rng(3).integers(95, 110, (64, 6), dtype=np.uint16)
    frame[:40, 1] = 5000     # most samples far above the column minimum: sorted, not counted
    frame[::7, 2] = 60000    # a few outliers: the median stays inside the window
    frame[:, 3] = 65535      # a saturated column
    for row_step in (1, 3, 16):
        assert np.array_equal(column_base(frame, row_step), column_base_reference(frame, row_step))


def test_class_scatter_and_gather_match_reference():
    from compression.sigma_classes import (gather_by_class, gather_by_class_reference,
                                           scatter_by_class, scatter_by_class_reference)
    rng = np.random.default_rng(8)
    symbols = rng.integers(0, 256, 1001).astype(np.uint8)
    classes = rng.integers(0, 5, 1001).astype(np.uint8)
    starts = np.concatenate([[0], np.cumsum(np.bincount(classes, minlength=5))[:-1]]).astype(np.int64)
    stream = scatter_by_class(symbols, classes, starts)
    assert np.array_equal(stream, scatter_by_class_reference(symbols, classes, starts))
    assert np.array_equal(gather_by_class(stream, classes, starts), symbols)
    assert np.array_equal(gather_by_class_reference(stream, classes, starts), symbols)


def _banded_cases():
    # several row bands each: odd rows and columns (general kernel, a last band with an odd
    # pixel count) and even columns (nibble path); one-row and full base maps
    rng = np.random.default_rng(8)
    for shape in [(701, 401), (655, 402)]:
        frame = rng.normal(1000, 4, shape).astype(np.uint16)
        frame.flat[::53] = rng.integers(0, 65536, frame.flat[::53].size)
        assert len(list(row_bands(shape))) >= 3
        yield frame, np.full((1, shape[1]), 1000, np.uint16)
        yield frame, rng.integers(995, 1005, shape, dtype=np.uint16)


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("alphabet", [14, 16])
def test_pair_coding_across_row_bands_matches_reference(alphabet, mirror, small_bands):
    for frame, base in _banded_cases():
        expected = encode_pairs_reference(frame, base, alphabet, mirror)
        for name, a, b in zip(expected._fields, encode_pairs(frame, base, alphabet, mirror=mirror), expected):
            assert np.array_equal(a, b), name
        assert np.array_equal(decode_pairs(expected, base, frame.shape, alphabet, mirror=mirror), frame)


def test_pair_coders_feed_the_digest_the_whole_frame(small_bands):
    frame, base = next(_banded_cases())
    coded, decoded = xxhash.xxh3_64(), xxhash.xxh3_64()
    streams = encode_pairs(frame, base, 16, digest=coded)
    decode_pairs(streams, base, frame.shape, 16, digest=decoded)
    assert coded.hexdigest() == decoded.hexdigest() == pixel_checksum(frame)


@pytest.mark.parametrize("change", ["overflow_short", "overflow_long", "escapes_short"])
def test_decode_pairs_refuses_streams_that_do_not_match_across_bands(change, small_bands):
    for frame, base in list(_banded_cases())[::2]:  # general kernel, then the nibble path
        streams = encode_pairs(frame, base, 16)
        broken = {"overflow_short": streams._replace(overflow=streams.overflow[:-1]),
                  "overflow_long": streams._replace(overflow=np.append(streams.overflow, np.uint8(1))),
                  "escapes_short": streams._replace(escapes=streams.escapes[:-1])}[change]
        with pytest.raises(CodecError, match="overflow/escape streams"):
            decode_pairs(broken, base, frame.shape, 16)
