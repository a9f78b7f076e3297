"""Validated scalar types shared by every config section.

We use pydantic (v2) rather than dataclasses because it gives, for free, strict types
(YAML's ``1`` is not silently a tag string), unknown-key rejection (``extra="forbid"``)
and a machine-readable location for every error, which the loader turns into the
one-line ``file: field.path: message`` the CLI prints.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, ClassVar, Sequence

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, model_validator

from officeless.config.aws_limits import REGIONS, TAG_VALUE_MAX, TAGS_MAX, VPC_PREFIX_RANGE
from officeless.errors import FieldError


class Model(BaseModel):
    """Base of every config section: frozen, strict, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Described(str):
    """A stand-in for a value too long to quote: shown by ``!r`` without quotes."""

    def __repr__(self) -> str:
        return str(self)


def clip(value: object, limit: int = 80) -> object:
    """``value`` for an error line: strings longer than ``limit`` cut, with how much was left out;
    lists and mappings whose text is longer replaced by what they are and their size."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}... ({len(value)} characters)"
    if isinstance(value, (list, tuple, dict)) and len(repr(value)) > limit:
        return _Described(f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)} items")
    return value


def check_cidr(value: str, allowed: str = "expected network/prefix with host bits zero, e.g. 10.1.0.0/16") -> str:
    """``value`` if it is a canonical IPv4 CIDR block; else ValueError ending with ``allowed``."""
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid IPv4 CIDR block ({exc}); {allowed}") from None
    if str(net) != value:
        # e.g. "10.1.0.0/016": parseable but not canonical; keep the JSON readable.
        raise ValueError(f"{value!r} is not in canonical form; write {str(net)!r}")
    return value


def not_a_yaml_number(example: str):
    """A before-validator refusing numbers: YAML reads 1.30 as the float 1.3, so never guess."""

    def check(value: object) -> object:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f"{value!r} was read as a number; {example}")
        return value

    return check


def check_prefix(value: str) -> str:
    """A VPC or subnet block AWS accepts: between /16 and /28."""
    low, high = VPC_PREFIX_RANGE
    prefix = int(value.split("/")[1])
    if not low <= prefix <= high:
        raise ValueError(f"{value!r} is a /{prefix}; allowed: /{low} to /{high} (AWS's VPC and subnet sizes)")
    return value


VpcBlock = Annotated[StrictStr, AfterValidator(check_cidr), AfterValidator(check_prefix)]


def matching(pattern: str, what: str) -> AfterValidator:
    """Accept a string only if all of it matches ``pattern``; else "'value' is not <what>".

    ``fullmatch``, not ``^...$``: ``$`` also matches before a trailing newline, which a YAML
    block scalar can leave behind.
    """
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{clip(value)!r} is not {what}")
        return value

    return AfterValidator(check)


def is_production_environment(environment: str) -> bool:
    """Production by name (production, prod, prod-eu ...): where the strictest rules apply."""
    return environment == "production" or environment.startswith("prod")


class TargetRoot(Model):
    """The root of a target other than AWS (an existing cluster, GCP, Azure): it refuses the
    top-level ``foreign_sections`` other targets have, naming the first one found, saying
    ``foreign_why`` it is not this target's, and listing the sections this model has."""

    foreign_sections: ClassVar[tuple[str, ...]] = ()
    foreign_why: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _no_foreign_sections(cls, data: Any) -> Any:
        for key in cls.foreign_sections:
            if isinstance(data, dict) and key in data:
                raise FieldError(key, f"{cls.foreign_why}, so it has no {key}; allowed: {', '.join(cls.model_fields)}")
        return data


def one_of(allowed: Sequence[object], what: str) -> AfterValidator:
    """Accept only a value listed in ``allowed``; else "'value' is not <what>; allowed: a, b, ..."."""

    def check(value: object) -> object:
        if value not in allowed:
            raise ValueError(f"{clip(value)!r} is not {what}; allowed: {', '.join(str(a) for a in allowed)}")
        return value

    return AfterValidator(check)


Cidr = Annotated[StrictStr, AfterValidator(check_cidr)]


def _check_region(value: str) -> str:
    if value not in REGIONS:
        # Suggest the regions of the same geography; all of them would not fit one line.
        near = [r for r in REGIONS if r.split("-")[0] == value.split("-")[0]] or ["us-east-1", "eu-west-1", "ap-southeast-1"]
        raise ValueError(f"{clip(value)!r} is not an AWS region; allowed: one of the {len(REGIONS)} regions in "
                         f"officeless/config/aws_limits.py, e.g. {', '.join(near)}")
    return value


Region = Annotated[StrictStr, AfterValidator(_check_region)]

# A DNS name of letters, digits and '-' labels (RFC 1123), without scheme, port or path.
Hostname = Annotated[StrictStr, matching(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?",
                                         "a DNS host name; allowed: lowercase labels of letters, digits and '-' separated "
                                         "by dots, e.g. argocd.internal.example.com (no scheme, port or path)")]

# Kubernetes label keys and values:
# https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
_LABEL_NAME = r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?"
LabelKey = Annotated[StrictStr, matching(rf"([a-z0-9]([a-z0-9.-]{{0,251}}[a-z0-9])?/)?{_LABEL_NAME}",
                                         "a Kubernetes label key; allowed: an optional DNS prefix and '/', then 1-63 "
                                         "letters, digits, '-', '_' or '.', starting and ending with a letter or digit")]
# Not empty: EKS node group labels take values of 1-63 characters
# (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html, labels).
LabelValue = Annotated[StrictStr, matching(_LABEL_NAME, "a Kubernetes label value; allowed: 1-63 letters, digits, '-', "
                                           "'_' or '.', starting and ending with a letter or digit")]


def _check_cidr_or_vpc(value: str) -> str:
    return value if value == "vpc" else check_cidr(value, "allowed: a CIDR like 203.0.113.0/24, or 'vpc'")


# A CIDR, or "vpc" (the VPC's CIDR, read from 01-vpc): one type, so an error names the field alone.
CidrOrVpc = Annotated[StrictStr, AfterValidator(_check_cidr_or_vpc)]

# Free text that names something (a Name tag, a pattern): not empty, within a tag value's 256 characters.
Text = Annotated[StrictStr, Field(min_length=1, max_length=TAG_VALUE_MAX)]
Name = Annotated[StrictStr, matching(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
    "a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit",
)]


# AWS allows 50 tags per resource; the stacks add up to 4 of their own to some (a private subnet:
# Name, kubernetes.io/role/internal-elb, kubernetes.io/cluster/<name>, karpenter.sh/discovery).
CONFIG_TAGS_MAX = TAGS_MAX - 4


def _check_tags(value: dict[str, str]) -> dict[str, str]:
    if len(value) > CONFIG_TAGS_MAX:
        raise ValueError(f"{len(value)} tags; allowed: at most {CONFIG_TAGS_MAX} (AWS allows {TAGS_MAX} per resource and "
                         "the stacks add up to 4 of their own)")
    for key, tag in value.items():
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            raise ValueError(f"tag key {clip(key)!r} is not allowed; keys are 1-128 characters and may not start with 'aws:'")
        if len(tag) > TAG_VALUE_MAX:
            raise ValueError(f"the value of tag {key!r} has {len(tag)} characters; allowed: at most {TAG_VALUE_MAX}")
    return value


Tags = Annotated[dict[StrictStr, StrictStr], AfterValidator(_check_tags)]

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
RetentionDays = Annotated[int, one_of(LOG_RETENTION_DAYS, "a CloudWatch Logs retention period")]

PositiveInt = Annotated[int, Field(gt=0)]


# Each node's share of the pod range: a /24 on GKE (110 pods a node) and on AKS's CNI Overlay (250).
POD_RANGE_PER_NODE = 256


def check_room_for_nodes(*, nodes_field: str, nodes_cidr: str, reserved: int, pods_field: str, pods_cidr: str,
                         max_nodes: int, per_node: str) -> None:
    """A cluster network's ranges hold ``max_nodes`` nodes (their subnet, less the addresses the cloud
    keeps) and a /24 of pods for each (GKE's and AKS CNI Overlay's allocation): one line naming the
    field otherwise. ``per_node``: how the cloud sizes a node's pods, for the message."""
    usable = ipaddress.ip_network(nodes_cidr).num_addresses - reserved
    if usable < max_nodes:
        raise FieldError(nodes_field, f"{nodes_cidr!r} has {usable} usable addresses for network.max_nodes {max_nodes} "
                                      "nodes; allowed: a larger range, or fewer nodes")
    need, held = max_nodes * POD_RANGE_PER_NODE, ipaddress.ip_network(pods_cidr).num_addresses
    if held < need:
        raise FieldError(pods_field, f"{pods_cidr!r} holds {held // POD_RANGE_PER_NODE} nodes' pod ranges ({per_node}); network.max_nodes "
                                     f"is {max_nodes}; allowed: a /{32 - (need - 1).bit_length()} or larger, or fewer nodes")


def check_pool_size(*, field: str, value: str, table, what: str, where: str, min_nodes: int, max_nodes: int) -> None:
    """A managed cluster's node pool (GKE, AKS): its machine in the cloud's ``table`` (``what`` names it,
    ``where`` is the module holding it) and no more minimum than maximum nodes; one line otherwise."""
    if value not in table:
        raise FieldError(field, f"{clip(value)!r} is not in the {what} table; allowed: {', '.join(table)} ({where})")
    if min_nodes > max_nodes:
        raise FieldError("min_nodes", f"{min_nodes} is more than max_nodes {max_nodes}; allowed: at most max_nodes")


def check_pools(pools: dict, *, system_pool: str, field: str, max_nodes: int) -> None:
    """A managed cluster's node pools: exactly one system pool (``system_pool`` says what it is), and
    their ``max_nodes`` within the ``network.max_nodes`` the ranges are sized for (``field`` names them)."""
    system = [name for name, pool in pools.items() if pool.system]
    if len(system) != 1:
        raise FieldError(field, f"{len(system)} pools have system: true ({', '.join(system) or 'none'}); allowed: exactly "
                                f"one, {system_pool}")
    most = sum(pool.max_nodes for pool in pools.values())
    if most > max_nodes:
        raise FieldError(field, f"the pools' max_nodes add up to {most}, more than network.max_nodes {max_nodes} the ranges "
                                "are sized for; allowed: at most that, or raise network.max_nodes")
