from pathlib import Path

import pytest

from edge.errors import ConfigError
from sink.config import load_sink_config

EXAMPLE = Path(__file__).parents[2] / "sink" / "sink.example.toml"

MINIMAL = """
[mqtt]
host = "localhost"
port = 1883
[s3]
endpoint_url = "http://127.0.0.1:8333"
bucket = "cygno-test"
access_key_id = "k"
secret_access_key = "s"
[influx]
url = "http://127.0.0.1:8428"
token = "t"
org = "cygno"
bucket = "cygno"
"""


def write(tmp_path, text):
    path = tmp_path / "sink.toml"
    path.write_text(text)
    return path


def test_example_config_is_valid(monkeypatch):
    for name in ("CYGNO_S3_SECRET_ACCESS_KEY", "CYGNO_INFLUX_TOKEN", "CYGNO_MQTT_PASSWORD"):
        monkeypatch.setenv(name, "from-env")
    config = load_sink_config(EXAMPLE)
    assert config["s3"]["secret_access_key"] == "from-env"
    assert config["sink"]["workers"] == 2


def test_minimal_config_gets_defaults(tmp_path):
    config = load_sink_config(write(tmp_path, MINIMAL))
    assert config["s3"]["region"] == "us-east-1"
    assert config["mqtt"]["client_id"] == "cygno-sink"
    assert config["sink"]["run_complete_wait_s"] == 10.0


def test_bad_bucket_name_is_refused_naming_key_and_value(tmp_path):
    with pytest.raises(ConfigError, match=r"\[s3\] bucket = 'Bad_Bucket'"):
        load_sink_config(write(tmp_path, MINIMAL.replace('"cygno-test"', '"Bad_Bucket"')))


def test_zero_workers_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"\[sink\] workers = 0"):
        load_sink_config(write(tmp_path, MINIMAL + "[sink]\nworkers = 0\n"))


def test_influx_url_must_be_http(tmp_path):
    text = MINIMAL.replace('"http://127.0.0.1:8428"', '"127.0.0.1:8428"')
    with pytest.raises(ConfigError, match=r"\[influx\] url"):
        load_sink_config(write(tmp_path, text))


def test_ill_typed_secret_names_its_key(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_sink_config(write(tmp_path, MINIMAL.replace('secret_access_key = "s"',
                                                          "secret_access_key = 5")))
    assert "secret_access_key" in str(info.value)


def test_missing_section_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"missing required key \[s3\] bucket"):
        load_sink_config(write(tmp_path, MINIMAL.replace('bucket = "cygno-test"\n', "")))
