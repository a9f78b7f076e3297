"""A customer-managed KMS key with rotation, an alias, and a key policy that names its users.

Key policy shape from
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html (the account
administers the key through IAM) plus, per log group, the CloudWatch Logs grant from
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
"""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.iam import Condition, Statement, policy_document
from components.protection import lifecycle
from officeless.tf import Construct, aws, core

_LOGS_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]


class CustomerKey(Construct):
    """:param alias: alias name without the ``alias/`` prefix.
    :param description: shown in the KMS console.
    :param log_group_names: CloudWatch log groups allowed to encrypt with this key; each is
        scoped by the ``kms:EncryptionContext:aws:logs:arn`` condition. Default: none.
    :param prevent_destroy: Terraform refuses to destroy the key. Default False. Set it for keys
        of kept data: a key scheduled for deletion makes everything it encrypted unreadable once
        the 30-day window ends.
    :param provider: the AWS provider (region) the key lives in. Default: the stack's.
    """

    def __init__(self, scope: Construct, id_: str, *, alias: str, description: str, log_group_names: Sequence[str] = (),
                 prevent_destroy: bool = False, provider: core.TerraformProvider | None = None) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        statements = [
            Statement(sid="AccountAdministers", actions=["kms:*"], resources=["*"],
                      principals={"AWS": [ctx.arn("iam", "root", region=False)]}),
        ]
        if log_group_names:
            statements.append(
                Statement(
                    sid="CloudWatchLogsForNamedLogGroups",
                    actions=_LOGS_ACTIONS,
                    resources=["*"],
                    principals={"Service": [f"logs.{ctx.region}.amazonaws.com"]},
                    conditions=[Condition("ArnEquals", "kms:EncryptionContext:aws:logs:arn",
                                          [ctx.arn("logs", f"log-group:{name}") for name in log_group_names])],
                )
            )
        policy = policy_document(self, "key-policy", statements)
        # 30 days, the longest window KMS allows: the time to notice and cancel a deletion.
        self._key = aws.kms_key.KmsKey(
            self, "key", description=description, enable_key_rotation=True, deletion_window_in_days=30, policy=policy.json,
            lifecycle=lifecycle(prevent_destroy=prevent_destroy), provider=provider,
        )
        aws.kms_alias.KmsAlias(self, "alias", name=f"alias/{alias}", target_key_id=self._key.key_id, provider=provider)

    @property
    def key_arn(self) -> str:
        return self._key.arn

    @property
    def key_id(self) -> str:
        return self._key.key_id
