"""`terraform validate` of every stack that needs only the AWS provider (mirrored locally).

Stacks with helm/kubernetes providers cannot be initialised here (no binaries) and are
covered by JSON assertions instead.

All of them are validated by one Terraform run (issue #20): a root module calls each stack as a
module. Most of a validate's CPU is the AWS provider starting and building its schemas, the same
for 10 resources or 60, so one run costs about what one stack alone did (16 runs took ~37 s on the
2-core machine, the one run ~7 s). A module is validated as its root would be but for what only a
root may hold, input variables (checked against their callers) and import blocks; the stacks have
neither, which a test asserts. Diagnostics are told apart by the stack directory they point into,
and a canary module, a copy of a stack with one broken reference, proves in the same run that an
error is reported against its own stack and no other.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from officeless.terraform_cli import write_cli_config
from tests.conftest import ENVIRONMENTS

AWS_ONLY_STACKS = ["00-state", "01-vpc", "02-eks", "03-s3", "04-ec2", "07-valkey", "09-backup", "10-ecr"]
# Stacks with Kubernetes-side providers: their AWS half (issue #27: the stores' IRSA roles, the
# validated certificate, the Pod Identity roles) is validated as a module of its own.
MIXED_STACKS = ["05-helm", "08-platform"]
CANARY = "canary"
CANARY_RESOURCE = "not_declared_anywhere"  # an aws_vpc of this name

# Warnings accepted, as (summary, text the detail contains), each with its reason:
KNOWN_WARNINGS = [
    # Terraform >= 1.11 deprecates DynamoDB locking for S3 state in favour of use_lockfile.
    # The platform keeps the DynamoDB table (issue #2; use_lockfile may be added beside it),
    # and cdktf copies the backend settings into each cross-stack terraform_remote_state.
    ("Deprecated Parameter", 'The parameter "dynamodb_table" is deprecated'),
    # This harness: a stack is a module here, and a module's backend block is ignored. Backends are
    # not validated in any case (init -backend=false); the rehearsal initialises them for real.
    ("Backend configuration ignored", "Any selected backend applies to the entire configuration"),
]


def test_aws_only_stacks_are_the_ones_without_other_providers(synthesized):
    for synth in synthesized.values():
        aws_only = [n for n in synth.stack_names() if set(synth.stack(n).data["terraform"]["required_providers"]) == {"aws"}]
        assert aws_only == AWS_ONLY_STACKS
        # the rest is checked by JSON assertions (tests/test_helm_stack.py, test_access_stack.py, test_platform_stack.py)
        assert sorted(set(synth.stack_names()) - set(aws_only)) == ["05-helm", "06-access", "08-platform"]


def aws_half(stack: Path, directory: Path) -> Path:
    """``directory``/cdk.tf.json: ``stack``'s AWS provider, resources and data sources alone (the Helm and
    Kubernetes ones, their providers and the outputs dropped; nothing of AWS refers to them)."""
    data = json.loads((stack / "cdk.tf.json").read_text())
    keep = lambda kind: kind.startswith("aws_") or kind == "terraform_remote_state"  # noqa: E731
    half = {"terraform": {**data["terraform"], "required_providers": {"aws": data["terraform"]["required_providers"]["aws"]}},
            "provider": {"aws": data["provider"]["aws"]},
            "resource": {k: v for k, v in data["resource"].items() if keep(k)},
            "data": {k: v for k, v in data.get("data", {}).items() if keep(k)}}
    directory.mkdir(parents=True)
    (directory / "cdk.tf.json").write_text(json.dumps(half))
    return directory


def module_name(environment: str, stack: str) -> str:
    return f"{environment}_{stack}"


def write_root(root: Path, stacks: dict[str, Path]) -> None:
    """``root``/main.tf.json calling every stack as a module, by a path relative to ``root`` (so
    diagnostics name each stack's own file)."""
    root.mkdir(parents=True, exist_ok=True)
    calls = {name: {"source": os.path.relpath(directory, root)} for name, directory in stacks.items()}
    (root / "main.tf.json").write_text(json.dumps({"module": calls}, indent=1))


def attribute(diagnostics: list[dict], root: Path, stacks: dict[str, Path]) -> dict[str, list[dict]]:
    """Diagnostics by module name (the stack directory they point into); None: no stack's."""
    by_module: dict[str | None, list[dict]] = {name: [] for name in stacks} | {None: []}
    for diagnostic in diagnostics:
        filename = diagnostic.get("range", {}).get("filename")
        owner = None
        if filename:
            path = (root / filename).resolve()
            owner = next((n for n, d in stacks.items() if path.parent == d.resolve()), None)
        by_module[owner].append(diagnostic)
    return by_module


def unexpected(diagnostics: list[dict]) -> list[dict]:
    """All but the accepted warnings: an error is unexpected whatever it says."""
    return [d for d in diagnostics
            if d["severity"] != "warning"
            or not any(d["summary"] == summary and text in d.get("detail", "") for summary, text in KNOWN_WARNINGS)]


@pytest.fixture(scope="session")
def validation(synthesized, cloud, zone, terraform_env, tmp_path_factory):
    """One init + validate of every (environment, stack), the AWS halves of the mixed stacks (the
    zone fixture's too), Terraform Cloud's 00-tfc-iam and the canary (outside the synth root, which
    checkov scans)."""
    base = tmp_path_factory.mktemp("validate")
    stacks = {module_name(e, s): synthesized[e].outdir / "stacks" / s for e in ENVIRONMENTS for s in AWS_ONLY_STACKS}
    for name, synth in [*synthesized.items(), ("zone", zone)]:
        for stack in MIXED_STACKS:
            stacks[module_name(name, f"{stack}-aws")] = aws_half(synth.outdir / "stacks" / stack, base / name / stack)
    stacks[module_name("cloud", "00-tfc-iam")] = cloud.outdir / "stacks" / "00-tfc-iam"
    canary = base / CANARY / "01-vpc"
    canary.mkdir(parents=True)
    vpc = json.loads((stacks[module_name("production", "01-vpc")] / "cdk.tf.json").read_text())
    vpc["output"]["canary"] = {"value": f"${{aws_vpc.{CANARY_RESOURCE}.id}}"}
    (canary / "cdk.tf.json").write_text(json.dumps(vpc))
    stacks[CANARY] = canary
    root = base / "validate"
    write_root(root, stacks)
    init = subprocess.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=root, env=terraform_env,
                          capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stdout[-4000:] + init.stderr[-4000:]
    result = subprocess.run(["terraform", "validate", "-json", "-no-color"], cwd=root, env=terraform_env, capture_output=True,
                            text=True, timeout=300)
    report = json.loads(result.stdout)
    return attribute(report["diagnostics"], root, stacks)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("stack", AWS_ONLY_STACKS)
def test_terraform_validate(validation, environment, stack):
    assert unexpected(validation[module_name(environment, stack)]) == []


@pytest.mark.parametrize("environment", [*ENVIRONMENTS, "zone"])
@pytest.mark.parametrize("stack", MIXED_STACKS)
def test_terraform_validate_the_aws_half(validation, environment, stack):
    assert unexpected(validation[module_name(environment, f"{stack}-aws")]) == []


def test_terraform_cloud_bootstrap_stack_validates(validation):
    assert unexpected(validation[module_name("cloud", "00-tfc-iam")]) == []


def test_every_diagnostic_is_told_to_its_stack_and_the_canary_fails(validation):
    """The harness can fail: the canary's broken reference is an error of the canary alone."""
    assert unexpected(validation[None]) == []
    (error,) = [d for d in validation[CANARY] if d["severity"] == "error"]
    assert error["summary"] == "Reference to undeclared resource"
    assert f'"aws_vpc" "{CANARY_RESOURCE}" has not been declared in module.{CANARY}.' in error["detail"]


def test_no_stack_holds_what_only_a_root_module_may(synthesized, cloud):
    """Validated as modules, stacks would be checked differently only for input variables and import
    blocks (module docstring); a stack that gains one needs its own root validate again."""
    for synth in [*synthesized.values(), cloud]:
        for stack in synth.stack_names():
            assert not {"variable", "import"} & set(synth.stack(stack).data), (synth.outdir, stack)


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
