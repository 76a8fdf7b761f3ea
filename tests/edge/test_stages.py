"""The compress stage's blobs are what the sink's ingest check accepts, whatever codec they chose."""

import numpy as np
import pytest

import compression
import recon
from edge.daq_protocol import Image
from edge.sim import FrameSimulator, SensorModel
from edge.stages import CompressStage, FrameWork
from sink.blob_check import check_frame_blob


@pytest.fixture(scope="module")
def camera():
    simulator = FrameSimulator(SensorModel((64, 96), seed=3), seed=4)
    pedestal = recon.Pedestal.from_frames(simulator.pedestal_frame(i) for i in range(8))
    return simulator, pedestal


def _spark(frame: np.ndarray) -> np.ndarray:
    rows, cols = frame.shape
    y, x = np.mgrid[0:rows, 0:cols]
    glow = 3000 * np.exp(-(((x - cols / 2) / cols) ** 2 + ((y - rows / 2) / rows) ** 2) * 2)
    return np.minimum(frame + glow, 65535).astype(np.uint16)


@pytest.mark.parametrize("spark", [False, True])
@pytest.mark.parametrize("with_pedestal", [False, True])
def test_compressed_frame_passes_the_sink_check_and_decodes(camera, spark, with_pedestal):
    simulator, pedestal = camera
    pixels = simulator.data_frame(0)[0]
    pixels = _spark(pixels) if spark else pixels
    used = pedestal if with_pedestal else None
    work = FrameWork("lime", Image(run=5, frame=1, timestamp=0.0, exposure_s=0.3, pixels=pixels), used)
    CompressStage()(work)
    (envelope,) = work.envelopes
    check_frame_blob(envelope.header, envelope.body)  # raises QuarantineError on any disagreement
    codec = compression.read_header(envelope.body)["codec"]["id"]
    assert (codec == "cygno_residual_planes") == spark
    assert np.array_equal(compression.decode_frame(envelope.body, used), pixels)
