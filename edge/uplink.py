"""Uplink: publishes spooled items over MQTT and removes them when the sink acknowledges.

The broker's PUBACK only says the broker has the message; a broker can still lose it,
and paho keeps its session in memory only. So an item stays in the spool until the
*sink* publishes an :class:`edge.wire.Ack` after storing it durably. Items not
acknowledged within ``resend_after_s`` are published again (the sink is idempotent).
At most ``max_inflight_bytes`` are published and unacknowledged at any time.
"""

import logging
import threading
import time

import paho.mqtt.client as mqtt

from . import mqtt_connection
from .spool import Spool
from .wire import Ack, WireError, ack_topic

__all__ = ["Uplink"]

log = logging.getLogger(__name__)


class Uplink:
    """Background publisher of a :class:`Spool` with end-to-end acknowledgements."""

    def __init__(self, spool: Spool, mqtt_config: dict, detector: str,
                 resend_after_s: float = 30.0, max_inflight_bytes: int = 256 * 2**20):
        self.spool = spool
        self.detector = detector
        self.resend_after_s = resend_after_s
        self.max_inflight_bytes = max_inflight_bytes
        self._mqtt_config = mqtt_config
        self._inflight: dict[str, tuple[float, int]] = {}  # key -> (published at, bytes)
        self._wake = threading.Condition()
        self._stopping = False
        self._connected = False
        self._thread = threading.Thread(target=self._run, name="uplink", daemon=True)
        self._client = mqtt_connection.make_client(mqtt_config)
        self._client.max_inflight_messages_set(1000)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self.published = 0
        self.published_bytes = 0
        self.acked = 0
        self.resent = 0

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def inflight(self) -> int:
        return len(self._inflight)

    def start(self) -> None:
        mqtt_connection.start(self._client, self._mqtt_config)
        self._thread.start()

    def notify(self) -> None:
        """Tell the uplink that new items are in the spool."""
        with self._wake:
            self._wake.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout)
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        client.subscribe(ack_topic(self.detector), qos=1)
        log.info("uplink connected to %s:%s", self._mqtt_config["host"], self._mqtt_config["port"])
        with self._wake:
            self._connected = True
            now = time.monotonic()
            # Give in-flight items a fresh deadline: paho re-sends its own unacked
            # messages on reconnect, we re-send ours only if still not acknowledged.
            self._inflight = {key: (now, size) for key, (_, size) in self._inflight.items()}
            self._wake.notify()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        with self._wake:
            self._connected = False
        if not self._stopping:
            log.warning("uplink disconnected (%s); items stay in the spool", reason_code)

    def _on_message(self, client, userdata, message):
        try:
            ack = Ack.from_bytes(message.payload)
        except WireError as exc:
            log.error("ignoring malformed ack on %s: %s", message.topic, exc)
            return
        removed = self.spool.remove(ack.key, ack.digest)
        with self._wake:
            self._inflight.pop(ack.key, None)
            if removed:
                self.acked += 1
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
                self._wake.wait(timeout=0.5)
                if self._stopping:
                    return
                if not self._connected:
                    continue
            self._publish_due()

    def _publish_due(self) -> None:
        now = time.monotonic()
        with self._wake:
            inflight = dict(self._inflight)
        budget = self.max_inflight_bytes - sum(size for _, size in inflight.values())
        for item in self.spool.items():
            sent = inflight.get(item.key)
            if sent is not None and now - sent[0] < self.resend_after_s:
                continue
            if budget < item.size and inflight:
                break
            if not self._publish(item, resend=sent is not None):
                break
            budget -= item.size

    def _publish(self, item, resend: bool) -> bool:
        try:
            topic, payload = self.spool.read(item)
        except OSError:
            return True  # removed by an ack since the snapshot
        info = self._client.publish(topic, payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return False
        with self._wake:
            self._inflight[item.key] = (time.monotonic(), item.size)
        self.published += 1
        self.published_bytes += len(payload)
        self.resent += resend
        return True
