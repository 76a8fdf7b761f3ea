"""Compile (or load) every numba kernel the agent will run, before it takes frames.

numba compiles a ``cache=True`` kernel on its first call and keeps the machine code in
``NUMBA_CACHE_DIR``. With an empty or stale cache (a new install, an upgrade) the
agent's first frame took 11-19 s (``benchmarks/numba_cold_start.py``) while the
triggerless DAQ kept sending. :func:`warm_up` runs the configured pipeline on a small
simulated camera instead: a pedestal built and saved as the keeper does, pedestal-run
frames (coded without and with a pedestal), one with residuals too wide for the pair
symbols (coded with a low-bit plane without a pedestal), a frame full of signal (which
the codec codes as byte planes, without and with a pedestal), data frames through every configured
stage, and pedestal tracking if it is on. ``cygno-edge run`` calls it before the agent
opens its DAQ socket; ``cygno-edge warmup`` runs it alone (after an upgrade, say).
"""

import logging
import time

import numpy as np

import recon

from .daq_protocol import Image
from .sim import FrameSimulator, SensorModel
from .stages import FrameWork, build_stages, run_stages

__all__ = ["warm_up", "warm_up_or_log", "WARM_UP_SHAPE"]

log = logging.getLogger(__name__)

#: Frame shape of the warm-up camera: kernels are compiled per argument type, not per
#: shape, so a small frame (even columns: the codec's fast path) compiles what a LIME one does.
WARM_UP_SHAPE = (96, 256)
_PEDESTAL_FRAMES = 8
_DATA_FRAMES = 2


def warm_up(pipeline: dict, shape: tuple = WARM_UP_SHAPE) -> float:
    """Run ``pipeline`` (an ``edge.toml`` ``[pipeline]`` section) on simulated frames.

    Returns
    -------
    float
        Seconds it took: 0.5-0.6 s with a warm numba cache, 30-35 s with an empty one (2-core
        development machine, benchmarks/numba_cold_start.py).
    """
    started = time.perf_counter()
    simulator = FrameSimulator(SensorModel(tuple(shape), seed=1), seed=2)
    pedestal_frames = [simulator.pedestal_frame(i) for i in range(_PEDESTAL_FRAMES)]
    pedestal = recon.Pedestal.from_frames(iter(pedestal_frames))
    pedestal = recon.Pedestal.from_bytes(pedestal.to_bytes())  # what the keeper saves and loads
    stages = build_stages(pipeline)
    for in_force in (None, pedestal):  # a pedestal run's frames, before and after a first pedestal
        first = pedestal_frames[0]
        for pixels in (first, _wide_residuals(first), _full_of_signal(first)):
            run_stages(stages[:1], FrameWork("warm-up", _image(0, pixels), in_force))
    tracker = recon.PedestalTracker(pedestal, alpha=pipeline["pedestal_tracking_alpha"]) \
        if pipeline["pedestal_tracking"] else None
    for number in range(_DATA_FRAMES):
        work = run_stages(stages, FrameWork("warm-up", _image(number, simulator.data_frame(number)[0]),
                                            pedestal))
        if tracker is not None:
            tracker.update(work.image.pixels, work.sparse)
    if tracker is not None:
        tracker.pedestal.to_bytes()
    return time.perf_counter() - started


def warm_up_or_log(pipeline: dict) -> float | None:
    """:func:`warm_up`, for the agent's start: a failure is logged, never fatal.

    The warm-up only saves time; if it fails, the agent still serves (the kernels then
    compile on the first frames, and a frame that fails is quarantined as always).
    Returns the seconds it took, or None if it failed.
    """
    try:
        seconds = warm_up(pipeline)
    except Exception:  # noqa: BLE001 - an optimisation must not keep the agent from taking frames
        log.exception("warm-up failed; the numba kernels will compile on the first frames")
        return None
    log.info("numba kernels of the pipeline ready (warm-up %.1f s)", seconds)
    return seconds


def _wide_residuals(frame: np.ndarray) -> np.ndarray:
    """``frame`` with every tenth pixel along the diagonals 9 ADU brighter: a tenth of the
    residuals overflow the pair symbols, so the codec without a pedestal halves them."""
    rows, cols = frame.shape
    brighter = (np.arange(rows)[:, None] + np.arange(cols)[None, :]) % 10 == 0
    return np.minimum(frame.astype(np.int64) + 9 * brighter, 65535).astype(np.uint16)


def _full_of_signal(frame: np.ndarray) -> np.ndarray:
    """``frame`` with every third pixel along the diagonals 1000 ADU brighter: a third of the
    residuals overflow, to the pedestal and to the column medians alike, so the codec takes
    its byte-plane path (a spark's) with or without a pedestal."""
    rows, cols = frame.shape
    bright = (np.arange(rows)[:, None] + np.arange(cols)[None, :]) % 3 == 0
    return np.minimum(frame.astype(np.int64) + 1000 * bright, 65535).astype(np.uint16)


def _image(number: int, pixels) -> Image:
    return Image(run=0, frame=number, timestamp=0.0, exposure_s=0.3, pixels=pixels)
