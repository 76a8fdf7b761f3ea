"""Optional acknowledgements from the edge back to the DAQ (``[daq] ack_endpoint``).

PUSH/PULL alone cannot survive a ``kill -9`` of the edge: frames inside ZeroMQ and TCP
buffers at that moment are gone. A DAQ that wants no frame lost binds a PULL socket at
``ack_endpoint``; the edge connects a PUSH socket there and sends, as one-part JSON:

- ``{"htype": "hello", "pid": <int>}`` when the agent starts (a restarted edge: resend),
- ``{"htype": "ack", "run": R, "frame": F}`` once frame F is durably spooled or quarantined,
- ``{"htype": "ack", "run": R, "run_start": true}`` / ``{"htype": "ack", "run": R, "run_end": true}``.

The DAQ keeps the messages not yet acknowledged and sends them again after a
``hello``; the edge stores a resent frame under the same key, so nothing is stored
twice. ZeroMQ sockets are not thread-safe: workers queue acks, the receive loop sends.
"""

import json
import os
import queue

import zmq

__all__ = ["DaqAcknowledger", "NoAcknowledger"]


class NoAcknowledger:
    """Used when no ``ack_endpoint`` is configured: a plain PUSH/PULL DAQ."""

    def done(self, run: int, frame: int | None = None, what: str | None = None) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class DaqAcknowledger(NoAcknowledger):
    """Sends acks to the DAQ's PULL socket; a DAQ that reads none is not slowed down."""

    def __init__(self, context: zmq.Context, endpoint: str):
        self._pending: queue.SimpleQueue = queue.SimpleQueue()
        self._socket = context.socket(zmq.PUSH)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.SNDHWM, 10_000)
        self._socket.connect(endpoint)
        self._pending.put({"htype": "hello", "pid": os.getpid()})

    def done(self, run: int, frame: int | None = None, what: str | None = None) -> None:
        """Queue an ack (thread-safe); ``what`` is ``run_start`` or ``run_end`` for run documents."""
        message = {"htype": "ack", "run": run}
        if frame is not None:
            message["frame"] = frame
        if what is not None:
            message[what] = True
        self._pending.put(message)

    def flush(self) -> None:
        """Send queued acks; called from the receive loop, the socket's only user."""
        while True:
            try:
                message = self._pending.get_nowait()
            except queue.Empty:
                return
            try:
                self._socket.send(json.dumps(message).encode(), zmq.NOBLOCK)
            except zmq.Again:
                return  # the DAQ reads no acks right now; it will resend, we dedupe

    def close(self) -> None:
        self._socket.close()
