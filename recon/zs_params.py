"""Thresholds of zero suppression, validated once, recordable with the data."""

from dataclasses import asdict, dataclass, fields

import numpy as np

from .errors import ReconError

__all__ = ["ZeroSuppressionParams"]


@dataclass(frozen=True)
class ZeroSuppressionParams:
    """All knobs of :func:`recon.zero_suppress`; defaults tuned on the simulator.

    Block stage (the whole frame)
        ``block``: side of the square blocks, px. ``span``: side, in blocks, of the
        windows (sliding by one block) whose significance is tested: 2 x 2 blocks of
        4 px hold a track's whole width, which raises a faint muon's significance
        about 1.7-fold over a single block. ``seed``: window significance that starts
        a region, in noise sigma. ``grow``: significance that extends it to an
        8-connected window (<= seed). ``halo``: candidate blocks added around regions.
        ``adapt``: measure each frame's pedestal offset and noise scale and correct
        for them (:mod:`recon.zs_noise`); thresholds are then in measured sigma.
    Pixel stage (candidate blocks only; skipped when ``refine`` is False, and then
        all pixels of the candidate blocks are kept)
        ``window``: half side of the square window of a pixel's significance.
        ``core``: pixel significance kept as signal core. ``reach``: radius, px, of
        the disk kept around the core's edge (diffusion tails of faint tracks).
        ``bright``: significance of bright cores; within ``near`` px of them the
        disk radius is ``bright_reach`` (their tails are already in the core).
    """

    block: int = 4
    span: int = 2
    seed: float = 5.0
    grow: float = 1.5
    halo: int = 0
    adapt: bool = True
    refine: bool = True
    window: int = 3
    core: float = 3.0
    reach: float = 4.25
    bright: float = 12.0
    near: float = 4.0
    bright_reach: float = 1.0

    def __post_init__(self):
        for name in ("block", "span", "halo", "window"):
            _check_int(name, getattr(self, name), 1 if name in ("block", "span") else 0)
        for name in ("seed", "grow", "core", "reach", "bright", "near", "bright_reach"):
            _check_float(name, getattr(self, name))
        for name in ("refine", "adapt"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ReconError(f"{name} must be a bool, got {getattr(self, name)!r}")
        if self.grow > self.seed:
            raise ReconError(f"grow must be <= seed ({self.seed!r}), got {self.grow!r}")
        for name in ("reach", "near", "bright_reach"):
            if getattr(self, name) < 0:
                raise ReconError(f"{name} must be >= 0, got {getattr(self, name)!r}")

    @classmethod
    def from_options(cls, **options):
        """Build from keyword options, refusing unknown names."""
        if not options:
            return _DEFAULTS
        known = _FIELD_NAMES
        unknown = sorted(set(options) - known)
        if unknown:
            raise ReconError(f"unknown zero-suppression option(s) {unknown}; known: {sorted(known)}")
        return cls(**options)

    def get_config(self):
        """Plain dict of all parameters (JSON-ready), to record next to the data."""
        return asdict(self)

    @property
    def max_reach_blocks(self):
        """Blocks that the kept disks can extend beyond the candidate blocks."""
        return int(np.ceil(max(self.reach, self.bright_reach) / self.block))


def _check_int(name, value, minimum):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ReconError(f"{name} must be an int >= {minimum}, got {value!r}")


def _check_float(name, value):
    try:
        finite = not isinstance(value, (bool, str)) and np.isfinite(float(value))
    except (TypeError, ValueError):
        finite = False
    if not finite:
        raise ReconError(f"{name} must be a finite number, got {value!r}")


_FIELD_NAMES = frozenset(field.name for field in fields(ZeroSuppressionParams))
_DEFAULTS = ZeroSuppressionParams()
