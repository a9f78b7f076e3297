"""The platform's version table: the one place version facts live.

For every EKS minor the project supports: its calendar (release, end of standard and of
extended support), the EKS addon versions a new cluster gets by default, which addon
versions fit the minor, the cluster-autoscaler image built for it and the oldest Karpenter
release that supports it. Config validation, the 02-eks and 05-helm stacks and the README
all read this table; nothing else in the project types a version fact for a minor.

Sources (each row below names which one it took a value from):

[calendar]  Amazon EKS Kubernetes release calendar, EKS user guide "Kubernetes versions"
            https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
            (1.33, 1.34). 1.35 and 1.36 are not yet in the stored copy of that page:
            https://endoflife.date/amazon-eks, which reads that page's table (1.36 from its
            products/amazon-eks.md at commit a70eca3, 2026-08-22: released 2026-06-02, standard
            support until 2027-08-02, extended until 2028-08-02; the 14 + 12 months rule holds).
[price]     Amazon EKS pricing, https://aws.amazon.com/eks/pricing/ : $0.10 per cluster hour in
            standard support, $0.60 in extended support.
[kube-proxy] EKS user guide "Manage kube-proxy", latest add-on version per minor
            https://docs.amazonaws.cn/zh_cn/eks/latest/userguide/managing-kube-proxy.md
            (kube-proxy is built per Kubernetes minor: v1.X.* runs only on 1.X); 1.36's from the
            Japanese edition, the first to list it:
            https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-kube-proxy.md
[coredns]   EKS user guide "Manage CoreDNS", latest add-on version per minor
            https://docs.amazonaws.cn/zh_cn/eks/latest/userguide/managing-coredns.md (v1.13.2 for
            1.33-1.35), and https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
            (v1.12.4 for 1.33 and 1.34; v1.11.4 for 1.29-1.32); v1.14 for 1.35:
            https://docs.amazonaws.cn/en_us/eks/latest/userguide/managing-coredns.md; 1.36 (and 1.35)
            v1.14.3-eksbuild.3: https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-coredns.md
[vpc-cni]   v1.22.3-eksbuild.1, offered for EKS 1.33 in July 2026
            (https://github.com/ministryofjustice/cloud-platform-infrastructure/pull/4678); the EKS
            user guide lists one VPC CNI version for every supported minor
            (https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html).
[1.36-wide] For 1.36 no stored page lists vpc-cni, eks-pod-identity-agent or aws-ebs-csi-driver
            builds. The row keeps the builds of 1.34 and 1.35: EKS publishes one build of each
            for all its minors (the VPC CNI table above; the other two are not built per minor).
            Run the describe-addon-versions command below before the first 1.36 cluster.
[pod-identity] v1.3.10-eksbuild.1 "set to default version in all regions"
            (https://github.com/aws/containers-roadmap/issues/2684, 2025-11-24).
[ebs-csi]   v1.66.0-eksbuild.1, EKS's default version in September 2026
            (https://github.com/mitodl/ol-infrastructure/pull/5959).
[autoscaler] cluster-autoscaler's minor must equal the cluster's
            (https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases);
            latest patch per minor: https://github.com/aws-ia/terraform-aws-eks-blueprints-addons/pull/516;
            v1.36.1: tag cluster-autoscaler-1.36.1 of kubernetes/autoscaler (2026-07-22).
[karpenter] Karpenter compatibility matrix, https://karpenter.sh/docs/upgrading/compatibility/
            (as tracked by https://endoflife.date/karpenter); 1.36 >= 1.13 from
            website/content/en/docs/upgrading/compatibility.md of aws/karpenter-provider-aws at
            commit 1d92708 (2026-08-21).

Where the table knows less than AWS (EKS lists many more addon versions per minor than are
written here), it errs on the side of refusing: a pin older than the oldest version written
for a minor is refused, because nothing here shows it runs there. ``aws eks
describe-addon-versions --kubernetes-version <minor> --addon-name <name>`` tells the truth
of the day; add what it shows to this table, with its source.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, Mapping

from officeless import prices
from officeless.envvars import TODAY

# [price] USD per cluster hour, from the price table of `make cost`.
STANDARD_SUPPORT_PRICE = f"${prices.US_EAST_1['eks.standard'].usd:.2f}"
EXTENDED_SUPPORT_PRICE = f"${prices.US_EAST_1['eks.extended'].usd:.2f}"

ADDON_NAMES = ("vpc-cni", "eks-pod-identity-agent", "coredns", "kube-proxy", "aws-ebs-csi-driver")

SupportStatus = Literal["standard", "extended", "ended"]


@dataclass(frozen=True)
class Minor:
    """One EKS Kubernetes minor version and what fits it."""

    version: str
    eks_release: date
    end_of_standard_support: date
    end_of_extended_support: date
    # What a new cluster on this minor gets when config pins nothing (addon name -> version).
    addons: Mapping[str, str]
    # registry.k8s.io/autoscaling/cluster-autoscaler tag built for this minor.
    cluster_autoscaler_image: str
    # The oldest Karpenter release that supports this minor.
    karpenter_minimum: str

    def support_status(self, on: date) -> SupportStatus:
        if on < self.end_of_standard_support:
            return "standard"
        if on < self.end_of_extended_support:
            return "extended"
        return "ended"


_SHARED_ADDONS = {
    "vpc-cni": "v1.22.3-eksbuild.1",  # [vpc-cni]
    "eks-pod-identity-agent": "v1.3.10-eksbuild.1",  # [pod-identity]
    "coredns": "v1.13.2-eksbuild.4",  # [coredns]: the same build for 1.33, 1.34 and 1.35
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",  # [ebs-csi]
}

MINORS: dict[str, Minor] = {
    m.version: m
    for m in (
        Minor(
            "1.33", eks_release=date(2025, 5, 29),  # [calendar]
            end_of_standard_support=date(2026, 7, 29), end_of_extended_support=date(2027, 7, 29),
            addons={**_SHARED_ADDONS, "kube-proxy": "v1.33.10-eksbuild.2"},  # [kube-proxy]
            cluster_autoscaler_image="v1.33.5", karpenter_minimum="1.5.0",  # [autoscaler] [karpenter]
        ),
        Minor(
            "1.34", eks_release=date(2025, 10, 2),  # [calendar]
            end_of_standard_support=date(2026, 12, 2), end_of_extended_support=date(2027, 12, 2),
            addons={**_SHARED_ADDONS, "kube-proxy": "v1.34.6-eksbuild.2"},  # [kube-proxy]
            cluster_autoscaler_image="v1.34.4", karpenter_minimum="1.6.0",  # [autoscaler] [karpenter]
        ),
        Minor(
            "1.35", eks_release=date(2026, 1, 28),  # [calendar] via endoflife.date
            end_of_standard_support=date(2027, 3, 27), end_of_extended_support=date(2028, 3, 27),
            addons={**_SHARED_ADDONS, "kube-proxy": "v1.35.3-eksbuild.2"},  # [kube-proxy]
            cluster_autoscaler_image="v1.35.1", karpenter_minimum="1.9.0",  # [autoscaler] [karpenter]
        ),
        Minor(
            "1.36", eks_release=date(2026, 6, 2),  # [calendar] via endoflife.date
            end_of_standard_support=date(2027, 8, 2), end_of_extended_support=date(2028, 8, 2),
            # [1.36-wide] for the shared three; [coredns] and [kube-proxy] for 1.36's own.
            addons={**_SHARED_ADDONS, "coredns": "v1.14.3-eksbuild.3", "kube-proxy": "v1.36.0-eksbuild.14"},
            cluster_autoscaler_image="v1.36.1", karpenter_minimum="1.13.0",  # [autoscaler] [karpenter]
        ),
    )
}

# The oldest version of each wide-range addon known to run on a minor. Pins below it are
# refused; the table's own defaults (above) are the newest known.
_OLDEST_KNOWN = {
    # Production's pins run on 1.33: the platform architecture names v1.3.5-eksbuild.2 and
    # v1.42.0-eksbuild.1 on Kubernetes 1.33, and public EKS 1.33 configurations pin vpc-cni
    # v1.19.5-eksbuild.1 with coredns v1.12.1-eksbuild.2 and kube-proxy v1.33.0-eksbuild.2. For
    # 1.34 and 1.35 the table knows only its defaults.
    "1.33": {"vpc-cni": "v1.19.5-eksbuild.1", "eks-pod-identity-agent": "v1.3.5-eksbuild.2",
             "aws-ebs-csi-driver": "v1.42.0-eksbuild.1"},
    "1.34": _SHARED_ADDONS,
    "1.35": _SHARED_ADDONS,
    "1.36": _SHARED_ADDONS,  # [1.36-wide]
}
# [coredns] CoreDNS series -> the minors EKS offers it on.
_COREDNS_SERIES = {
    "1.11": ("1.29", "1.30", "1.31", "1.32"),
    "1.12": ("1.33", "1.34"),
    "1.13": ("1.33", "1.34", "1.35"),
    "1.14": ("1.35", "1.36"),
}

_ADDON_VERSION = re.compile(r"v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)")


def _parts(version: str) -> tuple[int, ...]:
    match = _ADDON_VERSION.fullmatch(version)
    if match is None:
        raise ValueError(f"{version!r} is not an EKS addon version")
    return tuple(int(p) for p in match.groups())


def _release(version: str) -> tuple[int, ...]:
    """MAJOR.MINOR.PATCH as numbers (Karpenter releases)."""
    return tuple(int(p) for p in version.split("."))


def supported_minors() -> tuple[str, ...]:
    return tuple(MINORS)


def minors_supported_on(day: date, status: SupportStatus | None = None) -> list[str]:
    """Minors EKS runs on ``day`` (or only those in ``status`` support)."""
    return [m.version for m in MINORS.values()
            if m.support_status(day) != "ended" and (status is None or m.support_status(day) == status)]


def today() -> date:
    """The date support status is judged on: $OFFICELESS_TODAY (YYYY-MM-DD) if set, else today."""
    value = os.environ.get(TODAY)
    return date.fromisoformat(value) if value else date.today()


def addon_fits(name: str, version: str, minor: str) -> str | None:
    """None when ``version`` of addon ``name`` runs on ``minor``; else what fits, for an error line."""
    major_, minor_, *_ = _parts(version)
    series = f"{major_}.{minor_}"
    if name == "kube-proxy":
        if series != minor:
            return f"kube-proxy is built per Kubernetes minor; allowed on {minor}: v{minor}.x-eksbuild.N, e.g. {MINORS[minor].addons[name]}"
        return None
    if name == "coredns":
        if minor not in _COREDNS_SERIES.get(series, ()):
            fitting = ", ".join(f"v{s}.x" for s, minors in _COREDNS_SERIES.items() if minor in minors)
            return f"CoreDNS {series} is not offered on {minor}; allowed on {minor}: {fitting}, e.g. {MINORS[minor].addons[name]}"
        return None
    oldest = _OLDEST_KNOWN[minor][name]
    if _parts(version) < _parts(oldest):
        return f"older than the oldest version known to run on {minor}; allowed: {oldest} or newer (default {MINORS[minor].addons[name]})"
    return None


def addon_newer_than_known(name: str, version: str, minor: str) -> str | None:
    """The table's newest version of addon ``name`` on ``minor`` when ``version`` is newer (legal,
    but nothing here says it exists: a typo such as v1.91 for v1.19 passes every other rule)."""
    newest = MINORS[minor].addons[name]
    return newest if _parts(version) > _parts(newest) else None


def addon_behind(name: str, version: str, minor: str) -> bool:
    """Whether ``version`` of addon ``name`` is older than the table's for ``minor``."""
    return _parts(version) < _parts(MINORS[minor].addons[name])


def cluster_autoscaler_image_fits(tag: str, minor: str) -> str | None:
    """None when image ``tag`` (e.g. v1.33.5) is built for ``minor``; else what fits."""
    match = re.fullmatch(r"v(\d+\.\d+)\.\d+", tag)
    if match is None or match.group(1) != minor:
        return (f"cluster-autoscaler's minor must equal the cluster's ({minor}); allowed: v{minor}.x, "
                f"e.g. {MINORS[minor].cluster_autoscaler_image}")
    return None


def karpenter_fits(version: str, minor: str) -> str | None:
    """None when Karpenter ``version`` supports Kubernetes ``minor`` [karpenter]; else what does."""
    oldest = MINORS[minor].karpenter_minimum
    if _release(version) < _release(oldest):
        return f"Karpenter supports Kubernetes {minor} from {oldest}; allowed: {oldest} or newer"
    return None


def minor_offset(older: str, newer: str) -> int:
    """How many minors ``newer`` is ahead of ``older`` (both MAJOR.MINOR, major 1)."""
    return int(newer.split(".")[1]) - int(older.split(".")[1])


def previous_minor(minor: str) -> str:
    major, number = minor.split(".")
    return f"{major}.{int(number) - 1}"


def next_minor(minor: str) -> str:
    major, number = minor.split(".")
    return f"{major}.{int(number) + 1}"
