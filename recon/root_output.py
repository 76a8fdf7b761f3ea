"""The collaboration's ROOT file: TTree ``Events``, one entry per frame, written with uproot.

Event-level values (``run``, ``event``, ``nSc``, ``cmos_*``, ``t_*``) become flat
branches; per-cluster arrays (``sc_*``) become jagged branches whose counter is the
``nSc`` branch, and the clusters' pixel lists (``redpix_*``, when reconstructed with
``pixel_lists=True``) jagged branches counted by ``nRedpix``, as in
``reco_run%05d_3D.root``. Written by uproot (pure Python); ROOT itself cannot be
installed on this machine, so the files are checked with uproot.
"""

import os
import tempfile

import awkward as ak
import numpy as np
import uproot

from .errors import ReconError

__all__ = ["write_root", "root_bytes", "root_file_name", "fill_missing_branches", "TREE_NAME", "COUNTER"]

TREE_NAME = "Events"
COUNTER = "nSc"
#: Prefix of the jagged branches -> the branch that counts their entries per event.
JAGGED = {"sc_": COUNTER, "redpix_": "nRedpix"}


def root_file_name(run):
    """``reco_run<run:05d>.root``, the file name of one run's reconstruction."""
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or run < 0:
        raise ReconError(f"run must be an integer >= 0, got {run!r}")
    return f"reco_run{int(run):05d}.root"


def fill_missing_branches(events):
    """Give every result the branches any result of ``events`` has, as NaN where it lacks them.

    A run whose frames were reconstructed by two versions (the edge upgraded mid-run)
    has results with different branch sets, which :func:`write_root` refuses. This
    returns new dicts with the union of the names: a missing event-level branch is NaN,
    a missing counter (``nRedpix``) 0, a missing jagged branch (``sc_*``, ``redpix_*``) as
    many NaNs as its counter says; present values are kept as they are.

    Returns
    -------
    events : list of dict
    filled : dict of str to int
        Each branch that was missing somewhere -> in how many results.
    """
    names = {}
    for event in events:
        names.update(dict.fromkeys(event))
    filled, aligned = {}, []
    for event in events:
        row = dict(event)
        missing = [name for name in names if name not in event]
        for name in sorted(missing, key=lambda name: name not in JAGGED.values()):  # counters first
            filled[name] = filled.get(name, 0) + 1
            row[name] = _filler(name, row)
        aligned.append(row)
    return aligned, filled


def _filler(name, row):
    """What a result without branch ``name`` gets: 0 for a counter, NaNs for the rest."""
    if name in JAGGED.values():
        return np.int32(0)
    counter = _counter_of(name)
    if counter is None:
        return np.float64(np.nan)
    return np.full(int(row[counter]), np.nan, dtype=np.float32)


def write_root(events, path):
    """Write reconstruction results as the ``Events`` tree of a new ROOT file.

    Parameters
    ----------
    events : sequence of dict
        One result per frame, in event order (as :func:`recon.reconstruct` returns,
        with ``run``/``event`` added). All must have the same branch names; ``sc_*``
        arrays must have ``nSc`` entries, ``redpix_*`` arrays ``nRedpix``.
    path : str or os.PathLike
        File to create (overwritten).
    """
    columns = _columns(events)
    with uproot.recreate(os.fspath(path)) as file:
        types = {name: (ak.type(value) if isinstance(value, ak.Array) else value.dtype)
                 for name, value in columns.items()}
        tree = file.mktree(TREE_NAME, types, counter_name=_counter_of)
        tree.extend(columns)


def root_bytes(events):
    """The ROOT file :func:`write_root` would write, as bytes."""
    handle, path = tempfile.mkstemp(suffix=".root", prefix="cygno-reco-")
    os.close(handle)
    try:
        write_root(events, path)
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)


def _columns(events):
    """Branch name -> numpy array (event-level) or awkward jagged array (per cluster)."""
    if isinstance(events, dict) or not hasattr(events, "__len__") or len(events) == 0:
        raise ReconError(f"events must be a non-empty list of result dicts, got {type(events).__name__}")
    names = list(events[0])
    if COUNTER not in names:
        raise ReconError(f"events[0] has no {COUNTER!r} entry; keys: {sorted(names)}")
    for index, event in enumerate(events):
        if not isinstance(event, dict) or set(event) != set(names):
            found = sorted(event) if isinstance(event, dict) else type(event).__name__
            raise ReconError(f"events[{index}] branches {found} differ from events[0]'s {sorted(names)}")
    counters = {counter: _counts(events, counter) for counter in JAGGED.values() if counter in names}
    columns = {}
    for name in names:
        counter = _counter_of(name)
        if name in counters:
            continue
        if counter is None:
            columns[name] = _flat(events, name)
        elif counter in counters:
            columns[name] = _jagged(events, name, counters[counter], counter)
        else:
            raise ReconError(f"branch {name!r} needs its counter {counter!r}, which events[0] lacks")
    return {**counters, **columns}


def _counter_of(name):
    """The counter branch of a jagged branch ``name``, or None for an event-level one."""
    return next((counter for prefix, counter in JAGGED.items() if name.startswith(prefix)), None)


def _counts(events, counter):
    return np.array([int(event[counter]) for event in events], dtype=np.int32)


def _jagged(events, name, counts, counter):
    arrays = [np.asarray(event[name]) for event in events]
    for index, (array, count) in enumerate(zip(arrays, counts)):
        if array.ndim != 1 or len(array) != count:
            raise ReconError(f"events[{index}][{name!r}] has shape {array.shape}, expected ({count},) = {counter}")
    flat = np.concatenate(arrays)
    if flat.dtype.kind not in "biuf":
        raise ReconError(f"branch {name!r} must be numeric, got dtype {flat.dtype}")
    return ak.unflatten(flat, counts)


def _flat(events, name):
    values = [np.asarray(event[name]) for event in events]
    for index, value in enumerate(values):
        if value.ndim != 0 or value.dtype.kind not in "biuf":
            raise ReconError(f"events[{index}][{name!r}] must be a numeric scalar, got {value.dtype} {value.shape}")
    return np.array(values, dtype=np.result_type(*values))
