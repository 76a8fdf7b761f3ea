"""Pixel assignment (core and ring) and per-cluster sums: kernels vs numpy references."""

import numpy as np
import pytest

from recon.cluster_moments import (_accumulate_kernel, _accumulate_reference, assign_pixels,
                                   accumulate_moments, MOMENT_COLUMNS)


def _labels():
    labels = np.full((6, 8), -1, np.int32)
    labels[1:3, 1:3] = 0
    labels[4, 6] = 1
    return labels


def test_pixels_of_cluster_blocks_are_core():
    rows, cols = np.array([5, 9], np.int32), np.array([5, 9], np.int32)
    label, core = assign_pixels(rows, cols, _labels(), bin=4, ring=1)
    np.testing.assert_array_equal(label, [0, 0])
    np.testing.assert_array_equal(core, [True, True])


def test_pixels_next_to_a_cluster_are_ring_pixels():
    rows, cols = np.array([1, 13], np.int32), np.array([1, 13], np.int32)  # blocks (0,0) and (3,3)
    label, core = assign_pixels(rows, cols, _labels(), bin=4, ring=1)
    np.testing.assert_array_equal(label, [0, 0])
    np.testing.assert_array_equal(core, [False, False])


def test_pixels_far_from_clusters_are_unassigned():
    rows, cols = np.array([22], np.int32), np.array([2], np.int32)  # block (5, 0)
    label, _ = assign_pixels(rows, cols, _labels(), bin=4, ring=1)
    np.testing.assert_array_equal(label, [-1])


def test_ring_zero_assigns_core_pixels_only():
    rows, cols = np.array([1, 5], np.int32), np.array([1, 5], np.int32)
    label, _ = assign_pixels(rows, cols, _labels(), bin=4, ring=0)
    np.testing.assert_array_equal(label, [-1, 0])


@pytest.mark.parametrize("seed", range(3))
def test_accumulate_kernel_matches_reference(seed):
    rng = np.random.default_rng(seed)
    n, n_clusters = 500, 7
    label = rng.integers(-1, n_clusters, n).astype(np.int32)
    core = rng.random(n) < 0.7
    rows, cols = rng.integers(0, 100, n).astype(np.int32), rng.integers(0, 120, n).astype(np.int32)
    signal = rng.normal(5, 10, n).astype(np.float32)
    args = (label, core, rows, cols, signal, n_clusters)
    np.testing.assert_allclose(_accumulate_kernel(*args), _accumulate_reference(*args), rtol=1e-9)


def test_integral_counts_ring_pixels_and_shape_only_core():
    label = np.array([0, 0, 0], np.int32)
    core = np.array([True, True, False])
    rows, cols = np.array([0, 0, 50], np.int32), np.array([1, 3, 50], np.int32)
    signal = np.array([10.0, 30.0, 5.0], np.float32)
    table = accumulate_moments(label, core, rows, cols, signal, 1)
    get = dict(zip(MOMENT_COLUMNS, table[0]))
    assert get["integral"] == 45.0 and get["size"] == 3
    assert get["wx"] / get["w"] == pytest.approx(2.5)
    assert (get["xmin"], get["xmax"]) == (1.0, 3.0)
