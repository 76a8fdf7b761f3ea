"""Prompt reconstruction: raw frame -> zero-suppressed pixels -> clusters -> ``sc_*`` variables.

The chain works on the kept pixels only: one pass pedestal-subtracts them and sums
them into a 4 x 4 block significance map, clusters run on that coarse map (hysteresis
then superclustering of fragments, :mod:`recon.cluster_labels`), and one or two more
passes over the kept pixels give each cluster's sums and shape
(:mod:`recon.cluster_moments`, :mod:`recon.variables`). Every pass is a numba kernel
that releases the GIL.
"""

import time

import numpy as np

from .block_map import block_map
from .cluster_labels import label_blocks
from .cluster_moments import accumulate_moments, assign_pixels
from .energy import check_adu_per_kev, cluster_energy
from .errors import PedestalError, ReconError
from .line_split import split_crossing_tracks
from .pixel_lists import cluster_pixel_lists
from .sparse_frame import SparseFrame
from .supercluster import collinear_merge_map
from .variables import CLUSTER_BRANCHES, cluster_variables
from .zero_suppress import zero_suppress

__all__ = ["reconstruct", "reconstruct_sparse", "EVENT_BRANCHES", "TIMING_BRANCHES", "DEFAULTS"]

#: Options and their defaults: clustering (see :func:`recon.cluster_labels.label_blocks`),
#: ``pixel_lists``, which adds each cluster's pixels (:mod:`recon.pixel_lists`), and
#: ``adu_per_kev``, the calibration that adds ``sc_energy`` (:mod:`recon.energy`).
DEFAULTS = {"bin": 4, "seed": 4.5, "grow": 1.5, "merge_radius": 2, "min_significance": 7.0, "ring": 1,
            "merge_rounds": 3, "split_crossing": True, "pixel_lists": False, "adu_per_kev": None}
#: Event-level branches (one value per frame) besides the timings.
EVENT_BRANCHES = ("nSc", "cmos_integral", "cmos_mean", "cmos_rms", "pedestal_run", "frame_level")
#: Time of each step, seconds. ``t_DBSCAN`` keeps the collaboration's name for the
#: clustering step (here block hysteresis + superclustering, not DBSCAN).
TIMING_BRANCHES = ("t_zerosup", "t_rebin", "t_DBSCAN", "t_variables", "t_reco")


def reconstruct(frame, pedestal, *, run=None, event=None, **options):
    """Reconstruct one raw camera frame.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols)
        Raw camera frame (any shape, square or not).
    pedestal : recon.Pedestal
        Pedestal of the camera, same shape as ``frame``.
    run, event : int, optional
        Added as ``run`` / ``event`` entries when given. ``pedestal_run`` is always the
        pedestal's ``run`` (-1 if unknown), ``frame_level`` the zero-suppressed frame's
        ``level`` (NaN if not measured).
    **options
        Clustering options, see :data:`DEFAULTS`; ``pixel_lists=True`` also returns the
        clusters' pixels (``nRedpix``, ``sc_redpixIdx``, ``redpix_ix/iy/iz``), and
        ``adu_per_kev`` (a calibration, ADU per keV) their energies ``sc_energy`` in keV.

    Returns
    -------
    dict of str to ndarray
        Per-cluster ``sc_*`` arrays of shape (nSc,) (:data:`CLUSTER_BRANCHES`), event
        scalars (:data:`EVENT_BRANCHES`) and step timings (:data:`TIMING_BRANCHES`).
    """
    frame = np.asarray(frame)
    if frame.ndim != 2 or frame.dtype != np.uint16:
        raise ReconError(f"frame must be a 2-D uint16 array, got {frame.dtype} shape {frame.shape}")
    _check_pedestal(pedestal, frame.shape)
    started = time.perf_counter()
    sparse = zero_suppress(frame, pedestal)
    t_zerosup = time.perf_counter() - started
    result = reconstruct_sparse(sparse, pedestal, run=run, event=event, **options)
    result["t_zerosup"] = np.float64(t_zerosup)
    result["t_reco"] = np.float64(result["t_reco"] + t_zerosup)
    return result


def reconstruct_sparse(sparse, pedestal, *, run=None, event=None, **options):
    """Reconstruct one already zero-suppressed frame (what the edge calls).

    Parameters
    ----------
    sparse : recon.SparseFrame
        Kept pixels of the frame (raw ADU).
    pedestal : recon.Pedestal
        Pedestal used to zero-suppress it (same shape).
    run, event, **options
        As for :func:`reconstruct`.

    Returns
    -------
    dict of str to ndarray
        As :func:`reconstruct`; ``t_zerosup`` is 0 here.
    """
    if not isinstance(sparse, SparseFrame):
        raise ReconError(f"sparse must be a SparseFrame, got {type(sparse).__name__}")
    _check_pedestal(pedestal, tuple(sparse.shape))
    opts = _options(options)
    timings = {"t_zerosup": 0.0}
    clock = time.perf_counter()
    blocks = block_map(sparse.rows, sparse.cols, sparse.values, pedestal.mean, pedestal.weight,
                       pedestal.block_norm(opts["bin"]), opts["bin"])
    rows, cols = blocks.rows, blocks.cols
    clock = _lap(timings, "t_rebin", clock)
    pixel_label, core, n_clusters = _cluster_pixels(rows, cols, blocks, opts)
    clock = _lap(timings, "t_DBSCAN", clock)
    table = accumulate_moments(pixel_label, core, rows, cols, blocks.signal, n_clusters)
    result = cluster_variables(table, pixel_label, core, rows, cols)
    if opts["adu_per_kev"] is not None:
        result["sc_energy"] = cluster_energy(result["sc_integral"], opts["adu_per_kev"])
    result.update(_event_variables(blocks.signal, sparse.shape, n_clusters))
    if opts["pixel_lists"]:
        result.update(cluster_pixel_lists(pixel_label, rows, cols, blocks.signal, n_clusters))
    _lap(timings, "t_variables", clock)
    timings["t_reco"] = sum(timings[name] for name in ("t_rebin", "t_DBSCAN", "t_variables"))
    result.update({name: np.float64(value) for name, value in timings.items()})
    result["pedestal_run"] = np.int64(getattr(pedestal, "run", -1))
    result["frame_level"] = np.float64(np.nan if sparse.level is None else sparse.level)
    if run is not None:
        result["run"] = np.int64(run)
    if event is not None:
        result["event"] = np.int64(event)
    return result


def _cluster_pixels(rows, cols, blocks, opts):
    """Cluster index of every kept pixel: block clusters, crossing tracks split, collinear fragments merged."""
    labels, n_clusters = label_blocks(
        blocks.significance, seed=opts["seed"], grow=opts["grow"],
        merge_radius=opts["merge_radius"], min_significance=opts["min_significance"])
    if opts["split_crossing"]:
        labels, n_clusters = split_crossing_tracks(labels, blocks.significance, n_clusters)
    pixel_label, core = assign_pixels(rows, cols, labels, opts["bin"], opts["ring"])
    for _ in range(opts["merge_rounds"]):
        table = accumulate_moments(pixel_label, core, rows, cols, blocks.signal, n_clusters)
        merge_map, n_merged = collinear_merge_map(cluster_variables(table, pixel_label, core, rows, cols))
        if n_merged == n_clusters:
            break
        pixel_label = np.where(pixel_label >= 0, merge_map[pixel_label], -1).astype(np.int32)
        n_clusters = n_merged
    return pixel_label, core, n_clusters


def _event_variables(signal, shape, n_clusters):
    """Frame totals over the kept pixels (pixels not kept count as 0 ADU)."""
    area = float(shape[0] * shape[1])
    total = float(signal.sum(dtype=np.float64))
    mean = total / area
    mean_square = float(np.dot(signal, signal)) / area
    return {"nSc": np.int32(n_clusters), "cmos_integral": np.float64(total),
            "cmos_mean": np.float64(mean), "cmos_rms": np.float64(np.sqrt(max(mean_square - mean**2, 0.0)))}


def _lap(timings, name, clock):
    now = time.perf_counter()
    timings[name] = now - clock
    return now


def _options(options):
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise ReconError(f"unknown reconstruction option(s) {sorted(unknown)!r}; known: {sorted(DEFAULTS)}")
    opts = {**DEFAULTS, **options}
    if not isinstance(opts["pixel_lists"], (bool, np.bool_)):
        raise ReconError(f"pixel_lists must be True or False, got {opts['pixel_lists']!r}")
    opts["adu_per_kev"] = check_adu_per_kev(opts["adu_per_kev"])
    return opts


def _check_pedestal(pedestal, shape):
    pedestal_shape = getattr(pedestal, "shape", None)
    if pedestal_shape is None or not hasattr(pedestal, "weight"):
        raise PedestalError(f"pedestal must be a recon.Pedestal, got {type(pedestal).__name__}")
    if tuple(pedestal_shape) != tuple(shape):
        raise PedestalError(f"pedestal.shape {tuple(pedestal_shape)} does not match frame shape {tuple(shape)}")
