"""Errors of the edge agent; each also inherits a built-in."""

__all__ = ["EdgeError", "ConfigError", "DaqMessageError", "SpoolError"]


class EdgeError(Exception):
    """Base of the edge agent's errors."""


class ConfigError(EdgeError, ValueError):
    """A configuration file is missing a key or has a bad value (message names both)."""


class DaqMessageError(EdgeError, ValueError):
    """A message from the DAQ breaks the contract; it is quarantined, the agent goes on."""


class SpoolError(EdgeError, OSError):
    """The durable spool cannot store or read an item."""
