import threading
import time

import numpy as np
import pytest
import zmq

from edge.daq_protocol import Image, RunEnd, RunStart, decode_message
from edge.sim import FrameSimulator, SensorModel
from edge.sim.daq_sender import DaqSender, DaqSendTimeout
from edge.sim.frame_stream import frame_stream
from edge.sim.pacing import Pacer

SHAPE = (32, 56)


@pytest.fixture(scope="module")
def sim():
    return FrameSimulator(SensorModel(SHAPE, seed=0), seed=3)


@pytest.fixture
def endpoint(tmp_path):
    return f"ipc://{tmp_path}/daq.sock"


def receive(endpoint, count, out):
    pull = zmq.Context.instance().socket(zmq.PULL)
    pull.setsockopt(zmq.RCVTIMEO, 5000)
    pull.connect(endpoint)
    try:
        for _ in range(count):
            out.append(decode_message(pull.recv_multipart()))
    finally:
        pull.close(linger=0)


def send_and_receive(sim, endpoint, n_frames, **kwargs):
    received = []
    with DaqSender(sim, endpoint, send_timeout_s=5) as sender:
        thread = threading.Thread(target=receive, args=(endpoint, n_frames + 2, received))
        thread.start()
        report = sender.send_run(7, n_frames, **kwargs)
        thread.join(10)
    return report, received


def test_round_trip_brings_the_simulated_frames(sim, endpoint):
    report, received = send_and_receive(sim, endpoint, 3)
    assert isinstance(received[0], RunStart) and received[0].run == 7 and not received[0].pedestal
    images = received[1:-1]
    assert all(isinstance(m, Image) for m in images) and [m.frame for m in images] == [0, 1, 2]
    for k, image in enumerate(images):
        assert np.array_equal(image.pixels, sim.data_frame(k)[0])
        assert image.metadata["sim_index"] == k
    assert isinstance(received[-1], RunEnd) and received[-1].frames == 3
    assert report.frames_sent == 3 and not report.interrupted


def test_pedestal_run_is_flagged_and_has_no_signal(sim, endpoint):
    _, received = send_and_receive(sim, endpoint, 2, pedestal=True)
    assert received[0].pedestal
    assert np.array_equal(received[1].pixels, sim.pedestal_frame(0))


def test_rate_is_respected(sim, endpoint):
    report, _ = send_and_receive(sim, endpoint, 6, rate_hz=20.0)
    assert report.seconds >= 5 / 20.0 * 0.95


def test_stop_ends_the_run_with_the_count_sent(sim, endpoint):
    stop = threading.Event()
    sent = []

    def stop_after_two(number, frame, truth):
        sent.append(number)
        if number == 1:
            stop.set()

    received = []
    with DaqSender(sim, endpoint, send_timeout_s=5) as sender:
        thread = threading.Thread(target=receive, args=(endpoint, 4, received))
        thread.start()
        report = sender.send_run(7, 50, stop=stop, on_frame=stop_after_two)
        thread.join(10)
    assert report.interrupted and report.frames_sent == 2
    assert isinstance(received[-1], RunEnd) and received[-1].frames == 2


def test_nobody_connected_raises_after_the_timeout(sim, endpoint):
    started = time.monotonic()
    with DaqSender(sim, endpoint, send_timeout_s=0.2) as sender:
        with pytest.raises(DaqSendTimeout, match="run_start of run 1"):
            sender.send_run(1, 2)
    assert time.monotonic() - started < 3


def test_bad_endpoint_is_named(sim):
    with pytest.raises(ValueError, match="'bogus://x'"):
        DaqSender(sim, "bogus://x")


def test_pedestal_stream_has_truth_without_deposits(sim):
    (frame, truth), = list(frame_stream(sim, 1, pedestal=True, first_index=4))
    assert truth.index == 4 and truth.deposits == [] and np.array_equal(frame, sim.pedestal_frame(4))


def test_pool_cycles_generated_frames(sim):
    frames = [frame for frame, _ in frame_stream(sim, 5, pool=2)]
    assert np.array_equal(frames[0], frames[2]) and np.array_equal(frames[1], frames[3])
    assert not np.array_equal(frames[0], frames[1])


@pytest.mark.parametrize("name, kwargs", [("n_frames", {"n_frames": -1}), ("pool", {"pool": 0}),
                                          ("first_index", {"first_index": "x"})])
def test_frame_stream_refuses_bad_counts(sim, name, kwargs):
    arguments = {"n_frames": 2, **kwargs}
    with pytest.raises(ValueError, match=name):
        list(frame_stream(sim, **arguments))


@pytest.mark.parametrize("rate", [0, -1, float("inf"), "fast"])
def test_pacer_refuses_bad_rates(rate):
    with pytest.raises(ValueError, match="rate_hz"):
        Pacer(rate)


def test_pacer_returns_false_once_stopped():
    stop = threading.Event()
    pacer = Pacer(1.0)
    assert pacer.wait(stop)
    stop.set()
    assert not pacer.wait(stop)


def test_images_carry_environment_readings(sim, endpoint):
    _, received = send_and_receive(sim, endpoint, 1)
    assert 890 < received[1].metadata["Lime_pressure"] < 920
    assert "Humidity" in received[1].metadata
