"""Match reconstructed clusters to the simulator's truth deposits (benchmark only).

Compact deposits (fe55, er, nr) match the cluster whose bounding box (plus
``BOX_MARGIN_PX``) contains the deposit's centroid, nearest centroid first. Tracks
(muon, alpha) match the cluster that covers most of the true segment: a cluster covers
the part of the segment between its two ends (centroid +- length/2 along its axis),
projected on the segment, if its centroid lies within ``TRACK_OFFSET_PX`` of the true
line and (for clusters longer than 40 px) its direction agrees within
``TRACK_ANGLE_RAD``. A muon is *whole* when one cluster covers >= 90 % of it.
"""

import numpy as np

__all__ = ["match_frame", "TRACK_KINDS"]

TRACK_KINDS = ("muon", "alpha")
BOX_MARGIN_PX = 3.0
TRACK_OFFSET_PX = 12.0
TRACK_ANGLE_RAD = 0.1
WHOLE_FRACTION = 0.9


def match_frame(result, deposits):
    """One record per deposit: kind, truth integral, matched cluster, its integral, coverage.

    Returns
    -------
    records : list of dict
        ``kind``, ``truth``, ``cluster`` (-1 if none), ``integral``, ``coverage``
        (tracks only, else nan), ``shared`` (another deposit matched the same cluster).
    """
    records = [(_match_track if d.kind in TRACK_KINDS else _match_compact)(result, d) for d in deposits]
    clusters = [r["cluster"] for r in records if r["cluster"] >= 0]
    for record in records:
        record["shared"] = clusters.count(record["cluster"]) > 1
    return records


def _match_compact(result, deposit):
    x, y = result["sc_xmean"], result["sc_ymean"]
    inside = ((result["sc_xmin"] - BOX_MARGIN_PX <= deposit.x) & (deposit.x <= result["sc_xmax"] + BOX_MARGIN_PX)
              & (result["sc_ymin"] - BOX_MARGIN_PX <= deposit.y) & (deposit.y <= result["sc_ymax"] + BOX_MARGIN_PX))
    candidates = np.flatnonzero(inside)
    if len(candidates) == 0:
        return _record(deposit, -1, np.nan, np.nan)
    best = candidates[np.argmin(np.hypot(x[candidates] - deposit.x, y[candidates] - deposit.y))]
    return _record(deposit, int(best), float(result["sc_integral"][best]), np.nan)


def _match_track(result, deposit):
    coverage = track_coverage(result, deposit)
    if len(coverage) == 0 or coverage.max() <= 0:
        return _record(deposit, -1, np.nan, 0.0)
    best = int(np.argmax(coverage))
    return _record(deposit, best, float(result["sc_integral"][best]), float(coverage[best]))


def track_coverage(result, deposit):
    """Fraction of the true segment covered by each cluster, shape (nSc,)."""
    dx, dy = deposit.x1 - deposit.x0, deposit.y1 - deposit.y0
    length = max(np.hypot(dx, dy), 1.0)
    ux, uy = dx / length, dy / length
    rx, ry = result["sc_xmean"] - deposit.x0, result["sc_ymean"] - deposit.y0
    along, offset = rx * ux + ry * uy, np.abs(-rx * uy + ry * ux)
    theta = result["sc_theta"].astype(float)
    cos_delta = np.abs(np.cos(theta) * ux + np.sin(theta) * uy)
    half = result["sc_length"] / 2 * cos_delta
    low, high = np.clip(along - half, 0, length), np.clip(along + half, 0, length)
    aligned = (result["sc_length"] < 40) | (np.arccos(np.clip(cos_delta, 0, 1)) <= TRACK_ANGLE_RAD)
    near = (offset <= TRACK_OFFSET_PX) & aligned
    return np.where(near, (high - low) / length, 0.0)


def _record(deposit, cluster, integral, coverage):
    return {"kind": deposit.kind, "truth": deposit.integral, "cluster": cluster,
            "integral": integral, "coverage": coverage, "length": deposit.length_px}
