"""Crossing tracks split by the Hough transform; single tracks left whole; kernel vs reference."""

import numpy as np
import pytest

from recon.cluster_labels import label_blocks
from recon._line_split_reference import split_reference
from recon.line_split import LINE_DEFAULTS, _split_kernel, split_crossing_tracks

SHAPE = (160, 160)


def _line(significance, start, end, value=6.0, halfwidth=1):
    (r0, c0), (r1, c1) = start, end
    for t in np.linspace(0, 1, 4 * max(abs(r1 - r0), abs(c1 - c0))):
        r, c = int(round(r0 + t * (r1 - r0))), int(round(c0 + t * (c1 - c0)))
        significance[max(r - halfwidth, 0):r + halfwidth + 1, max(c - halfwidth, 0):c + halfwidth + 1] = value


def _cross():
    significance = np.zeros(SHAPE, np.float32)
    _line(significance, (10, 10), (150, 150))
    _line(significance, (10, 140), (150, 30))
    return significance


def _args(significance):
    labels, n = label_blocks(significance, min_significance=0)
    opts = LINE_DEFAULTS
    return (labels, significance, n, opts["min_line_blocks"], opts["line_halfwidth"], opts["min_angle"],
            opts["max_lines"], np.float32(opts["weight_cap"]), opts["n_angles"])


def test_crossing_tracks_become_two_clusters():
    labels, n = label_blocks(_cross(), min_significance=0)
    assert n == 1
    split, n_split = split_crossing_tracks(labels, _cross(), n)
    assert n_split == 2
    assert split[20, 20] != split[20, 130]  # one block of each track, away from the crossing
    assert split[20, 20] == split[140, 140]


def test_single_track_is_left_whole():
    significance = np.zeros(SHAPE, np.float32)
    _line(significance, (5, 20), (150, 100))
    labels, n = label_blocks(significance, min_significance=0)
    split, n_split = split_crossing_tracks(labels, significance, n)
    assert n_split == n == 1
    np.testing.assert_array_equal(split, labels)


def test_spot_touching_crossing_tracks_becomes_its_own_cluster():
    significance = _cross()
    significance[40:44, 100:104] = 20.0  # a bright spot 10 blocks off the second track
    significance[41, 104:114] = 5.0  # joined to it by a bridge
    labels, n = label_blocks(significance, min_significance=0)
    assert n == 1
    split, n_split = split_crossing_tracks(labels, significance, n)
    assert n_split == 3
    assert split[41, 101] not in (split[20, 20], split[20, 130])


def test_kernel_matches_reference():
    significance = _cross()
    significance[60:64, 100:104] = 20.0
    significance += np.random.default_rng(1).normal(0, 0.3, SHAPE).astype(np.float32)
    args = _args(significance)
    labels_kernel = args[0].copy()
    n_kernel = _split_kernel(labels_kernel, *args[1:])
    labels_reference, n_reference = split_reference(*args)
    assert n_kernel == n_reference
    np.testing.assert_array_equal(labels_kernel, labels_reference)


def test_labels_argument_is_not_modified():
    labels, n = label_blocks(_cross(), min_significance=0)
    before = labels.copy()
    split_crossing_tracks(labels, _cross(), n)
    np.testing.assert_array_equal(labels, before)
