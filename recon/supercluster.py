"""Directional superclustering: fragments lying on the line of a track join the track.

A faint muon (about 1-1.5 sigma per pixel) leaves stretches where noise pulls the
blocks below threshold, so block clustering returns it as several fragments strung
along one line, up to a hundred pixels apart. Like the collaboration's directional
DBSCAN, fragments are merged along the track direction, here from the clusters'
moments alone (tens of clusters per frame, so plain numpy):

* a *track* is a cluster at least ``min_track_length`` long and ``min_elongation``
  times longer than wide;
* a cluster joins a track when its centroid lies within ``max_offset`` pixels (plus
  ``offset_slope`` per pixel of distance, for the uncertainty of the direction) of the
  track's axis, the gap between them along the axis is at most ``max_gap`` pixels, its
  direction agrees within ``max_angle`` if it is itself a track, and its linear density
  (integral over length) is at most ``max_density_ratio`` times the track's, so that a
  bright spot sitting on a muon's line stays separate. A fragment joins only the
  nearest track, so it cannot chain two crossing tracks together.
"""

import numpy as np

from .errors import ReconError

__all__ = ["collinear_merge_map", "SUPERCLUSTER_DEFAULTS"]

SUPERCLUSTER_DEFAULTS = {"min_track_length": 40.0, "min_elongation": 3.0, "max_offset": 8.0,
                         "offset_slope": 0.02, "max_gap": 160.0, "max_angle": 0.12,
                         "max_density_ratio": 3.0}


def collinear_merge_map(variables, **options):
    """New cluster index for every cluster after merging collinear fragments.

    Parameters
    ----------
    variables : dict of str to ndarray, shape (n_clusters,)
        At least ``sc_xmean``, ``sc_ymean``, ``sc_theta``, ``sc_length``, ``sc_width``
        and ``sc_integral`` (see :func:`recon.variables.cluster_variables`).
    **options
        Thresholds, see :data:`SUPERCLUSTER_DEFAULTS`.

    Returns
    -------
    merge_map : ndarray of int32, shape (n_clusters,)
        Index of the supercluster each cluster belongs to; superclusters are numbered
        0..n-1 in the order of their first member.
    n_superclusters : int
    """
    unknown = set(options) - set(SUPERCLUSTER_DEFAULTS)
    if unknown:
        raise ReconError(f"unknown superclustering option(s) {sorted(unknown)!r}")
    opts = {**SUPERCLUSTER_DEFAULTS, **options}
    x, y = variables["sc_xmean"].astype(float), variables["sc_ymean"].astype(float)
    if len(x) == 0:
        return np.zeros(0, dtype=np.int32), 0
    theta = variables["sc_theta"].astype(float)
    length, width = variables["sc_length"].astype(float), variables["sc_width"].astype(float)
    joins = _joins(x, y, theta, length, width, variables["sc_integral"].astype(float), opts)
    return _components(joins | joins.T)


def _joins(x, y, theta, length, width, integral, opts):
    """joins[i, j]: cluster j joins track i (rows are tracks)."""
    is_track = (length >= opts["min_track_length"]) & (length >= opts["min_elongation"] * width)
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    dx, dy = x[None, :] - x[:, None], y[None, :] - y[:, None]
    along = dx * cos_t[:, None] + dy * sin_t[:, None]
    across = np.abs(-dx * sin_t[:, None] + dy * cos_t[:, None])
    # extent of cluster j along track i's axis (its length projected, at least its width)
    angle = np.abs(np.angle(np.exp(2j * (theta[None, :] - theta[:, None])))) / 2
    extent_j = np.maximum(length[None, :] * np.abs(np.cos(angle)), width[None, :])
    gap = np.abs(along) - length[:, None] / 2 - extent_j / 2
    density = integral / np.maximum(length, 1.0)
    joins = (
        is_track[:, None]
        & (across <= opts["max_offset"] + opts["offset_slope"] * np.abs(along))
        & (gap <= opts["max_gap"])
        & (~is_track[None, :] | (angle <= opts["max_angle"]))
        & (density[None, :] <= opts["max_density_ratio"] * density[:, None])
    )
    np.fill_diagonal(joins, False)
    # a fragment joins only its nearest track, so it never chains two crossing tracks
    fragments = np.flatnonzero(~is_track & joins.any(axis=0))
    nearest = np.argmin(np.where(joins[:, fragments], across[:, fragments], np.inf), axis=0)
    joins[:, fragments] = False
    joins[nearest, fragments] = True
    return joins


def _components(adjacency):
    """Connected components of a small symmetric boolean adjacency matrix."""
    n = adjacency.shape[0]
    merge_map = np.full(n, -1, dtype=np.int32)
    n_components = 0
    for start in range(n):
        if merge_map[start] >= 0:
            continue
        stack = [start]
        merge_map[start] = n_components
        while stack:
            node = stack.pop()
            for other in np.flatnonzero(adjacency[node] & (merge_map < 0)):
                merge_map[other] = n_components
                stack.append(other)
        n_components += 1
    return merge_map, n_components
