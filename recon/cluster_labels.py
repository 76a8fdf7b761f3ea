"""Clustering on the block significance map: hysteresis, then superclustering.

Blocks above ``grow`` sigma that touch (8-connectivity) form fragments; a fragment is
kept if one of its blocks reaches ``seed`` sigma. Fragments closer than
``merge_radius`` blocks (Chebyshev distance) are then merged into one supercluster,
which bridges the gaps a faint muon track leaves where noise pulls a block below
threshold. A supercluster is kept when its combined significance (sum of block
significances over the square root of their number) reaches ``min_significance``:
that cut is what keeps noise-only frames free of fake clusters.

Everything runs on the coarse block map (331 776 blocks for a 2304 x 2304 frame at
4 x 4), visiting only active blocks, in a numba kernel that releases the GIL.
"""

import numpy as np
from numba import njit

from .errors import ReconError

__all__ = ["label_blocks"]


def label_blocks(significance, *, seed=5.0, grow=2.0, merge_radius=3, min_significance=7.0):
    """Label clusters of blocks.

    Parameters
    ----------
    significance : ndarray of float32, shape (n_block_rows, n_block_cols)
        Block significance map (see :func:`recon.block_map.block_map`).
    seed, grow : float
        Hysteresis thresholds in sigma: a fragment of blocks >= ``grow`` is kept if one
        block is >= ``seed``.
    merge_radius : int
        Fragments whose blocks are at most this many blocks apart merge (>= 1; 1 is
        plain 8-connectivity).
    min_significance : float
        Minimum combined significance of a kept cluster.

    Returns
    -------
    labels : ndarray of int32, shape (n_block_rows, n_block_cols)
        Cluster index per block (0..n_clusters-1, numbered in row-major order of
        their first block), -1 outside clusters.
    n_clusters : int
    """
    if significance.ndim != 2:
        raise ReconError(f"significance must be a 2-D block map, got shape {significance.shape}")
    if not grow <= seed:
        raise ReconError(f"grow must be <= seed, got grow={grow!r} seed={seed!r}")
    if not isinstance(merge_radius, (int, np.integer)) or merge_radius < 1:
        raise ReconError(f"merge_radius must be an integer >= 1, got {merge_radius!r}")
    significance = np.ascontiguousarray(significance, dtype=np.float32)
    labels, n_clusters = _label_blocks_kernel(
        significance, np.float32(seed), np.float32(grow), int(merge_radius), float(min_significance))
    return labels, int(n_clusters)


@njit(cache=True, nogil=True)
def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True, nogil=True)
def _link(index_map, block_rows, block_cols, radius, parent):
    n_rows, n_cols = index_map.shape
    for k in range(block_rows.shape[0]):
        r = block_rows[k]
        c = block_cols[k]
        if index_map[r, c] < 0:
            continue
        for dr in range(0, radius + 1):
            for dc in range(-radius, radius + 1):
                if dr == 0 and dc <= 0:
                    continue
                rr = r + dr
                cc = c + dc
                if rr >= n_rows or cc < 0 or cc >= n_cols:
                    continue
                j = index_map[rr, cc]
                if j >= 0:
                    a = _find(parent, k)
                    b = _find(parent, j)
                    if a != b:
                        parent[max(a, b)] = min(a, b)


@njit(cache=True, nogil=True)
def _label_blocks_kernel(significance, seed, grow, merge_radius, min_significance):
    n_rows, n_cols = significance.shape
    index_map = np.full((n_rows, n_cols), -1, dtype=np.int32)
    n_active = 0
    for r in range(n_rows):
        for c in range(n_cols):
            if significance[r, c] >= grow:
                index_map[r, c] = n_active
                n_active += 1
    block_rows = np.empty(n_active, dtype=np.int32)
    block_cols = np.empty(n_active, dtype=np.int32)
    for r in range(n_rows):
        for c in range(n_cols):
            k = index_map[r, c]
            if k >= 0:
                block_rows[k] = r
                block_cols[k] = c
    # 1. fragments: 8-connected components of active blocks, kept if seeded
    parent = np.arange(n_active)
    _link(index_map, block_rows, block_cols, 1, parent)
    seeded = np.zeros(n_active, dtype=np.bool_)
    for k in range(n_active):
        if significance[block_rows[k], block_cols[k]] >= seed:
            seeded[_find(parent, k)] = True
    for k in range(n_active):
        if not seeded[_find(parent, k)]:
            index_map[block_rows[k], block_cols[k]] = -1
    # 2. superclusters: kept fragments closer than merge_radius blocks
    parent = np.arange(n_active)
    _link(index_map, block_rows, block_cols, merge_radius, parent)
    score = np.zeros(n_active, dtype=np.float64)
    count = np.zeros(n_active, dtype=np.int64)
    for k in range(n_active):
        if index_map[block_rows[k], block_cols[k]] >= 0:
            root = _find(parent, k)
            score[root] += significance[block_rows[k], block_cols[k]]
            count[root] += 1
    # 3. keep significant superclusters, numbered by their first block (row-major)
    cluster_of_root = np.full(n_active, -1, dtype=np.int32)
    labels = np.full((n_rows, n_cols), -1, dtype=np.int32)
    n_clusters = 0
    for k in range(n_active):
        r = block_rows[k]
        c = block_cols[k]
        if index_map[r, c] < 0:
            continue
        root = _find(parent, k)
        if score[root] < min_significance * np.sqrt(count[root]):
            continue
        if cluster_of_root[root] < 0:
            cluster_of_root[root] = n_clusters
            n_clusters += 1
        labels[r, c] = cluster_of_root[root]
    return labels, n_clusters


def _label_blocks_reference(significance, seed, grow, merge_radius, min_significance):
    """Plain-numpy/scipy twin of :func:`_label_blocks_kernel` (used by the tests)."""
    from scipy import ndimage
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial.distance import cdist

    fragments, _ = ndimage.label(significance >= grow, structure=np.ones((3, 3)))
    seeded = np.unique(fragments[(significance >= seed) & (fragments > 0)])
    kept = np.isin(fragments, seeded) & (fragments > 0)
    points = np.argwhere(kept)  # row-major order
    labels = np.full(significance.shape, -1, dtype=np.int32)
    if len(points) == 0:
        return labels, 0
    close = cdist(points, points, metric="chebyshev") <= merge_radius
    _, component = connected_components(close, directed=False)
    values = significance[kept].astype(np.float64)
    n_clusters = 0
    cluster_of_component = {}
    for point, comp in zip(points, component):
        members = component == comp
        if values[members].sum() < min_significance * np.sqrt(members.sum()):
            continue
        if comp not in cluster_of_component:
            cluster_of_component[comp] = n_clusters
            n_clusters += 1
        labels[point[0], point[1]] = cluster_of_component[comp]
    return labels, n_clusters
