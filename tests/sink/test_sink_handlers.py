import json

from sink_envelopes import (
    DETECTOR,
    PEDESTAL_ID,
    frame_envelope,
    pedestal_envelope,
    raw_envelope,
    run_start_envelope,
    small_frame,
    telemetry_envelope,
    topic_of,
)

from edge.wire import Ack, Envelope, digest
from sink import layout
from sink.get_frame import load_raw_frame
from sink.object_metadata import parse_raw_metadata


def deliver(processor, envelope):
    payload = envelope.to_bytes()
    return processor.process(topic_of(envelope), payload), payload


def test_raw_frame_is_stored_with_header_fields_as_metadata(processor, stores):
    envelope = raw_envelope()
    ack, payload = deliver(processor, envelope)
    stored = stores.s3.get(layout.raw_key(DETECTOR, 12, 3))
    assert stored.body == envelope.body
    fields = parse_raw_metadata(stored.key, stored.metadata)
    assert fields["checksum"] == envelope.header["checksum"]
    assert fields["timestamp"] == envelope.header["timestamp"]
    assert fields["codec"] == envelope.header["codec"]
    assert fields["raw_bytes"] == 24 and fields["pedestal_id"] == PEDESTAL_ID
    assert ack == Ack("raw-r00012-f000003", digest(payload))


def test_redelivered_raw_frame_overwrites_the_same_single_key(processor, stores):
    deliver(processor, raw_envelope())
    deliver(processor, raw_envelope())
    assert list(stores.s3.objects) == [layout.raw_key(DETECTOR, 12, 3)]
    assert stores.s3.puts[layout.raw_key(DETECTOR, 12, 3)] == 2


def test_zs_frame_is_stored_under_zs(processor, stores):
    envelope = frame_envelope("zs")
    ack, _ = deliver(processor, envelope)
    stored = stores.s3.get(layout.zs_key(DETECTOR, 12, 3))
    assert stored.body == envelope.body and stored.metadata["n-pixels"] == "2"
    assert ack.key == "zs-r00012-f000003"


def test_reco_goes_to_s3_and_one_influx_point(processor, stores):
    deliver(processor, frame_envelope("reco", body=b"result"))
    assert stores.s3.get(layout.reco_key(DETECTOR, 12, 3)).body == b"result"
    [(series, time_ns)] = stores.influx.points
    assert series == "reco,detector=lime,run=12"
    assert time_ns == 1764050003250000000
    fields = stores.influx.points[(series, time_ns)]
    assert fields == "cmos_integral=1234.5,frame=3i,max_sc_integral=800,nSc=2i,processing_s=0.05"


def test_redelivered_reco_overwrites_its_influx_point(processor, stores):
    deliver(processor, frame_envelope("reco"))
    deliver(processor, frame_envelope("reco"))
    assert stores.influx.writes == 2 and len(stores.influx.points) == 1


def test_pedestal_is_stored_by_run_and_indexed_by_id(processor, stores):
    deliver(processor, pedestal_envelope(run=11))
    key = layout.pedestal_key(DETECTOR, 11)
    assert stores.s3.get(key).metadata["pedestal-id"] == PEDESTAL_ID
    index = json.loads(stores.s3.get(layout.pedestal_index_key(DETECTOR, PEDESTAL_ID)).body)
    assert index["key"] == key and index["run"] == 11


def test_tracked_pedestal_is_stored_under_its_run_and_frame_and_decodes_its_frames(processor, stores):
    deliver(processor, pedestal_envelope(run=12, frame=400))
    key = layout.pedestal_key(DETECTOR, 12, 400)
    assert key == f"pedestal/{DETECTOR}/run00012-f000400.cyp" and stores.s3.exists(key)
    index = json.loads(stores.s3.get(layout.pedestal_index_key(DETECTOR, PEDESTAL_ID)).body)
    assert index["key"] == key
    deliver(processor, raw_envelope(12, 401))
    assert (load_raw_frame(stores.s3, DETECTOR, 12, 401).pixels == small_frame()).all()


def test_pedestal_whose_key_hides_its_frame_is_quarantined(processor, stores):
    envelope = pedestal_envelope(run=12, frame=400)
    envelope.header["key"] = "pedestal-r00012"
    ack, _ = deliver(processor, envelope)
    assert not stores.s3.exists(layout.pedestal_key(DETECTOR, 12))
    assert any(key.startswith("quarantine/") for key in stores.s3.objects)


def test_run_start_document_is_kept(processor, stores):
    ack, _ = deliver(processor, run_start_envelope(run=12))
    start = json.loads(stores.s3.get(layout.run_start_key(DETECTOR, 12)).body)
    assert start["timestamp"] == 1764049999.0 and start["metadata"] == {"shifter": "x"}
    assert ack.key == "run_start-r00012"


def test_telemetry_becomes_host_and_pipeline_points_at_time_ns(processor, stores):
    ack, _ = deliver(processor, telemetry_envelope(time_ns=5))
    assert set(stores.influx.points) == {("edge_host,detector=lime", 5),
                                         ("edge_pipeline,detector=lime", 5)}
    # all floats (no "i" suffix), so a field never changes type between writes
    assert stores.influx.points[("edge_host,detector=lime", 5)] == "cpu_percent=12.5,load1=0"
    assert stores.influx.points[("edge_pipeline,detector=lime", 5)] == "frames_spooled=7,healthy=1"
    assert ack.key == "telemetry-t00000000000000000005"
    assert not stores.s3.objects


def test_nothing_is_acked_when_the_store_fails(stores, sleeps):
    from sink_doubles import BrokenS3

    from sink.handlers import Stores
    from sink.processor import ItemProcessor
    processor = ItemProcessor(Stores(BrokenS3(), stores.influx))
    ack, _ = deliver(processor, raw_envelope())
    assert ack is None
    assert processor.counts()["failed_raw"] == 1


def test_reco_refused_by_influx_is_quarantined_and_acked(stores):
    from sink_doubles import RefusingInflux

    from sink.handlers import Stores
    from sink.processor import ItemProcessor
    processor = ItemProcessor(Stores(stores.s3, RefusingInflux()))
    ack, payload = deliver(processor, frame_envelope("reco"))
    assert ack == Ack("reco-r00012-f000003", digest(payload))
    reason_key = layout.quarantine_keys(DETECTOR, "reco", digest(payload))[1]
    assert "field type conflict" in json.loads(stores.s3.get(reason_key).body)["reason"]


def test_damaged_raw_blob_is_quarantined_not_stored(processor, stores):
    envelope = raw_envelope()
    body = bytearray(envelope.body)
    body[len(body) // 2] ^= 0x01
    ack, payload = deliver(processor, Envelope(envelope.header, bytes(body)))
    assert ack.key == "raw-r00012-f000003"
    assert not stores.s3.exists(layout.raw_key(DETECTOR, 12, 3))
    reason_key = layout.quarantine_keys(DETECTOR, "raw", digest(payload))[1]
    assert "not an intact codec blob" in json.loads(stores.s3.get(reason_key).body)["reason"]


def test_raw_blob_of_another_frame_is_quarantined(processor, stores):
    other = raw_envelope(pixels=small_frame(7))
    deliver(processor, Envelope(raw_envelope().header, other.body))
    assert processor.counts()["quarantined_raw"] == 1
    assert not stores.s3.exists(layout.raw_key(DETECTOR, 12, 3))


def test_raw_blob_of_another_pedestal_is_quarantined(processor, stores):
    header = dict(raw_envelope().header, pedestal_id="ffffffffffffffffffffffffffffffff")
    deliver(processor, Envelope(header, raw_envelope().body))
    assert processor.counts()["quarantined_raw"] == 1


def test_zs_body_that_is_a_frame_blob_is_quarantined(processor, stores):
    deliver(processor, frame_envelope("zs", body=raw_envelope().body))
    assert processor.counts()["quarantined_zs"] == 1
