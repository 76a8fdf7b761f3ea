"""Errors raised by the reconstruction library; each also inherits a built-in."""

__all__ = ["ReconError", "PedestalError"]


class ReconError(ValueError):
    """Input to a reconstruction function is unusable (wrong shape, dtype, ...)."""


class PedestalError(ReconError):
    """A pedestal cannot be built, loaded, or does not fit the frame."""
