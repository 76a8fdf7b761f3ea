"""Errors raised by the compression library.

Every error inherits a built-in as well, so callers that only know Python's
exceptions still catch them (``except ValueError`` catches a corrupt blob).
"""

__all__ = ["CodecError", "PedestalMismatchError"]


class CodecError(ValueError):
    """A blob is corrupt, truncated, forged, or cannot be encoded/decoded."""


class PedestalMismatchError(CodecError):
    """A blob was encoded against one pedestal and is decoded with another (or none)."""
