"""Frame-rate control for the simulated DAQ: wait until each frame's slot, never burst."""

import threading
import time

__all__ = ["Pacer"]


class Pacer:
    """Spaces events ``1 / rate_hz`` apart on an absolute schedule.

    Parameters
    ----------
    rate_hz : float or None
        Target rate (> 0); None means as fast as possible.
    max_lag_s : float
        When the caller falls further behind than this, the schedule restarts from now
        instead of sending a burst to catch up.
    """

    def __init__(self, rate_hz=None, max_lag_s: float = 1.0):
        if rate_hz is not None and not (isinstance(rate_hz, (int, float)) and rate_hz > 0
                                        and rate_hz != float("inf")):
            raise ValueError(f"rate_hz must be a finite number > 0 or None, got {rate_hz!r}")
        self.period = None if rate_hz is None else 1.0 / rate_hz
        self.max_lag_s = max_lag_s
        self._next = None

    def wait(self, stop: threading.Event | None = None) -> bool:
        """Sleep until the next slot; False if ``stop`` was set meanwhile."""
        if stop is not None and stop.is_set():
            return False
        if self.period is None:
            return True
        now = time.monotonic()
        if self._next is None or now - self._next > self.max_lag_s:
            self._next = now
        delay = self._next - now
        self._next += self.period
        if delay <= 0:
            return True
        if stop is None:
            time.sleep(delay)
            return True
        return not stop.wait(delay)
