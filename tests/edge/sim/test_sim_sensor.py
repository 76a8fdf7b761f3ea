import numpy as np
import pytest

from edge.sim import FrameSimulator, SensorModel

SHAPE = (256, 384)


@pytest.fixture(scope="module")
def sensor():
    return SensorModel(SHAPE, seed=3)


@pytest.fixture(scope="module")
def pedestal_stack(sensor):
    sim = FrameSimulator(sensor, seed=2)
    return np.stack([sim.pedestal_frame(i) for i in range(200)]).astype(np.float64)


def test_maps_have_the_frame_shape_and_types(sensor):
    assert sensor.true_mean.shape == SHAPE and sensor.true_mean.dtype == np.float32
    assert sensor.true_sigma.shape == SHAPE and sensor.true_sigma.dtype == np.float32
    assert sensor.hot_mask.dtype == bool and sensor.noisy_mask.shape == SHAPE


def test_pedestal_level_and_noise_are_in_the_quoted_ranges(sensor):
    quiet = ~(sensor.hot_mask | sensor.noisy_mask)
    assert 98 < np.median(sensor.true_mean) < 102
    assert 1.0 < np.std(sensor.true_mean[quiet]) < 3.0
    assert 1.5 <= np.percentile(sensor.true_sigma[quiet], 1)
    assert np.percentile(sensor.true_sigma[quiet], 99) <= 3.1


def test_column_fixed_pattern_is_present(sensor):
    column_means = np.median(sensor.true_mean, axis=0)
    assert np.std(column_means) > 0.5


def test_noisy_pixels_are_several_times_noisier(sensor):
    ratio = np.median(sensor.true_sigma[sensor.noisy_mask]) / np.median(sensor.true_sigma)
    assert 0.002 < sensor.noisy_mask.mean() < 0.01
    assert ratio > 3


def test_hot_pixels_are_hundreds_to_thousands_of_adu_high(sensor):
    assert sensor.hot_mask.sum() >= 1
    excess = sensor.true_mean[sensor.hot_mask] - 100
    assert np.all(excess > 150) and np.all(excess < 3100)


def test_pedestal_frames_match_the_configured_mean(sensor, pedestal_stack):
    pull = (pedestal_stack.mean(axis=0) - sensor.true_mean) / (sensor.true_sigma / np.sqrt(200))
    assert abs(np.median(pull)) < 0.05
    assert 0.6 < np.median(np.abs(pull)) < 0.75  # Gaussian: median |pull| = 0.674


def test_pedestal_frames_match_the_configured_sigma(sensor, pedestal_stack):
    expected = np.sqrt(sensor.true_sigma.astype(np.float64) ** 2 + 1 / 12)  # + rounding
    ratio = pedestal_stack.std(axis=0) / expected
    assert abs(np.median(ratio) - 1) < 0.01
    assert np.median(ratio[sensor.noisy_mask]) == pytest.approx(1, abs=0.1)


def test_row_component_correlates_pixels_of_a_row(sensor, pedestal_stack):
    residual = pedestal_stack - pedestal_stack.mean(axis=0)
    row_offsets = residual.mean(axis=2)  # per frame, per row
    assert 0.2 < row_offsets.std() < 0.4  # configured 0.3 ADU


def test_same_seed_same_sensor_other_seed_other_sensor():
    a, b, c = SensorModel((32, 48), seed=5), SensorModel((32, 48), seed=5), SensorModel((32, 48), seed=6)
    assert np.array_equal(a.true_mean, b.true_mean)
    assert not np.array_equal(a.true_mean, c.true_mean)


def test_non_square_and_tiny_shapes():
    for shape in [(2, 3), (1, 1), (40, 7)]:
        sensor = SensorModel(shape, seed=0)
        assert sensor.noise_frame(np.random.default_rng(0)).shape == shape


@pytest.mark.parametrize("shape", [(0, 5), (5,), "big", (2.5, 3), (-1, 4), None])
def test_bad_shape_is_refused_with_the_value(shape):
    with pytest.raises(ValueError, match="shape"):
        SensorModel(shape)


def test_unknown_parameter_is_refused():
    with pytest.raises(ValueError, match="bogus"):
        SensorModel((8, 8), bogus=1)


def test_noise_frame_needs_a_generator(sensor):
    with pytest.raises(TypeError, match="rng"):
        sensor.noise_frame(42)
