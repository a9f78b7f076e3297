"""The 02-eks section: cluster, node groups, addons, EFS."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, StrictStr, ValidationInfo, model_validator

from officeless.config import versions
from officeless.config.instances import INSTANCE_TYPES
from officeless.config.aws_limits import MAX_NODES, MAX_UNAVAILABLE, instance_architecture
from officeless.config.types import (Cidr, LabelKey, LabelValue, Model, Name, RetentionDays, Text, clip, matching,
                                     not_a_yaml_number, one_of)
from officeless.errors import FieldError

# https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html#AmazonEKS-Type-Nodegroup-amiType
AMI_TYPES = (
    "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NVIDIA", "AL2023_x86_64_NEURON",
    "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA",
)
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# Addons the stack knows how to wire; the first two must run before any node joins.
BEFORE_COMPUTE_ADDONS = ("vpc-cni", "eks-pod-identity-agent")


AddonVersion = Annotated[StrictStr, matching(
    r"v\d+\.\d+\.\d+-eksbuild\.\d+", "an EKS addon version; expected vX.Y.Z-eksbuild.N, e.g. v1.3.5-eksbuild.2",
)]
def _check_instance_type(value: str) -> str:
    if value not in INSTANCE_TYPES:
        families = ", ".join(dict.fromkeys(t.split(".")[0] for t in INSTANCE_TYPES))
        raise ValueError(f"{clip(value)!r} is not an instance type of officeless/config/instances.py (the capacity check "
                         f"needs its size and pod limit); allowed: one of its {len(INSTANCE_TYPES)} types, of the families "
                         f"{families}, e.g. m6i.large; add a type there with its sources")
    return value


InstanceType = Annotated[StrictStr, AfterValidator(_check_instance_type)]
KubernetesVersion = Annotated[
    StrictStr,
    BeforeValidator(not_a_yaml_number('quote the version, e.g. "1.33"')),
    one_of(versions.supported_minors(), "a Kubernetes minor version of the version table (officeless/config/versions.py)"),
]
# Any MAJOR.MINOR, for nodes that may trail the control plane by one minor during an upgrade.
NodeKubernetesVersion = Annotated[
    StrictStr,
    BeforeValidator(not_a_yaml_number('quote the version, e.g. "1.33"')),
    matching(r"1\.\d{1,2}", "a Kubernetes minor version; expected MAJOR.MINOR, e.g. '1.33' (quote it in YAML)"),
]
def _not_an_arn(value: object) -> object:
    if isinstance(value, str) and value.startswith("arn:"):
        name = value.rsplit("/", 1)[-1]
        raise ValueError(f"{value!r} is an ARN; give the role's name, e.g. {name!r}")
    return value


RoleName = Annotated[StrictStr, BeforeValidator(_not_an_arn),
                     matching(r"[A-Za-z0-9_+=,.@-]{1,64}", "an IAM role name; allowed: 1-64 of letters, digits and +=,.@_-")]


# The taint of a system node group (the EKS architecture overview: "Tainted with
# CriticalAddonsOnly:NoSchedule"): only pods that tolerate it, the platform's system components,
# run there. https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
SYSTEM_TAINT_KEY = "CriticalAddonsOnly"
# The EKS API's names for the Kubernetes taint effects.
EKS_TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}
# The node group that was the only one before node groups became a map: it keeps its
# construct id ("nodes"), so the deployed group is not replaced.
LEGACY_NODE_GROUP = "worker-nodes"


class Taint(Model):
    # A label key: an optional DNS-subdomain prefix and '/', then 1-63 of [A-Za-z0-9-_.].
    key: Annotated[StrictStr, matching(r"([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?",
                                       "a taint key; expected a label key, e.g. CriticalAddonsOnly or example.com/dedicated")]
    value: Annotated[StrictStr, matching(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?",
                                         "a taint value; allowed: up to 63 letters, digits, '-', '_', '.'")] = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]

    @property
    def keeps_others_off(self) -> bool:
        return self.effect in ("NoSchedule", "NoExecute")


class NodeGroupConfig(Model):
    """One managed node group; its name is its key in ``eks.node_groups``."""

    # Tried in order by EKS; at least one. For ON_DEMAND the first available type wins.
    instance_types: Annotated[list[InstanceType], Field(min_length=1)]
    ami_type: Annotated[StrictStr, one_of(AMI_TYPES, "an EKS AMI type")]
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    # Size of the encrypted gp3 data volume per node, GiB.
    disk_size_gb: Annotated[StrictInt, Field(ge=20, le=16384)]
    # At most MAX_NODES (5,000: Kubernetes' nodes per cluster, officeless/config/aws_limits.py).
    min_size: Annotated[StrictInt, Field(ge=0, le=MAX_NODES)]
    desired_size: Annotated[StrictInt, Field(ge=0, le=MAX_NODES)]
    max_size: Annotated[StrictInt, Field(ge=1, le=MAX_NODES)]
    # Nodes replaced at once during an update. Default 1.
    max_unavailable: Annotated[StrictInt, Field(ge=1, le=MAX_UNAVAILABLE)] = 1
    labels: dict[LabelKey, LabelValue] = {}
    # Taints of every node. A group tainted CriticalAddonsOnly (NoSchedule or NoExecute) is a
    # system group: only the platform's system components run there. Default: none.
    taints: list[Taint] = []
    # The nodes' Kubernetes minor. Default: the cluster's. Set it to the previous minor while the
    # control plane and addons move first (README "Upgrading Kubernetes"), then remove it.
    kubernetes_version: NodeKubernetesVersion | None = None

    @model_validator(mode="after")
    def _architecture(self) -> "NodeGroupConfig":
        wanted = "arm64" if "ARM_64" in self.ami_type else "x86_64"
        for i, instance_type in enumerate(self.instance_types):
            if instance_architecture(instance_type) != wanted:
                raise FieldError(f"instance_types[{i}]", f"{instance_type!r} is {instance_architecture(instance_type)}, "
                                                         f"but ami_type {self.ami_type} boots {wanted} instances; allowed: "
                                                         f"{wanted} instance types, or an ami_type for that architecture")
        return self

    @model_validator(mode="after")
    def _sizes(self) -> "NodeGroupConfig":
        if self.min_size > self.desired_size:
            raise FieldError("desired_size", f"{self.desired_size} is below min_size {self.min_size}; allowed: min_size <= desired_size <= max_size")
        if self.desired_size > self.max_size:
            raise FieldError("desired_size", f"{self.desired_size} is above max_size {self.max_size}; allowed: min_size <= desired_size <= max_size")
        return self

    @model_validator(mode="after")
    def _taints_once(self) -> "NodeGroupConfig":
        seen: dict[tuple[str, str], int] = {}
        for i, taint in enumerate(self.taints):
            if (taint.key, taint.effect) in seen:
                raise FieldError(f"taints[{i}]", f"{taint.key}:{taint.effect} duplicates taints[{seen[taint.key, taint.effect]}]; "
                                                 "allowed: one taint per key and effect")
            seen[taint.key, taint.effect] = i
        return self

    @property
    def is_system(self) -> bool:
        """Tainted CriticalAddonsOnly so that only system components run here."""
        return any(t.key == SYSTEM_TAINT_KEY and t.keeps_others_off for t in self.taints)


class EfsConfig(Model):
    """The shared EFS file system (mount targets in every private subnet)."""

    name: Text  # Name tag and creation token, e.g. eks-shared-storage
    # Move files not accessed for this long to Infrequent Access. None: never.
    transition_to_ia: Literal["AFTER_1_DAY", "AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS", "AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"] | None = "AFTER_30_DAYS"
    # Move a file back to Standard on its first access after a transition. Default on.
    transition_to_primary_on_access: StrictBool = True
    # EFS's own automatic daily backups (into AWS Backup's default vault). Default: off when the
    # environment's backup plan (section backup) covers the file system, else on; never both.
    automatic_backups: StrictBool | None = None


class EksConfig(Model):
    # The cluster's name; 01-vpc tags subnets with kubernetes.io/cluster/<name>.
    cluster_name: Name
    kubernetes_version: KubernetesVersion
    # The cluster's upgrade policy: EXTENDED (AWS's default) keeps running a minor past its end of
    # standard support, at the extended-support price; STANDARD makes EKS upgrade it at that date.
    support_type: Literal["STANDARD", "EXTENDED"] = "EXTENDED"
    # The API endpoint: private only by default (reached through the VPN or an in-VPC agent).
    endpoint_private_access: StrictBool = True
    endpoint_public_access: StrictBool = False
    # Who reaches a public endpoint. Default none: EKS's own default, 0.0.0.0/0 (the whole internet).
    public_access_cidrs: list[Cidr] = []
    # How IAM principals map to Kubernetes identities.
    authentication_mode: Literal["CONFIG_MAP", "API", "API_AND_CONFIG_MAP"]
    # IAM role names in this account that administer the cluster (group platform-admins): access
    # entries in API modes (02-eks), aws-auth mappings in CONFIG_MAP mode (06-access).
    admin_role_names: list[RoleName] = []
    log_types: list[Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]] = list(LOG_TYPES)
    log_retention_days: RetentionDays = 7
    # Enforce NetworkPolicy objects (the VPC CNI's network policy agent). Default on.
    network_policy: StrictBool = True
    # Envelope encryption of Kubernetes secrets (and the control-plane log group, and EFS)
    # with a customer-managed KMS key, rotation on. Default on.
    secrets_encryption: StrictBool = True
    # Managed node groups by name (the EKS node group name). Production: worker-nodes as
    # documented; the EKS architecture overview adds a system group (2 x t3.medium, tainted
    # CriticalAddonsOnly=true:NoSchedule) for the system components when Karpenter runs the rest.
    node_groups: Annotated[dict[Name, NodeGroupConfig], Field(min_length=1)]
    # Addon name -> pinned version (vX.Y.Z-eksbuild.N). Unset: the version table's version for
    # kubernetes_version. A pin that does not fit the minor is refused.
    addons: dict[Literal["vpc-cni", "eks-pod-identity-agent", "coredns", "kube-proxy", "aws-ebs-csi-driver"], AddonVersion] = {}
    efs: EfsConfig
    # Terraform refuses to destroy or replace the cluster, the EFS file system and the EKS KMS key
    # (lifecycle.prevent_destroy; aws 5.100 has no deletion protection for clusters). Lift it
    # deliberately before a teardown (README "Data protection"). Default on; dev and local turn it
    # off.
    prevent_destroy: StrictBool = True

    @model_validator(mode="after")
    def _versions_fit(self, info: ValidationInfo) -> "EksConfig":
        minor = self.kubernetes_version
        for name, version in self.addons.items():
            problem = versions.addon_fits(name, version, minor)
            if problem:
                raise FieldError(f"addons.{name}", f"{version!r} does not fit Kubernetes {minor}: {problem}")
        for group_name, group in self.node_groups.items():
            nodes = group.kubernetes_version
            if nodes is not None and versions.minor_offset(nodes, minor) not in (0, 1):
                raise FieldError(f"node_groups.{group_name}.kubernetes_version",
                                 f"{nodes!r} with the control plane on {minor}; allowed: {versions.previous_minor(minor)} "
                                 f"(during an upgrade) or {minor}, or unset (the cluster's)")
        today = (info.context or {}).get("today") or versions.today()
        status = self.minor.support_status(today)
        if status == "ended":
            raise FieldError("kubernetes_version", f"{minor!r} reached the end of EKS extended support on "
                             f"{self.minor.end_of_extended_support}; EKS no longer runs it; allowed: "
                             f"{', '.join(versions.minors_supported_on(today))}")
        if self.support_type == "STANDARD" and status != "standard":
            raise FieldError("support_type", f"'STANDARD' for Kubernetes {minor}, which left standard support on "
                             f"{self.minor.end_of_standard_support}: EKS would upgrade the cluster at once; allowed: "
                             f"EXTENDED, or a kubernetes_version in standard support "
                             f"({', '.join(versions.minors_supported_on(today, 'standard'))})")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> "EksConfig":
        if not (self.endpoint_private_access or self.endpoint_public_access):
            raise FieldError("endpoint_private_access", "false with endpoint_public_access false leaves no API endpoint; enable at least one")
        if self.public_access_cidrs and not self.endpoint_public_access:
            raise FieldError("public_access_cidrs", "set while endpoint_public_access is false (no public endpoint to narrow); "
                                                    "allowed: unset, or endpoint_public_access: true")
        return self

    @property
    def uses_access_entries(self) -> bool:
        return self.authentication_mode != "CONFIG_MAP"

    @property
    def minor(self) -> versions.Minor:
        return versions.MINORS[self.kubernetes_version]

    def addon_version(self, name: str) -> str:
        """The pinned version of addon ``name``, else the version table's for the cluster's minor."""
        return self.addons.get(name) or self.minor.addons[name]

    def node_kubernetes_version(self, group: str) -> str:
        """The minor of node group ``group``: its own while an upgrade is staged, else the cluster's."""
        return self.node_groups[group].kubernetes_version or self.kubernetes_version

    @property
    def system_node_groups(self) -> list[str]:
        """Names of the groups tainted for system components only."""
        return [name for name, group in self.node_groups.items() if group.is_system]

    def support_warnings(self, today: date) -> list[tuple[str, str]]:
        """(field, message) for what is legal but costs money or may not exist: a minor past standard
        support, an addon pin newer than any version the table knows."""
        out = [(f"addons.{name}", f"{version!r} is newer than any version officeless/config/versions.py knows on "
                                  f"{self.kubernetes_version} ({newest}); check that EKS offers it: aws eks "
                                  f"describe-addon-versions --kubernetes-version {self.kubernetes_version} --addon-name {name}")
               for name, version in self.addons.items()
               if (newest := versions.addon_newer_than_known(name, version, self.kubernetes_version))]
        minor = self.minor
        if minor.support_status(today) != "extended":
            return out
        return [*out, ("kubernetes_version", (
            f"{minor.version!r} left EKS standard support on {minor.end_of_standard_support}; the cluster runs on "
            f"extended support at {versions.EXTENDED_SUPPORT_PRICE} per cluster hour instead of "
            f"{versions.STANDARD_SUPPORT_PRICE} until {minor.end_of_extended_support}, when EKS upgrades it; "
            f"upgrade one minor at a time (README \"Upgrading Kubernetes\")"))]
