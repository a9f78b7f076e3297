"""``make outdated`` (issue #33, item 2): every pin against the version table, exit 1 when one is past
standard support. The tests' day is 2026-11-23 (tests/conftest.py): production's 1.33 left standard
support on 2026-07-29, dev's 1.35 has it until 2027-03-27 (the EKS calendar in versions.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "officeless.outdated", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)


def test_production_past_standard_support_fails_the_command():
    result = run("--json")
    assert result.returncode == 1
    rows = json.loads(result.stdout)["rows"]
    assert json.loads(result.stdout)["day"] == "2026-11-23"
    kubernetes = {r["environment"]: r for r in rows if r["kind"] == "kubernetes"}
    assert kubernetes["production"]["pinned"] == "1.33" and kubernetes["production"]["past_support"] is True
    assert kubernetes["production"]["status"] == ("extended support since 2026-07-29 ($0.60 instead of $0.10 per cluster "
                                                  "hour) until 2027-07-29")
    assert kubernetes["dev"]["pinned"] == "1.35" and kubernetes["dev"]["past_support"] is False
    assert result.stderr.splitlines() == [
        "error: production: kubernetes production-cluster 1.33 is past standard support: extended support since "
        "2026-07-29 ($0.60 instead of $0.10 per cluster hour) until 2027-07-29"]
    # Production's documented addon pins are behind the table; dev's unpinned ones run it.
    addons = {(r["environment"], r["name"]): r for r in rows if r["kind"] == "addon"}
    assert addons[("production", "vpc-cni")]["pinned"] == "v1.19.5-eksbuild.1"
    assert addons[("production", "vpc-cni")]["status"] == "behind the table"
    assert addons[("dev", "vpc-cni")]["status"] == "current"
    # Every chart pin of every environment is listed, and every provider package.
    charts = {(r["environment"], r["name"]): r["pinned"] for r in rows if r["kind"] == "chart"}
    assert charts[("production", "aws-load-balancer-controller")] == "1.12.0" and charts[("dev", "argo-cd")] == "10.1.1"
    assert {r["name"] for r in rows if r["kind"] == "provider"} >= {"cdktf", "cdktf-cdktf-provider-aws"}


def test_an_environment_in_standard_support_passes():
    result = run("--env", "dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].split()[:4] == ["dev", "kubernetes", "dev-cluster", "1.35"]
    assert "PAST STANDARD SUPPORT" not in result.stdout


def test_the_chart_table_documents_production_s_pins_and_knows_every_chart():
    """The deployment guide's pins are production's (typed again here, as the guide lists them);
    every chart any environment installs has a row, whose current release is not older."""
    from officeless.config.charts import CHARTS, _parts, status

    guide = {"aws-load-balancer-controller": "1.12.0", "cluster-autoscaler": "9.45.0", "metrics-server": "3.12.2",
             "aws-efs-csi-driver": "3.1.8", "secrets-store-csi-driver": "1.5.0",
             "secrets-store-csi-driver-provider-aws": "1.0.1", "mimir-distributed": "5.7.0", "loki": "6.30.1",
             "tempo-distributed": "1.42.0"}
    for chart, version in guide.items():
        assert CHARTS[chart].documented == version, chart
    rows = json.loads(run("--json").stdout)["rows"]
    pins = {(r["environment"], r["name"]): r for r in rows if r["kind"] == "chart" and r["name"] != "karpenter"}
    for (environment, chart), row in pins.items():
        assert chart in CHARTS, (environment, chart)
        assert _parts(CHARTS[chart].current) >= _parts(row["pinned"]), (environment, chart)
        if CHARTS[chart].documented and environment == "production":
            assert row["pinned"] == CHARTS[chart].documented, chart
    assert status("loki", "6.30.1")[1].startswith("behind: 18.11.0 released 2026-08-20; a new major")
    assert status("grafana", "12.11.1") == ("12.11.1", "current")
    assert {("onprem", "kubernetes-ingress"), ("onprem", "valkey")} <= set(pins)


def test_a_chart_config_does_not_pin_runs_its_current_release(tmp_path):
    """Dev names no version for the load balancer controller: it runs the table's current 3.5.0, while
    production keeps the guide's 1.12.0; an observability chart left out entirely stays missing
    (it must say whether it is on)."""
    from officeless.config.charts import CHARTS
    from officeless.config.loader import load_environment

    assert load_environment("dev").helm.aws_load_balancer_controller.version == CHARTS["aws-load-balancer-controller"].current
    assert load_environment("production").helm.aws_load_balancer_controller.version == "1.12.0"
    from officeless.config.helm import HelmConfig

    data = {"aws_load_balancer_controller": {}, "cluster_autoscaler": {}, "mimir": {"enabled": False},
            "loki": {"enabled": False}, "tempo": {"enabled": False}, "grafana": {"enabled": False}}
    helm = HelmConfig.model_validate(data)
    assert helm.metrics_server.version == "3.13.1" and helm.aws_efs_csi_driver.version == "4.4.1"
    del data["grafana"]
    with pytest.raises(Exception, match="grafana"):
        HelmConfig.model_validate(data)


def test_gcp_and_azure_environments_list_their_managed_minors():
    result = run("--json", "--env", "gcp", "--env", "azure")  # one process for both: each run imports the bindings
    assert result.returncode == 0, result.stderr
    rows = {r["environment"]: r for r in json.loads(result.stdout)["rows"] if r["kind"] == "kubernetes"}
    # config/gcp.yaml's 1.35: GKE standard support until 2027-04-11 (officeless/config/gke.py).
    row = rows["gcp"]
    assert (row["name"], row["pinned"], row["status"], row["past_support"]) == (
        "gcp-cluster", "1.35", "GKE standard support until 2027-04-11", False)
    # config/azure.yaml's 1.35: AKS end of life "Mar 2027", the month's last day ([calendar] in
    # officeless/config/aks.py); the newest row 1.37.
    row = rows["azure"]
    assert (row["name"], row["pinned"], row["newest_known"], row["status"], row["past_support"]) == (
        "azure-aks", "1.35", "1.37", "AKS community support until 2027-03-31", False)


def test_every_pinned_chart_has_its_kube_version_read():
    """Each chart version any environment pins has its Chart.yaml kubeVersion in the table (or the
    reason it could not be read); a few readings typed again beside their sources."""
    from officeless.config import charts
    from officeless.config.loader import load_environment

    for env in ("production", "dev", "local", "onprem", "gcp", "azure"):
        for field, chart, version in charts.pins(load_environment(env)):
            assert (chart, version) in charts.KUBE_VERSIONS or (chart, version) in charts.KUBE_VERSIONS_UNREAD, (env, field)
    # kubernetes-sigs/secrets-store-csi-driver charts/secrets-store-csi-driver/Chart.yaml at e5ecbca6 (1.6.0), 4fddb09a (1.5.0)
    assert charts.KUBE_VERSIONS[("secrets-store-csi-driver", "1.6.0")][0] == ">=1.30.0-0"
    assert charts.KUBE_VERSIONS[("secrets-store-csi-driver", "1.5.0")][0] == ">=1.16.0-0"
    # grafana-community/helm-charts charts/loki/Chart.yaml at 3386a115 (18.11.0); grafana/loki 0641089b43 (6.30.1): none
    assert charts.KUBE_VERSIONS[("loki", "18.11.0")][0] == ">=1.25.0-0"
    assert charts.KUBE_VERSIONS[("loki", "6.30.1")][0] is None


@pytest.mark.parametrize("constraint,minor,admits", [
    (">=1.30.0-0", "1.29", False), (">=1.30.0-0", "1.30", True), ("^1.25.0-0", "1.36", True), ("^1.25.0-0", "2.0", False),
    (">= 1.19.0-0", "1.33", True), (">=1.21.0-0 <1.35.0-0", "1.35", False), (">=1.21.0-0, <1.35.0-0", "1.34", True),
    ("~1.33.0", "1.34", False), ("~1.33.0", "1.33", True),
])
def test_kube_version_constraints(constraint, minor, admits):
    from officeless.config.charts import _admits

    assert _admits(constraint, minor) is admits


def test_no_pinned_chart_excludes_a_minor_of_the_table():
    """Today every kubeVersion read is a lower bound at or below 1.30: the check is armed, and quiet."""
    from officeless.config import charts, versions

    for (chart, version) in charts.KUBE_VERSIONS:
        for minor in versions.MINORS:
            assert charts.kube_version_refuses(chart, version, minor) is None, (chart, version, minor)
