"""The ``aks`` section of an Azure environment (02-aks, issue #32): the cluster, its node pools and the
Key Vault key its Secrets are encrypted with, with AKS's version calendar and VM sizes.

Sources:

[calendar]  AKS Kubernetes release calendar and LTS versions, "Supported Kubernetes versions in AKS",
            https://learn.microsoft.com/azure/aks/supported-kubernetes-versions (MicrosoftDocs/
            azure-aks-docs, articles/aks/supported-kubernetes-versions.md, ms.date 08/05/2026): AKS GA
            and end of life by month ("Unless an explicit date is provided, the End of Life date is the
            last day of the specified month"), and LTS end of life for clusters on the Premium tier
            with the AKSLongTermSupport plan.
[lts]       Long-term support, https://learn.microsoft.com/azure/aks/long-term-support : LTS needs the
            Premium tier and support_plan AKSLongTermSupport.
[sizes]     Azure VM sizes, Dsv5, Dasv5 and Esv5 series,
            https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/dsv5-series : vCPUs
            and memory (GiB).
[reserved]  AKS node resource reservations (AKS 1.29 and later),
            https://learn.microsoft.com/azure/aks/node-resource-reservations : kube-reserved CPU by
            cores (1: 60m, 2: 100m, 4: 140m, 8: 180m, 16: 260m, 32: 420m, 64: 740m); kube-reserved
            memory the lesser of 20 MB x max pods + 50 MB and 25 % of the VM's memory, plus the
            kubelet's memory.available<100Mi eviction threshold. MB are counted as MiB here (the
            smaller allocatable of the two readings).
[max-pods]  Azure CNI Overlay: 250 pods a node at most (its default), each node a /24 of the pod
            range, https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay ; AKS
            accepts 10 and more, https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning
[pool-name] Node pool names: lower-case letters and digits, starting with a letter, at most 12
            characters for Linux pools, https://learn.microsoft.com/azure/aks/create-node-pools
[vault]     Key Vault names: 3-24 letters, digits and single hyphens, starting with a letter, unique
            across Azure, https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.types import Model, Name, check_pool_size, clip, matching, not_a_yaml_number
from officeless.config.versions import today
from officeless.errors import FieldError

SupportStatus = Literal["standard", "lts", "ended"]


def _end_of(year: int, month: int) -> date:
    """[calendar]: a month named as an end of life means its last day."""
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class AksMinor:
    version: str
    ga: date  # [calendar]: the month AKS made it generally available (its first day)
    end_of_life: date  # [calendar]: the last day of community support
    end_of_lts: date  # [calendar]: the last day of long-term support (Premium tier, AKSLongTermSupport)

    def support_status(self, on: date) -> SupportStatus:
        if on <= self.end_of_life:
            return "standard"
        return "lts" if on <= self.end_of_lts else "ended"


AKS_MINORS: dict[str, AksMinor] = {m.version: m for m in (
    AksMinor("1.32", ga=date(2025, 4, 1), end_of_life=_end_of(2026, 3), end_of_lts=_end_of(2027, 3)),
    AksMinor("1.33", ga=date(2025, 6, 1), end_of_life=_end_of(2026, 7), end_of_lts=_end_of(2027, 7)),
    AksMinor("1.34", ga=date(2025, 11, 1), end_of_life=_end_of(2026, 11), end_of_lts=_end_of(2027, 11)),
    AksMinor("1.35", ga=date(2026, 3, 1), end_of_life=_end_of(2027, 3), end_of_lts=_end_of(2028, 3)),
    AksMinor("1.36", ga=date(2026, 6, 1), end_of_life=_end_of(2027, 6), end_of_lts=_end_of(2028, 6)),
    AksMinor("1.37", ga=date(2026, 10, 1), end_of_life=_end_of(2027, 10), end_of_lts=_end_of(2028, 10)),
)}

# [reserved]: kube-reserved CPU (millicores) by the VM's cores.
RESERVED_CPU = {1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740}
EVICTION_MIB = 100
MAX_PODS = 250  # [max-pods]
# The application id of the Azure Kubernetes Service AAD Server, the audience of every AKS token:
# https://azure.github.io/kubelogin/concepts/aks.html
AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"


@dataclass(frozen=True)
class VmSize:
    name: str
    vcpus: int
    memory_gib: int

    def allocatable(self, max_pods: int) -> tuple[int, int]:
        """(millicores, MiB) Kubernetes may schedule on a node of this size running ``max_pods``: [reserved]."""
        memory = self.memory_gib * 1024
        reserved = min(20 * max_pods + 50, memory // 4)
        return self.vcpus * 1000 - RESERVED_CPU[self.vcpus], memory - reserved - EVICTION_MIB


# [sizes]: the sizes node pools may use (add a row to allow another; its cores must be a row of RESERVED_CPU).
VM_SIZES: dict[str, VmSize] = {s.name: s for s in (
    VmSize("Standard_D2s_v5", 2, 8), VmSize("Standard_D4s_v5", 4, 16), VmSize("Standard_D8s_v5", 8, 32),
    VmSize("Standard_D16s_v5", 16, 64), VmSize("Standard_D4as_v5", 4, 16), VmSize("Standard_D8as_v5", 8, 32),
    VmSize("Standard_D4ds_v5", 4, 16), VmSize("Standard_D8ds_v5", 8, 32),
    VmSize("Standard_E4s_v5", 4, 32), VmSize("Standard_E8s_v5", 8, 64),
)}

Minor = Annotated[StrictStr, BeforeValidator(not_a_yaml_number('"1.35"'))]
PoolName = Annotated[StrictStr, matching(r"[a-z][a-z0-9]{0,11}", "a node pool name; allowed: 1-12 lower-case letters and "
                                                                  "digits, starting with a letter")]
ObjectId = Annotated[StrictStr, matching(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                         "an Entra ID object id; allowed: a GUID in lower case")]
VAULT = r"[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]"
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class NodePoolConfig(Model):
    vm_size: StrictStr
    # The pool's nodes across the three zones, AKS's cluster autoscaler keeping them between the two.
    min_nodes: Annotated[StrictInt, Field(ge=1, le=1000)]
    max_nodes: Annotated[StrictInt, Field(ge=1, le=1000)]
    # Pods a node runs at most (kube-reserved memory grows with it: [reserved]). Default 110, as EKS and GKE.
    max_pods: Annotated[StrictInt, Field(ge=10, le=MAX_PODS)] = 110
    # The managed OS disk. Default 128 GB.
    os_disk_size_gb: Annotated[StrictInt, Field(ge=30, le=2048)] = 128
    # Tainted CriticalAddonsOnly=true:NoSchedule: only system components run here (AKS's system mode). Default off.
    system: StrictBool = False
    # Encryption at host: temporary disks and OS and data disk caches encrypted too. Needs the
    # subscription's Microsoft.Compute/EncryptionAtHost feature (README "Azure"). Default on.
    host_encryption: StrictBool = True

    @model_validator(mode="after")
    def _sizes(self) -> "NodePoolConfig":
        check_pool_size(field="vm_size", value=self.vm_size, table=VM_SIZES, what="VM size", where="officeless/config/aks.py",
                        min_nodes=self.min_nodes, max_nodes=self.max_nodes)
        return self

    @property
    def size(self) -> VmSize:
        return VM_SIZES[self.vm_size]


class AksConfig(Model):
    cluster_name: Name
    # The Kubernetes minor: a row of AKS_MINORS before its end of life (or before its LTS end of life
    # with support_plan AKSLongTermSupport). AKS runs its newest patch; automatic upgrades stay on it.
    kubernetes_version: Minor
    # https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers : Standard carries the uptime
    # SLA, Premium adds LTS. Default Standard.
    sku_tier: Literal["Standard", "Premium"] = "Standard"
    # [lts]: AKSLongTermSupport needs sku_tier Premium. Default KubernetesOfficial.
    support_plan: Literal["KubernetesOfficial", "AKSLongTermSupport"] = "KubernetesOfficial"
    # Entra ID groups that are the cluster's administrators (Azure RBAC Cluster Admin); Kubernetes
    # access otherwise through Azure role assignments. Local accounts are off. Default: none.
    admin_group_object_ids: list[ObjectId] = []
    # Node pools by name; exactly one system pool (AKS's default pool). The sum of max_nodes must fit
    # network.max_nodes.
    node_pools: Annotated[dict[PoolName, NodePoolConfig], Field(min_length=1)]
    # The Key Vault holding the key etcd's Secrets are encrypted with (unique across Azure). Default
    # <project>-<environment>-kms, shortened to 24 characters.
    key_vault: Annotated[StrictStr, matching(VAULT, "a Key Vault name; allowed: 3-24 letters, digits and single '-', "
                                                    "starting with a letter (unique across Azure)")] | None = None
    # A CanNotDelete lock on the cluster. Default: on in production environments, off elsewhere.
    deletion_protection: StrictBool | None = None
    # How the Kubernetes layer's providers sign in through kubelogin: azurecli (the signed-in Azure CLI,
    # an operator on the VPN server), msi (the managed identity of the VM Terraform runs on, e.g. a
    # Terraform Cloud agent; kubelogin_client_id names a user-assigned one) or workloadidentity (a pod's
    # federated token). https://azure.github.io/kubelogin/concepts/login-modes.html Default azurecli.
    kubelogin_login: Literal["azurecli", "msi", "workloadidentity"] = "azurecli"
    kubelogin_client_id: ObjectId | None = None
    # Weekly maintenance window for patch upgrades and node images (UTC, 4 hours). Default Sunday 03:00.
    maintenance_day: Weekday = "Sunday"
    maintenance_start: Annotated[StrictStr, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "03:00"

    @model_validator(mode="after")
    def _minor(self) -> "AksConfig":
        minor = AKS_MINORS.get(self.kubernetes_version)
        if minor is None:
            raise FieldError("kubernetes_version", f"{clip(self.kubernetes_version)!r} is not in the AKS version table; "
                                                   f"allowed: {', '.join(AKS_MINORS)} (officeless/config/aks.py)")
        day = today()
        status = minor.support_status(day)
        lts = self.support_plan == "AKSLongTermSupport"
        if status == "ended" or (status == "lts" and not lts):
            end = minor.end_of_lts if status == "ended" else minor.end_of_life
            allowed = [m for m, row in AKS_MINORS.items() if row.ga <= day and row.support_status(day) == "standard"]
            raise FieldError("kubernetes_version", (
                f"{self.kubernetes_version!r} reached AKS's {'LTS ' if status == 'ended' else ''}end of life on {end}; "
                f"allowed on {day}: {', '.join(allowed) or 'none'}"
                + ("" if status == "ended" else ", or support_plan AKSLongTermSupport (sku_tier Premium)")))
        if minor.ga > day:
            raise FieldError("kubernetes_version", f"{self.kubernetes_version!r} is generally available on AKS from "
                                                   f"{minor.ga:%Y-%m}; allowed on {day}: a minor AKS offers")
        if lts and self.sku_tier != "Premium":
            raise FieldError("support_plan", f"{self.support_plan!r} with sku_tier {self.sku_tier!r}; long-term support "
                                             "needs the Premium tier; allowed: sku_tier Premium, or KubernetesOfficial")
        return self

    @model_validator(mode="after")
    def _kubelogin(self) -> "AksConfig":
        if self.kubelogin_client_id is not None and self.kubelogin_login == "azurecli":
            raise FieldError("kubelogin_client_id", "is set with kubelogin_login azurecli, which signs in as the Azure CLI's "
                                                    "account; allowed: with msi or workloadidentity only")
        return self

    @property
    def kubelogin_args(self) -> list[str]:
        """kubelogin's arguments for the providers' exec block (AKS's Entra ID server as the audience)."""
        client = ["--client-id", self.kubelogin_client_id] if self.kubelogin_client_id else []
        return ["get-token", "--login", self.kubelogin_login, "--server-id", AKS_SERVER_ID, *client]

    @property
    def minor(self) -> AksMinor:
        return AKS_MINORS[self.kubernetes_version]

    @property
    def system_pool(self) -> tuple[str, NodePoolConfig]:
        return next((name, pool) for name, pool in self.node_pools.items() if pool.system)

    def protected(self, is_production: bool) -> bool:
        return is_production if self.deletion_protection is None else self.deletion_protection

    def vault_name(self, project: str, environment: str) -> str:
        """``key_vault``, or the default: a valid name made of project and environment."""
        if self.key_vault:
            return self.key_vault
        return re.sub(r"-+", "-", f"{project}-{environment}-kms")[:24].rstrip("-")
