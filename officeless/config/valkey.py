"""The 07-valkey section: the ElastiCache (Valkey) cache."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.types import Cidr, Model, Name, RetentionDays, matching, one_of
from officeless.errors import FieldError

# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html
ENGINE_VERSIONS = ("7.2", "8.0", "8.1")
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_HHMM = r"([01]\d|2[0-3]):[0-5]\d"


NodeType = Annotated[StrictStr, matching(
    r"cache\.[a-z0-9]+\.[a-z0-9]+", "an ElastiCache node type; expected cache.<family>.<size>, e.g. cache.r7g.large",
)]
MaintenanceWindow = Annotated[StrictStr, matching(
    f"{_DAY}:{_HHMM}-{_DAY}:{_HHMM}", "a maintenance window; expected ddd:hh:mm-ddd:hh:mm (UTC), e.g. sun:05:00-sun:06:00",
)]
SnapshotWindow = Annotated[StrictStr, matching(
    f"{_HHMM}-{_HHMM}", "a snapshot window; expected hh:mm-hh:mm (UTC), e.g. 03:00-04:00",
)]


class ValkeyConfig(Model):
    name: Name  # replication group id, e.g. production-valkey
    engine_version: Annotated[StrictStr, one_of(ENGINE_VERSIONS, "a Valkey engine version ElastiCache offers")]
    node_type: NodeType
    # Primary + replicas, spread over the private subnets' AZs.
    num_cache_clusters: Annotated[StrictInt, Field(ge=1, le=6)]
    automatic_failover: StrictBool = True
    multi_az: StrictBool = True
    # Days of daily snapshots kept (0 disables snapshots).
    snapshot_retention_days: Annotated[StrictInt, Field(ge=0, le=35)]
    snapshot_window: SnapshotWindow
    maintenance_window: MaintenanceWindow
    # Engine parameters for the stack's parameter group. Default: none (engine defaults).
    parameters: dict[StrictStr, StrictStr] = {}
    slow_log_retention_days: RetentionDays = 365
    # Sources besides the EKS nodes allowed to reach 6379. Default: none.
    extra_allowed_cidrs: list[Cidr] = []

    @property
    def parameter_group_family(self) -> str:
        return f"valkey{self.engine_version.split('.')[0]}"

    @model_validator(mode="after")
    def _failover(self) -> "ValkeyConfig":
        if self.automatic_failover and self.num_cache_clusters < 2:
            raise FieldError("num_cache_clusters", f"{self.num_cache_clusters} node(s) with automatic_failover on; allowed: at least 2 (a primary and a replica)")
        if self.multi_az and not self.automatic_failover:
            raise FieldError("multi_az", "true needs automatic_failover: true")
        return self
