"""make upgrade-plan (issue #30, item 4): production's path to a minor in standard support, one
minor at a time, each step a config change the project's own rules accept."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from officeless import upgrade_plan
from officeless.config.loader import load_environment, load_file
from tests.test_refusals import in_project_root  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
# The day issue #30 was measured: 1.34 left standard support; 1.35 is the nearest minor in it.
DAY = date(2026, 12, 2)


def test_production_takes_two_steps_to_1_35(in_project_root):  # noqa: F811
    steps = upgrade_plan.plan(load_environment("production", on=DAY), DAY)
    assert [(s.source, s.target) for s in steps] == [("1.33", "1.34"), ("1.34", "1.35")]
    first, second = steps
    # The documented pins (production.yaml) that 1.34 does not know: every one but CoreDNS v1.12.
    assert first.edits == {"eks.kubernetes_version": "1.34", "eks.addons.aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
                           "eks.addons.eks-pod-identity-agent": "v1.3.10-eksbuild.1",
                           "eks.addons.kube-proxy": "v1.34.6-eksbuild.2", "eks.addons.vpc-cni": "v1.22.3-eksbuild.1",
                           "eks.node_groups.worker-nodes.kubernetes_version": "1.33"}
    assert second.edits == {"eks.kubernetes_version": "1.35", "eks.addons.coredns": "v1.13.2-eksbuild.4",
                            "eks.addons.kube-proxy": "v1.35.3-eksbuild.2", "ec2.software.kubectl_series": "v1.35",
                            "eks.node_groups.worker-nodes.kubernetes_version": "1.34"}
    assert first.unstage == second.unstage == ["eks.node_groups.worker-nodes.kubernetes_version"]


def _apply(text: str, edits: dict[str, str], remove: list[str] = ()) -> str:
    data = yaml.safe_load(text)
    for path in [*edits, *remove]:
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if path in remove:
            node.pop(leaf, None)
        else:
            node[leaf] = edits[path]
    return yaml.safe_dump(data, sort_keys=False)


def test_every_step_is_a_config_the_project_accepts(in_project_root, tmp_path):  # noqa: F811
    """Applied in order, each step's edits give a production config that validates on that day (the
    pins fit the new minor, kubectl is within one minor); the last is in standard support."""
    text = (ROOT / "config" / "production.yaml").read_text()
    path = tmp_path / "production.yaml"
    for step in upgrade_plan.plan(load_environment("production", on=DAY), DAY):
        for text in (_apply(text, step.edits), _apply(text, step.edits, step.unstage)):  # the two commits
            path.write_text(text)
            config = load_file(path, DAY)
            assert config.eks.kubernetes_version == step.target
    assert config.eks.minor.support_status(DAY) == "standard"
    assert upgrade_plan.plan(config, DAY) == []


def test_dev_on_1_35_needs_nothing_and_the_command_says_so():
    result = subprocess.run([sys.executable, "-m", "officeless.upgrade_plan", "--env", "dev"], cwd=ROOT,
                            capture_output=True, text=True, env={**__import__("os").environ, "OFFICELESS_TODAY": "2026-12-02"})
    assert result.returncode == 0
    assert result.stdout.strip().endswith("; nothing to do (the table also knows 1.36: --to plans the way there)")
    result = subprocess.run([sys.executable, "-m", "officeless.upgrade_plan", "--env", "production"], cwd=ROOT,
                            capture_output=True, text=True, env={**__import__("os").environ, "OFFICELESS_TODAY": "2026-12-02"})
    assert "target: 1.35, in standard support until 2027-03-27; 2 steps, one minor at a time:" in result.stdout


def test_gke_upgrades_itself_and_the_command_says_what_is_pinned():
    result = subprocess.run([sys.executable, "-m", "officeless.upgrade_plan", "--env", "gcp"], cwd=ROOT,
                            capture_output=True, text=True, env={**__import__("os").environ, "OFFICELESS_TODAY": "2026-12-02"})
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.strip() == (
        "gcp: GKE 1.35 on the REGULAR channel, standard support until 2027-04-11; GKE upgrades the cluster and its "
        "auto-upgraded node pools itself: raise gke.kubernetes_version to follow it, no step to run here")


def test_dev_to_1_36_is_one_step_that_moves_coredns_to_1_14(in_project_root):  # noqa: F811
    """--to plans past the nearest minor: dev pins no addon and its kubectl (v1.35) is within one minor
    of 1.36, so the step changes the minor and holds the nodes back; nothing comes before it
    (Karpenter 1.14.1 already supports 1.36, whose minimum is 1.13)."""
    dev = load_environment("dev", on=DAY)
    assert upgrade_plan.plan(dev, DAY) == []
    (step,) = upgrade_plan.plan(dev, DAY, to="1.36")
    assert (step.source, step.target, step.before) == ("1.35", "1.36", [])
    assert step.edits == {"eks.kubernetes_version": "1.36", "eks.node_groups.system.kubernetes_version": "1.35"}
    # EKS user guide, "Manage CoreDNS" (ja_jp edition): v1.14.3-eksbuild.3 on 1.36.
    assert "coredns v1.14.3-eksbuild.3" in " ".join(step.follows)


@pytest.mark.parametrize("to,message", [
    ("1.37", "--to: '1.37' is not a minor of the version table; allowed: 1.33, 1.34, 1.35, 1.36 (officeless/config/versions.py)"),
    ("1.33", "--to: '1.33' is not newer than the running 1.33; allowed: 1.34, 1.35, 1.36"),
])
def test_a_target_outside_the_table_or_behind_is_one_line(to, message):
    result = subprocess.run([sys.executable, "-m", "officeless.upgrade_plan", "--env", "production", "--to", to], cwd=ROOT,
                            capture_output=True, text=True, env={**__import__("os").environ, "OFFICELESS_TODAY": "2026-12-02"})
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


# --- charts whose kubeVersion excludes the next minor ----------------------------------------------

def test_a_chart_that_excludes_the_next_minor_is_upgraded_first(in_project_root, monkeypatch, tmp_path):  # noqa: F811
    """No chart production pins excludes 1.34 or 1.35 today (their Chart.yaml kubeVersions are lower
    bounds), so the table is given one that ends before 1.35: the second step upgrades it first,
    to the chart table's release, and the config that results is accepted on 1.35."""
    from officeless.config import charts

    monkeypatch.setitem(charts.KUBE_VERSIONS, ("metrics-server", "3.12.2"), (">=1.21.0-0 <1.35.0-0", "a test"))
    first, second = upgrade_plan.plan(load_environment("production", on=DAY), DAY)
    assert not any("metrics-server" in line for line in first.before)
    assert second.before == [
        "helm.metrics_server.version: metrics-server 3.12.2 declares kubeVersion '>=1.21.0-0 <1.35.0-0' (a test), which "
        "excludes Kubernetes 1.35; upgrade it to 3.13.1 (the chart table's) and deploy 05-helm"]
    assert second.edits["helm.metrics_server.version"] == "3.13.1"
    text, path = (ROOT / "config" / "production.yaml").read_text(), tmp_path / "production.yaml"
    for step in (first, second):
        text = _apply(text, step.edits, step.unstage)
    path.write_text(text)
    assert load_file(path, DAY).helm.metrics_server.version == "3.13.1"


def test_config_refuses_a_chart_whose_kube_version_excludes_the_cluster(in_project_root, monkeypatch):  # noqa: F811
    from officeless.config import charts
    from officeless.errors import ConfigError

    monkeypatch.setitem(charts.KUBE_VERSIONS, ("metrics-server", "3.12.2"), (">=1.34.0-0", "a test"))
    with pytest.raises(ConfigError) as info:
        load_environment("production", on=DAY)
    assert str(info.value) == (
        "config/production.yaml: helm.metrics_server.version: '3.12.2': metrics-server 3.12.2 declares kubeVersion "
        "'>=1.34.0-0' (a test), which excludes Kubernetes 1.33; allowed: a release of metrics-server that admits 1.33 "
        "(officeless/config/charts.py)")
