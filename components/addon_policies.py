"""IAM statements several addons share: object storage in given buckets, reading the
environment's secrets. Each addon's own statements live in its module (components/addons/)."""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.iam import Condition, Statement


def bucket_access(bucket_arns: Sequence[str], kms_key_arn: str | None) -> list[Statement]:
    """Read/write objects in exactly these buckets, and use their KMS key."""
    statements = [
        Statement(sid="ListTheBuckets", actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=list(bucket_arns)),
        Statement(sid="ObjectsInTheBuckets", actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                  resources=[f"{arn}/*" for arn in bucket_arns]),
    ]
    if kms_key_arn is not None:
        statements.append(Statement(sid="UseTheBucketKey", actions=["kms:Decrypt", "kms:GenerateDataKey"],
                                    resources=[kms_key_arn]))
    return statements


def read_secrets(ctx: AwsContext, name_pattern: str, *, sids: tuple[str, str]) -> list[Statement]:
    """Read the secrets whose names match ``name_pattern`` (an ARN resource pattern after
    ``secret:``) and decrypt them through Secrets Manager only. ``sids``: (read, decrypt)."""
    secrets = ctx.arn("secretsmanager", f"secret:{name_pattern}")
    return [
        Statement(sid=sids[0], actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                  resources=[secrets]),
        Statement(sid=sids[1], actions=["kms:Decrypt"], resources=["*"],
                  conditions=[Condition("StringEquals", "kms:ViaService", [f"secretsmanager.{ctx.region}.amazonaws.com"]),
                              Condition("ArnLike", "kms:EncryptionContext:SecretARN", [secrets])]),
    ]


def secrets_reader(ctx: AwsContext, pattern: str) -> list[Statement]:
    """Read the secrets ``pattern`` (``<prefix>/*``) matches."""
    return read_secrets(ctx, pattern, sids=("ReadEnvironmentSecrets", "DecryptThemViaSecretsManager"))
