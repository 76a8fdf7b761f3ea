import json

import pytest
from sink_envelopes import raw_envelope, topic_of

from edge.wire import Envelope, digest
from sink import layout
from sink.errors import QuarantineError
from sink.validation import validate_message

TOPIC = "cygno/v1/lime/raw"


def test_garbage_payload_is_quarantined_with_its_reason_and_acked(processor, stores):
    ack = processor.process(TOPIC, b"\x00garbage")
    body_key, reason_key = layout.quarantine_keys("lime", "raw", digest(b"\x00garbage"))
    assert stores.s3.get(body_key).body == b"\x00garbage"
    reason = json.loads(stores.s3.get(reason_key).body)
    assert "shorter than" in reason["reason"] and reason["topic"] == TOPIC
    assert ack.digest == digest(b"\x00garbage")
    assert processor.counts()["quarantined"] == 1


def test_quarantine_is_idempotent(processor, stores):
    processor.process(TOPIC, b"not an envelope at all")
    processor.process(TOPIC, b"not an envelope at all")
    assert len(stores.s3.objects) == 2


def test_quarantine_ack_carries_the_edge_key_when_readable(processor):
    header = dict(raw_envelope().header, checksum="NOT-HEX")
    payload = Envelope(header, b"x").to_bytes()
    assert processor.process(TOPIC, payload).key == "raw-r00012-f000003"


def test_quarantined_message_is_not_stored_as_data(processor, stores):
    header = dict(raw_envelope().header, checksum="NOT-HEX")
    processor.process(TOPIC, Envelope(header, b"x").to_bytes())
    assert not any(key.startswith("raw/") for key in stores.s3.objects)


def test_unsafe_topic_level_cannot_escape_the_quarantine_prefix(processor, stores):
    processor.process("cygno/v1/../raw", b"junk")
    assert all(key.startswith("quarantine/__/raw/") for key in stores.s3.objects)


def reject(envelope, topic=None, match=""):
    with pytest.raises(QuarantineError, match=match):
        validate_message(topic or topic_of(envelope), envelope.to_bytes())


def test_kind_must_match_topic():
    reject(raw_envelope(), "cygno/v1/lime/zs", match="'kind' is 'raw'")


def test_detector_must_match_topic():
    reject(raw_envelope(), "cygno/v1/lemon/raw", match="'detector' is 'lime'")


def test_key_must_be_the_wire_item_key():
    header = dict(raw_envelope().header, key="raw-r00012-f000004")
    reject(Envelope(header, b"x"), TOPIC, match="'key' is 'raw-r00012-f000004'")


def test_negative_run_is_refused():
    header = dict(raw_envelope().header, run=-1, key="raw-r-0001-f000003")
    reject(Envelope(header, b"x"), TOPIC, match="'run' is -1")


def test_pedestal_id_must_be_a_safe_key_part():
    header = dict(raw_envelope().header, pedestal_id="../../etc")
    reject(Envelope(header, b"x"), TOPIC, match="'pedestal_id' is '../../etc'")


def test_raw_item_needs_a_body():
    reject(Envelope(raw_envelope().header, b""), TOPIC, match="empty body")


def test_raw_exposure_must_be_a_number():
    header = dict(raw_envelope().header, exposure_s="0.3 s")
    reject(Envelope(header, b"x"), TOPIC, match="'exposure_s' is '0.3 s'")


def test_raw_shape_must_be_two_positive_ints():
    header = dict(raw_envelope().header, shape=[3, 0])
    reject(Envelope(header, b"x"), TOPIC, match=r"'shape' is \[3, 0\]")


def test_non_ascii_detector_is_refused():
    header = dict(raw_envelope().header, detector="lìme")
    reject(Envelope(header, b"x"), "cygno/v1/lìme/raw", match="'detector' is 'lìme'")


def test_run_stop_reconstruction_flag_must_be_boolean():
    from sink_envelopes import run_stop_envelope
    header = dict(run_stop_envelope().header, reconstruction="no")
    reject(Envelope(header), "cygno/v1/lime/run_stop", match="'reconstruction' is 'no'")


def test_valid_envelope_passes():
    envelope = raw_envelope()
    assert validate_message(TOPIC, envelope.to_bytes()) == envelope
