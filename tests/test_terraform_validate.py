"""`terraform validate` of every stack that needs only the AWS provider (mirrored locally).

Stacks with helm/kubernetes providers cannot be initialised here (no binaries) and are
covered by JSON assertions instead.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from officeless.terraform_cli import write_cli_config
from tests.conftest import ENVIRONMENTS

AWS_ONLY_STACKS = ["00-state", "01-vpc", "02-eks", "03-s3", "04-ec2", "07-valkey", "09-backup", "10-ecr"]

# Warnings accepted, as (summary, text the detail contains), each with its reason:
KNOWN_WARNINGS = [
    # Terraform >= 1.11 deprecates DynamoDB locking for S3 state in favour of use_lockfile.
    # The platform keeps the DynamoDB table (issue #2; use_lockfile may be added beside it),
    # and cdktf copies the backend settings into each cross-stack terraform_remote_state.
    ("Deprecated Parameter", 'The parameter "dynamodb_table" is deprecated'),
]


def test_aws_only_stacks_are_the_ones_without_other_providers(synthesized):
    for synth in synthesized.values():
        aws_only = [n for n in synth.stack_names() if set(synth.stack(n).data["terraform"]["required_providers"]) == {"aws"}]
        assert aws_only == AWS_ONLY_STACKS
        # the rest is checked by JSON assertions (tests/test_helm_stack.py, test_access_stack.py, test_platform_stack.py)
        assert sorted(set(synth.stack_names()) - set(aws_only)) == ["05-helm", "06-access", "08-platform"]


def init_and_validate(workdir, env) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess | None]:
    init = subprocess.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=300)
    if init.returncode != 0:
        return init, None
    return init, subprocess.run(["terraform", "validate", "-json", "-no-color"], cwd=workdir, env=env, capture_output=True,
                                text=True, timeout=300)


@pytest.fixture(scope="session")
def validations(synthesized, terraform_env):
    """init + validate of every (environment, stack), as many at once as there are cores (each
    spends its time starting the AWS provider; they share nothing but the read-only mirror)."""
    pairs = [(e, s) for e in ENVIRONMENTS for s in AWS_ONLY_STACKS]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {pair: pool.submit(init_and_validate, synthesized[pair[0]].outdir / "stacks" / pair[1], terraform_env)
                   for pair in pairs}
    return {pair: future.result() for pair, future in futures.items()}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("stack", AWS_ONLY_STACKS)
def test_terraform_validate(validations, environment, stack):
    init, validate = validations[(environment, stack)]
    assert init.returncode == 0, init.stdout + init.stderr
    report = json.loads(validate.stdout)
    assert validate.returncode == 0 and report["valid"] is True, validate.stdout + validate.stderr
    assert report["error_count"] == 0
    unexpected = [
        d for d in report["diagnostics"]
        if not any(d["summary"] == summary and text in d["detail"] for summary, text in KNOWN_WARNINGS)
    ]
    assert unexpected == []


def test_cli_config_installs_only_from_the_mirror(tmp_path):
    path = write_cli_config(tmp_path / "cli.tfrc", plugin_cache_dir=tmp_path / "cache", mirror_dir="/mirror/root")
    text = path.read_text()
    assert 'path    = "/mirror/root"' in text
    assert "direct" not in text  # nothing may come from the registry
    assert f'plugin_cache_dir = "{tmp_path / "cache"}"' in text


def test_cli_config_command_needs_the_mirror_variable(tmp_path, monkeypatch):
    from officeless.terraform_cli import main

    monkeypatch.delenv("TF_PLUGIN_MIRROR_DIR", raising=False)
    assert main([str(tmp_path / "rc")]) == 2
    monkeypatch.setenv("TF_PLUGIN_MIRROR_DIR", "/mirror/root")
    assert main([str(tmp_path / "rc")]) == 0
    assert "/mirror/root" in (tmp_path / "rc").read_text()
