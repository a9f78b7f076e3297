"""03-s3: the observability buckets (Mimir, Loki, Tempo) and application buckets."""

from __future__ import annotations

from components.aws_context import AwsContext
from components.bucket import SecureBucket
from components.iam import Condition, Statement
from components.kms import CustomerKey
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "03-s3"
ACCESS_LOGS = "access-logs"
# Server access logs are kept this long, then expire.
ACCESS_LOG_RETENTION_DAYS = 365


class S3Stack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, NAME, config=config)
        s3 = config.s3
        self.kms_key = CustomerKey(self, "kms", alias=f"{s3.bucket_prefix}-buckets",
                                   description=f"Encrypts the {s3.bucket_prefix}-* buckets") if s3.encryption == "kms" else None
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
                kms_key_arn=self.kms_key.key_arn if self.kms_key else None, transition=s3.transition,
                access_log_bucket=self.access_logs, **common,
            )
            for purpose in s3.purposes
        }

        self.output("bucket_names", {p: b.bucket_name for p, b in self.buckets.items()}, "Bucket name by purpose")
        self.output("bucket_arns", {p: b.bucket_arn for p, b in self.buckets.items()}, "Bucket ARN by purpose")
        if self.kms_key:
            self.output("kms_key_arn", self.kms_key.key_arn, "KMS key encrypting the buckets")
