"""03-s3: the observability buckets (Mimir, Loki, Tempo) and application buckets."""

from __future__ import annotations

from components.aws_context import AwsContext
from components.bucket import SecureBucket
from components.iam import Condition, Statement
from components.kms import CustomerKey
from officeless.config.observability import RETAINED_BUCKETS
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "03-s3"
# S3 bills an object in Infrequent Access for at least 30 days.
IA_MINIMUM_DAYS = 30
ACCESS_LOGS = "access-logs"
# Server access logs are kept this long, then expire.
ACCESS_LOG_RETENTION_DAYS = 365


def lifecycle(config: PlatformConfig, purpose: str) -> dict:
    """Transition and expiry of current objects, per bucket.

    Application buckets: ``s3.transition``. Observability buckets: their compactors delete data at
    the end of retention (observability.retention); S3 only backs that up, expiring the tenant's
    objects ``backstop_days`` later. An Infrequent Access transition is kept only where the data
    outlives the transition by IA's 30-day minimum charge; the ruler and Alertmanager buckets hold
    small, long-lived, often read objects and never move.
    """
    s3, retention = config.s3, config.observability.retention
    if purpose in s3.application_buckets:
        return {"transition": s3.transition}
    kind = RETAINED_BUCKETS.get(purpose)
    if kind is None:
        return {"transition": None}
    days = retention.days(kind)
    keep_transition = s3.transition is not None and days >= s3.transition.days + IA_MINIMUM_DAYS
    return {"transition": s3.transition if keep_transition else None,
            "expiration_days": days + retention.backstop_days, "expiration_prefix": f"{config.observability_tenant}/"}


class S3Stack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, NAME, config=config)
        s3 = config.s3
        self.kms_key = CustomerKey(self, "kms", alias=f"{s3.bucket_prefix}-buckets",
                                   description=f"Encrypts the {s3.bucket_prefix}-* buckets",
                                   prevent_destroy=s3.prevent_destroy) if s3.encryption == "kms" else None
        common = dict(
            noncurrent_version_expiration_days=s3.noncurrent_version_expiration_days,
            abort_incomplete_multipart_upload_days=s3.abort_incomplete_multipart_upload_days,
            prevent_destroy=s3.prevent_destroy,
        )

        self.access_logs: SecureBucket | None = None
        if s3.access_logging:
            ctx = AwsContext.of(self)
            log_bucket_name = s3.bucket_name(ACCESS_LOGS)
            # S3 delivers access logs only to SSE-S3 buckets, and with ACLs off it needs this
            # policy: https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
            self.access_logs = SecureBucket(
                self, f"bucket-{ACCESS_LOGS}", bucket_name=log_bucket_name, kms_key_arn=None,
                expiration_days=ACCESS_LOG_RETENTION_DAYS, **common,
                policy_statements=[Statement(
                    sid="S3ServerAccessLogsDelivery", actions=["s3:PutObject"],
                    resources=[f"arn:{ctx.partition}:s3:::{log_bucket_name}/*"],
                    principals={"Service": ["logging.s3.amazonaws.com"]},
                    conditions=[Condition("StringEquals", "aws:SourceAccount", [ctx.account_id])],
                )],
            )

        self.buckets: dict[str, SecureBucket] = {
            purpose: SecureBucket(
                self, f"bucket-{purpose}", bucket_name=s3.bucket_name(purpose),
                kms_key_arn=self.kms_key.key_arn if self.kms_key else None,
                access_log_bucket=self.access_logs, **common, **lifecycle(config, purpose),
            )
            for purpose in s3.purposes
        }

        self.output("bucket_names", {p: b.bucket_name for p, b in self.buckets.items()}, "Bucket name by purpose")
        self.output("bucket_arns", {p: b.bucket_arn for p, b in self.buckets.items()}, "Bucket ARN by purpose")
        if self.kms_key:
            self.output("kms_key_arn", self.kms_key.key_arn, "KMS key encrypting the buckets")
