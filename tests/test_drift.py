"""``make drift`` (issue #33, item 3) without an emulator: what it runs and how it reads Terraform's
answer, through a stand-in ``terraform`` on the PATH. The rehearsal proves it against moto (a tag
changed out of band: tests/test_rehearsal.py, step 5b)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

DRIFT = {"@level": "info", "@message": "aws_vpc.vpc_1: Plan to update", "type": "planned_change",
         "change": {"resource": {"addr": "aws_vpc.vpc_1"}, "action": "update"}}
# Refresh noise: an attribute nobody manages moved (not a change the plan would make back).
NOISE = {"@level": "info", "@message": "aws_route_table.rt: Drift detected (update)", "type": "resource_drift",
         "change": {"resource": {"addr": "aws_route_table.rt"}, "action": "update"}}
ERROR = {"@level": "error", "@message": "Error: reading EC2 VPC: AccessDenied", "type": "diagnostic"}


def fake_output(tmp_path: Path, answers: dict[str, tuple[int, list[dict]]]) -> tuple[Path, dict[str, str]]:
    """cdktf.out with three stacks (01-vpc, 02-eks initialised, 03-s3 not) and a terraform that answers
    per stack folder, logging its arguments."""
    out = tmp_path / "cdktf.out"
    manifest = {"stacks": {"01-vpc": {"dependencies": []}, "02-eks": {"dependencies": ["01-vpc"]},
                           "03-s3": {"dependencies": []}}}
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps(manifest))
    for stack in manifest["stacks"]:
        (out / "stacks" / stack).mkdir(parents=True)
        if stack != "03-s3":
            (out / "stacks" / stack / ".terraform").mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "terraform"
    script.write_text("#!/usr/bin/env python3\nimport json, os, sys\n"
                      f"answers = {json.dumps(answers)}\n"
                      "stack = os.path.basename(os.getcwd())\n"
                      "open(os.environ['TF_LOG_ARGS'], 'a').write(stack + ' ' + ' '.join(sys.argv[1:]) + '\\n')\n"
                      "code, lines = answers[stack]\n"
                      "print('\\n'.join(json.dumps(l) for l in lines))\n"
                      "sys.exit(code)\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TF_LOG_ARGS": str(tmp_path / "args.log")}
    return out, env


def run(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "officeless.drift", "--out", str(out)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_drift_names_the_stack_and_the_resource_and_exits_2(tmp_path):
    out, env = fake_output(tmp_path, {"01-vpc": (2, [NOISE, DRIFT]), "02-eks": (0, [NOISE])})
    result = run(out, env)
    assert result.returncode == 2, result.stderr
    assert result.stdout.splitlines() == ["01-vpc: aws_vpc.vpc_1 (update)", "02-eks: no drift"]
    # Read-only and lock-free, in deploy order, only what is initialised here.
    assert (tmp_path / "args.log").read_text().splitlines() == [
        f"{s} plan -detailed-exitcode -input=false -lock=false -json -no-color" for s in ("01-vpc", "02-eks")]


def test_no_drift_exits_0(tmp_path):
    out, env = fake_output(tmp_path, {"01-vpc": (0, []), "02-eks": (0, [])})
    assert run(out, env).returncode == 0


def test_a_failed_plan_is_named_and_exits_1(tmp_path):
    out, env = fake_output(tmp_path, {"01-vpc": (0, []), "02-eks": (1, [ERROR])})
    result = run(out, env)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: 02-eks: terraform plan failed: Error: reading EC2 VPC: AccessDenied"
