"""The per-frame pipeline stages of the edge agent.

A stage takes a :class:`FrameWork` (one DAQ image, the pedestal in force, what the
earlier stages produced) and appends the envelopes it wants published. The agent
runs the configured stages in order, in a worker thread per frame; the heavy work
inside each stage (codec, zero suppression, clustering) is numba with the GIL
released or zstd, so frames are processed on every core at once.
"""

import time
from dataclasses import dataclass, field

import numpy as np

import compression
import recon

from .daq_protocol import Image
from .wire import Envelope, item_key

__all__ = ["FrameWork", "CompressStage", "ZeroSuppressStage", "ReconstructStage", "build_stages"]


@dataclass
class FrameWork:
    """Everything known about one frame while it moves through the stages."""

    detector: str
    image: Image
    pedestal: object | None
    sparse: object | None = None
    envelopes: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    def header(self, kind: str, **fields) -> dict:
        image = self.image
        return {"kind": kind, "detector": self.detector,
                "key": item_key(kind, image.run, image.frame),
                "run": image.run, "frame": image.frame, "timestamp": image.timestamp,
                "pedestal_id": getattr(self.pedestal, "id", None), **fields}


class CompressStage:
    """Every raw frame, compressed by the frame codec (lossless unless configured lossy)."""

    name = "compress"

    def __init__(self, lossy_q: float | None = None):
        self.lossy_q = lossy_q

    def __call__(self, work: FrameWork) -> None:
        pixels = work.image.pixels
        pedestal = work.pedestal
        if self.lossy_q is not None and pedestal is not None:
            blob = compression.encode_frame(pixels, pedestal, lossy_q=self.lossy_q)
        else:
            blob = compression.encode_frame(pixels, pedestal)
        info = compression.read_header(blob)
        header = work.header(
            "raw", shape=list(pixels.shape), dtype="uint16", checksum=info["checksum"],
            codec=info["codec"], raw_bytes=int(pixels.nbytes), exposure_s=work.image.exposure_s,
            metadata=work.image.metadata,
        )
        work.envelopes.append(Envelope(header, blob))


class ZeroSuppressStage:
    """Keeps the pixels near signal (needs a pedestal) and publishes them as a sparse frame."""

    name = "zero_suppress"

    def __call__(self, work: FrameWork) -> None:
        if work.pedestal is None:
            return
        work.sparse = recon.zero_suppress(work.image.pixels, work.pedestal)
        blob = compression.encode_sparse(work.sparse, work.pedestal)
        work.envelopes.append(Envelope(work.header("zs", n_pixels=int(work.sparse.n_pixels)), blob))


class ReconstructStage:
    """Clusters the sparse frame into the collaboration's ``sc_*`` variables.

    ``pixel_lists`` adds each cluster's pixels (``redpix_*``, :mod:`recon.pixel_lists`),
    ``adu_per_kev`` (an energy calibration) their energies (``sc_energy``, :mod:`recon.energy`).
    """

    name = "reconstruct"

    def __init__(self, pixel_lists: bool = False, adu_per_kev: float | None = None):
        self.options = {"pixel_lists": bool(pixel_lists), "adu_per_kev": adu_per_kev}

    def __call__(self, work: FrameWork) -> None:
        if work.pedestal is None or work.sparse is None:
            return
        started = time.perf_counter()
        result = recon.reconstruct_sparse(work.sparse, work.pedestal, **self.options)
        result["run"] = np.int64(work.image.run)
        result["event"] = np.int64(work.image.frame)
        result.update(recon.environment_branches(work.image.metadata))
        integrals = result.get("sc_integral", np.zeros(0))
        level = float(result["frame_level"])
        header = work.header(
            "reco", nSc=int(result["nSc"]), cmos_integral=float(result["cmos_integral"]),
            max_sc_integral=float(integrals.max()) if len(integrals) else 0.0,
            processing_s=time.perf_counter() - started + work.timings.get("zero_suppress", 0.0),
            **({"frame_level": level} if np.isfinite(level) else {}),  # JSON has no NaN
        )
        work.envelopes.append(Envelope(header, recon.result_to_bytes(result)))


def build_stages(pipeline_config: dict) -> list:
    """The stages an ``edge.toml`` ``[pipeline]`` section asks for, in order."""
    lossy_q = pipeline_config["lossy_q"] if pipeline_config["codec"] == "lossy" else None
    stages = [CompressStage(lossy_q)]
    if pipeline_config["zero_suppression"]:
        stages.append(ZeroSuppressStage())
        if pipeline_config["reconstruction"]:
            stages.append(ReconstructStage(pipeline_config.get("reco_pixel_lists", False),
                                           pipeline_config.get("reco_adu_per_kev")))
    return stages


def run_stages(stages: list, work: FrameWork) -> FrameWork:
    """Run the stages on one frame, timing each."""
    for stage in stages:
        started = time.perf_counter()
        stage(work)
        work.timings[stage.name] = time.perf_counter() - started
    return work
