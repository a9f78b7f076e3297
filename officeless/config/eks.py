"""The 02-eks section: cluster, node group, addons, EFS."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.types import Model, Name, RetentionDays, matching, not_a_yaml_number, one_of
from officeless.errors import FieldError

# https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html#AmazonEKS-Type-Nodegroup-amiType
AMI_TYPES = (
    "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NVIDIA", "AL2023_x86_64_NEURON",
    "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA",
)
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# Addons the stack knows how to wire; the first two must run before any node joins.
BEFORE_COMPUTE_ADDONS = ("vpc-cni", "eks-pod-identity-agent")
ADDONS = (*BEFORE_COMPUTE_ADDONS, "coredns", "kube-proxy", "aws-ebs-csi-driver")


AddonVersion = Annotated[StrictStr, matching(
    r"v\d+\.\d+\.\d+-eksbuild\.\d+", "an EKS addon version; expected vX.Y.Z-eksbuild.N, e.g. v1.3.5-eksbuild.2",
)]
InstanceType = Annotated[StrictStr, matching(
    r"[a-z][a-z0-9-]*\.[a-z0-9]+", "an EC2 instance type; expected family.size, e.g. t3.xlarge",
)]
KubernetesVersion = Annotated[
    StrictStr,
    BeforeValidator(not_a_yaml_number('quote the version, e.g. "1.33"')),
    matching(r"1\.(2[89]|3\d)", "a Kubernetes minor version EKS offers; expected MAJOR.MINOR from 1.28 to 1.39, e.g. '1.33' (quote it in YAML)"),
]
RoleName = Annotated[StrictStr, matching(r"[A-Za-z0-9_+=,.@-]{1,64}", "an IAM role name; allowed: 1-64 of letters, digits and +=,.@_-")]


class NodeGroupConfig(Model):
    name: Name  # worker-nodes
    # Tried in order by EKS; at least one. For ON_DEMAND the first available type wins.
    instance_types: Annotated[list[InstanceType], Field(min_length=1)]
    ami_type: Annotated[StrictStr, one_of(AMI_TYPES, "an EKS AMI type")]
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    # Size of the encrypted gp3 data volume per node, GiB.
    disk_size_gb: Annotated[StrictInt, Field(ge=20, le=16384)]
    min_size: Annotated[StrictInt, Field(ge=0)]
    desired_size: Annotated[StrictInt, Field(ge=0)]
    max_size: Annotated[StrictInt, Field(ge=1)]
    # Nodes replaced at once during an update. Default 1.
    max_unavailable: Annotated[StrictInt, Field(ge=1)] = 1
    labels: dict[StrictStr, StrictStr] = {}

    @model_validator(mode="after")
    def _sizes(self) -> "NodeGroupConfig":
        if self.min_size > self.desired_size:
            raise FieldError("desired_size", f"{self.desired_size} is below min_size {self.min_size}; allowed: min_size <= desired_size <= max_size")
        if self.desired_size > self.max_size:
            raise FieldError("desired_size", f"{self.desired_size} is above max_size {self.max_size}; allowed: min_size <= desired_size <= max_size")
        return self


class EfsConfig(Model):
    """The shared EFS file system (mount targets in every private subnet)."""

    name: StrictStr  # Name tag and creation token, e.g. eks-shared-storage
    # Move files not accessed for this long to Infrequent Access. None: never.
    transition_to_ia: Literal["AFTER_1_DAY", "AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS", "AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"] | None = "AFTER_30_DAYS"
    # Move a file back to Standard on its first access after a transition. Default on.
    transition_to_primary_on_access: StrictBool = True
    # AWS Backup's automatic daily backups of the file system. Default on.
    automatic_backups: StrictBool = True


class EksConfig(Model):
    # The cluster's name; 01-vpc tags subnets with kubernetes.io/cluster/<name>.
    cluster_name: Name
    kubernetes_version: KubernetesVersion
    # The API endpoint: private only by default (reached through the VPN or an in-VPC agent).
    endpoint_private_access: StrictBool = True
    endpoint_public_access: StrictBool = False
    # How IAM principals map to Kubernetes identities.
    authentication_mode: Literal["CONFIG_MAP", "API", "API_AND_CONFIG_MAP"]
    # IAM role names in this account given cluster-admin through access entries (API modes only).
    admin_role_names: list[RoleName] = []
    log_types: list[Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]] = list(LOG_TYPES)
    log_retention_days: RetentionDays = 7
    # Envelope encryption of Kubernetes secrets (and the control-plane log group, and EFS)
    # with a customer-managed KMS key, rotation on. Default on.
    secrets_encryption: StrictBool = True
    node_group: NodeGroupConfig
    # Addon name -> pinned version (vX.Y.Z-eksbuild.N); all of ADDONS are required.
    addons: dict[Literal["vpc-cni", "eks-pod-identity-agent", "coredns", "kube-proxy", "aws-ebs-csi-driver"], AddonVersion]
    efs: EfsConfig

    @model_validator(mode="after")
    def _consistent(self) -> "EksConfig":
        missing = [a for a in ADDONS if a not in self.addons]
        if missing:
            raise FieldError(f"addons.{missing[0]}", f"required addon is missing; pin a version for each of: {', '.join(ADDONS)}")
        if self.admin_role_names and self.authentication_mode == "CONFIG_MAP":
            raise FieldError("admin_role_names", "access entries need authentication_mode API or API_AND_CONFIG_MAP; allowed with CONFIG_MAP: []")
        if not (self.endpoint_private_access or self.endpoint_public_access):
            raise FieldError("endpoint_private_access", "false with endpoint_public_access false leaves no API endpoint; enable at least one")
        return self

    @property
    def uses_access_entries(self) -> bool:
        return self.authentication_mode != "CONFIG_MAP"
