"""Per-cluster sums over the kept pixels: which pixel belongs to which cluster, and moments.

A pixel belongs to a cluster if its block does (a *core* pixel) or if its block lies
within ``ring`` blocks of the cluster (a *ring* pixel). Ring pixels catch the diffusion
tails around a deposit: they count in the integral and the pixel counts, while the
shape (mean, covariance, extent) uses the core pixels, weighted by their positive
pedestal-subtracted signal.
"""

import numpy as np
from numba import njit

__all__ = ["assign_pixels", "accumulate_moments", "MOMENT_COLUMNS"]

#: Columns of the moment table returned by :func:`accumulate_moments`.
MOMENT_COLUMNS = ("integral", "size", "nhits", "sum_s2", "w", "wx", "wy", "wxx", "wyy", "wxy",
                  "xmin", "xmax", "ymin", "ymax",
                  "w_all", "wx_all", "wy_all", "wxx_all", "wyy_all", "wxy_all")


def assign_pixels(rows, cols, block_labels, bin, ring=1):
    """Cluster of every kept pixel.

    Parameters
    ----------
    rows, cols : ndarray of int32, shape (n,)
        Kept pixel coordinates.
    block_labels : ndarray of int32, shape (n_block_rows, n_block_cols)
        Cluster per block, -1 outside (see :func:`recon.cluster_labels.label_blocks`).
    bin : int
        Block side in pixels.
    ring : int
        Width in blocks of the ring of tail pixels added around each cluster (>= 0).

    Returns
    -------
    pixel_label : ndarray of int32, shape (n,)
        Cluster per pixel, -1 for pixels in no cluster.
    core : ndarray of bool, shape (n,)
        True where the pixel's own block belongs to the cluster.
    """
    ring_labels = _ring_labels_kernel(block_labels, int(ring))
    return _assign_kernel(rows, cols, block_labels, ring_labels, int(bin))


@njit(cache=True, nogil=True)
def _ring_labels_kernel(block_labels, ring):
    n_rows, n_cols = block_labels.shape
    ring_labels = np.full((n_rows, n_cols), -1, dtype=np.int32)
    for r in range(n_rows):
        for c in range(n_cols):
            label = block_labels[r, c]
            if label < 0:
                continue
            for rr in range(max(r - ring, 0), min(r + ring + 1, n_rows)):
                for cc in range(max(c - ring, 0), min(c + ring + 1, n_cols)):
                    if block_labels[rr, cc] < 0 and ring_labels[rr, cc] < 0:
                        ring_labels[rr, cc] = label
    return ring_labels


@njit(cache=True, nogil=True)
def _assign_kernel(rows, cols, block_labels, ring_labels, bin):
    n = rows.shape[0]
    pixel_label = np.full(n, -1, dtype=np.int32)
    core = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        br = rows[i] // bin
        bc = cols[i] // bin
        label = block_labels[br, bc]
        if label >= 0:
            pixel_label[i] = label
            core[i] = True
        else:
            pixel_label[i] = ring_labels[br, bc]
    return pixel_label, core


def accumulate_moments(pixel_label, core, rows, cols, signal, n_clusters):
    """Sums per cluster, one row per cluster and one column per :data:`MOMENT_COLUMNS`.

    ``integral``, ``size`` and ``sum_s2`` run over all the cluster's pixels; ``nhits``
    counts those with positive signal; the weighted sums (``w`` = positive signal of
    core pixels, x = column, y = row) and the bounding box run over the core pixels,
    the ``*_all`` weighted sums over all the cluster's pixels.

    Returns
    -------
    ndarray of float64, shape (n_clusters, len(MOMENT_COLUMNS))
    """
    return _accumulate_kernel(pixel_label, core, rows, cols, signal, int(n_clusters))


@njit(cache=True, nogil=True)
def _accumulate_kernel(pixel_label, core, rows, cols, signal, n_clusters):
    table = np.zeros((n_clusters, 20), dtype=np.float64)
    table[:, 10] = np.inf
    table[:, 11] = -np.inf
    table[:, 12] = np.inf
    table[:, 13] = -np.inf
    for i in range(pixel_label.shape[0]):
        k = pixel_label[i]
        if k < 0:
            continue
        s = np.float64(signal[i])
        table[k, 0] += s
        table[k, 1] += 1.0
        if s > 0:
            table[k, 2] += 1.0
        table[k, 3] += s * s
        x = np.float64(cols[i])
        y = np.float64(rows[i])
        w = max(s, 0.0)
        _add_weighted(table[k], 14, w, x, y)
        if not core[i]:
            continue
        _add_weighted(table[k], 4, w, x, y)
        table[k, 10] = min(table[k, 10], x)
        table[k, 11] = max(table[k, 11], x)
        table[k, 12] = min(table[k, 12], y)
        table[k, 13] = max(table[k, 13], y)
    return table


@njit(cache=True, nogil=True, inline="always")
def _add_weighted(row, start, w, x, y):
    """Add the weighted moments w, wx, wy, wxx, wyy, wxy into ``row[start:start + 6]``."""
    row[start] += w
    row[start + 1] += w * x
    row[start + 2] += w * y
    row[start + 3] += w * x * x
    row[start + 4] += w * y * y
    row[start + 5] += w * x * y


def _accumulate_reference(pixel_label, core, rows, cols, signal, n_clusters):
    """Plain-numpy twin of :func:`_accumulate_kernel` (used by the tests)."""
    table = np.zeros((n_clusters, 20))
    inside = pixel_label >= 0
    label, s = pixel_label[inside], signal[inside].astype(np.float64)
    table[:, 0] = np.bincount(label, s, n_clusters)
    table[:, 1] = np.bincount(label, None, n_clusters)
    table[:, 2] = np.bincount(label, (s > 0).astype(float), n_clusters)
    table[:, 3] = np.bincount(label, s * s, n_clusters)
    in_core = inside & core
    for start, chosen in ((14, inside), (4, in_core)):
        label = pixel_label[chosen]
        x, y = cols[chosen].astype(float), rows[chosen].astype(float)
        w = np.maximum(signal[chosen].astype(np.float64), 0.0)
        for column, weight in enumerate((w, w * x, w * y, w * x * x, w * y * y, w * x * y), start=start):
            table[:, column] = np.bincount(label, weight, n_clusters)
    label = pixel_label[in_core]
    x, y = cols[in_core].astype(float), rows[in_core].astype(float)
    for column, (values, reduce) in enumerate(((x, np.minimum), (x, np.maximum),
                                               (y, np.minimum), (y, np.maximum)), start=10):
        start = np.inf if reduce is np.minimum else -np.inf
        table[:, column] = start
        reduce.at(table[:, column], label, values)
    return table
