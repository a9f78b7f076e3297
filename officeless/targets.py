"""The contract between a target's infrastructure and the Kubernetes layer (issue #29, item 2).

The Kubernetes layer (05-helm's addons and observability, 06-access's tenancy, 08-platform's
GitOps and secrets) takes what differs between clouds from a :class:`Target`, in one place: the
storage classes it provisions volumes with, how object storage is reached and how pods get its
credentials, the ingress classes, the External Secrets provider, and the machine table the
capacity check sizes nodes with. Config's ``cloud`` picks the target; ``aws`` is the one built
(the existing-cluster, GCP and Azure targets add theirs here, each from its own config section).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Callable, Literal, Mapping

from pydantic import StrictStr

from officeless import names
from officeless.config.instances import INSTANCE_TYPES, InstanceType
from officeless.config.types import one_of

CLOUDS = ("aws",)
Cloud = Annotated[StrictStr, one_of(CLOUDS, "a target this project builds")]


@dataclass(frozen=True)
class StorageClass:
    """A StorageClass the target's CSI driver provisions."""

    name: str
    provisioner: str
    parameters: Mapping[str, str]
    default: bool = False  # the cluster's default class
    volume_binding_mode: str = "WaitForFirstConsumer"
    allow_volume_expansion: bool = True
    reclaim_policy: str = "Delete"


@dataclass(frozen=True)
class Target:
    cloud: str
    # Block volumes (the default class: Mimir, Loki, Tempo, Grafana, applications) and shared files.
    block_storage: StorageClass
    file_storage_class: str
    # Object storage for Mimir, Loki and Tempo: the backend type and how pods get credentials.
    object_storage: Literal["s3"]
    pod_credentials: Literal["pod-identity"]
    # Ingress classes: internet-facing (applications) and internal (operator tools).
    public_ingress_class: str
    internal_ingress_class: str
    # The External Secrets provider block of a store, by region.
    secret_store_provider: Callable[[str], dict]
    # Instance types the capacity check knows: allocatable CPU and memory, max pods, each with its source.
    machines: Mapping[str, InstanceType] = field(default_factory=lambda: MappingProxyType(INSTANCE_TYPES))


def _ebs_block_storage(backup_plan: str | None) -> StorageClass:
    """Encrypted gp3 through the EBS CSI driver, and the ``backup-plan`` tag on every volume it
    creates, so 09-backup's plan selects it (tagSpecification_<n>:
    https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/tagging.md)."""
    parameters = {"type": "gp3", "encrypted": "true"}
    if backup_plan:
        parameters["tagSpecification_1"] = f"{names.BACKUP_TAG}={backup_plan}"
    return StorageClass("gp3", "ebs.csi.aws.com", parameters, default=True)


def aws(*, backup_plan: str | None) -> Target:
    """EKS: EBS and EFS CSI drivers, S3 with Pod Identity, the ALB classes, Secrets Manager."""
    return Target(
        cloud="aws", block_storage=_ebs_block_storage(backup_plan), file_storage_class="efs",
        object_storage="s3", pod_credentials="pod-identity", public_ingress_class="alb",
        internal_ingress_class="alb-internal",
        secret_store_provider=lambda region: {"service": "SecretsManager", "region": region},
    )


def of(config) -> Target:
    """The target of a validated config (its ``cloud``)."""
    return {"aws": lambda: aws(backup_plan=config.backup_plan_name)}[config.cloud]()
