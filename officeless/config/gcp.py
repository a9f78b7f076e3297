"""The root of a Google Cloud environment (``cloud: gcp``, issue #31): its infrastructure stacks, the
state bucket (00-state), the network (01-vpc), GKE (02-gke, section ``gke``: officeless/config/gke.py),
Cloud Storage (03-gcs), the VPN server (04-vpn), Memorystore for Valkey (07-memorystore), Backup for
GKE (09-backup) and Artifact Registry (10-artifact-registry). The Kubernetes layer follows (issue #31
stays open for it).

Regions and their zones: https://cloud.google.com/compute/docs/regions-zones (a table of the
regions an environment may name; add a row with its zones to use another). Pod ranges: GKE Standard
gives each node a /24 of the pod range for the default 110 pods per node
(https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr), so the range must hold
one /24 per node the cluster may grow to.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, ClassVar, Literal, Union

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.backend import AgentPool, LocalBackendConfig, TerraformCloudConfig
from officeless.config.ec2 import Version, check_vpn_server
from officeless.config.gke import MACHINE_TYPES, GkeConfig
from officeless.config.helm import ChartVersion
from officeless.config.karpenter import Duration
from officeless.config.platform_services import ArgoCdConfig
from officeless.config.managed import ManagedHelmConfig
from officeless.config.vpn import VpnServerBase, VpnSoftwareBase, check_vpn_fits
from officeless.config.tenancy import TenancyConfig, refuse_aws_secret_names
from officeless.config.observability import ObservabilityConfig
from officeless.config.s3 import OBSERVABILITY_BUCKETS
from officeless.config.types import (Cidr, Model, Name, check_pools, check_room_for_nodes, clip, is_production_environment,
                                     matching, one_of, TargetRoot)
from officeless.errors import FieldError

# https://cloud.google.com/compute/docs/regions-zones: region -> zone letters.
REGIONS: dict[str, str] = {
    "us-central1": "abcf", "us-east1": "bcd", "us-east4": "abc", "us-west1": "abc",
    "europe-west1": "bcd", "europe-west3": "abc", "europe-west4": "abc",
    "asia-southeast1": "abc", "asia-southeast2": "abc", "asia-northeast1": "abc",
}
# Sections of other targets that mean nothing here: one line names the section.
FOREIGN = ("vpc", "eks", "s3", "ec2", "karpenter", "ingress", "access", "ecr", "emulator", "accepted_risks",
           "cluster", "storage_classes", "object_storage", "nodes", "ingress_controller", "azure", "aks")
# Google reserves four addresses of every subnet's primary range:
# https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet
SUBNET_RESERVED = 4

ProjectId = Annotated[StrictStr, matching(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", "a Google Cloud project id; allowed: 6-30 "
                                          "lowercase letters, digits and '-', starting with a letter")]
GCS_BUCKET = r"[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]"
GcsBucket = Annotated[StrictStr, matching(GCS_BUCKET, "a Cloud Storage bucket name; allowed: 3-63 lowercase letters, "
                                                      "digits, '-' and '_'")]
LabelMap = Annotated[dict[Annotated[StrictStr, matching(r"[a-z][a-z0-9_-]{0,62}", "a label key")],
                          Annotated[StrictStr, matching(r"[a-z0-9_-]{0,63}", "a label value (lowercase)")]],
                     Field(max_length=60)]


class GcsBackendConfig(Model):
    """State in a Cloud Storage bucket (00-state creates it), one prefix per stack; GCS locks natively."""

    type: Literal["gcs"]
    bucket: GcsBucket


class GcpCloudBackendConfig(TerraformCloudConfig):
    """Terraform Cloud / HCP Terraform: a workspace per stack (00-tfc-workspaces), runs signing in to
    Google Cloud through workload identity federation (00-tfc-wif), no key anywhere."""

    # The agent pool for the workspaces that reach the private cluster endpoint. Default
    # officeless-<environment>. Its agent token is created outside Terraform (README).
    agent_pool: AgentPool | None = None


GcpBackend = Annotated[Union[GcsBackendConfig, LocalBackendConfig, GcpCloudBackendConfig], Field(discriminator="type")]


class StateConfig(Model):
    # Days a deleted or replaced object stays restorable (Cloud Storage soft delete). Default 7.
    soft_delete_days: Annotated[StrictInt, Field(ge=7, le=90)] = 7
    # Days between automatic rotations of the bucket's Cloud KMS key. Default 90.
    key_rotation_days: Annotated[StrictInt, Field(ge=1, le=365)] = 90
    # Terraform refuses to destroy the bucket and its key. Default on.
    prevent_destroy: StrictBool = True


class SubnetConfig(Model):
    name: Name
    cidr: Cidr  # the nodes' addresses
    pods_cidr: Cidr  # secondary range for pods
    services_cidr: Cidr  # secondary range for Services
    # The region's proxy-only subnet, which the internal Gateway's regional load balancer's proxies
    # use (https://cloud.google.com/load-balancing/docs/proxy-only-subnets): a /23 or larger. Default
    # 10.10.16.0/23.
    proxy_cidr: Cidr = "10.10.16.0/23"


class NetworkConfig(Model):
    name: Name
    subnet: SubnetConfig
    # The most nodes the cluster may hold: the ranges are checked against it. Default 30.
    max_nodes: Annotated[StrictInt, Field(ge=1, le=5000)] = 30
    # VPC flow logs on the subnet (sampled 50 %, every 5 s, all metadata). Default on.
    flow_logs: StrictBool = True


class StorageConfig(Model):
    """03-gcs: Cloud Storage for Mimir, Loki and Tempo (and the applications)."""

    # Bucket names are <project>-<environment>-<purpose> (Cloud Storage names are global).
    application_buckets: list[Name] = []
    # Days a replaced or deleted object's old version is kept. Default 90.
    noncurrent_version_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 90
    prevent_destroy: StrictBool = True

    def bucket_name(self, project: str, environment: str, purpose: str) -> str:
        return f"{project}-{environment}-{purpose}"


class CacheConfig(Model):
    """07-memorystore: Memorystore for Valkey, reached through Private Service Connect from the
    cluster's subnet only, IAM authentication and TLS (server authentication) on.
    https://cloud.google.com/memorystore/docs/valkey/networking"""

    name: Name = "valkey"  # the instance id
    # https://cloud.google.com/memorystore/docs/valkey/instance-node-specification
    node_type: Literal["SHARED_CORE_NANO", "STANDARD_SMALL", "HIGHMEM_MEDIUM", "HIGHMEM_XLARGE"] = "HIGHMEM_MEDIUM"
    shard_count: Annotated[StrictInt, Field(ge=1, le=250)] = 1
    # Replicas per shard, in other zones (multi-zone) when there is at least one. Default 1.
    replica_count: Annotated[StrictInt, Field(ge=0, le=5)] = 1
    engine_version: Literal["VALKEY_7_2", "VALKEY_8_0"] = "VALKEY_8_0"
    # Memorystore refuses to delete the instance. Default on.
    deletion_protection: StrictBool = True


# Unix cron (minute hour day-of-month month day-of-week), as Backup for GKE schedules take it:
# https://cloud.google.com/kubernetes-engine/docs/add-on/backup-for-gke/how-to/backup-plan#create_a_backup_plan
CRON = r"(\S+\s+){4}\S+"


class BackupConfig(Model):
    """09-backup: Backup for GKE of every namespace's resources, Secrets and volume data, as AWS
    Backup on AWS (daily, 30 days), encrypted with the stack's own Cloud KMS key."""

    enabled: StrictBool = True
    # When backups run (UTC). Default daily at 03:00, after the maintenance window opens.
    schedule: Annotated[StrictStr, matching(CRON, "a unix cron expression of 5 fields, e.g. '0 3 * * *'")] = "0 3 * * *"
    # Days each backup is kept. Default 30.
    retention_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 30
    # Days during which nobody can delete a backup (not even an admin). Default 0 (none); at most retention_days.
    delete_lock_days: Annotated[StrictInt, Field(ge=0, le=90)] = 0

    @model_validator(mode="after")
    def _lock_within_retention(self) -> "BackupConfig":
        if self.delete_lock_days > self.retention_days:
            raise FieldError("delete_lock_days", f"{self.delete_lock_days} is longer than retention_days "
                                                 f"{self.retention_days}; allowed: at most retention_days")
        return self


# Artifact Registry remote repositories (pull-through caches): upstream -> its registry. Docker Hub
# is Artifact Registry's preset; the others are custom Docker upstreams.
# https://cloud.google.com/artifact-registry/docs/repositories/remote-overview
REMOTE_UPSTREAMS = {"docker-hub": "DOCKER_HUB", "github": "https://ghcr.io", "quay": "https://quay.io",
                    "kubernetes": "https://registry.k8s.io"}
RepositoryId = Annotated[StrictStr, matching(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?", "an Artifact Registry repository id; "
                                             "allowed: lowercase letters, digits and '-', starting with a letter")]


class RegistryConfig(Model):
    """10-artifact-registry: Docker repositories for the applications' images (immutable tags,
    vulnerability scanning, the stack's own Cloud KMS key, old untagged images cleaned up) and remote
    repositories caching public registries, as 10-ecr on AWS."""

    # Repository ids, e.g. core-business. Default: none.
    repositories: list[RepositoryId] = []
    # Remote repositories by upstream (docker-hub, github, quay, kubernetes). Default: none.
    remotes: list[Annotated[StrictStr, one_of(tuple(REMOTE_UPSTREAMS), "a remote repository upstream")]] = []
    # Untagged images older than this are deleted. Default 30 days.
    untagged_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 30
    prevent_destroy: StrictBool = True

    @model_validator(mode="after")
    def _unique(self) -> "RegistryConfig":
        for field in ("repositories", "remotes"):
            items = getattr(self, field)
            for i, item in enumerate(items):
                if items.index(item) != i:
                    raise FieldError(f"{field}[{i}]", f"{item!r} is listed twice; list each once")
        return self


class VpnSoftwareConfig(VpnSoftwareBase):
    """What the VPN server's cloud-init installs, as ``ec2.software`` on AWS with the Google Cloud CLI
    (and GKE's kubectl plugin) in place of the AWS CLI."""

    gcloud: Version  # apt pin of google-cloud-cli and its GKE auth plugin, e.g. 576.0.*


class VpnConfig(VpnServerBase):
    """04-vpn: the Pritunl VPN server (also the Jenkins agent and a Docker registry), as 04-ec2 on AWS."""

    machine_type: StrictStr = "e2-standard-2"
    # The zone of the VM and its data disk. Default: the first of ``zones``.
    zone: StrictStr | None = None
    # Canonical's Ubuntu 24.04 LTS image family (the newest image of it at creation; never replaced after).
    image: StrictStr = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64"
    # Compute Engine refuses to delete the VM. Default: on in production environments.
    deletion_protection: StrictBool | None = None
    # SSH through Identity-Aware Proxy's TCP forwarding (35.235.240.0/20, IAM-checked, OS Login):
    # the way in from outside, as SSM Session Manager on AWS. Default on.
    iap_ssh: StrictBool = True
    software: VpnSoftwareConfig

    @model_validator(mode="after")
    def _checks(self) -> "VpnConfig":
        if self.machine_type not in MACHINE_TYPES:
            raise FieldError("machine_type", f"{clip(self.machine_type)!r} is not in the machine type table; allowed: "
                                             f"{', '.join(MACHINE_TYPES)} (officeless/config/gke.py)")
        check_vpn_server(self)
        return self


class GkeHelmConfig(ManagedHelmConfig):
    """The charts of GKE's Kubernetes layer and their sizes. GKE runs metrics-server, the CSI drivers
    and load balancing itself. The observability stack runs on Cloud Storage (03-gcs) when on."""

    service: ClassVar[str] = "GKE"


class GatewaysConfig(Model):
    """05-helm's Gateways on GKE's classes (the ALB Gateways' split): TLS where certificates are named."""

    # The public Gateway's Certificate Manager certificate map (HTTPS, HTTP only redirecting). Default: none (HTTP).
    certificate_map: Name | None = None
    # The internal Gateway's pre-shared regional SSL certificates. Default: none (HTTP).
    internal_certificates: list[Name] = []


class GcpExternalSecretsConfig(Model):
    """08-platform: External Secrets with Google Secret Manager, a store per tenant."""

    enabled: StrictBool = True
    version: ChartVersion = "2.9.0"
    # How often ExternalSecrets (Argo CD's) re-read Secret Manager. Default 1h.
    refresh_interval: Duration = "1h"


# The owner of the platform's secrets (Argo CD's): a name no tenant may take.
PLATFORM_SECRETS = "platform"


class GcpConfig(TargetRoot):
    foreign_sections = FOREIGN
    foreign_why = "a section of another target (AWS, an existing cluster or Azure); cloud: gcp builds on Google Cloud"
    cloud: Literal["gcp"]
    environment: Name
    project: Name
    gcp_project: ProjectId
    region: StrictStr
    zones: Annotated[list[StrictStr], Field(min_length=1)]
    labels: LabelMap = {}
    backend: GcpBackend
    state: StateConfig = StateConfig()
    network: NetworkConfig
    gke: GkeConfig
    storage: StorageConfig = StorageConfig()
    cache: CacheConfig = CacheConfig()
    backup: BackupConfig = BackupConfig()
    artifact_registry: RegistryConfig = RegistryConfig()
    # The VPN server (04-vpn); none without the section.
    vpn: VpnConfig | None = None
    # The Kubernetes layer (06-access, 08-platform): charts and sizes, tenants, External Secrets.
    helm: GkeHelmConfig = GkeHelmConfig()
    gateways: GatewaysConfig = GatewaysConfig()
    tenancy: TenancyConfig = TenancyConfig()
    external_secrets: GcpExternalSecretsConfig = GcpExternalSecretsConfig()
    # Argo CD, as on EKS (on when the section is present), its UI on the internal Gateway; its secrets
    # are Secret Manager secrets under the platform's prefix: repository_secret and admin_password_secret
    # name them (defaults <environment>_platform_argocd-repository, <environment>_platform_argocd-admin).
    argocd: ArgoCdConfig | None = None
    # Tenant and retention of the observability stack (the buckets' lifecycle follows retention).
    observability: ObservabilityConfig = ObservabilityConfig()

    @model_validator(mode="after")
    def _region_and_zones(self) -> "GcpConfig":
        if self.region not in REGIONS:
            raise FieldError("region", f"{clip(self.region)!r} is not a region this project knows; allowed: "
                                       f"{', '.join(REGIONS)} (officeless/config/gcp.py, from Google's regions and zones)")
        allowed = [f"{self.region}-{letter}" for letter in REGIONS[self.region]]
        for i, zone in enumerate(self.zones):
            if zone not in allowed:
                raise FieldError(f"zones[{i}]", f"{clip(zone)!r} is not a zone of {self.region}; allowed: {', '.join(allowed)}")
        if len(set(self.zones)) != len(self.zones):
            raise FieldError("zones", f"{self.zones} lists a zone twice; list each once")
        return self

    @model_validator(mode="after")
    def _ranges_hold_the_cluster(self) -> "GcpConfig":
        subnet, nodes = self.network.subnet, self.network.max_nodes
        ranges = {"cidr": subnet.cidr, "pods_cidr": subnet.pods_cidr, "services_cidr": subnet.services_cidr,
                  "proxy_cidr": subnet.proxy_cidr}
        networks = {k: ipaddress.ip_network(v) for k, v in ranges.items()}
        names = list(networks)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if networks[a].overlaps(networks[b]):
                    raise FieldError(f"network.subnet.{b}", f"{ranges[b]!r} overlaps {a} {ranges[a]!r}; allowed: a range "
                                                            "that shares no address with the subnet's other ranges")
        if networks["proxy_cidr"].prefixlen > 23:
            raise FieldError("network.subnet.proxy_cidr", f"{subnet.proxy_cidr!r} is smaller than a /23, the least a "
                                                          "proxy-only subnet holds; allowed: a /23 or larger")
        master = ipaddress.ip_network(self.gke.master_cidr)
        for name, net in networks.items():
            if master.overlaps(net):
                raise FieldError("gke.master_cidr", f"{self.gke.master_cidr!r} overlaps network.subnet.{name} {ranges[name]!r}; "
                                                    "allowed: a /28 outside the subnet's ranges")
        if master.prefixlen != 28:
            raise FieldError("gke.master_cidr", f"{self.gke.master_cidr!r} is not a /28; allowed: a /28 (GKE's private "
                                                "control plane range)")
        check_pools(self.gke.node_pools, system_pool="where the system components run", field="gke.node_pools",
                    max_nodes=nodes)
        check_room_for_nodes(nodes_field="network.subnet.cidr", nodes_cidr=subnet.cidr, reserved=SUBNET_RESERVED,
                             pods_field="network.subnet.pods_cidr", pods_cidr=subnet.pods_cidr, max_nodes=nodes,
                             per_node="a /24 each at 110 pods per node")
        return self

    @model_validator(mode="after")
    def _vpn_fits(self) -> "GcpConfig":
        vpn = self.vpn
        if vpn is None:
            return self
        if vpn.zone is not None and vpn.zone not in self.zones:
            raise FieldError("vpn.zone", f"{clip(vpn.zone)!r} is not one of zones; allowed: {', '.join(self.zones)}")
        check_vpn_fits(vpn, network_cidr=self.network.subnet.cidr, production=self.is_production,
                       way_in="SSH through Identity-Aware Proxy: vpn.iap_ssh", cluster_minor=self.gke.kubernetes_version)
        return self

    @model_validator(mode="after")
    def _tenants_fit(self) -> "GcpConfig":
        refuse_aws_secret_names(self.tenancy, "gcp", lambda name: f"the Secret Manager secrets whose ids start with "
                                                              f"{self.secret_prefix(name)!r}")
        for i, tenant in enumerate(self.tenancy.tenants):
            if tenant.name == PLATFORM_SECRETS:
                raise FieldError(f"tenancy.tenants[{i}].name", f"{tenant.name!r} would read the platform's secrets "
                                                  f"({self.secret_prefix(PLATFORM_SECRETS)}*); allowed: another name")
        return self

    @model_validator(mode="after")
    def _argocd_secrets(self) -> "GcpConfig":
        if self.argocd is None:
            return self
        self.argocd.check_cluster(tenants=self.tenancy.names, external_secrets=self.external_secrets.enabled,
                                  secrets_from="Secret Manager")
        prefix = self.secret_prefix(PLATFORM_SECRETS)
        for field in ("repository_secret", "admin_password_secret"):
            name = getattr(self.argocd, field)
            if name is not None and not re.fullmatch(re.escape(prefix) + r"[A-Za-z0-9_-]+", name):
                raise FieldError(f"argocd.{field}", f"{clip(name)!r} is not a Secret Manager secret the platform's store "
                                                    f"reads; allowed: an id starting {prefix!r} (letters, digits, '-', '_')")
        return self

    @property
    def argocd_secret_names(self) -> tuple[str, str]:
        """(repository credentials, admin password): Secret Manager ids under the platform's prefix."""
        assert self.argocd is not None
        prefix = self.secret_prefix(PLATFORM_SECRETS)
        return (self.argocd.repository_secret or f"{prefix}argocd-repository",
                self.argocd.admin_password_secret or f"{prefix}argocd-admin")

    def bucket(self, purpose: str) -> str:
        """03-gcs's bucket of ``purpose`` (mimir-metrics, loki-chunks, ...)."""
        return self.storage.bucket_name(self.project, self.environment, purpose)

    def secret_prefix(self, owner: str) -> str:
        """The Secret Manager ids a store reads: ``<environment>_<owner>_``. Namespace and environment
        names hold no ``_``, so no owner's prefix starts another's."""
        return f"{self.environment}_{owner}_"

    @property
    def platform_secret_owner(self) -> str:
        return PLATFORM_SECRETS

    @property
    def is_production(self) -> bool:
        return is_production_environment(self.environment)

    def warnings(self, today) -> list[tuple[str, str]]:
        plain = [kind for kind, tls in (("public", self.gateways.certificate_map), ("internal", self.gateways.internal_certificates))
                 if not tls]
        if not plain:
            return []
        return [("gateways", f"the {' and '.join(plain)} Gateway{'s serve' if len(plain) > 1 else ' serves'} plain HTTP: "
                             "name gateways.certificate_map / gateways.internal_certificates for HTTPS")]

    @property
    def observability_tenant(self) -> str:
        return self.observability.tenant_of(self.project)

    @property
    def bucket_purposes(self) -> list[str]:
        return [*OBSERVABILITY_BUCKETS, *self.storage.application_buckets]

    @model_validator(mode="after")
    def _bucket_names_fit(self) -> "GcpConfig":
        for purpose in self.bucket_purposes:
            name = self.storage.bucket_name(self.project, self.environment, purpose)
            if not re.fullmatch(GCS_BUCKET, name):
                raise FieldError("storage.application_buckets" if purpose in self.storage.application_buckets else "project",
                                 f"makes the bucket name {clip(name)!r}; allowed: 3-63 lowercase letters, digits, '-' and "
                                 "'_': shorten it")
        return self
