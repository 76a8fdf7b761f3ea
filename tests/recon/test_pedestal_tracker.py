"""Online pedestal tracking: follows a drift, ignores signal, refuses bad input."""

import numpy as np
import pytest

from recon import Pedestal, PedestalError, PedestalTracker, zero_suppress
from zs_synthetic import noise_frame, sensor_maps, spot_signal

SHAPE = (64, 96)


@pytest.fixture()
def start():
    mean, sigma = sensor_maps(SHAPE, seed=4)
    return (mean, sigma), Pedestal(mean, sigma, np.zeros(SHAPE, bool))


def test_tracks_a_uniform_drift(start):
    (mean, sigma), pedestal = start
    tracker = PedestalTracker(pedestal, alpha=0.05)
    for i in range(150):
        tracker.update(noise_frame((mean + 3.0, sigma), i))
    drifted = tracker.pedestal
    assert abs(float(np.median(drifted.mean - mean)) - 3.0) < 0.15
    assert drifted.id != pedestal.id and drifted.n_frames == 150


def test_tracked_pedestal_names_the_run_of_its_last_update(start):
    (mean, sigma), _ = start
    tracker = PedestalTracker(Pedestal(mean, sigma, np.zeros(SHAPE, bool), run=7))
    frame = noise_frame((mean, sigma), seed=1)
    assert tracker.pedestal.run == 7
    tracker.update(frame)
    assert tracker.pedestal.run == 7
    tracker.update(frame, run=9)
    assert tracker.pedestal.run == 9
    with pytest.raises(PedestalError, match="run must be an int"):
        tracker.update(frame, run="10")
    assert tracker.n_updates == 2  # the refused frame was not folded in


def test_sigma_stays_near_truth(start):
    (mean, sigma), pedestal = start
    tracker = PedestalTracker(pedestal, alpha=0.05)
    for i in range(100):
        tracker.update(noise_frame((mean, sigma), i))
    assert abs(np.median(tracker.pedestal.sigma / sigma) - 1) < 0.05


def test_pixels_near_signal_are_not_updated(start):
    (mean, sigma), pedestal = start
    tracker = PedestalTracker(pedestal, alpha=0.2, guard=2)
    spot = spot_signal(SHAPE, (32, 48), 20000, width_px=3)
    for i in range(20):
        frame = noise_frame((mean, sigma), i, spot)
        tracker.update(frame, zero_suppress(frame, pedestal))
    assert np.abs(tracker.pedestal.mean - mean)[28:37, 44:53].max() == 0


def test_a_bool_mask_also_marks_signal(start):
    (mean, sigma), pedestal = start
    tracker = PedestalTracker(pedestal, alpha=0.5, guard=0)
    region = np.zeros(SHAPE, bool)
    region[:10] = True
    updated = tracker.update(noise_frame((mean, sigma), 0), region)
    assert updated <= SHAPE[0] * SHAPE[1] - 10 * SHAPE[1]
    assert np.array_equal(tracker.pedestal.mean[:10], pedestal.mean[:10])


@pytest.mark.parametrize("options, message", [({"alpha": 0}, "alpha"), ({"alpha": 1.5}, "alpha"),
                                              ({"guard": -1}, "guard"), ({"clip": 0}, "clip")])
def test_bad_options_are_refused(start, options, message):
    with pytest.raises(PedestalError, match=message):
        PedestalTracker(start[1], **options)


def test_wrong_frame_is_refused(start):
    tracker = PedestalTracker(start[1])
    with pytest.raises(PedestalError, match="shape"):
        tracker.update(np.zeros((3, 3), np.uint16))
    with pytest.raises(PedestalError, match="uint16"):
        tracker.update(np.zeros(SHAPE, np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha,clip", [(0.01, 5.0), (0.5, 1.0)])
def test_update_kernel_matches_numpy_reference(alpha, clip, dtype):
    from recon._tracker_kernels import update_kernel, update_reference
    rng = np.random.default_rng(4)
    shape = (37, 53)
    frame = rng.normal(100, 3, shape).round().clip(0, 65535).astype(np.uint16)
    frame[5, 7] = 4000  # an outlier beyond any clip
    mean = rng.normal(100, 1, shape).astype(dtype)
    variance = rng.uniform(1, 9, shape).astype(dtype)
    near = rng.random(shape) < 0.1
    fast_mean, fast_var = mean.copy(), variance.copy()
    slow_mean, slow_var = mean.copy(), variance.copy()
    used = update_kernel(frame, fast_mean, fast_var, near, alpha, clip)
    assert used == update_reference(frame, slow_mean, slow_var, near, alpha, clip)
    assert np.array_equal(fast_mean, slow_mean) and np.array_equal(fast_var, slow_var)
    assert fast_mean[5, 7] == mean[5, 7] and (fast_mean[near] == mean[near]).all()


@pytest.mark.parametrize("guard", [0, 1, 4])
def test_near_kernel_matches_the_maximum_filter_reference(guard):
    from recon._tracker_kernels import near_kernel, near_reference
    rows = np.array([0, 0, 5, 12, 12, 30], dtype=np.int64)  # corners, edges and the interior
    cols = np.array([0, 52, 7, 26, 27, 52], dtype=np.int64)
    assert np.array_equal(near_kernel(rows, cols, (31, 53), guard), near_reference(rows, cols, (31, 53), guard))
