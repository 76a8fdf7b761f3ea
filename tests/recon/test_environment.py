import math

import numpy as np
import pytest

from recon import ENVIRONMENT_BRANCHES, ReconError, environment_branches


def test_readings_become_float32_branches():
    metadata = {"Lime_pressure": 908.25, "Atm_pressure": 905, "Lime_temperature": 18.5,
                "Atm_temperature": 18.0, "Humidity": 61.5}
    branches = environment_branches(metadata)
    assert list(branches) == list(ENVIRONMENT_BRANCHES)
    assert all(isinstance(value, np.float32) for value in branches.values())
    assert branches["Lime_pressure"] == np.float32(908.25) and branches["Atm_pressure"] == 905.0


@pytest.mark.parametrize("value", [None, "908", True, float("inf"), [1.0], {"v": 1}])
def test_a_reading_that_is_not_a_finite_number_is_nan(value):
    assert math.isnan(environment_branches({"Humidity": value})["Humidity"])


def test_missing_readings_and_other_keys_leave_every_branch_present():
    branches = environment_branches({"camera": "ORCA-Fusion", "Lime_pressure": 908.0})
    assert set(branches) == set(ENVIRONMENT_BRANCHES)
    assert branches["Lime_pressure"] == 908.0
    assert all(math.isnan(branches[name]) for name in ENVIRONMENT_BRANCHES[1:])


def test_no_metadata_gives_all_nan():
    assert all(math.isnan(value) for value in environment_branches(None).values())


def test_metadata_that_is_not_a_dict_is_refused_and_echoed():
    with pytest.raises(ReconError, match=r"metadata must be a dict or None, got list: \[908\.0\]"):
        environment_branches([908.0])
