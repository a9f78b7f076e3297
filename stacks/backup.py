"""09-backup: AWS Backup of the environment's volumes and file systems.

Its own stack: the vault outlives everything it protects (a teardown of the platform keeps the
recovery points), and it reaches no other stack's ids: the plan selects by the ``backup-plan``
tag that 02-eks (EFS), 04-ec2 (the VPN server's volumes) and 05-helm (the gp3 storage class)
put on what they own.
"""

from __future__ import annotations

from components.backup import BackupPlan
from officeless import names
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "09-backup"


class BackupStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, NAME, config=config)
        backup = config.backup
        copy_provider = (self.aws_provider("aws-copy", region=backup.copy_to_region, alias="copy")
                         if backup.copy_to_region else None)
        plan = BackupPlan(
            self, "backup", name=config.backup_plan_name, role_name=names.backup_role(config.project, config.environment),
            schedule=backup.schedule, start_window_minutes=backup.start_window_minutes,
            completion_window_minutes=backup.completion_window_minutes, retention_days=backup.retention_days,
            copy_provider=copy_provider, vault_lock=backup.vault_lock, prevent_destroy=backup.prevent_destroy,
        )
        self.output("backup_vault_arn", plan.vault_arn, "ARN of the backup vault")
        self.output("backup_plan_id", plan.plan_id, "ID of the daily backup plan")
