"""Block significance map: numba kernel equals its numpy twin; noise has unit variance."""

import numpy as np
import pytest

from recon import Pedestal, ReconError
from recon.block_map import _block_map_kernel, _block_map_reference, block_map
from reco_synthetic import dense_sparse, flat_pedestal, raw_frame

SHAPE = (64, 90)  # not a multiple of the block side: partial edge blocks


@pytest.fixture(scope="module")
def pedestal():
    return flat_pedestal(SHAPE)


def test_kernel_matches_reference(pedestal):
    sparse = dense_sparse(raw_frame(np.zeros(SHAPE), seed=1))
    keep = np.random.default_rng(2).random(sparse.n_pixels) < 0.3
    weight = pedestal.weight.copy()
    weight[np.random.default_rng(3).random(SHAPE) < 0.05] = 0.0  # masked pixels
    args = (sparse.rows[keep], sparse.cols[keep], sparse.values[keep], pedestal.mean,
            weight, pedestal.block_norm(4), 4)
    for got, expected in zip(_block_map_kernel(*args), _block_map_reference(*args)):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_noise_blocks_have_unit_variance(pedestal):
    values = []
    for seed in range(20):
        sparse = dense_sparse(raw_frame(np.zeros(SHAPE), seed=seed))
        blocks = block_map(sparse.rows, sparse.cols, sparse.values, pedestal.mean,
                           pedestal.weight, pedestal.block_norm(4), 4)
        values.append(blocks.significance[:-1, :-1].ravel())  # full blocks only
    values = np.concatenate(values)
    assert abs(values.mean()) < 0.05
    assert abs(values.std() - 1.0) < 0.05


def test_signal_is_pedestal_subtracted(pedestal):
    sparse = dense_sparse(raw_frame(np.zeros(SHAPE), seed=3))
    blocks = block_map(sparse.rows, sparse.cols, sparse.values, pedestal.mean,
                       pedestal.weight, pedestal.block_norm(4), 4)
    np.testing.assert_allclose(blocks.signal, sparse.values - 100.0)


def test_masked_pixels_are_dropped():
    mask = np.zeros(SHAPE, bool)
    mask[5, 7] = True
    masked = Pedestal(np.full(SHAPE, 100, np.float32), np.full(SHAPE, 2, np.float32), mask=mask)
    signal = np.zeros(SHAPE)
    signal[5, 7] = 5000.0  # a hot pixel
    sparse = dense_sparse(raw_frame(signal, seed=4))
    blocks = block_map(sparse.rows, sparse.cols, sparse.values, masked.mean, masked.weight,
                       masked.block_norm(4), 4)
    assert blocks.signal.shape == (sparse.n_pixels - 1,)
    assert not ((blocks.rows == 5) & (blocks.cols == 7)).any()
    assert blocks.significance[1, 1] < 5


def test_bad_bin_is_refused(pedestal):
    sparse = dense_sparse(raw_frame(np.zeros(SHAPE)))
    with pytest.raises(ReconError, match="bin must be a positive integer, got 0"):
        block_map(sparse.rows, sparse.cols, sparse.values, pedestal.mean, pedestal.weight,
                  pedestal.block_norm(4), 0)


def test_norm_of_wrong_shape_is_refused(pedestal):
    sparse = dense_sparse(raw_frame(np.zeros(SHAPE)))
    with pytest.raises(ReconError, match=r"norm.shape must be \(16, 23\)"):
        block_map(sparse.rows, sparse.cols, sparse.values, pedestal.mean, pedestal.weight,
                  pedestal.block_norm(8), 4)
