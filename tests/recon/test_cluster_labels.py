"""Block clustering: hysteresis, superclustering radius, significance cut; kernel vs reference."""

import numpy as np
import pytest

from recon import ReconError
from recon.cluster_labels import _label_blocks_kernel, _label_blocks_reference, label_blocks


def _map(shape=(30, 40)):
    return np.zeros(shape, np.float32)


@pytest.mark.parametrize("seed", range(5))
def test_kernel_matches_reference(seed):
    rng = np.random.default_rng(seed)
    significance = rng.standard_normal((40, 50)).astype(np.float32)
    significance[rng.random((40, 50)) < 0.05] += 6.0
    args = (significance, np.float32(4.5), np.float32(2.0), 3, 7.0)
    labels, n = _label_blocks_kernel(*args)
    expected, n_expected = _label_blocks_reference(*args)
    assert n == n_expected
    np.testing.assert_array_equal(labels, expected)


def test_grow_blocks_join_a_seeded_fragment():
    significance = _map()
    significance[10, 10:15] = [3, 3, 9, 3, 3]
    labels, n = label_blocks(significance, min_significance=0)
    assert n == 1
    assert (labels[10, 10:15] == 0).all()


def test_fragment_without_seed_is_dropped():
    significance = _map()
    significance[10, 10:15] = 4.0
    _, n = label_blocks(significance, seed=5.0, min_significance=0)
    assert n == 0


def test_fragments_within_merge_radius_merge():
    significance = _map()
    significance[5, 5] = significance[5, 8] = 10.0  # two empty blocks between them
    _, n = label_blocks(significance, merge_radius=3, min_significance=0)
    assert n == 1


def test_fragments_beyond_merge_radius_stay_separate():
    significance = _map()
    significance[5, 5] = significance[5, 10] = 10.0
    labels, n = label_blocks(significance, merge_radius=3, min_significance=0)
    assert n == 2
    assert labels[5, 5] == 0 and labels[5, 10] == 1


def test_cluster_below_combined_significance_is_dropped():
    significance = _map()
    significance[5, 5] = 6.0
    _, n = label_blocks(significance, seed=5.0, min_significance=7.0)
    assert n == 0


def test_empty_map_has_no_cluster():
    labels, n = label_blocks(_map())
    assert n == 0 and (labels == -1).all()


@pytest.mark.parametrize("options, message", [
    ({"grow": 6.0, "seed": 5.0}, "grow must be <= seed, got grow=6.0 seed=5.0"),
    ({"merge_radius": 0}, "merge_radius must be an integer >= 1, got 0"),
    ({"merge_radius": 1.5}, "merge_radius must be an integer >= 1, got 1.5"),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(ReconError, match=message):
        label_blocks(_map(), **options)


def test_non_2d_map_is_refused():
    with pytest.raises(ReconError, match=r"2-D block map, got shape \(5,\)"):
        label_blocks(np.zeros(5, np.float32))
