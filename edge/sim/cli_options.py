"""Parsing and checking of ``cygno-edge sim`` option values (one-line errors naming the option)."""

import math
from dataclasses import dataclass

from .deposits import KINDS
from .frames import check_mix

__all__ = ["OptionError", "SimOptions", "parse_options", "parse_shape_text", "parse_mix_text"]


class OptionError(ValueError):
    """A command-line value is invalid; the message names the option and echoes the value."""


@dataclass(frozen=True)
class SimOptions:
    endpoint: str
    run: int
    frames: int
    pedestal: bool
    rate_hz: float | None
    shape: tuple
    seed: int
    camera_seed: int
    mix: dict | None
    out_dir: str | None
    send: bool
    pool: int | None
    send_timeout_s: float
    exposure_s: float
    ack_endpoint: str | None = None
    drift_adu_per_frame: float = 0.0


def parse_options(args) -> SimOptions:
    """Turn the raw argparse strings into checked values, or raise :class:`OptionError`."""
    if args.no_send and not args.out_dir:
        raise OptionError("--no-send needs --out-dir DIR (otherwise the frames go nowhere)")
    frames_default = 100 if args.pedestal else 400
    rate = _number("--rate", args.rate, minimum=0.0)
    return SimOptions(
        endpoint=_endpoint(args.endpoint), run=_integer("--run", args.run, 0),
        frames=frames_default if args.frames is None else _integer("--frames", args.frames, 0),
        pedestal=bool(args.pedestal), rate_hz=None if rate == 0 else rate,
        shape=parse_shape_text(args.shape), seed=_integer("--seed", args.seed, 0),
        camera_seed=_integer("--camera-seed", args.camera_seed, 0),
        mix=None if args.mix is None else parse_mix_text(args.mix),
        out_dir=args.out_dir, send=not args.no_send,
        pool=None if args.pool is None else _integer("--pool", args.pool, 1),
        send_timeout_s=_number("--send-timeout", args.send_timeout, minimum=0.001),
        exposure_s=_number("--exposure", args.exposure, minimum=0.0),
        ack_endpoint=None if args.ack_endpoint is None else _endpoint(args.ack_endpoint,
                                                                      "--ack-endpoint"),
        drift_adu_per_frame=_number("--drift", args.drift, minimum=-math.inf),
    )


def parse_shape_text(text: str) -> tuple:
    """``"2304x4096"`` -> ``(2304, 4096)`` (rows x cols)."""
    parts = str(text).lower().split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise OptionError(f"--shape must be ROWSxCOLS with positive ints (e.g. 2304x4096), "
                          f"got {text!r}")
    return int(parts[0]), int(parts[1])


def parse_mix_text(text: str) -> dict:
    """``"fe55=3,muon=1"`` -> ``{"fe55": 3.0, "muon": 1.0}``; kinds not named get 0."""
    mix = {}
    for item in filter(None, (part.strip() for part in str(text).split(","))):
        kind, equals, value = item.partition("=")
        if not equals or kind.strip() not in KINDS:
            raise OptionError(f"--mix items must be KIND=MEAN with KIND in {sorted(KINDS)}, "
                              f"got {item!r}")
        mix[kind.strip()] = _number("--mix", value, minimum=0.0, shown=item)
    try:
        return check_mix(mix)
    except ValueError as exc:
        raise OptionError(f"--mix {text!r}: {exc}") from None


def _endpoint(text: str, option: str = "--endpoint") -> str:
    if not isinstance(text, str) or "://" not in text:
        raise OptionError(f"{option} must look like tcp://HOST:PORT or ipc://PATH, got {text!r}")
    return text


def _integer(option: str, text, minimum: int) -> int:
    try:
        value = int(str(text), 10)
    except ValueError:
        raise OptionError(f"{option} must be an integer >= {minimum}, got {text!r}") from None
    if value < minimum:
        raise OptionError(f"{option} must be an integer >= {minimum}, got {text!r}")
    return value


def _number(option: str, text, minimum: float, shown=None) -> float:
    try:
        value = float(str(text))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < minimum:
        bound = "" if minimum == -math.inf else f" >= {minimum:g}"
        raise OptionError(f"{option} must be a finite number{bound}, got {shown or text!r}")
    return value
