"""Kubernetes resource quantities in config: CPU ("100m", "0.5", "2") and memory ("256Mi", "1Gi")."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_CPU = re.compile(r"(\d+)m|(\d+(?:\.\d+)?)")
_MEMORY = re.compile(r"(\d+)(Mi|Gi)")


def parse_cpu(value: object) -> int:
    """Millicores from "250m", "0.5" or "2"; ValueError otherwise."""
    text = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    match = _CPU.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a CPU quantity; expected millicores like '250m' or cores like '0.5'")
    millicores = int(match.group(1)) if match.group(1) else round(float(match.group(2)) * 1000)
    if millicores <= 0:
        raise ValueError(f"{value!r} is not a CPU quantity above zero")
    return millicores


def parse_memory(value: object) -> int:
    """MiB from "256Mi" or "2Gi"; ValueError otherwise."""
    match = _MEMORY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a memory quantity; expected MiB or GiB like '256Mi' or '2Gi'")
    mib = int(match.group(1)) * (1024 if match.group(2) == "Gi" else 1)
    if mib <= 0:
        raise ValueError(f"{value!r} is not a memory quantity above zero")
    return mib


# Parsed at the edge: the rest of the code sees millicores and MiB as ints.
Cpu = Annotated[int, BeforeValidator(parse_cpu)]
Memory = Annotated[int, BeforeValidator(parse_memory)]
