"""Benchmark of the cloud sink: how many compressed frames per second it stores durably.

Against real servers (SeaweedFS for S3, Mosquitto, VictoriaMetrics; point ``--config``
at a sink.toml for them), on real codec blobs of a LIME-size noise frame (2304 x 2304,
pedestal ~100 ADU, 2 ADU noise, lossless pedestal codec), the same blob for every frame.
Prints one table comparing, in the same run:

* ``bare boto3 put``: the peer, plain ``put_object`` of the same bytes, no sink logic;
* ``sink processor``: :class:`sink.processor.ItemProcessor` (validation, blob check,
  digest, S3 put with metadata), called directly by 1 and 2 threads;
* ``sink via MQTT``: the whole ``cygno-sink run`` path (broker, worker pool, acks),
  timed from the first publish to the last ack received by the publisher;
* ``MQTT only``: the second peer, the same publisher and broker with a subscriber that
  only counts messages (the transport's own cost, no storage);
* ``run end``: a run_stop for the stored frames (list + HEAD of every frame, manifest).

Usage::

    python benchmarks/sink_throughput.py --config sink.toml --frames 40 --repeat 3
"""

import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import paho.mqtt.client as mqtt

_HERE = os.path.dirname(os.path.abspath(__file__))
# benchmarks/compression.py would shadow the compression package: drop this folder from the path
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.join(_HERE, "..", "tests", "sink"))

from sink_envelopes import raw_envelope, run_stop_envelope, topic_of  # noqa: E402

import compression  # noqa: E402
import recon  # noqa: E402
from sink.config import load_sink_config  # noqa: E402
from sink.consumer import SinkConsumer  # noqa: E402
from sink.handlers import Stores  # noqa: E402
from sink.influx_store import InfluxStore  # noqa: E402
from sink.processor import ItemProcessor  # noqa: E402
from sink.run_end import RunEndHandler  # noqa: E402
from sink.s3_store import S3Store  # noqa: E402


def lime_blob(shape: tuple) -> tuple:
    """One realistic compressed frame: pedestal ~100 ADU, 2 ADU noise, pedestal codec."""
    rng = np.random.default_rng(1)
    mean = rng.normal(100, 1.5, shape).astype(np.float32)
    pedestal = recon.Pedestal(mean, np.full(shape, 2.0, np.float32), n_frames=100)
    pixels = np.clip(rng.normal(mean, 2.0), 0, 65535).round().astype(np.uint16)
    return pixels, pedestal.id, compression.encode_frame(pixels, pedestal)


def envelopes(run: int, frames: int, frame: tuple) -> list:
    """``frames`` raw items of one run, all carrying the same real blob (keys differ)."""
    pixels, pedestal_id, blob = frame
    return [raw_envelope(run, number, body=blob, pixels=pixels, pedestal_id=pedestal_id)
            for number in range(frames)]


def bare_put(s3: S3Store, items: list, threads: int) -> float:
    client = s3._client
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda e: client.put_object(Bucket=s3.bucket, Key=f"bench/bare/{e.key}",
                                                  Body=e.body), items))
    return time.perf_counter() - started


def processor_put(processor: ItemProcessor, items: list, threads: int) -> float:
    payloads = [(topic_of(e), e.to_bytes()) for e in items]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        acks = list(pool.map(lambda tp: processor.process(*tp), payloads))
    elapsed = time.perf_counter() - started
    assert all(acks), "every item must be acknowledged"
    return elapsed


def via_mqtt(config: dict, processor: ItemProcessor, items: list, workers: int) -> float:
    mqtt_config = dict(config["mqtt"], client_id=f"bench-sink-{uuid.uuid4().hex[:8]}",
                       session_expiry_s=60)
    consumer = SinkConsumer(mqtt_config, processor, workers, config["sink"]["queue_size"])
    consumer.start()
    if not consumer.subscribed.wait(30):
        raise SystemExit("the sink consumer was not subscribed within 30 s")
    acks, done = [], threading.Event()
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}",
                            protocol=mqtt.MQTTv5)

    def on_ack(client, userdata, message):
        acks.append(message.payload)
        if len(acks) == len(items):
            done.set()
    publisher.on_message = on_ack
    publisher.connect(config["mqtt"]["host"], config["mqtt"]["port"])
    publisher.loop_start()
    subscribe_and_wait(publisher, "cygno/v1/lime/ack")
    payloads = [(topic_of(e), e.to_bytes()) for e in items]
    started = time.perf_counter()
    for name, payload in payloads:
        publisher.publish(name, payload, qos=1)
    finished = done.wait(600)
    elapsed = time.perf_counter() - started
    publisher.loop_stop()
    publisher.disconnect()
    consumer.stop()
    if not finished:
        raise SystemExit(f"only {len(acks)} of {len(items)} acks arrived")
    return elapsed


def subscribe_and_wait(client, topic: str, timeout_s: float = 30.0) -> None:
    """Subscribe at QoS 1 and wait for the broker's SUBACK (a fixed sleep raced with it)."""
    granted = threading.Event()
    client.on_subscribe = lambda *args: granted.set()
    client.subscribe(topic, qos=1)
    if not granted.wait(timeout_s):
        raise SystemExit(f"no SUBACK for {topic!r} within {timeout_s:g} s")


def mqtt_only(config: dict, items: list) -> float:
    received, done = [], threading.Event()
    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-sub-{uuid.uuid4().hex[:8]}",
                             protocol=mqtt.MQTTv5)

    def on_message(client, userdata, message):
        received.append(len(message.payload))
        if len(received) == len(items):
            done.set()
    subscriber.on_message = on_message
    subscriber.connect(config["mqtt"]["host"], config["mqtt"]["port"])
    subscriber.loop_start()
    subscribe_and_wait(subscriber, "cygno/v1/benchonly/raw")
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}",
                            protocol=mqtt.MQTTv5)
    publisher.connect(config["mqtt"]["host"], config["mqtt"]["port"])
    publisher.loop_start()
    payloads = [e.to_bytes() for e in items]
    started = time.perf_counter()
    for payload in payloads:
        publisher.publish("cygno/v1/benchonly/raw", payload, qos=1)
    finished = done.wait(600)
    elapsed = time.perf_counter() - started
    for client in (publisher, subscriber):
        client.loop_stop()
        client.disconnect()
    if not finished:
        raise SystemExit(f"only {len(received)} of {len(items)} messages arrived")
    return elapsed


def run_end(processor: ItemProcessor, run: int, frames: int) -> float:
    stop = run_stop_envelope(run, frames_published=frames)
    started = time.perf_counter()
    ack = processor.process(topic_of(stop), stop.to_bytes())
    elapsed = time.perf_counter() - started
    assert ack is not None, "the run must be complete"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--rows", type=int, default=2304, help="frame rows (LIME: 2304)")
    parser.add_argument("--cols", type=int, default=2304, help="frame columns (LIME: 2304)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = load_sink_config(args.config)
    s3 = S3Store(config["s3"])
    s3.ensure_bucket()
    processor = ItemProcessor(Stores(s3, InfluxStore(config["influx"])), RunEndHandler(0.0, 1))
    frame = lime_blob((args.rows, args.cols))
    args.frame_mb = len(frame[2]) / 2**20
    base_run = int(time.time()) % 50000
    timings: dict = {}
    for repeat in range(args.repeat):  # interleaved, so load changes hit every path alike
        for threads in (1, 2):
            run = base_run + 100 * repeat + threads
            items = envelopes(run, args.frames, frame)
            timings.setdefault(f"bare boto3 put, {threads} thread(s)", []).append(
                bare_put(s3, items, threads))
            timings.setdefault(f"sink processor, {threads} thread(s)", []).append(
                processor_put(processor, items, threads))
            timings.setdefault(f"sink via MQTT, {threads} worker(s)", []).append(
                via_mqtt(config, processor, envelopes(run + 10, args.frames, frame), threads))
        timings.setdefault("MQTT only (publish -> subscriber, no store)", []).append(
            mqtt_only(config, envelopes(base_run + 50, args.frames, frame)))
        timings.setdefault(f"run end (manifest of {args.frames} frames)", []).append(
            run_end(processor, base_run + 100 * repeat + 2, args.frames))
    print_table(timings, args)


def print_table(timings: dict, args) -> None:
    medians = {name: statistics.median(values) for name, values in timings.items()}
    print(f"{args.frames} frames of {args.rows} x {args.cols} pixels, compressed to {args.frame_mb:.2f} MB "
          f"each, median of {args.repeat} interleaved runs\n")
    print("| path | seconds | frames/s | MB/s | time vs bare put, same threads |")
    print("|---|---|---|---|---|")
    for name, seconds in medians.items():
        peer = name.replace("sink processor", "bare boto3 put").replace("sink via MQTT", "bare boto3 put")
        peer = peer.replace("worker(s)", "thread(s)")
        ratio = f"{seconds / medians[peer]:.2f}" if peer != name and peer in medians else ""
        rate = "" if name.startswith("run end") else f"{args.frames / seconds:.1f}"
        mb_s = "" if name.startswith("run end") else f"{args.frames * args.frame_mb / seconds:.0f}"
        print(f"| {name} | {seconds:.2f} | {rate} | {mb_s} | {ratio} |")

if __name__ == "__main__":
    main()
