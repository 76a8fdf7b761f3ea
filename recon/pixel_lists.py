"""The clusters' pixel lists, as the collaboration's ``redpix_*`` branches.

The collaboration's ROOT files can hold every cluster's pixels: per event the flat
lists ``redpix_ix`` (x = column), ``redpix_iy`` (y = row) and ``redpix_iz`` (signal),
``nRedpix`` entries long, grouped by cluster, and per cluster ``sc_redpixIdx``, the
index of its first pixel in those lists. Here the pixels are the kept (zero-suppressed)
pixels each cluster holds, core and ring (those ``sc_size`` counts), in raster order
within a cluster; the signal is pedestal-subtracted ADU. Types as the collaboration's
analysis code reads them: int32 coordinates, float32 signal, and ``sc_redpixIdx`` a float32
like every ``sc_*`` branch (exact: a frame has fewer than 2**24 pixels). They make a result
about 12 bytes per clustered pixel larger, so :func:`recon.reconstruct` adds them only
when asked (``pixel_lists=True``).
"""

import numpy as np

__all__ = ["cluster_pixel_lists", "PIXEL_LIST_BRANCHES"]

#: Branches added by :func:`cluster_pixel_lists`.
PIXEL_LIST_BRANCHES = ("nRedpix", "sc_redpixIdx", "redpix_ix", "redpix_iy", "redpix_iz")


def cluster_pixel_lists(pixel_label, rows, cols, signal, n_clusters):
    """Every cluster's pixels, grouped by cluster.

    Parameters
    ----------
    pixel_label : ndarray of int32, shape (n,)
        Cluster of each kept pixel, -1 outside every cluster.
    rows, cols : ndarray of int, shape (n,)
        Pixel coordinates, in raster order.
    signal : ndarray of float32, shape (n,)
        Pedestal-subtracted signal of each pixel (ADU).
    n_clusters : int

    Returns
    -------
    dict of str to ndarray
        ``nRedpix`` (int32 scalar), ``sc_redpixIdx`` (float32, shape (n_clusters,)),
        ``redpix_ix``, ``redpix_iy`` (int32) and ``redpix_iz`` (float32), shape (nRedpix,).
    """
    inside = np.flatnonzero(pixel_label >= 0)
    order = inside[np.argsort(pixel_label[inside], kind="stable")]
    counts = np.bincount(pixel_label[inside], minlength=n_clusters)[:n_clusters]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if n_clusters else np.zeros(0)
    return {"nRedpix": np.int32(order.size), "sc_redpixIdx": starts.astype(np.float32),
            "redpix_ix": cols[order].astype(np.int32), "redpix_iy": rows[order].astype(np.int32),
            "redpix_iz": signal[order].astype(np.float32)}
