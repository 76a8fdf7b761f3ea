"""The edge's handling of runs and frames, with the real stages and spool (no network)."""

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import recon
from edge.daq_protocol import Image, RunEnd, RunStart
from edge.frame_handler import FrameHandler
from edge.pedestal_keeper import PedestalKeeper
from edge.pedestal_tracking import PedestalTracking
from edge.quarantine import Quarantine
from edge.runs import RunBook
from edge.spool import Spool
from edge.stages import build_stages
from edge.telemetry import PipelineCounters
from edge.wire import Envelope
from edge.sim import FrameSimulator, SensorModel

SHAPE = (96, 160)
PIPELINE = {"codec": "lossless", "lossy_q": 2, "zero_suppression": True, "reconstruction": True}


@pytest.fixture
def handler(tmp_path):
    handler = FrameHandler(
        detector="lime", stages=build_stages(PIPELINE), spool=Spool(tmp_path / "spool", 10**9),
        runs=RunBook(tmp_path / "state"), pedestals=PedestalKeeper(tmp_path / "state"),
        quarantine=Quarantine(tmp_path / "quarantine"), counters=PipelineCounters(),
        on_spooled=lambda: None)
    with ThreadPoolExecutor(2) as pool:
        handler.pool = pool
        yield handler


def _run(handler, run, frames, pedestal, metadata=None):
    handler.run_started(RunStart(run, pedestal))
    for number, frame in enumerate(frames):
        handler.submit(handler.pool, Image(run, number, 1000.0 + number, 0.3, frame, metadata or {}))
    handler.run_ended(RunEnd(run, len(frames)))


def _spooled(handler) -> dict:
    envelopes = {}
    for item in handler.spool.items():
        envelope = Envelope.from_bytes(handler.spool.read(item)[1])
        envelopes[envelope.key] = envelope
    return envelopes


def _frames(n, pedestal, seed=2):
    sim = FrameSimulator(SensorModel(SHAPE, seed=1), seed=seed)
    return [sim.pedestal_frame(i) if pedestal else sim.data_frame(i)[0] for i in range(n)]


def test_pedestal_run_publishes_a_pedestal_that_data_frames_then_name(handler):
    _run(handler, 1, _frames(8, pedestal=True), pedestal=True)
    _run(handler, 2, _frames(3, pedestal=False), pedestal=False)
    spooled = _spooled(handler)
    pedestal_id = spooled["pedestal-r00001"].header["pedestal_id"]
    assert spooled["pedestal-r00001"].header["n_frames"] == 8
    for frame in range(3):
        for kind in ("raw", "zs", "reco"):
            assert spooled[f"{kind}-r00002-f{frame:06d}"].header["pedestal_id"] == pedestal_id


def test_reco_result_names_the_pedestal_run(handler):
    _run(handler, 3, _frames(8, pedestal=True), pedestal=True)
    _run(handler, 4, _frames(1, pedestal=False), pedestal=False)
    result = recon.result_from_bytes(_spooled(handler)["reco-r00004-f000000"].body)
    assert result["pedestal_run"] == 3


def test_reco_result_carries_the_daq_environment_readings(handler):
    _run(handler, 1, _frames(8, pedestal=True), pedestal=True)
    _run(handler, 2, _frames(1, pedestal=False), pedestal=False,
         metadata={"Lime_pressure": 908.5, "Humidity": "n/a"})
    result = recon.result_from_bytes(_spooled(handler)["reco-r00002-f000000"].body)
    assert result["Lime_pressure"] == np.float32(908.5)
    assert np.isnan(result["Humidity"]) and np.isnan(result["Atm_pressure"])


def test_tracked_pedestal_is_published_with_its_frame_and_named_by_later_frames(handler):
    handler.tracking = PedestalTracking(handler.pedestals, every=1, publish_every=2)
    _run(handler, 1, _frames(8, pedestal=True), pedestal=True)
    handler.run_started(RunStart(2, False))
    for number, frame in enumerate(_frames(4, pedestal=False)):
        handler.submit(handler.pool, Image(2, number, 1000.0 + number, 0.3, frame)).result()
    handler.run_ended(RunEnd(2, 4))
    spooled = _spooled(handler)
    tracked = spooled["pedestal-r00002-f000001"]
    assert tracked.header["frame"] == 1 and tracked.header["pedestal_id"] != spooled["pedestal-r00001"].header["pedestal_id"]
    assert spooled["raw-r00002-f000002"].header["pedestal_id"] == tracked.header["pedestal_id"]
    assert recon.Pedestal.from_bytes(tracked.body).id == tracked.header["pedestal_id"]


def test_new_pedestal_is_not_in_force_until_its_item_is_spooled(handler, tmp_path):
    spool_envelopes = handler.spool_envelopes

    def disk_full_for_pedestals(envelopes):
        if any(envelope.kind == "pedestal" for envelope in envelopes):
            raise OSError(28, "No space left on device")
        spool_envelopes(envelopes)

    handler.spool_envelopes = disk_full_for_pedestals
    with pytest.raises(OSError):
        _run(handler, 1, _frames(4, pedestal=True), pedestal=True)
    assert handler.pedestals.current is None
    assert PedestalKeeper(tmp_path / "state").current is None  # nothing saved for a restart either


def test_pedestal_run_frames_are_only_compressed(handler):
    _run(handler, 1, _frames(4, pedestal=True), pedestal=True)
    kinds = {key.split("-")[0] for key in _spooled(handler)}
    assert kinds == {"run_start", "raw", "pedestal", "run_stop"}


def test_run_stop_carries_final_counts_and_missing_frames(handler):
    handler.run_started(RunStart(5, False))
    for number in (0, 1, 3):
        handler.submit(handler.pool, Image(5, number, 0.0, 0.3, _frames(1, False)[0]))
    handler.run_ended(RunEnd(5, 5))
    stop = _spooled(handler)["run_stop-r00005"].header
    assert (stop["frames_daq"], stop["frames_published"], stop["missing"]) == (5, 3, [2, 4])


def test_frame_that_fails_is_quarantined_with_run_and_frame(handler, tmp_path):
    bad = np.zeros((10, 10), dtype=np.uint16)  # does not match the pedestal's shape
    _run(handler, 1, _frames(4, pedestal=True), pedestal=True)
    handler.run_started(RunStart(2, False))
    handler.submit(handler.pool, Image(2, 0, 0.0, 0.3, bad))
    handler.run_ended(RunEnd(2, 1))
    assert _spooled(handler)["run_stop-r00002"].header["quarantined"] == [0]
    reasons = [json.loads(p.read_text()) for p in (tmp_path / "quarantine").rglob("reason.json")]
    assert [(r["run"], r["frame"]) for r in reasons] == [(2, 0)]
    assert handler.counters["frames_quarantined"] == 1


def test_bad_daq_message_is_quarantined_with_its_parts(handler, tmp_path):
    handler.quarantine_message("unknown htype 'x'", [b'{"htype": "x", "run": 4, "frame": 9}'])
    folder = next((tmp_path / "quarantine").iterdir())
    assert (folder / "part0.bin").read_bytes().startswith(b'{"htype": "x"')
    assert json.loads((folder / "reason.json").read_text())["frame"] == 9


def test_resent_pedestal_frames_count_once(handler):
    frames = _frames(4, pedestal=True)
    handler.run_started(RunStart(1, True))
    for number, frame in enumerate(frames + frames[:2]):
        handler.submit(handler.pool, Image(1, number % 4, 0.0, 0.3, frame))
    handler.run_started(RunStart(1, True))  # a resent run_start must not restart the pedestal
    handler.run_ended(RunEnd(1, 4))
    assert _spooled(handler)["pedestal-r00001"].header["n_frames"] == 4
