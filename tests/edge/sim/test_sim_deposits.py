import numpy as np
import pytest

from edge.sim import ADU_PER_KEV, KINDS, PIXEL_MM, SensorModel, make_deposit

SHAPE = (256, 384)


def rng(seed=0):
    return np.random.default_rng(seed)


def test_fe55_integral_is_a_few_thousand_adu_and_sits_where_asked():
    spot = make_deposit("fe55", rng(), SHAPE, x=100.3, y=50.7, sigma_px=2.5)
    assert spot.energy_kev in (5.9, 6.49)
    assert spot.integral == pytest.approx(spot.energy_kev * ADU_PER_KEV, rel=1e-5)
    assert 2000 < spot.integral < 4000
    assert (spot.x, spot.y) == pytest.approx((100.3, 50.7), abs=0.01)
    assert (spot.x0, spot.y0, spot.x1, spot.y1) == (spot.x, spot.y, spot.x, spot.y)


def test_fe55_blob_is_two_to_three_pixels_wide():
    spot = make_deposit("fe55", rng(), SHAPE)
    weight = spot.adu / spot.adu.sum()
    width = np.sqrt(weight @ (spot.cols - spot.x) ** 2)
    assert 2.0 <= width <= 3.05 and width == pytest.approx(spot.sigma_px, rel=0.02)


def test_muon_core_is_one_to_one_and_a_half_noise_sigma():
    sensor = SensorModel(SHAPE, seed=0)
    noise = np.median(sensor.true_sigma)
    for seed in range(5):
        track = make_deposit("muon", rng(seed), SHAPE, x0=60.0, y0=-0.4, x1=60.0, y1=255.4)
        core = np.zeros(SHAPE)
        core[track.rows, track.cols] = track.adu
        assert 1.0 <= np.median(core[:, 60]) / noise <= 1.6


def test_muon_dedx_is_minimum_ionising():
    track = make_deposit("muon", rng(), SHAPE, x0=0.0, y0=0.0, x1=300.0, y1=200.0)
    kev_per_cm = track.energy_kev / (track.length_px * PIXEL_MM / 10)
    assert 1.7 < kev_per_cm < 3.1  # 2.4 keV/cm with Landau-like fluctuation
    assert track.length_px == pytest.approx(np.hypot(300, 200), rel=0.01)


def test_random_muons_cross_much_of_the_frame():
    lengths = [make_deposit("muon", rng(s), SHAPE).length_px for s in range(20)]
    assert np.median(lengths) > 0.5 * min(SHAPE)


def test_edge_crossing_muon_loses_only_diffusion_tails():
    track = make_deposit("muon", rng(7), SHAPE)
    deposited = track.energy_kev * ADU_PER_KEV
    per_pixel = deposited / track.length_px
    assert deposited - 2 * track.sigma_px * per_pixel < track.integral < deposited


def test_electron_recoils_grow_from_mm_to_cm_and_curl():
    short = make_deposit("er", rng(1), (1000, 1000), energy_kev=6.0)
    long = make_deposit("er", rng(1), (1000, 1000), energy_kev=40.0)
    assert short.length_px * PIXEL_MM == pytest.approx(1.0, rel=0.1)
    assert long.length_px * PIXEL_MM > 10
    chord = np.hypot(long.x1 - long.x0, long.y1 - long.y0)
    assert chord < 0.9 * long.length_px


def test_nuclear_recoil_is_a_dense_millimetre_blob():
    recoil = make_deposit("nr", rng(), SHAPE, energy_kev=20.0)
    electron = make_deposit("er", rng(), SHAPE, energy_kev=20.0)
    assert 0.5 < recoil.length_px * PIXEL_MM < 1.5
    assert recoil.adu.max() > 2 * electron.adu.max()


def test_alpha_is_very_bright_several_cm_with_bragg_peak_at_its_end():
    track = make_deposit("alpha", rng(), (4000, 4000), x0=500.0, y0=500.0, x1=800.0, y1=900.0,
                         energy_kev=5000.0)
    assert track.adu.max() > 300
    assert track.length_px == pytest.approx(500, rel=0.01)
    to_end = np.hypot(track.x - track.x1, track.y - track.y1)
    assert to_end < 250  # the charge centroid leans towards the Bragg peak


INSIDE = {"muon": dict(x0=100.0, y0=100.0, x1=2000.0, y1=2900.0)}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_integral_equals_energy_times_scale_inside_the_frame(kind):
    deposit = make_deposit(kind, rng(7), (3000, 3000), **INSIDE.get(kind, {}))
    assert deposit.integral == pytest.approx(deposit.energy_kev * ADU_PER_KEV, rel=1e-3)
    assert deposit.rows.dtype == deposit.cols.dtype == np.int32 and deposit.adu.dtype == np.float32


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_deposits_stay_inside_a_tiny_non_square_frame(kind):
    deposit = make_deposit(kind, rng(3), (9, 5))
    assert deposit.rows.min() >= 0 and deposit.rows.max() < 9
    assert deposit.cols.min() >= 0 and deposit.cols.max() < 5


def test_same_rng_state_same_deposit():
    a, b = make_deposit("er", rng(9), SHAPE), make_deposit("er", rng(9), SHAPE)
    assert np.array_equal(a.adu, b.adu) and a.x == b.x


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="'gamma'"):
        make_deposit("gamma", rng(), SHAPE)


def test_bad_placement_is_refused():
    with pytest.raises(ValueError, match="outside the frame"):
        make_deposit("fe55", rng(), SHAPE, x=1000.0, y=3.0)
    with pytest.raises(ValueError, match="bad placement"):
        make_deposit("fe55", rng(), SHAPE, energy_kev=3.0)
    with pytest.raises(ValueError, match="energy_kev"):
        make_deposit("nr", rng(), SHAPE, energy_kev=-2.0)


def test_partial_track_ends_are_refused():
    with pytest.raises(ValueError, match="all four"):
        make_deposit("muon", rng(), SHAPE, x0=1.0, y0=2.0)
    with pytest.raises(ValueError, match="all four"):
        make_deposit("alpha", rng(), SHAPE, x0=1.0, y0=2.0, x1=float("nan"), y1=3.0)


def test_track_missing_the_frame_is_refused():
    with pytest.raises(ValueError, match="no point inside the frame"):
        make_deposit("muon", rng(), SHAPE, x0=-50.0, y0=-50.0, x1=-10.0, y1=-90.0)
