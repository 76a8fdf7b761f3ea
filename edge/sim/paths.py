"""Track geometry: straight chords through the frame and curly electron paths.

Positions are in full-resolution pixels, ``x`` = column and ``y`` = row; the frame
covers ``[-0.5, cols - 0.5) x [-0.5, rows - 0.5)``.
"""

import numpy as np

__all__ = ["straight_points", "chord_through", "random_chord", "curly_walk", "inside_frame"]


def straight_points(x0: float, y0: float, x1: float, y1: float, step_px: float):
    """Points every ``step_px`` from the start to the end of a segment, and their fraction along it.

    Returns
    -------
    x, y, t : ndarray of float64, shape (n,)
        ``t`` runs from 0 to 1; a zero-length segment gives one point.
    """
    length = float(np.hypot(x1 - x0, y1 - y0))
    count = max(1, int(np.ceil(length / step_px)))
    t = (np.arange(count) + 0.5) / count
    return x0 + t * (x1 - x0), y0 + t * (y1 - y0), t


def chord_through(x: float, y: float, angle_rad: float, shape):
    """Where the line through ``(x, y)`` at ``angle_rad`` (from the +row axis) enters and leaves the frame.

    Returns
    -------
    (x0, y0, x1, y1) : tuple of float
    """
    dx, dy = np.sin(angle_rad), np.cos(angle_rad)
    low, high = -np.inf, np.inf
    for position, direction, size in ((x, dx, shape[1]), (y, dy, shape[0])):
        if abs(direction) < 1e-12:
            continue
        a, b = (-0.5 - position) / direction, (size - 0.5 - position) / direction
        low, high = max(low, min(a, b)), min(high, max(a, b))
    # Stay a hair inside the frame so that rounding never lands on the far edge.
    low, high = low + 1e-6, high - 1e-6
    return x + low * dx, y + low * dy, x + high * dx, y + high * dy


def random_chord(rng: np.random.Generator, shape, max_angle_deg: float = 70.0):
    """A straight line through a uniform point of the frame, within ``max_angle_deg`` of vertical.

    Cosmic muons come from above; the camera views a vertical plane, so their images are
    mostly along the row axis.
    """
    x = rng.uniform(-0.5, shape[1] - 0.5)
    y = rng.uniform(-0.5, shape[0] - 0.5)
    angle = np.deg2rad(rng.uniform(-max_angle_deg, max_angle_deg))
    return chord_through(x, y, angle, shape)


def curly_walk(rng: np.random.Generator, x: float, y: float, length_px: float,
               step_px: float = 0.5, straightness: float = 0.08, curl: float = 0.5):
    """A path that bends more and more as it goes, like a slowing electron.

    The direction changes by a Gaussian angle per step whose rms per pixel grows from
    ``straightness`` at the start to ``straightness + curl`` at the end.

    Returns
    -------
    x, y, t : ndarray of float64, shape (n,)
        Path points and their fraction along the path (0 to 1).
    """
    count = max(1, int(np.ceil(length_px / step_px)))
    t = (np.arange(count) + 0.5) / count
    kick = rng.standard_normal(count) * np.sqrt(step_px) * (straightness + curl * t ** 2)
    heading = rng.uniform(0.0, 2 * np.pi) + np.cumsum(kick)
    path_x = x + np.cumsum(step_px * np.sin(heading)) - 0.5 * step_px * np.sin(heading[0])
    path_y = y + np.cumsum(step_px * np.cos(heading)) - 0.5 * step_px * np.cos(heading[0])
    return path_x, path_y, t


def inside_frame(x: np.ndarray, y: np.ndarray, shape) -> np.ndarray:
    """Boolean mask of points that fall inside the frame."""
    return (x >= -0.5) & (x < shape[1] - 0.5) & (y >= -0.5) & (y < shape[0] - 0.5)
