"""One received message, start to finish: validate, store (or quarantine), decide the ack.

:meth:`ItemProcessor.process` is what each worker thread runs. It returns the
:class:`edge.wire.Ack` to publish, or None when nothing may be acknowledged (the run is
not complete yet, or storage kept failing: the edge will resend). It never raises: a
bug or an outage is logged and counted, and the sink goes on with the next message.
"""

import json
import logging
import threading
import time
from collections import Counter

from edge.wire import Ack, digest

from . import layout
from .errors import QuarantineError
from .handlers import HANDLERS, Stores
from .run_end import RunEndHandler
from .validation import topic_parts, validate_message

__all__ = ["ItemProcessor"]

log = logging.getLogger(__name__)


class ItemProcessor:
    """Validates and stores messages; thread-safe; keeps counters of what happened."""

    def __init__(self, stores: Stores, run_end: RunEndHandler | None = None):
        self.stores = stores
        self.handlers = {**HANDLERS, "run_stop": run_end or RunEndHandler()}
        self._counts: Counter = Counter()
        self._lock = threading.Lock()

    def counts(self) -> dict:
        """How many messages were stored / quarantined / deferred / failed, per outcome and kind."""
        with self._lock:
            return dict(self._counts)

    def process(self, topic: str, payload: bytes) -> Ack | None:
        envelope_digest = digest(payload)
        try:
            envelope = validate_message(topic, payload)
        except QuarantineError as exc:
            return self._quarantine(topic, payload, envelope_digest, str(exc))
        try:
            stored = self.handlers[envelope.kind](self.stores, envelope, envelope_digest)
        except QuarantineError as exc:  # a store refused the item as malformed: it never will take it
            return self._quarantine(topic, payload, envelope_digest, str(exc))
        except Exception as exc:  # noqa: BLE001 - an outage or a bug must not stop the sink
            log.error("%s not stored (%s: %s); not acknowledged, the edge will resend it",
                      envelope.key, type(exc).__name__, exc)
            self._count("failed", envelope.kind)
            return None
        self._count("stored" if stored else "deferred", envelope.kind)
        return Ack(envelope.key, envelope_digest) if stored else None

    def _quarantine(self, topic: str, payload: bytes, envelope_digest: str, reason: str) -> Ack | None:
        detector, kind = topic_parts(topic)
        body_key, reason_key = layout.quarantine_keys(_safe(detector), _safe(kind), envelope_digest)
        log.error("quarantining a message on %r as %s: %s", topic, body_key, reason)
        record = {"topic": topic, "reason": reason, "digest": envelope_digest,
                  "bytes": len(payload), "received_unix_s": time.time()}
        try:
            self.stores.s3.put(body_key, payload, {"digest": envelope_digest})
            self.stores.s3.put(reason_key, json.dumps(record, indent=1).encode())
        except Exception as exc:  # noqa: BLE001
            log.error("could not store quarantined message %s (%s: %s)", body_key,
                      type(exc).__name__, exc)
            self._count("failed", "quarantine")
            return None
        self._count("quarantined", kind)
        return Ack(_key_guess(payload, envelope_digest), envelope_digest)

    def _count(self, outcome: str, kind: str) -> None:
        with self._lock:
            self._counts[outcome] += 1
            self._counts[f"{outcome}_{_safe(kind)}"] += 1


def _safe(part: str) -> str:
    """A topic level made safe for an S3 key (a bad detector name is what got us here)."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in part)
    return cleaned[:64] or "_"


def _key_guess(payload: bytes, envelope_digest: str) -> str:
    """The item key the edge used, if the header says; it lets the edge drop the bad item."""
    fallback = f"quarantine-{envelope_digest}"
    try:  # the envelope prefix: 4-byte magic, 1-byte version, 4-byte big-endian header length
        header_len = int.from_bytes(payload[5:9], "big")
        key = json.loads(payload[9:9 + header_len]).get("key")
    except (ValueError, AttributeError):  # a garbage payload has no key
        return fallback
    return key if isinstance(key, str) else fallback
