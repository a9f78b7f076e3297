"""Secrets Manager name prefixes: who may read what (the stores of 08-platform, the readers of 05-helm).

A prefix is written ``<prefix>/*``, as in the roles' ARN patterns: a non-empty name stem ending in
``/``, then the only wildcard. Two prefixes overlap when one's stem starts the other's (``a/*`` and
``a/b/*`` share ``a/b/x``; ``a/b/*`` and ``a/bc/*`` share nothing).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StrictStr

from officeless.config.types import clip, matching


def _check_prefix(value: str) -> str:
    """``<prefix>/*``: a non-empty prefix without wildcards, then ``/*``."""
    if not value.endswith("/*") or value == "/*":
        raise ValueError(f"{clip(value)!r} is not a secret name prefix; allowed: <prefix>/* with a non-empty prefix, "
                         "e.g. dev/* (a bare * would grant every secret of the account)")
    stem = value[:-2]
    if re.search(r"[*?]", stem):
        raise ValueError(f"{clip(value)!r} has a wildcard before its end; allowed: <prefix>/* with the only wildcard last, "
                         "e.g. dev/*")
    if not re.fullmatch(r"[A-Za-z0-9/_+=.@-]+", stem):
        raise ValueError(f"{clip(value)!r} is not a secret name prefix; allowed: letters, digits and /_+=.@- then /*")
    return value


SecretPrefix = Annotated[StrictStr, AfterValidator(_check_prefix)]
# One secret by its whole name (no wildcard: IAM reads * and ? in resource ARNs as wildcards).
SecretName = Annotated[StrictStr, matching(r"[A-Za-z0-9/_+=.@-]{1,512}", "a Secrets Manager secret name; allowed: 1-512 of "
                                                                       "letters, digits and /_+=.@- (no wildcard)")]


def overlaps(a: str, b: str) -> bool:
    """Whether two ``<prefix>/*`` patterns share a secret name (one's stem starts the other's)."""
    return a[:-1].startswith(b[:-1]) or b[:-1].startswith(a[:-1])


def covers(pattern: str, name: str) -> bool:
    """Whether the ``<prefix>/*`` ``pattern`` matches the secret ``name``."""
    return name.startswith(pattern[:-1])
