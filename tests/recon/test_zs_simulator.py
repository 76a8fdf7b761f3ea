"""Pedestal and zero suppression against the project's simulator truth (small frames)."""

import numpy as np
import pytest

from edge.sim.deposits import make_deposit
from edge.sim.frames import FrameSimulator
from edge.sim.sensor import SensorModel
from recon import Pedestal, zero_suppress

SHAPE = (320, 448)


@pytest.fixture(scope="module")
def camera():
    sensor = SensorModel(SHAPE, seed=11, hot_per_megapixel=300.0)
    simulator = FrameSimulator(sensor, seed=12)
    pedestal = Pedestal.from_frames(simulator.pedestal_frame(i) for i in range(40))
    return sensor, simulator, pedestal


def kept_share(sparse, deposit):
    kept = np.zeros(sparse.shape, dtype=bool)
    kept[sparse.rows, sparse.cols] = True
    return deposit.adu[kept[deposit.rows, deposit.cols]].sum() / deposit.adu.sum()


def test_hot_pixels_are_in_the_mask(camera):
    sensor, _, pedestal = camera
    assert sensor.hot_mask.sum() >= 30
    assert (pedestal.mask & sensor.hot_mask).sum() >= 0.95 * sensor.hot_mask.sum()


def test_mask_is_mostly_bad_pixels(camera):
    sensor, _, pedestal = camera
    bad = sensor.hot_mask | sensor.noisy_mask
    assert (pedestal.mask & ~bad).sum() <= 0.001 * pedestal.mask.size


def test_pedestal_matches_the_sensor_truth(camera):
    sensor, _, pedestal = camera
    good = ~(sensor.hot_mask | sensor.noisy_mask)
    error = (pedestal.mean - sensor.true_mean)[good]
    assert abs(np.median(error)) < 0.05 and np.std(error) < 0.6  # sigma/sqrt(40) ~ 0.35


@pytest.mark.parametrize("sigma_px", [2.2, 3.0])
def test_faint_simulated_muon_is_kept(camera, sigma_px):
    _, simulator, pedestal = camera
    rng = np.random.default_rng(int(sigma_px * 10))
    muon = make_deposit("muon", rng, SHAPE, x0=40.0, y0=0.0, x1=400.0, y1=319.0,
                        sigma_px=sigma_px)
    frame, _ = simulator.data_frame(3, deposits=[muon])
    assert kept_share(zero_suppress(frame, pedestal), muon) >= 0.95


@pytest.mark.parametrize("kind", ["fe55", "er", "nr", "alpha"])
def test_each_kind_is_kept_whole(camera, kind):
    _, simulator, pedestal = camera
    deposits = [make_deposit(kind, np.random.default_rng(i), SHAPE) for i in range(3)]
    frame, _ = simulator.data_frame(4, deposits=deposits)
    sparse = zero_suppress(frame, pedestal)
    total = sum(d.adu.sum() for d in deposits)
    kept = sum(kept_share(sparse, d) * d.adu.sum() for d in deposits)
    assert kept / total >= 0.99


@pytest.mark.parametrize("index", range(3))
def test_simulated_noise_only_frame_keeps_almost_nothing(camera, index):
    _, simulator, pedestal = camera
    sparse = zero_suppress(simulator.pedestal_frame(1000 + index), pedestal)
    assert sparse.area_fraction <= 0.0005
