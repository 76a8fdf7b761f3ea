"""Online pedestal tracking through the real edge, broker, sink and S3.

A pedestal run, then a data run whose dark offset drifts by 0.5 ADU per frame, with the
edge tracking the pedestal (every data frame, a new pedestal every 4 updates). Every
tracked pedestal must reach S3 under its run and frame, later frames must name them,
and every raw frame must still decode bit-exact from S3 alone.

The sender holds the run after its 8th frame until the first tracked pedestal is in S3:
a pedestal that falls due while another is being published waits for the next frame, so
a run sent faster than a publish takes could otherwise end with a single pedestal.
"""

import pytest
from deployment import Deployment, wait_for
from e2e_helpers import assert_run_complete, keys_under, send_run

from compression.checksum import pixel_checksum
from sink.config import load_sink_config
from sink.get_frame import load_raw_frame
from sink.pedestal_lookup import PedestalCache
from sink.retry import RetryPolicy
from sink.s3_store import S3Store

pytestmark = pytest.mark.integration

PEDESTAL_RUN, DATA_RUN, DATA_FRAMES = 1, 2, 16
TRACKING = {"pedestal_tracking": True, "pedestal_tracking_every": 1,
            "pedestal_tracking_publish_every": 4, "reconstruction": False}


@pytest.fixture(scope="module")
def tracked_run(services, tmp_path_factory):
    deployment = Deployment(tmp_path_factory.mktemp("tracking"), services, detector="tracking",
                            edge_settings={"pipeline": TRACKING})
    deployment.start_sink()
    deployment.start_edge()
    try:
        send_run(deployment, PEDESTAL_RUN, 8, pedestal=True)
        checksums = send_run(deployment, DATA_RUN, DATA_FRAMES, drift_adu_per_frame=0.5,
                             after_frame=_hold_until_first_tracked_pedestal(deployment))
        yield deployment, checksums, assert_run_complete(deployment, DATA_RUN, checksums)
    finally:
        deployment.stop()


def _tracked_keys(deployment):
    return keys_under(deployment, f"pedestal/{deployment.detector}/run{DATA_RUN:05d}-f")


def _hold_until_first_tracked_pedestal(deployment, hold_after=7):
    def after_frame(number):
        if number == hold_after:
            wait_for(lambda: _tracked_keys(deployment), 120, what="the first tracked pedestal in S3")
    return after_frame


def test_tracked_pedestals_are_stored_under_their_run_and_frame(tracked_run):
    deployment, _, manifest = tracked_run
    tracked = _tracked_keys(deployment)
    assert len(tracked) >= 2, tracked  # 16 updates, a pedestal every 4 (fewer if frames overlapped a switch)
    assert len(manifest["pedestal_ids"]) >= 2  # the data run's frames name more than one pedestal


def test_every_frame_decodes_bit_exact_from_s3(tracked_run):
    deployment, checksums, _ = tracked_run
    config = load_sink_config(deployment.sink_config)
    s3 = S3Store(config["s3"], RetryPolicy(max_total_s=10))
    pedestals = PedestalCache(s3, deployment.detector)
    for frame, checksum in checksums.items():
        raw = load_raw_frame(s3, deployment.detector, DATA_RUN, frame, pedestals)
        assert raw.pedestal is not None and pixel_checksum(raw.pixels) == checksum
