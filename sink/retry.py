"""Retrying a storage call with capped exponential back-off, for S3 and InfluxDB alike."""

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import StoreError

__all__ = ["RetryPolicy", "retry"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying: delays ``first_delay_s * 2**n`` capped at ``max_delay_s``,
    with up to 25 % jitter, until ``max_total_s`` has passed."""

    max_total_s: float = 60.0
    first_delay_s: float = 0.2
    max_delay_s: float = 10.0

    def delays(self):
        delay = self.first_delay_s
        while True:
            yield delay * (1.0 + 0.25 * random.random())
            delay = min(delay * 2.0, self.max_delay_s)


def retry(call: Callable[[], T], what: str, policy: RetryPolicy,
          retryable: tuple = (Exception,), sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``call()``; on a ``retryable`` error, wait and try again until the policy's time is up.

    Raises
    ------
    StoreError
        Naming ``what`` and the last error, once ``max_total_s`` is used up.
    Any non-retryable exception from ``call`` propagates at once.
    """
    deadline = time.monotonic() + policy.max_total_s
    attempt = 0
    for delay in policy.delays():
        attempt += 1
        try:
            return call()
        except retryable as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StoreError(f"{what} failed {attempt} times over {policy.max_total_s:g} s; "
                                 f"last error: {type(exc).__name__}: {exc}") from exc
            log.warning("%s failed (attempt %d: %s: %s); retrying in %.1f s",
                        what, attempt, type(exc).__name__, exc, min(delay, remaining))
            sleep(min(delay, remaining))
    raise AssertionError("unreachable")  # pragma: no cover - delays() is endless
