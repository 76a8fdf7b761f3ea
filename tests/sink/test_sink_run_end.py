import io
import json

import numpy as np
import pytest
import uproot
from sink_envelopes import (
    DETECTOR,
    PEDESTAL_ID,
    frame_envelope,
    raw_envelope,
    run_start_envelope,
    run_stop_envelope,
    small_frame,
    topic_of,
)

import recon
from sink import layout


def deliver(processor, envelope):
    return processor.process(topic_of(envelope), envelope.to_bytes())


def store_run(processor, frames=(0, 1, 2), run=12):
    deliver(processor, run_start_envelope(run))
    for frame in frames:
        assert deliver(processor, raw_envelope(run, frame, pixels=small_frame(frame)))


def reco_result(run, frame, n_clusters):
    return {"run": np.int64(run), "event": np.int64(frame), "nSc": np.int32(n_clusters),
            "cmos_integral": np.float64(100.0 * frame),
            "sc_integral": np.arange(n_clusters, dtype=np.float32) + 1.0}


def store_reco(processor, frames=(0, 1, 2), run=12):
    for frame in frames:
        body = recon.result_to_bytes(reco_result(run, frame, frame))
        deliver(processor, frame_envelope("reco", run, frame, body=body))


def manifest(stores, run=12):
    return json.loads(stores.s3.get(layout.manifest_key(DETECTOR, run)).body)


def test_complete_run_gets_manifest_and_ack(processor, stores, sleeps):
    store_run(processor)
    ack = deliver(processor, run_stop_envelope(12, frames_published=3, quarantined=[3]))
    assert ack.key == "run_stop-r00012" and sleeps == []
    doc = manifest(stores)
    assert [f["frame"] for f in doc["frames"]] == [0, 1, 2]
    assert doc["frames"][1]["key"] == layout.raw_key(DETECTOR, 12, 1)
    frame_1 = raw_envelope(12, 1, pixels=small_frame(1))
    assert doc["frames"][1]["size"] == len(frame_1.body)
    assert doc["frames"][1]["checksum"] == frame_1.header["checksum"]
    assert doc["start_timestamp"] == 1764049999.0 and doc["stop_timestamp"] == 1764050100.0
    assert doc["quarantined"] == [3] and doc["pedestal_ids"] == [PEDESTAL_ID]
    assert doc["codecs"] == [frame_1.header["codec"]]
    sizes = [len(raw_envelope(12, f, pixels=small_frame(f)).body) for f in range(3)]
    assert doc["totals"]["frames_stored"] == 3 and doc["totals"]["raw_bytes"] == 72
    assert doc["totals"]["stored_bytes"] == sum(sizes) and doc["totals"]["frames_daq"] == 4


def test_manifest_keeps_exposure_and_daq_metadata_of_each_frame(processor, stores):
    store_run(processor)
    deliver(processor, run_stop_envelope(12, frames_published=3))
    frame = manifest(stores)["frames"][0]
    assert frame["exposure_s"] == 0.3 and frame["metadata"] == {"Lime_pressure": 908.1}


def test_large_daq_metadata_goes_to_a_side_object_and_into_the_manifest(processor, stores):
    readings = {f"sensor_{n:03d}": n * 0.5 for n in range(100)}  # about 2 KB of JSON
    store_run(processor, frames=(0, 1))
    assert deliver(processor, raw_envelope(12, 2, pixels=small_frame(2), metadata=readings))
    side_key = layout.raw_daq_metadata_key(DETECTOR, 12, 2)
    assert json.loads(stores.s3.get(side_key).body) == readings
    assert "daq" not in stores.s3.head(layout.raw_key(DETECTOR, 12, 2)).metadata
    assert deliver(processor, run_stop_envelope(12, frames_published=3)) is not None
    assert manifest(stores)["frames"][2]["metadata"] == readings
    assert len(manifest(stores)["frames"]) == 3  # the side object is not counted as a frame


def test_incomplete_run_waits_then_leaves_run_stop_unacked(processor, stores, sleeps):
    store_run(processor, frames=(0, 2))
    assert deliver(processor, run_stop_envelope(12, frames_published=3)) is None
    assert sleeps == [2.0] * 5
    assert not stores.s3.exists(layout.manifest_key(DETECTOR, 12))
    assert processor.counts()["deferred_run_stop"] == 1


def test_resent_run_stop_is_acked_once_the_late_frame_arrived(processor, stores):
    store_run(processor, frames=(0, 2))
    deliver(processor, run_stop_envelope(12, frames_published=3))
    deliver(processor, raw_envelope(12, 1))
    assert deliver(processor, run_stop_envelope(12, frames_published=3)) is not None
    assert len(manifest(stores)["frames"]) == 3


def test_frame_arriving_during_the_wait_completes_the_run(stores):
    from sink.processor import ItemProcessor
    from sink.run_end import RunEndHandler
    late = []
    processor = ItemProcessor(stores, RunEndHandler(wait_s=1.0, checks=4, sleep=late.append))
    store_run(processor, frames=(0, 1))
    processor.handlers["run_stop"].sleep = lambda s: (late.append(s), deliver(processor, raw_envelope(12, 2)))
    assert deliver(processor, run_stop_envelope(12, frames_published=3)) is not None
    assert late == [0.25]


def test_manifest_is_rewritten_identically_on_redelivery(processor, stores):
    store_run(processor)
    deliver(processor, run_stop_envelope(12, frames_published=3))
    first = stores.s3.get(layout.manifest_key(DETECTOR, 12)).body
    deliver(processor, run_stop_envelope(12, frames_published=3))
    assert stores.s3.get(layout.manifest_key(DETECTOR, 12)).body == first
    assert stores.s3.puts[layout.manifest_key(DETECTOR, 12)] == 2


def test_run_with_reco_results_gets_a_root_file(processor, stores):
    store_run(processor)
    store_reco(processor)
    assert deliver(processor, run_stop_envelope(12, frames_published=3, reconstruction=True)) is not None
    data = stores.s3.get(layout.root_key(DETECTOR, 12)).body
    with uproot.open(io.BytesIO(data)) as file:
        tree = file["Events"]
        assert tree.num_entries == 3
        assert tree["event"].array(library="np").tolist() == [0, 1, 2]
        assert tree["sc_integral"].array(library="np")[2].tolist() == [1.0, 2.0]


def test_run_reconstructed_by_two_versions_gets_a_root_file_with_nan_filled(processor, stores, caplog):
    store_run(processor)
    for frame in (0, 1, 2):
        result = reco_result(12, frame, frame)
        if frame == 2:  # a newer edge: one more event and one more cluster branch
            result.update(frame_level=np.float64(0.5), sc_width=np.ones(frame, np.float32))
        deliver(processor, frame_envelope("reco", 12, frame, body=recon.result_to_bytes(result)))
    assert deliver(processor, run_stop_envelope(12, frames_published=3, reconstruction=True)) is not None
    with uproot.open(io.BytesIO(stores.s3.get(layout.root_key(DETECTOR, 12)).body)) as file:
        tree = file["Events"]
        assert np.isnan(tree["frame_level"].array(library="np")[:2]).all()
        assert tree["frame_level"].array(library="np")[2] == 0.5
        assert tree["sc_width"].array(library="np")[2].tolist() == [1.0, 1.0]
        assert np.isnan(tree["sc_width"].array(library="np")[1]).all()
    assert "frame_level: 2, sc_width: 2" in caplog.text


def test_missing_reco_result_leaves_run_stop_unacked(processor, stores, sleeps):
    store_run(processor)
    store_reco(processor, frames=(0, 1))
    assert deliver(processor, run_stop_envelope(12, frames_published=3, reconstruction=True)) is None
    assert not stores.s3.exists(layout.root_key(DETECTOR, 12))
    assert stores.s3.exists(layout.manifest_key(DETECTOR, 12))


def test_run_without_reconstruction_is_acked_without_root_file(processor, stores):
    store_run(processor)
    assert deliver(processor, run_stop_envelope(12, frames_published=3)) is not None
    assert not stores.s3.exists(layout.root_key(DETECTOR, 12))


def test_reco_results_not_yet_arrived_leave_run_stop_unacked(processor, stores, sleeps):
    store_run(processor)  # the edge reconstructs, but no reco result has reached S3 yet
    assert deliver(processor, run_stop_envelope(12, frames_published=3, reconstruction=True)) is None
    assert not stores.s3.exists(layout.root_key(DETECTOR, 12))


def test_manifest_without_run_start_has_no_start_time(processor, stores):
    for frame in (0, 1):
        deliver(processor, raw_envelope(12, frame))
    deliver(processor, run_stop_envelope(12, frames_published=2))
    assert manifest(stores)["start_timestamp"] is None


def _drop_checksum(metadata):
    return {k: v for k, v in metadata.items() if k != "checksum"}


@pytest.mark.parametrize("break_metadata", [
    _drop_checksum,
    lambda metadata: {**metadata, "run": "twelve"},
    lambda metadata: {**metadata, "codec": "{not json"},
], ids=["missing-checksum", "bad-number", "bad-json"])
def test_broken_raw_metadata_fails_the_run_stop_without_ack(processor, stores, break_metadata):
    store_run(processor)
    key = layout.raw_key(DETECTOR, 12, 1)
    body, metadata = stores.s3.objects[key]
    stores.s3.objects[key] = (body, break_metadata(metadata))
    assert deliver(processor, run_stop_envelope(12, frames_published=3)) is None
    assert processor.counts()["failed_run_stop"] == 1
