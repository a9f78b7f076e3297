"""checkov over every synthesized stack: zero failures except allowlisted, reasoned ones."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ALLOWLIST = Path(__file__).resolve().parents[1] / "checkov-allowlist.yaml"


@dataclass(frozen=True)
class Finding:
    environment: str
    stack: str
    check: str
    resource: str
    name: str

    def __str__(self) -> str:
        return f"{self.environment}/{self.stack}: {self.check} {self.resource} ({self.name})"


def load_allowlist() -> list[dict]:
    entries = yaml.safe_load(ALLOWLIST.read_text()) or []
    for entry in entries:
        assert set(entry) <= {"check", "resource", "environments", "reason"}, entry
        assert entry.get("check") and entry.get("resource"), entry
        assert len(str(entry.get("reason", "")).strip()) >= 20, f"allowlist entry needs a reason: {entry}"
    return entries


def allowed(finding: Finding, entry: dict) -> bool:
    return (
        entry["check"] == finding.check
        and fnmatch.fnmatchcase(finding.resource, entry["resource"])
        and finding.environment in entry.get("environments", [finding.environment])
    )


def same_but_for_state(variant, base) -> list[str]:
    """The stacks of ``variant`` (production with another backend, or a zone) that are ``base``'s but for
    where state is kept and read (the ``terraform`` block, ``terraform_remote_state`` data sources, cdktf's
    ``//`` metadata naming the backend): checkov would report exactly base's findings on them, so one
    scan is enough."""
    def body(synth, name: str) -> dict:
        data = json.loads(synth.stack(name).text)
        for key in ("terraform", "//"):
            data.pop(key, None)
        data.get("data", {}).pop("terraform_remote_state", None)
        return data

    return [name for name in variant.stack_names() if name in base.stack_names() and body(variant, name) == body(base, name)]


@pytest.fixture(scope="session")
def checkov_report(synthesized, cloud, zone, onprem, gcp, gcp_cloud, azure, azure_cloud, tmp_path_factory):
    """One checkov run over both environments, the cloud-backend and zone fixtures and the existing
    cluster and the Google Cloud stacks, on their own and on Terraform Cloud (checkov takes a few seconds
    to start), and the Azure stacks; the fixtures' findings are reported as environments "cloud", "zone",
    "onprem", "gcp", "gcp-cloud", "azure" and "azure-cloud"."""
    root = next(iter(synthesized.values())).outdir.parent
    production = synthesized["production"]
    skipped = [rf"{variant.outdir.name}/stacks/{stack}/" for variant in (cloud, zone)
               for stack in same_but_for_state(variant, production)]
    assert skipped and len(skipped) < len(production.stack_names()) * 2  # each variant keeps what differs
    result = subprocess.run(
        [sys.executable, "-m", "checkov.main", "-d", str(root), "--framework", "terraform_json", "--skip-download",
         "--output", "json", "--quiet", "--compact", *(arg for path in skipped for arg in ("--skip-path", path))],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    findings, passed = [], 0
    for report in reports:
        assert report["summary"]["parsing_errors"] == 0, report["summary"]
        passed += report["summary"]["passed"]
        for failed in report["results"]["failed_checks"]:
            # file_path is /<environment>/stacks/<stack>/cdk.tf.json below the scanned root
            environment, _, stack = Path(failed["file_path"]).parts[1:4]
            findings.append(Finding(environment, stack, failed["check_id"], failed["resource"], failed["check_name"]))
    return findings, passed


def test_checkov_scanned_every_stack(checkov_report, synthesized):
    findings, passed = checkov_report
    assert passed > 50 * len(synthesized)


def test_no_findings_outside_the_allowlist(checkov_report):
    findings, _ = checkov_report
    entries = load_allowlist()
    unexpected = [str(f) for f in findings if not any(allowed(f, e) for e in entries)]
    assert unexpected == [], "\n".join(unexpected)


def test_every_allowlist_entry_is_still_needed(checkov_report):
    findings, _ = checkov_report
    stale = [e for e in load_allowlist() if not any(allowed(f, e) for f in findings)]
    assert stale == []
