"""The sink's MQTT side: persistent QoS 1 subscription, a bounded worker pool, acks.

paho's network thread only queues each message (``on_message`` never stores anything);
``workers`` threads take messages from a queue of ``queue_size``, run the
:class:`ItemProcessor` and, once the item is durably stored, publish its
:class:`edge.wire.Ack` at QoS 1. The MQTT-level PUBACK is sent manually after that, so a
message the sink was holding when it died is redelivered by the broker (persistent
session). When the queue is full, ``on_message`` waits: the broker then holds the
backlog, which is the back-pressure we want.
"""

import logging
import queue
import threading
import time

from paho.mqtt.subscribeoptions import SubscribeOptions

from edge.mqtt_connection import make_client, start
from edge.wire import ack_topic, data_subscription, kind_from_topic

from .processor import ItemProcessor
from .validation import topic_parts

__all__ = ["SinkConsumer"]

log = logging.getLogger(__name__)
_STOP = object()


class SinkConsumer:
    """Connects, subscribes, and stores every data message with ``workers`` threads."""

    def __init__(self, mqtt_config: dict, processor: ItemProcessor, workers: int = 2,
                 queue_size: int = 8, client_factory=make_client, starter=start):
        self.mqtt_config = mqtt_config
        self.processor = processor
        self.client = client_factory(mqtt_config)
        self.client.manual_ack_set(True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        #: Set once the broker has granted the data subscription (SUBACK); a publisher that
        #: starts before then loses its messages unless it resends them, as the edge does.
        self.subscribed = threading.Event()
        self._starter = starter
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._work, name=f"sink-worker-{n}", daemon=True)
                         for n in range(workers)]
        self._unconfirmed: list = []
        self._publish_lock = threading.Lock()

    def start(self) -> None:
        """Start the workers, then connect (resuming the broker session) in the background."""
        for thread in self._threads:
            thread.start()
        self._starter(self.client, self.mqtt_config)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the messages already taken, flush their acks, then disconnect."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(_STOP)
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._flush_acks(deadline)
        self.client.disconnect()
        self.client.loop_stop()
        log.info("sink stopped: %s", self.processor.counts())

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT connection refused: %s", reason_code)
            return
        log.info("connected to MQTT (session present: %s)", flags.session_present)
        options = SubscribeOptions(qos=1, noLocal=True)
        client.subscribe(data_subscription(), options=options)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if all(not code.is_failure for code in reason_codes):
            self.subscribed.set()
        else:
            log.error("MQTT subscription refused: %s", reason_codes)

    def _on_message(self, client, userdata, message) -> None:
        if kind_from_topic(message.topic) is None:
            client.ack(message.mid, message.qos)  # acks and foreign topics: not ours
            return
        while not self._stopping.is_set():
            try:
                self._queue.put(message, timeout=0.5)
                return
            except queue.Full:
                continue
        # stopping: no PUBACK, the broker redelivers this message to our next session

    def _work(self) -> None:
        while True:
            message = self._queue.get()
            if message is _STOP:
                return
            try:
                self._handle(message)
            except Exception:  # noqa: BLE001 - a worker must survive anything
                log.exception("worker failed on a message from %r", message.topic)

    def _handle(self, message) -> None:
        """Store, publish the end-to-end ack, then PUBACK, whatever the ack publish did:
        a message left without PUBACK holds one of the broker's in-flight slots until the
        next reconnect, and enough of them stop the broker delivering to us at all."""
        try:
            ack = self.processor.process(message.topic, message.payload)
            if ack is not None:
                detector, _ = topic_parts(message.topic)
                self._publish_ack(ack_topic(detector), ack.to_bytes())
        finally:
            self.client.ack(message.mid, message.qos)

    def _publish_ack(self, topic: str, payload: bytes) -> None:
        info = self.client.publish(topic, payload, qos=1)
        with self._publish_lock:
            self._unconfirmed = [i for i in self._unconfirmed if _awaiting_puback(i)]
            self._unconfirmed.append(info)

    def _flush_acks(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            with self._publish_lock:
                self._unconfirmed = [i for i in self._unconfirmed if _awaiting_puback(i)]
                if not self._unconfirmed:
                    return
            time.sleep(0.05)
        log.warning("%d acks not confirmed by the broker at shutdown; the edge will resend "
                    "those items and the sink will store them again (idempotently)",
                    len(self._unconfirmed))


def _awaiting_puback(info) -> bool:
    """True while paho holds this ack and the broker has not confirmed it yet.

    paho 2 raises from ``is_published`` for an ack published while the connection was down
    (its ``rc`` stays NO_CONN even though paho resends it after the reconnect) and for one
    it refused to queue: neither can be confirmed, so neither is waited for. Losing an ack
    costs only a resend: the edge republishes every item it has no ack for, and the sink
    stores it again under the same key.
    """
    try:
        return not info.is_published()
    except (RuntimeError, ValueError):
        return False
