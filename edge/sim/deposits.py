"""Energy deposits in the gas, one generator per kind, rendered to noise-free pixel signal.

Energy scale (one for all kinds): ``ADU_PER_KEV = 500``, so an Fe-55 5.9 keV spot
integrates to 2950 ADU ("a few thousand ADU"). A minimum-ionising muon loses 2.4 keV/cm,
i.e. 0.0365 keV = 18.2 ADU per 0.152 mm pixel of track; spread by a diffusion sigma of
2.2-3 px that is 2.4-3.3 ADU at the track core, about 1.1-1.5 times the median pixel noise
(2.2 ADU). ``energy_kev`` is the visible (electron-equivalent) energy deposited inside the
frame; the deposit's integral ``adu.sum()`` equals ``energy_kev * ADU_PER_KEV`` except for
diffusion tails cut by the frame edge.
"""

from dataclasses import dataclass

import numpy as np

from .paths import curly_walk, inside_frame, random_chord, straight_points
from .render import render_points
from .sensor import parse_shape

__all__ = ["ADU_PER_KEV", "PIXEL_MM", "KINDS", "Deposit", "fe55", "muon", "er", "nr", "alpha",
           "make_deposit"]

ADU_PER_KEV = 500.0
PIXEL_MM = 0.152
MUON_KEV_PER_CM = 2.4
DIFFUSION_RANGE_PX = (2.2, 3.0)
FE55_LINES_KEV = (5.9, 6.49)  # K-alpha, K-beta (about 12 %)


@dataclass(frozen=True, eq=False)
class Deposit:
    """One deposit's truth: its noise-free pixel signal and its geometry.

    ``rows``/``cols`` (int32, unique, row-major) and ``adu`` (float32) list the pixels it
    lights; ``x``/``y`` is the intensity centroid (x = column, y = row); ``x0, y0, x1, y1``
    are the first and last track points inside the frame (the centroid for an Fe-55 spot);
    ``length_px`` is the path length inside the frame; ``sigma_px`` the diffusion sigma.
    """

    kind: str
    energy_kev: float
    rows: np.ndarray
    cols: np.ndarray
    adu: np.ndarray
    x: float
    y: float
    x0: float
    y0: float
    x1: float
    y1: float
    length_px: float
    sigma_px: float

    @property
    def integral(self) -> float:
        """Sum of the noise-free signal in ADU."""
        return float(self.adu.sum(dtype=np.float64))

    @property
    def n_pixels(self) -> int:
        return int(self.adu.size)


def fe55(rng, shape, *, x=None, y=None, sigma_px=None) -> Deposit:
    """A 5.9 keV (12 %: 6.49 keV) X-ray spot: one Gaussian blob of width ``sigma_px``."""
    shape, sigma = parse_shape(shape), _sigma(rng, sigma_px)
    energy = FE55_LINES_KEV[1] if rng.random() < 0.12 else FE55_LINES_KEV[0]
    x, y = _place(rng, shape, x, y, margin=4 * sigma)
    return _build("fe55", np.array([x]), np.array([y]), np.array([energy]), sigma, shape, blob=True)


def muon(rng, shape, *, x0=None, y0=None, x1=None, y1=None, sigma_px=None) -> Deposit:
    """A straight minimum-ionising track, by default crossing the frame within 70 deg of vertical."""
    shape, sigma = parse_shape(shape), _sigma(rng, sigma_px)
    if _segment_given(x0, y0, x1, y1):
        x0, y0, x1, y1 = (float(v) for v in (x0, y0, x1, y1))
    else:
        x0, y0, x1, y1 = random_chord(rng, shape)
    px, py, _ = straight_points(x0, y0, x1, y1, step_px=1.0)
    # Landau-like fluctuation of the ionisation, drawn per 10-pixel segment.
    segment = rng.gamma(8.0, 1.0 / 8.0, size=px.size // 10 + 1)
    step = np.hypot(x1 - x0, y1 - y0) / px.size
    energy = MUON_KEV_PER_CM * PIXEL_MM / 10 * step * segment[np.arange(px.size) // 10]
    return _build("muon", px, py, energy, sigma, shape)


def er(rng, shape, *, x=None, y=None, energy_kev=None, sigma_px=None) -> Deposit:
    """An electron recoil: a curly track, 1 mm at 6 keV growing to cm at tens of keV."""
    shape, sigma = parse_shape(shape), _sigma(rng, sigma_px)
    energy = _energy(rng, energy_kev, (3.0, 50.0), "energy_kev")
    length = 1.0 * (energy / 6.0) ** 1.6 / PIXEL_MM
    x, y = _place(rng, shape, x, y, margin=min(length, 4 * sigma))
    px, py, t = curly_walk(rng, x, y, length)
    weight = 1.0 + 2.0 * t  # ionisation density rises as the electron slows
    return _build("er", px, py, energy * weight / weight.sum(), sigma, shape)


def nr(rng, shape, *, x=None, y=None, energy_kev=None, sigma_px=None) -> Deposit:
    """A nuclear recoil: a dense, short (about 1 mm) straight blob; ``x, y`` is its start."""
    shape, sigma = parse_shape(shape), _sigma(rng, sigma_px)
    energy = _energy(rng, energy_kev, (2.0, 50.0), "energy_kev")
    length = (0.6 + 0.4 * np.sqrt(energy / 10.0)) / PIXEL_MM
    x, y = _place(rng, shape, x, y, margin=length + 4 * sigma)
    angle = rng.uniform(0.0, 2 * np.pi)
    px, py, t = straight_points(x, y, x + length * np.sin(angle), y + length * np.cos(angle), 0.5)
    weight = 1.5 - t  # a recoiling nucleus ionises less as it slows
    return _build("nr", px, py, energy * weight / weight.sum(), sigma, shape)


def alpha(rng, shape, *, x0=None, y0=None, x1=None, y1=None, energy_kev=None,
          sigma_px=None) -> Deposit:
    """A very bright straight alpha track, 1 cm per MeV, with a Bragg peak at its end (x1, y1)."""
    shape, sigma = parse_shape(shape), _sigma(rng, sigma_px)
    energy = _energy(rng, energy_kev, (3500.0, 6000.0), "energy_kev")
    if _segment_given(x0, y0, x1, y1):
        x0, y0, x1, y1 = (float(v) for v in (x0, y0, x1, y1))
    else:
        length = energy / 1000.0 * 10.0 / PIXEL_MM
        x0, y0 = _place(rng, shape, None, None, margin=4 * sigma)
        angle = rng.uniform(0.0, 2 * np.pi)
        x1, y1 = x0 + length * np.sin(angle), y0 + length * np.cos(angle)
    px, py, t = straight_points(x0, y0, x1, y1, step_px=1.0)
    weight = (1.05 - t) ** -0.45
    return _build("alpha", px, py, energy * weight / weight.sum(), sigma, shape)


KINDS = {"fe55": fe55, "muon": muon, "er": er, "nr": nr, "alpha": alpha}


def make_deposit(kind: str, rng, shape, **where) -> Deposit:
    """One deposit of a chosen kind, optionally at a chosen place.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`: ``fe55``, ``muon``, ``er``, ``nr``, ``alpha``.
    rng : numpy.random.Generator
        Draws whatever ``where`` leaves open (position, direction, energy, diffusion).
    shape : tuple of int, (rows, cols)
        Frame shape; pixels outside it are dropped.
    **where
        Keywords of the kind's generator: ``x, y`` (fe55, er, nr), ``x0, y0, x1, y1``
        (muon, alpha), ``energy_kev`` (er, nr, alpha), ``sigma_px`` (all).

    Returns
    -------
    Deposit

    Examples
    --------
    >>> spot = make_deposit("fe55", np.random.default_rng(0), (256, 384), x=100.0, y=50.0)
    >>> round(spot.integral)
    2950
    >>> track = make_deposit("muon", np.random.default_rng(0), (256, 384),
    ...                      x0=0.0, y0=0.0, x1=300.0, y1=200.0, sigma_px=2.5)
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    try:
        return KINDS[kind](rng, shape, **where)
    except TypeError as exc:
        raise ValueError(f"bad placement for {kind!r}: {where!r} ({exc})") from None


def _segment_given(x0, y0, x1, y1) -> bool:
    """True if all four track ends are given (finite numbers), False if none; else an error."""
    ends = {"x0": x0, "y0": y0, "x1": x1, "y1": y1}
    missing = [name for name, value in ends.items() if value is None]
    if len(missing) == 4:
        return False
    if missing or not all(np.isfinite(value) for value in ends.values()):
        raise ValueError(f"track ends must be all four finite numbers or none, got {ends!r}")
    return True


def _sigma(rng, sigma_px) -> float:
    """Diffusion sigma: drawn from the drift range unless given."""
    if sigma_px is None:
        return float(rng.uniform(*DIFFUSION_RANGE_PX))
    if not (np.isfinite(sigma_px) and sigma_px > 0):
        raise ValueError(f"sigma_px must be a finite number > 0, got {sigma_px!r}")
    return float(sigma_px)


def _energy(rng, energy_kev, log_range, name) -> float:
    """Energy in keV: log-uniform over ``log_range`` unless given."""
    if energy_kev is None:
        return float(np.exp(rng.uniform(*np.log(log_range))))
    if not (np.isfinite(energy_kev) and energy_kev > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {energy_kev!r}")
    return float(energy_kev)


def _place(rng, shape, x, y, margin: float):
    """A given position, or a uniform one kept ``margin`` px from the edges where the frame allows."""
    if x is None:
        low = min(margin, (shape[1] - 1) / 2)
        x = rng.uniform(low, shape[1] - 1 - low)
    if y is None:
        low = min(margin, (shape[0] - 1) / 2)
        y = rng.uniform(low, shape[0] - 1 - low)
    if not inside_frame(np.array([x]), np.array([y]), shape)[0]:
        raise ValueError(f"position (x={x!r}, y={y!r}) is outside the frame of shape {shape}")
    return float(x), float(y)


def _build(kind, px, py, energy_kev, sigma, shape, blob=False) -> Deposit:
    """Keep the points inside the frame, render them and measure the deposit's geometry."""
    step = float(np.hypot(px[1] - px[0], py[1] - py[0])) if px.size > 1 else 0.0
    keep = inside_frame(px, py, shape)
    if not keep.any():
        raise ValueError(f"the {kind} deposit has no point inside the frame of shape {shape}")
    px, py, energy_kev = px[keep], py[keep], energy_kev[keep]
    rows, cols, adu = render_points(py, px, energy_kev * ADU_PER_KEV, sigma, shape)
    x, y = _centroid(rows, cols, adu)
    if blob:
        x0, y0, x1, y1, length = x, y, x, y, 0.0
    else:
        x0, y0, x1, y1 = _ends(px, py)
        length = step * px.size  # each point stands for one step of path
    return Deposit(kind, float(energy_kev.sum()), rows, cols, adu, x, y, x0, y0, x1, y1,
                   length, sigma)


def _centroid(rows, cols, adu):
    """Intensity-weighted (x, y); NaN for an empty deposit."""
    total = adu.sum(dtype=np.float64)
    if total <= 0:
        return float("nan"), float("nan")
    weight = adu.astype(np.float64) / total
    return float(cols @ weight), float(rows @ weight)


def _ends(px, py):
    """Track ends: the first and last points pushed out by half a step (points sit mid-step)."""
    if px.size == 1:
        return float(px[0]), float(py[0]), float(px[0]), float(py[0])
    x0 = px[0] - (px[1] - px[0]) / 2
    y0 = py[0] - (py[1] - py[0]) / 2
    x1 = px[-1] + (px[-1] - px[-2]) / 2
    y1 = py[-1] + (py[-1] - py[-2]) / 2
    return float(x0), float(y0), float(x1), float(y1)
