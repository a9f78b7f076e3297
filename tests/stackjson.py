"""Read-only helpers over one synthesized cdk.tf.json, for property assertions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class StackJson:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text()
        self.data: dict[str, Any] = json.loads(self.text)

    def resources(self, type_: str) -> dict[str, dict]:
        return self.data.get("resource", {}).get(type_, {})

    def data_sources(self, type_: str) -> dict[str, dict]:
        return self.data.get("data", {}).get(type_, {})

    def one(self, type_: str) -> tuple[str, dict]:
        found = self.resources(type_)
        assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
        return next(iter(found.items()))

    def by_name_tag(self, type_: str) -> dict[str, tuple[str, dict]]:
        """Name tag -> (logical name, body) for every resource of ``type_``."""
        out = {}
        for logical, body in self.resources(type_).items():
            name = body.get("tags", {}).get("Name")
            assert name not in out, f"two {type_} named {name}"
            out[name] = (logical, body)
        return out

    @staticmethod
    def ref(type_: str, logical: str, attr: str = "id") -> str:
        return "${%s.%s.%s}" % (type_, logical, attr)

    @property
    def outputs(self) -> dict[str, dict]:
        """The stack's declared outputs (not the ones cdktf adds for cross-stack references)."""
        return {k: v for k, v in self.data.get("output", {}).items() if not k.startswith("cross-stack-output-")}

    @property
    def backend(self) -> dict[str, Any]:
        return self.data["terraform"]["backend"]
