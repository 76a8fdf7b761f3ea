"""The simulated DAQ: binds a ZeroMQ PUSH socket and sends runs (run_start, images, run_end).

PUSH blocks when the edge applies back-pressure (or nobody is connected): that is the
real DAQ's behaviour. A send that stays blocked longer than ``send_timeout_s`` raises
:class:`DaqSendTimeout` instead of hanging forever. With ``ack_endpoint`` the sender also
keeps every message until the edge acknowledges it and resends after an edge restart.
"""

import threading
import time
from dataclasses import dataclass

import zmq

from ..daq_protocol import encode_image, encode_run_end, encode_run_start
from ..errors import EdgeError
from .ack_tracker import AckTracker, message_key
from .binding import bind_with_retry
from .deposits import ADU_PER_KEV
from .environment import environment_reading
from .frame_stream import frame_stream
from .frames import FrameSimulator
from .pacing import Pacer

__all__ = ["DEFAULT_ENDPOINT", "DaqSendTimeout", "RunReport", "DaqSender"]

DEFAULT_ENDPOINT = "tcp://127.0.0.1:5555"


class DaqSendTimeout(EdgeError, TimeoutError):
    """No PULL peer took a message (or no ack came back) within the send timeout."""


@dataclass(frozen=True)
class RunReport:
    """What :meth:`DaqSender.send_run` did; ``resent`` counts messages sent again after a hello."""

    run: int
    pedestal: bool
    frames_sent: int
    seconds: float
    interrupted: bool
    resent: int = 0

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
        Longest a message may wait for a peer (or, with acks, for room in the resend
        buffer; or the end of a run for its next ack) before :class:`DaqSendTimeout`.
    exposure_s : float
        Exposure written in every image header (LIME: 0.3 s).
    high_water_mark : int
        Messages ZeroMQ may queue on this side before ``send`` blocks.
    ack_endpoint : str, optional
        Bind a PULL socket here for the edge's acknowledgements (``[daq] ack_endpoint``).
    max_unacked : int
        With acks: messages kept for resending; sending waits when this many are unacked.
    """

    def __init__(self, simulator: FrameSimulator, endpoint: str = DEFAULT_ENDPOINT, *,
                 send_timeout_s: float = 30.0, exposure_s: float = 0.3,
                 high_water_mark: int = 4, context: zmq.Context | None = None,
                 ack_endpoint: str | None = None, max_unacked: int = 32):
        if not isinstance(simulator, FrameSimulator):
            raise TypeError(f"simulator must be a FrameSimulator, got {type(simulator).__name__}")
        if not (isinstance(send_timeout_s, (int, float)) and send_timeout_s > 0):
            raise ValueError(f"send_timeout_s must be a number > 0, got {send_timeout_s!r}")
        self.simulator = simulator
        self.send_timeout_s, self.exposure_s = float(send_timeout_s), float(exposure_s)
        context = context or zmq.Context.instance()
        self._socket = context.socket(zmq.PUSH)
        self._socket.setsockopt(zmq.SNDTIMEO, int(send_timeout_s * 1000))
        self._socket.setsockopt(zmq.LINGER, int(min(send_timeout_s, 2.0) * 1000))
        self._socket.setsockopt(zmq.SNDHWM, high_water_mark)
        self.endpoint = bind_with_retry(self._socket, endpoint)
        self._acks = None
        if ack_endpoint is not None:
            try:
                self._acks = AckTracker(context, ack_endpoint, max_unacked)
            except ValueError:
                self._socket.close(linger=0)
                raise
            self._acks.settle()

    @property
    def ack_endpoint(self) -> str | None:
        """The address the ack PULL socket is bound to, or None without acks."""
        return None if self._acks is None else self._acks.endpoint

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
            A message waited longer than ``send_timeout_s`` for a peer, or (with acks)
            the edge did not acknowledge everything within ``send_timeout_s``.
        """
        frames = frame_stream(self.simulator, n_frames, pedestal, pool, first_index)
        pacer, sent, started = Pacer(rate_hz), 0, time.monotonic()
        resent_before = 0 if self._acks is None else self._acks.resent
        self._deliver(message_key(run, what="run_start"),
                      encode_run_start(run, pedestal, **self._run_metadata()), f"run_start of run {run}")
        for frame, truth in frames:
            if not pacer.wait(stop):
                break
            message = encode_image(run, sent, frame, time.time(), self.exposure_s,
                                   source="cygno-edge-sim", sim_index=truth.index,
                                   **environment_reading(self.simulator.seed, truth.index))
            self._deliver(message_key(run, sent), message, f"frame {sent} of run {run}")
            if on_frame is not None:
                on_frame(sent, frame, truth)
            sent += 1
        self._deliver(message_key(run, what="run_end"), encode_run_end(run, sent),
                      f"run_end of run {run}")
        self._wait_for_acks(run)
        resent = 0 if self._acks is None else self._acks.resent - resent_before
        return RunReport(run, bool(pedestal), sent, time.monotonic() - started, sent < n_frames,
                         resent)

    def _run_metadata(self) -> dict:
        sim = self.simulator
        return {"source": "cygno-edge-sim", "shape": list(sim.shape), "seed": sim.seed,
                "camera_seed": sim.sensor.seed, "mix": sim.mix, "adu_per_kev": ADU_PER_KEV}

    def _deliver(self, key: tuple, parts: list, what: str) -> None:
        if self._acks is not None:
            self._wait_for_room(what)
        self._send(parts, what)
        if self._acks is not None:
            self._acks.keep(key, parts)
            self._acks.poll(self._resend)

    def _wait_for_room(self, what: str) -> None:
        deadline = time.monotonic() + self.send_timeout_s
        while self._acks.full:
            if time.monotonic() > deadline:
                raise DaqSendTimeout(f"{self._acks.pending} messages unacknowledged for "
                                     f"send_timeout_s={self.send_timeout_s:g} s before the {what} "
                                     f"(acks on {self._acks.endpoint!r}): is the edge running?")
            self._acks.poll(self._resend, 0.1)

    def _wait_for_acks(self, run: int) -> None:
        if self._acks is not None and not self._acks.wait_until_empty(self._resend,
                                                                      self.send_timeout_s):
            raise DaqSendTimeout(f"run {run}: {self._acks.pending} messages still unacknowledged, "
                                 f"no ack for send_timeout_s={self.send_timeout_s:g} s "
                                 f"(acks on {self._acks.endpoint!r})")

    def _resend(self, parts: list) -> None:
        self._send(parts, "resent message")

    def _send(self, parts: list, what: str) -> None:
        try:
            self._socket.send_multipart(parts, copy=False)
        except zmq.Again:
            raise DaqSendTimeout(f"no receiver took the {what} within send_timeout_s="
                                 f"{self.send_timeout_s:g} s on {self.endpoint!r}: "
                                 f"is the edge running and connected?") from None

    def close(self) -> None:
        """Close the sockets; unsent messages are dropped after at most 2 s."""
        self._socket.close()
        if self._acks is not None:
            self._acks.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
