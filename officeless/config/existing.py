"""The root of an environment on a cluster that already exists (``cloud: existing``, issue #29).

On premises (Rancher, OpenShift, K3s, vanilla) or any cloud's cluster the user brings: the
platform builds the Kubernetes layer only (05-helm, 06-access, 07-valkey in the cluster,
08-platform). The cluster, its nodes, its network and the VPN are the user's; config says how to
reach the cluster (a kubeconfig path and context), which of its storage classes to use, where
object storage is (an S3-compatible endpoint, or SeaweedFS installed by the platform), which nodes
the capacity check may count on (fixed sizes: there is no autoscaler), and where state lives.

Credentials never enter config, the JSON or the state: the object store's keys and Valkey's
password are Secrets the user creates before the first apply (README "Existing clusters").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, Union
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aws_limits import HELM_RELEASE_NAME_MAX, MAX_NODES, MAX_PODS
from officeless.config.backend import BucketName, LocalBackendConfig
from officeless.config.helm import Chart, ChartVersion, ClusterHelmConfig
from officeless.config.karpenter import Duration
from officeless.config.observability import ObservabilityConfig
from officeless.config.platform_services import ArgoCdConfig
from officeless.config.quantities import Cpu, Memory
from officeless.config.sizes import AWS_ONLY_RELEASES
from officeless.config.tenancy import PLATFORM_NAMESPACES, TenancyConfig, refuse_aws_secret_names
from officeless.config.s3 import OBSERVABILITY_BUCKETS
from officeless.config.types import Cidr, Model, Name, Tags, clip, is_production_environment, matching, TargetRoot
from officeless import names
from officeless.errors import FieldError

# Sections of an AWS environment that mean nothing here: one line names the section.
AWS_ONLY = ("region", "vpc", "eks", "s3", "ec2", "karpenter", "ingress", "access", "backup", "ecr", "emulator",
            "accepted_risks")
# The namespace holding the platform's own Secrets (Argo CD's, the alert receiver's credential).
PLATFORM_SOURCE = "platform-secrets"
# The cluster's existing objects the platform names: StorageClass, Secret and context names.
OBJECT_NAME = r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?"
ObjectName = Annotated[StrictStr, matching(OBJECT_NAME,
                                           "a Kubernetes object name; allowed: lowercase letters, digits, '.' and '-', "
                                           "starting and ending with a letter or digit")]
ContextName = Annotated[StrictStr, Field(min_length=1, max_length=253)]


def _check_url(value: str) -> str:
    """An http(s) URL of a host, with an optional port and no path, query or credentials."""
    parts = urlsplit(value)
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or parts.username or parts.password \
            or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{clip(value)!r} is not an endpoint URL; allowed: http(s)://host[:port], e.g. "
                         "https://rgw.example.internal (no path, and the credentials in a Secret, not the URL)")
    return value.rstrip("/")


Url = Annotated[StrictStr, AfterValidator(_check_url)]


def kubeconfig_contexts(path: str) -> list[str] | None:
    """The context names of the kubeconfig at ``path`` (``~`` expanded), or None when this machine has
    no readable kubeconfig there (a CI runner, a laptop that only synthesizes)."""
    import os

    import yaml

    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    contexts = data.get("contexts") if isinstance(data, dict) else None
    if not isinstance(contexts, list):
        return None
    return [c["name"] for c in contexts if isinstance(c, dict) and isinstance(c.get("name"), str)]


class ClusterConfig(Model):
    """How Terraform reaches the cluster: the kubeconfig whoever runs it has (never in the JSON:
    the providers read the file at plan and apply)."""

    # The cluster's name: the ``cluster`` label on every series and log line the collector sends.
    name: Name
    kubeconfig: Annotated[StrictStr, Field(min_length=1, max_length=4096)] = "~/.kube/config"
    context: ContextName
    # The nodes' network, what a tenant's ``cidr: vpc`` rule means here. Default: none (such a rule is refused).
    node_cidr: Cidr | None = None

    @model_validator(mode="after")
    def _context_in_the_kubeconfig(self) -> "ClusterConfig":
        # Where this machine has the kubeconfig, a context it lacks fails now, not at the first plan.
        contexts = kubeconfig_contexts(self.kubeconfig)
        if contexts is not None and self.context not in contexts:
            raise FieldError("context", f"{clip(self.context)!r} is not a context of {self.kubeconfig}; allowed: "
                                        f"{', '.join(contexts[:20]) + (' ...' if len(contexts) > 20 else '') or 'none (it has no contexts)'}")
        return self


class StorageClassesConfig(Model):
    """The cluster's StorageClasses: the platform creates none here."""

    block: ObjectName  # ReadWriteOnce volumes: Mimir, Loki, Tempo, Grafana, Valkey, SeaweedFS
    file: ObjectName | None = None  # ReadWriteMany, for applications; default: none


class InClusterObjectStoreConfig(Model):
    """SeaweedFS (https://github.com/seaweedfs/seaweedfs, chart ``seaweedfs``), installed when
    ``object_storage.endpoint`` is unset: MinIO's images left Docker Hub and its repository was archived in
    2026 (issues minio/minio#21647, zilliztech/milvus-helm#315)."""

    version: ChartVersion = "4.44.0"
    # Each volume server's data volume, on storage_classes.block.
    volume_size_gb: Annotated[StrictInt, Field(ge=1, le=65536)] = 100


class ObjectStorageConfig(Model):
    # An S3-compatible endpoint (Ceph RGW, MinIO, a cloud's); unset: the platform runs SeaweedFS.
    endpoint: Url | None = None
    # The region the endpoint signs for (Ceph RGW and most stores accept any). Default us-east-1.
    region: Annotated[StrictStr, matching(r"[a-z0-9-]{1,32}", "a region name, e.g. us-east-1")] = "us-east-1"
    # A Secret in namespace monitoring with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: Mimir, Loki and
    # Tempo read the keys from it (and SeaweedFS serves them). Created by the user (README).
    credentials_secret: ObjectName = "object-storage-credentials"
    # Bucket per purpose (mimir-metrics, loki-chunks, ...). Default: <project>-<environment>-<purpose>.
    buckets: dict[StrictStr, BucketName] = {}
    in_cluster: InClusterObjectStoreConfig = InClusterObjectStoreConfig()

    @property
    def external(self) -> bool:
        return self.endpoint is not None


class NodePoolConfig(Model):
    """Nodes of one kind that run the platform: what ``kubectl get node -o yaml`` reports as
    ``status.allocatable`` (already net of what the kubelet reserves)."""

    count: Annotated[StrictInt, Field(ge=1, le=MAX_NODES)]
    cpu: Cpu  # allocatable CPU of one node, e.g. 3920m
    memory: Memory  # allocatable memory of one node, e.g. 14Gi
    max_pods: Annotated[StrictInt, Field(ge=1, le=MAX_PODS)] = 110  # the kubelet's default
    # The nodes' topology.kubernetes.io/zone label, when they have one. Default: none (one zone).
    zone: Annotated[StrictStr, Field(min_length=1, max_length=63)] | None = None


class HaproxyIngressConfig(Model):
    """HAProxy Technologies' Kubernetes Ingress controller (chart ``kubernetes-ingress``), the
    deployment architecture's on-premises router: ingress-nginx was retired in March 2026."""

    version: ChartVersion = "1.52.1"
    class_name: ObjectName = "haproxy"
    # How traffic reaches it: LoadBalancer where the cluster has one (MetalLB, a cloud's), else NodePort.
    service_type: Literal["LoadBalancer", "NodePort"] = "LoadBalancer"
    # A TLS Secret (kubernetes.io/tls) in namespace haproxy-controller, created by you: the certificate
    # HAProxy serves, and then the operator UIs redirect HTTP to HTTPS. Default: none (HAProxy's
    # self-signed certificate on 443, plain HTTP beside it; every synth warns).
    tls_secret: ObjectName | None = None


class ExistingValkeyConfig(Model):
    """Valkey in the cluster (07-valkey): the Valkey project's chart and image
    (https://github.com/valkey-io/valkey-helm; Bitnami's free images left in 2025)."""

    enabled: StrictBool = True
    version: ChartVersion = "0.11.0"
    namespace: Name = "valkey"
    # A Secret in that namespace whose key ``default`` is the password of the default user (ACL
    # auth on). Created by the user (README).
    password_secret: ObjectName = "valkey-users"
    storage_gb: Annotated[StrictInt, Field(ge=1, le=65536)] = 8


class KubernetesSecretsProviderConfig(Model):
    """External Secrets' Kubernetes provider: a tenant's SecretStore reads the Secrets of its own
    source namespace ``<prefix><tenant>``, the platform's store those of ``platform-secrets``."""

    type: Literal["kubernetes"]
    namespace_prefix: Annotated[StrictStr, matching(r"[a-z0-9][a-z0-9-]{0,30}", "a namespace prefix, e.g. secrets-")] = "secrets-"


VaultPath = Annotated[StrictStr, matching(r"[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9_-]+)*", "a Vault mount path, e.g. secret")]
PemBase64 = Annotated[StrictStr, matching(r"[A-Za-z0-9+/]{40,}={0,2}", "a base64-encoded PEM certificate bundle")]


class VaultSecretsProviderConfig(Model):
    """External Secrets' Vault provider (KV version 2, Kubernetes auth): every store signs in as its
    own service account with a Vault role of its own: ``<role_prefix><tenant>`` for a tenant's
    store (account ``secret-store`` of the tenant's namespace), ``<role_prefix>platform-secrets``
    for the platform's (``external-secrets/platform-secret-store``), whose secrets live under
    ``<mount>/platform-secrets/`` (no tenant may take that name). Vault's roles and policies are
    yours (README "Existing clusters" gives the commands): a tenant's role must be bound to that one
    account and its policy read only ``<mount>/data/<tenant>/*``."""

    type: Literal["vault"]
    server: Url  # e.g. https://vault.example.internal:8200
    mount: VaultPath = "secret"  # the KV v2 secrets engine
    auth_mount: VaultPath = "kubernetes"  # Vault's Kubernetes auth method
    role_prefix: Annotated[StrictStr, matching(r"[a-z0-9][a-z0-9_-]{0,30}", "a Vault role prefix, e.g. officeless-")] = "officeless-"
    # The CA of Vault's certificate (public; base64 of the PEM). Default: the system's trust store.
    ca_bundle: PemBase64 | None = None

    def role(self, owner: str) -> str:
        return f"{self.role_prefix}{owner}"


SecretsProvider = Annotated[Union[KubernetesSecretsProviderConfig, VaultSecretsProviderConfig], Field(discriminator="type")]


class ExistingExternalSecretsConfig(Model):
    enabled: StrictBool = True
    version: ChartVersion = "2.9.0"
    provider: SecretsProvider = KubernetesSecretsProviderConfig(type="kubernetes")
    refresh_interval: Duration = "1h"


class S3CompatibleBackendConfig(Model):
    """State in an S3-compatible store, locked by S3-native lock files (Terraform >= 1.10)."""

    type: Literal["s3"]
    bucket: BucketName
    endpoint: Url
    region: Annotated[StrictStr, matching(r"[a-z0-9-]{1,32}", "a region name, e.g. us-east-1")] = "us-east-1"


class KubernetesBackendConfig(Model):
    """State in Secrets of the cluster itself (Terraform's ``kubernetes`` backend, locked by a Lease)."""

    type: Literal["kubernetes"]
    namespace: Name = "terraform-state"


ExistingBackend = Annotated[Union[S3CompatibleBackendConfig, KubernetesBackendConfig, LocalBackendConfig],
                            Field(discriminator="type")]


class MetricsServerChart(Chart):
    # Install metrics-server. Off where the distribution ships one (K3s, OpenShift's monitoring, many
    # Rancher clusters): two would collide on the same APIService. Default on.
    enabled: StrictBool = True


class ExistingHelmConfig(ClusterHelmConfig):
    foreign_releases = AWS_ONLY_RELEASES
    metrics_server: MetricsServerChart


class ExistingConfig(TargetRoot):
    foreign_sections = AWS_ONLY
    foreign_why = "an AWS section; cloud: existing builds the Kubernetes layer on a cluster you bring"
    cloud: Literal["existing"]
    environment: Name
    project: Name
    # Labels on the namespaces the platform creates. Default: none.
    tags: Tags = {}
    backend: ExistingBackend
    cluster: ClusterConfig
    storage_classes: StorageClassesConfig
    object_storage: ObjectStorageConfig = ObjectStorageConfig()
    # The nodes the platform's pods may use (fixed: no autoscaler), pool name -> size.
    nodes: Annotated[dict[Name, NodePoolConfig], Field(min_length=1)]
    ingress_controller: HaproxyIngressConfig = HaproxyIngressConfig()
    helm: ExistingHelmConfig
    valkey: ExistingValkeyConfig = ExistingValkeyConfig()
    external_secrets: ExistingExternalSecretsConfig = ExistingExternalSecretsConfig()
    # Argo CD, as on EKS (on when the section is present); its secrets are Secrets of namespace
    # platform-secrets: repository_secret and admin_password_secret name them (defaults
    # argocd-repository, argocd-admin).
    argocd: ArgoCdConfig | None = None
    observability: ObservabilityConfig = ObservabilityConfig()
    tenancy: TenancyConfig = TenancyConfig()

    @model_validator(mode="after")
    def _tenants_fit(self) -> "ExistingConfig":
        provider = self.external_secrets.provider
        prefix = provider.namespace_prefix if provider.type == "kubernetes" else ""
        source = {self.source_namespace(t.name) for t in self.tenancy.tenants} if provider.type == "kubernetes" else set()
        refuse_aws_secret_names(self.tenancy, "existing", self.tenant_secrets)
        for i, tenant in enumerate(self.tenancy.tenants):
            field = f"tenancy.tenants[{i}]"
            if provider.type == "vault":
                if tenant.name == PLATFORM_SOURCE:
                    raise FieldError(f"{field}.name", f"{PLATFORM_SOURCE!r} would share the Vault role "
                                                      f"{provider.role(PLATFORM_SOURCE)!r} and path of the platform's store; "
                                                      "allowed: another name")
                continue
            if tenant.name in source or tenant.name in (self.valkey.namespace, PLATFORM_SOURCE) \
                    or self.source_namespace(tenant.name) == PLATFORM_SOURCE:
                raise FieldError(f"{field}.name", f"{tenant.name!r} is a namespace the platform creates here; allowed: "
                                                  "another name")
            if len(self.source_namespace(tenant.name)) > 63:
                raise FieldError(f"{field}.name", f"{tenant.name!r} makes the source namespace "
                                                  f"{self.source_namespace(tenant.name)!r}, over 63 characters; allowed: "
                                                  f"a name of at most {63 - len(prefix)} characters")
            for kind in ("ingress", "egress"):
                for j, rule in enumerate(getattr(tenant, kind)):
                    self._cidr(f"{field}.{kind}[{j}].cidr", rule.cidr)
        for j, rule in enumerate(self.tenancy.egress):
            self._cidr(f"tenancy.egress[{j}].cidr", rule.cidr)
        if self.valkey.enabled and self.valkey.namespace in PLATFORM_NAMESPACES:
            raise FieldError("valkey.namespace", f"{self.valkey.namespace!r} is a namespace of Kubernetes or the "
                                                 "platform; allowed: a namespace of its own, e.g. valkey")
        for i, tenant in enumerate(self.tenancy.tenants):
            release = names.tenant_store_release(tenant.name)
            if self.external_secrets.enabled and len(release) > HELM_RELEASE_NAME_MAX:
                raise FieldError(f"tenancy.tenants[{i}].name", f"{tenant.name!r} makes the Helm release {release!r} "
                                                               f"({len(release)} characters); allowed: at most "
                                                               f"{HELM_RELEASE_NAME_MAX}: shorten the name")
        return self

    def _cidr(self, field: str, cidr: str) -> None:
        if cidr == "vpc" and self.cluster.node_cidr is None:
            raise FieldError(field, "'vpc' means the nodes' network, which cluster.node_cidr does not give; allowed: "
                                    "a CIDR, or set cluster.node_cidr")

    @model_validator(mode="after")
    def _argocd_fits_the_cluster(self) -> "ExistingConfig":
        argocd = self.argocd
        if argocd is None:
            return self
        argocd.check_cluster(tenants=self.tenancy.names, external_secrets=self.external_secrets.enabled,
                             secrets_from=f"the Secrets of namespace {PLATFORM_SOURCE}")
        for field in ("repository_secret", "admin_password_secret"):
            name = getattr(argocd, field)
            if name is not None and not _is_object_name(name):
                raise FieldError(f"argocd.{field}", f"{clip(name)!r} is not a Secret name; on cloud: existing it names a "
                                                    f"Secret in namespace {PLATFORM_SOURCE}; allowed: a Kubernetes object name")
        return self

    @property
    def argocd_secret_names(self) -> tuple[str, str]:
        """(repository credentials, admin password): Secrets of namespace platform-secrets, or with
        Vault, keys under ``<mount>/platform-secrets/``."""
        assert self.argocd is not None
        names_ = (self.argocd.repository_secret or "argocd-repository", self.argocd.admin_password_secret or "argocd-admin")
        if self.external_secrets.provider.type == "vault":
            return tuple(f"{PLATFORM_SOURCE}/{name}" for name in names_)  # type: ignore[return-value]
        return names_

    @model_validator(mode="after")
    def _buckets_known(self) -> "ExistingConfig":
        for purpose in self.object_storage.buckets:
            if purpose not in OBSERVABILITY_BUCKETS:
                raise FieldError(f"object_storage.buckets.{purpose}",
                                 f"unknown purpose; allowed: {', '.join(sorted(OBSERVABILITY_BUCKETS))}")
        return self

    @model_validator(mode="after")
    def _alert_receiver_is_a_secret_here(self) -> "ExistingConfig":
        name = self.observability.alerting.secret_name
        if name is not None and not _is_object_name(name):
            raise FieldError("observability.alerting.secret_name", (
                f"{clip(name)!r} is not a Secret name; on cloud: existing it names a Secret in namespace monitoring "
                "holding the receiver's credential under key 'credential'; allowed: a Kubernetes object name"))
        if self.observability.grafana.certificate_arn is not None:
            raise FieldError("observability.grafana.certificate_arn", "an ACM certificate, which cloud: existing has not; "
                                                                      "allowed: unset")
        return self

    @classmethod
    def peer_namespaces(cls, data: Any) -> tuple[str, ...]:
        """The platform's namespaces here that tenants' network rules may name besides EKS's: the
        ingress controller's (it reaches the pods its Ingresses route to) and the cache's (read from
        the raw file: the tenancy section is checked before the valkey section is built)."""
        from components.addons.haproxy_ingress import NAMESPACE as INGRESS

        valkey = data.get("valkey") if isinstance(data, dict) else None
        namespace = valkey.get("namespace") if isinstance(valkey, dict) else None
        return (INGRESS, namespace if isinstance(namespace, str) else ExistingValkeyConfig().namespace)

    # --- what the stacks read -------------------------------------------------------------------

    def source_namespace(self, tenant: str) -> str:
        """Where the Secrets of ``tenant``'s store live (the Kubernetes provider)."""
        return f"{self.external_secrets.provider.namespace_prefix}{tenant}"

    def tenant_secrets(self, tenant: str) -> str:
        """What ``tenant``'s store reads, in words."""
        provider = self.external_secrets.provider
        if provider.type == "vault":
            return f"Vault's {provider.mount}/data/{tenant}/* as role {provider.role(tenant)}"
        return f"the Secrets of namespace {self.source_namespace(tenant)}"

    @property
    def platform_source_namespace(self) -> str:
        """Where the platform's Secrets live (its ClusterSecretStore's source)."""
        return PLATFORM_SOURCE

    def bucket(self, purpose: str) -> str:
        return self.object_storage.buckets.get(purpose) or f"{self.project}-{self.environment}-{purpose}"

    @property
    def observability_tenant(self) -> str:
        return self.observability.tenant_of(self.project)

    @property
    def is_production(self) -> bool:
        return is_production_environment(self.environment)

    def warnings(self, today: date) -> list[tuple[str, str]]:
        """Operator UIs without a certificate: logins and tokens would cross the network unencrypted."""
        if self.ingress_controller.tls_secret is not None:
            return []
        uis = [ui for ui, on in (("Grafana", self.helm.grafana.enabled), ("Argo CD", self.argocd is not None)) if on]
        if not uis:
            return []
        return [("ingress_controller.tls_secret", f"unset: {' and '.join(uis)} are served over plain HTTP (HTTPS only "
                                                  "with HAProxy's self-signed certificate); set a TLS Secret of namespace "
                                                  "haproxy-controller")]


def _is_object_name(value: str) -> bool:
    return bool(re.fullmatch(OBJECT_NAME, value))
