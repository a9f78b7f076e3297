"""The Kubernetes layer of an Azure environment (``cloud: azure``, issue #32), on 02-aks's cluster:
05-helm (the observability stack on Blob Storage), 06-access (the tenant namespaces) and 08-platform
(External Secrets with Azure Key Vault, each tenant reading only its own vault; Argo CD). Load
balancing follows.

The Kubernetes and Helm providers reach the cluster's private API server (run them from the network:
the VPN server, or CI inside it) and sign in to Entra ID through ``kubelogin`` (installed on the VPN
server, templates/vpn-server.cli-azure.sh), AKS's exec credential plugin, by default as the signed-in
Azure CLI (``az login``; ``aks.kubelogin_login`` picks another mode, e.g. a Terraform Cloud agent VM's
managed identity): local accounts are off, so no certificate or token is ever written into the JSON or
the state. https://azure.github.io/kubelogin/concepts/login-modes.html
"""

from __future__ import annotations

from components.addons import catalog
from components.tenant import tenants
from officeless.config.azure import AzureConfig
from officeless.tf import Construct, core, helm, kubernetes
from stacks.azure import AksClusterStack, AzureNetworkStack, AzureStack, AzureStorageStack

HELM, ACCESS, PLATFORM = "05-helm", "06-access", "08-platform"
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


class AksLayerStack(AzureStack):
    """A stack of the Kubernetes layer: the azurerm provider and its state as every Azure stack, and the
    Kubernetes (and Helm) providers on 02-aks's private API server. :param with_helm: the Helm provider
    too. Default True."""

    def __init__(self, scope: Construct, stack_name: str, *, config: AzureConfig, cluster: AksClusterStack,
                 with_helm: bool = True) -> None:
        super().__init__(scope, stack_name, config=config)
        kube = cluster.cluster.kube_config.get(0)
        host, ca, args = kube.host, core.Fn.base64decode(kube.cluster_ca_certificate), config.aks.kubelogin_args
        if with_helm:
            helm.provider.HelmProvider(self, "helm", kubernetes=helm.provider.HelmProviderKubernetes(
                host=host, cluster_ca_certificate=ca,
                exec=helm.provider.HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command="kubelogin",
                                                              args=args)))
        kubernetes.provider.KubernetesProvider(
            self, "kubernetes", host=host, cluster_ca_certificate=ca,
            exec=[kubernetes.provider.KubernetesProviderExec(api_version=EXEC_API_VERSION, command="kubelogin",
                                                             args=args)])


class AksHelmStack(AksLayerStack):
    """05-helm: the catalog's entries for AKS (components/addons/catalog.py): the monitoring namespace,
    Mimir, Loki and Tempo on 03-blob's containers, the collector and Grafana (on an internal load balancer).
    Each backend's pods sign in as a managed identity of their own (AKS's Workload Identity: no account
    key, no Secret), federated with exactly the backend's Kubernetes service account, which may read and
    write its own containers and no other (Storage Blob Data Contributor on each container)."""

    def __init__(self, scope: Construct, *, config: AzureConfig, cluster: AksClusterStack,
                 storage: AzureStorageStack) -> None:
        from components.addons import loki, mimir, tempo
        from components.addons.endpoints import MONITORING
        from components.addons.external_secrets import TOKEN_AUDIENCE
        from officeless.config.helm import COMPONENT_BUCKETS
        from officeless.tf import azurerm

        super().__init__(scope, HELM, config=config, cluster=cluster)
        accounts = {"mimir": mimir.Mimir.service_account, "loki": loki.Loki.service_account,
                    "tempo": tempo.Tempo.service_account}
        client_ids = {}
        for component in config.helm.enabled_observability():
            identity = azurerm.user_assigned_identity.UserAssignedIdentity(
                self, f"{component}-identity", name=f"{config.environment}-{component}", resource_group_name=config.resource_group,
                location=config.location, tags=self.tags)
            azurerm.federated_identity_credential.FederatedIdentityCredential(
                self, f"{component}-federation", name=f"{MONITORING}-{accounts[component]}",
                resource_group_name=config.resource_group, parent_id=identity.id, audience=[TOKEN_AUDIENCE],
                issuer=cluster.cluster.oidc_issuer_url, subject=f"system:serviceaccount:{MONITORING}:{accounts[component]}")
            for purpose in COMPONENT_BUCKETS[component]:
                azurerm.role_assignment.RoleAssignment(
                    self, f"{component}-uses-{purpose}", role_definition_name="Storage Blob Data Contributor",
                    scope=f"{storage.account.id}/blobServices/default/containers/{purpose}",
                    principal_id=identity.principal_id, principal_type="ServicePrincipal")
            client_ids[component] = identity.client_id
        wiring = catalog.Wiring(self, config, None, None, client_ids=client_ids)
        for entry in catalog.entries(config, catalog.HELM):
            entry.build(wiring)


# tenant_access's levels -> AKS's built-in roles for Kubernetes authorization through Azure RBAC:
# https://learn.microsoft.com/azure/aks/manage-azure-rbac#aks-built-in-roles
TENANT_ROLES = {"admin": "Azure Kubernetes Service RBAC Admin", "edit": "Azure Kubernetes Service RBAC Writer",
                "view": "Azure Kubernetes Service RBAC Reader"}


class AksAccessStack(AksLayerStack):
    """06-access: the tenant namespaces as on EKS (quotas, container defaults, Pod Security, default-deny
    network policies that Cilium enforces), without EKS's Pod Identity agent egress; 'vpc' in a tenant's
    rules is the VNet. Who works there is Azure RBAC's: ``tenant_access`` grants each listed Entra ID
    object its level's AKS role on that namespace alone (the RoleBindings to EKS's ``<namespace>:<level>``
    groups are made as everywhere, and match no Entra ID token, whose groups are object ids)."""

    def __init__(self, scope: Construct, *, config: AzureConfig, cluster: AksClusterStack) -> None:
        from officeless.tf import azurerm

        super().__init__(scope, ACCESS, config=config, cluster=cluster, with_helm=False)
        self.tenants = tenants(self, config.tenancy, vpc_cidr=config.network.cidr, pod_identity_agent=False)
        for tenant, levels in config.tenant_access.items():
            for level, members in levels.items():
                for i, member in enumerate(members):
                    azurerm.role_assignment.RoleAssignment(
                        self, f"tenant-{tenant}-{level}-{i}", scope=f"{cluster.cluster.id}/namespaces/{tenant}",
                        role_definition_name=TENANT_ROLES[level], principal_id=member)
        core.TerraformOutput(self, "tenant_namespaces", value=[t.name for t in self.tenants],
                             description="Tenant namespaces, in config order")


class AksPlatformStack(AksLayerStack):
    """08-platform: the catalog's entries for AKS (components/addons/catalog.py): External Secrets with
    Azure Key Vault (external_secrets.AksSecretStores): the operator without an identity of its own,
    the platform's ClusterSecretStore and one SecretStore per tenant, each signing in as a managed
    identity that may read its own vault alone; Argo CD with its secrets from the platform's vault."""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack,
                 cluster: AksClusterStack) -> None:
        super().__init__(scope, PLATFORM, config=config, cluster=cluster)
        wiring = catalog.Wiring(self, config, None, None, azure_network=network, azure_cluster=cluster)
        for entry in catalog.entries(config, catalog.PLATFORM):
            entry.build(wiring)
