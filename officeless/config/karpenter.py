"""The ``karpenter`` section: node autoscaling by Karpenter, the alternative to cluster-autoscaler.

After the EKS architecture overview: a NodePool of instance families (Spot in dev, Spot with
On-Demand fallback in production), a 20 vCPU limit, consolidation, nodes expiring after 720h,
an interruption queue fed by EventBridge. Karpenter v1 API:
https://karpenter.sh/docs/concepts/nodepools/ and https://karpenter.sh/docs/concepts/nodeclasses/
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aws_limits import INSTANCE_FAMILIES, MAX_NODES
from officeless.config.instances import INSTANCE_TYPES
from officeless.config.types import Model, matching, one_of
from officeless.errors import FieldError

# Karpenter's duration format (Go durations of hours, minutes, seconds), or Never.
# The lookahead refuses the empty string, which the three optional parts would match.
Duration = Annotated[StrictStr, matching(r"(?=\d)(\d+h)?(\d+m)?(\d+s)?|Never",
                                         "a duration; expected e.g. 720h, 30m, 1m30s, or Never")]
InstanceFamily = Annotated[StrictStr, one_of(tuple(INSTANCE_FAMILIES), "an EC2 instance family of "
                                             "officeless/config/aws_limits.py")]
# Karpenter's own chart version = its release; kept as MAJOR.MINOR.PATCH like every chart pin.
KarpenterVersion = Annotated[StrictStr, matching(r"\d+\.\d+\.\d+", "a Karpenter release; expected MAJOR.MINOR.PATCH, "
                                                 "e.g. 1.14.1")]
# Bottlerocket pinned to a release: the alias's "latest" would change nodes under a running cluster.
AmiAlias = Annotated[StrictStr, matching(r"bottlerocket@v\d+\.\d+\.\d+", "a pinned Bottlerocket AMI alias; expected "
                                         "bottlerocket@vX.Y.Z, e.g. bottlerocket@v1.65.0")]
ARCHITECTURES = {"amd64": "x86_64", "arm64": "arm64"}


class NodePoolConfig(Model):
    # Instance families Karpenter may launch. Production per the EKS architecture overview;
    # dev sets t3, t3a, t2.
    instance_families: Annotated[list[InstanceFamily], Field(min_length=1)] = ["m5", "m6i", "c5"]
    # Spot first, On-Demand as the fallback (Karpenter launches Spot when both are allowed and
    # Spot is available). Dev: spot only.
    capacity_types: Annotated[list[Literal["spot", "on-demand"]], Field(min_length=1)] = ["spot", "on-demand"]
    architecture: Literal["amd64", "arm64"] = "amd64"
    # vCPUs of all the pool's nodes together (spec.limits.cpu). At most what MAX_NODES (5,000) of
    # the pool's largest type hold (checked below).
    cpu_limit: Annotated[StrictInt, Field(gt=0)] = 20
    # v1's name for the document's WhenUnderutilized.
    consolidation_policy: Literal["WhenEmptyOrUnderutilized", "WhenEmpty"] = "WhenEmptyOrUnderutilized"
    consolidate_after: Duration = "1m"
    # Nodes are replaced after this long (fresh AMIs, no drift): 30 days.
    expire_after: Duration = "720h"

    @model_validator(mode="after")
    def _families(self) -> "NodePoolConfig":
        seen: set[str] = set()
        for i, family in enumerate(self.instance_families):
            if family in seen:
                raise FieldError(f"instance_families[{i}]", f"{family!r} is listed twice; list each family once")
            seen.add(family)
            if INSTANCE_FAMILIES[family][0] != ARCHITECTURES[self.architecture]:
                raise FieldError(f"instance_families[{i}]", f"{family!r} is {INSTANCE_FAMILIES[family][0]}, the pool launches "
                                                            f"{self.architecture}; allowed: {self.architecture} families")
            if not any(t.split(".")[0] == family for t in INSTANCE_TYPES):
                raise FieldError(f"instance_families[{i}]", f"{family!r} has no instance type in officeless/config/instances.py, "
                                                            "which the capacity check needs; add its sizes there")
        if len(set(self.capacity_types)) != len(self.capacity_types):
            raise FieldError("capacity_types", f"{self.capacity_types} lists a type twice; list each once")
        largest = max(INSTANCE_TYPES[t].vcpus for t in self.instance_types)
        if self.cpu_limit > MAX_NODES * largest:
            raise FieldError("cpu_limit", f"{self.cpu_limit} vCPU is more than {MAX_NODES} nodes of the pool's largest type "
                                          f"({largest} vCPU) hold, and Kubernetes supports at most {MAX_NODES} nodes per "
                                          f"cluster; allowed: 1 to {MAX_NODES * largest}")
        return self

    @property
    def instance_types(self) -> list[str]:
        """The instance types of instances.py in the pool's families (what the capacity check uses)."""
        return [t for t in INSTANCE_TYPES if t.split(".")[0] in self.instance_families]


class NodeClassConfig(Model):
    # The Bottlerocket release of Karpenter's nodes. v1.65.0 (2026-09-03) carries the
    # aws-k8s-1.33 to 1.36 variants: https://github.com/bottlerocket-os/bottlerocket/pull/4928
    ami_alias: AmiAlias = "bottlerocket@v1.65.0"
    # Bottlerocket's data volume (/dev/xvdb: images and containers), encrypted gp3, GiB.
    data_volume_gb: Annotated[StrictInt, Field(ge=20, le=16384)] = 50


class KarpenterConfig(Model):
    # Karpenter provides the nodes beyond the managed node groups. Off by default (production
    # runs cluster-autoscaler, as documented); dev turns it on. Needs a system node group to run on.
    enabled: StrictBool = False
    # Chart and controller release; at least the version table's minimum for the cluster's minor.
    version: KarpenterVersion = "1.14.1"
    # Controller replicas (leader election: one active), one per system node.
    replicas: Annotated[StrictInt, Field(ge=1, le=3)] = 2
    node_pool: NodePoolConfig = NodePoolConfig()
    node_class: NodeClassConfig = NodeClassConfig()
