"""The ``gke`` section of a Google Cloud environment (02-gke, issue #31): the cluster, its node pools
and Filestore, with GKE's version calendar and machine types.

Sources:

[schedule]  GKE release schedule, https://cloud.google.com/kubernetes-engine/docs/release-schedule
            as tracked by https://endoflife.date/google-kubernetes-engine (read 2026-12-02):
            the day each minor became available in the Regular channel and the end of its
            standard support. The stored copy of Google's own page stops at 1.26.
[policy]    GKE versioning and support, https://cloud.google.com/kubernetes-engine/versioning :
            "up to a total of 24 months of support for a minor version after the version has been
            made available for new cluster creation in the Regular channel", about 14 months
            standard and 10 more in the Extended channel. The end of extended support below is that
            rule's date (Regular availability + 24 months), the schedule giving none.
[machines]  Compute Engine general-purpose machine families,
            https://cloud.google.com/compute/docs/general-purpose-machines : vCPUs and memory.
[allocatable] GKE, "Plan GKE Standard node sizes", resource reservations,
            https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes : memory
            reserved 25 % of the first 4 GiB, 20 % of the next 4, 10 % of the next 8, 6 % of the next
            112 and 2 % above 128 GiB (255 MiB on machines under 1 GiB), plus a 100 MiB eviction
            threshold; CPU reserved 6 % of the first core, 1 % of the second, 0.5 % of the next two
            and 0.25 % of every core above four.
[max-pods]  GKE Standard's default of 110 pods per node, for which each node gets a /24 of the pod
            range: https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr
[node-sa]   GKE hardening: nodes run as a service account of their own holding
            roles/container.defaultNodeServiceAccount, not the Compute Engine default account,
            https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-agent
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.types import Cidr, Model, Name, check_pool_size, clip, not_a_yaml_number
from officeless.config.versions import today
from officeless.errors import FieldError

SupportStatus = Literal["standard", "extended", "ended"]


@dataclass(frozen=True)
class GkeMinor:
    version: str
    regular_available: date  # [schedule]
    end_of_standard_support: date  # [schedule]

    @property
    def end_of_extended_support(self) -> date:
        """[policy]: 24 months after Regular availability."""
        d = self.regular_available
        return d.replace(year=d.year + 2)

    def support_status(self, on: date) -> SupportStatus:
        if on < self.end_of_standard_support:
            return "standard"
        return "extended" if on < self.end_of_extended_support else "ended"


GKE_MINORS: dict[str, GkeMinor] = {m.version: m for m in (
    GkeMinor("1.33", regular_available=date(2025, 6, 3), end_of_standard_support=date(2026, 8, 3)),
    GkeMinor("1.34", regular_available=date(2025, 9, 30), end_of_standard_support=date(2026, 10, 1)),
    GkeMinor("1.35", regular_available=date(2026, 2, 11), end_of_standard_support=date(2027, 4, 11)),
)}


@dataclass(frozen=True)
class MachineType:
    name: str
    vcpus: int
    memory_gib: float
    max_pods: int = 110  # [max-pods]

    def allocatable(self) -> tuple[int, int]:
        """(millicores, MiB) Kubernetes may schedule on a node of this type: [allocatable]."""
        cores = self.vcpus
        reserved_cpu = (60 * min(cores, 1) + 10 * min(max(cores - 1, 0), 1) + 5 * min(max(cores - 2, 0), 2)
                        + 2.5 * max(cores - 4, 0))
        gib = self.memory_gib
        if gib < 1:
            reserved_gib = 255 / 1024
        else:
            reserved_gib = (0.25 * min(gib, 4) + 0.20 * min(max(gib - 4, 0), 4) + 0.10 * min(max(gib - 8, 0), 8)
                            + 0.06 * min(max(gib - 16, 0), 112) + 0.02 * max(gib - 128, 0))
        return int(cores * 1000 - reserved_cpu), int(gib * 1024 - reserved_gib * 1024 - 100)


# [machines]: the types node pools may use (add a row to allow another).
MACHINE_TYPES: dict[str, MachineType] = {t.name: t for t in (
    MachineType("e2-standard-2", 2, 8), MachineType("e2-standard-4", 4, 16), MachineType("e2-standard-8", 8, 32),
    MachineType("e2-standard-16", 16, 64), MachineType("e2-highmem-4", 4, 32),
    MachineType("n2-standard-2", 2, 8), MachineType("n2-standard-4", 4, 16), MachineType("n2-standard-8", 8, 32),
    MachineType("n2-standard-16", 16, 64), MachineType("n2-highmem-4", 4, 32), MachineType("n2d-standard-4", 4, 16),
    MachineType("c3-standard-4", 4, 16), MachineType("c3-standard-8", 8, 32),
)}


Minor = Annotated[StrictStr, BeforeValidator(not_a_yaml_number('"1.35"'))]
ReleaseChannel = Literal["RAPID", "REGULAR", "STABLE", "EXTENDED"]


class NodePoolConfig(Model):
    machine_type: StrictStr
    # The pool's nodes across all its zones, GKE's autoscaler keeping them between the two
    # (total_min_node_count / total_max_node_count).
    min_nodes: Annotated[StrictInt, Field(ge=0, le=1000)]
    max_nodes: Annotated[StrictInt, Field(ge=1, le=1000)]
    # Boot disk (balanced persistent disk, encrypted by Google). Default 100 GB.
    disk_size_gb: Annotated[StrictInt, Field(ge=20, le=65536)] = 100
    # Tainted CriticalAddonsOnly=true:NoSchedule: only system components run here. Default off.
    system: StrictBool = False
    # Spot VMs (preemptible, cheaper). Default off.
    spot: StrictBool = False

    @model_validator(mode="after")
    def _sizes(self) -> "NodePoolConfig":
        check_pool_size(field="machine_type", value=self.machine_type, table=MACHINE_TYPES, what="machine type",
                        where="officeless/config/gke.py", min_nodes=self.min_nodes, max_nodes=self.max_nodes)
        return self

    @property
    def machine(self) -> MachineType:
        return MACHINE_TYPES[self.machine_type]


class FilestoreConfig(Model):
    """Shared files (ReadWriteMany volumes through the Filestore CSI driver), as EFS on AWS."""

    enabled: StrictBool = True
    name: Name = "shared"
    # https://cloud.google.com/filestore/docs/service-tiers : BASIC_HDD from 1 TiB, BASIC_SSD from
    # 2.5 TiB, ZONAL and REGIONAL (regional is replicated across zones) from 1 TiB.
    tier: Literal["BASIC_HDD", "BASIC_SSD", "ZONAL", "REGIONAL"] = "BASIC_HDD"
    capacity_gb: Annotated[StrictInt, Field(ge=1024, le=102400)] = 1024

    @model_validator(mode="after")
    def _tier_minimum(self) -> "FilestoreConfig":
        if self.tier == "BASIC_SSD" and self.capacity_gb < 2560:
            raise FieldError("capacity_gb", f"{self.capacity_gb} is below BASIC_SSD's 2560 GB minimum; allowed: 2560 or "
                                            "more, or tier BASIC_HDD")
        return self


class GkeConfig(Model):
    cluster_name: Name
    # The Kubernetes minor: a row of GKE_MINORS in standard support (or in extended support with
    # release_channel EXTENDED). The control plane runs at least it; GKE applies patches.
    kubernetes_version: Minor
    # https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels. Default REGULAR.
    release_channel: ReleaseChannel = "REGULAR"
    # The control plane's private range (a /28 no subnet uses). Default 172.16.0.0/28.
    master_cidr: Cidr = "172.16.0.0/28"
    # Networks that may reach the control plane's private endpoint beside the cluster's subnet (the
    # VPN's client network, CI runners). Default: none.
    authorized_networks: list[Cidr] = []
    # Node pools by name; exactly one system pool. The sum of max_nodes must fit network.max_nodes.
    node_pools: Annotated[dict[Name, NodePoolConfig], Field(min_length=1)]
    filestore: FilestoreConfig = FilestoreConfig()
    # GKE refuses to delete the cluster (the provider's deletion_protection). Default: on in
    # production environments, off elsewhere.
    deletion_protection: StrictBool | None = None
    # Daily maintenance window start (UTC, HH:MM), 4 hours long. Default 03:00.
    maintenance_start: Annotated[StrictStr, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "03:00"

    @model_validator(mode="after")
    def _minor(self) -> "GkeConfig":
        minor = GKE_MINORS.get(self.kubernetes_version)
        if minor is None:
            raise FieldError("kubernetes_version", f"{clip(self.kubernetes_version)!r} is not in the GKE version table; "
                                                   f"allowed: {', '.join(GKE_MINORS)} (officeless/config/gke.py)")
        day = today()
        status = minor.support_status(day)
        if status == "ended" or (status == "extended" and self.release_channel != "EXTENDED"):
            end = minor.end_of_extended_support if status == "ended" else minor.end_of_standard_support
            allowed = [m for m, row in GKE_MINORS.items() if row.support_status(day) == "standard"]
            raise FieldError("kubernetes_version", (
                f"{self.kubernetes_version!r} left GKE's {'extended' if status == 'ended' else 'standard'} support on "
                f"{end} (release channel {self.release_channel}); allowed on {day}: {', '.join(allowed) or 'none'}"
                + ("" if status == "ended" else ", or release_channel EXTENDED")))
        return self

    @property
    def minor(self) -> GkeMinor:
        return GKE_MINORS[self.kubernetes_version]

    def protected(self, is_production: bool) -> bool:
        return is_production if self.deletion_protection is None else self.deletion_protection
