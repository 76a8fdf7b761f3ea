"""S3Store's error handling, with botocore's Stubber standing in for the server."""

import io

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from sink.errors import CorruptObjectError, ObjectMissingError, StoreError
from sink.retry import RetryPolicy
from sink.s3_store import S3Store

CONFIG = {"bucket": "cygno-test", "endpoint_url": "http://127.0.0.1:9", "region": "us-east-1",
          "access_key_id": "k", "secret_access_key": "s"}


@pytest.fixture
def store():
    store = S3Store(CONFIG, RetryPolicy(max_total_s=0.2, first_delay_s=0.01))
    with Stubber(store._client) as stub:
        store.stub = stub
        yield store
        stub.assert_no_pending_responses()


def test_get_returns_body_and_metadata(store):
    store.stub.add_response("get_object", {"Body": StreamingBody(io.BytesIO(b"blob"), 4),
                                           "Metadata": {"checksum": "00ff"}},
                            {"Bucket": "cygno-test", "Key": "raw/x"})
    got = store.get("raw/x")
    assert (got.body, got.size, got.metadata) == (b"blob", 4, {"checksum": "00ff"})


def test_missing_object_is_object_missing_error_without_retry(store):
    store.stub.add_client_error("get_object", "NoSuchKey", http_status_code=404)
    with pytest.raises(ObjectMissingError, match="s3://cygno-test/raw/x"):
        store.get("raw/x")


def test_server_error_is_retried_then_store_error():
    store = S3Store(CONFIG, RetryPolicy(max_total_s=0.2, first_delay_s=0.01))
    with Stubber(store._client) as stub:  # more errors queued than the retry window uses
        for _ in range(50):
            stub.add_client_error("put_object", "InternalError", http_status_code=500)
        with pytest.raises(StoreError, match=r"S3 put 'raw/x' failed [2-9] times"):
            store.put("raw/x", b"blob")


def test_put_succeeds_after_a_transient_error(store):
    store.stub.add_client_error("put_object", "SlowDown", http_status_code=503)
    store.stub.add_response("put_object", {}, {"Bucket": "cygno-test", "Key": "raw/x", "Body": b"blob",
                                               "Metadata": {"run": "12"}})
    store.put("raw/x", b"blob", {"run": "12"})


def test_non_ascii_or_underscored_metadata_is_refused_before_sending(store):
    with pytest.raises(CorruptObjectError, match="'run_number'"):
        store.put("raw/x", b"blob", {"run_number": "12"})
    with pytest.raises(CorruptObjectError, match="'note'"):
        store.put("raw/x", b"blob", {"note": "µs"})


def test_missing_bucket_is_created(store):
    store.stub.add_client_error("head_bucket", "404", http_status_code=404)
    store.stub.add_response("create_bucket", {}, {"Bucket": "cygno-test"})
    store.ensure_bucket()


def test_list_pages_through_every_object_sorted(store):
    store.stub.add_response("list_objects_v2", {"Contents": [{"Key": "p/b", "Size": 2}],
                                                "IsTruncated": True, "NextContinuationToken": "t"},
                            {"Bucket": "cygno-test", "Prefix": "p/"})
    store.stub.add_response("list_objects_v2", {"Contents": [{"Key": "p/a", "Size": 1}],
                                                "IsTruncated": False},
                            {"Bucket": "cygno-test", "Prefix": "p/", "ContinuationToken": "t"})
    assert [(o.key, o.size) for o in store.list("p/")] == [("p/a", 1), ("p/b", 2)]
