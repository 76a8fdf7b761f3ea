"""recon.reconstruct against the simulator's truth, its outputs, and bad input."""

import numpy as np
import pytest

from edge.sim import FrameSimulator, SensorModel, fe55, muon
from recon import (Pedestal, PedestalError, ReconError, SparseFrame, reconstruct,
                   reconstruct_sparse, zero_suppress)
from recon.reconstruct import EVENT_BRANCHES, TIMING_BRANCHES
from recon.variables import CLUSTER_BRANCHES

SHAPE = (256, 384)  # non-square on purpose


@pytest.fixture(scope="module")
def sim():
    return FrameSimulator(SensorModel(SHAPE, seed=3), seed=4)


@pytest.fixture(scope="module")
def pedestal(sim):
    return Pedestal.from_frames(sim.pedestal_frame(i) for i in range(30))


def _frame(sim, index, deposits):
    return sim.data_frame(index, deposits=deposits)


@pytest.mark.parametrize("index", range(3))
def test_fe55_spots_are_found_with_their_integral(sim, pedestal, index):
    rng = np.random.default_rng(index)
    spots = [fe55(rng, SHAPE, x=x, y=y) for x, y in ((60, 60), (300, 50), (200, 200))]
    frame, truth = _frame(sim, index, spots)
    result = reconstruct(frame, pedestal)
    assert result["nSc"] == 3
    for spot in truth.deposits:
        k = np.argmin(np.hypot(result["sc_xmean"] - spot.x, result["sc_ymean"] - spot.y))
        assert np.hypot(result["sc_xmean"][k] - spot.x, result["sc_ymean"][k] - spot.y) < 1.0
        assert result["sc_integral"][k] == pytest.approx(spot.integral, rel=0.08)


def test_fe55_mean_integral_is_unbiased(sim, pedestal):
    ratios = []
    for index in range(10):
        rng = np.random.default_rng(100 + index)
        spots = [fe55(rng, SHAPE, x=x, y=y) for x, y in ((60, 60), (300, 60), (200, 190))]
        frame, truth = _frame(sim, 100 + index, spots)
        result = reconstruct(frame, pedestal)
        ratios.extend(np.sort(result["sc_integral"]) / np.sort([d.integral for d in truth.deposits]))
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("index", range(3))
def test_faint_muon_is_one_cluster_over_its_length(sim, pedestal, index):
    rng = np.random.default_rng(200 + index)
    track = muon(rng, SHAPE, x0=10.0, y0=5.0 + 20 * index, x1=370.0, y1=250.0 - 30 * index)
    frame, truth = _frame(sim, 200 + index, [track])
    result = reconstruct(frame, pedestal)
    assert result["nSc"] == 1
    assert result["sc_length"][0] >= 0.9 * truth.deposits[0].length_px
    direction = np.arctan2(track.y1 - track.y0, track.x1 - track.x0)
    assert result["sc_theta"][0] == pytest.approx(direction, abs=0.05)


def test_nearby_spots_stay_separate(sim, pedestal):
    rng = np.random.default_rng(300)
    spots = [fe55(rng, SHAPE, x=150, y=128, sigma_px=2.5), fe55(rng, SHAPE, x=190, y=128, sigma_px=2.5)]
    frame, _ = _frame(sim, 300, spots)
    result = reconstruct(frame, pedestal)
    assert result["nSc"] == 2
    np.testing.assert_allclose(np.sort(result["sc_xmean"]), [150, 190], atol=1.0)


def test_noise_only_frames_have_no_cluster(sim, pedestal):
    counts = [int(reconstruct(_frame(sim, 400 + i, [])[0], pedestal)["nSc"]) for i in range(10)]
    assert sum(counts) == 0


def test_reconstruct_equals_reconstruct_sparse_of_zero_suppress(sim, pedestal):
    frame, _ = sim.data_frame(500)
    direct = reconstruct(frame, pedestal)
    sparse = reconstruct_sparse(zero_suppress(frame, pedestal), pedestal)
    for name in CLUSTER_BRANCHES + ("nSc", "cmos_integral", "cmos_mean", "cmos_rms"):
        np.testing.assert_array_equal(direct[name], sparse[name])


def test_frame_level_is_the_zero_suppressed_frames_level(sim, pedestal):
    frame, _ = sim.data_frame(502)
    sparse = zero_suppress(frame + np.uint16(4), pedestal)
    assert reconstruct_sparse(sparse, pedestal)["frame_level"] == sparse.level
    assert 3.8 < sparse.level < 4.2
    unmeasured = SparseFrame(sparse.rows, sparse.cols, sparse.values, sparse.shape)
    assert np.isnan(reconstruct_sparse(unmeasured, pedestal)["frame_level"])


def test_output_has_the_collaboration_branches(sim, pedestal):
    frame, _ = sim.data_frame(501)
    result = reconstruct(frame, pedestal, run=12, event=34)
    assert set(result) == set(CLUSTER_BRANCHES) | set(EVENT_BRANCHES) | set(TIMING_BRANCHES) | {"run", "event"}
    assert (result["run"], result["event"]) == (12, 34)
    assert all(len(result[name]) == result["nSc"] for name in CLUSTER_BRANCHES)
    assert all(result[name] >= 0 for name in TIMING_BRANCHES)
    assert result["t_reco"] >= result["t_zerosup"]


def test_cmos_integral_sums_the_kept_signal(sim, pedestal):
    frame, truth = sim.data_frame(502, deposits=[fe55(np.random.default_rng(5), SHAPE, x=100, y=100)])
    result = reconstruct(frame, pedestal)
    assert result["cmos_integral"] == pytest.approx(truth.deposits[0].integral, rel=0.1)
    assert result["cmos_mean"] == pytest.approx(result["cmos_integral"] / (SHAPE[0] * SHAPE[1]))


def test_frame_of_wrong_dtype_is_refused(pedestal):
    with pytest.raises(ReconError, match="frame must be a 2-D uint16 array, got float64"):
        reconstruct(np.zeros(SHAPE), pedestal)


def test_frame_of_wrong_shape_is_refused(pedestal):
    with pytest.raises(PedestalError, match=r"pedestal.shape \(256, 384\) does not match frame shape \(10, 10\)"):
        reconstruct(np.zeros((10, 10), np.uint16), pedestal)


def test_garbage_pedestal_is_refused():
    with pytest.raises(PedestalError, match="pedestal must be a recon.Pedestal, got str"):
        reconstruct(np.zeros(SHAPE, np.uint16), "pedestal")


def test_unknown_option_is_refused(pedestal):
    with pytest.raises(ReconError, match=r"unknown reconstruction option\(s\) \['sead'\]"):
        reconstruct(np.zeros(SHAPE, np.uint16), pedestal, sead=3)


def test_non_sparse_frame_is_refused(pedestal):
    with pytest.raises(ReconError, match="sparse must be a SparseFrame, got ndarray"):
        reconstruct_sparse(np.zeros(SHAPE, np.uint16), pedestal)


def test_empty_sparse_frame_gives_no_cluster(pedestal):
    empty = SparseFrame(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint16), SHAPE)
    result = reconstruct_sparse(empty, pedestal)
    assert result["nSc"] == 0 and result["sc_integral"].shape == (0,)
    assert result["cmos_integral"] == 0.0


@pytest.mark.parametrize("level", [float("nan"), float("inf")])
def test_sparse_frame_with_a_non_finite_level_is_refused(level):
    empty = np.zeros(0, np.int32)
    with pytest.raises(ReconError, match="level must be finite or None"):
        SparseFrame(empty, empty, np.zeros(0, np.uint16), SHAPE, level)
