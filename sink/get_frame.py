"""Fetching one raw frame back from S3: decode it and prove it is bit-exact.

The frame's object metadata carry the checksum of the camera's raw pixel bytes (taken
on the edge before compression); the decoded pixels must hash to exactly that, so a
frame that comes back from here is the frame the DAQ produced. A frame stored with the
explicitly lossy codec decodes to float32 and cannot match the raw checksum: it comes
back with ``verified=False`` (shape checked only).
"""

from dataclasses import dataclass

import numpy as np

from compression.checksum import pixel_checksum

from . import bridge, layout
from .errors import CorruptObjectError, NotLandedError
from .object_metadata import parse_raw_metadata
from .pedestal_lookup import PedestalCache

__all__ = ["RawFrame", "load_raw_frame", "save_frame"]


@dataclass(frozen=True)
class RawFrame:
    """A decoded, verified raw frame, the pedestal it was encoded with, its stored fields."""

    pixels: np.ndarray
    pedestal: object | None
    fields: dict
    verified: bool = True


def load_raw_frame(s3, detector: str, run: int, frame: int,
                   pedestals: PedestalCache | None = None) -> RawFrame:
    """Fetch, decode and verify one raw frame.

    Raises
    ------
    ObjectMissingError
        No such frame in S3, or the pedestal it names is not there.
    CorruptObjectError
        Unreadable metadata, a blob the codec refuses, or pixels whose checksum differs.
    """
    key = layout.raw_key(detector, run, frame)
    stored = s3.get(key)
    fields = parse_raw_metadata(key, stored.metadata)
    pedestals = pedestals or PedestalCache(s3, detector)
    pedestal_id = _pedestal_id(stored.body, fields)
    pedestal = pedestals.get(pedestal_id) if pedestal_id else None
    try:
        pixels = bridge.decode_frame(stored.body, pedestal)
    except NotLandedError:
        raise
    except (ValueError, TypeError) as exc:
        raise CorruptObjectError(f"{key}: the codec cannot decode it: {exc}") from None
    lossy = pixels.dtype.kind == "f"
    _verify(key, pixels, fields, lossy)
    return RawFrame(pixels, pedestal, fields, verified=not lossy)


def save_frame(pixels: np.ndarray, out_path) -> None:
    """Save pixels bit-exact as ``.npy`` (no pickle)."""
    np.save(out_path, pixels, allow_pickle=False)


def _pedestal_id(blob: bytes, fields: dict) -> str | None:
    try:
        return bridge.blob_pedestal_id(blob) or fields["pedestal_id"]
    except NotLandedError:
        return fields["pedestal_id"]
    except (ValueError, TypeError):  # a blob whose header is unreadable fails in decode below
        return fields["pedestal_id"]


def _verify(key: str, pixels: np.ndarray, fields: dict, lossy: bool) -> None:
    dtype_ok = lossy or pixels.dtype == np.dtype(fields["dtype"])
    if list(pixels.shape) != list(fields["shape"]) or not dtype_ok:
        raise CorruptObjectError(f"{key}: decoded {pixels.dtype}{list(pixels.shape)}, metadata says "
                                 f"{fields['dtype']}{fields['shape']}")
    if lossy:
        return
    actual = pixel_checksum(pixels)
    if actual != fields["checksum"]:
        raise CorruptObjectError(f"{key}: decoded pixels have checksum {actual}, "
                                 f"expected {fields['checksum']}")
