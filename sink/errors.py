"""Errors of the cloud sink; each also inherits a built-in so generic callers catch them."""

__all__ = [
    "CorruptObjectError",
    "NotLandedError",
    "ObjectMissingError",
    "QuarantineError",
    "SinkError",
    "StoreError",
]


class SinkError(Exception):
    """Base of the cloud sink's errors."""


class ObjectMissingError(SinkError, LookupError):
    """An S3 object the caller asked for does not exist (message names the key)."""


class CorruptObjectError(SinkError, ValueError):
    """An S3 object exists but its content or metadata is unusable (message names key and fault)."""


class StoreError(SinkError, OSError):
    """S3 or InfluxDB kept failing after every retry (message names the operation)."""


class QuarantineError(SinkError, ValueError):
    """An envelope breaks the wire contract or the sink's own rules; it goes to quarantine."""


class NotLandedError(SinkError, RuntimeError):
    """A library function the sink relies on (codec, reconstruction) is not available."""
