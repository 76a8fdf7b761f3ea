"""Cluster shape variables with the collaboration's branch names (``sc_*``).

Units: full-resolution pixels, x = column, y = row; integrals in pedestal-subtracted
ADU. Shape comes from the intensity-weighted covariance of the cluster's core pixels:
``sc_theta`` is the angle of its major axis from the x axis (radians, in
(-pi/2, pi/2]), ``sc_longrms``/``sc_latrms`` the weighted rms along/across it, and
``sc_length``/``sc_width`` the full extent of the core pixels along/across it
(one pixel counts as 1). ``sc_lfullrms``/``sc_tfullrms`` are the weighted rms
along/across that same axis over all the cluster's pixels (core and ring: the full
profile, diffusion tails included). ``sc_rms`` is the rms of the pixel signals (ADU),
``sc_size`` the number of pixels, ``sc_nhits`` those with positive signal.
"""

import numpy as np
from numba import njit

from .cluster_moments import MOMENT_COLUMNS

__all__ = ["cluster_variables", "CLUSTER_BRANCHES"]

#: Per-cluster branches produced by :func:`cluster_variables`, all float32 arrays.
CLUSTER_BRANCHES = ("sc_integral", "sc_size", "sc_nhits", "sc_rms", "sc_xmean", "sc_ymean",
                    "sc_xmin", "sc_xmax", "sc_ymin", "sc_ymax", "sc_theta", "sc_length",
                    "sc_width", "sc_longrms", "sc_latrms", "sc_lfullrms", "sc_tfullrms",
                    "sc_pearson")

_COLUMN = {name: i for i, name in enumerate(MOMENT_COLUMNS)}


def cluster_variables(table, pixel_label, core, rows, cols):
    """Shape variables of every cluster.

    Parameters
    ----------
    table : ndarray of float64, shape (n_clusters, len(MOMENT_COLUMNS))
        Per-cluster sums from :func:`recon.cluster_moments.accumulate_moments`.
    pixel_label, core, rows, cols : ndarray, shape (n,)
        Pixel assignment and coordinates (for the extent along the axes).

    Returns
    -------
    dict of str to ndarray of float32, shape (n_clusters,)
        One entry per name in :data:`CLUSTER_BRANCHES`.
    """
    get = {name: table[:, i] for name, i in _COLUMN.items()}
    w = np.where(get["w"] > 0, get["w"], 1.0)
    xmean, ymean = get["wx"] / w, get["wy"] / w
    var_x = np.maximum(get["wxx"] / w - xmean**2, 0.0)
    var_y = np.maximum(get["wyy"] / w - ymean**2, 0.0)
    cov_xy = get["wxy"] / w - xmean * ymean
    theta = 0.5 * np.arctan2(2.0 * cov_xy, var_x - var_y)
    half_trace, spread = 0.5 * (var_x + var_y), np.hypot(0.5 * (var_x - var_y), cov_xy)
    size = np.maximum(get["size"], 1.0)
    integral = get["integral"]
    along, across = _extent_kernel(pixel_label, core, rows, cols, xmean, ymean,
                                   np.cos(theta), np.sin(theta), len(table))
    lfullrms, tfullrms = _full_profile_rms(get, np.cos(theta), np.sin(theta))
    with np.errstate(invalid="ignore", divide="ignore"):
        pearson = np.where(var_x * var_y > 0, cov_xy / np.sqrt(var_x * var_y), 0.0)
    result = {
        "sc_integral": integral, "sc_size": get["size"], "sc_nhits": get["nhits"],
        "sc_rms": np.sqrt(np.maximum(get["sum_s2"] / size - (integral / size) ** 2, 0.0)),
        "sc_xmean": xmean, "sc_ymean": ymean,
        "sc_xmin": get["xmin"], "sc_xmax": get["xmax"], "sc_ymin": get["ymin"], "sc_ymax": get["ymax"],
        "sc_theta": theta, "sc_length": along, "sc_width": across,
        "sc_longrms": np.sqrt(half_trace + spread), "sc_latrms": np.sqrt(np.maximum(half_trace - spread, 0.0)),
        "sc_lfullrms": lfullrms, "sc_tfullrms": tfullrms, "sc_pearson": pearson,
    }
    return {name: np.asarray(result[name], dtype=np.float32) for name in CLUSTER_BRANCHES}


def _full_profile_rms(get, cos_t, sin_t):
    """Weighted rms of all the cluster's pixels along / across the core's major axis."""
    w = np.where(get["w_all"] > 0, get["w_all"], 1.0)
    xmean, ymean = get["wx_all"] / w, get["wy_all"] / w
    var_x = get["wxx_all"] / w - xmean**2
    var_y = get["wyy_all"] / w - ymean**2
    cov_xy = get["wxy_all"] / w - xmean * ymean
    along = cos_t**2 * var_x + sin_t**2 * var_y + 2.0 * cos_t * sin_t * cov_xy
    across = sin_t**2 * var_x + cos_t**2 * var_y - 2.0 * cos_t * sin_t * cov_xy
    return np.sqrt(np.maximum(along, 0.0)), np.sqrt(np.maximum(across, 0.0))


@njit(cache=True, nogil=True)
def _extent_kernel(pixel_label, core, rows, cols, xmean, ymean, cos_t, sin_t, n_clusters):
    low = np.full((n_clusters, 2), np.inf)
    high = np.full((n_clusters, 2), -np.inf)
    for i in range(pixel_label.shape[0]):
        k = pixel_label[i]
        if k < 0 or not core[i]:
            continue
        dx = cols[i] - xmean[k]
        dy = rows[i] - ymean[k]
        u = dx * cos_t[k] + dy * sin_t[k]
        v = -dx * sin_t[k] + dy * cos_t[k]
        low[k, 0] = min(low[k, 0], u)
        high[k, 0] = max(high[k, 0], u)
        low[k, 1] = min(low[k, 1], v)
        high[k, 1] = max(high[k, 1], v)
    extent = np.maximum(high - low, 0.0) + 1.0
    return extent[:, 0], extent[:, 1]


def _extent_reference(pixel_label, core, rows, cols, xmean, ymean, cos_t, sin_t, n_clusters):
    """Plain-numpy twin of :func:`_extent_kernel` (used by the tests)."""
    keep = (pixel_label >= 0) & core
    k = pixel_label[keep]
    dx, dy = cols[keep] - xmean[k], rows[keep] - ymean[k]
    u = dx * cos_t[k] + dy * sin_t[k]
    v = -dx * sin_t[k] + dy * cos_t[k]
    extents = []
    for values in (u, v):
        low = np.full(n_clusters, np.inf)
        high = np.full(n_clusters, -np.inf)
        np.minimum.at(low, k, values)
        np.maximum.at(high, k, values)
        extents.append(np.maximum(high - low, 0.0) + 1.0)
    return extents[0], extents[1]
