"""The wire contract shared by edge and sink."""

import pytest

from edge.wire import (Ack, Envelope, WireError, data_subscription, digest, item_key,
                       kind_from_topic, topic)


def _raw_header(**overrides):
    header = {"kind": "raw", "detector": "lime", "key": item_key("raw", 12, 34), "run": 12,
              "frame": 34, "timestamp": 1.0, "shape": [2, 2], "dtype": "uint16",
              "checksum": "00", "codec": {"id": "x"}, "raw_bytes": 8, "metadata": {}}
    header.update(overrides)
    return header


def test_envelope_round_trip_keeps_header_and_body():
    envelope = Envelope(_raw_header(), b"\x00\x01blob")
    back = Envelope.from_bytes(envelope.to_bytes())
    assert back.header == envelope.header and back.body == b"\x00\x01blob"


def test_item_keys_are_idempotent_names():
    assert item_key("raw", 12, 34) == "raw-r00012-f000034"
    assert item_key("run_stop", 12) == "run_stop-r00012"
    assert item_key("telemetry", time_ns=5) == "telemetry-t00000000000000000005"


def test_topics_are_versioned_and_parse_back():
    assert topic("lime", "raw") == "cygno/v1/lime/raw"
    assert kind_from_topic("cygno/v1/lime/raw") == "raw"
    assert kind_from_topic("cygno/v1/lime/ack") is None
    assert data_subscription() == "cygno/v1/+/+"


def test_missing_schema_field_is_refused():
    header = _raw_header()
    del header["checksum"]
    with pytest.raises(WireError, match="missing field 'checksum'"):
        Envelope(header)


def test_ill_typed_field_is_refused_with_value():
    with pytest.raises(WireError, match="'frame' has ill-typed value '34'"):
        Envelope(_raw_header(frame="34"))


def _reco_header(**overrides):
    return {"kind": "reco", "detector": "lime", "key": item_key("reco", 12, 34), "run": 12, "frame": 34,
            "timestamp": 1.0, "nSc": 0, "cmos_integral": 0.0, "max_sc_integral": 0.0,
            "processing_s": 0.01, **overrides}


def test_optional_field_may_be_absent_and_is_type_checked_when_present():
    assert Envelope(_reco_header()).header.get("frame_level") is None
    assert Envelope(_reco_header(frame_level=3.5)).header["frame_level"] == 3.5
    with pytest.raises(WireError, match="'frame_level' has ill-typed value 'high'"):
        Envelope(_reco_header(frame_level="high"))


def test_unknown_kind_is_refused():
    with pytest.raises(WireError, match="unknown kind 'video'"):
        Envelope({"kind": "video", "detector": "lime", "key": "k"})


@pytest.mark.parametrize("payload", [b"", b"XXXX\x01\x00\x00\x00\x02{}", b"CYGW\x09\x00\x00\x00\x02{}",
                                     b"CYGW\x01\xff\xff\xff\xff{}", b"CYGW\x01\x00\x00\x00\x03{x}"])
def test_garbage_envelopes_raise_wire_error(payload):
    with pytest.raises(WireError):
        Envelope.from_bytes(payload)


def test_ack_round_trip_and_garbage():
    ack = Ack("raw-r00001-f000002", digest(b"payload"))
    assert Ack.from_bytes(ack.to_bytes()) == ack
    with pytest.raises(WireError):
        Ack.from_bytes(b'{"key": 1}')
