"""Cluster shape variables: axis, extent, rms along and across; extent kernel vs reference."""

import numpy as np
import pytest

from recon.cluster_moments import accumulate_moments
from recon.variables import CLUSTER_BRANCHES, _extent_kernel, _extent_reference, cluster_variables


def _variables_of(rows, cols, signal):
    rows, cols = np.asarray(rows, np.int32), np.asarray(cols, np.int32)
    label, core = np.zeros(len(rows), np.int32), np.ones(len(rows), bool)
    signal = np.asarray(signal, np.float32)
    table = accumulate_moments(label, core, rows, cols, signal, 1)
    return {name: float(value[0]) for name, value in cluster_variables(table, label, core, rows, cols).items()}


def test_every_branch_is_produced():
    variables = _variables_of([0, 1], [0, 1], [1, 1])
    assert set(variables) == set(CLUSTER_BRANCHES)


def test_horizontal_line_has_theta_zero_and_its_length():
    v = _variables_of(np.full(21, 7), np.arange(10, 31), np.ones(21))
    assert v["sc_theta"] == pytest.approx(0.0, abs=1e-6)
    assert v["sc_length"] == pytest.approx(21.0)
    assert v["sc_width"] == pytest.approx(1.0)
    assert v["sc_latrms"] == pytest.approx(0.0, abs=1e-3)
    assert v["sc_longrms"] == pytest.approx(np.arange(21).std(), rel=1e-5)


def test_diagonal_line_has_theta_pi_over_4_x_is_column():
    steps = np.arange(0, 30)
    v = _variables_of(steps, steps, np.ones(30))  # row = col: y = x
    assert v["sc_theta"] == pytest.approx(np.pi / 4, abs=1e-6)
    assert v["sc_length"] == pytest.approx(29 * np.sqrt(2) + 1, rel=1e-6)
    assert v["sc_pearson"] == pytest.approx(1.0, abs=1e-6)


def test_weighted_centroid_x_is_column_y_is_row():
    v = _variables_of([2, 2], [10, 20], [30, 10])
    assert v["sc_xmean"] == pytest.approx(12.5)
    assert v["sc_ymean"] == pytest.approx(2.0)
    assert (v["sc_xmin"], v["sc_xmax"], v["sc_ymin"], v["sc_ymax"]) == (10, 20, 2, 2)


def test_integral_size_nhits_and_rms():
    v = _variables_of([0, 0, 0], [0, 1, 2], [10, -2, 4])
    assert v["sc_integral"] == pytest.approx(12.0)
    assert v["sc_size"] == 3 and v["sc_nhits"] == 2
    assert v["sc_rms"] == pytest.approx(np.std([10, -2, 4]), rel=1e-6)


def test_extent_kernel_matches_reference():
    rng = np.random.default_rng(4)
    n, k = 400, 5
    label = rng.integers(-1, k, n).astype(np.int32)
    core = rng.random(n) < 0.8
    rows, cols = rng.integers(0, 200, n).astype(np.int32), rng.integers(0, 300, n).astype(np.int32)
    xmean, ymean, theta = rng.uniform(0, 300, k), rng.uniform(0, 200, k), rng.uniform(-1.5, 1.5, k)
    args = (label, core, rows, cols, xmean, ymean, np.cos(theta), np.sin(theta), k)
    for got, expected in zip(_extent_kernel(*args), _extent_reference(*args)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def _variables_with_ring(rows, cols, signal, core):
    rows, cols = np.asarray(rows, np.int32), np.asarray(cols, np.int32)
    label, core = np.zeros(len(rows), np.int32), np.asarray(core, bool)
    table = accumulate_moments(label, core, rows, cols, np.asarray(signal, np.float32), 1)
    return {name: float(value[0]) for name, value in cluster_variables(table, label, core, rows, cols).items()}


def test_full_rms_equals_core_rms_without_ring_pixels():
    v = _variables_of([3, 4, 5, 4, 6], [10, 12, 15, 18, 20], [5, 9, 4, 7, 2])
    assert v["sc_lfullrms"] == pytest.approx(v["sc_longrms"], rel=1e-5)
    assert v["sc_tfullrms"] == pytest.approx(v["sc_latrms"], rel=1e-5, abs=1e-4)


def test_full_rms_takes_the_ring_pixels_along_the_core_axis():
    cols = np.arange(10, 31)
    rows = np.full(21, 7)
    core = (cols >= 15) & (cols <= 25)  # a horizontal core; the tails are ring pixels
    tails = np.append(rows, [9, 5])  # two ring pixels off the axis, at the centre column
    v = _variables_with_ring(tails, np.append(cols, [20, 20]), np.ones(23), np.append(core, [False, False]))
    assert v["sc_theta"] == pytest.approx(0.0, abs=1e-6)
    assert v["sc_longrms"] == pytest.approx(np.arange(11).std(), rel=1e-5)
    assert v["sc_lfullrms"] == pytest.approx(np.append(cols, [20, 20]).std(), rel=1e-5)
    assert v["sc_tfullrms"] == pytest.approx(np.append(rows, [9, 5]).std(), rel=1e-5)


def test_full_rms_ignores_negative_ring_pixels():
    with_negative = _variables_with_ring([0, 0, 0, 0], [0, 1, 2, 40], [1, 1, 1, -5], [True, True, True, False])
    assert with_negative["sc_lfullrms"] == pytest.approx(np.std([0, 1, 2]), rel=1e-5)
