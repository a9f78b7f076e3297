"""The chart version table (issue #30, item 2): per chart the platform installs, the version the
deployment guide documents (what production pins), the newest release found, when it was
released and where that was read. ``make outdated`` reports every pin against it.

Each "current" is the newest release tag in the chart's own repository as stored on 2026-08-22
(the date of the newest snapshot read); each source names the tag or commit. No chart here
publishes an end-of-support date, so the table says "behind", not "unsupported": upgrading is
a decision per chart, read against its upgrade notes (``note``), and rendered before it lands.
"""

from __future__ import annotations

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


def current(field: str) -> str | None:
    """The release a chart of helm section field ``field`` runs when config pins none: the current
    one, or the newest the project runs (``runs``)."""
    chart = FIELD_CHARTS.get(field)
    return (CHARTS[chart].runs or CHARTS[chart].current) if chart else None


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
    if _parts(pinned) >= _parts(row.current):
        return row.current, "current"
    major = "; a new major" if _parts(pinned)[0] < _parts(row.current)[0] else ""
    note = f": {row.note}" if row.note else ""
    return row.current, f"behind: {row.current} released {row.released}{major}{note}"
