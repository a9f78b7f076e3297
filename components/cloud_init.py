"""Rendering the cloud-init templates in templates/ with ``{{ name }}`` placeholders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def render(template: str, values: Mapping[str, object]) -> str:
    """Fill every placeholder of ``templates/<template>``; a missing or unused value is an error."""
    text = (TEMPLATES / template).read_text()
    names = set(_PLACEHOLDER.findall(text))
    missing, unused = names - set(values), set(values) - names
    if missing or unused:
        raise ValueError(f"{template}: missing values {sorted(missing)}, unused values {sorted(unused)}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)
