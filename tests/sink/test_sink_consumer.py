import threading
from types import SimpleNamespace

from sink_envelopes import raw_envelope, run_stop_envelope, topic_of

from edge.wire import Ack, digest
from sink.consumer import SinkConsumer


class FakeClient:
    """Records what the consumer does to paho: publishes, PUBACKs, subscriptions."""

    def __init__(self):
        self.events = []
        self.lock = threading.Lock()
        self.is_published = lambda: True  # what paho's MQTTMessageInfo answers

    def manual_ack_set(self, on):
        self.manual_ack = on

    def publish(self, topic, payload, qos):
        with self.lock:
            self.events.append(("publish", topic, payload, qos))
        return SimpleNamespace(is_published=self.is_published)

    def ack(self, mid, qos):
        with self.lock:
            self.events.append(("puback", mid))

    def subscribe(self, topic, options=None):
        self.events.append(("subscribe", topic, options.QoS, options.noLocal))

    def disconnect(self):
        self.events.append(("disconnect",))

    def loop_stop(self):
        self.events.append(("loop_stop",))


def make_consumer(processor, workers=2, queue_size=8):
    client = FakeClient()
    consumer = SinkConsumer({}, processor, workers, queue_size,
                            client_factory=lambda config: client, starter=lambda c, config: None)
    consumer.start()
    return consumer, client


def message(envelope, mid=1):
    return SimpleNamespace(topic=topic_of(envelope), payload=envelope.to_bytes(), mid=mid, qos=1)


def test_stored_item_is_acked_on_the_ack_topic_before_its_puback(processor):
    consumer, client = make_consumer(processor)
    msg = message(raw_envelope(), mid=7)
    consumer._on_message(client, None, msg)
    consumer.stop(timeout_s=5)
    ack = Ack("raw-r00012-f000003", digest(msg.payload)).to_bytes()
    assert client.events[:2] == [("publish", "cygno/v1/lime/ack", ack, 1), ("puback", 7)]
    assert client.manual_ack is True


def test_deferred_run_stop_gets_puback_but_no_ack(processor):
    consumer, client = make_consumer(processor)
    consumer._on_message(client, None, message(run_stop_envelope(12, frames_published=1), mid=3))
    consumer.stop(timeout_s=60)
    assert [e for e in client.events if e[0] in ("publish", "puback")] == [("puback", 3)]


def test_acks_on_foreign_topics_are_pubacked_and_ignored(processor, stores):
    consumer, client = make_consumer(processor)
    consumer._on_message(client, None, SimpleNamespace(topic="cygno/v1/lime/ack", payload=b"{}",
                                                       mid=4, qos=1))
    consumer.stop(timeout_s=5)
    assert client.events[0] == ("puback", 4)
    assert not stores.s3.objects


def test_stop_finishes_every_queued_item_then_disconnects(processor, stores):
    consumer, client = make_consumer(processor, workers=1)
    for frame in range(5):
        consumer._on_message(client, None, message(raw_envelope(12, frame), mid=frame + 1))
    consumer.stop(timeout_s=10)
    assert len(stores.s3.objects) == 5
    assert client.events[-2:] == [("disconnect",), ("loop_stop",)]
    assert sorted(e[1] for e in client.events if e[0] == "puback") == [1, 2, 3, 4, 5]


def test_message_arriving_while_stopping_is_left_for_the_broker_to_redeliver(processor, stores):
    consumer, client = make_consumer(processor)
    consumer.stop(timeout_s=5)
    consumer._on_message(client, None, message(raw_envelope(), mid=9))
    assert ("puback", 9) not in client.events and not stores.s3.objects


class BlockingProcessor:
    def __init__(self):
        self.release = threading.Event()

    def process(self, topic, payload):
        self.release.wait(10)

    def counts(self):
        return {}


def test_full_queue_pauses_the_network_thread_until_a_worker_is_free():
    processor = BlockingProcessor()
    consumer, client = make_consumer(processor, workers=1, queue_size=1)
    consumer._on_message(client, None, message(raw_envelope(12, 0), mid=1))  # taken by the worker
    consumer._on_message(client, None, message(raw_envelope(12, 1), mid=2))  # fills the queue
    third = threading.Thread(target=consumer._on_message,
                             args=(client, None, message(raw_envelope(12, 2), mid=3)))
    third.start()
    third.join(0.3)
    assert third.is_alive()
    processor.release.set()
    third.join(5)
    assert not third.is_alive()
    consumer.stop(timeout_s=5)


def test_on_connect_subscribes_to_all_data_topics_at_qos1_without_own_messages(processor):
    consumer, client = make_consumer(processor)
    reason = SimpleNamespace(is_failure=False)
    consumer._on_connect(client, None, SimpleNamespace(session_present=True), reason, None)
    consumer.stop(timeout_s=5)
    assert ("subscribe", "cygno/v1/+/+", 1, True) in client.events


def _published_while_disconnected():
    raise RuntimeError("Message publish failed: The client is not currently connected.")


def test_acks_published_while_disconnected_do_not_stop_later_items(processor, stores):
    consumer, client = make_consumer(processor, workers=1)
    client.is_published = _published_while_disconnected  # paho 2 after a broker restart
    for frame in range(25):  # more than mosquitto's default in-flight window of 20
        consumer._on_message(client, None, message(raw_envelope(12, frame), mid=frame + 1))
    consumer.stop(timeout_s=10)
    assert len(stores.s3.objects) == 25
    assert sorted(e[1] for e in client.events if e[0] == "puback") == list(range(1, 26))
    assert sum(e[0] == "publish" for e in client.events) == 25


def test_subscribed_is_set_only_when_the_broker_grants_the_subscription(processor):
    consumer, client = make_consumer(processor)
    refused = [SimpleNamespace(is_failure=True)]
    consumer._on_subscribe(client, None, 1, refused, None)
    assert not consumer.subscribed.is_set()
    consumer._on_subscribe(client, None, 2, [SimpleNamespace(is_failure=False)], None)
    consumer.stop(timeout_s=5)
    assert consumer.subscribed.is_set()
