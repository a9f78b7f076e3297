"""kube-state-metrics: the state of Kubernetes objects (node conditions, pod phases, restarts,
deployments' replicas) as metrics, scraped by alloy-singleton."""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, resources
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.tf import Construct, core

RELEASE = "kube-state-metrics"


def values(helm: HelmConfig) -> Values:
    size = helm.size(RELEASE, "server")
    return {"replicas": size.replicas, "resources": resources(size.containers["kube-state-metrics"])}


def workloads(helm: HelmConfig) -> list[Workload]:
    size = helm.size(RELEASE, "server")
    return [Workload("kube-state-metrics", f"helm.sizes.{RELEASE}.server", "Deployment", containers(size),
                     replicas=size.replicas)]


class KubeStateMetrics(Addon):
    source = ChartSource("https://prometheus-community.github.io/helm-charts", "kube-state-metrics")
    namespace = "monitoring"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, helm: HelmConfig, timeout_seconds: int,
                 depends_on: list[core.ITerraformDependable]) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.kube_state_metrics.version,
                         timeout_seconds=timeout_seconds, depends_on=depends_on, values=values(helm))
