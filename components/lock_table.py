"""The DynamoDB table Terraform's S3 backend locks state with."""

from __future__ import annotations

from officeless.tf import Construct, aws, core

_t = aws.dynamodb_table


class LockTable(Construct):
    """:param table_name: the table (config ``backend.dynamodb_table``).
    :param kms_key_arn: customer-managed key for encryption at rest; None: the AWS-owned key.
    :param prevent_destroy: Terraform refuses to destroy it, and so does DynamoDB (deletion protection).
    The key is ``LockID`` (string), as the S3 backend requires; on-demand billing; point-in-time recovery on.
    """

    def __init__(self, scope: Construct, id_: str, *, table_name: str, kms_key_arn: str | None, prevent_destroy: bool) -> None:
        super().__init__(scope, id_)
        self._table = _t.DynamodbTable(
            self, "table", name=table_name, billing_mode="PAY_PER_REQUEST", hash_key="LockID",
            attribute=[_t.DynamodbTableAttribute(name="LockID", type="S")],
            point_in_time_recovery=_t.DynamodbTablePointInTimeRecovery(enabled=True),
            server_side_encryption=_t.DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=kms_key_arn),
            deletion_protection_enabled=prevent_destroy,
            lifecycle=core.TerraformResourceLifecycle(prevent_destroy=True) if prevent_destroy else None,
        )

    @property
    def table_name(self) -> str:
        return self._table.name

    @property
    def table_arn(self) -> str:
        return self._table.arn
