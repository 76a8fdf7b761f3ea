"""Binding a ZeroMQ socket when the previous owner of the address has only just closed."""

import time

import zmq

__all__ = ["bind_with_retry"]


def bind_with_retry(socket: zmq.Socket, endpoint: str, patience_s: float = 2.0) -> str:
    """Bind ``socket`` to ``endpoint`` and return the address actually bound.

    ZeroMQ closes sockets asynchronously, so a port freed by the previous run (or test)
    may stay busy for a few milliseconds: ``EADDRINUSE`` is retried for ``patience_s``.
    ``tcp://host:*`` binds a free port; the returned string names it.

    Raises
    ------
    ValueError
        The endpoint cannot be bound; the message echoes it. The socket is closed.
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            socket.bind(endpoint)
            return socket.getsockopt_string(zmq.LAST_ENDPOINT)
        except zmq.ZMQError as exc:
            if exc.errno == zmq.EADDRINUSE and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            socket.close(linger=0)
            raise ValueError(f"cannot bind endpoint {endpoint!r}: {exc}") from None
