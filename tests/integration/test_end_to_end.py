"""A pedestal run then a data run through the real edge agent, broker, sink, S3 and TSDB."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import uproot
from deployment import Deployment, wait_for
from e2e_helpers import SHAPE, assert_run_complete, keys_under, send_run

import compression
import recon
from compression.checksum import pixel_checksum
from sink import layout

pytestmark = pytest.mark.integration

PEDESTAL_RUN, DATA_RUN, DATA_FRAMES = 1, 2, 24


@pytest.fixture(scope="module")
def runs(services, tmp_path_factory):
    """The deployment after both runs went through, with the checksums the DAQ sent."""
    deployment = Deployment(tmp_path_factory.mktemp("e2e"), services, detector="e2e")
    deployment.start_sink()
    deployment.start_edge()
    try:
        pedestal_sums = send_run(deployment, PEDESTAL_RUN, 12, pedestal=True)
        data_sums = send_run(deployment, DATA_RUN, DATA_FRAMES)
        yield deployment, {PEDESTAL_RUN: pedestal_sums, DATA_RUN: data_sums}
    finally:
        deployment.stop()


def _get(deployment, key) -> bytes:
    return deployment.s3_client().get_object(Bucket=deployment.bucket, Key=key)["Body"].read()


def _pedestal(deployment):
    return recon.Pedestal.from_bytes(_get(deployment, layout.pedestal_key(deployment.detector, PEDESTAL_RUN)))


def test_every_frame_of_both_runs_is_in_s3_bit_exact(runs):
    deployment, checksums = runs
    for run, sums in checksums.items():
        stored = assert_run_complete(deployment, run, sums)
        assert stored["totals"]["frames_daq"] == len(sums)


def test_data_frames_name_the_pedestal_built_from_the_pedestal_run(runs):
    deployment, checksums = runs
    assert_run_complete(deployment, DATA_RUN, checksums[DATA_RUN])
    pedestal = _pedestal(deployment)
    stored = assert_run_complete(deployment, DATA_RUN, checksums[DATA_RUN])
    assert stored["pedestal_ids"] == [pedestal.id]
    assert pedestal.mean.shape == SHAPE


def test_get_frame_saves_a_bit_exact_npy(runs, tmp_path):
    deployment, checksums = runs
    assert_run_complete(deployment, DATA_RUN, checksums[DATA_RUN])
    out = tmp_path / "frame.npy"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cygno-sink")), "get-frame", "--config",
         str(deployment.sink_config), "--detector", deployment.detector, "--run", str(DATA_RUN),
         "--frame", "5", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    frame = np.load(out)
    assert frame.dtype == np.uint16 and frame.shape == SHAPE
    assert pixel_checksum(frame) == checksums[DATA_RUN][5]


def test_zs_objects_decode_to_the_raw_values_at_kept_pixels(runs):
    deployment, checksums = runs
    assert_run_complete(deployment, DATA_RUN, checksums[DATA_RUN])
    pedestal = _pedestal(deployment)
    zs_keys = keys_under(deployment, f"zs/{deployment.detector}/run{DATA_RUN:05d}/")
    assert len(zs_keys) == DATA_FRAMES
    kept = 0
    for frame in (0, 7, DATA_FRAMES - 1):
        raw = compression.decode_frame(_get(deployment, layout.raw_key(deployment.detector, DATA_RUN, frame)),
                                       pedestal)
        sparse = compression.decode_sparse(_get(deployment, layout.zs_key(deployment.detector, DATA_RUN, frame)),
                                           pedestal)
        np.testing.assert_array_equal(sparse.values, raw[sparse.rows, sparse.cols])
        kept += len(sparse.values)
    assert kept > 0


def test_telemetry_points_can_be_queried(runs, services):
    for measurement in ("edge_host", "edge_pipeline"):
        assert wait_for(lambda: services.count_points(measurement, detector="e2e"), 60,
                        what=f"{measurement} points")


def test_run_root_file_and_reco_points(runs, services):
    deployment, checksums = runs
    assert_run_complete(deployment, DATA_RUN, checksums[DATA_RUN])
    key = layout.root_key(deployment.detector, DATA_RUN)
    data = wait_for(lambda: _maybe_get(deployment, key), 60, what="ROOT file")
    with uproot.open(io.BytesIO(data)) as root_file:
        events = root_file["Events"]
        assert events.num_entries == DATA_FRAMES
        assert {"run", "event", "nSc", "sc_integral", "cmos_integral"} <= set(events.keys())
        assert sorted(events["event"].array(library="np")) == list(range(DATA_FRAMES))
        assert set(events["pedestal_run"].array(library="np")) == {PEDESTAL_RUN}
    assert wait_for(lambda: services.count_points("reco", detector="e2e") >= DATA_FRAMES, 60,
                    what="reco points")
    assert wait_for(lambda: services.count_points("reco", "frame_level", detector="e2e") >= DATA_FRAMES, 60,
                    what="reco frame_level points")


def _maybe_get(deployment, key):
    try:
        return _get(deployment, key)
    except deployment.s3_client().exceptions.NoSuchKey:
        return None
