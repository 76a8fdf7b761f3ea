import pytest
from influxdb_client.rest import ApiException
from sink_envelopes import frame_envelope, telemetry_envelope

from sink.errors import QuarantineError, StoreError
from sink.influx_store import InfluxStore, reco_point, seconds_to_ns, telemetry_points
from sink.retry import RetryPolicy

CONFIG = {"url": "http://127.0.0.1:9", "token": "t", "org": "cygno", "bucket": "cygno"}


class FakeWriteApi:
    def __init__(self, error=None):
        self.error = error
        self.records = []

    def write(self, bucket, org, record):
        if self.error:
            raise self.error
        self.records.append(record)


def store_with(write_api, max_total_s=0.05):
    store = InfluxStore(CONFIG, RetryPolicy(max_total_s=max_total_s, first_delay_s=0.01))
    store._write_api = write_api
    return store


def test_points_are_written_as_line_protocol():
    api = FakeWriteApi()
    store_with(api).write([reco_point(frame_envelope("reco").header)])
    line = ("reco,detector=lime,run=12 cmos_integral=1234.5,frame=3i,"
            "max_sc_integral=800,nSc=2i,processing_s=0.05 1764050003250000000")
    assert api.records == [[line]]


def test_reco_point_has_the_frame_level_when_the_edge_sent_one():
    header = dict(frame_envelope("reco").header, frame_level=1823.5)
    assert "frame_level=1823.5" in reco_point(header).to_line_protocol()
    assert "frame_level" not in reco_point(frame_envelope("reco").header).to_line_protocol()


def test_point_with_only_nan_fields_is_dropped():
    api = FakeWriteApi()
    header = dict(telemetry_envelope().header, host={"cpu": float("nan")}, pipeline={})
    store_with(api).write(telemetry_points(header))
    assert api.records == []


def test_malformed_points_refused_by_the_server_raise_quarantine_error_at_once():
    store = store_with(FakeWriteApi(ApiException(status=400, reason="Bad Request")), max_total_s=60)
    with pytest.raises(QuarantineError, match="HTTP 400"):
        store.write([reco_point(frame_envelope("reco").header)])


def test_server_errors_are_retried_then_store_error():
    store = store_with(FakeWriteApi(ApiException(status=503, reason="Unavailable")))
    with pytest.raises(StoreError, match="InfluxDB write of 1 point"):
        store.write([reco_point(frame_envelope("reco").header)])


def test_seconds_to_ns_is_exact_for_decimal_timestamps():
    assert seconds_to_ns(1764050003.25) == 1764050003250000000
    assert seconds_to_ns(1764050003) == 1764050003000000000
    assert seconds_to_ns(0.000001) == 1000
