"""Secrets Store CSI driver and its AWS provider: Secrets Manager secrets as mounted files."""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, resources
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.tf import Construct, core

DRIVER = "secrets-store-csi-driver"
PROVIDER = "secrets-store-csi-driver-provider-aws"


def driver_values(helm: HelmConfig) -> Values:
    node, crds = helm.size(DRIVER, "node"), helm.size(DRIVER, "crds")
    return {
        "syncSecret": {"enabled": True}, "enableSecretRotation": True,
        "linux": {
            "driver": {"resources": resources(node.containers["secrets-store"])},
            "registrar": {"resources": resources(node.containers["node-driver-registrar"])},
            "livenessProbe": {"resources": resources(node.containers["liveness-probe"])},
            "crds": {"resources": resources(crds.containers["crds"])},
        },
    }


def provider_values(helm: HelmConfig) -> Values:
    return {
        # The driver is installed by its own release. Chart 1.0.1 has no such key (Helm ignores it);
        # from chart 2.0.0 it exists and defaults to true, which would install a second driver, so it
        # stays here, false, for every version.
        "secrets-store-csi-driver": {"install": False},
        "resources": resources(helm.size(PROVIDER, "node").containers["provider-aws-installer"]),
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    return [
        Workload("secrets-store-csi-driver", f"helm.sizes.{DRIVER}.node", "DaemonSet",
                 containers(helm.size(DRIVER, "node")), system=True),
        # The provider's chart tolerates no taint: it stays off system node groups, where no pod
        # mounts secrets (the driver's DaemonSet tolerates everything and runs there anyway).
        Workload("secrets-store-csi-driver-provider-aws", f"helm.sizes.{PROVIDER}.node", "DaemonSet",
                 containers(helm.size(PROVIDER, "node"))),
    ]


class SecretsStoreCsiDriver(Addon):
    source = ChartSource("https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts", DRIVER)
    namespace = "kube-system"

    def __init__(self, scope: Construct, id_: str = DRIVER, *, cluster: EksCluster, helm: HelmConfig, timeout_seconds: int,
                 depends_on: list[core.ITerraformDependable]) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.secrets_store_csi_driver.version,
                         timeout_seconds=timeout_seconds, depends_on=depends_on, values=driver_values(helm))


class SecretsStoreProviderAws(Addon):
    source = ChartSource("https://aws.github.io/secrets-store-csi-driver-provider-aws", PROVIDER)
    namespace = "kube-system"

    def __init__(self, scope: Construct, id_: str = PROVIDER, *, cluster: EksCluster, helm: HelmConfig, timeout_seconds: int,
                 driver: SecretsStoreCsiDriver) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.secrets_store_csi_driver_provider_aws.version,
                         timeout_seconds=timeout_seconds, depends_on=[driver.resource], values=provider_values(helm))
