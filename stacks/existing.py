"""The stacks of an existing cluster (``cloud: existing``, issue #29): the Kubernetes layer only.

Same numbers, names and state keys as on AWS, so a reader of either layout finds the same thing in
the same place: 06-access (tenant namespaces), 05-helm (ingress controller, metrics-server, the
object store when config names none, the observability stack), 07-valkey (the cache, in the
cluster), 08-platform (External Secrets). The addons are the catalog's entries for this target
(components/addons/catalog.py), built in catalog order after the capacity check passes on the
nodes config measures. No AWS provider anywhere; the cluster is reached through the kubeconfig
named in config, read by the providers at plan and apply, never written into the JSON.
"""

from __future__ import annotations

from components.addons import catalog, haproxy_ingress
from components.addons.endpoints import MONITORING
from components.tenant import tenants
from officeless.config.backend import LocalBackendConfig
from officeless.config.existing import ExistingConfig, KubernetesBackendConfig, S3CompatibleBackendConfig
from officeless.tf import Construct, core, helm, kubernetes
from stacks.state import local_state_path, state_key


def configure_existing_state(stack: core.TerraformStack, stack_name: str, config: ExistingConfig) -> None:
    """S3-compatible state locked by S3-native lock files, the cluster's own Secrets, or local files."""
    backend = config.backend
    if isinstance(backend, S3CompatibleBackendConfig):
        # Not AWS: no STS, IMDS or region checks; path-style requests; lock files beside the state
        # (use_lockfile, Terraform >= 1.10; cdktf 0.21's S3BackendConfig predates it).
        core.S3Backend(stack, bucket=backend.bucket, key=state_key(config.environment, stack_name), region=backend.region,
                       endpoints=core.S3BackendEndpointConfig(s3=backend.endpoint), use_path_style=True,
                       skip_credentials_validation=True, skip_requesting_account_id=True, skip_metadata_api_check=True,
                       skip_region_validation=True)
        stack.add_override("terraform.backend.s3.use_lockfile", True)
        # Stores other than S3 reject the SDK's default CRC32 checksums on uploads (Terraform's s3 backend docs).
        stack.add_override("terraform.backend.s3.skip_s3_checksum", True)
    elif isinstance(backend, KubernetesBackendConfig):
        # cdktf 0.21 has no class for Terraform's kubernetes backend: the block is written as Terraform
        # documents it (https://developer.hashicorp.com/terraform/language/backend/kubernetes): a Secret
        # tfstate-<workspace>-<suffix> per stack in ``namespace``, locked by a Lease.
        # A backend construct keeps cdktf from adding its default local one; the last override removes
        # its block (None reaches JavaScript as undefined, which cdktf's merge deletes).
        core.LocalBackend(stack, path="unused")
        stack.add_override("terraform.backend", {"kubernetes": {
            "secret_suffix": f"{config.environment}-{stack_name}", "namespace": backend.namespace,
            "config_path": config.cluster.kubeconfig, "config_context": config.cluster.context}})
        stack.add_override("terraform.backend.local", None)
    elif isinstance(backend, LocalBackendConfig):
        core.LocalBackend(stack, path=local_state_path(backend.directory, config.environment, stack_name))


class ExistingClusterStack(core.TerraformStack):
    """A stack of the Kubernetes layer: its state, and the Kubernetes (and Helm) providers on the
    kubeconfig's context. :param with_helm: the Helm provider too. Default True."""

    def __init__(self, scope: Construct, stack_name: str, *, config: ExistingConfig, with_helm: bool = True) -> None:
        super().__init__(scope, stack_name)
        self.config = config
        configure_existing_state(self, stack_name, config)
        cluster = config.cluster
        if with_helm:
            helm.provider.HelmProvider(self, "helm", kubernetes=helm.provider.HelmProviderKubernetes(
                config_path=cluster.kubeconfig, config_context=cluster.context))
        kubernetes.provider.KubernetesProvider(self, "kubernetes", config_path=cluster.kubeconfig,
                                               config_context=cluster.context)

    def build(self, stack: str) -> None:
        wiring = catalog.Wiring(self, self.config, None, None)
        for entry in catalog.entries(self.config, stack):
            entry.build(wiring)


class ExistingAccessStack(ExistingClusterStack):
    """06-access: the tenant namespaces, exactly as on EKS (quotas, container defaults, Pod Security,
    default-deny network policies, RBAC groups ``<namespace>:<level>``), without the EKS Pod Identity
    agent's egress. Who is in those groups is the cluster's identity provider's business. Also the
    namespaces whose Secrets the user creates before the next stacks run (``haproxy-controller``: the
    certificate; ``monitoring``: the object store's keys; Valkey's: its password), so the first
    deploy needs no import."""

    def __init__(self, scope: Construct, *, config: ExistingConfig) -> None:
        super().__init__(scope, "06-access", config=config, with_helm=False)
        self.tenants = tenants(self, config.tenancy, vpc_cidr=config.cluster.node_cidr or "", pod_identity_agent=False)
        catalog.namespace(self, haproxy_ingress.NAMESPACE)
        if catalog.observability_on(config):
            catalog.namespace(self, MONITORING)
        if config.valkey.enabled:
            catalog.namespace(self, config.valkey.namespace)
        core.TerraformOutput(self, "tenant_namespaces", value=[t.name for t in self.tenants],
                             description="Tenant namespaces, in config order")


def build_existing_app(config: ExistingConfig, outdir: str) -> core.App:
    """Every stack of an existing cluster, in deploy order; the capacity check first."""
    catalog.check_capacity(config)
    app = core.App(outdir=outdir, stack_traces=False)
    access = ExistingAccessStack(app, config=config)
    helm_stack = ExistingClusterStack(app, catalog.HELM, config=config)
    helm_stack.add_dependency(access)
    helm_stack.build(catalog.HELM)
    if config.valkey.enabled:
        valkey = ExistingClusterStack(app, catalog.VALKEY, config=config)
        valkey.add_dependency(helm_stack)  # after the cluster's ingress and storage are proven by 05-helm
        valkey.build(catalog.VALKEY)
    if config.external_secrets.enabled:
        platform = ExistingClusterStack(app, catalog.PLATFORM, config=config)
        platform.add_dependency(helm_stack)
        platform.add_dependency(access)
        platform.build(catalog.PLATFORM)
    return app
