"""The sink's S3 and InfluxDB stores, run-end manifest and get-frame against the real servers.

SeaweedFS for S3 and VictoriaMetrics for the InfluxDB v2 write API (started by the
``services`` fixture). Items go through :class:`sink.processor.ItemProcessor` exactly as
``cygno-sink run`` handles them; the MQTT side is covered by the lead's end-to-end tests.
"""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

import compression
import recon
from compression.checksum import pixel_checksum
from edge.wire import Envelope, item_key, topic
from sink import layout
from sink.errors import ObjectMissingError, StoreError
from sink.handlers import Stores
from sink.influx_store import InfluxStore
from sink.processor import ItemProcessor
from sink.retry import RetryPolicy
from sink.run_end import RunEndHandler
from sink.s3_store import S3Store

pytestmark = pytest.mark.integration
SHAPE = (48, 64)
CLI = str(Path(sys.executable).with_name("cygno-sink"))


@pytest.fixture
def detector():
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def s3(services, s3_bucket):
    e = services.endpoints
    return S3Store({"bucket": s3_bucket, "endpoint_url": e.s3_endpoint_url, "region": e.s3_region,
                    "access_key_id": e.s3_access_key_id, "secret_access_key": e.s3_secret_access_key},
                   RetryPolicy(max_total_s=10))


@pytest.fixture
def processor(services, s3):
    e = services.endpoints
    influx = InfluxStore({"url": e.influx_url, "token": e.influx_token, "org": e.influx_org,
                          "bucket": e.influx_bucket}, RetryPolicy(max_total_s=10))
    yield ItemProcessor(Stores(s3, influx), RunEndHandler(wait_s=0.5, checks=2))
    influx.close()


@pytest.fixture
def sink_toml(services, s3_bucket, tmp_path):
    e = services.endpoints
    path = tmp_path / "sink.toml"
    path.write_text(f"""[mqtt]\nhost = "{e.mqtt_host}"\nport = {e.mqtt_port}\n
[s3]\nendpoint_url = "{e.s3_endpoint_url}"\nbucket = "{s3_bucket}"\nregion = "{e.s3_region}"
access_key_id = "{e.s3_access_key_id}"\nsecret_access_key = "{e.s3_secret_access_key}"\n
[influx]\nurl = "{e.influx_url}"\ntoken = "{e.influx_token}"\norg = "{e.influx_org}"
bucket = "{e.influx_bucket}"\n""")
    return path


def pedestal():
    rng = np.random.default_rng(7)
    return recon.Pedestal(rng.normal(100, 0.5, SHAPE).astype(np.float32),
                          np.full(SHAPE, 2.0, np.float32), n_frames=100)


def deliver(processor, header, body=b""):
    envelope = Envelope(header, body)
    return processor.process(topic(header["detector"], header["kind"]), envelope.to_bytes())


def send_pedestal(processor, detector, ped, run=1):
    header = {"kind": "pedestal", "detector": detector, "key": item_key("pedestal", run), "run": run,
              "pedestal_id": ped.id, "n_frames": 100, "shape": list(SHAPE)}
    assert deliver(processor, header, ped.to_bytes())


def send_raw(processor, detector, run, frame, pixels, ped):
    blob = compression.encode_frame(pixels, ped)
    header = {"kind": "raw", "detector": detector, "key": item_key("raw", run, frame), "run": run,
              "frame": frame, "timestamp": time.time(), "shape": list(SHAPE), "dtype": "uint16",
              "checksum": pixel_checksum(pixels), "codec": compression.read_header(blob)["codec"],
              "raw_bytes": pixels.nbytes, "metadata": {}, "pedestal_id": ped.id}
    return deliver(processor, header, blob)


def send_reco(processor, detector, run, frame, timestamp):
    header = {"kind": "reco", "detector": detector, "key": item_key("reco", run, frame), "run": run,
              "frame": frame, "timestamp": timestamp, "nSc": 1, "cmos_integral": 10.0,
              "max_sc_integral": 5.0, "processing_s": 0.01}
    result = {"run": np.int64(run), "event": np.int64(frame), "nSc": np.int32(1),
              "sc_integral": np.array([5.0], np.float32)}
    return deliver(processor, header, recon.result_to_bytes(result))


def pixels_of(frame):
    values = np.random.default_rng(frame).normal(100, 2, SHAPE).round().astype(np.uint16)
    values[10:14, 20:24] += 300
    return values


def test_store_creates_bucket_and_round_trips_metadata(services, s3_bucket):
    e = services.endpoints
    store = S3Store({"bucket": s3_bucket + "-new", "endpoint_url": e.s3_endpoint_url,
                     "region": e.s3_region, "access_key_id": e.s3_access_key_id,
                     "secret_access_key": e.s3_secret_access_key})
    store.ensure_bucket()
    store.ensure_bucket()  # already there: no error
    store.put("a/b.bin", b"xyz", {"checksum": "00ff", "codec": '{"id":"x"}'})
    assert store.get("a/b.bin").body == b"xyz"
    assert store.head("a/b.bin").metadata == {"checksum": "00ff", "codec": '{"id":"x"}'}
    assert [item.key for item in store.list("a/")] == ["a/b.bin"]
    with pytest.raises(ObjectMissingError, match="a/missing"):
        store.get("a/missing")


def test_unreachable_s3_gives_store_error_after_the_retry_window():
    store = S3Store({"bucket": "nowhere", "endpoint_url": "http://127.0.0.1:9", "region": "us-east-1",
                     "access_key_id": "k", "secret_access_key": "s"}, RetryPolicy(max_total_s=0.5))
    with pytest.raises(StoreError, match="S3 put 'k' failed"):
        store.put("k", b"x")


def test_run_is_stored_and_its_manifest_built_from_s3(processor, s3, detector):
    ped = pedestal()
    send_pedestal(processor, detector, ped)
    for frame in range(3):
        assert send_raw(processor, detector, 2, frame, pixels_of(frame), ped)
    stop = {"kind": "run_stop", "detector": detector, "key": item_key("run_stop", 2), "run": 2,
            "timestamp": time.time(), "frames_daq": 3, "frames_published": 3, "quarantined": [],
            "reconstruction": False}
    assert deliver(processor, stop)
    manifest = json.loads(s3.get(layout.manifest_key(detector, 2)).body)
    assert [f["checksum"] for f in manifest["frames"]] == [pixel_checksum(pixels_of(f)) for f in range(3)]
    assert manifest["pedestal_ids"] == [ped.id]


def test_reco_point_lands_once_in_influx_even_when_redelivered(services, processor, detector):
    timestamp = time.time()
    assert send_reco(processor, detector, 3, 0, timestamp)
    assert send_reco(processor, detector, 3, 0, timestamp)
    assert services.wait_for_points("reco", 1, detector=detector, run="3") == 1
    time.sleep(0.5)
    assert services.count_points("reco", detector=detector, run="3") == 1


def test_telemetry_points_land_in_influx(services, processor, detector):
    header = {"kind": "telemetry", "detector": detector, "time_ns": time.time_ns(),
              "host": {"cpu_percent": 5.0}, "pipeline": {"frames_spooled": 3}}
    header["key"] = item_key("telemetry", time_ns=header["time_ns"])
    assert deliver(processor, header)
    assert services.wait_for_points("edge_host", 1, detector=detector) == 1
    assert services.wait_for_points("edge_pipeline", 1, detector=detector) == 1


def get_frame(sink_toml, detector, frame, out):
    return subprocess.run([CLI, "get-frame", "--config", str(sink_toml), "--detector", detector,
                           "--run", "2", "--frame", str(frame), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)


def test_get_frame_cli_returns_the_frame_bit_exact(processor, sink_toml, detector, tmp_path):
    ped = pedestal()
    send_pedestal(processor, detector, ped)
    send_raw(processor, detector, 2, 1, pixels_of(1), ped)
    done = get_frame(sink_toml, detector, 1, tmp_path / "f.npy")
    assert done.returncode == 0, done.stderr
    assert np.array_equal(np.load(tmp_path / "f.npy"), pixels_of(1))


def test_get_frame_cli_missing_and_corrupt_objects(processor, s3, sink_toml, detector, tmp_path):
    missing = get_frame(sink_toml, detector, 5, tmp_path / "f.npy")
    assert missing.returncode == 3 and missing.stderr.count("\n") == 1
    ped = pedestal()
    send_pedestal(processor, detector, ped)
    send_raw(processor, detector, 2, 1, pixels_of(1), ped)
    key = layout.raw_key(detector, 2, 1)
    stored = s3.get(key)
    damaged = bytearray(stored.body)
    damaged[len(damaged) // 2] ^= 0x01
    s3.put(key, bytes(damaged), stored.metadata)
    corrupt = get_frame(sink_toml, detector, 1, tmp_path / "g.npy")
    assert corrupt.returncode == 4 and corrupt.stderr.count("\n") == 1
    assert "Traceback" not in corrupt.stderr and not (tmp_path / "g.npy").exists()


def test_sink_run_acks_over_mqtt_and_stops_cleanly_on_sigterm(services, s3, sink_toml, detector,
                                                             tmp_path):
    import signal

    import paho.mqtt.client as mqtt

    from edge.wire import Ack, ack_topic, digest
    log_path = tmp_path / "sink.log"
    with open(log_path, "wb") as log:
        sink = subprocess.Popen([CLI, "run", "--config", str(sink_toml)], stdout=log,
                                stderr=subprocess.STDOUT)
    acks = []
    edge = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"edge-{detector}",
                       protocol=mqtt.MQTTv5)
    edge.on_message = lambda client, userdata, message: acks.append(Ack.from_bytes(message.payload))
    edge.connect(services.mqtt_host, services.mqtt_port)
    edge.loop_start()
    try:
        edge.subscribe(ack_topic(detector), qos=1)
        ped = pedestal()
        header = {"kind": "pedestal", "detector": detector, "key": item_key("pedestal", 1), "run": 1,
                  "pedestal_id": ped.id, "n_frames": 100, "shape": list(SHAPE)}
        payload = Envelope(header, ped.to_bytes()).to_bytes()
        deadline = time.monotonic() + 60
        while not acks and time.monotonic() < deadline:  # the sink may still be connecting
            edge.publish(topic(detector, "pedestal"), payload, qos=1)
            time.sleep(1.0)
        assert acks and acks[0] == Ack("pedestal-r00001", digest(payload))
        assert s3.get(layout.pedestal_key(detector, 1)).body == ped.to_bytes()
    finally:
        edge.loop_stop()
        sink.send_signal(signal.SIGTERM)
        code = sink.wait(timeout=60)
    assert code == 0, log_path.read_text()
    assert "sink stopped" in log_path.read_text()
