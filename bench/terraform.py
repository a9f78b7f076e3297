#!/usr/bin/env python3
"""CPU of one `terraform validate` with Go's collector at its default (GOGC=100) and at the value
the tests and the rehearsal run Terraform with (officeless/terraform_cli.py TERRAFORM_GOGC).

Most of a terraform command's CPU is the AWS provider starting and building its schemas, the
same for a stack of 10 resources or 60, and Go's garbage collector takes a good part of it. The
command runs on one synthesized stack (production 01-vpc) with the provider from the local mirror
($TF_PLUGIN_MIRROR_DIR); runs of the two settings are interleaved so machine noise hits both
alike; CPU is user + system time of terraform and the provider processes, medians of this run.

    TF_PLUGIN_MIRROR_DIR=... pipenv run python bench/terraform.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from officeless.terraform_cli import TERRAFORM_GOGC, terraform_environment, write_cli_config  # noqa: E402


def run_once(workdir: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(["terraform", "validate", "-no-color"], cwd=workdir, env=env, capture_output=True, text=True,
                            timeout=300)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"terraform validate failed:\n{result.stdout}{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each setting (default 5)")
    args = parser.parse_args()
    if not os.environ.get("TF_PLUGIN_MIRROR_DIR"):
        print("TF_PLUGIN_MIRROR_DIR is not set (scripts/find-provider-mirror finds one)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="officeless-bench-tf-") as tmp:
        outdir = Path(tmp) / "out"
        synth = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, "OFFICELESS_ENV": "production", "CDKTF_OUTDIR": str(outdir)})
        if synth.returncode != 0:
            raise SystemExit(synth.stderr)
        workdir = outdir / "stacks" / "01-vpc"
        env = terraform_environment(write_cli_config(Path(tmp) / "cli.tfrc"))
        subprocess.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=workdir, env=env,
                       capture_output=True, check=True, timeout=300)
        settings = {"100": {**env, "GOGC": "100"}, TERRAFORM_GOGC: env}
        measured: dict[str, list[tuple[float, float]]] = {name: [] for name in settings}
        for _ in range(args.runs):
            for name, setting in settings.items():
                measured[name].append(run_once(workdir, setting))
    print(f"terraform validate of production 01-vpc, {args.runs} interleaved runs per setting, {os.cpu_count()} CPUs")
    medians = {}
    for name, runs in measured.items():
        medians[name] = (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        print(f"GOGC={name:<4} wall {medians[name][0]:6.2f} s   CPU {medians[name][1]:6.2f} s")
    print(f"ratio GOGC={TERRAFORM_GOGC} / GOGC=100 (medians): wall {medians[TERRAFORM_GOGC][0] / medians['100'][0]:.2f}, "
          f"CPU {medians[TERRAFORM_GOGC][1] / medians['100'][1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
