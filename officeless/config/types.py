"""Validated scalar types shared by every config section.

We use pydantic (v2) rather than dataclasses because it gives, for free, strict types
(YAML's ``1`` is not silently a tag string), unknown-key rejection (``extra="forbid"``)
and a machine-readable location for every error, which the loader turns into the
one-line ``file: field.path: message`` the CLI prints.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Sequence

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr


class Model(BaseModel):
    """Base of every config section: frozen, strict, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


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


def matching(pattern: str, what: str) -> AfterValidator:
    """Accept a string only if all of it matches ``pattern``; else "'value' is not <what>".

    ``fullmatch``, not ``^...$``: ``$`` also matches before a trailing newline, which a YAML
    block scalar can leave behind.
    """
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


def one_of(allowed: Sequence[object], what: str) -> AfterValidator:
    """Accept only a value listed in ``allowed``; else "'value' is not <what>; allowed: a, b, ..."."""

    def check(value: object) -> object:
        if value not in allowed:
            raise ValueError(f"{value!r} is not {what}; allowed: {', '.join(str(a) for a in allowed)}")
        return value

    return AfterValidator(check)


Cidr = Annotated[StrictStr, AfterValidator(check_cidr)]
Region = Annotated[StrictStr, matching(
    r"(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d",
    "an AWS region name; expected e.g. us-east-1",
)]
Name = Annotated[StrictStr, matching(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
    "a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit",
)]


def _check_tags(value: dict[str, str]) -> dict[str, str]:
    for key in value:
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            raise ValueError(f"tag key {key!r} is not allowed; keys are 1-128 characters and may not start with 'aws:'")
    return value


Tags = Annotated[dict[StrictStr, StrictStr], AfterValidator(_check_tags)]

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
RetentionDays = Annotated[int, one_of(LOG_RETENTION_DAYS, "a CloudWatch Logs retention period")]

PositiveInt = Annotated[int, Field(gt=0)]
