"""Directional superclustering from cluster moments."""

import numpy as np
import pytest

from recon import ReconError
from recon.supercluster import collinear_merge_map


def _clusters(*rows):
    """rows of (x, y, theta, length, width, integral)."""
    table = np.array(rows, dtype=np.float32).reshape(-1, 6)
    names = ("sc_xmean", "sc_ymean", "sc_theta", "sc_length", "sc_width", "sc_integral")
    return {name: table[:, i] for i, name in enumerate(names)}


def test_collinear_track_fragments_merge():
    merge_map, n = collinear_merge_map(_clusters(
        (200, 100, 0.0, 300, 10, 5400), (470, 101, 0.02, 120, 10, 2100)))
    assert n == 1 and list(merge_map) == [0, 0]


def test_small_faint_fragment_on_the_line_joins():
    merge_map, n = collinear_merge_map(_clusters((200, 100, 0.0, 300, 10, 5400), (400, 103, 1.2, 16, 12, 300)))
    assert n == 1


def test_bright_spot_on_the_line_stays_separate():
    merge_map, n = collinear_merge_map(_clusters((200, 100, 0.0, 300, 10, 5400), (400, 102, 0.3, 20, 18, 2950)))
    assert n == 2


def test_fragment_off_the_line_stays_separate():
    _, n = collinear_merge_map(_clusters((200, 100, 0.0, 300, 10, 5400), (400, 140, 0.0, 16, 12, 300)))
    assert n == 2


def test_gap_longer_than_max_gap_stays_separate():
    _, n = collinear_merge_map(_clusters((200, 100, 0.0, 300, 10, 5400), (700, 100, 0.0, 100, 10, 1800)),
                               max_gap=100.0)
    assert n == 2


def test_fragment_at_a_crossing_does_not_chain_two_tracks():
    horizontal = (500, 500, 0.0, 600, 10, 11000)
    vertical = (500, 900, np.pi / 2, 600, 10, 11000)  # its line passes x = 500
    fragment = (500, 505, 0.5, 12, 12, 200)  # on both lines, near the crossing
    merge_map, n = collinear_merge_map(_clusters(horizontal, vertical, fragment))
    assert merge_map[0] != merge_map[1]
    assert n == 2


def test_no_cluster_gives_empty_map():
    merge_map, n = collinear_merge_map(_clusters())
    assert n == 0 and merge_map.shape == (0,)


def test_unknown_option_is_refused():
    with pytest.raises(ReconError, match="unknown superclustering option.*'max_gapp'"):
        collinear_merge_map(_clusters(), max_gapp=3)
