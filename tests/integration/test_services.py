"""Smoke tests: each real local server works through the client library the project uses.

boto3 on SeaweedFS, paho-mqtt 2 (MQTT 5, persistent sessions) on Mosquitto, and
influxdb-client's synchronous write API on VictoriaMetrics read back with the query helper.
The last tests check the process handling of ``localservices`` on small stand-in commands.
"""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
import paho.mqtt.client as mqtt
import pytest
from botocore.exceptions import ClientError
from influxdb_client import Point, WritePrecision
from localservices import LocalServices
from managed_server import ManagedServer, ServiceError, free_ports, kill_leftovers, wait_until
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from victoria_query import series_selector

FRAME_BYTES = 2304 * 2304 * 2  # one raw ORCA-Fusion frame
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "localservices.py"


# ---- S3 (SeaweedFS through boto3) ------------------------------------------------------
@pytest.mark.integration
def test_s3_put_get_list_round_trip(s3_client, s3_bucket):
    frame = os.urandom(FRAME_BYTES)
    s3_client.put_object(Bucket=s3_bucket, Key="lime/run00002/frame000001.bin", Body=frame)
    s3_client.put_object(Bucket=s3_bucket, Key="lime/run00002/manifest.json", Body=b"{}")
    body = s3_client.get_object(Bucket=s3_bucket, Key="lime/run00002/frame000001.bin")["Body"].read()
    listed = s3_client.list_objects_v2(Bucket=s3_bucket, Prefix="lime/run00002/")
    assert body == frame
    assert [o["Key"] for o in listed["Contents"]] == ["lime/run00002/frame000001.bin",
                                                     "lime/run00002/manifest.json"]


@pytest.mark.integration
def test_s3_bucket_appears_in_list_buckets(s3_client, s3_bucket):
    assert s3_bucket in [b["Name"] for b in s3_client.list_buckets()["Buckets"]]


@pytest.mark.integration
def test_s3_refuses_unknown_credentials(services):
    intruder = boto3.client("s3", endpoint_url=services.s3_endpoint_url, region_name="us-east-1",
                            aws_access_key_id="nobody", aws_secret_access_key="wrong-secret")
    with pytest.raises(ClientError, match="InvalidAccessKeyId"):
        intruder.list_buckets()


# ---- MQTT (Mosquitto through paho-mqtt 2, MQTT 5) ------------------------------------------
class _Peer:
    """A paho v2 client with a persistent session, recording what it receives."""

    def __init__(self, services, client_id):
        self.received = queue.Queue()
        self.connected, self.subscribed = threading.Event(), threading.Event()
        self.session_present = None
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = lambda client, userdata, message: self.received.put(message)
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 3600
        self.client.connect(services.mqtt_host, services.mqtt_port, clean_start=False,
                            properties=properties)
        self.client.loop_start()
        assert self.connected.wait(10), f"{client_id} did not connect"

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        self.session_present = flags.session_present
        self.connected.set()

    def subscribe(self, topic):
        self.client.subscribe(topic, qos=1)
        assert self.subscribed.wait(10), f"no SUBACK for {topic}"

    def publish(self, topic, payload):
        self.client.publish(topic, payload, qos=1).wait_for_publish(timeout=30)

    def messages(self, count, timeout_s=10.0):
        return [self.received.get(timeout=timeout_s) for _ in range(count)]

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def _topic():
    return f"cygno/v1/smoke-{uuid.uuid4().hex[:8]}/frame"


@pytest.mark.integration
def test_mqtt_qos1_carries_a_raw_frame_sized_message(services):
    topic, payload = _topic(), os.urandom(FRAME_BYTES)
    subscriber, publisher = _Peer(services, f"sub-{topic}"), _Peer(services, f"pub-{topic}")
    try:
        subscriber.subscribe(topic)
        publisher.publish(topic, payload)
        [message] = subscriber.messages(1)
    finally:
        subscriber.close(), publisher.close()
    assert message.payload == payload and message.qos == 1


@pytest.mark.integration
def test_mqtt_session_and_queued_messages_survive_broker_restart(services):
    topic, client_id = _topic(), f"sink-{uuid.uuid4().hex[:8]}"
    subscriber = _Peer(services, client_id)
    subscriber.subscribe(topic)
    subscriber.close()  # offline: the broker queues QoS 1 messages in its session
    publisher = _Peer(services, f"edge-{client_id}")
    for number in range(3):
        publisher.publish(topic, f"item {number}".encode())
    publisher.close()
    port = services.mqtt_port
    services.restart_broker()
    resumed = _Peer(services, client_id)  # no new SUBSCRIBE: the session remembers it
    try:
        payloads = sorted(m.payload for m in resumed.messages(3))
    finally:
        resumed.close()
    assert services.mqtt_port == port
    assert resumed.session_present
    assert payloads == [b"item 0", b"item 1", b"item 2"]


@pytest.mark.integration
def test_stopped_broker_refuses_connections_until_started(services):
    services.stop_broker()
    assert not services.broker_running
    with pytest.raises(ConnectionRefusedError):
        mqtt.Client(mqtt.CallbackAPIVersion.VERSION2).connect(services.mqtt_host, services.mqtt_port)
    services.start_broker()
    _Peer(services, f"back-{uuid.uuid4().hex[:8]}").close()


# ---- InfluxDB v2 write API (VictoriaMetrics) -------------------------------------------------
def _points(detector, timestamps_ms, value=1.0):
    return [Point("smoke").tag("detector", detector).field("frames", value).field("bytes", 2.5)
            .time(ts, WritePrecision.MS) for ts in timestamps_ms]


@pytest.mark.integration
def test_influx_points_written_can_be_counted(services, influx_write_api):
    detector, now_ms = f"det{uuid.uuid4().hex[:8]}", int(time.time() * 1000)
    influx_write_api.write(services.influx_bucket, record=_points(detector, [now_ms, now_ms + 1]))
    assert services.wait_for_points("smoke", 2, detector=detector) == 2
    series = services.influx_query_series("smoke_.*", detector=detector)
    assert [s["metric"]["__name__"] for s in series] == ["smoke_bytes", "smoke_frames"]
    assert series[0]["timestamps"] == [now_ms, now_ms + 1]


@pytest.mark.integration
def test_influx_rewritten_point_counts_once(services, influx_write_api):
    detector, now_ms = f"det{uuid.uuid4().hex[:8]}", int(time.time() * 1000)
    influx_write_api.write(services.influx_bucket, record=_points(detector, [now_ms], value=1.0))
    influx_write_api.write(services.influx_bucket, record=_points(detector, [now_ms], value=1.0))
    assert services.wait_for_points("smoke", 1, detector=detector) == 1
    influx_write_api.write(services.influx_bucket, record=_points(detector, [now_ms + 5]))
    assert services.wait_for_points("smoke", 2, detector=detector) == 2


@pytest.mark.integration
def test_influx_count_is_zero_for_an_unknown_measurement(services):
    assert services.count_points("never_written", detector="nobody") == 0


def test_series_selector_escapes_quotes_in_label_values():
    assert series_selector("a_.*", run='7"x') == '{__name__=~"a_.*",run="7\\"x"}'


# ---- process handling (no servers needed) ------------------------------------------------------
def test_server_exiting_early_reports_its_exit_code_and_log(tmp_path):
    server = ManagedServer("broken", ["sh", "-c", "echo bad flag -xyz; exit 3"], tmp_path)
    server.start()
    with pytest.raises(ServiceError, match=r"(?s)broken exited with code 3.*bad flag -xyz"):
        wait_until(server, "it answers", 10, lambda: False)


def test_server_never_ready_times_out_naming_what_it_waited_for(tmp_path):
    server = ManagedServer("sleeper", ["sleep", "30"], tmp_path)
    server.start()
    try:
        with pytest.raises(ServiceError, match="sleeper not ready after 0 s: waited until port 1"):
            wait_until(server, "port 1 answers", 0.2, lambda: False)
    finally:
        server.stop(grace_s=0)


def test_missing_executable_is_a_clear_error(tmp_path):
    with pytest.raises(ServiceError, match="executable 'no-such-server-binary' not found"):
        ManagedServer("ghost", ["no-such-server-binary"], tmp_path).start()


def test_stop_kills_the_whole_process_group(tmp_path):
    server = ManagedServer("family", ["sh", "-c", "sleep 300 & echo $! > child.pid; wait"], tmp_path)
    server.start()
    wait_until(server, "child.pid is written", 10, lambda: (tmp_path / "child.pid").read_text())
    child = int((tmp_path / "child.pid").read_text())
    server.stop(grace_s=1)
    assert not _running(child)


def _running(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie waits for its reaper, it runs no more


def test_leftovers_of_a_crashed_run_are_killed(tmp_path):
    leftover = ManagedServer("mosquitto", ["sleep", "300"], tmp_path / "mosquitto", die_with_parent=False)
    leftover.start()
    assert kill_leftovers(tmp_path) == ["mosquitto"]
    assert leftover.process.wait(timeout=5) == -signal.SIGTERM
    assert not (tmp_path / "mosquitto" / "server.pid").exists()


def test_stale_pid_file_of_another_program_is_not_killed(tmp_path):
    (tmp_path / "seaweedfs").mkdir()
    (tmp_path / "seaweedfs" / "server.pid").write_text(f"{os.getpid()} 1.0 /usr/bin/weed\n")
    assert kill_leftovers(tmp_path) == []
    assert not (tmp_path / "seaweedfs" / "server.pid").exists()


def test_cli_refuses_an_unknown_command(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "launch", "--dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice: 'launch'" in result.stderr


@pytest.mark.integration
@pytest.mark.slow
def test_start_retries_once_when_a_picked_port_is_taken(tmp_path, monkeypatch):
    import localservices

    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    picks = [[squatter.getsockname()[1]] + localservices.free_ports(9)]
    monkeypatch.setattr(localservices, "free_ports", lambda n: picks.pop() if picks else free_ports(n))
    try:
        with LocalServices(tmp_path) as services:
            assert services.mqtt_port != squatter.getsockname()[1]
            assert "Address already in use" in (tmp_path / "mosquitto" / "mosquitto.log").read_text()
    finally:
        squatter.close()


@pytest.mark.integration
@pytest.mark.slow
def test_cli_start_prints_exports_and_stop_leaves_nothing_running(tmp_path):
    started = subprocess.run([sys.executable, str(SCRIPT), "start", "--dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=120)
    pids = [int(p.read_text().split()[0]) for p in tmp_path.glob("*/server.pid")]
    stopped = subprocess.run([sys.executable, str(SCRIPT), "stop", "--dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=120)
    exports = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines())
    assert started.returncode == 0, started.stderr
    assert exports["CYGNO_S3_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert len(pids) == 3 and not any(_running(pid) for pid in pids)
    assert "stopped mosquitto, seaweedfs, victoria-metrics" in stopped.stderr
