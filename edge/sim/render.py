"""Turn charge points into pixel signal: each point is smeared by a Gaussian (diffusion).

The renderer works only on the stamps around the points (never on the whole frame),
so a 3000-point muon costs a few milliseconds.
"""

import numpy as np

__all__ = ["render_points"]

#: Stamps are cut at this many diffusion sigmas (the weight beyond is < 0.05 %).
STAMP_SIGMAS = 3.5


def render_points(y, x, adu, sigma_px: float, shape):
    """Spread charge points over the pixels of a frame.

    Parameters
    ----------
    y, x : array_like of float, shape (n,)
        Point positions in full-resolution pixels (row, column); pixel ``i`` has its
        centre at ``i``.
    adu : array_like of float, shape (n,)
        Signal of each point in ADU (noise-free).
    sigma_px : float
        Gaussian diffusion sigma in pixels, > 0.
    shape : tuple of int, (rows, cols)
        Frame shape; pixels outside it are dropped.

    Returns
    -------
    rows, cols : ndarray of int32, shape (m,)
        Pixels touched, unique, sorted row-major.
    values : ndarray of float32, shape (m,)
        Signal per pixel; it sums to ``adu.sum()`` when all stamps lie inside the frame.
    """
    y, x, adu = (np.asarray(a, dtype=np.float64).ravel() for a in (y, x, adu))
    if not (y.size == x.size == adu.size):
        raise ValueError(f"y, x and adu must have equal sizes, got {y.size}, {x.size}, {adu.size}")
    if not (np.isfinite(sigma_px) and sigma_px > 0):
        raise ValueError(f"sigma_px must be a finite number > 0, got {sigma_px!r}")
    if y.size == 0:
        return _empty()
    radius = int(np.ceil(STAMP_SIGMAS * sigma_px))
    row_index, row_weight = _axis_weights(y, sigma_px, radius)
    col_index, col_weight = _axis_weights(x, sigma_px, radius)
    weight = adu[:, None, None] * row_weight[:, :, None] * col_weight[:, None, :]
    rows = np.broadcast_to(row_index[:, :, None], weight.shape)
    cols = np.broadcast_to(col_index[:, None, :], weight.shape)
    inside = (rows >= 0) & (rows < shape[0]) & (cols >= 0) & (cols < shape[1])
    return _accumulate(rows[inside], cols[inside], weight[inside])


def _axis_weights(position: np.ndarray, sigma_px: float, radius: int):
    """Pixel indices around each point along one axis and their normalised Gaussian weights."""
    centre = np.rint(position).astype(np.int64)
    index = centre[:, None] + np.arange(-radius, radius + 1)
    weight = np.exp(-0.5 * ((index - position[:, None]) / sigma_px) ** 2)
    weight /= weight.sum(axis=1, keepdims=True)
    return index, weight


def _accumulate(rows: np.ndarray, cols: np.ndarray, weight: np.ndarray):
    """Sum weights per pixel inside the bounding box of the touched pixels."""
    if rows.size == 0:
        return _empty()
    row0, col0 = rows.min(), cols.min()
    width = cols.max() - col0 + 1
    local = (rows - row0) * width + (cols - col0)
    total = np.bincount(local, weights=weight, minlength=int(local.max()) + 1)
    flat = np.flatnonzero(total > 0)
    out_rows = (flat // width + row0).astype(np.int32)
    out_cols = (flat % width + col0).astype(np.int32)
    return out_rows, out_cols, total[flat].astype(np.float32)


def _empty():
    return np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.float32)
