"""The 03-s3 section: observability and application buckets."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.backend import BUCKET_RULES, is_valid_bucket_name
from officeless.config.types import Model, matching
from officeless.errors import FieldError

# What Mimir, Loki and Tempo store (05-helm points each at its buckets).
OBSERVABILITY_BUCKETS = ("mimir-metrics", "mimir-alertmanager", "mimir-ruler", "loki-chunks", "loki-ruler", "tempo-traces")
Purpose = Annotated[StrictStr, matching(
    r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", "a bucket purpose; allowed: lowercase letters, digits and '-', e.g. loki-chunks",
)]
BucketPrefix = Annotated[StrictStr, matching(
    r"[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?",
    "a bucket name prefix; allowed: up to 50 lowercase letters, digits and '-', "
    "starting and ending with a letter or digit (S3 bucket naming rules)",
)]


class TransitionConfig(Model):
    """Move current object versions to a cheaper storage class after ``days``."""

    days: Annotated[StrictInt, Field(ge=30)]  # S3 requires >= 30 days before STANDARD_IA
    storage_class: Literal["STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]


class S3Config(Model):
    # Bucket names are <bucket_prefix>-<purpose>; S3 names are global, so the prefix makes them ours.
    bucket_prefix: BucketPrefix
    # Purposes of the observability buckets. Default: all six that Mimir, Loki and Tempo use.
    observability_buckets: list[Purpose] = list(OBSERVABILITY_BUCKETS)
    # Further purposes for applications. Default: none.
    application_buckets: list[Purpose] = []
    # kms: SSE-KMS with a key of this stack, bucket key on. s3: SSE-S3 (AES256).
    encryption: Literal["kms", "s3"] = "kms"
    # Days a replaced or deleted object version is kept before it expires. Default 90.
    noncurrent_version_expiration_days: Annotated[StrictInt, Field(ge=1)] = 90
    # Days before parts of an unfinished multipart upload are removed. Default 7.
    abort_incomplete_multipart_upload_days: Annotated[StrictInt, Field(ge=1)] = 7
    # Optional transition of current objects. Default: none.
    transition: TransitionConfig | None = None
    # Server access logs of every bucket into <prefix>-access-logs. Default on.
    access_logging: StrictBool = True
    # Terraform refuses to destroy the buckets (lifecycle.prevent_destroy). On in production.
    prevent_destroy: StrictBool

    @property
    def purposes(self) -> list[str]:
        return [*self.observability_buckets, *self.application_buckets]

    def bucket_name(self, purpose: str) -> str:
        return f"{self.bucket_prefix}-{purpose}"

    @model_validator(mode="after")
    def _names(self) -> "S3Config":
        seen: dict[str, str] = {}
        fields = [(f"observability_buckets[{i}]", p) for i, p in enumerate(self.observability_buckets)] + [
            (f"application_buckets[{i}]", p) for i, p in enumerate(self.application_buckets)
        ]
        if self.access_logging:
            fields.append(("access_logging", "access-logs"))
        for path, purpose in fields:
            if purpose in seen:
                raise FieldError(path, f"{purpose!r} duplicates {seen[purpose]}; every bucket purpose must be unique")
            seen[purpose] = path
            name = self.bucket_name(purpose)
            if not is_valid_bucket_name(name):
                raise FieldError(path, f"{purpose!r} makes the bucket name {name!r}, which breaks S3 naming rules; {BUCKET_RULES}")
        return self
