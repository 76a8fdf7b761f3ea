"""A run_stop item: wait until S3 holds the whole run, then write manifest and ROOT file.

Items can arrive out of order, so when the run_stop comes S3 may still lack frames. The
handler re-checks a few times (``run_complete_checks`` over ``run_complete_wait_s``); if
the run is still incomplete it returns False, the item is not acknowledged, and the
edge republishes it later, when the missing frames have (most likely) arrived.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import layout
from .handlers import Stores, header_json
from .manifest import build_manifest, manifest_bytes, stored_frames, wait_until
from .root_file import expected_reco_frames, reco_frames, write_run_root

__all__ = ["RunEndHandler"]

log = logging.getLogger(__name__)


@dataclass
class RunEndHandler:
    """Callable like the other handlers: ``handler(stores, envelope, digest) -> stored?``."""

    wait_s: float = 10.0
    checks: int = 5
    sleep: Callable[[float], None] = field(default=time.sleep)

    def __call__(self, stores: Stores, envelope, envelope_digest: str) -> bool:
        h = envelope.header
        detector, run = h["detector"], h["run"]
        stores.s3.put(layout.run_stop_key(detector, run), header_json(h), {"digest": envelope_digest})
        if not self._wait_for_raw(stores.s3, detector, run, h["frames_published"]):
            return False
        manifest = build_manifest(stores.s3, h)
        stores.s3.put(layout.manifest_key(detector, run), manifest_bytes(manifest),
                      {"frames": repr(len(manifest["frames"])), "digest": envelope_digest})
        log.info("run %d: manifest with %d frames", run, len(manifest["frames"]))
        expected = expected_reco_frames(manifest) if h.get("reconstruction", True) else 0
        return self._write_root(stores.s3, detector, run, expected)

    def _wait_for_raw(self, s3, detector: str, run: int, expected: int) -> bool:
        prefix = layout.raw_prefix(detector, run)
        counts = []

        def complete() -> bool:
            counts.append(len(stored_frames(s3, prefix)))
            return counts[-1] >= expected
        if wait_until(complete, self.checks, self.wait_s, self.sleep):
            return True
        log.warning("run %d: S3 holds %d of %d published raw frames after %.0f s; "
                    "run_stop left unacknowledged for the edge to resend", run, counts[-1],
                    expected, self.wait_s)
        return False

    def _write_root(self, s3, detector: str, run: int, expected: int) -> bool:
        found = {}

        def complete() -> bool:
            found.update(reco_frames(s3, detector, run))
            return len(found) >= expected
        if expected == 0:
            log.info("run %d: no reconstruction results (reconstruction off or pedestal run), "
                     "no ROOT file", run)
            return True
        if not wait_until(complete, self.checks, self.wait_s, self.sleep):
            log.warning("run %d: S3 holds %d of %d reco results after %.0f s; run_stop left "
                        "unacknowledged for the edge to resend", run, len(found), expected, self.wait_s)
            return False
        write_run_root(s3, detector, run, found)
        return True
