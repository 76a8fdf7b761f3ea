"""``cygno-edge sim``: simulate the camera and the DAQ (PUSH socket), optionally write truth files.

Registered by ``edge/cli.py`` as ``from edge.sim.cli import add_arguments, main``.
Exit codes: 0 done, 2 bad option, 3 no receiver (or no acks) within the send timeout,
130/143 stopped by SIGINT/SIGTERM (``run_end`` is still sent with the frames sent).
"""

import signal
import sys
import threading

from tqdm import tqdm

from .cli_options import OptionError, parse_options
from .daq_sender import DEFAULT_ENDPOINT, DaqSender, DaqSendTimeout
from .deposits import KINDS
from .frame_stream import frame_stream
from .frames import DEFAULT_MIX, FrameSimulator
from .sensor import SensorModel
from .truth_io import TruthWriter

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Declare the ``sim`` options on an argparse (sub)parser; values are checked in :func:`main`."""
    default_mix = ",".join(f"{kind}={mean:g}" for kind, mean in DEFAULT_MIX.items())
    add = parser.add_argument
    add("--endpoint", default=DEFAULT_ENDPOINT, help="ZeroMQ endpoint to bind (default %(default)s)")
    add("--run", default="1", help="run number (default %(default)s)")
    add("--frames", default=None, help="images in the run (default 400, or 100 with --pedestal)")
    add("--pedestal", action="store_true", help="a pedestal run: HV off, no signal")
    add("--rate", default="1.7", help="frames per second, 0 = as fast as the receiver takes "
                                      "them (default %(default)s, LIME's rate)")
    add("--shape", default="2304x2304", help="frame ROWSxCOLS as in the image header "
                                             "(default %(default)s; ORCA-Quest: 2304x4096)")
    add("--seed", default="0", help="seed of the frames (noise and deposits)")
    add("--camera-seed", default="0", help="seed of the camera maps; keep it equal between a "
                                           "pedestal run and the data runs it serves")
    add("--mix", default=None, help=f"mean deposits per frame, kinds {sorted(KINDS)}; "
                                    f"unnamed kinds get 0 (default {default_mix})")
    add("--out-dir", default=None, help="also write frames (.npy) and truth (.jsonl, .npz) here")
    add("--no-send", action="store_true", help="do not open a socket (needs --out-dir)")
    add("--pool", default=None, help="pre-generate N frames and cycle them (high rates)")
    add("--send-timeout", default="30", help="seconds a message may wait for a receiver "
                                             "before giving up (default %(default)s)")
    add("--exposure", default="0.3", help="exposure_s in the image headers (default %(default)s)")
    add("--drift", default="0", help="pedestal drift in ADU per frame (sensor temperature), "
                                     "for pedestal-tracking tests (default 0)")
    add("--ack-endpoint", default=None, help="bind a PULL socket here for the edge's acks "
                                            "([daq] ack_endpoint) and resend what a restarted "
                                            "edge never stored")


def main(args) -> int:
    """Run the simulator with parsed ``args``; returns the exit code."""
    try:
        options = parse_options(args)
    except OptionError as exc:
        print(f"cygno-edge sim: error: {exc}", file=sys.stderr)
        return 2
    simulator = FrameSimulator(SensorModel(options.shape, options.camera_seed), options.seed,
                               options.mix, options.drift_adu_per_frame)
    stop, caught = threading.Event(), []
    with _StopOnSignals(stop, caught), _writer(options, simulator) as writer, \
            tqdm(total=options.frames, unit="frame", disable=not sys.stderr.isatty()) as bar:

        def on_frame(number, frame, truth):
            if writer is not None:
                writer.write(number, frame, truth)
            bar.update()

        try:
            summary = _run(options, simulator, stop, on_frame)
        except DaqSendTimeout as exc:
            print(f"cygno-edge sim: error: {exc}", file=sys.stderr)
            return 3
        except OptionError as exc:
            print(f"cygno-edge sim: error: {exc}", file=sys.stderr)
            return 2
    if writer is not None:
        summary += f"; frames and truth in {writer.directory}"
    print(summary)
    return {signal.SIGINT: 130, signal.SIGTERM: 143}.get(caught[0], 1) if caught else 0


def _run(options, simulator, stop, on_frame) -> str:
    kind = "pedestal run" if options.pedestal else "run"
    if not options.send:
        written = 0
        for frame, truth in frame_stream(simulator, options.frames, options.pedestal, options.pool):
            if stop.is_set():
                break
            on_frame(written, frame, truth)
            written += 1
        return f"{kind} {options.run}: wrote {written} frames"
    try:
        sender = DaqSender(simulator, options.endpoint, send_timeout_s=options.send_timeout_s,
                           exposure_s=options.exposure_s, ack_endpoint=options.ack_endpoint)
    except ValueError as exc:  # an endpoint that cannot be bound
        raise OptionError(f"--endpoint/--ack-endpoint: {exc}") from None
    with sender:
        report = sender.send_run(options.run, options.frames, options.pedestal, options.rate_hz,
                                 pool=options.pool, stop=stop, on_frame=on_frame)
    acked = f", all acknowledged, {report.resent} resent" if options.ack_endpoint else ""
    return (f"{kind} {report.run}: sent {report.frames_sent} frames in {report.seconds:.1f} s "
            f"({report.rate_hz:.2f} frames/s) on {sender.endpoint}{acked}")


def _writer(options, simulator):
    if options.out_dir is None:
        return _Nothing()
    info = {"shape": list(simulator.shape), "seed": simulator.seed,
            "camera_seed": simulator.sensor.seed, "mix": simulator.mix,
            "drift_adu_per_frame": simulator.drift_adu_per_frame}
    return TruthWriter(options.out_dir, options.run, options.pedestal, info)


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class _StopOnSignals:
    """First SIGINT/SIGTERM sets ``stop`` (the run ends cleanly); a second one interrupts."""

    def __init__(self, stop: threading.Event, caught: list):
        self.stop, self.caught, self.previous = stop, caught, {}

    def _handle(self, number, _frame):
        self.caught.append(number)
        self.stop.set()
        signal.signal(number, self.previous.get(number, signal.SIG_DFL))

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self.previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc):
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        return False
