"""Synthesizes every environment once per test session, in this process.

Importing provider bindings and starting the jsii runtime is the expensive part of a
synth, so all property, snapshot, validate and checkov tests share these outputs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# EKS support status depends on the day (officeless/config/versions.py): every test, and every
# synth a test starts, judges it on the day these expectations were written.
TEST_DAY = "2026-11-23"
os.environ["OFFICELESS_TODAY"] = TEST_DAY

from officeless.config.loader import PROJECT_ROOT, load_environment  # noqa: E402
from tests.stackjson import StackJson  # noqa: E402

ENVIRONMENTS = ("production", "dev")


@dataclass
class Synth:
    environment: str
    outdir: Path

    @property
    def manifest(self) -> dict:
        return json.loads((self.outdir / "manifest.json").read_text())

    def stack(self, name: str) -> StackJson:
        return StackJson(self.outdir / "stacks" / name / "cdk.tf.json")

    def stack_names(self) -> list[str]:
        return sorted(self.manifest["stacks"])


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> dict[str, Synth]:
    from officeless.app import build_app

    out = {}
    root = tmp_path_factory.mktemp("synth")
    for env in ENVIRONMENTS:
        outdir = root / env
        build_app(load_environment(env), str(outdir)).synth()
        out[env] = Synth(env, outdir)
    return out


@pytest.fixture(params=ENVIRONMENTS)
def synth(request, synthesized) -> Synth:
    return synthesized[request.param]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
