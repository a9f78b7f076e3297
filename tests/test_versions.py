"""The version table (issue #12): each row against its cited source, typed in by hand; support
status and its cost judged on an injected day; the refusals that read the table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from officeless.config import versions
from officeless.config.loader import load_environment, warnings
from officeless.errors import ConfigError
from tests.test_config_errors import PRODUCTION, write_config

# Amazon EKS Kubernetes release calendar, https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
# (1.33, 1.34); 1.35 and 1.36 from https://endoflife.date/amazon-eks (products/amazon-eks.md, a70eca3).
CALENDAR = {
    "1.33": (date(2025, 5, 29), date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": (date(2025, 10, 2), date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": (date(2026, 1, 28), date(2027, 3, 27), date(2028, 3, 27)),
    "1.36": (date(2026, 6, 2), date(2027, 8, 2), date(2028, 8, 2)),
}
# EKS user guide, "Manage kube-proxy" (latest add-on version per minor).
# 1.36: the guide's Japanese edition (docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-kube-proxy.md).
KUBE_PROXY = {"1.33": "v1.33.10-eksbuild.2", "1.34": "v1.34.6-eksbuild.2", "1.35": "v1.35.3-eksbuild.2",
              "1.36": "v1.36.0-eksbuild.14"}
# EKS user guide, "Manage CoreDNS": v1.13.2-eksbuild.4 for 1.33, 1.34 and 1.35; v1.14.3-eksbuild.3 for 1.36
# (docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-coredns.md).
COREDNS = {"1.33": "v1.13.2-eksbuild.4", "1.34": "v1.13.2-eksbuild.4", "1.35": "v1.13.2-eksbuild.4",
           "1.36": "v1.14.3-eksbuild.3"}
# vpc-cni: ministryofjustice/cloud-platform-infrastructure#4678; pod identity agent:
# aws/containers-roadmap#2684; EBS CSI: mitodl/ol-infrastructure#5959.
WIDE = {"vpc-cni": "v1.22.3-eksbuild.1", "eks-pod-identity-agent": "v1.3.10-eksbuild.1",
        "aws-ebs-csi-driver": "v1.66.0-eksbuild.1"}
# aws-ia/terraform-aws-eks-blueprints-addons#516 (autoscaler releases page).
# 1.36: tag cluster-autoscaler-1.36.1 of kubernetes/autoscaler.
AUTOSCALER = {"1.33": "v1.33.5", "1.34": "v1.34.4", "1.35": "v1.35.1", "1.36": "v1.36.1"}
# https://karpenter.sh/docs/upgrading/compatibility/ (1.36: ">= 1.13" in the matrix of aws/karpenter-provider-aws 1d92708)
KARPENTER = {"1.33": "1.5.0", "1.34": "1.6.0", "1.35": "1.9.0", "1.36": "1.13.0"}


def test_the_table_covers_the_minors_the_issue_names():
    assert list(versions.MINORS) == ["1.33", "1.34", "1.35", "1.36"]


@pytest.mark.parametrize("minor", ["1.33", "1.34", "1.35", "1.36"])
def test_row(minor):
    row = versions.MINORS[minor]
    assert (row.eks_release, row.end_of_standard_support, row.end_of_extended_support) == CALENDAR[minor]
    assert dict(row.addons) == {**WIDE, "coredns": COREDNS[minor], "kube-proxy": KUBE_PROXY[minor]}
    assert row.cluster_autoscaler_image == AUTOSCALER[minor]
    assert row.karpenter_minimum == KARPENTER[minor]


def test_extended_support_costs_six_times_standard():
    # https://aws.amazon.com/eks/pricing/
    assert (versions.STANDARD_SUPPORT_PRICE, versions.EXTENDED_SUPPORT_PRICE) == ("$0.10", "$0.60")


@pytest.mark.parametrize("day,status", [
    (date(2026, 7, 28), "standard"), (date(2026, 7, 29), "extended"),  # billing starts on the day itself
    (date(2027, 7, 28), "extended"), (date(2027, 7, 29), "ended"),
])
def test_support_status_of_133(day, status):
    assert versions.MINORS["1.33"].support_status(day) == status


@pytest.mark.parametrize("minor,fits", [("1.33", True), ("1.34", True), ("1.35", False)])
def test_coredns_112_fits_133_and_134_only(minor, fits):
    assert (versions.addon_fits("coredns", "v1.12.4-eksbuild.1", minor) is None) is fits


def test_every_default_fits_its_own_minor():
    for minor, row in versions.MINORS.items():
        for name, version in row.addons.items():
            assert versions.addon_fits(name, version, minor) is None, (minor, name)
        assert versions.cluster_autoscaler_image_fits(row.cluster_autoscaler_image, minor) is None


# --- cost told at synth, refusals judged on the day ------------------------------------------

EXTENDED_WARNING = (
    "config/production.yaml: eks.kubernetes_version: '1.33' left EKS standard support on 2026-07-29; the cluster runs "
    "on extended support at $0.60 per cluster hour instead of $0.10 until 2027-07-29, when EKS upgrades it; upgrade "
    'one minor at a time (README "Upgrading Kubernetes")'
)


@pytest.fixture
def in_project_root(monkeypatch):
    monkeypatch.chdir(PRODUCTION.parents[1])


def test_production_on_extended_support_is_warned_not_refused(in_project_root):
    config = load_environment("production", on=date(2026, 11, 23))
    assert eks_warnings(config, date(2026, 11, 23)) == [EXTENDED_WARNING]


def test_no_warning_while_in_standard_support(in_project_root):
    config = load_environment("production", on=date(2026, 7, 28))
    assert eks_warnings(config, date(2026, 7, 28)) == []
    assert eks_warnings(load_environment("dev", on=date(2026, 11, 23)), date(2026, 11, 23)) == []


def eks_warnings(config, day: date) -> list[str]:
    """The support warnings (other warnings, e.g. issue #27's plain-HTTP ones, are tested where they live)."""
    return [w for w in warnings(config, on=day) if ": eks." in w]


def test_standard_support_type_is_fine_before_the_end_of_standard_support(tmp_path, in_project_root):
    directory = write_config(tmp_path / "config", "  endpoint_private_access: true\n",
                             "  endpoint_private_access: true\n  support_type: STANDARD\n")
    assert load_environment("production", directory, on=date(2026, 7, 28)).eks.support_type == "STANDARD"


def test_a_minor_past_extended_support_is_refused(in_project_root):
    with pytest.raises(ConfigError) as info:
        load_environment("production", on=date(2027, 8, 1))
    assert str(info.value) == (
        "config/production.yaml: eks.kubernetes_version: '1.33' reached the end of EKS extended support on 2027-07-29; "
        "EKS no longer runs it; allowed: 1.34, 1.35, 1.36")


def test_the_day_comes_from_officeless_today(monkeypatch, in_project_root):
    monkeypatch.setenv("OFFICELESS_TODAY", "2027-08-01")
    with pytest.raises(ConfigError) as info:
        load_environment("production")
    assert "reached the end of EKS extended support" in str(info.value)
    monkeypatch.setenv("OFFICELESS_TODAY", "next tuesday")
    with pytest.raises(ConfigError) as info:
        load_environment("production")
    assert str(info.value) == "OFFICELESS_TODAY: 'next tuesday' is not a date; expected YYYY-MM-DD, e.g. 2026-11-23"


def test_unpinned_addons_come_from_the_table(in_project_root):
    dev = load_environment("dev").eks
    assert dev.addons == {}
    assert {name: dev.addon_version(name) for name in versions.ADDON_NAMES} == {
        **WIDE, "coredns": COREDNS["1.35"], "kube-proxy": KUBE_PROXY["1.35"]}


def test_the_readme_table_matches_the_version_table():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for minor, row in versions.MINORS.items():
        line = (f"| {minor} | {row.eks_release} | {row.end_of_standard_support} | {row.end_of_extended_support} | "
                f"{row.addons['kube-proxy']} | {row.addons['coredns']} | {row.cluster_autoscaler_image} | "
                f"{row.karpenter_minimum} |")
        assert line in readme, line
