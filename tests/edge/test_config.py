"""edge.toml validation: errors name the key and echo the value."""

import pytest

from edge.config import load_edge_config
from edge.errors import ConfigError

GOOD = """
[detector]
name = "lime"
[daq]
endpoint = "tcp://127.0.0.1:5555"
[mqtt]
host = "127.0.0.1"
port = 1883
[spool]
dir = "/tmp/spool"
max_bytes = 1000000
"""


def _load(tmp_path, text):
    path = tmp_path / "edge.toml"
    path.write_text(text)
    return load_edge_config(path)


def test_minimal_config_gets_defaults(tmp_path):
    config = _load(tmp_path, GOOD)
    assert config["detector"]["name"] == "lime"
    assert config["pipeline"]["codec"] == "lossless" and config["spool"]["resend_after_s"] == 30.0


def test_missing_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"missing required key \[spool\] max_bytes"):
        _load(tmp_path, GOOD.replace("max_bytes = 1000000", ""))


def test_bad_value_is_named_and_echoed(tmp_path):
    with pytest.raises(ConfigError, match=r"\[mqtt\] port = 70000"):
        _load(tmp_path, GOOD.replace("1883", "70000"))


def test_wrong_type_is_named_and_echoed(tmp_path):
    with pytest.raises(ConfigError, match=r"\[spool\] max_bytes must be int, got '1MB'"):
        _load(tmp_path, GOOD.replace("1000000", '"1MB"'))


def test_unknown_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown key \[spool\] max_byte"):
        _load(tmp_path, GOOD.replace("max_bytes = 1000000", "max_bytes = 1\nmax_byte = 2"))


def test_detector_name_must_be_a_topic_level(tmp_path):
    with pytest.raises(ConfigError, match=r"\[detector\] name = 'li/me'"):
        _load(tmp_path, GOOD.replace('"lime"', '"li/me"'))


def test_invalid_toml_and_missing_file_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        _load(tmp_path, "[detector\n")
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_edge_config(tmp_path / "absent.toml")


def test_secret_comes_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CYGNO_MQTT_PASSWORD", "s3cret")
    assert _load(tmp_path, GOOD)["mqtt"]["password"] == "s3cret"


def test_secret_comes_from_file(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("fromfile\n")
    config = _load(tmp_path, GOOD.replace('port = 1883', f'port = 1883\npassword_file = "{secret}"'))
    assert config["mqtt"]["password"] == "fromfile"


def test_pedestal_tracking_without_zero_suppression_is_refused(tmp_path):
    text = GOOD + "[pipeline]\npedestal_tracking = true\nzero_suppression = false\n"
    with pytest.raises(ConfigError, match="pedestal_tracking = true needs zero_suppression = true"):
        _load(tmp_path, text)


def test_pedestal_tracking_alpha_outside_0_1_is_named_and_echoed(tmp_path):
    with pytest.raises(ConfigError, match="pedestal_tracking_alpha.*1.5"):
        _load(tmp_path, GOOD + "[pipeline]\npedestal_tracking_alpha = 1.5\n")


def test_energy_calibration_is_unset_by_default(tmp_path):
    assert _load(tmp_path, GOOD)["pipeline"]["reco_adu_per_kev"] is None


@pytest.mark.parametrize("value", ["0", "-3.5", "inf", "nan"])
def test_energy_calibration_must_be_finite_and_positive(tmp_path, value):
    with pytest.raises(ConfigError, match=rf"reco_adu_per_kev = {value}"):
        _load(tmp_path, GOOD + f"[pipeline]\nreco_adu_per_kev = {value}\n")
