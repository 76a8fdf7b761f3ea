"""Crashes and restarts in mid-run: afterwards no frame is missing and none is stored twice.

Each test runs its own edge and sink (own detector name, own spool, own MQTT client ids)
against the session's real Mosquitto, SeaweedFS and VictoriaMetrics, sends a run at a
steady rate, breaks one component while frames are flowing, repairs it, and then checks
the run's manifest against the checksums the simulated DAQ sent.
"""

import signal
import time

import pytest
from deployment import Deployment
from e2e_helpers import RunSender, assert_run_complete

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUN, FRAMES, RATE_HZ, BREAK_AT = 3, 30, 8.0, 10


def _deployment(services, tmp_path, detector):
    deployment = Deployment(tmp_path, services, detector=detector,
                            edge_settings={"pipeline": {"zero_suppression": False}})
    deployment.start_sink()
    deployment.start_edge()
    return deployment


def test_sink_killed_mid_run_and_restarted(services, tmp_path):
    with _deployment(services, tmp_path, "failsink") as deployment:
        sender = RunSender(deployment, RUN, FRAMES, rate_hz=RATE_HZ).start()
        sender.wait_for_frame(BREAK_AT)
        deployment.kill_sink(signal.SIGKILL)
        time.sleep(2.0)
        deployment.start_sink()
        sender.join()
        assert_run_complete(deployment, RUN, sender.checksums)


@pytest.mark.parametrize("crash", [False, True], ids=["graceful", "sigkill"])
def test_broker_restarted_mid_run(services, tmp_path, crash):
    with _deployment(services, tmp_path, f"failbroker{int(crash)}") as deployment:
        sender = RunSender(deployment, RUN, FRAMES, rate_hz=RATE_HZ).start()
        sender.wait_for_frame(BREAK_AT)
        services.restart_broker(kill=crash)
        sender.join()
        assert_run_complete(deployment, RUN, sender.checksums)


def test_edge_killed_9_mid_run_and_restarted(services, tmp_path):
    with _deployment(services, tmp_path, "failedge") as deployment:
        sender = RunSender(deployment, RUN, FRAMES, rate_hz=RATE_HZ).start()
        sender.wait_for_frame(BREAK_AT)
        deployment.kill_edge(signal.SIGKILL)
        time.sleep(1.0)
        deployment.start_edge()
        sender.join()
        assert_run_complete(deployment, RUN, sender.checksums)
