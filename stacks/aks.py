"""The Kubernetes layer of an Azure environment (``cloud: azure``, issue #32), on 02-aks's cluster:
06-access (the tenant namespaces) and 08-platform (External Secrets with Azure Key Vault, each tenant
reading only its own vault). The observability stack (05-helm) and Argo CD follow.

The Kubernetes and Helm providers reach the cluster's private API server (run them from the network:
the VPN server, or CI inside it) and sign in to Entra ID through ``kubelogin`` (installed on the VPN
server, templates/vpn-server.cli-azure.sh), AKS's exec credential plugin, as the signed-in Azure CLI
(``az login``): local accounts are off, so no certificate or token is ever written into the JSON or the
state. https://azure.github.io/kubelogin/concepts/login-modes/azurecli.html
"""

from __future__ import annotations

from components.addons import catalog
from components.tenant import tenants
from officeless.config.azure import AzureConfig
from officeless.tf import Construct, core, helm, kubernetes
from stacks.azure import AksClusterStack, AzureNetworkStack, AzureStack

ACCESS, PLATFORM = "06-access", "08-platform"
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
# The application id of the Azure Kubernetes Service AAD Server, the audience of every AKS token:
# https://azure.github.io/kubelogin/concepts/aks.html
AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
KUBELOGIN = ["get-token", "--login", "azurecli", "--server-id", AKS_SERVER_ID]


class AksLayerStack(AzureStack):
    """A stack of the Kubernetes layer: the azurerm provider and its state as every Azure stack, and the
    Kubernetes (and Helm) providers on 02-aks's private API server. :param with_helm: the Helm provider
    too. Default True."""

    def __init__(self, scope: Construct, stack_name: str, *, config: AzureConfig, cluster: AksClusterStack,
                 with_helm: bool = True) -> None:
        super().__init__(scope, stack_name, config=config)
        kube = cluster.cluster.kube_config.get(0)
        host, ca = kube.host, core.Fn.base64decode(kube.cluster_ca_certificate)
        if with_helm:
            helm.provider.HelmProvider(self, "helm", kubernetes=helm.provider.HelmProviderKubernetes(
                host=host, cluster_ca_certificate=ca,
                exec=helm.provider.HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command="kubelogin",
                                                              args=KUBELOGIN)))
        kubernetes.provider.KubernetesProvider(
            self, "kubernetes", host=host, cluster_ca_certificate=ca,
            exec=[kubernetes.provider.KubernetesProviderExec(api_version=EXEC_API_VERSION, command="kubelogin",
                                                             args=KUBELOGIN)])


class AksAccessStack(AksLayerStack):
    """06-access: the tenant namespaces exactly as on EKS (quotas, container defaults, Pod Security,
    default-deny network policies that Cilium enforces, RBAC groups ``<namespace>:<level>``), without
    EKS's Pod Identity agent egress; 'vpc' in a tenant's rules is the VNet."""

    def __init__(self, scope: Construct, *, config: AzureConfig, cluster: AksClusterStack) -> None:
        super().__init__(scope, ACCESS, config=config, cluster=cluster, with_helm=False)
        self.tenants = tenants(self, config.tenancy, vpc_cidr=config.network.cidr, pod_identity_agent=False)
        core.TerraformOutput(self, "tenant_namespaces", value=[t.name for t in self.tenants],
                             description="Tenant namespaces, in config order")


class AksPlatformStack(AksLayerStack):
    """08-platform: the catalog's entries for AKS (components/addons/catalog.py): External Secrets with
    Azure Key Vault (external_secrets.AksSecretStores): the operator without an identity of its own,
    the platform's ClusterSecretStore and one SecretStore per tenant, each signing in as a managed
    identity that may read its own vault alone."""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack,
                 cluster: AksClusterStack) -> None:
        super().__init__(scope, PLATFORM, config=config, cluster=cluster)
        wiring = catalog.Wiring(self, config, None, None, azure_network=network, azure_cluster=cluster)
        for entry in catalog.entries(config, catalog.PLATFORM):
            entry.build(wiring)
