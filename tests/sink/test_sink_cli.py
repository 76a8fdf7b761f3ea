import pytest
from sink_doubles import MemoryS3
from test_sink_config import MINIMAL

from sink import cli
from sink.errors import StoreError


class UnreachableS3(MemoryS3):
    def ensure_bucket(self):
        raise StoreError("creating bucket 'cygno-test' failed 4 times over 60 s; last error: "
                         "EndpointConnectionError: Could not connect")


def test_run_with_unreachable_s3_is_one_line_error_exit_1(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "_s3", lambda config, retry_s: UnreachableS3())
    config = tmp_path / "sink.toml"
    config.write_text(MINIMAL)
    code = cli.main(["run", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "creating bucket 'cygno-test'" in err


def test_unknown_config_key_is_one_line_error_exit_2(tmp_path, capsys):
    config = tmp_path / "sink.toml"
    config.write_text(MINIMAL + "[sink]\nworkerz = 2\n")
    assert cli.main(["run", "--config", str(config)]) == 2
    assert "unknown key [sink] workerz = 2" in capsys.readouterr().err


def test_missing_subcommand_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
