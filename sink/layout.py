"""Where the sink keeps everything in S3: the ONE definition of every object key.

The store, the handlers, the manifest, ``get-frame``, ``replay`` and the tests all build
keys through these functions, so a layout change happens here and nowhere else::

    raw/<detector>/run00012/frame000034.cyf        compressed raw frame (codec blob)
    raw/<detector>/run00012/frame000034.daq.json   its DAQ metadata, only when too large inline
    raw/<detector>/run00012/manifest.json          written once the run is complete
    zs/<detector>/run00012/frame000034.cys         zero-suppressed (sparse) frame
    reco/<detector>/run00012/frame000034.cyr       per-frame reconstruction result
    reco/<detector>/reco_run00012.root             the run's ROOT file (recon's writer)
    reco/<detector>/replay/reco_run00012.root      the same, rebuilt by ``cygno-sink replay``
    pedestal/<detector>/run00011.cyp               a pedestal (body of the pedestal item)
    pedestal/<detector>/run00012-f000400.cyp       one tracked online during a data run
    pedestal/<detector>/by-id/<pedestal_id>.json   index: pedestal id -> pedestal key
    runs/<detector>/run00012/start.json            run_start header
    runs/<detector>/run00012/stop.json             run_stop header
    quarantine/<detector>/<kind>/<digest>.bin      an envelope that failed validation
    quarantine/<detector>/<kind>/<digest>.json     ... and why
"""

import re

__all__ = [
    "PEDESTAL_EXT",
    "RAW_EXT",
    "RECO_EXT",
    "ZS_EXT",
    "frame_of_key",
    "manifest_key",
    "pedestal_index_key",
    "pedestal_key",
    "pedestal_prefix",
    "quarantine_keys",
    "raw_daq_metadata_key",
    "raw_key",
    "raw_prefix",
    "reco_key",
    "reco_prefix",
    "replay_root_key",
    "root_key",
    "run_start_key",
    "run_stop_key",
    "zs_key",
]

RAW_EXT = "cyf"
ZS_EXT = "cys"
RECO_EXT = "cyr"
PEDESTAL_EXT = "cyp"

_FRAME_RE = re.compile(r"/frame(\d{6,})\.[a-z]+$")


def raw_prefix(detector: str, run: int) -> str:
    """Prefix under which every object of one raw run lives (frames and manifest)."""
    return f"raw/{detector}/run{run:05d}/"


def raw_key(detector: str, run: int, frame: int) -> str:
    return f"{raw_prefix(detector, run)}frame{frame:06d}.{RAW_EXT}"


def raw_daq_metadata_key(detector: str, run: int, frame: int) -> str:
    """Side object of a raw frame's DAQ metadata (not matched by :func:`frame_of_key`)."""
    return f"{raw_prefix(detector, run)}frame{frame:06d}.daq.json"


def manifest_key(detector: str, run: int) -> str:
    return f"{raw_prefix(detector, run)}manifest.json"


def zs_key(detector: str, run: int, frame: int) -> str:
    return f"zs/{detector}/run{run:05d}/frame{frame:06d}.{ZS_EXT}"


def reco_prefix(detector: str, run: int) -> str:
    return f"reco/{detector}/run{run:05d}/"


def reco_key(detector: str, run: int, frame: int) -> str:
    return f"{reco_prefix(detector, run)}frame{frame:06d}.{RECO_EXT}"


def root_key(detector: str, run: int) -> str:
    return f"reco/{detector}/reco_run{run:05d}.root"


def replay_root_key(detector: str, run: int) -> str:
    return f"reco/{detector}/replay/reco_run{run:05d}.root"


def pedestal_prefix(detector: str) -> str:
    return f"pedestal/{detector}/"


def pedestal_key(detector: str, run: int, frame: int | None = None) -> str:
    """A pedestal run's pedestal, or (``frame`` given) one tracked online at that frame."""
    at = "" if frame is None else f"-f{frame:06d}"
    return f"{pedestal_prefix(detector)}run{run:05d}{at}.{PEDESTAL_EXT}"


def pedestal_index_key(detector: str, pedestal_id: str) -> str:
    return f"{pedestal_prefix(detector)}by-id/{pedestal_id}.json"


def run_start_key(detector: str, run: int) -> str:
    return f"runs/{detector}/run{run:05d}/start.json"


def run_stop_key(detector: str, run: int) -> str:
    return f"runs/{detector}/run{run:05d}/stop.json"


def quarantine_keys(detector: str, kind: str, envelope_digest: str) -> tuple[str, str]:
    """(body key, reason key) of a quarantined envelope; the digest makes redelivery idempotent."""
    base = f"quarantine/{detector}/{kind}/{envelope_digest}"
    return f"{base}.bin", f"{base}.json"


def frame_of_key(key: str) -> int | None:
    """Frame number of a ``.../frameNNNNNN.<ext>`` key, or None for any other key."""
    match = _FRAME_RE.search(key)
    return int(match.group(1)) if match else None
