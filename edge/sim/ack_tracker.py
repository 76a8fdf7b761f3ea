"""The DAQ side of the optional acknowledgement channel (docs/daq-protocol.md).

The DAQ binds a PULL socket; the edge pushes ``ack`` messages once a message is durably
on its disk and ``hello`` when it (re)starts. The tracker keeps every sent message until
its ack arrives and sends all unacknowledged ones again, in order, after a ``hello``.
"""

import json
import time
from collections import OrderedDict

import zmq

from .binding import bind_with_retry

__all__ = ["AckTracker", "message_key"]


def message_key(run: int, frame: int | None = None, what: str | None = None) -> tuple:
    """Key naming a sent message: ``("frame", run, frame)`` or ``(what, run)``."""
    return ("frame", int(run), int(frame)) if frame is not None else (what, int(run))


class AckTracker:
    """Sent-but-unacknowledged messages, bounded to ``max_unacked``.

    Parameters
    ----------
    context : zmq.Context
    endpoint : str
        Where to bind the PULL socket the edge's acks arrive on.
    max_unacked : int
        When this many messages await an ack, the sender must wait (:attr:`full`).
    """

    def __init__(self, context: zmq.Context, endpoint: str, max_unacked: int = 32):
        if isinstance(max_unacked, bool) or not isinstance(max_unacked, int) or max_unacked < 1:
            raise ValueError(f"max_unacked must be an int >= 1, got {max_unacked!r}")
        self.max_unacked = max_unacked
        self._pending: OrderedDict = OrderedDict()
        self.resent = self.hellos = self.bad_acks = 0
        self._socket = context.socket(zmq.PULL)
        self._socket.setsockopt(zmq.LINGER, 0)
        self.endpoint = bind_with_retry(self._socket, endpoint)

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def full(self) -> bool:
        return len(self._pending) >= self.max_unacked

    def keep(self, key: tuple, parts: list) -> None:
        """Remember a message just sent until its ack arrives."""
        self._pending[key] = parts

    def poll(self, resend, timeout_s: float = 0.0) -> None:
        """Read the acks waiting (the first one for up to ``timeout_s``).

        ``resend(parts)`` is called for every pending message, in order, after a ``hello``.
        """
        wait_ms = int(timeout_s * 1000)
        while self._socket.poll(wait_ms):
            wait_ms = 0
            self._handle(self._socket.recv(), resend)

    def settle(self, timeout_s: float = 0.3) -> bool:
        """Wait (briefly) for the hello of an edge that started before this DAQ bound.

        Such an edge queued its hello while nobody listened; ZeroMQ delivers it within its
        reconnect interval (0.1 s) of the bind. Read before anything is sent, it resends
        nothing; read later it would resend the whole buffer for no reason.
        Returns True if a hello arrived.
        """
        hellos, deadline = self.hellos, time.monotonic() + timeout_s
        while self.hellos == hellos and time.monotonic() < deadline:
            self.poll(lambda parts: None, min(0.05, max(0.0, deadline - time.monotonic())))
        return self.hellos > hellos

    def wait_until_empty(self, resend, timeout_s: float) -> bool:
        """Poll until every message is acknowledged.

        Returns False when ``timeout_s`` passed without any new ack (a slow edge working
        through a backlog keeps the wait alive as long as acks keep coming).
        """
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            before = len(self._pending)
            self.poll(resend, min(0.1, max(0.0, deadline - time.monotonic())))
            if len(self._pending) < before:
                deadline = time.monotonic() + timeout_s
        return not self._pending

    def _handle(self, raw: bytes, resend) -> None:
        try:
            message = json.loads(raw)
            htype = message["htype"]
        except (ValueError, TypeError, KeyError):
            self.bad_acks += 1
            return
        if htype == "hello":
            self.hellos += 1
            for parts in list(self._pending.values()):
                resend(parts)
                self.resent += 1
        elif htype == "ack":
            self._pending.pop(self._ack_key(message), None)
        else:
            self.bad_acks += 1

    def _ack_key(self, message: dict):
        try:
            if "frame" in message:
                return message_key(message["run"], message["frame"])
            what = "run_start" if message.get("run_start") else "run_end"
            return message_key(message["run"], what=what)
        except (KeyError, TypeError, ValueError):
            self.bad_acks += 1
            return None

    def close(self) -> None:
        self._socket.close(linger=0)
