"""The sink's only calls into the codec (``compression``) and reconstruction (``recon``).

Each library function the sink needs is reached through one small function here, so a
renamed or late-landing function is a one-line change. A function that is not in this
build raises :class:`NotLandedError` naming it (a clear error, never a made-up result).
"""

import importlib

import numpy as np

from .errors import NotLandedError

__all__ = [
    "blob_pedestal_id",
    "decode_frame",
    "environment_branches",
    "fill_missing_branches",
    "pedestal_from_bytes",
    "read_blob_header",
    "reconstruct",
    "result_from_bytes",
    "root_bytes",
]


def _function(module_name: str, name: str):
    module = importlib.import_module(module_name)
    try:
        return getattr(module, name)
    except AttributeError:
        raise NotLandedError(f"{module_name}.{name} is not available in this build") from None


def decode_frame(blob: bytes, pedestal=None) -> np.ndarray:
    """Pixels of a compressed raw frame (``pedestal``: the recon.Pedestal it names, or None)."""
    return _function("compression", "decode_frame")(blob, pedestal)


def read_blob_header(blob: bytes) -> dict:
    """The validated header of a codec blob (its trailer checked), without decoding pixels."""
    return _function("compression", "read_header")(blob)


def blob_pedestal_id(blob: bytes) -> str | None:
    """The pedestal id a codec blob was encoded against, or None."""
    return read_blob_header(blob).get("pedestal_id")


def pedestal_from_bytes(body: bytes):
    """A recon.Pedestal from the body of a pedestal item."""
    return _function("recon", "Pedestal").from_bytes(body)


def reconstruct(frame: np.ndarray, pedestal, run: int, event: int, **options) -> dict:
    """One frame's reconstruction result (branch name -> value/array); ``options`` go to recon."""
    return _function("recon", "reconstruct")(frame, pedestal, run=run, event=event, **options)


def environment_branches(metadata: dict) -> dict:
    """The collaboration's environment branches (Lime_pressure, ...) of a frame's DAQ metadata."""
    return _function("recon", "environment_branches")(metadata)


def result_from_bytes(body: bytes) -> dict:
    """A reconstruction result from the body of a reco item."""
    return _function("recon", "result_from_bytes")(body)


def root_bytes(results: list) -> bytes:
    """The collaboration-format ROOT file (tree ``Events``, one entry per result), as bytes."""
    return _function("recon", "root_bytes")(results)


def fill_missing_branches(results: list) -> tuple:
    """Results with one branch set (NaN where one lacked a branch), and branch -> count filled."""
    return _function("recon", "fill_missing_branches")(results)
