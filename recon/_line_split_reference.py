"""Plain-numpy/scipy twin of :mod:`recon.line_split`'s numba kernel (the tests compare the two)."""

import numpy as np

from .line_split import MIN_FILL

__all__ = ["split_reference"]


def split_reference(labels, significance, n_clusters, min_line_blocks, halfwidth, min_angle,
                    max_lines, weight_cap, n_angles):
    """Twin of :func:`recon.line_split._split_kernel`; returns ``(labels, n_clusters)``."""
    from scipy import ndimage

    labels, total = labels.copy(), n_clusters
    for k in range(n_clusters):
        ys, xs = np.nonzero(labels == k)
        if len(xs) == 0 or max(np.ptp(ys), np.ptp(xs)) + 1 < min_line_blocks:
            continue
        if np.sqrt(max(np.linalg.eigvalsh(np.cov(np.vstack([xs, ys]), bias=True))[0], 0.0)) < 2 * halfwidth:
            continue
        ws = np.clip(significance[ys, xs].astype(np.float64), 0.0, weight_cap)
        angles, offsets = _find_lines_reference(xs, ys, ws, min_line_blocks, halfwidth, min_angle,
                                                max_lines, n_angles)
        if len(angles) < 2:
            continue
        distance = np.abs(xs[:, None] * np.cos(angles) + ys[:, None] * np.sin(angles) - offsets)
        best = np.argmin(distance, axis=1)
        far = distance.min(axis=1) > 2 * halfwidth
        labels[ys[~far & (best > 0)], xs[~far & (best > 0)]] = total + best[~far & (best > 0)] - 1
        total += len(angles) - 1
        box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
        marked = np.zeros(labels.shape, bool)
        marked[ys[far], xs[far]] = True
        groups, n_groups = ndimage.label(marked[box], structure=np.ones((3, 3)))
        labels[box][groups > 0] = total + groups[groups > 0] - 1
        total += n_groups
    return labels, total


def _find_lines_reference(xs, ys, ws, min_line_blocks, halfwidth, min_angle, max_lines, n_angles):
    thetas = np.pi * np.arange(n_angles) / n_angles
    cos_table, sin_table = np.cos(thetas), np.sin(thetas)
    x0, y0 = xs.min(), ys.min()
    n_rho = int(np.hypot(xs.max() - x0, ys.max() - y0)) + 2
    width = int(np.floor(halfwidth))
    bins = np.floor((xs[:, None] - x0) * cos_table + (ys[:, None] - y0) * sin_table + 0.5).astype(int) + n_rho
    rows = np.broadcast_to(np.arange(n_angles), bins.shape)
    accumulator = np.zeros((n_angles, 2 * n_rho + 1))
    np.add.at(accumulator, (rows, bins), np.broadcast_to(ws[:, None], bins.shape))
    free = np.ones(len(xs), bool)
    angles, offsets = [], []
    for _ in range(max_lines):
        allowed = np.array([all(min(abs(t - a) % np.pi, np.pi - abs(t - a) % np.pi) >= min_angle
                                for a in angles) for t in thetas])
        band = np.lib.stride_tricks.sliding_window_view(accumulator, 2 * width + 1, axis=1).sum(axis=2)
        band[~allowed] = 0.0
        if band.max() <= 0:
            break
        a, b = np.unravel_index(np.argmax(band), band.shape)
        theta = thetas[a]
        offset = b + width - n_rho + x0 * np.cos(theta) + y0 * np.sin(theta)
        near = np.abs(xs * np.cos(theta) + ys * np.sin(theta) - offset) <= halfwidth
        members = near & free
        along = -xs[members] * np.sin(theta) + ys[members] * np.cos(theta)
        span = np.ptp(along) + 1.0 if members.any() else 0.0
        if span < min_line_blocks or members.sum() < MIN_FILL * span:
            break
        angles.append(theta)
        offsets.append(offset)
        np.add.at(accumulator, (rows[members], bins[members]), -np.broadcast_to(ws[members, None], bins[members].shape))
        free &= ~near
    return np.array(angles), np.array(offsets)
