"""Simulator speed: frame generation per shape, and DAQ sender throughput over ZeroMQ.

Run:  /opt/cygno-venv/bin/python benchmarks/sim_speed.py [--repeats 7] [--frames 200]

Table 1 times one frame (median of ``--repeats``) next to two peers measured in the same
run: filling the frame with float32 normals (the floor of any noise simulation) and a
uint16 copy. Table 2 sends a cycled pool of 2304 x 2304 frames through DaqSender to a
PULL receiver in another process, unthrottled and paced at ``--rate``, next to a bare PUSH
of the same bytes (no protocol, no simulator) as the peer; DaqSender times run from the
first image to the last (pool generation excluded), unthrottled rows are the median of 3.
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time

import numpy as np
import zmq

# benchmarks/compression.py would shadow the compression package (the editable install's
# finder comes after sys.path): take this directory off sys.path, nothing here needs it.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

from edge.sim import FrameSimulator, SensorModel  # noqa: E402
from edge.sim.daq_sender import DaqSender  # noqa: E402

SHAPES = [(2304, 2304), (2304, 4096)]


def median_seconds(function, repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        function(i)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def generation_table(repeats: int) -> None:
    print("| shape (rows x cols) | sensor build s | pedestal frame s | data frame s | "
          "normals fill s | uint16 copy s | data / normals |")
    print("|---|---|---|---|---|---|---|")
    for shape in SHAPES:
        start = time.perf_counter()
        sensor = SensorModel(shape, seed=0)
        build = time.perf_counter() - start
        sim = FrameSimulator(sensor, seed=1)
        rng = np.random.default_rng(0)
        frame = sim.pedestal_frame(0)
        pedestal = median_seconds(sim.pedestal_frame, repeats)
        data = median_seconds(sim.data_frame, repeats)
        normals = median_seconds(lambda i: rng.standard_normal(shape, dtype=np.float32), repeats)
        copy = median_seconds(lambda i: frame.copy(), repeats)
        print(f"| {shape[0]}x{shape[1]} | {build:.3f} | {pedestal:.3f} | {data:.3f} | "
              f"{normals:.3f} | {copy:.4f} | {data / normals:.1f} |")


def receiver(endpoint: str, messages: int, ready) -> None:
    socket = zmq.Context.instance().socket(zmq.PULL)
    socket.setsockopt(zmq.RCVHWM, 4)
    socket.connect(endpoint)
    ready.set()
    for _ in range(messages):
        socket.recv_multipart(copy=False)
    socket.close()


def with_receiver(endpoint: str, messages: int, send) -> float:
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=receiver, args=(endpoint, messages, ready))
    process.start()
    ready.wait(10)
    start = time.perf_counter()
    send()
    process.join(60)
    return time.perf_counter() - start


def sender_run(sim, endpoint, frames, rate_hz, pool) -> float:
    """Seconds from the first image sent to the last (the pool is generated before)."""
    stamps = []
    on_frame = lambda number, frame, truth: stamps.append(time.perf_counter())  # noqa: E731
    with DaqSender(sim, endpoint, send_timeout_s=30) as sender:
        with_receiver(sender.endpoint, frames + 2, lambda: sender.send_run(
            1, frames, rate_hz=rate_hz, pool=pool, on_frame=on_frame))
    return (stamps[-1] - stamps[0]) * frames / (frames - 1)


def bare_push_run(frame, endpoint, frames) -> float:
    socket = zmq.Context.instance().socket(zmq.PUSH)
    socket.setsockopt(zmq.SNDHWM, 4)
    socket.bind(endpoint)
    endpoint = socket.getsockopt_string(zmq.LAST_ENDPOINT)
    payload = memoryview(np.ascontiguousarray(frame)).cast("B")
    stamps = []

    def send():
        for _ in range(frames):
            socket.send_multipart([b"{}", payload], copy=False)
            stamps.append(time.perf_counter())

    with_receiver(endpoint, frames, send)
    socket.close(linger=0)
    return (stamps[-1] - stamps[0]) * frames / (frames - 1)


def sender_table(frames: int, pool: int, rate_hz: float) -> None:
    sim = FrameSimulator(SensorModel((2304, 2304), seed=0), seed=1)
    megabytes = 2304 * 2304 * 2 / 1e6
    print("| transport | sender | frames | send s | frames/s | MB/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for transport, endpoint in (("tcp", "tcp://127.0.0.1:*"), ("ipc", f"ipc://{tmp}/b.sock")):
            frame = sim.pedestal_frame(0)
            bare = frames / np.median([bare_push_run(frame, endpoint, frames) for _ in range(3)])
            fast = frames / np.median([sender_run(sim, endpoint, frames, None, pool)
                                       for _ in range(3)])
            paced = frames / sender_run(sim, endpoint, frames, rate_hz, pool)
            rows = (("bare PUSH, same bytes (peer)", bare, "1.00"),
                    (f"DaqSender --pool {pool}, --rate 0", fast, f"{fast / bare:.2f} of bare"),
                    (f"DaqSender --pool {pool}, --rate {rate_hz:g}", paced,
                     f"{paced / rate_hz:.3f} of target"))
            for name, rate, ratio in rows:
                print(f"| {transport} | {name} | {frames} | {frames / rate:.2f} | {rate:.1f} | "
                      f"{rate * megabytes:.0f} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--pool", type=int, default=8)
    parser.add_argument("--rate", type=float, default=40.0)
    args = parser.parse_args()
    generation_table(args.repeats)
    print()
    sender_table(args.frames, args.pool, args.rate)


if __name__ == "__main__":
    main()
