"""The stages' items: compressed blobs the sink's ingest check accepts, whatever codec they chose;
reco headers with the frame's level."""

import numpy as np
import pytest

import compression
import recon
from edge.daq_protocol import Image
from edge.sim import FrameSimulator, SensorModel
from edge.stages import CompressStage, FrameWork, ReconstructStage, ZeroSuppressStage
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


@pytest.fixture(scope="module")
def larger_camera():
    """Large enough for zero suppression to measure the frame's level (>= 16 sampled blocks)."""
    simulator = FrameSimulator(SensorModel((128, 192), seed=5), seed=6)
    return simulator, recon.Pedestal.from_frames(simulator.pedestal_frame(i) for i in range(16))


@pytest.mark.parametrize("glow", [0, 500])
def test_reco_header_carries_the_frames_level_over_the_pedestal(larger_camera, glow):
    simulator, pedestal = larger_camera
    pixels = simulator.pedestal_frame(99) + np.uint16(glow)  # 500: a spark lighting the whole frame
    work = FrameWork("lime", Image(run=5, frame=1, timestamp=0.0, exposure_s=0.3, pixels=pixels), pedestal)
    ZeroSuppressStage()(work)
    ReconstructStage()(work)
    header = work.envelopes[-1].header
    assert header["kind"] == "reco" and header["frame_level"] == pytest.approx(glow, abs=0.5)


def test_reco_header_leaves_out_a_level_that_was_not_measured(camera):
    simulator, pedestal = camera
    work = FrameWork("lime", Image(run=5, frame=1, timestamp=0.0, exposure_s=0.3,
                                   pixels=simulator.data_frame(0)[0]), pedestal)
    work.sparse = recon.zero_suppress(work.image.pixels, pedestal, adapt=False)
    ReconstructStage()(work)
    assert "frame_level" not in work.envelopes[-1].header  # JSON has no NaN


@pytest.mark.parametrize("pixel_lists", [False, True])
def test_reco_result_has_pixel_lists_only_when_configured(larger_camera, pixel_lists):
    simulator, pedestal = larger_camera
    work = FrameWork("lime", Image(run=5, frame=1, timestamp=0.0, exposure_s=0.3,
                                   pixels=simulator.data_frame(2)[0]), pedestal)
    ZeroSuppressStage()(work)
    ReconstructStage(pixel_lists=pixel_lists)(work)
    result = recon.result_from_bytes(work.envelopes[-1].body)
    assert ("redpix_iz" in result) == pixel_lists


def test_pipeline_config_turns_pixel_lists_on():
    from edge.stages import build_stages

    config = {"codec": "lossless", "lossy_q": 2, "zero_suppression": True, "reconstruction": True,
              "reco_pixel_lists": True}
    assert build_stages(config)[-1].options["pixel_lists"]


def test_reco_result_has_energies_with_a_calibration(larger_camera):
    simulator, pedestal = larger_camera
    work = FrameWork("lime", Image(run=5, frame=1, timestamp=0.0, exposure_s=0.3,
                                   pixels=simulator.data_frame(2)[0]), pedestal)
    ZeroSuppressStage()(work)
    ReconstructStage(adu_per_kev=500.0)(work)
    result = recon.result_from_bytes(work.envelopes[-1].body)
    np.testing.assert_allclose(result["sc_energy"], result["sc_integral"] / 500.0, rtol=1e-6)
