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

# Go's garbage collector at its default target (GOGC=100) runs often in the AWS provider, which
# builds the schemas of ~1,500 resource types in every process (three per plan or apply). 400 lets
# the heap grow to five times the live set before a collection: ~150 MB more per process, for about
# a fifth less CPU per `terraform validate` on the 2-core machine (`python bench/terraform.py`: CPU
# 0.81, wall 0.92 of GOGC=100) and about 0.7 on a hand-timed plan. It changes when memory is
# reclaimed, nothing else.
TERRAFORM_GOGC = "400"


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


def terraform_environment(cli_config: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the tests and the rehearsal run Terraform in: ``base`` (default: this
    process's) with the CLI config, no prompts or version checks, and ``TERRAFORM_GOGC``."""
    return {**(os.environ if base is None else base), "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1", "GOGC": TERRAFORM_GOGC}


def main(argv: list[str] | None = None) -> int:
    """``python -m officeless.terraform_cli PATH``: write a CLI config using $TF_PLUGIN_MIRROR_DIR."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m officeless.terraform_cli PATH   (then: export TF_CLI_CONFIG_FILE=PATH)", file=sys.stderr)
        return 2
    if not os.environ.get(TF_PLUGIN_MIRROR_DIR):
        print(f"error: {TF_PLUGIN_MIRROR_DIR} is not set; set it to the folder holding registry.terraform.io/", file=sys.stderr)
        return 2
    path = write_cli_config(Path(args[0]).absolute())
    print(f"wrote {path}; export TF_CLI_CONFIG_FILE={path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
