"""Running Terraform on a machine without registry access.

``TF_PLUGIN_MIRROR_DIR`` names a filesystem provider mirror (the unpacked
``registry.terraform.io/<ns>/<type>/<version>/<os_arch>/`` layout). When it is set, the
generated CLI config installs providers only from there; when it is not, Terraform uses
the registry as usual. The path is never written into code: CI finds the mirror on disk
(scripts/find-provider-mirror) and exports the variable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from officeless.envvars import TF_PLUGIN_MIRROR_DIR


def write_cli_config(path: Path, *, plugin_cache_dir: Path | None = None, mirror_dir: str | None = None) -> Path:
    """Write a Terraform CLI config file (for ``TF_CLI_CONFIG_FILE``) and return its path."""
    mirror_dir = mirror_dir if mirror_dir is not None else os.environ.get(TF_PLUGIN_MIRROR_DIR)
    lines = []
    if plugin_cache_dir is not None:
        plugin_cache_dir.mkdir(parents=True, exist_ok=True)
        # Shared between working directories: each init links the provider, not a 700 MB copy.
        lines.append(f"plugin_cache_dir = {json.dumps(str(plugin_cache_dir))}")
    if mirror_dir:
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f"    path    = {json.dumps(mirror_dir)}",
            '    include = ["registry.terraform.io/*/*"]',
            "  }",
            "}",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path
