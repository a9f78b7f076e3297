"""AWS Backup: a KMS-encrypted vault, a daily plan, and a selection by tag.

The selection takes EBS volumes and EFS file systems (ARN patterns) that carry the tag
``backup-plan: <plan name>`` (conditions and resources are ANDed:
https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html), so every
stack that owns data tags it and nothing here needs their ids. The service role carries AWS's
managed backup and restore policies:
https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html
"""

from __future__ import annotations

from components.aws_context import AwsContext
from components.iam import service_trust
from components.kms import CustomerKey
from components.protection import lifecycle
from officeless import names
from officeless.config.backup import VaultLockConfig
from officeless.tf import Construct, aws

_BACKUP_POLICIES = ("service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores")


class BackupPlan(Construct):
    """:param name: the vault's and the plan's name, and the value of the ``backup-plan`` tag the
        selection looks for.
    :param role_name: the IAM role AWS Backup assumes to snapshot and restore.
    :param schedule: AWS cron expression (UTC) of the daily rule.
    :param start_window_minutes: a job not started within this is skipped.
    :param completion_window_minutes: a job not done within this of its start is cancelled.
    :param retention_days: recovery points are deleted this many days after creation.
    :param copy_provider: an AWS provider in a second region; each recovery point is copied to a
        vault there (its own KMS key, same retention). Default None: no copy.
    :param vault_lock: Vault Lock on the primary vault. Default None.
    :param prevent_destroy: Terraform refuses to destroy the vaults and their keys. Default False.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, role_name: str, schedule: str, start_window_minutes: int,
                 completion_window_minutes: int, retention_days: int, copy_provider: aws.provider.AwsProvider | None = None,
                 vault_lock: VaultLockConfig | None = None, prevent_destroy: bool = False) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        key = CustomerKey(self, "kms", alias=f"{name}-backup", description=f"Encrypts the recovery points of {name}",
                          prevent_destroy=prevent_destroy)
        self._vault = aws.backup_vault.BackupVault(self, "vault", name=name, kms_key_arn=key.key_arn, force_destroy=False,
                                                   lifecycle=lifecycle(prevent_destroy=prevent_destroy))
        if vault_lock is not None:
            aws.backup_vault_lock_configuration.BackupVaultLockConfiguration(
                self, "vault-lock", backup_vault_name=self._vault.name, min_retention_days=vault_lock.min_retention_days,
                max_retention_days=vault_lock.max_retention_days, changeable_for_days=vault_lock.changeable_for_days,
            )
        copy_actions = None
        if copy_provider is not None:
            copy_key = CustomerKey(self, "copy-kms", alias=f"{name}-backup-copy", provider=copy_provider,
                                   description=f"Encrypts the copied recovery points of {name}", prevent_destroy=prevent_destroy)
            copy_vault = aws.backup_vault.BackupVault(
                self, "copy-vault", name=name, kms_key_arn=copy_key.key_arn, force_destroy=False, provider=copy_provider,
                lifecycle=lifecycle(prevent_destroy=prevent_destroy))
            copy_actions = [aws.backup_plan.BackupPlanRuleCopyAction(
                destination_vault_arn=copy_vault.arn,
                lifecycle=aws.backup_plan.BackupPlanRuleCopyActionLifecycle(delete_after=retention_days))]

        role = aws.iam_role.IamRole(self, "role", name=role_name,
                                    assume_role_policy=service_trust(self, "trust", "backup.amazonaws.com").json)
        for policy in _BACKUP_POLICIES:
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, f"role-{policy.rsplit('/', 1)[-1]}", role=role.name, policy_arn=ctx.managed_policy_arn(policy))

        self._plan = aws.backup_plan.BackupPlan(self, "plan", name=name, rule=[aws.backup_plan.BackupPlanRule(
            rule_name="daily", target_vault_name=self._vault.name, schedule=schedule,
            start_window=start_window_minutes, completion_window=completion_window_minutes,
            lifecycle=aws.backup_plan.BackupPlanRuleLifecycle(delete_after=retention_days),
            copy_action=copy_actions,
        )])
        self.selection = aws.backup_selection.BackupSelection(
            self, "selection", name=name, plan_id=self._plan.id, iam_role_arn=role.arn,
            resources=[f"arn:{ctx.partition}:ec2:*:*:volume/*", f"arn:{ctx.partition}:elasticfilesystem:*:*:file-system/*"],
            condition=[aws.backup_selection.BackupSelectionCondition(string_equals=[
                aws.backup_selection.BackupSelectionConditionStringEquals(key=f"aws:ResourceTag/{names.BACKUP_TAG}",
                                                                          value=name)])],
        )

    @property
    def vault_arn(self) -> str:
        return self._vault.arn

    @property
    def plan_id(self) -> str:
        return self._plan.id
