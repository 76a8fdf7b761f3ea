import io

import numpy as np
import pytest
import uproot
from sink_doubles import MemoryS3
from sink_envelopes import DETECTOR, pedestal_envelope, raw_envelope, topic_of

import compression
import recon
from sink import layout
from sink.errors import ObjectMissingError, SinkError
from sink.handlers import Stores
from sink.processor import ItemProcessor
from sink.replay import replay_run

SHAPE = (64, 96)


def store(s3, envelope):
    assert ItemProcessor(Stores(s3, None)).process(topic_of(envelope), envelope.to_bytes())


def frames(n):
    rng = np.random.default_rng(5)
    for _ in range(n):
        pixels = rng.normal(100, 2, SHAPE).round().astype(np.uint16)
        pixels[20:26, 30:36] += 200  # one bright spot per frame
        yield pixels


@pytest.fixture
def s3_with_run():
    s3 = MemoryS3()
    rng = np.random.default_rng(4)
    pedestal = recon.Pedestal(rng.normal(100, 0.5, SHAPE).astype(np.float32),
                              np.full(SHAPE, 2.0, np.float32), n_frames=100, run=11)
    store(s3, pedestal_envelope(11, pedestal.to_bytes(), pedestal_id=pedestal.id))
    for number, pixels in enumerate(frames(3)):
        blob = compression.encode_frame(pixels, pedestal)
        store(s3, raw_envelope(12, number, body=blob, pixels=pixels, pedestal_id=pedestal.id))
    return s3


def test_replay_writes_one_root_entry_per_stored_frame(s3_with_run, tmp_path):
    out = tmp_path / "reco.root"
    assert replay_run(s3_with_run, DETECTOR, 12, out, progress=False) == str(out)
    with uproot.open(out) as file:
        events = file["Events"]
        assert events["event"].array(library="np").tolist() == [0, 1, 2]
        assert events["run"].array(library="np").tolist() == [12, 12, 12]
        assert events["pedestal_run"].array(library="np").tolist() == [11, 11, 11]
        assert (events["nSc"].array(library="np") >= 1).all()


def test_replay_adds_the_environment_branches_from_the_stored_daq_metadata(s3_with_run, tmp_path):
    out = tmp_path / "reco.root"
    replay_run(s3_with_run, DETECTOR, 12, out, progress=False)
    with uproot.open(out) as file:
        events = file["Events"]
        assert events["Lime_pressure"].array(library="np").tolist() == [np.float32(908.1)] * 3
        assert np.isnan(events["Humidity"].array(library="np")).all()


def test_replay_stores_in_s3_by_default(s3_with_run):
    key = replay_run(s3_with_run, DETECTOR, 12, progress=False)
    assert key == layout.replay_root_key(DETECTOR, 12)
    with uproot.open(io.BytesIO(s3_with_run.get(key).body)) as file:
        assert file["Events"].num_entries == 3


def test_replay_of_unknown_run_says_so():
    with pytest.raises(ObjectMissingError, match="no raw frames of run 99"):
        replay_run(MemoryS3(), DETECTOR, 99, progress=False)


def test_replay_refuses_frames_stored_without_pedestal():
    s3 = MemoryS3()
    pixels = next(frames(1))
    store(s3, raw_envelope(12, 0, body=compression.encode_frame(pixels), pixels=pixels,
                           pedestal_id=None))
    with pytest.raises(SinkError, match="frame 0 was stored without a pedestal"):
        replay_run(s3, DETECTOR, 12, progress=False)


def test_two_workers_give_the_same_root_entries_in_frame_order(s3_with_run, tmp_path):
    one, two = tmp_path / "one.root", tmp_path / "two.root"
    replay_run(s3_with_run, DETECTOR, 12, one, progress=False, workers=1)
    replay_run(s3_with_run, DETECTOR, 12, two, progress=False, workers=2)
    with uproot.open(one) as a, uproot.open(two) as b:
        for branch in ("event", "nSc", "cmos_integral"):
            assert a["Events"][branch].array(library="np").tolist() == \
                b["Events"][branch].array(library="np").tolist()


def test_replay_cli_for_unknown_run_is_one_line_error_exit_3(monkeypatch, tmp_path, capsys):
    from test_sink_config import MINIMAL

    from sink import cli
    monkeypatch.setattr(cli, "_s3", lambda config, retry_s: MemoryS3())
    config = tmp_path / "sink.toml"
    config.write_text(MINIMAL)
    code = cli.main(["replay", "--config", str(config), "--detector", DETECTOR, "--run", "99",
                     "--no-progress"])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "no raw frames of run 99" in err


def test_replay_cli_refuses_zero_workers(tmp_path, capsys):
    from sink import cli
    with pytest.raises(SystemExit) as info:
        cli.main(["replay", "--config", "x", "--detector", DETECTOR, "--run", "1", "--workers", "0"])
    assert info.value.code == 2 and "must be >= 1, got 0" in capsys.readouterr().err


def test_replay_passes_reconstruction_options(s3_with_run, tmp_path):
    out = tmp_path / "reco.root"
    replay_run(s3_with_run, DETECTOR, 12, out, progress=False, options={"adu_per_kev": 500.0, "pixel_lists": True})
    with uproot.open(out) as file:
        events = file["Events"]
        for energy, integral in zip(events["sc_energy"].array(library="np"), events["sc_integral"].array(library="np")):
            np.testing.assert_allclose(energy, integral / 500.0, rtol=1e-6)
        assert (events["nRedpix"].array(library="np") > 0).all()


def test_replay_cli_refuses_a_bad_calibration(capsys):
    from sink import cli
    with pytest.raises(SystemExit) as info:
        cli.main(["replay", "--config", "x", "--detector", DETECTOR, "--run", "1", "--adu-per-kev", "-5"])
    assert info.value.code == 2 and "must be a finite number > 0, got -5" in capsys.readouterr().err
