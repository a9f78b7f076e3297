"""metrics-server: the resource metrics API (kubectl top, HorizontalPodAutoscalers)."""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, disruption_budget, resources, spread, system_tolerations
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.sizes import ComponentSize
from officeless.tf import Construct, core

RELEASE = "metrics-server"
SELECTOR = {"app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": RELEASE}


def values(size: ComponentSize, tolerate_system_taint: bool = False) -> Values:
    budget = disruption_budget(size.replicas)
    return {
        "replicas": size.replicas,
        "resources": resources(size.containers["metrics-server"]),
        "podDisruptionBudget": {"enabled": budget is not None, **(budget or {})},
        "topologySpreadConstraints": spread(SELECTOR, size.replicas),
        **system_tolerations(tolerate_system_taint),
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    size = helm.size(RELEASE, "server")
    return [Workload("metrics-server", f"helm.sizes.{RELEASE}.server", "Deployment", containers(size),
                     replicas=size.replicas, system=True)]


class MetricsServer(Addon):
    """:param tolerate_system_taint: run on a system node group too. Default False."""

    source = ChartSource("https://kubernetes-sigs.github.io/metrics-server/", "metrics-server")
    namespace = "kube-system"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, helm: HelmConfig,
                 timeout_seconds: int, depends_on: list[core.ITerraformDependable], tolerate_system_taint: bool = False) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.metrics_server.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on, values=values(helm.size(RELEASE, "server"), tolerate_system_taint))
