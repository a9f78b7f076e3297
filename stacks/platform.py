"""08-platform: the platform services applications use: External Secrets and Argo CD.

After 05-helm (the load balancer controller's webhook, the internal ingress class, Karpenter's
nodes) and 06-access (the tenant namespaces Argo CD deploys into). Its own lifecycle: GitOps and
secret delivery change with the applications, not with the cluster's addons, and a mistake here
must not roll back the observability stack.
"""

from __future__ import annotations

from components.addons.argocd import NAMESPACE as ARGOCD_NAMESPACE, ArgoCd
from components.addons.external_secrets import NAMESPACE as ESO_NAMESPACE, ExternalSecretsOperator, TenantSecretStore
from components.cluster_providers import configure_cluster_providers
from officeless.config.backend import CloudBackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, kubernetes
from stacks.access import AccessStack
from stacks.base import PlatformStack
from stacks.eks import EksStack
from stacks.helm import HelmStack

NAME = "08-platform"


def namespace(scope: Construct, name: str) -> kubernetes.namespace_v1.NamespaceV1:
    return kubernetes.namespace_v1.NamespaceV1(scope, f"namespace-{name}",
                                               metadata=kubernetes.namespace_v1.NamespaceV1Metadata(name=name))


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
        timeout = config.helm.timeout_seconds
        eso = None
        if config.external_secrets.enabled:
            eso = ExternalSecretsOperator(self, cluster=cluster, config=config.external_secrets,
                                          environment=config.environment, region=config.region, helm=config.helm,
                                          timeout_seconds=timeout, depends_on=[namespace(self, ESO_NAMESPACE)])
            for tenant in config.tenancy.tenants:
                TenantSecretStore(self, f"secret-store-{tenant.name}", cluster=cluster, operator=eso, tenant=tenant.name,
                                  prefix=tenant.secrets(config.environment), shared=tenant.shared_secrets)
        if config.argocd is not None:
            assert eso is not None  # config requires External Secrets with Argo CD
            ArgoCd(self, "argocd", cluster=cluster, config=config.argocd, environment=config.environment,
                   internal=config.ingress.internal, refresh_interval=config.external_secrets.refresh_interval,
                   helm=config.helm, timeout_seconds=timeout,
                   depends_on=[namespace(self, ARGOCD_NAMESPACE), eso.store.resource])
