"""Replaying a stored run through reconstruction again (new recon version, new settings).

Every compressed raw frame of the run is fetched from S3, decoded and verified
(:func:`sink.get_frame.load_raw_frame`), reconstructed with ``recon.reconstruct``
against the pedestal it was encoded with, and the results are written as one ROOT file,
either to a local path or to ``reco/<detector>/replay/reco_run<run>.root``. Frames are
processed by ``workers`` threads (the codec's zstd and recon's numba kernels release the
GIL), at most ``workers`` frames in memory at a time, results kept in frame order.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from . import bridge, layout
from .errors import ObjectMissingError, SinkError
from .get_frame import load_raw_frame
from .manifest import stored_frames
from .object_metadata import read_daq_metadata
from .pedestal_lookup import PedestalCache
from .root_file import results_to_root_bytes

__all__ = ["replay_run"]

log = logging.getLogger(__name__)


def replay_run(s3, detector: str, run: int, out_path=None, progress: bool = True,
               workers: int = 1, options: dict | None = None) -> str:
    """Reconstruct every raw frame of the run again; returns where the ROOT file went.

    ``options`` are ``recon.reconstruct`` options (e.g. ``adu_per_kev``, ``pixel_lists``).

    Raises
    ------
    ObjectMissingError
        The run has no raw frames in S3, or a pedestal is missing.
    CorruptObjectError
        A frame fails to decode or verify.
    SinkError
        A frame has no pedestal (a pedestal run): there is nothing to reconstruct against.
    """
    frames = stored_frames(s3, layout.raw_prefix(detector, run))
    if not frames:
        raise ObjectMissingError(f"no raw frames of run {run} under {layout.raw_prefix(detector, run)}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    pedestals = PedestalCache(s3, detector)

    def reconstruct_frame(number: int) -> dict:
        raw = load_raw_frame(s3, detector, run, number, pedestals)
        if raw.pedestal is None:
            raise SinkError(f"run {run} frame {number} was stored without a pedestal "
                            "(pedestal run?): nothing to reconstruct against")
        result = bridge.reconstruct(raw.pixels, raw.pedestal, run, number, **(options or {}))
        result.update(bridge.environment_branches(read_daq_metadata(s3, raw.fields)))
        return result

    with ThreadPoolExecutor(workers, thread_name_prefix="replay") as pool:
        results = list(tqdm(pool.map(reconstruct_frame, sorted(frames)), total=len(frames),
                            desc=f"replay run {run}", unit="frame", disable=not progress))
    data = results_to_root_bytes(results)
    if out_path is not None:
        Path(out_path).write_bytes(data)
        where = str(out_path)
    else:
        where = layout.replay_root_key(detector, run)
        s3.put(where, data, {"run": repr(run), "entries": repr(len(results))})
    log.info("replayed run %d: %d frames -> %s", run, len(results), where)
    return where
