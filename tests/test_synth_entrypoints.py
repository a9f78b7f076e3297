"""The two ways users synthesize (`python main.py`, `npx cdktf synth`) and the fast provider import.

These run real subprocesses, so they are the slowest tests; each is needed once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from officeless.envvars import PLAIN_PROVIDER_IMPORT
from tests.test_config_errors import tree_digest

ROOT = Path(__file__).resolve().parents[1]


def start_main(outdir: Path, *python_flags: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *python_flags, "main.py"], cwd=ROOT,
                            env={**os.environ, "CDKTF_OUTDIR": str(outdir), **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow  # ~45 s: the plain import loads every submodule of the provider package
def test_fast_provider_import_is_byte_identical_to_plain_import(tmp_path):
    # Both at once: each is one Python and one node process, and the test's length is the plain one's.
    fast = start_main(tmp_path / "fast", OFFICELESS_ENV="production", **{PLAIN_PROVIDER_IMPORT: "0"})
    # -B: no bytecode cache for the ~1,500 submodules only this import loads. Writing one (226 MB) cost
    # 13 CPU-s more than compiling alone, in a fresh clone's run where nothing reads it again.
    plain = start_main(tmp_path / "plain", "-B", OFFICELESS_ENV="production", **{PLAIN_PROVIDER_IMPORT: "1"})
    errors = [synth.communicate(timeout=300)[1] for synth in (fast, plain)]  # both ended before any assert
    for synth, stderr in zip((fast, plain), errors):
        assert synth.returncode == 0, stderr[-3000:]
    fast_digest = tree_digest(tmp_path / "fast")
    assert "stacks/01-vpc/cdk.tf.json" in fast_digest
    assert fast_digest == tree_digest(tmp_path / "plain")


def test_fast_path_loads_only_the_submodules_it_uses(synthesized):
    from officeless.tf import aws

    loaded = [m for m in aws.loaded_submodules() if "." not in m]
    # About 60 of the AWS package's ~1,500 (64 with Karpenter's queue, rules and tag); all of them
    # would mean the fast path broke.
    assert 0 < len(loaded) < 80, loaded
    assert "vpc" in loaded and "wafv2_web_acl" not in loaded


@pytest.fixture(scope="module")
def npx():
    path = shutil.which("npx")
    assert path, "Node.js/npx must be on PATH"
    assert (ROOT / "node_modules" / ".bin" / "cdktf").exists(), "run `make deps` (npm ci) first"
    return path


def cdktf_synth(npx: str, outdir: Path, environment: str) -> subprocess.Popen:
    return subprocess.Popen([npx, "cdktf", "synth", "--output", str(outdir)], cwd=ROOT,
                            env={**os.environ, "OFFICELESS_ENV": environment, "CI": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def cli_synths(tmp_path_factory, npx) -> dict[str, tuple[Path, subprocess.CompletedProcess, dict | None]]:
    """`npx cdktf synth` of production, dev and an unknown environment, started together (issue
    #20): each is a node process and a Python one, mostly waiting on each other, so three share
    two cores well. Per environment: its output folder, the finished process, and for the unknown
    one the digest of the previous output it must leave untouched."""
    root = tmp_path_factory.mktemp("cli-synth")
    bad = root / "staging"
    (bad / "stacks" / "01-vpc").mkdir(parents=True)
    (bad / "stacks" / "01-vpc" / "cdk.tf.json").write_text('{"previous": true}')
    (bad / "manifest.json").write_text('{"previous": true}')
    before = tree_digest(bad)
    started = {env: cdktf_synth(npx, root / env, env) for env in ("production", "dev", "staging")}
    done = {}
    for env, process in started.items():
        stdout, stderr = process.communicate(timeout=600)
        done[env] = (root / env, subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr),
                     before if env == "staging" else None)
    return done


@pytest.mark.parametrize("environment", ["production", "dev"])
def test_cdktf_cli_synth_matches_python_main(cli_synths, synthesized, environment):
    outdir, result, _ = cli_synths[environment]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    produced = (outdir / "stacks" / "01-vpc" / "cdk.tf.json").read_bytes()
    assert produced == synthesized[environment].stack("01-vpc").path.read_bytes()
    # Issue #12: the cost of extended support is told at synth, without failing it (the tests'
    # day is 2026-11-23: production's 1.33 is past standard support, dev's 1.35 is not).
    lines = (result.stdout + result.stderr).splitlines()
    told = [line for line in lines if f"warning: config/{environment}.yaml: eks." in line]
    # Issue #27: the operator UIs' plain HTTP is told at every synth too, in both environments.
    assert [line.split("warning: ", 1)[1].split(":", 2)[1].strip() for line in lines if "plain HTTP" in line] == [
        "ingress.internal.certificate_arns", "observability.grafana.certificate_arn"]
    if environment == "production":
        (line,) = told
        assert line.endswith("warning: config/production.yaml: eks.kubernetes_version: '1.33' left EKS standard support "
                             "on 2026-07-29; the cluster runs on extended support at $0.60 per cluster hour instead of "
                             '$0.10 until 2027-07-29, when EKS upgrades it; upgrade one minor at a time (README '
                             '"Upgrading Kubernetes")')
    else:
        assert told == []


def test_cdktf_cli_synth_with_bad_config_fails_and_keeps_output(cli_synths):
    outdir, result, before = cli_synths["staging"]
    assert result.returncode != 0
    assert "error: OFFICELESS_ENV: unknown environment 'staging'; allowed: azure, dev, gcp, local, onprem, production" in result.stdout + result.stderr
    assert tree_digest(outdir) == before
