"""Pedestal estimation against known generated statistics, bad pixels, and serialisation."""

import io

import numpy as np
import pytest

from compression.checksum import pedestal_fingerprint
from recon import Pedestal, PedestalAccumulator, PedestalError, find_bad_pixels, pedestal_io
from zs_synthetic import noise_frame, sensor_maps

SHAPE = (96, 160)  # non-square on purpose


def dark_frames(maps, n, first_seed=0):
    for i in range(n):
        yield noise_frame(maps, first_seed + i)


@pytest.fixture(scope="module")
def maps():
    return sensor_maps(SHAPE, seed=3)


@pytest.fixture(scope="module")
def pedestal(maps):
    return Pedestal.from_frames(dark_frames(maps, 200))


def test_mean_matches_generated_mean(maps, pedestal):
    mean, sigma = maps
    pull = (pedestal.mean - mean) / (sigma / np.sqrt(200))
    assert abs(pull.mean()) < 0.1 and 0.85 < pull.std() < 1.15


def test_sigma_matches_generated_sigma(maps, pedestal):
    _, sigma = maps
    expected = np.sqrt(sigma.astype(np.float64) ** 2 + 1 / 12)  # + rounding to integer ADU
    ratio = pedestal.sigma / expected
    assert abs(np.median(ratio) - 1) < 0.01 and ratio.std() < 0.07


def test_maps_are_float32_and_read_only(pedestal):
    assert pedestal.mean.dtype == np.float32 and pedestal.sigma.dtype == np.float32
    with pytest.raises(ValueError):
        pedestal.mean[0, 0] = 1


def test_accumulator_is_exact_against_numpy_stack(maps):
    stack = np.stack(list(dark_frames(maps, 7)))
    accumulator = PedestalAccumulator()
    for frame in stack:
        accumulator.add(frame)
    mean, sigma = accumulator.mean_sigma()
    np.testing.assert_allclose(mean, stack.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(sigma, stack.std(axis=0, ddof=1), rtol=1e-5)


def test_from_frames_consumes_a_generator_once(maps):
    seen = []

    def frames():
        for frame in dark_frames(maps, 5):
            seen.append(1)
            yield frame

    assert Pedestal.from_frames(frames()).n_frames == 5 and len(seen) == 5


def test_id_is_the_shared_fingerprint(pedestal):
    assert pedestal.id == pedestal_fingerprint(pedestal.mean, pedestal.sigma)


def test_hot_noisy_and_dead_pixels_are_masked(maps):
    hot, noisy, dead = (10, 20), (30, 40), (50, 60)

    def frames():
        rng = np.random.default_rng(9)
        for frame in dark_frames(maps, 50):
            frame[hot] += 800
            frame[noisy] = 100 + int(rng.integers(0, 2)) * 30  # telegraph, sigma about 15
            frame[dead] = 0
            yield frame

    mask = Pedestal.from_frames(frames()).mask
    assert mask[hot] and mask[noisy] and mask[dead]
    assert mask.sum() == 3


def test_clean_sensor_has_empty_mask(pedestal):
    assert pedestal.mask.sum() == 0


def test_column_pattern_is_not_hot():
    mean = np.full(SHAPE, 100, np.float32)
    mean[:, 7] += 40  # a whole bright column is fixed pattern, not a hot pixel
    assert not find_bad_pixels(mean, np.full(SHAPE, 2.0, np.float32)).any()


@pytest.mark.parametrize("option", [{"hot_spreads": 0}, {"noisy_factor": 1}, {"dead_factor": 1}])
def test_bad_mask_options_are_refused(option):
    with pytest.raises(PedestalError, match=next(iter(option))):
        find_bad_pixels(np.zeros(SHAPE), np.ones(SHAPE), **option)


def test_bytes_round_trip(pedestal):
    again = Pedestal.from_bytes(pedestal.to_bytes())
    assert again.id == pedestal.id and again.n_frames == 200
    assert np.array_equal(again.mask, pedestal.mask)


def test_run_travels_with_the_pedestal_but_not_in_its_id(maps):
    mean, sigma = maps[:2]
    made = Pedestal(mean, sigma, run=31)
    assert Pedestal.from_bytes(made.to_bytes()).run == 31
    assert made.id == Pedestal(mean, sigma).id and Pedestal(mean, sigma).run == -1


@pytest.mark.parametrize("run", [-2, 1.5, True, "3"])
def test_bad_run_is_refused(maps, run):
    with pytest.raises(PedestalError, match="run must be an int"):
        Pedestal(maps[0], maps[1], run=run)


def test_archive_with_a_non_integer_run_is_refused(pedestal):
    buffer = io.BytesIO()
    np.savez(buffer, format="cygno-pedestal", version=1, mean=pedestal.mean, sigma=pedestal.sigma,
             mask=pedestal.mask, n_frames=1, id=pedestal.id, run=np.array([1, 2]))
    with pytest.raises(PedestalError, match="run must be an integer scalar"):
        Pedestal.from_bytes(buffer.getvalue())


def test_save_load_path_and_file_object(pedestal, tmp_path):
    pedestal.save(tmp_path / "ped.npz")
    buffer = io.BytesIO()
    pedestal.save(buffer)
    buffer.seek(0)
    assert Pedestal.load(tmp_path / "ped.npz").id == Pedestal.load(buffer).id == pedestal.id


@pytest.mark.parametrize("garbage", [b"", b"not a pedestal", b"PK\x03\x04" + bytes(50)])
def test_garbage_bytes_raise_pedestal_error(garbage):
    with pytest.raises(PedestalError, match="blob"):
        Pedestal.from_bytes(garbage)


def test_truncated_bytes_raise_pedestal_error(pedestal):
    with pytest.raises(PedestalError):
        Pedestal.from_bytes(pedestal.to_bytes()[:-100])


def test_archive_with_wrong_id_is_refused(pedestal):
    buffer = io.BytesIO()
    np.savez(buffer, format="cygno-pedestal", version=1, mean=pedestal.mean,
             sigma=pedestal.sigma, mask=pedestal.mask, n_frames=1, id="0" * 32)
    with pytest.raises(PedestalError, match="id mismatch"):
        Pedestal.from_bytes(buffer.getvalue())


def test_missing_file_raises_pedestal_error(tmp_path):
    with pytest.raises(PedestalError, match="nothere"):
        Pedestal.load(tmp_path / "nothere.npz")


@pytest.mark.parametrize("frame, message", [
    (np.zeros(SHAPE, np.float32), "dtype"),
    (np.zeros((2,) + SHAPE, np.uint16), "2-D"),
    ([[1, 2]], "numpy array"),
])
def test_bad_frames_raise_pedestal_error(frame, message):
    with pytest.raises(PedestalError, match=message):
        Pedestal.from_frames([frame, frame])


def test_frames_of_changing_shape_are_refused():
    with pytest.raises(PedestalError, match="shape"):
        Pedestal.from_frames([np.zeros(SHAPE, np.uint16), np.zeros((5, 5), np.uint16)])


def test_one_frame_is_not_enough():
    with pytest.raises(PedestalError, match="n_frames"):
        Pedestal.from_frames([np.zeros(SHAPE, np.uint16)])


def test_negative_sigma_is_refused():
    with pytest.raises(PedestalError, match="sigma"):
        Pedestal(np.zeros(SHAPE), -np.ones(SHAPE))


def test_non_finite_mean_is_refused():
    mean = np.zeros(SHAPE)
    mean[3, 3] = np.nan
    with pytest.raises(PedestalError, match="mean must be finite"):
        Pedestal(mean, np.ones(SHAPE))


def test_archives_written_by_savez_compressed_still_load(pedestal):
    """Pedestals stored before the writer moved to deflate level 1 remain readable."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, format=np.array(pedestal_io.FORMAT_NAME), version=np.array(1),
                        mean=pedestal.mean, sigma=pedestal.sigma, mask=pedestal.mask,
                        n_frames=np.array(pedestal.n_frames), id=np.array(pedestal.id))
    loaded = Pedestal.from_bytes(buffer.getvalue())
    assert loaded.id == pedestal.id and loaded.run == -1  # archives from before run was kept
