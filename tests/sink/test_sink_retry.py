import pytest

from sink.errors import StoreError
from sink.retry import RetryPolicy, retry


class Flaky:
    def __init__(self, failures, error=None):
        self.failures = failures
        self.error = error or ConnectionError("refused")
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


def test_transient_errors_are_retried_with_growing_delays():
    sleeps = []
    call = Flaky(3)
    policy = RetryPolicy(max_total_s=60, first_delay_s=0.1, max_delay_s=0.3)
    assert retry(call, "S3 put 'k'", policy, sleep=sleeps.append) == "ok"
    assert call.calls == 4
    for slept, base in zip(sleeps, [0.1, 0.2, 0.3], strict=True):  # doubling, capped, +0-25 % jitter
        assert base <= slept <= base * 1.25


def test_gives_up_with_store_error_naming_operation_and_last_error():
    with pytest.raises(StoreError, match=r"S3 put 'k' failed \d+ times.*ConnectionError: refused"):
        retry(Flaky(10**6), "S3 put 'k'", RetryPolicy(max_total_s=0.05, first_delay_s=0.01))


def test_non_retryable_error_propagates_at_once():
    call = Flaky(1, KeyError("x"))
    with pytest.raises(KeyError):
        retry(call, "op", RetryPolicy(), retryable=(ConnectionError,), sleep=lambda s: None)
    assert call.calls == 1
