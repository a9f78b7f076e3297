"""The 07-valkey section: the ElastiCache (Valkey) cache."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aws_limits import (CACHE_NODE_TYPES, MAXMEMORY_POLICIES, REPLICATION_GROUP_ID, REPLICATION_GROUP_ID_MAX,
                                          VALKEY_PARAMETERS, WINDOW_MINUTES_MIN)
from officeless.config.ec2 import PRIVATE_RANGES
from officeless.config.types import Cidr, Model, Name, RetentionDays, clip, matching, one_of
from officeless.errors import FieldError

# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html
ENGINE_VERSIONS = ("7.2", "8.0", "8.1")
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_HHMM = r"([01]\d|2[0-3]):[0-5]\d"


def _check_node_type(value: str) -> str:
    if value not in CACHE_NODE_TYPES:
        families = sorted({t.split(".")[1] for t in CACHE_NODE_TYPES})
        raise ValueError(f"{clip(value)!r} is not an ElastiCache node type; allowed: cache.<family>.<size> for families "
                         f"{', '.join(families)} (sizes in officeless/config/aws_limits.py), e.g. cache.r7g.large")
    return value


NodeType = Annotated[StrictStr, AfterValidator(_check_node_type)]
ReplicationGroupId = Annotated[Name, matching(
    REPLICATION_GROUP_ID.pattern,
    f"an ElastiCache replication group id; allowed: 1-{REPLICATION_GROUP_ID_MAX} lowercase letters, digits and '-', a "
    "letter first, no '--' and no '-' at the end",
)]
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _weekly(day: str, hhmm: str) -> int:
    return _DAYS.index(day) * 1440 + _minutes(hhmm)


_WEEK = 7 * 1440


def _on_week(start: int, minutes: int) -> list[tuple[int, int]]:
    """``minutes`` from ``start`` (minutes into the week), as one or two intervals within the week."""
    start %= _WEEK
    end = start + minutes
    return [(start, end)] if end <= _WEEK else [(start, _WEEK), (0, end - _WEEK)]


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b)


MaintenanceWindow = Annotated[StrictStr, matching(
    f"{_DAY}:{_HHMM}-{_DAY}:{_HHMM}", "a maintenance window; expected ddd:hh:mm-ddd:hh:mm (UTC), e.g. sun:05:00-sun:06:00",
)]
SnapshotWindow = Annotated[StrictStr, matching(
    f"{_HHMM}-{_HHMM}", "a snapshot window; expected hh:mm-hh:mm (UTC), e.g. 03:00-04:00",
)]


class ValkeyConfig(Model):
    name: ReplicationGroupId  # replication group id, e.g. production-valkey
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
    # Terraform refuses to destroy or replace the replication group and its KMS key
    # (lifecycle.prevent_destroy), and a destroy takes a final snapshot <name>-final first. Lift it
    # deliberately before a teardown (README "Data protection"). Default on; dev and local turn it
    # off.
    prevent_destroy: StrictBool = True
    # Bump to rotate the AUTH token: a new one is generated into the secret, and the
    # replication group rotates to it (auth_token_update_strategy ROTATE keeps the old one valid
    # until clients reconnect). Default 1.
    auth_token_version: Annotated[StrictInt, Field(ge=1)] = 1

    @property
    def parameter_group_family(self) -> str:
        return f"valkey{self.engine_version.split('.')[0]}"

    @model_validator(mode="after")
    def _aws_rules(self) -> "ValkeyConfig":
        if len(self.name) > REPLICATION_GROUP_ID_MAX:
            raise FieldError("name", f"{self.name!r} has {len(self.name)} characters; allowed: at most {REPLICATION_GROUP_ID_MAX} "
                                     "(ElastiCache replication group ids)")
        for key, value in self.parameters.items():
            if key not in VALKEY_PARAMETERS:
                raise FieldError(f"parameters.{key}", "not a Valkey parameter ElastiCache lets a parameter group set; allowed: "
                                                      "VALKEY_PARAMETERS in officeless/config/aws_limits.py, e.g. "
                                                      "maxmemory-policy, maxmemory-samples, timeout")
            if key == "maxmemory-policy" and value not in MAXMEMORY_POLICIES:
                raise FieldError(f"parameters.{key}", f"{value!r} is not an eviction policy; allowed: {', '.join(MAXMEMORY_POLICIES)}")
        snap_start, snap_end = (_minutes(t) for t in self.snapshot_window.split("-"))
        m_start, m_end = (_weekly(*t.split(":", 1)) for t in self.maintenance_window.split("-"))
        snapshot_minutes = (snap_end - snap_start) % 1440
        maintenance_minutes = (m_end - m_start) % _WEEK
        if snapshot_minutes < WINDOW_MINUTES_MIN:
            raise FieldError("snapshot_window", f"{self.snapshot_window!r} lasts {snapshot_minutes} minutes; allowed: at least "
                                                f"{WINDOW_MINUTES_MIN}")
        if maintenance_minutes < WINDOW_MINUTES_MIN:
            raise FieldError("maintenance_window", f"{self.maintenance_window!r} lasts {maintenance_minutes} minutes; allowed: "
                                                   f"at least {WINDOW_MINUTES_MIN}")
        daily = [iv for day in range(7) for iv in _on_week(day * 1440 + snap_start, snapshot_minutes)]
        if _overlap(daily, _on_week(m_start, maintenance_minutes)):
            raise FieldError("snapshot_window", f"{self.snapshot_window!r} overlaps the maintenance window "
                                                f"{self.maintenance_window!r}; allowed: a daily window outside it")
        for i, cidr in enumerate(self.extra_allowed_cidrs):
            if not any(ipaddress.IPv4Network(cidr).subnet_of(n) for n in PRIVATE_RANGES):
                raise FieldError(f"extra_allowed_cidrs[{i}]", f"{cidr!r} is not a private range; the cache stays private: "
                                                              "allowed: CIDRs within 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10")
        return self

    @model_validator(mode="after")
    def _failover(self) -> "ValkeyConfig":
        if self.automatic_failover and self.num_cache_clusters < 2:
            raise FieldError("num_cache_clusters", f"{self.num_cache_clusters} node(s) with automatic_failover on; allowed: at least 2 (a primary and a replica)")
        if self.multi_az and not self.automatic_failover:
            raise FieldError("multi_az", "true needs automatic_failover: true")
        return self
