import json

import pytest

from edge.sim.environment import ENVIRONMENT_KEYS, environment_reading


def test_readings_have_the_root_branch_names_and_plain_floats():
    reading = environment_reading(0, 3)
    assert tuple(reading) == ENVIRONMENT_KEYS
    assert all(type(value) is float for value in reading.values())
    json.dumps(reading)


def test_readings_are_deterministic_and_drift_slowly():
    assert environment_reading(4, 10) == environment_reading(4, 10)
    step = abs(environment_reading(4, 11)["Atm_pressure"] - environment_reading(4, 10)["Atm_pressure"])
    assert step < 0.5


def test_readings_stay_plausible_and_detector_is_over_pressure():
    for index in range(0, 40_000, 997):
        r = environment_reading(1, index)
        assert 890 < r["Atm_pressure"] < 920 and r["Lime_pressure"] > r["Atm_pressure"]
        assert 15 < r["Atm_temperature"] < 21 and 40 < r["Humidity"] < 80


@pytest.mark.parametrize("index", [-1, 2.5, None])
def test_bad_index_is_refused(index):
    with pytest.raises(ValueError, match="index"):
        environment_reading(0, index)
