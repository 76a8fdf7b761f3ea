"""The warm-up compiles what the agent's pipeline runs, before any frame arrives."""

import json
import subprocess
import sys

from edge import warmup
from edge.cli import main
from tests.edge.test_config import GOOD

#: Run in a fresh interpreter, so that no kernel was compiled by an earlier test.
_CHILD = """
import json, sys
import compression.column_median, compression.residual_survey, compression.nibble_kernels, compression.plane_kernels
import compression.low_bit_split
import recon._tracker_kernels, recon._zs_kernels
from edge.config import load_edge_config
from edge.warmup import warm_up
kernels = {"codec with a pedestal": compression.nibble_kernels.encode_nibble_rows,
           "codec without (pedestal runs)": compression.column_median._upper_medians,
           "codec of frames full of signal": compression.plane_kernels._split,
           "which coder a frame wants": compression.plane_kernels._count_clipped,
           "codec of wide residuals": compression.low_bit_split.pack_low_bits,
           "a frame's dark offset": compression.residual_survey._histogram,
           "zero suppression": recon._zs_kernels.block_sums,
           "pedestal tracking": recon._tracker_kernels.update_kernel}
before = {name: len(kernel.signatures) for name, kernel in kernels.items()}
seconds = warm_up(load_edge_config(sys.argv[1])["pipeline"], shape=(32, 64))
print(json.dumps({"before": before, "after": {name: len(k.signatures) for name, k in kernels.items()},
                  "seconds": seconds}))
"""


def _config(tmp_path, extra=""):
    path = tmp_path / "edge.toml"
    path.write_text(GOOD.replace('dir = "/tmp/spool"', f'dir = "{tmp_path / "spool"}"') + extra)
    return path


def test_warm_up_leaves_every_stage_kernel_compiled(tmp_path):
    config = _config(tmp_path, "[pipeline]\npedestal_tracking = true\n")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(config)], capture_output=True, text=True,
                          check=True, timeout=300)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["before"].values()) == {0}
    assert 0 not in report["after"].values(), report["after"]
    assert report["seconds"] > 0


def test_warmup_command_reports_ready(tmp_path, capsys):
    assert main(["warmup", "--config", str(_config(tmp_path))]) == 0
    assert "numba kernels are ready" in capsys.readouterr().out


def test_warmup_command_refuses_a_bad_config(tmp_path, capsys):
    path = _config(tmp_path, "[pipeline]\ncodec = \"zip\"\n")
    assert main(["warmup", "--config", str(path)]) == 2
    assert "codec" in capsys.readouterr().err


def test_a_failing_warm_up_is_logged_and_the_agent_goes_on(monkeypatch, caplog):
    def broken(pipeline):
        raise RuntimeError("simulator broke")

    monkeypatch.setattr(warmup, "warm_up", broken)
    assert warmup.warm_up_or_log({}) is None
    assert "warm-up failed" in caplog.text and "simulator broke" in caplog.text
