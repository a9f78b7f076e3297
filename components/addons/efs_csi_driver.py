"""Amazon EFS CSI driver and the ``efs`` storage class (dynamic provisioning with access points)."""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, disruption_budget, resources, spread
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.tf import Construct, core, kubernetes

RELEASE = "aws-efs-csi-driver"
SELECTOR = {"app": "efs-csi-controller", "app.kubernetes.io/name": "aws-efs-csi-driver", "app.kubernetes.io/instance": RELEASE}


def values(helm: HelmConfig) -> Values:
    controller, node, sidecars = (helm.size(RELEASE, c) for c in ("controller", "node", "sidecars"))
    budget = disruption_budget(controller.replicas)
    return {
        "controller": {
            "serviceAccount": {"create": True, "name": EfsCsiDriver.service_account},
            "replicaCount": controller.replicas,
            "resources": resources(controller.containers["efs-plugin"]),
            # minAvailable null: the chart's default (1) and maxUnavailable must not both be set.
            "podDisruptionBudget": {"enabled": budget is not None, "minAvailable": None, **(budget or {})},
            "topologySpreadConstraints": [{k: v for k, v in c.items() if k != "labelSelector"}
                                          for c in spread(SELECTOR, controller.replicas)],
        },
        "node": {"resources": resources(node.containers["efs-plugin"])},
        # One setting per sidecar, for controller and node pods alike.
        "sidecars": {
            "csiProvisioner": {"resources": resources(sidecars.containers["csi-provisioner"])},
            "nodeDriverRegistrar": {"resources": resources(sidecars.containers["csi-driver-registrar"])},
            "livenessProbe": {"resources": resources(sidecars.containers["liveness-probe"])},
        },
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    controller, node, sidecars = (helm.size(RELEASE, c) for c in ("controller", "node", "sidecars"))
    return [
        Workload("efs-csi-controller", f"helm.sizes.{RELEASE}.controller", "Deployment",
                 (*containers(controller), *containers(sidecars, "csi-provisioner", "liveness-probe")),
                 replicas=controller.replicas, system=True),
        Workload("efs-csi-node", f"helm.sizes.{RELEASE}.node", "DaemonSet",
                 (*containers(node), *containers(sidecars, "csi-driver-registrar", "liveness-probe")), system=True),
    ]


class EfsCsiDriver(Addon):
    """:param file_system_id: the shared EFS file system (02-eks) the ``efs`` class provisions in."""

    source = ChartSource("https://kubernetes-sigs.github.io/aws-efs-csi-driver/", "aws-efs-csi-driver")
    namespace = "kube-system"
    service_account = "efs-csi-controller-sa"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, helm: HelmConfig, file_system_id: str,
                 timeout_seconds: int, depends_on: list[core.ITerraformDependable]) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.aws_efs_csi_driver.version,
                         timeout_seconds=timeout_seconds, depends_on=depends_on,
                         managed_policies=["service-role/AmazonEFSCSIDriverPolicy"], values=values(helm))
        # In the stack, under the id it has always had.
        self.storage_class = kubernetes.storage_class_v1.StorageClassV1(
            scope, "storage-class-efs", metadata=kubernetes.storage_class_v1.StorageClassV1Metadata(name="efs"),
            storage_provisioner="efs.csi.aws.com",
            parameters={"provisioningMode": "efs-ap", "fileSystemId": file_system_id, "directoryPerms": "700"},
            depends_on=[self.resource],
        )
