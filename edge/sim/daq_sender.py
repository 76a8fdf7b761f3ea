"""The simulated DAQ: binds a ZeroMQ PUSH socket and sends runs (run_start, images, run_end).

PUSH blocks when the edge applies back-pressure (or nobody is connected): that is the
real DAQ's behaviour. A send that stays blocked longer than ``send_timeout_s`` raises
:class:`DaqSendTimeout` instead of hanging forever.
"""

import threading
import time
from dataclasses import dataclass

import zmq

from ..daq_protocol import encode_image, encode_run_end, encode_run_start
from ..errors import EdgeError
from .deposits import ADU_PER_KEV
from .frame_stream import frame_stream
from .frames import FrameSimulator
from .pacing import Pacer

__all__ = ["DEFAULT_ENDPOINT", "DaqSendTimeout", "RunReport", "DaqSender"]

DEFAULT_ENDPOINT = "tcp://127.0.0.1:5555"


class DaqSendTimeout(EdgeError, TimeoutError):
    """No PULL peer took a message within the send timeout."""


@dataclass(frozen=True)
class RunReport:
    """What :meth:`DaqSender.send_run` did."""

    run: int
    pedestal: bool
    frames_sent: int
    seconds: float
    interrupted: bool

    @property
    def rate_hz(self) -> float:
        return self.frames_sent / self.seconds if self.seconds > 0 else 0.0


class DaqSender:
    """A simulated camera DAQ bound to ``endpoint``; use as a context manager.

    Parameters
    ----------
    simulator : FrameSimulator
        Makes the frames.
    endpoint : str
        ZeroMQ endpoint to bind (``tcp://host:port``, ``tcp://host:*`` for a free port, or
        ``ipc://path``); :attr:`endpoint` then holds the address actually bound.
    send_timeout_s : float
        Longest a single message may wait for a peer before :class:`DaqSendTimeout`.
    exposure_s : float
        Exposure written in every image header (LIME: 0.3 s).
    high_water_mark : int
        Messages ZeroMQ may queue on this side before ``send`` blocks.
    """

    def __init__(self, simulator: FrameSimulator, endpoint: str = DEFAULT_ENDPOINT, *,
                 send_timeout_s: float = 30.0, exposure_s: float = 0.3,
                 high_water_mark: int = 4, context: zmq.Context | None = None):
        if not isinstance(simulator, FrameSimulator):
            raise TypeError(f"simulator must be a FrameSimulator, got {type(simulator).__name__}")
        if not (isinstance(send_timeout_s, (int, float)) and send_timeout_s > 0):
            raise ValueError(f"send_timeout_s must be a number > 0, got {send_timeout_s!r}")
        self.simulator, self.endpoint = simulator, endpoint
        self.send_timeout_s, self.exposure_s = float(send_timeout_s), float(exposure_s)
        self._socket = (context or zmq.Context.instance()).socket(zmq.PUSH)
        self._socket.setsockopt(zmq.SNDTIMEO, int(send_timeout_s * 1000))
        self._socket.setsockopt(zmq.LINGER, int(min(send_timeout_s, 2.0) * 1000))
        self._socket.setsockopt(zmq.SNDHWM, high_water_mark)
        try:
            _bind(self._socket, endpoint)
        except zmq.ZMQError as exc:
            self._socket.close(linger=0)
            raise ValueError(f"cannot bind endpoint {endpoint!r}: {exc}") from None
        # The bound address: ``tcp://127.0.0.1:*`` becomes the port the system chose.
        self.endpoint = self._socket.getsockopt_string(zmq.LAST_ENDPOINT)

    def send_run(self, run: int, n_frames: int, pedestal: bool = False, rate_hz=None, *,
                 pool=None, first_index: int = 0, stop: threading.Event | None = None,
                 on_frame=None) -> RunReport:
        """Send one run: ``run_start``, ``n_frames`` images at ``rate_hz``, ``run_end``.

        Parameters
        ----------
        run : int
        n_frames : int
        pedestal : bool
            A pedestal run (no signal in the frames).
        rate_hz : float, optional
            Frames per second; None sends as fast as the peer takes them.
        pool, first_index
            See :func:`frame_stream`.
        stop : threading.Event, optional
            When set, no further image is sent; ``run_end`` then counts the images sent.
        on_frame : callable, optional
            Called as ``on_frame(frame_number, frame, truth)`` after each image is sent.

        Raises
        ------
        DaqSendTimeout
            A message waited longer than ``send_timeout_s`` for a peer.
        """
        frames = frame_stream(self.simulator, n_frames, pedestal, pool, first_index)
        pacer, sent, started = Pacer(rate_hz), 0, time.monotonic()
        self._send(encode_run_start(run, pedestal, **self._run_metadata()), f"run_start of run {run}")
        for frame, truth in frames:
            if not pacer.wait(stop):
                break
            index = first_index + sent if truth is None else truth.index
            message = encode_image(run, sent, frame, time.time(), self.exposure_s,
                                   source="cygno-edge-sim", sim_index=index)
            self._send(message, f"frame {sent} of run {run}")
            if on_frame is not None:
                on_frame(sent, frame, truth)
            sent += 1
        interrupted = sent < n_frames
        self._send(encode_run_end(run, sent), f"run_end of run {run}")
        return RunReport(run, bool(pedestal), sent, time.monotonic() - started, interrupted)

    def _run_metadata(self) -> dict:
        sim = self.simulator
        return {"source": "cygno-edge-sim", "shape": list(sim.shape), "seed": sim.seed,
                "camera_seed": sim.sensor.seed, "mix": sim.mix, "adu_per_kev": ADU_PER_KEV}

    def _send(self, parts: list, what: str) -> None:
        try:
            self._socket.send_multipart(parts, copy=False)
        except zmq.Again:
            raise DaqSendTimeout(f"no receiver took the {what} within send_timeout_s="
                                 f"{self.send_timeout_s:g} s on {self.endpoint!r}: "
                                 f"is the edge running and connected?") from None

    def close(self) -> None:
        """Close the socket; unsent messages are dropped after at most 2 s."""
        self._socket.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _bind(socket: zmq.Socket, endpoint: str, patience_s: float = 2.0) -> None:
    """Bind, retrying for a moment if the address is still held by a socket just closed.

    ZeroMQ closes sockets asynchronously, so a port freed by the previous run (or test)
    may stay busy for a few milliseconds.
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            socket.bind(endpoint)
            return
        except zmq.ZMQError as exc:
            if exc.errno != zmq.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
