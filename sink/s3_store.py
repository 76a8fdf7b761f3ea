"""The sink's S3 object store: put/get/head/list with retries, over boto3.

Object metadata are small strings (S3 user metadata, sent as ``x-amz-meta-*`` headers),
so every value goes in as ASCII text; keys use hyphens, never underscores (some
servers and proxies drop headers with underscores). :class:`StoredObject` is what the
store returns; the in-memory double in the tests has the same methods.
"""

import logging
from dataclasses import dataclass, field

import boto3
import botocore.config
import botocore.exceptions

from .errors import CorruptObjectError, ObjectMissingError
from .retry import RetryPolicy, retry

__all__ = ["S3Store", "StoredObject"]

log = logging.getLogger(__name__)
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
_RETRYABLE = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, OSError)


@dataclass(frozen=True)
class StoredObject:
    """One S3 object: its key, size, user metadata and (for ``get``) its body."""

    key: str
    size: int
    metadata: dict = field(default_factory=dict)
    body: bytes | None = None


class S3Store:
    """One bucket on one S3 endpoint; every call retries transient errors per ``policy``."""

    def __init__(self, s3_config: dict, policy: RetryPolicy | None = None):
        self.bucket = s3_config["bucket"]
        self.policy = policy or RetryPolicy()
        self._client = boto3.session.Session().client(
            "s3",
            endpoint_url=s3_config["endpoint_url"],
            region_name=s3_config["region"],
            aws_access_key_id=s3_config["access_key_id"],
            aws_secret_access_key=s3_config["secret_access_key"],
            config=botocore.config.Config(
                retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30,
                s3={"addressing_style": "path"},
            ),
        )

    def ensure_bucket(self) -> None:
        """Create the bucket unless it exists already."""
        def create():
            try:
                self._client.head_bucket(Bucket=self.bucket)
            except botocore.exceptions.ClientError as exc:
                if _error_code(exc) not in _MISSING_CODES | {"NoSuchBucket"}:
                    raise
                log.info("creating bucket %s", self.bucket)
                self._client.create_bucket(Bucket=self.bucket)
        retry(create, f"creating bucket {self.bucket!r}", self.policy, _RETRYABLE)

    def put(self, key: str, body: bytes, metadata: dict | None = None) -> None:
        """Store ``body`` under ``key`` (overwriting: a redelivered item lands on the same key)."""
        metadata = _ascii_metadata(key, metadata or {})
        retry(lambda: self._client.put_object(Bucket=self.bucket, Key=key, Body=bytes(body),
                                              Metadata=metadata),
              f"S3 put {key!r}", self.policy, _RETRYABLE)

    def get(self, key: str) -> StoredObject:
        """The object with its body; ObjectMissingError if there is none."""
        response = self._call_unless_missing(
            lambda: self._client.get_object(Bucket=self.bucket, Key=key), f"S3 get {key!r}", key)
        body = response["Body"].read()
        return StoredObject(key, len(body), dict(response.get("Metadata", {})), body)

    def head(self, key: str) -> StoredObject:
        """Size and metadata only; ObjectMissingError if there is no such object."""
        response = self._call_unless_missing(
            lambda: self._client.head_object(Bucket=self.bucket, Key=key), f"S3 head {key!r}", key)
        return StoredObject(key, int(response["ContentLength"]), dict(response.get("Metadata", {})))

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except ObjectMissingError:
            return False
        return True

    def list(self, prefix: str) -> list[StoredObject]:
        """Every object under ``prefix`` (keys and sizes, no metadata), sorted by key."""
        def list_all():
            paginator = self._client.get_paginator("list_objects_v2")
            return [StoredObject(item["Key"], int(item["Size"]))
                    for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
                    for item in page.get("Contents", [])]
        return sorted(retry(list_all, f"S3 list {prefix!r}", self.policy, _RETRYABLE),
                      key=lambda item: item.key)

    def _call_unless_missing(self, call, what: str, key: str):
        def attempt():
            try:
                return call()
            except botocore.exceptions.ClientError as exc:
                if _error_code(exc) in _MISSING_CODES:
                    raise ObjectMissingError(f"no S3 object s3://{self.bucket}/{key}") from None
                raise
        return retry(attempt, what, self.policy, _RETRYABLE)


def _error_code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _ascii_metadata(key: str, metadata: dict) -> dict:
    clean = {}
    for name, value in metadata.items():
        text = str(value)
        if not text.isascii() or "_" in name:
            raise CorruptObjectError(f"S3 metadata {name!r}={text[:60]!r} for {key!r} must be ASCII "
                                     "with a hyphenated name")
        clean[name] = text
    return clean
