"""The simulated DAQ's side of the acknowledgement channel, against a scripted fake edge."""

import json
import threading

import pytest
import zmq

from edge.daq_protocol import Image, RunEnd, RunStart, decode_message
from edge.sim import FrameSimulator, SensorModel
from edge.sim.ack_tracker import AckTracker
from edge.sim.daq_sender import DaqSender, DaqSendTimeout


@pytest.fixture(scope="module")
def sim():
    return FrameSimulator(SensorModel((16, 24), seed=0), seed=0)


class FakeEdge(threading.Thread):
    """Pulls ``expected`` messages (or until 1 s of silence) and acks them.

    With ``hello_after=n`` the first n messages are lost (never acked), as if the edge was
    killed, and a hello follows the n-th, as from a restarted edge.
    """

    def __init__(self, data_endpoint, ack_endpoint, expected=None, ack=True, hello_after=None):
        super().__init__(daemon=True)
        context = zmq.Context.instance()
        self.pull = context.socket(zmq.PULL)
        self.pull.setsockopt(zmq.RCVTIMEO, 5000 if expected else 1000)
        self.pull.connect(data_endpoint)
        self.push = context.socket(zmq.PUSH)
        self.push.connect(ack_endpoint)
        self.expected, self.ack, self.hello_after = expected, ack, hello_after
        self.received = []

    def run(self):
        try:
            while self.expected is None or len(self.received) < self.expected:
                message = decode_message(self.pull.recv_multipart())
                self.received.append(message)
                if len(self.received) == self.hello_after:
                    self.push.send(json.dumps({"htype": "hello", "pid": 1}).encode())
                elif self.ack and len(self.received) > (self.hello_after or 0):
                    self.push.send(json.dumps(ack_for(message)).encode())
        except zmq.Again:
            pass
        finally:
            self.pull.close(linger=0)
            self.push.close(linger=1000)


def ack_for(message):
    if isinstance(message, Image):
        return {"htype": "ack", "run": message.run, "frame": message.frame}
    what = "run_start" if isinstance(message, RunStart) else "run_end"
    return {"htype": "ack", "run": message.run, what: True}


def sender(sim, tmp_path, **kwargs):
    return DaqSender(sim, f"ipc://{tmp_path}/data.sock", ack_endpoint=f"ipc://{tmp_path}/ack.sock",
                     send_timeout_s=kwargs.pop("send_timeout_s", 5), **kwargs)


def test_run_completes_when_everything_is_acknowledged(sim, tmp_path):
    with sender(sim, tmp_path) as daq:
        edge = FakeEdge(daq.endpoint, daq.ack_endpoint, expected=5)
        edge.start()
        report = daq.send_run(3, 3)
        edge.join(10)
    assert report.frames_sent == 3 and report.resent == 0
    assert isinstance(edge.received[-1], RunEnd)


def test_hello_resends_the_unacknowledged_messages_in_order(sim, tmp_path):
    with sender(sim, tmp_path) as daq:
        edge = FakeEdge(daq.endpoint, daq.ack_endpoint, hello_after=2)
        edge.start()
        report = daq.send_run(4, 3)
        edge.join(10)
    assert report.resent >= 2  # at least the two lost ones: run_start and frame 0
    starts = [i for i, m in enumerate(edge.received) if isinstance(m, RunStart)]
    assert starts[0] == 0 and len(starts) == 2  # resent first, then frame 0, in order
    assert edge.received[starts[1] + 1].frame == 0
    frames = [m.frame for m in edge.received if isinstance(m, Image)]
    assert sorted(set(frames)) == [0, 1, 2] and isinstance(edge.received[-1], RunEnd)


def test_missing_acks_raise_after_the_timeout(sim, tmp_path):
    with sender(sim, tmp_path, send_timeout_s=0.5) as daq:
        edge = FakeEdge(daq.endpoint, daq.ack_endpoint, expected=4, ack=False)
        edge.start()
        with pytest.raises(DaqSendTimeout, match="unacknowledged"):
            daq.send_run(5, 2)
        edge.join(10)


def test_full_resend_buffer_blocks_the_sender(sim, tmp_path):
    with sender(sim, tmp_path, send_timeout_s=0.5, max_unacked=2) as daq:
        edge = FakeEdge(daq.endpoint, daq.ack_endpoint, expected=10, ack=False)
        edge.start()
        with pytest.raises(DaqSendTimeout, match="before the frame 1 of run 6"):
            daq.send_run(6, 5)
    assert len(edge.received) <= 3


def test_malformed_acks_are_counted_not_fatal(tmp_path):
    tracker = AckTracker(zmq.Context.instance(), f"ipc://{tmp_path}/a.sock")
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.connect(tracker.endpoint)
    for raw in (b"not json", b'{"htype": "ack"}', b'{"htype": "what"}', b"[1]"):
        push.send(raw)
    tracker.keep(("frame", 1, 0), [b"x"])
    for _ in range(20):
        tracker.poll(lambda parts: None, 0.1)
        if tracker.bad_acks >= 4:
            break
    push.close(linger=0)
    tracker.close()
    assert tracker.bad_acks == 4 and tracker.pending == 1


def test_bad_max_unacked_is_refused(tmp_path):
    with pytest.raises(ValueError, match="max_unacked"):
        AckTracker(zmq.Context.instance(), f"ipc://{tmp_path}/b.sock", max_unacked=0)


def test_the_edge_agent_acknowledger_is_understood(sim, tmp_path):
    from edge.daq_acks import DaqAcknowledger

    with sender(sim, tmp_path) as daq:
        acknowledger = DaqAcknowledger(zmq.Context.instance(), daq.ack_endpoint)
        pull = zmq.Context.instance().socket(zmq.PULL)
        pull.setsockopt(zmq.RCVTIMEO, 1000)
        pull.connect(daq.endpoint)

        def edge():  # acks everything, starting with the agent's own hello
            try:
                while True:
                    message = decode_message(pull.recv_multipart())
                    ack = ack_for(message)
                    what = next((key for key in ("run_start", "run_end") if key in ack), None)
                    acknowledger.done(message.run, ack.get("frame"), what)
                    acknowledger.flush()
            except zmq.Again:
                pass

        thread = threading.Thread(target=edge, daemon=True)
        thread.start()
        report = daq.send_run(8, 2)  # raises DaqSendTimeout if any ack was not understood
        thread.join(10)
        pull.close(linger=0)
        acknowledger.close()
    assert report.frames_sent == 2 and not report.interrupted


def test_acks_that_keep_coming_extend_the_final_wait(tmp_path):
    tracker = AckTracker(zmq.Context.instance(), f"ipc://{tmp_path}/slow.sock")
    for frame in range(4):
        tracker.keep(("frame", 1, frame), [b"x"])
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.connect(tracker.endpoint)

    def slow_edge():  # one ack every 0.15 s: 0.6 s in all, each gap under the 0.3 s timeout
        for frame in range(4):
            threading.Event().wait(0.15)
            push.send(json.dumps({"htype": "ack", "run": 1, "frame": frame}).encode())

    thread = threading.Thread(target=slow_edge)
    thread.start()
    done = tracker.wait_until_empty(lambda parts: None, timeout_s=0.3)
    thread.join()
    push.close(linger=0)
    tracker.close()
    assert done and tracker.pending == 0


def test_hello_of_an_edge_started_before_the_daq_resends_nothing(sim, tmp_path):
    early = zmq.Context.instance().socket(zmq.PUSH)
    early.connect(f"ipc://{tmp_path}/ack.sock")  # the edge is up before the DAQ binds
    early.send(json.dumps({"htype": "hello", "pid": 7}).encode())
    with sender(sim, tmp_path) as daq:
        edge = FakeEdge(daq.endpoint, daq.ack_endpoint, expected=4)
        edge.start()
        report = daq.send_run(9, 2)
        edge.join(10)
    early.close(linger=0)
    assert report.resent == 0 and len(edge.received) == 4
