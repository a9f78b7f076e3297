"""An S3 bucket hardened the way the platform keeps data it must not lose.

Versioning, default encryption, all four public-access blocks, BucketOwnerEnforced (ACLs
off), a TLS-only bucket policy, lifecycle rules, optional access logging. The separate
``aws_s3_bucket_*`` resources follow AWS provider v4+ (the inline arguments are deprecated).
"""

from __future__ import annotations

from typing import Sequence

from components.iam import Condition, Statement, policy_document
from officeless.config.s3 import TransitionConfig
from officeless.tf import Construct, aws, core

_lc = aws.s3_bucket_lifecycle_configuration
_sse = aws.s3_bucket_server_side_encryption_configuration


class SecureBucket(Construct):
    """:param bucket_name: the globally unique bucket name.
    :param kms_key_arn: SSE-KMS with this key and an S3 bucket key; None: SSE-S3 (AES256).
    :param noncurrent_version_expiration_days: days a replaced/deleted version is kept.
    :param abort_incomplete_multipart_upload_days: days before unfinished uploads are removed.
    :param transition: optional move of current objects to a cheaper class. Default: none.
    :param expiration_days: optional expiry of current objects (for log buckets). Default: none.
    :param expiration_prefix: only objects under this key prefix expire. Default: all.
    :param prevent_destroy: Terraform refuses to destroy the bucket. ``force_destroy`` is
        always false, so a bucket with objects is never emptied by Terraform.
    :param access_log_bucket: the bucket receiving server access logs under ``<bucket_name>/``;
        logging is configured after its policy (S3 rejects a target that does not yet let the
        logging service write). Default: none.
    :param policy_statements: statements added to the TLS-only bucket policy. Default: none.
    :param deny_insecure_transport: the policy's Deny of non-TLS requests. Default on; off only
        for AWS emulators that ignore policy conditions.
    """

    def __init__(self, scope: Construct, id_: str, *, bucket_name: str, kms_key_arn: str | None,
                 noncurrent_version_expiration_days: int, abort_incomplete_multipart_upload_days: int,
                 prevent_destroy: bool, transition: TransitionConfig | None = None, expiration_days: int | None = None,
                 expiration_prefix: str = "",
                 access_log_bucket: SecureBucket | None = None, policy_statements: Sequence[Statement] = (),
                 deny_insecure_transport: bool = True) -> None:
        super().__init__(scope, id_)
        self.policy: aws.s3_bucket_policy.S3BucketPolicy | None = None
        self._bucket = aws.s3_bucket.S3Bucket(
            self, "bucket", bucket=bucket_name, force_destroy=False,
            lifecycle=core.TerraformResourceLifecycle(prevent_destroy=True) if prevent_destroy else None,
        )
        bucket = self._bucket.id
        aws.s3_bucket_ownership_controls.S3BucketOwnershipControls(
            self, "ownership", bucket=bucket,
            rule=aws.s3_bucket_ownership_controls.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        public_access = aws.s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self, "public-access", bucket=bucket, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True,
        )
        versioning = aws.s3_bucket_versioning.S3BucketVersioningA(
            self, "versioning", bucket=bucket,
            versioning_configuration=aws.s3_bucket_versioning.S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        by_default = (
            _sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn)
            if kms_key_arn else
            _sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(sse_algorithm="AES256")
        )
        _sse.S3BucketServerSideEncryptionConfigurationA(
            self, "encryption", bucket=bucket,
            rule=[_sse.S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=by_default, bucket_key_enabled=bool(kms_key_arn) or None)],
        )

        rules = [
            _lc.S3BucketLifecycleConfigurationRule(
                id="abort-incomplete-multipart-uploads", status="Enabled", filter=[_lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                abort_incomplete_multipart_upload=[_lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                    days_after_initiation=abort_incomplete_multipart_upload_days)],
            ),
            _lc.S3BucketLifecycleConfigurationRule(
                id="expire-noncurrent-versions", status="Enabled", filter=[_lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                noncurrent_version_expiration=[_lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                    noncurrent_days=noncurrent_version_expiration_days)],
            ),
        ]
        if transition is not None:
            rules.append(_lc.S3BucketLifecycleConfigurationRule(
                id="transition-current-objects", status="Enabled", filter=[_lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                transition=[_lc.S3BucketLifecycleConfigurationRuleTransition(days=transition.days, storage_class=transition.storage_class)],
            ))
        if expiration_days is not None:
            rules.append(_lc.S3BucketLifecycleConfigurationRule(
                id="expire-current-objects", status="Enabled",
                filter=[_lc.S3BucketLifecycleConfigurationRuleFilter(prefix=expiration_prefix)],
                expiration=[_lc.S3BucketLifecycleConfigurationRuleExpiration(days=expiration_days)],
            ))
        # Lifecycle rules on noncurrent versions need versioning in place first (provider docs).
        _lc.S3BucketLifecycleConfiguration(self, "lifecycle", bucket=bucket, rule=rules, depends_on=[versioning])

        arn = self._bucket.arn
        # Grants before the Deny: order means nothing to IAM, but moto's check of a logging
        # target's policy (the rehearsal's emulator) breaks on a Principal "*" met first.
        statements = list(policy_statements)
        if deny_insecure_transport:
            statements.append(Statement(
                sid="DenyInsecureTransport", effect="Deny", actions=["s3:*"], resources=[arn, f"{arn}/*"],
                principals={"*": ["*"]}, conditions=[Condition("Bool", "aws:SecureTransport", ["false"])],
            ))
        if statements:
            policy = policy_document(self, "policy-document", statements)
            # After the public-access block: S3 rejects concurrent changes to the same bucket.
            self.policy = aws.s3_bucket_policy.S3BucketPolicy(
                self, "policy", bucket=bucket, policy=policy.json, depends_on=[public_access])

        if access_log_bucket is not None:
            aws.s3_bucket_logging.S3BucketLoggingA(
                self, "logging", bucket=bucket, target_bucket=access_log_bucket.bucket_name, target_prefix=f"{bucket_name}/",
                depends_on=[access_log_bucket.policy])

    @property
    def bucket_name(self) -> str:
        return self._bucket.bucket

    @property
    def bucket_arn(self) -> str:
        return self._bucket.arn
