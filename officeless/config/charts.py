"""The chart version table (issue #30, item 2): per chart the platform installs, the version the
deployment guide documents (what production pins), the newest release found, when it was
released and where that was read. ``make outdated`` reports every pin against it.

Each "current" is the newest release tag in the chart's own repository as stored on 2026-08-22
(the date of the newest snapshot read); each source names the tag or commit. No chart here
publishes an end-of-support date, so the table says "behind", not "unsupported": upgrading is
a decision per chart, read against its upgrade notes (``note``), and rendered before it lands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ChartRelease:
    chart: str
    documented: str | None  # the deployment guide's pin; None for charts it does not name
    current: str
    released: date  # of ``current``
    source: str  # where ``current`` was read
    note: str = ""  # what an upgrade to ``current`` involves
    # The newest release the project's values run, where ``current`` needs what the project does
    # not build (a config pinning ``current`` is refused); unset charts run it. None: ``current``.
    runs: str | None = None


CHARTS: dict[str, ChartRelease] = {r.chart: r for r in (
    ChartRelease("aws-load-balancer-controller", "1.12.0", "3.5.0", date(2026, 8, 3),
                 "https://github.com/aws/eks-charts/commit/5239609 (stable/aws-load-balancer-controller v3.5.0)",
                 "v3 line: Gateway API GA since 3.0; the v2 line is frozen"),
    ChartRelease("cluster-autoscaler", "9.45.0", "9.59.0", date(2026, 7, 21),
                 "https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-chart-9.59.0",
                 "the image tag follows the cluster's minor (officeless/config/versions.py), not the chart"),
    ChartRelease("metrics-server", "3.12.2", "3.13.1", date(2026, 6, 11),
                 "https://github.com/kubernetes-sigs/metrics-server/releases/tag/metrics-server-helm-chart-3.13.1"),
    ChartRelease("aws-efs-csi-driver", "3.1.8", "4.4.1", date(2026, 7, 23),
                 "https://github.com/kubernetes-sigs/aws-efs-csi-driver/releases/tag/helm-chart-aws-efs-csi-driver-4.4.1"),
    ChartRelease("secrets-store-csi-driver", "1.5.0", "1.6.0", date(2026, 4, 29),
                 "https://github.com/kubernetes-sigs/secrets-store-csi-driver/releases/tag/v1.6.0",
                 "kubeVersion >=1.30.0-0"),
    ChartRelease("secrets-store-csi-driver-provider-aws", "1.0.1", "2.1.1", date(2025, 9, 23),
                 "https://github.com/aws/secrets-store-csi-driver-provider-aws/releases/tag/"
                 "secrets-store-csi-driver-provider-aws-2.1.1",
                 "2.x can install the driver itself: off, or a second driver beside 05-helm's"),
    ChartRelease("mimir-distributed", "5.7.0", "6.2.0", date(2026, 8, 19),
                 "https://github.com/grafana/helm-charts/releases/tag/mimir-distributed-6.2.0"),
    ChartRelease("loki", "6.30.1", "18.11.0", date(2026, 8, 20),
                 "https://github.com/grafana-community/helm-charts/releases/tag/loki-18.11.0",
                 "published by grafana-community from 7.0.0 (another repository URL); single binary renamed "
                 "Monolithic at 12.0.0; dev runs it"),
    ChartRelease("tempo-distributed", "1.42.0", "3.3.0", date(2026, 8, 20),
                 "https://github.com/grafana-community/helm-charts/releases/tag/tempo-distributed-3.3.0",
                 "published by grafana-community from 1.62.0; 3.x writes through Kafka, which the platform does not "
                 "run: unpinned runs 2.26.2, the last 2.x (tag tempo-distributed-2.26.2, 2026-07-07)",
                 runs="2.26.2"),
    ChartRelease("alloy", "1.11.1", "1.11.1", date(2026, 8, 6),
                 "https://github.com/grafana/alloy/releases/tag/helm-chart%2F1.11.1"),
    ChartRelease("kube-state-metrics", "8.4.0", "8.4.0", date(2026, 8, 18),
                 "https://github.com/prometheus-community/helm-charts/releases/tag/kube-state-metrics-8.4.0"),
    ChartRelease("prometheus-node-exporter", "4.56.1", "4.56.1", date(2026, 7, 14),
                 "https://github.com/prometheus-community/helm-charts/releases/tag/prometheus-node-exporter-4.56.1"),
    ChartRelease("grafana", "12.11.1", "12.11.1", date(2026, 8, 19),
                 "https://github.com/grafana-community/helm-charts/releases/tag/grafana-12.11.1"),
    ChartRelease("external-secrets", None, "2.9.0", date(2026, 8, 8),
                 "https://github.com/external-secrets/external-secrets/releases/tag/helm-chart-2.9.0"),
    ChartRelease("argo-cd", None, "10.1.1", date(2026, 7, 2),
                 "https://github.com/argoproj/argo-helm/releases/tag/argo-cd-10.1.1"),
    ChartRelease("argocd-apps", None, "2.0.5", date(2026, 5, 15),
                 "https://github.com/argoproj/argo-helm/releases/tag/argocd-apps-2.0.5"),
    # The existing-cluster target's own (issue #29).
    ChartRelease("kubernetes-ingress", None, "1.52.1", date(2026, 7, 3),
                 "https://github.com/haproxytech/helm-charts/releases/tag/kubernetes-ingress-1.52.1"),
    ChartRelease("valkey", None, "0.11.0", date(2026, 7, 22),
                 "https://github.com/valkey-io/valkey-helm/releases/tag/valkey-0.11.0"),
    ChartRelease("seaweedfs", None, "4.44.0", date(2026, 8, 22),
                 "https://github.com/seaweedfs/seaweedfs/releases/tag/4.44 (chart 4.44.0)"),
)}


# Each chart version pinned anywhere here -> its Chart.yaml ``kubeVersion`` (None: it declares none,
# and Helm installs it on any Kubernetes) and where that was read (repository@commit of the chart's
# source at that version). Helm refuses to install a chart whose kubeVersion excludes the cluster's
# version; config refuses the pin first, and `make upgrade-plan` upgrades it before the minor moves.
KUBE_VERSIONS: dict[tuple[str, str], tuple[str | None, str]] = {
    ("aws-load-balancer-controller", "1.12.0"): (None, "aws/eks-charts@b08f678"),
    ("aws-load-balancer-controller", "3.5.0"): (None, "aws/eks-charts@5239609"),
    ("cluster-autoscaler", "9.45.0"): (None, "kubernetes/autoscaler@5651d9d92d"),
    ("cluster-autoscaler", "9.59.0"): (None, "kubernetes/autoscaler@ed78fb12c3"),
    ("metrics-server", "3.12.2"): (None, "kubernetes-sigs/metrics-server@c947981e"),
    ("metrics-server", "3.13.1"): (None, "kubernetes-sigs/metrics-server@214abbab"),
    ("aws-efs-csi-driver", "3.1.8"): (">=1.17.0-0", "kubernetes-sigs/aws-efs-csi-driver@be7cf1ad"),
    ("aws-efs-csi-driver", "4.4.1"): (">=1.17.0-0", "kubernetes-sigs/aws-efs-csi-driver@06828950"),
    ("secrets-store-csi-driver", "1.5.0"): (">=1.16.0-0", "kubernetes-sigs/secrets-store-csi-driver@4fddb09a"),
    ("secrets-store-csi-driver", "1.6.0"): (">=1.30.0-0", "kubernetes-sigs/secrets-store-csi-driver@e5ecbca6"),
    ("secrets-store-csi-driver-provider-aws", "1.0.1"): (">=1.17.0-0", "aws/secrets-store-csi-driver-provider-aws@4048ba1"),
    ("secrets-store-csi-driver-provider-aws", "2.1.1"): (">=1.17.0-0", "aws/secrets-store-csi-driver-provider-aws@1e0ad64"),
    ("loki", "6.30.1"): (None, "grafana/loki@0641089b43 (production/helm/loki)"),
    ("loki", "18.11.0"): (">=1.25.0-0", "grafana-community/helm-charts@3386a115"),
    ("tempo-distributed", "1.42.0"): (None, "grafana/helm-charts@1a177b7cc"),
    ("tempo-distributed", "2.26.2"): ("^1.25.0-0", "grafana-community/helm-charts@3da78851"),
    ("tempo-distributed", "3.3.0"): ("^1.25.0-0", "grafana-community/helm-charts@2785d07e"),
    ("alloy", "1.11.1"): (None, "grafana/alloy@233907cff2"),
    ("kube-state-metrics", "8.4.0"): (None, "prometheus-community/helm-charts@1982f1c58"),
    ("prometheus-node-exporter", "4.56.1"): (None, "prometheus-community/helm-charts@8b8e639ca"),
    ("grafana", "12.11.1"): ("^1.25.0-0", "grafana-community/helm-charts@864f7794"),
    ("external-secrets", "2.9.0"): (">= 1.19.0-0", "external-secrets/external-secrets@cc5bfbc22"),
    ("argo-cd", "10.1.1"): (">=1.25.0-0", "argoproj/argo-helm@af0a9310"),
    ("argocd-apps", "2.0.5"): (None, "argoproj/argo-helm@aa19dd71"),
    ("kubernetes-ingress", "1.52.1"): (">=1.23.0-0", "haproxytech/helm-charts@b8973b0"),
    ("valkey", "0.11.0"): (None, "valkey-io/valkey-helm@bde1691"),
    ("seaweedfs", "4.44.0"): (None, "seaweedfs/seaweedfs@356373869"),
}
# Pinned versions whose Chart.yaml could not be read here, and why (their kubeVersion is not checked).
KUBE_VERSIONS_UNREAD = {
    ("mimir-distributed", "5.7.0"): "its source, grafana/mimir, is over the size a snapshot may have here",
}

_TERM = re.compile(r"(>=|<=|>|<|=|\^|~)?\s*v?(\d+)\.(\d+)(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?")


def _admits(constraint: str, minor: str) -> bool:
    """Whether a Chart.yaml kubeVersion (space- or comma-separated terms, all must hold; "||" not
    used by any chart here and refused) admits every patch of Kubernetes ``minor``. A "-0" suffix
    only lets prereleases such as EKS's "v1.35.3-eks-..." in; release versions compare without it."""
    if "||" in constraint:
        raise ValueError(f"kubeVersion {constraint!r}: '||' is not evaluated here")
    version = (*(int(p) for p in minor.split(".")), 0)
    for op, major, minor_, patch in _TERM.findall(constraint.replace(",", " ")):
        bound = (int(major), int(minor_), int(patch or 0))
        upper = {"^": (bound[0] + 1, 0, 0), "~": (bound[0], bound[1] + 1, 0)}.get(op)
        ok = {">=": version >= bound, ">": version > bound, "<=": version <= bound, "<": version < bound,
              "=": version[:2] == bound[:2], "": version[:2] == bound[:2]}.get(op)
        if upper is not None:
            ok = bound <= version < upper
        if not ok:
            return False
    return True


def pins(config) -> list[tuple[str, str, str]]:
    """(config field, chart, version) of every chart pin the environment's target installs: the helm
    section's and the platform's (External Secrets, Argo CD)."""
    helm = config.helm
    out = [(f"helm.{field}.version", chart, getattr(helm, field).version) for field, chart in FIELD_CHARTS.items()
           if getattr(helm, field, None) is not None]  # a managed cluster's own (GKE's metrics-server) is None
    if config.external_secrets.enabled:
        out.append(("external_secrets.version", "external-secrets", config.external_secrets.version))
    if config.argocd is not None:
        out += [("argocd.version", "argo-cd", config.argocd.version),
                ("argocd.apps_version", "argocd-apps", config.argocd.apps_version)]
    return out


def cluster_minor(config) -> str | None:
    """The Kubernetes minor of the cluster the config creates (EKS, GKE or AKS); None for an existing one."""
    for section in ("eks", "gke", "aks"):
        cluster = getattr(config, section, None)
        if cluster is not None:
            return cluster.kubernetes_version
    return None


def kube_version_refuses(chart: str, version: str, minor: str) -> str | None:
    """The chart's kubeVersion and its source when it excludes Kubernetes ``minor``; None when it
    admits it, declares none, or was not read here."""
    constraint, source = KUBE_VERSIONS.get((chart, version), (None, ""))
    if constraint is None or _admits(constraint, minor):
        return None
    return f"{chart} {version} declares kubeVersion {constraint!r} ({source}), which excludes Kubernetes {minor}"


# The helm section's chart fields -> their charts. A field whose pin config leaves out gets the
# chart's current release: dev runs today's charts as it runs today's EKS addons, while production
# pins the deployment guide's versions (issue #30).
FIELD_CHARTS = {
    "aws_load_balancer_controller": "aws-load-balancer-controller", "cluster_autoscaler": "cluster-autoscaler",
    "metrics_server": "metrics-server", "aws_efs_csi_driver": "aws-efs-csi-driver",
    "secrets_store_csi_driver": "secrets-store-csi-driver",
    "secrets_store_csi_driver_provider_aws": "secrets-store-csi-driver-provider-aws", "mimir": "mimir-distributed",
    "loki": "loki", "tempo": "tempo-distributed", "alloy": "alloy", "kube_state_metrics": "kube-state-metrics",
    "prometheus_node_exporter": "prometheus-node-exporter", "grafana": "grafana",
}


def runnable(chart: str) -> str:
    """The newest release of ``chart`` the project runs: the current one, or ``runs``."""
    return CHARTS[chart].runs or CHARTS[chart].current


def current(field: str) -> str | None:
    """The release a chart of helm section field ``field`` runs when config pins none."""
    chart = FIELD_CHARTS.get(field)
    return runnable(chart) if chart else None


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def at_least(version: str, floor: str) -> bool:
    """Whether chart ``version`` is ``floor`` or newer (both MAJOR.MINOR.PATCH): for values keys and
    repositories that changed at a release."""
    return _parts(version) >= _parts(floor)


def status(chart: str, pinned: str) -> tuple[str, str]:
    """(newest known, status) of ``chart`` pinned at ``pinned``."""
    row = CHARTS.get(chart)
    if row is None:
        return "unknown", "not in the chart table (officeless/config/charts.py)"
    if at_least(pinned, row.current):
        return row.current, "current"
    major = "; a new major" if _parts(pinned)[0] < _parts(row.current)[0] else ""
    note = f": {row.note}" if row.note else ""
    return row.current, f"behind: {row.current} released {row.released}{major}{note}"
