"""Splitting of crossing tracks: a Hough transform on the blocks of large clusters.

Muons cross most of the frame, so two muons in one frame often cross, and block
clustering joins them into one X-shaped cluster whose moments describe neither. For
every cluster whose bounding box spans at least ``min_line_blocks`` blocks and whose
blocks spread across their principal axis by more than twice ``line_halfwidth`` (an
rms; a single straight track is skipped at once), a Hough
transform (weights: block significance capped at ``weight_cap``) finds the strongest
line; then the strongest line at least ``min_angle`` away from those found, and so
on, up to ``max_lines``. A line counts when the blocks within ``line_halfwidth``
blocks of it, and not claimed by an earlier line, span ``min_line_blocks`` along it
and number at least ``MIN_FILL`` per block of that span. Only a cluster with two or more lines is split: each block goes
to the nearest line, or, if it is farther than twice ``line_halfwidth`` from every
line, to a new cluster of its 8-connected group (a separate deposit touching a track).
A single line (one muon, one alpha with its bright halo) leaves the cluster as it is.
The plain numpy twin of the kernel is :mod:`recon._line_split_reference`.
"""

import numpy as np
from numba import njit

__all__ = ["split_crossing_tracks", "LINE_DEFAULTS"]

#: A line must have at least this many blocks near it per block of its length.
MIN_FILL = 0.6

LINE_DEFAULTS = {"min_line_blocks": 40, "line_halfwidth": 2.5, "min_angle": 0.25, "max_lines": 4,
                 "weight_cap": 10.0, "n_angles": 180}


def split_crossing_tracks(labels, significance, n_clusters, **options):
    """Relabel blocks so that crossing tracks become separate clusters.

    Parameters
    ----------
    labels : ndarray of int32, shape (n_block_rows, n_block_cols)
        Cluster per block, -1 outside (from :func:`recon.cluster_labels.label_blocks`).
    significance : ndarray of float32, same shape
        Block significance map.
    n_clusters : int
        Number of clusters in ``labels``.
    **options
        See :data:`LINE_DEFAULTS`.

    Returns
    -------
    labels : ndarray of int32, same shape
        New labels: split clusters get new indices after ``n_clusters - 1``.
    n_clusters : int
    """
    opts = {**LINE_DEFAULTS, **options}
    labels = labels.copy()
    n = _split_kernel(labels, significance, int(n_clusters), int(opts["min_line_blocks"]),
                      float(opts["line_halfwidth"]), float(opts["min_angle"]), int(opts["max_lines"]),
                      np.float32(opts["weight_cap"]), int(opts["n_angles"]))
    return labels, int(n)


@njit(cache=True, nogil=True)
def _split_kernel(labels, significance, n_clusters, min_line_blocks, halfwidth, min_angle,
                  max_lines, weight_cap, n_angles):
    n_rows, n_cols = labels.shape
    low_r = np.full(n_clusters, n_rows)
    high_r = np.full(n_clusters, -1)
    low_c = np.full(n_clusters, n_cols)
    high_c = np.full(n_clusters, -1)
    moments = np.zeros((n_clusters, 6))  # n, x, y, xx, yy, xy of the blocks
    for r in range(n_rows):
        for c in range(n_cols):
            k = labels[r, c]
            if k >= 0:
                low_r[k] = min(low_r[k], r)
                high_r[k] = max(high_r[k], r)
                low_c[k] = min(low_c[k], c)
                high_c[k] = max(high_c[k], c)
                moments[k, 0] += 1.0
                moments[k, 1] += c
                moments[k, 2] += r
                moments[k, 3] += c * c
                moments[k, 4] += r * r
                moments[k, 5] += r * c
    total = n_clusters
    for k in range(n_clusters):
        if max(high_r[k] - low_r[k], high_c[k] - low_c[k]) + 1 < min_line_blocks:
            continue
        if _transverse_rms(moments[k]) < 2 * halfwidth:
            continue  # one straight track: nothing to split
        ys, xs, ws = _cluster_blocks(labels, significance, k, low_r[k], high_r[k], low_c[k], high_c[k], weight_cap)
        angles, offsets = _find_lines(xs, ys, ws, min_line_blocks, halfwidth, min_angle, max_lines, n_angles)
        if angles.shape[0] < 2:
            continue
        for i in range(xs.shape[0]):
            best, distance = _nearest_line(xs[i], ys[i], angles, offsets)
            if distance > 2 * halfwidth:
                labels[ys[i], xs[i]] = -2  # off every line: a separate deposit
            elif best > 0:
                labels[ys[i], xs[i]] = total + best - 1
        total += angles.shape[0] - 1
        total = _label_leftovers(labels, low_r[k], high_r[k], low_c[k], high_c[k], total)
    return total


@njit(cache=True, nogil=True)
def _label_leftovers(labels, r0, r1, c0, c1, total):
    """Give each 8-connected group of blocks marked -2 a new cluster index."""
    stack = np.empty((r1 - r0 + 1) * (c1 - c0 + 1), np.int64)
    width = c1 - c0 + 1
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            if labels[r, c] != -2:
                continue
            labels[r, c] = total
            stack[0], top = (r - r0) * width + (c - c0), 1
            while top > 0:
                top -= 1
                rr0, cc0 = r0 + stack[top] // width, c0 + stack[top] % width
                for rr in range(max(rr0 - 1, r0), min(rr0 + 2, r1 + 1)):
                    for cc in range(max(cc0 - 1, c0), min(cc0 + 2, c1 + 1)):
                        if labels[rr, cc] == -2:
                            labels[rr, cc] = total
                            stack[top] = (rr - r0) * width + (cc - c0)
                            top += 1
            total += 1
    return total


@njit(cache=True, nogil=True)
def _transverse_rms(moment):
    """rms of the blocks across their principal axis (0 for a perfect line)."""
    n = moment[0]
    var_x = moment[3] / n - (moment[1] / n) ** 2
    var_y = moment[4] / n - (moment[2] / n) ** 2
    cov = moment[5] / n - moment[1] * moment[2] / n**2
    half_trace = 0.5 * (var_x + var_y)
    spread = np.sqrt(0.25 * (var_x - var_y) ** 2 + cov**2)
    return np.sqrt(max(half_trace - spread, 0.0))


@njit(cache=True, nogil=True)
def _cluster_blocks(labels, significance, k, r0, r1, c0, c1, weight_cap):
    count = 0
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            if labels[r, c] == k:
                count += 1
    ys = np.empty(count, np.int64)
    xs = np.empty(count, np.int64)
    ws = np.empty(count, np.float64)
    i = 0
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            if labels[r, c] == k:
                ys[i], xs[i] = r, c
                ws[i] = min(max(significance[r, c], 0.0), weight_cap)
                i += 1
    return ys, xs, ws


@njit(cache=True, nogil=True)
def _find_lines(xs, ys, ws, min_line_blocks, halfwidth, min_angle, max_lines, n_angles):
    """Angles and offsets (x cos + y sin = offset) of the cluster's distinct lines.

    The Hough accumulator is filled once; the blocks a line claims are subtracted from it.
    """
    angles = np.empty(max_lines)
    offsets = np.empty(max_lines)
    n_found = 0
    free = np.ones(xs.shape[0], np.bool_)
    x0, y0 = xs.min(), ys.min()
    n_rho = int(np.hypot(xs.max() - x0, ys.max() - y0)) + 2
    cos_table = np.cos(np.pi * np.arange(n_angles) / n_angles)
    sin_table = np.sin(np.pi * np.arange(n_angles) / n_angles)
    accumulator = np.zeros((n_angles, 2 * n_rho + 1))
    for i in range(xs.shape[0]):
        _vote(accumulator, xs[i] - x0, ys[i] - y0, ws[i], cos_table, sin_table, n_rho)
    width = int(np.floor(halfwidth))
    for _ in range(max_lines):
        best, best_a, best_b = 0.0, -1, -1
        for a in range(n_angles):
            if _too_close(np.pi * a / n_angles, angles[:n_found], min_angle):
                continue
            band = accumulator[a, 0:2 * width + 1].sum()
            for b in range(width, 2 * n_rho + 1 - width):
                if b > width:
                    band += accumulator[a, b + width] - accumulator[a, b - width - 1]
                if band > best:
                    best, best_a, best_b = band, a, b
        if best_a < 0:
            break
        theta = np.pi * best_a / n_angles
        rho = best_b - n_rho + x0 * np.cos(theta) + y0 * np.sin(theta)
        span, members = _span(xs, ys, free, theta, rho, halfwidth)
        if span < min_line_blocks or members < MIN_FILL * span:
            break
        angles[n_found], offsets[n_found] = theta, rho
        n_found += 1
        for i in range(xs.shape[0]):
            if free[i] and abs(xs[i] * np.cos(theta) + ys[i] * np.sin(theta) - rho) <= halfwidth:
                free[i] = False
                _vote(accumulator, xs[i] - x0, ys[i] - y0, -ws[i], cos_table, sin_table, n_rho)
    return angles[:n_found], offsets[:n_found]


@njit(cache=True, nogil=True)
def _vote(accumulator, x, y, weight, cos_table, sin_table, n_rho):
    for a in range(cos_table.shape[0]):
        rho = x * cos_table[a] + y * sin_table[a]
        accumulator[a, int(np.floor(rho + 0.5)) + n_rho] += weight


@njit(cache=True, nogil=True)
def _too_close(theta, angles, min_angle):
    for other in angles:
        delta = abs(theta - other) % np.pi
        if min(delta, np.pi - delta) < min_angle:
            return True
    return False


@njit(cache=True, nogil=True)
def _span(xs, ys, free, theta, rho, halfwidth):
    """Length along the line of the unclaimed blocks near it, and their number."""
    low, high, members = np.inf, -np.inf, 0
    for i in range(xs.shape[0]):
        if free[i] and abs(xs[i] * np.cos(theta) + ys[i] * np.sin(theta) - rho) <= halfwidth:
            along = -xs[i] * np.sin(theta) + ys[i] * np.cos(theta)
            low, high = min(low, along), max(high, along)
            members += 1
    return (high - low + 1.0 if high >= low else 0.0), members


@njit(cache=True, nogil=True)
def _nearest_line(x, y, angles, offsets):
    best, best_distance = 0, np.inf
    for j in range(angles.shape[0]):
        distance = abs(x * np.cos(angles[j]) + y * np.sin(angles[j]) - offsets[j])
        if distance < best_distance:
            best, best_distance = j, distance
    return best, best_distance
