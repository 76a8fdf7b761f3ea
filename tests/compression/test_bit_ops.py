"""The bit intrinsics against their plain-Python twins."""

import numba
import numpy as np
import pytest

from compression.bit_ops import (low_bit_mask16, low_bit_mask16_reference, popcount, popcount_reference,
                                 trailing_zeros, trailing_zeros_reference)


@numba.njit
def _both(words, zeros, counts):
    for i in range(words.size):
        zeros[i] = trailing_zeros(words[i])
        counts[i] = popcount(words[i])


def _words():
    rng = np.random.default_rng(5)
    special = [0, 1, 2, 3, 1 << 63, (1 << 64) - 1, 0x8000000000000001, 0x0001000100010001]
    singles = [1 << k for k in range(64)]
    sparse = [int(a) & int(b) & int(c) for a, b, c in rng.integers(0, 1 << 63, (200, 3), dtype=np.uint64) * 2]
    dense = [int(v) for v in rng.integers(0, 1 << 63, 200, dtype=np.uint64) * 2 + 1]
    return np.array(special + singles + sparse + dense, dtype=np.uint64)


def test_trailing_zeros_and_popcount_match_python():
    words = _words()
    zeros, counts = np.empty(words.size, np.int64), np.empty(words.size, np.int64)
    _both(words, zeros, counts)
    assert zeros.tolist() == [trailing_zeros_reference(int(w)) for w in words]
    assert counts.tolist() == [popcount_reference(int(w)) for w in words]


@pytest.mark.parametrize("word, zeros, count", [(0, 64, 0), (1 << 63, 63, 1), ((1 << 64) - 1, 0, 64)])
def test_edge_words(word, zeros, count):
    out_zeros, out_counts = np.empty(1, np.int64), np.empty(1, np.int64)
    _both(np.array([word], np.uint64), out_zeros, out_counts)
    assert (out_zeros[0], out_counts[0]) == (zeros, count)


def test_low_bit_mask16_matches_python():
    rng = np.random.default_rng(6)
    first = rng.integers(0, 65536, 80, dtype=np.uint16)
    second = np.concatenate([rng.integers(0, 65536, 40, dtype=np.uint16), first[:40]])
    got = np.empty(32, np.int64)
    _masks(first, second, got)
    expected = [low_bit_mask16_reference(first, second, i, 2 * i) for i in range(32)]
    assert got.tolist() == expected
    assert low_bit_mask16_reference(first, second, 0, 40) == 0  # same pixels: every low bit cancels


@numba.njit
def _masks(first, second, out):
    for i in range(out.size):
        out[i] = low_bit_mask16(first, second, i, 2 * i)
