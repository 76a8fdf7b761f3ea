"""sc_energy: the integral over a calibration, only when one is given; bad calibrations refused."""

import numpy as np
import pytest

from edge.sim import ADU_PER_KEV, FrameSimulator, SensorModel
from recon import Pedestal, ReconError, reconstruct
from recon.energy import check_adu_per_kev, cluster_energy


def test_energy_is_the_integral_over_the_calibration():
    energy = cluster_energy(np.array([2950.0, 500.0]), 500)
    assert energy.dtype == np.float32 and energy.tolist() == pytest.approx([5.9, 1.0])


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), True, "500"])
def test_bad_calibration_is_refused_naming_it(bad):
    with pytest.raises(ReconError, match=r"adu_per_kev must be a finite number > 0 .* got"):
        check_adu_per_kev(bad)


@pytest.fixture(scope="module")
def camera():
    sim = FrameSimulator(SensorModel((192, 256), seed=8), seed=9, mix={"fe55": 3})
    return sim, Pedestal.from_frames(sim.pedestal_frame(i) for i in range(20))


def test_reconstruct_leaves_sc_energy_out_without_a_calibration(camera):
    sim, pedestal = camera
    assert "sc_energy" not in reconstruct(sim.data_frame(0)[0], pedestal)


def test_fe55_spots_read_their_energy_with_the_simulators_calibration(camera):
    sim, pedestal = camera
    result = reconstruct(sim.data_frame(0)[0], pedestal, adu_per_kev=ADU_PER_KEV)
    assert result["nSc"] >= 1
    np.testing.assert_allclose(result["sc_energy"], result["sc_integral"] / ADU_PER_KEV, rtol=1e-6)
    assert np.median(result["sc_energy"]) == pytest.approx(5.9, rel=0.15)


def test_reconstruct_refuses_a_bad_calibration(camera):
    sim, pedestal = camera
    with pytest.raises(ReconError, match="adu_per_kev"):
        reconstruct(sim.data_frame(0)[0], pedestal, adu_per_kev=-2)
