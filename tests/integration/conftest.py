"""Fixtures for the integration tests: the real local servers and clients speaking to them.

One Mosquitto, SeaweedFS and VictoriaMetrics per test session (``LocalServices``), started
in a pytest temporary directory (their logs stay there for a post-mortem: the path is
printed when a server fails to start) and killed at the end of the session.
"""

import uuid

import pytest
from localservices import LocalServices


@pytest.fixture(scope="session")
def services(tmp_path_factory):
    """Running local servers; ``services.endpoints`` says where they listen."""
    with LocalServices(tmp_path_factory.mktemp("services")) as running:
        yield running


@pytest.fixture(autouse=True)
def _broker_running_after_each_test(request):
    """A test that stops the broker and then fails must not break the tests after it."""
    yield
    if "services" in request.fixturenames:
        services = request.getfixturevalue("services")
        if not services.broker_running:
            services.start_broker()


@pytest.fixture
def s3_client(services):
    """A boto3 S3 client logged in to the local SeaweedFS."""
    return services.s3_client()


@pytest.fixture
def s3_bucket(s3_client):
    """A new, empty bucket with a unique name."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def influx_write_api(services):
    """A synchronous ``influxdb_client`` write API pointed at VictoriaMetrics."""
    from influxdb_client import InfluxDBClient
    from influxdb_client.client.write_api import SYNCHRONOUS

    endpoints = services.endpoints
    with InfluxDBClient(url=endpoints.influx_url, token=endpoints.influx_token,
                        org=endpoints.influx_org) as client:
        with client.write_api(write_options=SYNCHRONOUS) as write_api:
            yield write_api
