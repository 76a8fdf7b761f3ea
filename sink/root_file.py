"""The run's ROOT file, assembled at run end from the per-frame reco objects in S3.

The edge reconstructs each frame and publishes the result (``recon.result_to_bytes``);
the sink keeps every one under ``reco/<detector>/run<run>/`` and, once the run is
complete, writes them with the recon engineer's ROOT writer as
``reco/<detector>/reco_run<run>.root`` (tree ``Events``, one entry per frame).
"""

import logging

from . import bridge, layout
from .manifest import stored_frames

__all__ = ["expected_reco_frames", "results_to_root_bytes", "write_run_root"]

log = logging.getLogger(__name__)


def expected_reco_frames(manifest: dict) -> int:
    """How many reco items the run should have: frames of a data run taken with a pedestal.

    The edge reconstructs only frames that had a pedestal, and never those of a pedestal run.
    """
    if manifest["pedestal_run"]:
        return 0
    return sum(1 for frame in manifest["frames"] if frame["pedestal_id"])


def reco_frames(s3, detector: str, run: int) -> dict:
    """Frame number -> StoredObject of the run's per-frame reco objects."""
    return stored_frames(s3, layout.reco_prefix(detector, run))


def results_to_root_bytes(results: list) -> bytes:
    """The ROOT file of ``results`` (reconstruction dicts, in event order), as bytes.

    Results written by different reconstruction versions (an edge upgraded mid-run) may
    lack some branches; those are filled with NaN and logged rather than losing the file.
    """
    results, filled = bridge.fill_missing_branches(results)
    if filled:
        log.warning("reco results without some branches (another reconstruction version?), "
                    "filled with NaN; branch: results without it: %s",
                    ", ".join(f"{name}: {count}" for name, count in sorted(filled.items())))
    return bridge.root_bytes(results)


def write_run_root(s3, detector: str, run: int, frames: dict) -> str:
    """Read the reco objects ``frames`` (number -> StoredObject), write the ROOT file; its key."""
    results = [bridge.result_from_bytes(s3.get(frames[number].key).body) for number in sorted(frames)]
    key = layout.root_key(detector, run)
    s3.put(key, results_to_root_bytes(results), {"run": repr(run), "entries": repr(len(results))})
    log.info("run %d: wrote %s with %d entries", run, key, len(results))
    return key
