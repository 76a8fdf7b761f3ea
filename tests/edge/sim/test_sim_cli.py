import argparse
import threading

import pytest
import zmq

from edge.daq_protocol import decode_message
from edge.sim.cli import add_arguments, main
from edge.sim.truth_io import read_run_info, read_truth, run_directory


def parse(*argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_no_send_writes_frames_and_truth(tmp_path, capsys):
    code = main(parse("--no-send", "--out-dir", str(tmp_path), "--frames", "2", "--shape", "40x72",
                      "--run", "5", "--mix", "fe55=2"))
    assert code == 0 and "wrote 2 frames" in capsys.readouterr().out
    info = read_run_info(run_directory(tmp_path, 5))
    assert info["shape"] == [40, 72] and info["frames"] == 2
    kinds = {d["kind"] for r in read_truth(run_directory(tmp_path, 5)) for d in r["deposits"]}
    assert kinds <= {"fe55"}


def test_sends_a_pedestal_run(tmp_path, capsys):
    endpoint = f"ipc://{tmp_path}/cli.sock"
    received = []

    def pull():
        socket = zmq.Context.instance().socket(zmq.PULL)
        socket.setsockopt(zmq.RCVTIMEO, 5000)
        socket.connect(endpoint)
        for _ in range(4):
            received.append(decode_message(socket.recv_multipart()))
        socket.close(linger=0)

    thread = threading.Thread(target=pull)
    thread.start()
    code = main(parse("--endpoint", endpoint, "--pedestal", "--frames", "2", "--shape", "16x24",
                      "--rate", "0", "--send-timeout", "5"))
    thread.join(10)
    assert code == 0 and "sent 2 frames" in capsys.readouterr().out
    assert received[0].pedestal and received[1].pixels.shape == (16, 24)


def test_no_receiver_gives_exit_code_3(tmp_path, capsys):
    code = main(parse("--endpoint", f"ipc://{tmp_path}/none.sock", "--shape", "8x8",
                      "--send-timeout", "0.2", "--frames", "1"))
    assert code == 3 and "is the edge running" in capsys.readouterr().err


@pytest.mark.parametrize("option, value", [
    ("--shape", "12x"), ("--shape", "0x5"), ("--shape", "square"), ("--frames", "-3"),
    ("--frames", "many"), ("--rate", "-1"), ("--rate", "nan"), ("--run", "1.5"),
    ("--seed", "-2"), ("--pool", "0"), ("--mix", "pion=2"), ("--mix", "fe55=-1"),
    ("--mix", "fe55"), ("--endpoint", "localhost:5555"), ("--send-timeout", "0"),
    ("--drift", "inf"), ("--drift", "warm"),
])
def test_bad_values_give_one_line_naming_option_and_value(option, value, capsys):
    code = main(parse(option, value, "--no-send", "--out-dir", "unused"))
    error = capsys.readouterr().err
    assert code == 2 and error.count("\n") == 1
    assert option in error and (value in error or value.split("=")[0] in error)


def test_drift_reaches_frames_and_truth(tmp_path, capsys):
    code = main(parse("--no-send", "--out-dir", str(tmp_path), "--pedestal", "--frames", "3",
                      "--shape", "8x12", "--drift", "0.5"))
    records = read_truth(run_directory(tmp_path, 1))
    assert code == 0 and [r["offset_adu"] for r in records] == [0.0, 0.5, 1.0]
    assert read_run_info(run_directory(tmp_path, 1))["drift_adu_per_frame"] == 0.5


def test_no_send_without_out_dir_is_refused(capsys):
    assert main(parse("--no-send")) == 2
    assert "--out-dir" in capsys.readouterr().err


def test_endpoint_that_cannot_be_bound_is_one_line(capsys):
    code = main(parse("--endpoint", "tcp://256.1.1.1:5", "--frames", "1", "--shape", "8x8"))
    error = capsys.readouterr().err
    assert code == 2 and "tcp://256.1.1.1:5" in error and error.count("\n") == 1


def test_bad_ack_endpoint_is_named(capsys):
    assert main(parse("--ack-endpoint", "nowhere", "--frames", "1")) == 2
    assert "--ack-endpoint" in capsys.readouterr().err


def test_ctrl_c_ends_the_run_cleanly_with_run_end(tmp_path):
    import signal
    import subprocess
    import sys

    from edge.daq_protocol import Image, RunEnd

    endpoint = f"ipc://{tmp_path}/stop.sock"
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from edge.cli import main; sys.exit(main())", "sim",
         "--endpoint", endpoint, "--frames", "1000", "--rate", "20", "--shape", "16x24"])
    socket = zmq.Context.instance().socket(zmq.PULL)
    socket.setsockopt(zmq.RCVTIMEO, 20000)
    socket.connect(endpoint)
    try:
        messages = [decode_message(socket.recv_multipart()) for _ in range(4)]
        process.send_signal(signal.SIGINT)
        while not isinstance(messages[-1], RunEnd):
            messages.append(decode_message(socket.recv_multipart()))
        code = process.wait(20)
    finally:
        socket.close(linger=0)
        if process.poll() is None:
            process.kill()
    images = [m for m in messages if isinstance(m, Image)]
    assert code == 130 and messages[-1].frames == len(images) < 1000
