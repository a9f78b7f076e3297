"""prometheus-node-exporter: each node's CPU, memory, disk and network metrics (port ``metrics``,
scraped by the Alloy on the same node)."""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, resources
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.tf import Construct, core

RELEASE = "prometheus-node-exporter"


def values(helm: HelmConfig) -> Values:
    return {
        "resources": resources(helm.size(RELEASE, "exporter").containers["node-exporter"]),
        # Every node, tainted system nodes too.
        "tolerations": [{"operator": "Exists"}],
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    return [Workload("prometheus-node-exporter", f"helm.sizes.{RELEASE}.exporter", "DaemonSet",
                     containers(helm.size(RELEASE, "exporter")), system=True)]


class NodeExporter(Addon):
    source = ChartSource("https://prometheus-community.github.io/helm-charts", "prometheus-node-exporter")
    namespace = "monitoring"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, helm: HelmConfig, timeout_seconds: int,
                 depends_on: list[core.ITerraformDependable]) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.prometheus_node_exporter.version,
                         timeout_seconds=timeout_seconds, depends_on=depends_on, values=values(helm))
