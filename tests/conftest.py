"""Synthesizes every environment once per test session, in this process.

Importing provider bindings and starting the jsii runtime is the expensive part of a
synth, so all property, snapshot, validate and checkov tests share these outputs.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# As in main.py: pipenv turns the bytecode cache off for every command it runs. The tests import the
# provider bindings in every pytest process (and xdist worker) and start Python programs (main.py,
# checkov) dozens of times: the cache stays on for this process and, through the environment, for them.
# Only the variable is overridden, as in main.py: `python -B -m pytest` is not.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
    sys.dont_write_bytecode = False
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


@pytest.fixture(scope="session")
def onprem(synthesized) -> Synth:
    """config/onprem.yaml, the existing-cluster target (issue #29): synthesized once per session,
    beside the other environments' outputs (so checkov's one run covers its stacks too)."""
    from officeless.app import build_app

    outdir = next(iter(synthesized.values())).outdir.parent / "onprem"
    build_app(load_environment("onprem"), str(outdir)).synth()
    return Synth("onprem", outdir)


@pytest.fixture(scope="session")
def gcp(synthesized) -> Synth:
    """config/gcp.yaml, the Google Cloud target's first stacks (issue #31), beside the others (checkov)."""
    from officeless.app import build_app

    outdir = next(iter(synthesized.values())).outdir.parent / "gcp"
    build_app(load_environment("gcp"), str(outdir)).synth()
    return Synth("gcp", outdir)


@pytest.fixture(scope="session")
def azure(synthesized) -> Synth:
    """config/azure.yaml, the Azure target's first stacks (issue #32), beside the others (checkov)."""
    from officeless.app import build_app

    outdir = next(iter(synthesized.values())).outdir.parent / "azure"
    build_app(load_environment("azure"), str(outdir)).synth()
    return Synth("azure", outdir)


# Google Cloud (issue #31) and Azure (issue #32) with Terraform Cloud as their backend: config/<env>.yaml
# with this block.
TFC_BACKEND = """backend:
  type: cloud
  organization: officeless
"""


def terraform_cloud_config_dir(directory: Path, environment: str) -> Path:
    """``directory``/<environment>.yaml: config/<environment>.yaml with Terraform Cloud as its backend."""
    text = (PROJECT_ROOT / "config" / f"{environment}.yaml").read_text()
    start = text.index("backend:\n")
    end = text.index("\n\n", start) + 1
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{environment}.yaml").write_text(text[:start] + TFC_BACKEND + text[end:])
    return directory


def terraform_cloud_variant(synthesized, tmp_path_factory, environment: str, sample: str) -> Synth:
    """config/<environment>.yaml on Terraform Cloud, beside the others (checkov's one run reports it as
    environment "<environment>-cloud"). What differs from the plain fixture's: the bootstrap stacks and
    every stack's backend block (``sample``'s is kept); the others would only be scanned a second time."""
    from officeless.app import build_app

    import shutil

    config = load_environment(environment, terraform_cloud_config_dir(tmp_path_factory.mktemp(f"{environment}-cloud-config"),
                                                                        environment))
    outdir = next(iter(synthesized.values())).outdir.parent / f"{environment}-cloud"
    build_app(config, str(outdir)).synth()
    for stack in (outdir / "stacks").iterdir():
        if not stack.name.startswith(("00-tfc-", sample)):
            shutil.rmtree(stack)
    return Synth(f"{environment}-cloud", outdir)


@pytest.fixture(scope="session")
def gcp_cloud(synthesized, tmp_path_factory) -> Synth:
    """config/gcp.yaml on Terraform Cloud (00-tfc-wif, 00-tfc-workspaces)."""
    return terraform_cloud_variant(synthesized, tmp_path_factory, "gcp", "02-gke")


@pytest.fixture(scope="session")
def azure_cloud(synthesized, tmp_path_factory) -> Synth:
    """config/azure.yaml on Terraform Cloud (00-tfc-identity, 00-tfc-workspaces)."""
    return terraform_cloud_variant(synthesized, tmp_path_factory, "azure", "06-access")


# The cloud-backend fixture (issue #18): production's config with this backend block instead of S3.
CLOUD_BACKEND = """backend:
  type: cloud
  organization: officeless
  aws_account_id: "123456789012"
"""


def cloud_config_dir(directory: Path, backend: str = CLOUD_BACKEND, name: str = "production") -> Path:
    """``directory``/<name>.yaml: production.yaml with ``backend`` as its backend block."""
    text = (PROJECT_ROOT / "config" / "production.yaml").read_text()
    start = text.index("backend:\n")
    end = text.index("\nvpc:\n")
    directory.mkdir(parents=True, exist_ok=True)
    text = text[:start] + backend + text[end:]
    text = text.replace("environment: production\n", f"environment: {name}\n", 1)
    # Its tenants' secrets live under its own name (a cluster reads only its environment's).
    text = text.replace("secret_prefix: production/", f"secret_prefix: {name}/")
    (directory / f"{name}.yaml").write_text(text.replace("shared_secrets: [production/", f"shared_secrets: [{name}/"))
    return directory


@pytest.fixture(scope="session")
def cloud(synthesized, tmp_path_factory) -> Synth:
    """Production with the Terraform Cloud backend, synthesized once per session, beside the
    other environments' outputs (so checkov's one run covers its stacks too)."""
    from officeless.app import build_app

    config = load_environment("production", cloud_config_dir(tmp_path_factory.mktemp("cloud-config")))
    outdir = next(iter(synthesized.values())).outdir.parent / "cloud"
    build_app(config, str(outdir)).synth()
    return Synth("production", outdir)


# The validated-certificate fixture (issue #27): production with a Route 53 zone in which 05-helm
# validates an ACM certificate for the operator UIs' host names.
ZONE = """ingress:
  internal:
    route53_zone: {zone_id: Z0123456789ABCDEFGHIJ, domain: internal.officeless.example}
"""
ZONE_HOSTS = {"argocd": "argocd.internal.officeless.example", "grafana": "grafana.internal.officeless.example"}


def zone_config_dir(directory: Path) -> Path:
    """``directory``/production.yaml: production's config with ZONE and the UIs' host names."""
    text = (PROJECT_ROOT / "config" / "production.yaml").read_text()
    text = text.replace("\nargocd:\n", f"\nargocd:\n  hostname: {ZONE_HOSTS['argocd']}\n", 1)
    text += f"\n{ZONE}observability:\n  grafana: {{hostname: {ZONE_HOSTS['grafana']}}}\n"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "production.yaml").write_text(text)
    return directory


@pytest.fixture(scope="session")
def zone(synthesized, tmp_path_factory) -> Synth:
    """Production with ZONE, synthesized once per session beside the other outputs (checkov's one
    run covers it, as environment "zone")."""
    from officeless.app import build_app

    config = load_environment("production", zone_config_dir(tmp_path_factory.mktemp("zone-config")))
    outdir = next(iter(synthesized.values())).outdir.parent / "zone"
    build_app(config, str(outdir)).synth()
    return Synth("production", outdir)


@pytest.fixture(params=ENVIRONMENTS)
def synth(request, synthesized) -> Synth:
    return synthesized[request.param]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory):
    """Terraform with the local provider mirror (scripts/find-provider-mirror). No plugin cache:
    inits run concurrently (tests/test_terraform_validate.py) and Terraform does not lock one; from
    the mirror each init links the provider instead of copying it."""
    import shutil

    from officeless.terraform_cli import terraform_environment, write_cli_config

    assert shutil.which("terraform"), "terraform must be on PATH"
    root = tmp_path_factory.mktemp("terraform")
    return terraform_environment(write_cli_config(root / "cli.tfrc"))


# The rehearsal's (stack, command, seconds) of every terraform command (tests/test_rehearsal.py),
# printed at the end of the run: the figures behind README's rehearsal timings.
REHEARSAL_TIMINGS = pytest.StashKey[list]()
# The AWS SDK retries of requests already answered that the emulator answered again (officeless/emulator.py).
REHEARSAL_RETRIES_ANSWERED = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, config):
    timings = config.stash.get(REHEARSAL_TIMINGS, [])
    if not timings:
        return
    terminalreporter.write_sep("-", f"rehearsal: {len(timings)} terraform commands, seconds each")
    for stack, command, seconds in timings:
        terminalreporter.write_line(f"{seconds:7.1f}  {stack:<12} {command}")
    retries = config.stash.get(REHEARSAL_RETRIES_ANSWERED, [])
    terminalreporter.write_line(f"SDK retries of requests the emulator had answered, given their first answer: {len(retries)}"
                                + (f" ({', '.join(retries)})" if retries else ""))


def pytest_collection_modifyitems(config, items):
    # The slow tests first (issue #20): `make test` runs the rest of the suite beside the rehearsal,
    # and the plain-import check (minutes there) is then done while the rehearsal mostly waits on the
    # provider's fixed delays, instead of last. A stable sort: the order within each part is
    # unchanged (the rehearsal's numbered steps included).
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
