"""External Secrets Operator (08-platform): Secrets Manager secrets as Kubernetes Secrets, each
namespace reading only its own.

- The controller has no AWS identity of its own (no Pod Identity, no IRSA annotation on its
  service account). A store without ``auth`` uses the controller's own credentials
  (providers/v1/aws/auth/auth.go in v2.9.0: no JWT or secretRef, the SDK's default chain), so any
  SecretStore a tenant writes could otherwise read what the controller reads. With none, it
  reads nothing; IMDSv2's hop limit of 1 keeps the node role out of reach (02-eks).
- The platform's store, the ClusterSecretStore ``aws-secrets-manager``, authenticates as the
  service account ``platform-secret-store`` in ``external-secrets`` (IRSA, role
  ``<cluster>-external-secrets``), reads only ``external_secrets.platform_prefixes`` (default
  ``<environment>/argocd/*``), and serves only the platform's namespaces (``spec.conditions``).
- Each tenant namespace gets a SecretStore ``aws-secrets-manager`` (the name the EKS architecture
  overview's ExternalSecrets use, so ``secretStoreRef: {name: aws-secrets-manager}`` works as
  written) authenticating as its own service account ``secret-store``, whose role trusts only
  ``system:serviceaccount:<tenant>:secret-store`` and reads only the tenant's ``secret_prefix``.
  For a namespaced store the controller ignores ``serviceAccountRef.namespace`` and takes the
  store's own namespace (auth.go), so a tenant cannot name another namespace's account; another
  tenant's or the platform's role trusts no token of this namespace, and no role here may
  ``sts:AssumeRole`` (the provider's ``role`` and ``additionalRoles`` options), so chaining fails.

Stores are custom resources: they come in releases of their own after the operator's (the
project's manifests chart), never through a plan-time CRD lookup. Their releases live in
``external-secrets``, so no Helm record lands in a tenant namespace.
"""

from __future__ import annotations

from typing import Sequence

from components.addon_policies import read_secrets
from components.addons.base import Addon
from components.addons.common import Values, containers, resources
from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from components.iam import Statement
from components.irsa import ServiceAccountRole
from components.manifests import ManifestsRelease
from officeless import names
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.platform_services import ExternalSecretsConfig
from officeless.tf import Construct, core

RELEASE = "external-secrets"
NAMESPACE = "external-secrets"
STORE = "aws-secrets-manager"
# The service accounts the stores authenticate as: no pod runs as either.
PLATFORM_STORE_ACCOUNT = "platform-secret-store"
TENANT_STORE_ACCOUNT = "secret-store"
# The namespaces the cluster store serves: the platform's ExternalSecrets live there (Argo CD's), no
# tenant may take their names (officeless.config.tenancy.PLATFORM_NAMESPACES) and only platform admins write there.
PLATFORM_STORE_NAMESPACES = ("argocd", NAMESPACE)
# Deployment component -> (values key, container) in chart 2.9.0.
COMPONENTS = {"controller": (None, "external-secrets"), "webhook": ("webhook", "webhook"),
              "cert-controller": ("certController", "cert-controller")}


def policy(ctx: AwsContext, prefixes: Sequence[str]) -> list[Statement]:
    """Read (GetSecretValue, DescribeSecret) and decrypt via Secrets Manager only the secrets
    under ``prefixes``; one pair of statements per prefix."""
    out: list[Statement] = []
    for i, prefix in enumerate(prefixes):
        out += read_secrets(ctx, prefix, sids=(f"ReadSecretsUnderPrefix{i}", f"DecryptThemViaSecretsManager{i}"))
    return out


def values(helm: HelmConfig) -> Values:
    out: Values = {
        "installCRDs": True,  # templates in this chart: upgraded with every version bump
        "serviceAccount": {"create": True, "name": RELEASE},
        "webhook": {}, "certController": {},
    }
    for component, (key, container) in COMPONENTS.items():
        size = helm.size(RELEASE, component)
        target = out if key is None else out[key]
        target["resources"] = resources(size.containers[container])
        target["replicaCount"] = size.replicas
    return out


def service_account(name: str, namespace: str, role: ServiceAccountRole | None = None,
                    annotations: Values | None = None) -> Values:
    """A store's account: no pod runs as it, so no token is mounted; with ``role``, its IRSA annotation,
    or else ``annotations`` (AKS Workload Identity's client id)."""
    annotations = role.annotations() if role else annotations
    metadata: Values = {"name": name, "namespace": namespace, **({"annotations": annotations} if annotations else {})}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata, "automountServiceAccountToken": False}


def cluster_store(name: str, provider_block: Values) -> Values:
    """The platform's ClusterSecretStore ``name``, for the platform's namespaces only."""
    return {"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore", "metadata": {"name": name},
            "spec": {"provider": provider_block, "conditions": [{"namespaces": list(PLATFORM_STORE_NAMESPACES)}]}}


def namespaced_store(name: str, tenant: str, provider_block: Values) -> Values:
    """Tenant ``tenant``'s SecretStore ``name``, in its namespace."""
    return {"apiVersion": "external-secrets.io/v1", "kind": "SecretStore", "metadata": {"name": name, "namespace": tenant},
            "spec": {"provider": provider_block}}


def provider(secrets_manager: Values, account: str, *, namespace: str | None = None) -> Values:
    """``secrets_manager`` (the target's provider block), authenticating as ``account`` (a token of it
    exchanged for its role's credentials); no static keys anywhere."""
    ref: Values = {"name": account, **({"namespace": namespace} if namespace else {})}
    return {"aws": {**secrets_manager, "auth": {"jwt": {"serviceAccountRef": ref}}}}


def store(secrets_manager: Values, role: ServiceAccountRole) -> list[Values]:
    """The ClusterSecretStore for the platform's namespaces and the account it authenticates as.
    The account's namespace is explicit: without it a cluster store takes the ExternalSecret's."""
    return [service_account(PLATFORM_STORE_ACCOUNT, NAMESPACE, role),
            cluster_store(STORE, provider(secrets_manager, PLATFORM_STORE_ACCOUNT, namespace=NAMESPACE))]


def tenant_store(secrets_manager: Values, tenant: str, role: ServiceAccountRole) -> list[Values]:
    """A tenant's SecretStore and the account it authenticates as, both in the tenant's namespace."""
    return [service_account(TENANT_STORE_ACCOUNT, tenant, role),
            namespaced_store(STORE, tenant, provider(secrets_manager, TENANT_STORE_ACCOUNT))]


def workloads(helm: HelmConfig) -> list[Workload]:
    return [Workload(f"external-secrets {component}", f"helm.sizes.{RELEASE}.{component}", "Deployment",
                     containers(helm.size(RELEASE, component)), replicas=helm.size(RELEASE, component).replicas or 1)
            for component in COMPONENTS]


class ExternalSecretsOperator(Addon):
    """The operator, its identity-less controller and the platform's ClusterSecretStore.

    :param config: the validated ``external_secrets`` section.
    :param environment: whose prefixes apply when ``platform_prefixes`` is unset.
    :param provider: the stores' provider block, the target's (Secrets Manager of the environment's
        region: officeless/targets.py). :param helm: sizes. :param timeout_seconds: Helm wait.
    :param depends_on: what must exist first (the namespace). Default: nothing.
    """

    source = ChartSource("https://charts.external-secrets.io", "external-secrets")
    namespace = NAMESPACE
    # No service_account: the controller gets no AWS identity (see the module's docstring).

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, config: ExternalSecretsConfig,
                 environment: str, provider: Values, helm: HelmConfig, timeout_seconds: int,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        super().__init__(scope, id_, cluster=cluster, version=config.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on, values=values(helm))
        self.provider = provider
        self.timeout_seconds = timeout_seconds
        # The id and name the controller's Pod Identity role had: the role is updated in place.
        self.platform_identity = ServiceAccountRole(
            scope, f"{id_}-identity", cluster_name=cluster.cluster_name, namespace=NAMESPACE,
            service_account=PLATFORM_STORE_ACCOUNT, role_name=names.addon_role(cluster.name, RELEASE),
            statements=policy(AwsContext.of(scope), config.platform(environment)))
        self.store = ManifestsRelease(scope, f"{id_}-store", release_name=f"{RELEASE}-store", namespace=NAMESPACE,
                                      manifests=store(provider, self.platform_identity), timeout_seconds=timeout_seconds,
                                      depends_on=[self.resource])


class TenantSecretStore(Construct):
    """A tenant's SecretStore ``aws-secrets-manager``, its service account and role.

    :param cluster: the cluster (its OIDC issuer). :param operator: the operator (its CRDs first).
    :param tenant: the tenant namespace (06-access creates it). :param prefix: what it reads,
        ``<prefix>/*``. :param shared: whole names of shared secrets it reads too. Default: none.
    """

    def __init__(self, scope: Construct, id_: str, *, cluster: EksCluster, operator: ExternalSecretsOperator,
                 tenant: str, prefix: str, shared: Sequence[str] = ()) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        statements = policy(ctx, [prefix])
        for i, name in enumerate(shared):  # Secrets Manager appends "-" and six characters to a secret's ARN
            statements += read_secrets(ctx, f"{name}-??????", sids=(f"ReadSharedSecret{i}", f"DecryptSharedSecret{i}"))
        self.identity = ServiceAccountRole(
            self, "identity", cluster_name=cluster.cluster_name, namespace=tenant, service_account=TENANT_STORE_ACCOUNT,
            role_name=names.tenant_store_role(cluster.name, tenant), statements=statements)
        self.store = ManifestsRelease(self, "store", release_name=names.tenant_store_release(tenant), namespace=NAMESPACE,
                                      manifests=tenant_store(operator.provider, tenant, self.identity),
                                      timeout_seconds=operator.timeout_seconds, depends_on=[operator.resource])


# --- an existing cluster: the Kubernetes provider --------------------------------------------------
# Each store reads the Secrets of one source namespace, authenticating as a service account that a
# Role there lets read them (get, list, watch secrets; nothing else). A namespaced store's service
# account is always of its own namespace: v2.9.0 refuses another (runtime/esutils/utils.go), so a
# tenant's store can name no other tenant's account, and no other account may read its source.
# https://external-secrets.io/latest/provider/kubernetes/
KUBERNETES_STORE = "cluster-secrets"
_API = {"url": "https://kubernetes.default.svc"}
_READ_SECRETS = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}]


def kubernetes_provider(source: str, account: str, *, namespace: str | None = None) -> Values:
    """Read namespace ``source`` as ``account``, checking the API server against the cluster's CA."""
    ca = {"type": "ConfigMap", "name": "kube-root-ca.crt", "key": "ca.crt", **({"namespace": namespace} if namespace else {})}
    ref = {"name": account, **({"namespace": namespace} if namespace else {})}
    return {"kubernetes": {"remoteNamespace": source, "server": {**_API, "caProvider": ca},
                           "auth": {"serviceAccount": ref}}}


def reader(source: str, account: str, account_namespace: str) -> list[Values]:
    """The Role in ``source`` reading its Secrets and its binding to the one store account."""
    name = f"{account_namespace}-secret-store"
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name, "namespace": source},
         "rules": _READ_SECRETS},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": name, "namespace": source},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
         "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": account_namespace}]},
    ]


def kubernetes_cluster_store(source: str) -> list[Values]:
    """The platform's ClusterSecretStore: namespace ``source``, for the platform's namespaces only."""
    return [service_account(PLATFORM_STORE_ACCOUNT, NAMESPACE), *reader(source, PLATFORM_STORE_ACCOUNT, NAMESPACE),
            cluster_store(KUBERNETES_STORE, kubernetes_provider(source, PLATFORM_STORE_ACCOUNT, namespace=NAMESPACE))]


def kubernetes_tenant_store(tenant: str, source: str) -> list[Values]:
    """A tenant's SecretStore reading its source namespace, its account and the Role there."""
    return [service_account(TENANT_STORE_ACCOUNT, tenant), *reader(source, TENANT_STORE_ACCOUNT, tenant),
            namespaced_store(KUBERNETES_STORE, tenant, kubernetes_provider(source, TENANT_STORE_ACCOUNT))]


def vault_provider(vault, owner: str, account: str, *, namespace: str | None = None) -> Values:
    """Vault's KV v2 as Vault role ``<role_prefix><owner>``, signed in by ``account``'s token
    (https://external-secrets.io/latest/provider/hashicorp-vault/#kubernetes-authentication)."""
    ref = {"name": account, **({"namespace": namespace} if namespace else {})}
    return {"vault": {"server": vault.server, "path": vault.mount, "version": "v2",
                      **({"caBundle": vault.ca_bundle} if vault.ca_bundle else {}),
                      "auth": {"kubernetes": {"mountPath": vault.auth_mount, "role": vault.role(owner),
                                              "serviceAccountRef": ref}}}}


def vault_cluster_store(vault, owner: str) -> list[Values]:
    """The platform's ClusterSecretStore on Vault, as role ``<prefix><owner>``, for its namespaces only."""
    return [service_account(PLATFORM_STORE_ACCOUNT, NAMESPACE),
            cluster_store(KUBERNETES_STORE, vault_provider(vault, owner, PLATFORM_STORE_ACCOUNT, namespace=NAMESPACE))]


def vault_tenant_store(vault, tenant: str) -> list[Values]:
    """A tenant's SecretStore on Vault, as role ``<prefix><tenant>``, and the account it signs in with."""
    return [service_account(TENANT_STORE_ACCOUNT, tenant),
            namespaced_store(KUBERNETES_STORE, tenant, vault_provider(vault, tenant, TENANT_STORE_ACCOUNT))]


class ExistingClusterSecretStores(Construct):
    """External Secrets on an existing cluster: the operator (no identity anywhere) and the stores
    ``cluster-secrets``: with the Kubernetes provider, over the source namespaces (``platform-secrets``,
    ``<prefix><tenant>``) this creates; with Vault, each as a Vault role of its own.

    :param config: the validated existing-cluster config (tenants, provider, chart version).
    :param helm: sizes. :param timeout_seconds: Helm's wait. :param depends_on: the operator's namespace.
    """

    def __init__(self, scope: Construct, *, config, helm, timeout_seconds: int,
                 depends_on: Sequence[core.ITerraformDependable]) -> None:
        from officeless.tf import kubernetes

        super().__init__(scope, "external-secrets-kubernetes")
        operator = _Operator(scope, RELEASE, cluster=None, version=config.external_secrets.version,
                             timeout_seconds=timeout_seconds, depends_on=depends_on, values=values(helm))
        self.operator = operator

        def source(name: str, owner: str = "platform"):
            return kubernetes.namespace_v1.NamespaceV1(self, f"source-{name}", metadata=kubernetes.namespace_v1.NamespaceV1Metadata(
                name=name, labels={"officeless/secrets-of": owner}))

        provider = config.external_secrets.provider
        vault = provider if provider.type == "vault" else None
        first = [operator.resource] if vault else [operator.resource, source(config.platform_source_namespace)]
        self.store = ManifestsRelease(scope, f"{RELEASE}-store", release_name=f"{RELEASE}-store", namespace=NAMESPACE,
                                      manifests=vault_cluster_store(vault, config.platform_source_namespace) if vault
                                      else kubernetes_cluster_store(config.platform_source_namespace),
                                      timeout_seconds=timeout_seconds, depends_on=first)
        self.tenants = {}
        for tenant in config.tenancy.tenants:
            if vault:
                manifests, after = vault_tenant_store(vault, tenant.name), [operator.resource]
            else:
                source_namespace = config.source_namespace(tenant.name)
                manifests = kubernetes_tenant_store(tenant.name, source_namespace)
                after = [operator.resource, source(source_namespace, tenant.name)]
            self.tenants[tenant.name] = ManifestsRelease(
                scope, f"secret-store-{tenant.name}", release_name=names.tenant_store_release(tenant.name),
                namespace=NAMESPACE, manifests=manifests, timeout_seconds=timeout_seconds, depends_on=after)


class _Operator(Addon):
    source = ExternalSecretsOperator.source
    namespace = NAMESPACE


# Google Cloud (issue #31): Secret Manager through GKE's Workload Identity.
GCP_STORE = "gcp-secret-manager"
SECRET_ACCESSOR = "roles/secretmanager.secretAccessor"


def gcp_provider(config, account: str, *, namespace: str | None = None) -> Values:
    """Google Secret Manager of the environment's project, authenticating as ``account``: the
    controller exchanges a token of that Kubernetes service account for a federated Google token and
    uses it directly, as the account has no ``iam.gke.io/gcp-service-account`` annotation
    (providers/v1/gcp/secretmanager/workload_identity.go in v2.9.0). For a namespaced store the
    account is always the store's own namespace's (the same file), so a tenant cannot borrow another's."""
    ref: Values = {"name": account, **({"namespace": namespace} if namespace else {})}
    return {"gcpsm": {"projectID": config.gcp_project, "auth": {"workloadIdentity": {
        "clusterLocation": config.region, "clusterName": config.gke.cluster_name, "clusterProjectID": config.gcp_project,
        "serviceAccountRef": ref}}}}


def secret_reader(scope: Construct, id_: str, *, config, project_number: str, namespace: str, account: str,
                  prefix: str):
    """The Kubernetes service account ``namespace/account`` may access the versions of the secrets whose
    ids start with ``prefix``, and no other (an IAM condition on the secrets' resource names:
    https://cloud.google.com/secret-manager/docs/access-control#conditions). The member is the
    account's own federated identity in the cluster's Workload Identity pool, no Google service
    account: https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#configure-authz-principals"""
    from officeless.targets import principal
    from officeless.tf import google

    pm = google.project_iam_member
    return pm.ProjectIamMember(
        scope, id_, project=config.gcp_project, role=SECRET_ACCESSOR,
        member=principal(project_number, config.gcp_project, namespace, account),
        condition=pm.ProjectIamMemberCondition(
            title=f"secrets {prefix}*", description=f"Only the secrets whose ids start with {prefix}",
            expression=f'resource.name.startsWith("projects/{project_number}/secrets/{prefix}")'))


class GkeSecretStores(Construct):
    """External Secrets on GKE: the operator (no grant to its own account: a store without ``auth``
    reads nothing), the platform's ClusterSecretStore ``gcp-secret-manager`` for the platform's
    namespaces, reading ``<environment>_platform_*``, and each tenant's SecretStore
    ``gcp-secret-manager`` in its namespace, authenticating as its own ``secret-store`` account and
    reading only ``<environment>_<tenant>_*``. Secret ids take no ``_`` from namespace names, so no
    tenant's prefix starts another's or the platform's.

    :param config: the validated GCP config. :param depends_on: the operator's namespace.
    """

    def __init__(self, scope: Construct, *, config, depends_on: Sequence[core.ITerraformDependable]) -> None:
        from officeless.tf import google

        super().__init__(scope, "external-secrets-gcp")
        # IAM conditions name secrets by the project's number.
        project_number = google.data_google_project.DataGoogleProject(self, "project").number
        timeout = config.helm.timeout_seconds
        operator = _Operator(scope, RELEASE, cluster=None, version=config.external_secrets.version,
                             timeout_seconds=timeout, depends_on=depends_on, values=values(config.helm))
        self.operator = operator
        owner = config.platform_secret_owner
        self.readers = {owner: secret_reader(self, "platform-store-reads", config=config, project_number=project_number,
                                             namespace=NAMESPACE, account=PLATFORM_STORE_ACCOUNT,
                                             prefix=config.secret_prefix(owner))}
        self.store = ManifestsRelease(
            scope, f"{RELEASE}-store", release_name=f"{RELEASE}-store", namespace=NAMESPACE,
            manifests=[service_account(PLATFORM_STORE_ACCOUNT, NAMESPACE),
                       cluster_store(GCP_STORE, gcp_provider(config, PLATFORM_STORE_ACCOUNT, namespace=NAMESPACE))],
            timeout_seconds=timeout, depends_on=[operator.resource])
        self.tenants = {}
        for tenant in config.tenancy.tenants:
            self.readers[tenant.name] = secret_reader(
                self, f"tenant-{tenant.name}-store-reads", config=config, project_number=project_number,
                namespace=tenant.name, account=TENANT_STORE_ACCOUNT, prefix=config.secret_prefix(tenant.name))
            self.tenants[tenant.name] = ManifestsRelease(
                scope, f"secret-store-{tenant.name}", release_name=names.tenant_store_release(tenant.name),
                namespace=NAMESPACE, manifests=[service_account(TENANT_STORE_ACCOUNT, tenant.name),
                                                namespaced_store(GCP_STORE, tenant.name,
                                                                 gcp_provider(config, TENANT_STORE_ACCOUNT))],
                timeout_seconds=timeout, depends_on=[operator.resource])


# Azure (issue #32): Key Vault through AKS's Workload Identity, a vault per owner.
AZURE_STORE = "azure-key-vault"
SECRETS_USER = "Key Vault Secrets User"
SECRETS_OFFICER = "Key Vault Secrets Officer"
# The audience AKS's Workload Identity federates tokens for:
# https://learn.microsoft.com/azure/aks/workload-identity-overview#service-account-annotations
TOKEN_AUDIENCE = "api://AzureADTokenExchange"
CLIENT_ID = "azure.workload.identity/client-id"
TENANT_ID = "azure.workload.identity/tenant-id"


def azure_provider(vault_url: str, tenant_id: str, account: str, *, namespace: str | None = None) -> Values:
    """Key Vault ``vault_url``, authenticating as ``account``: the controller requests a token of that
    Kubernetes service account (audience ``api://AzureADTokenExchange``) and exchanges it for the
    managed identity its ``azure.workload.identity/client-id`` annotation names. For a namespaced store
    the account is always the store's own namespace's (authorizerForWorkloadIdentity in
    providers/v1/azure/keyvault/keyvault.go, v2.9.0), so a tenant cannot borrow another's; a store
    without an account would use the controller's own identity, which has none."""
    ref: Values = {"name": account, **({"namespace": namespace} if namespace else {})}
    return {"azurekv": {"authType": "WorkloadIdentity", "vaultUrl": vault_url, "tenantId": tenant_id,
                        "serviceAccountRef": ref}}


class AzureSecretReader(Construct):
    """``owner``'s Key Vault (Azure RBAC, purge protection, no public network access: a private endpoint
    in the endpoints subnet, named in ``dns_zone_id``) and the managed identity that alone may read its
    secrets (Key Vault Secrets User on this vault), federated with exactly one Kubernetes service
    account, ``namespace/account`` of the cluster's OIDC issuer.

    Those ``external_secrets.writers`` lists for the owner hold Key Vault Secrets Officer on this vault
    alone (they write the secrets, from the VNet).

    :param config: the validated Azure config. :param network: 01-vnet. :param cluster: 02-aks.
    :param tenant_id: the Entra ID tenant. :param dns_zone_id: ``privatelink.vaultcore.azure.net``,
    linked to the VNet."""

    def __init__(self, scope: Construct, id_: str, *, config, network, cluster, owner: str, namespace: str, account: str,
                 tenant_id: str, dns_zone_id: str) -> None:
        from officeless.tf import azurerm
        from components.private_endpoint import private_endpoint

        super().__init__(scope, id_)
        group, location, tags = network.group.name, config.location, dict(config.tags)
        name = config.secret_vault(owner)
        self.vault = azurerm.key_vault.KeyVault(
            self, "vault", name=name, resource_group_name=group, location=location, tenant_id=tenant_id,
            sku_name="standard", rbac_authorization_enabled=True, purge_protection_enabled=True,
            soft_delete_retention_days=90, public_network_access_enabled=False,
            network_acls=azurerm.key_vault.KeyVaultNetworkAcls(default_action="Deny", bypass="None"), tags=tags)
        private_endpoint(self, "endpoint", name=f"{name}-vault", group=group, location=location, network=network,
                         target_id=self.vault.id, subresource="vault", dns_zone_id=dns_zone_id, tags=tags)
        self.identity = azurerm.user_assigned_identity.UserAssignedIdentity(
            self, "identity", name=f"{config.environment}-{owner}-secret-store", resource_group_name=group,
            location=location, tags=tags)
        azurerm.federated_identity_credential.FederatedIdentityCredential(
            self, "federation", name=f"{namespace}-{account}", resource_group_name=group, parent_id=self.identity.id,
            audience=[TOKEN_AUDIENCE], issuer=cluster.cluster.oidc_issuer_url,
            subject=f"system:serviceaccount:{namespace}:{account}")
        self.grant = azurerm.role_assignment.RoleAssignment(
            self, "reads", scope=self.vault.id, role_definition_name=SECRETS_USER, principal_id=self.identity.principal_id,
            principal_type="ServicePrincipal")
        for i, writer in enumerate(config.external_secrets.writers.get(owner, [])):
            azurerm.role_assignment.RoleAssignment(self, f"writer-{i}", scope=self.vault.id,
                                                   role_definition_name=SECRETS_OFFICER, principal_id=writer)
        self.account = service_account(account, namespace, annotations={CLIENT_ID: self.identity.client_id,
                                                                        TENANT_ID: tenant_id})


class AksSecretStores(Construct):
    """External Secrets on AKS: the operator (no identity of its own: a store without an account reads
    nothing), the platform's ClusterSecretStore ``azure-key-vault`` for the platform's namespaces,
    reading the platform's vault, and each tenant's SecretStore ``azure-key-vault`` in its namespace,
    signing in as its own ``secret-store`` account, whose identity alone may read the tenant's vault
    (AzureSecretReader).

    :param config: the validated Azure config. :param network: 01-vnet. :param cluster: 02-aks.
    :param depends_on: the operator's namespace."""

    def __init__(self, scope: Construct, *, config, network, cluster, depends_on: Sequence[core.ITerraformDependable]) -> None:
        from officeless.tf import azurerm

        super().__init__(scope, "external-secrets-azure")
        timeout, group, tags = config.helm.timeout_seconds, network.group.name, dict(config.tags)
        zone = azurerm.private_dns_zone.PrivateDnsZone(self, "vault-dns", name="privatelink.vaultcore.azure.net",
                                                       resource_group_name=group, tags=tags)
        azurerm.private_dns_zone_virtual_network_link.PrivateDnsZoneVirtualNetworkLink(
            self, "vault-dns-link", name=f"{config.environment}-vaults", resource_group_name=group,
            private_dns_zone_name=zone.name, virtual_network_id=network.vnet.id, registration_enabled=False, tags=tags)
        operator = _Operator(scope, RELEASE, cluster=None, version=config.external_secrets.version,
                             timeout_seconds=timeout, depends_on=depends_on, values=values(config.helm))
        self.operator = operator
        tenant_id = azurerm.data_azurerm_client_config.DataAzurermClientConfig(self, "current").tenant_id

        def reader(owner: str, namespace: str, account: str) -> AzureSecretReader:
            return AzureSecretReader(self, f"{owner}-secrets", config=config, network=network, cluster=cluster,
                                     owner=owner, namespace=namespace, account=account, tenant_id=tenant_id,
                                     dns_zone_id=zone.id)

        owner = config.platform_secret_owner
        self.readers = {owner: reader(owner, NAMESPACE, PLATFORM_STORE_ACCOUNT)}
        platform = self.readers[owner]
        self.store = ManifestsRelease(
            scope, f"{RELEASE}-store", release_name=f"{RELEASE}-store", namespace=NAMESPACE,
            manifests=[platform.account, cluster_store(AZURE_STORE, azure_provider(
                platform.vault.vault_uri, tenant_id, PLATFORM_STORE_ACCOUNT, namespace=NAMESPACE))],
            timeout_seconds=timeout, depends_on=[operator.resource, platform.grant])
        self.tenants = {}
        for tenant in config.tenancy.tenants:
            r = self.readers[tenant.name] = reader(tenant.name, tenant.name, TENANT_STORE_ACCOUNT)
            self.tenants[tenant.name] = ManifestsRelease(
                scope, f"secret-store-{tenant.name}", release_name=names.tenant_store_release(tenant.name),
                namespace=NAMESPACE, manifests=[r.account, namespaced_store(AZURE_STORE, tenant.name, azure_provider(
                    r.vault.vault_uri, tenant_id, TENANT_STORE_ACCOUNT))],
                timeout_seconds=timeout, depends_on=[operator.resource, r.grant])
