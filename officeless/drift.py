"""``make drift ENV=<env>``: which deployed stacks drifted from their state, and which resources
(issue #33, item 3).

    python -m officeless.drift [--out cdktf.out] [--json]

Every stack of the synthesized output that has been initialised here (its ``.terraform/``), in
deploy order (``manifest.json``), gets a read-only plan: ``terraform plan`` without a lock, which
reads the real resources and changes nothing, neither them nor the state. Run it with the plan
identity where Terraform Cloud is the backend (README "Terraform Cloud"), from the commit that was
deployed. A drifted resource is one the plan would change back (a ``planned_change`` in Terraform's
JSON output). Not ``-refresh-only``: its ``resource_drift`` also lists attributes nobody manages
that moved as designed (a route table's routes after the S3 endpoint added one, seen in the
rehearsal), which would bury the real drift. Exit 0 when nothing drifted, 2 when something did, 1
when a plan failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from officeless.graph import dependencies, deploy_order


@dataclass(frozen=True)
class Drift:
    stack: str
    address: str
    action: str  # what the plan would do: update, create (gone outside Terraform), delete, replace


def plan_drift(stack: str, stack_dir: Path, *, env: Mapping[str, str] | None = None, targets: Sequence[str] = (),
               timeout: int = 900) -> list[Drift]:
    """The resources of ``stack`` a plan would change back (read-only, no lock). ``targets``: -target
    addresses, for a partly deployed stack. Raises RuntimeError when the plan fails."""
    result = subprocess.run(["terraform", "plan", "-detailed-exitcode", "-input=false", "-lock=false", "-json",
                             "-no-color", *(f"-target={t}" for t in targets)],
                            cwd=stack_dir, env=dict(env) if env is not None else None, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode not in (0, 2):  # -detailed-exitcode: 2 = the plan has changes
        errors = [json.loads(line).get("@message", "") for line in result.stdout.splitlines()
                  if line.startswith("{") and json.loads(line).get("@level") == "error"]
        raise RuntimeError(f"{stack}: terraform plan failed: {'; '.join(errors) or result.stderr[-500:]}")
    out = []
    for line in result.stdout.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message.get("type") == "planned_change":
            change = message["change"]
            out.append(Drift(stack, change["resource"]["addr"], change["action"]))
    return out


def deployed_stacks(outdir: Path) -> list[str]:
    """The stacks of ``outdir`` initialised here (``.terraform/``), in deploy order."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    return [s for s in deploy_order(dependencies(manifest)) if (outdir / "stacks" / s / ".terraform").is_dir()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.environ.get("CDKTF_OUTDIR") or "cdktf.out", help="the synthesized output")
    parser.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    args = parser.parse_args(argv)
    outdir = Path(args.out)
    if not (outdir / "manifest.json").is_file():
        print(f"error: {outdir}/manifest.json not found; synthesize first (make synth ENV=...)", file=sys.stderr)
        return 1
    stacks = deployed_stacks(outdir)
    if not stacks:
        print(f"error: no stack of {outdir} is initialised here (terraform init, or cdktf deploy, first)", file=sys.stderr)
        return 1
    found: list[Drift] = []
    failed = []
    for stack in stacks:
        try:
            drifted = plan_drift(stack, outdir / "stacks" / stack)
        except RuntimeError as exc:
            failed.append(str(exc))
            print(f"error: {exc}", file=sys.stderr)
            continue
        found += drifted
        if not args.json:
            print(f"{stack}: " + (", ".join(f"{d.address} ({d.action})" for d in drifted) if drifted else "no drift"))
    if args.json:
        print(json.dumps({"stacks": stacks, "drift": [d.__dict__ for d in found], "failed": failed}, indent=1))
    return 1 if failed else 2 if found else 0


if __name__ == "__main__":
    sys.exit(main())
