"""A shared, encrypted EFS file system with a mount target in each given subnet."""

from __future__ import annotations

from typing import Mapping

from components.protection import lifecycle
from components.security_group import SecurityGroup
from officeless.config.eks import EfsConfig
from officeless import names
from officeless.tf import Construct, aws

_efs = aws.efs_file_system


class SharedFileSystem(Construct):
    """:param config: the validated ``eks.efs`` section (name, lifecycle, backups).
    :param vpc_id: VPC of the mount targets' security group.
    :param subnets: key (the AZ, which names the mount target) -> subnet id; one mount target each.
    :param client_security_group_id: the only group allowed to mount (NFS, 2049/tcp).
    :param kms_key_arn: customer-managed key for encryption at rest; None: the AWS-managed key.
    :param prevent_destroy: Terraform refuses to destroy the file system. Default False.
    :param backup_plan: the AWS Backup plan that selects the file system by its ``backup-plan``
        tag; EFS's own automatic backups are then off (config refuses both). Default None: no tag,
        EFS's automatic backups as config says (default on).
    Performance mode General Purpose and throughput mode Bursting, as documented.
    """

    def __init__(self, scope: Construct, id_: str, *, config: EfsConfig, vpc_id: str, subnets: Mapping[str, str],
                 client_security_group_id: str, kms_key_arn: str | None, prevent_destroy: bool = False,
                 backup_plan: str | None = None) -> None:
        super().__init__(scope, id_)
        policies = []
        if config.transition_to_ia:
            policies.append(_efs.EfsFileSystemLifecyclePolicy(transition_to_ia=config.transition_to_ia))
        if config.transition_to_primary_on_access:
            policies.append(_efs.EfsFileSystemLifecyclePolicy(transition_to_primary_storage_class="AFTER_1_ACCESS"))
        self._fs = _efs.EfsFileSystem(
            self, "file-system", creation_token=config.name, encrypted=True, kms_key_id=kms_key_arn,
            performance_mode="generalPurpose", throughput_mode="bursting",
            lifecycle_policy=policies or None,
            tags={"Name": config.name, **({names.BACKUP_TAG: backup_plan} if backup_plan else {})},
            lifecycle=lifecycle(prevent_destroy=prevent_destroy),
        )
        aws.efs_backup_policy.EfsBackupPolicy(
            self, "backup-policy", file_system_id=self._fs.id,
            backup_policy=aws.efs_backup_policy.EfsBackupPolicyBackupPolicy(
                status="ENABLED" if config.automatic_backups or (config.automatic_backups is None and not backup_plan)
                else "DISABLED"),
        )
        self.security_group = SecurityGroup(self, "sg", name=f"{config.name}-mount-targets", vpc_id=vpc_id,
                                            description=f"EFS {config.name} mount targets: NFS from the cluster only")
        self.security_group.allow_ingress("nfs-from-cluster", description="NFS from EKS nodes and pods", protocol="tcp",
                                          port=2049, source_security_group_id=client_security_group_id)
        for key, subnet_id in subnets.items():
            aws.efs_mount_target.EfsMountTarget(
                self, f"mount-target-{key}", file_system_id=self._fs.id, subnet_id=subnet_id,
                security_groups=[self.security_group.security_group_id],
            )

    @property
    def file_system_id(self) -> str:
        return self._fs.id

    @property
    def file_system_arn(self) -> str:
        return self._fs.arn
