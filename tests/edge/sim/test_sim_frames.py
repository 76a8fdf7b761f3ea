import numpy as np
import pytest

from compression.checksum import pixel_checksum
from edge.sim import DEFAULT_MIX, FrameSimulator, FrameTruth, SensorModel, digitise, make_deposit

SHAPE = (256, 384)


@pytest.fixture(scope="module")
def sim():
    return FrameSimulator(SensorModel(SHAPE, seed=1), seed=4)


def test_frames_are_uint16_of_the_sensor_shape(sim):
    frame, truth = sim.data_frame(0)
    assert frame.dtype == np.uint16 and frame.shape == SHAPE
    assert sim.pedestal_frame(0).dtype == np.uint16


def test_a_frame_is_reproducible_alone_from_seed_and_index(sim):
    later, truth = sim.data_frame(17)
    again = FrameSimulator(SensorModel(SHAPE, seed=1), seed=4).data_frame(17)[0]
    assert np.array_equal(later, again)
    assert truth.index == 17 and truth.checksum == pixel_checksum(later)


def test_other_index_or_seed_gives_another_frame(sim):
    other_seed = FrameSimulator(sim.sensor, seed=5)
    assert not np.array_equal(sim.pedestal_frame(1), sim.pedestal_frame(2))
    assert not np.array_equal(sim.pedestal_frame(1), other_seed.pedestal_frame(1))


def test_default_mix_gives_five_to_ten_deposits_on_average(sim):
    counts = [len(sim.random_deposits(i)) for i in range(40)]
    assert 5 <= np.mean(counts) <= 10
    assert 5 <= sum(DEFAULT_MIX.values()) <= 10


def test_mix_selects_kinds(sim):
    deposits = sim.data_frame(3, mix={"fe55": 4.0})[1].deposits
    assert deposits and {d.kind for d in deposits} == {"fe55"}


def test_pedestal_noise_is_independent_of_the_data_frame_noise(sim):
    pedestal = sim.pedestal_frame(2).astype(float) - sim.sensor.true_mean
    data = sim.data_frame(2, mix={})[0].astype(float) - sim.sensor.true_mean
    assert abs(np.corrcoef(pedestal.ravel(), data.ravel())[0, 1]) < 0.05


def test_frame_minus_noise_is_the_signal_image(sim):
    frame, truth = sim.data_frame(5)
    noise = sim.sensor.noise_frame(sim._rng(5, 1))
    expected = digitise(noise + sim.signal_image(truth))
    assert np.array_equal(frame, expected)


def test_signal_image_sums_to_the_truth_integrals(sim):
    truth = sim.data_frame(6)[1]
    image = sim.signal_image(truth)
    assert image.sum(dtype=np.float64) == pytest.approx(sum(d.integral for d in truth.deposits),
                                                        rel=1e-5)


def test_overlapping_deposits_add_up(sim):
    rng = np.random.default_rng(0)
    a = make_deposit("fe55", rng, SHAPE, x=50.0, y=50.0, sigma_px=2.5)
    b = make_deposit("fe55", rng, SHAPE, x=51.0, y=50.0, sigma_px=2.5)
    image = sim.signal_image(FrameTruth(0, [a, b]))
    assert image.sum(dtype=np.float64) == pytest.approx(a.integral + b.integral, rel=1e-5)


def test_chosen_deposit_appears_in_the_frame(sim):
    spot = make_deposit("fe55", np.random.default_rng(1), SHAPE, x=200.0, y=100.0, sigma_px=2.5)
    frame, truth = sim.data_frame(8, deposits=[spot])
    excess = frame.astype(float) - sim.sensor.true_mean
    box = excess[90:111, 190:211].sum()
    assert truth.deposits == [spot]
    assert box == pytest.approx(spot.integral, abs=150)


def test_digitise_rounds_and_clips():
    out = digitise(np.array([-5.0, 0.4, 0.6, 70000.0], dtype=np.float32))
    assert out.tolist() == [0, 0, 1, 65535] and out.dtype == np.uint16


def test_non_square_frames():
    sim = FrameSimulator(SensorModel((64, 200), seed=0), seed=0)
    frame, truth = sim.data_frame(0, mix={"muon": 2.0, "alpha": 1.0})
    assert frame.shape == (64, 200) and sim.signal_image(truth).shape == (64, 200)


@pytest.mark.parametrize("index", [-1, 1.5, "3", True])
def test_bad_index_is_refused(sim, index):
    with pytest.raises(ValueError, match="index"):
        sim.pedestal_frame(index)


@pytest.mark.parametrize("mix", [{"pion": 1.0}, {"fe55": -1.0}, {"fe55": "many"}, [("fe55", 1)]])
def test_bad_mix_is_refused(sim, mix):
    with pytest.raises(ValueError, match="mix"):
        sim.data_frame(0, mix=mix)


def test_deposit_outside_the_frame_is_refused(sim):
    big = make_deposit("fe55", np.random.default_rng(0), (1000, 1000), x=900.0, y=900.0)
    with pytest.raises(ValueError, match="outside"):
        sim.data_frame(0, deposits=[big])


def test_garbage_arguments_are_refused():
    with pytest.raises(TypeError, match="sensor"):
        FrameSimulator("camera")
    with pytest.raises(ValueError, match="seed"):
        FrameSimulator(SensorModel((4, 4)), seed=-3)


def test_pedestal_drift_shifts_frames_by_index_times_rate():
    sensor = SensorModel((64, 96), seed=2)
    still, drifting = FrameSimulator(sensor, seed=1), FrameSimulator(sensor, seed=1,
                                                                      drift_adu_per_frame=0.01)
    shift = drifting.pedestal_frame(500).astype(float) - still.pedestal_frame(500)
    assert np.mean(shift) == pytest.approx(5.0, abs=0.05)
    frame, truth = drifting.data_frame(300)
    assert truth.offset_adu == pytest.approx(3.0)
    assert np.mean(frame.astype(float) - still.data_frame(300)[0]) == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize("drift", [float("nan"), "fast", None])
def test_bad_drift_is_refused(drift):
    with pytest.raises(ValueError, match="drift_adu_per_frame"):
        FrameSimulator(SensorModel((4, 4)), drift_adu_per_frame=drift)
