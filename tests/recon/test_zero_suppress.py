"""Zero suppression against truth: faint muons survive, noise does not, bad input is refused."""

import numpy as np
import pytest

from recon import Pedestal, PedestalError, ReconError, SparseFrame, zero_suppress
from recon import _zs_kernels, _zs_reference
from recon.zero_suppress import NUMBA_BACKEND, _suppress
from recon.zs_params import ZeroSuppressionParams
from zs_synthetic import (SIGMA_ADU, kept_fraction, line_signal, noise_frame, sensor_maps,
                          spot_signal)

SHAPE = (256, 384)


@pytest.fixture(scope="module")
def maps():
    return sensor_maps(SHAPE, seed=1)


@pytest.fixture(scope="module")
def pedestal(maps):
    return Pedestal(*maps, mask=np.zeros(SHAPE, bool))


@pytest.mark.parametrize("seed", range(4))
def test_faint_muon_at_1p2_sigma_is_kept(maps, pedestal, seed):
    muon = line_signal(SHAPE, (0, 40 + 20 * seed), (255, 300 - 30 * seed), 1.2 * SIGMA_ADU)
    sparse = zero_suppress(noise_frame(maps, seed, muon), pedestal)
    assert kept_fraction(sparse, muon) >= 0.95


def test_muon_area_stays_close_to_the_track(maps, pedestal):
    muon = line_signal(SHAPE, (0, 100), (255, 100), 1.2 * SIGMA_ADU)
    sparse = zero_suppress(noise_frame(maps, 7, muon), pedestal)
    assert sparse.n_pixels <= 256 * 32  # a band at most 32 px wide


def test_per_pixel_3_sigma_cut_would_lose_the_same_muon(maps):
    muon = line_signal(SHAPE, (0, 100), (255, 100), 1.2 * SIGMA_ADU)
    frame = noise_frame(maps, 7, muon)
    above = (frame - maps[0]) > 3 * maps[1]
    assert muon[above].sum() / muon.sum() < 0.3  # why per-pixel cuts are not used


@pytest.mark.parametrize("seed", range(3))
def test_noise_only_frame_keeps_almost_nothing(maps, pedestal, seed):
    sparse = zero_suppress(noise_frame(maps, 100 + seed), pedestal)
    assert sparse.area_fraction <= 0.0005


def test_fe55_spot_is_kept_whole(maps, pedestal):
    spot = spot_signal(SHAPE, (120.3, 200.6), 2950)
    sparse = zero_suppress(noise_frame(maps, 11, spot), pedestal)
    assert kept_fraction(sparse, spot) >= 0.99
    assert sparse.n_pixels < 1000


def test_values_are_the_raw_frame_values_row_major(maps, pedestal):
    frame = noise_frame(maps, 12, spot_signal(SHAPE, (50, 60), 5000))
    sparse = zero_suppress(frame, pedestal)
    assert isinstance(sparse, SparseFrame) and sparse.shape == SHAPE
    assert sparse.values.dtype == np.uint16 and np.array_equal(sparse.values,
                                                                frame[sparse.rows, sparse.cols])
    order = sparse.rows.astype(np.int64) * SHAPE[1] + sparse.cols
    assert np.all(np.diff(order) > 0)


def test_masked_hot_pixel_never_seeds(maps):
    frame = noise_frame(maps, 13)
    frame[100, 200] = 4000
    mask = np.zeros(SHAPE, bool)
    unmasked = zero_suppress(frame, Pedestal(*maps, mask=mask))
    mask[100, 200] = True
    masked = zero_suppress(frame, Pedestal(*maps, mask=mask))
    assert unmasked.n_pixels > 0 and masked.n_pixels == 0


@pytest.mark.parametrize("shape", [(67, 131), (131, 67), (5, 3)])
def test_odd_non_square_shapes_work(shape):
    maps = sensor_maps(shape, seed=2)
    signal = spot_signal(shape, (shape[0] / 2, shape[1] / 2), 3000)
    frame = noise_frame(maps, 3, signal)
    sparse = zero_suppress(frame, Pedestal(*maps, mask=np.zeros(shape, bool)))
    assert sparse.shape == shape and kept_fraction(sparse, signal) >= 0.99


@pytest.mark.parametrize("options", [
    {}, {"refine": False}, {"bright": 5.0, "near": 6.0}, {"reach": 0.0, "bright_reach": 0.0},
    {"block": 3, "seed": 3.0, "grow": 1.0, "halo": 2, "window": 1},
    {"block": 5, "seed": 6.0, "grow": 6.0, "halo": 0, "refine": False, "span": 1},
    {"span": 3, "adapt": False}, {"span": 1},
    {"block": 1, "seed": 3.0, "grow": 2.0, "window": 0, "reach": 2.5},
])
def test_numba_and_numpy_reference_agree(maps, options):
    mask = np.random.default_rng(4).random(SHAPE) < 0.01
    pedestal = Pedestal(*maps, mask=mask)
    signal = line_signal(SHAPE, (10, 0), (200, 383), 3.0) + spot_signal(SHAPE, (200, 50), 4000)
    frame = noise_frame(maps, 5, signal)
    params = ZeroSuppressionParams(**options)
    fast = _suppress(NUMBA_BACKEND, frame, pedestal, params)
    slow = _suppress(_zs_reference, frame, pedestal, params)
    assert fast.n_pixels > 0
    for field in ("rows", "cols", "values"):
        assert np.array_equal(getattr(fast, field), getattr(slow, field)), field
    if params.adapt:
        assert fast.level == pytest.approx(slow.level, abs=1e-4)
    else:
        assert fast.level is None and slow.level is None


def test_block_sums_kernel_matches_reference(maps, pedestal):
    frame = noise_frame(maps, 6)
    frame[7] += 3  # a row offset
    args = (frame, pedestal.mean, pedestal.inv_sigma, 4, np.float32(3))
    fast, fast_offsets = _zs_kernels.block_sums(*args)
    slow, slow_offsets = _zs_reference.block_sums(*args)
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(fast_offsets, slow_offsets, rtol=1e-6, atol=1e-6)


def test_row_offsets_measure_row_noise(maps, pedestal):
    frame = noise_frame(maps, 6)
    frame[7] += 3
    _, offsets = _zs_kernels.block_sums(frame, pedestal.mean, pedestal.inv_sigma, 4,
                                        np.float32(3))
    assert abs(offsets[7] - 3) < 0.5 and np.abs(np.delete(offsets, 7)).max() < 0.5


@pytest.mark.parametrize("span", [1, 2, 3])
def test_window_sums_kernel_matches_reference(pedestal, span):
    values = np.random.default_rng(3).normal(size=(13, 21))
    np.testing.assert_allclose(_zs_kernels.window_sums(values, span),
                               _zs_reference.window_sums(values, span), rtol=1e-12)
    np.testing.assert_allclose(pedestal.window_norm(4, span)[0],
                               _zs_reference.window_sums(pedestal.block_weight(4), span))


@pytest.mark.parametrize("span", [1, 2, 3])
def test_window_significance_kernel_matches_reference(maps, pedestal, span):
    sums, _ = _zs_kernels.block_sums(noise_frame(maps, 6), pedestal.mean, pedestal.inv_sigma, 4,
                                     np.float32(3))
    args = (sums, *pedestal.window_norm(4, span), 0.25, span)
    np.testing.assert_allclose(_zs_kernels.window_significance(*args),
                               _zs_reference.window_significance(*args), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("span", [1, 2])
def test_window_significance_has_unit_variance_on_noise(maps, pedestal, span):
    values = []
    for i in range(4):
        sums, _ = _zs_kernels.block_sums(noise_frame(maps, 20 + i), pedestal.mean,
                                         pedestal.inv_sigma, 4, np.float32(3))
        values.append(_zs_kernels.window_significance(sums, *pedestal.window_norm(4, span), 0.0,
                                                      span)[:-1, :-1])
    assert abs(np.std(values) - 1) < 0.05 and abs(np.mean(values)) < 0.05


def test_hysteresis_and_dilation_kernels_match_reference():
    rng = np.random.default_rng(8)
    significance = rng.normal(0, 1.5, (40, 57))
    keep = _zs_kernels.hysteresis(significance, 3.0, 1.0)
    assert np.array_equal(keep, _zs_reference.hysteresis(significance, 3.0, 1.0))
    for low, high in [(0, 0), (1, 1), (3, 3), (2, 1), (0, 2)]:
        assert np.array_equal(_zs_kernels.dilate_rect(keep, low, high),
                              _zs_reference.dilate_rect(keep, low, high)), (low, high)


def test_level_follows_a_drift_of_the_dark_level(maps, pedestal):
    # the frame offset is a median over ~200 sampled 4x4 blocks here: +-0.05 ADU (1 sigma)
    frame = noise_frame(maps, 31)
    assert abs(zero_suppress(frame, pedestal).level) < 0.2
    assert zero_suppress(frame + np.uint16(3), pedestal).level == pytest.approx(3.0, abs=0.2)


def test_a_glow_over_the_whole_frame_keeps_no_pixel_but_shows_in_the_level(maps, pedestal):
    frame = noise_frame(maps, 32) + np.uint16(500)  # a spark lighting the whole sensor
    sparse = zero_suppress(frame, pedestal)
    assert sparse.n_pixels == 0 and sparse.level == pytest.approx(500.0, abs=0.5)


def test_level_is_not_measured_without_adapt(maps, pedestal):
    assert zero_suppress(noise_frame(maps, 33), pedestal, adapt=False).level is None


def test_level_is_not_measured_on_a_frame_too_small_to_sample():
    maps = sensor_maps((64, 96), seed=2)
    assert zero_suppress(noise_frame(maps, 34), Pedestal(*maps)).level is None


def test_pedestal_drift_does_not_flood_the_frame(maps, pedestal):
    frame = noise_frame(maps, 30) + np.uint16(2)  # the sensor warmed: +2 ADU everywhere
    assert zero_suppress(frame, pedestal).area_fraction <= 0.0005
    assert zero_suppress(frame, pedestal, adapt=False).area_fraction > 0.05


@pytest.mark.parametrize("frame, error, message", [
    (np.zeros(SHAPE, np.int32), ReconError, "dtype"),
    (np.zeros((2,) + SHAPE, np.uint16), ReconError, "2-D"),
    ([[1]], ReconError, "numpy array"),
    (np.zeros((SHAPE[1], SHAPE[0]), np.uint16), PedestalError, "shape"),
])
def test_bad_frames_are_refused(pedestal, frame, error, message):
    with pytest.raises(error, match=message):
        zero_suppress(frame, pedestal)


@pytest.mark.parametrize("options, message", [
    ({"block": 0}, "block"), ({"block": 2.5}, "block"), ({"halo": -1}, "halo"),
    ({"seed": float("nan")}, "seed"), ({"grow": "x"}, "grow"), ({"seed": 2.0, "grow": 3.0}, "grow"),
    ({"reach": -1.0}, "reach"), ({"refine": "yes"}, "refine"), ({"window": True}, "window"),
    ({"sead": 4.0}, "sead"),
])
def test_bad_thresholds_are_refused(maps, pedestal, options, message):
    with pytest.raises(ReconError, match=message):
        zero_suppress(noise_frame(maps, 0), pedestal, **options)


def test_params_object_is_accepted_and_recordable(maps, pedestal):
    params = ZeroSuppressionParams(seed=5.0)
    frame = noise_frame(maps, 1, spot_signal(SHAPE, (30, 30), 3000))
    by_object = zero_suppress(frame, pedestal, params=params)
    assert np.array_equal(by_object.rows, zero_suppress(frame, pedestal, seed=5.0).rows)
    assert params.get_config()["seed"] == 5.0


def test_non_pedestal_is_refused(maps):
    with pytest.raises(PedestalError, match="pedestal"):
        zero_suppress(noise_frame(maps, 0), maps)
