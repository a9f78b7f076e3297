"""08-platform: the platform services applications use: External Secrets and Argo CD.

After 05-helm (the load balancer controller's webhook, the internal ingress class, Karpenter's
nodes) and 06-access (the tenant namespaces Argo CD deploys into). Its own lifecycle: GitOps and
secret delivery change with the applications, not with the cluster's addons, and a mistake here
must not roll back the observability stack. Its addons are the 08-platform entries of the addon
catalog (components/addons/catalog.py), built in catalog order.
"""

from __future__ import annotations

from components.addons import catalog
from components.cluster_providers import configure_cluster_providers
from officeless.config.backend import CloudBackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.access import AccessStack
from stacks.base import PlatformStack
from stacks.eks import EksStack
from stacks.helm import HelmStack

NAME = "08-platform"


class PlatformServicesStack(PlatformStack):
    """:param eks: 02-eks (the cluster): cross-stack references. :param helm: 05-helm and
    :param access: 06-access, which must have run first (declared dependencies)."""

    def __init__(self, scope: Construct, *, config: PlatformConfig, eks: EksStack, helm: HelmStack,
                 access: AccessStack) -> None:
        super().__init__(scope, NAME, config=config)
        self.add_dependency(helm)
        self.add_dependency(access)
        cluster = eks.cluster
        configure_cluster_providers(self, cluster=cluster, region=config.region,
                                    planners=isinstance(config.backend, CloudBackendConfig))
        wiring = catalog.Wiring(self, config, cluster, eks, system=bool(config.eks.system_node_groups))
        for entry in catalog.entries(config, catalog.PLATFORM):
            entry.build(wiring)
