"""The DAQ -> edge contract over ZeroMQ (see docs/daq-protocol.md).

The DAQ binds a PUSH socket; the edge connects a PULL socket. Every message is
multipart: part 0 is a UTF-8 JSON header, image messages carry the raw pixels
(C order, little-endian) as part 1. This module builds and validates those
messages; the simulator sends with it and the edge agent receives with it.
"""

import json
from dataclasses import dataclass, field

import numpy as np

from .errors import DaqMessageError

__all__ = [
    "SUPPORTED_DTYPES",
    "RunStart",
    "Image",
    "RunEnd",
    "encode_run_start",
    "encode_image",
    "encode_run_end",
    "decode_message",
]

#: Pixel types the edge accepts, mapped to their little-endian numpy dtype.
SUPPORTED_DTYPES = {"uint16": np.dtype("<u2")}

_RUN_START_FIELDS = {"run": int, "pedestal": bool}
_IMAGE_FIELDS = {
    "run": int,
    "frame": int,
    "timestamp": (int, float),
    "shape": list,
    "dtype": str,
    "exposure_s": (int, float),
}
_RUN_END_FIELDS = {"run": int, "frames": int}


@dataclass(frozen=True)
class RunStart:
    run: int
    pedestal: bool
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Image:
    run: int
    frame: int
    timestamp: float
    exposure_s: float
    pixels: np.ndarray
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunEnd:
    run: int
    frames: int
    metadata: dict = field(default_factory=dict)


def encode_run_start(run: int, pedestal: bool = False, **metadata) -> list[bytes]:
    """Multipart message announcing a run; extra keywords travel as metadata."""
    return [_header({"htype": "run_start", "run": run, "pedestal": pedestal, **metadata})]


def encode_image(run: int, frame: int, pixels: np.ndarray, timestamp: float,
                 exposure_s: float, **metadata) -> list:
    """Multipart image message: JSON header, then the pixels as C-order little-endian bytes."""
    array = np.ascontiguousarray(pixels, dtype="<u2")
    header = {"htype": "image", "run": run, "frame": frame, "timestamp": timestamp,
              "shape": list(array.shape), "dtype": "uint16", "exposure_s": exposure_s,
              **metadata}
    return [_header(header), memoryview(array).cast("B")]


def encode_run_end(run: int, frames: int, **metadata) -> list[bytes]:
    """Multipart message closing a run; ``frames`` is how many images the DAQ sent."""
    return [_header({"htype": "run_end", "run": run, "frames": frames, **metadata})]


def decode_message(parts: list) -> RunStart | Image | RunEnd:
    """Validate one multipart message from the DAQ and return its typed form.

    Raises
    ------
    DaqMessageError
        Wrong number of parts, invalid JSON, unknown htype, missing or ill-typed
        fields, a buffer size that does not match shape x dtype, or an
        unsupported dtype. The message names the field and echoes the value.
    """
    if not parts:
        raise DaqMessageError("message has no parts")
    header = _parse_header(parts[0])
    htype = header.get("htype")
    if htype == "run_start":
        _expect_parts(parts, 1, htype)
        _check_fields(header, _RUN_START_FIELDS, htype)
        return RunStart(header["run"], header["pedestal"], _extra(header, _RUN_START_FIELDS))
    if htype == "image":
        _expect_parts(parts, 2, htype)
        _check_fields(header, _IMAGE_FIELDS, htype)
        pixels = _pixels(header, parts[1])
        return Image(header["run"], header["frame"], float(header["timestamp"]),
                     float(header["exposure_s"]), pixels, _extra(header, _IMAGE_FIELDS))
    if htype == "run_end":
        _expect_parts(parts, 1, htype)
        _check_fields(header, _RUN_END_FIELDS, htype)
        return RunEnd(header["run"], header["frames"], _extra(header, _RUN_END_FIELDS))
    raise DaqMessageError(f"unknown htype {htype!r} (expected run_start, image or run_end)")


def _header(header: dict) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode()


def _parse_header(part) -> dict:
    try:
        header = json.loads(bytes(part).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DaqMessageError(f"header is not UTF-8 JSON: {exc}; starts {bytes(part)[:40]!r}") from None
    if not isinstance(header, dict):
        raise DaqMessageError(f"header must be a JSON object, got {type(header).__name__}")
    return header


def _expect_parts(parts: list, expected: int, htype: str) -> None:
    if len(parts) != expected:
        raise DaqMessageError(f"{htype} message must have {expected} part(s), got {len(parts)}")


def _check_fields(header: dict, fields: dict, htype: str) -> None:
    for name, kind in fields.items():
        if name not in header:
            raise DaqMessageError(f"{htype} header is missing field {name!r}")
        value = header[name]
        # bool is an int in Python; an int field must not accept true/false.
        bad_bool = isinstance(value, bool) and kind is not bool
        if bad_bool or not isinstance(value, kind):
            raise DaqMessageError(f"{htype} field {name!r} has ill-typed value {value!r}")
    for name in ("run", "frame", "frames"):
        if name in fields and header[name] < 0:
            raise DaqMessageError(f"{htype} field {name!r} must be >= 0, got {header[name]!r}")


def _pixels(header: dict, buffer) -> np.ndarray:
    dtype_name = header["dtype"]
    if dtype_name not in SUPPORTED_DTYPES:
        raise DaqMessageError(f"image field 'dtype' has unsupported value {dtype_name!r} "
                              f"(supported: {sorted(SUPPORTED_DTYPES)})")
    shape = header["shape"]
    if len(shape) != 2 or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                                  for n in shape):
        raise DaqMessageError(f"image field 'shape' must be [rows, cols] > 0, got {shape!r}")
    dtype = SUPPORTED_DTYPES[dtype_name]
    expected = shape[0] * shape[1] * dtype.itemsize
    size = memoryview(buffer).nbytes
    if size != expected:
        raise DaqMessageError(f"image buffer has {size} bytes, shape {shape!r} x {dtype_name} "
                              f"needs {expected}")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape)


def _extra(header: dict, fields: dict) -> dict:
    return {k: v for k, v in header.items() if k != "htype" and k not in fields}
