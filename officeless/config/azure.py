"""The root of an Azure environment (``cloud: azure``, issue #32): the state storage account
(00-state), the network (01-vnet), AKS (02-aks, its section in officeless/config/aks.py), Blob Storage
for the observability stack (03-blob), the VPN server (04-vpn), Azure Managed Redis (07-redis), Backup for
AKS (09-backup) and the container registry (10-acr), and the Kubernetes layer's observability stack
(05-helm), tenants (06-access), External Secrets and Argo CD (08-platform, stacks/aks.py), and Terraform
Cloud's workspaces and identities (stacks/tfc.py). Load balancing follows (issue #32 stays open for it).

Sources:

[regions]   Azure regions with availability zones,
            https://learn.microsoft.com/azure/reliability/availability-zones-region-support : the
            regions an environment may name (three zones each); add a row to use another.
[names]     Storage account names: 3-24 lower-case letters and digits, unique across Azure,
            https://learn.microsoft.com/azure/storage/common/storage-account-overview#storage-account-name
[overlay]   Azure CNI Overlay: pods take addresses from a private range outside the VNet, a /24 per
            node by default (250 pods); nodes and Services need ranges of their own that overlap
            nothing, https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay
[redis]     Azure Cache for Redis retires: Enterprise and Enterprise Flash on 2027-03-31, Basic,
            Standard and Premium on 2028-09-30 (retirement FAQ,
            https://learn.microsoft.com/azure/azure-cache-for-redis/retirement-faq); Azure Managed
            Redis (generally available since 2025-05) is the successor, so 07-redis builds only it.
            SKUs: https://learn.microsoft.com/azure/redis/overview#choosing-the-right-tier
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, ClassVar, Literal, Union

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aks import VAULT, VM_SIZES, AksConfig, ObjectId
from officeless.config.ec2 import Version, check_vpn_server
from officeless.config.helm import ChartVersion
from officeless.config.karpenter import Duration
from officeless.config.managed import ManagedHelmConfig
from officeless.config.platform_services import ArgoCdConfig
from officeless.config.tenancy import TenancyConfig, refuse_aws_secret_names
from officeless.config.vpn import VpnServerBase, VpnSoftwareBase, check_vpn_fits
from officeless.config.backend import AgentPool, LocalBackendConfig, TerraformCloudConfig
from officeless.config.observability import ObservabilityConfig
from officeless.config.s3 import OBSERVABILITY_BUCKETS
from officeless.config.types import (Cidr, Model, Name, check_pools, check_room_for_nodes, clip, is_production_environment,
                                     matching, one_of, TargetRoot)
from officeless.errors import FieldError

# [regions]: Azure region names whose three availability zones 01-vnet and 07-redis spread over.
REGIONS = ("southeastasia", "eastasia", "australiaeast", "japaneast", "koreacentral", "centralindia", "eastus",
           "eastus2", "centralus", "westus2", "westus3", "canadacentral", "brazilsouth", "northeurope", "westeurope",
           "uksouth", "francecentral", "germanywestcentral", "swedencentral", "norwayeast")
# Sections of other targets that mean nothing here: one line names the section.
FOREIGN = ("vpc", "eks", "s3", "ec2", "karpenter", "ingress", "access", "ecr", "emulator", "accepted_risks", "cluster",
           "storage_classes", "object_storage", "nodes", "ingress_controller", "gcp_project", "zones", "gke",
           "artifact_registry", "memorystore", "gateways")
# Azure keeps five addresses of every subnet: https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq
SUBNET_RESERVED = 5
STORAGE_ACCOUNT = r"[a-z0-9]{3,24}"

StorageAccountName = Annotated[StrictStr, matching(STORAGE_ACCOUNT, "a storage account name; allowed: 3-24 lower-case "
                                                                   "letters and digits (unique across Azure)")]
SubscriptionId = Annotated[StrictStr, matching(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                               "an Azure subscription id; allowed: a GUID in lower case")]
ResourceGroupName = Annotated[StrictStr, matching(r"[A-Za-z0-9._()-]{0,89}[A-Za-z0-9_()-]",
                                                  "a resource group name; allowed: 1-90 letters, digits, '.', '_', '-', "
                                                  "'(' and ')', not ending in '.'")]
ContainerName = Annotated[StrictStr, matching(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]",
                                              "a blob container name; allowed: 3-63 lower-case letters, digits and "
                                              "single '-'")]
Tags = Annotated[dict[Annotated[StrictStr, matching(r"[^<>%&\\?/]{1,512}", "a tag name")],
                      Annotated[StrictStr, Field(max_length=256)]], Field(max_length=50)]


class AzurermBackendConfig(Model):
    """State in a blob container of a storage account (00-state creates both), one key per stack; blob
    leases lock it. Terraform signs in with Entra ID (``use_azuread_auth``), never an account key."""

    type: Literal["azurerm"]
    resource_group: ResourceGroupName
    storage_account: StorageAccountName
    container: ContainerName = "tfstate"


class AzureCloudBackendConfig(TerraformCloudConfig):
    """Terraform Cloud / HCP Terraform: a workspace per stack (00-tfc-workspaces), runs signing in to Azure
    as managed identities through federated credentials (00-tfc-identity), no secret anywhere."""

    # The agent pool for the workspaces that reach the private cluster API. Default officeless-<environment>.
    # Its agent token is created outside Terraform (README).
    agent_pool: AgentPool | None = None


AzureBackend = Annotated[Union[AzurermBackendConfig, LocalBackendConfig, AzureCloudBackendConfig],
                         Field(discriminator="type")]


class StateConfig(Model):
    # Days a deleted blob or container stays restorable (soft delete). Default 7.
    soft_delete_days: Annotated[StrictInt, Field(ge=1, le=365)] = 7
    # Terraform refuses to destroy the state account. Default on.
    prevent_destroy: StrictBool = True


class NetworkConfig(Model):
    """One VNet: the nodes' subnet and an endpoints subnet inside it; pods (Azure CNI Overlay) and
    Services take private ranges outside it that overlap nothing."""

    name: Name
    cidr: Cidr  # the VNet
    nodes_cidr: Cidr  # the nodes' subnet, inside cidr
    endpoints_cidr: Cidr  # private endpoints (07-redis), inside cidr
    # The VPN server's subnet (04-vpn), inside cidr: its own network security group admits the
    # services of vpn.ingress. Default: none (needed with a vpn section).
    vpn_cidr: Cidr | None = None
    pods_cidr: Cidr  # CNI Overlay's pod range, outside cidr
    services_cidr: Cidr  # Kubernetes Services, outside cidr
    # The most nodes the cluster may hold: the ranges are checked against it. Default 30.
    max_nodes: Annotated[StrictInt, Field(ge=1, le=5000)] = 30
    # VNet flow logs to a storage account of 01-vnet's, kept this many days. Default 90.
    flow_log_days: Annotated[StrictInt, Field(ge=1, le=365)] = 90


class StorageConfig(Model):
    """03-blob: a storage account of containers for Mimir, Loki and Tempo (and applications')."""

    # The account's name (unique across Azure): 3-24 lower-case letters and digits.
    account: StorageAccountName
    application_containers: list[ContainerName] = []
    # Days a replaced or deleted blob's old version is kept. Default 90.
    noncurrent_version_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 90
    prevent_destroy: StrictBool = True


class CacheConfig(Model):
    """07-redis: Azure Managed Redis, reached only through a private endpoint, TLS only, Entra ID
    authentication (no access keys), highly available across zones."""

    name: Name = "valkey"
    sku: Literal["Balanced_B0", "Balanced_B1", "Balanced_B3", "Balanced_B5", "Balanced_B10", "MemoryOptimized_M10",
                 "MemoryOptimized_M20", "ComputeOptimized_X3", "ComputeOptimized_X5"] = "Balanced_B1"
    # Append-only persistence, written every second. Default on.
    persistence: StrictBool = True


# Upstreams 10-acr may cache (ACR's artifact cache; a repository-level wildcard maps <name>/* to the
# upstream's /*): https://learn.microsoft.com/azure/container-registry/wildcards-artifact-cache
CACHE_UPSTREAMS = {"docker-hub": "docker.io", "github": "ghcr.io", "quay": "quay.io", "kubernetes": "registry.k8s.io",
                   "microsoft": "mcr.microsoft.com"}


class RegistryConfig(Model):
    """10-acr: a Premium Azure Container Registry for the applications' images (private endpoint only,
    zone-redundant, no admin user or anonymous pulls, untagged manifests deleted after
    ``untagged_days``) and cache rules for public registries, as 10-ecr on AWS."""

    # The registry's name (unique across Azure): 5-50 letters and digits.
    name: Annotated[StrictStr, matching(r"[a-zA-Z0-9]{5,50}", "a container registry name; allowed: 5-50 letters and "
                                                               "digits (unique across Azure)")]
    # Cached upstreams (docker-hub, github, quay, kubernetes, microsoft): nodes pull <registry>.azurecr.io/
    # <upstream>/<image>. Default: none.
    caches: list[Annotated[StrictStr, one_of(tuple(CACHE_UPSTREAMS), "a cached upstream")]] = []
    # Untagged manifests older than this are deleted. Default 30 days.
    untagged_days: Annotated[StrictInt, Field(ge=1, le=365)] = 30

    @model_validator(mode="after")
    def _unique(self) -> "RegistryConfig":
        for i, item in enumerate(self.caches):
            if self.caches.index(item) != i:
                raise FieldError(f"caches[{i}]", f"{item!r} is listed twice; list each once")
        return self


class BackupConfig(Model):
    """09-backup: Azure Backup for AKS, daily, in the operational tier (snapshots and a blob container in
    the subscription)."""

    # Daily backup time (UTC, HH:MM). Default 03:00.
    start: Annotated[StrictStr, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "03:00"
    # Days each backup is kept: the operational tier keeps 1 to 360. Default 30.
    retention_days: Annotated[StrictInt, Field(ge=1, le=360)] = 30


class AksHelmConfig(ManagedHelmConfig):
    """The charts of AKS's Kubernetes layer and their sizes. AKS runs metrics-server and the Azure Disk
    and Azure Files CSI drivers itself (02-aks)."""

    service: ClassVar[str] = "AKS"


# The owner of the platform's secrets (Argo CD's): a name no tenant may take.
PLATFORM_SECRETS = "platform"


class AzureExternalSecretsConfig(Model):
    """08-platform: External Secrets with Azure Key Vault, a vault per owner (the platform and each
    tenant), each read by its own store's identity alone."""

    enabled: StrictBool = True
    version: ChartVersion = "2.9.0"
    # How often ExternalSecrets re-read Key Vault. Default 1h.
    refresh_interval: Duration = "1h"
    # Vault names are <vault_prefix>-<owner> (owner: platform or a tenant), unique across Azure and at
    # most 24 characters. Default: the environment's name.
    vault_prefix: Annotated[StrictStr, matching(r"[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,20}", "a Key Vault name prefix; "
                                                "allowed: a letter, then letters, digits and single '-' (up to 21)")] | None = None
    # Who writes each owner's secrets: owner (platform or a tenant) -> Entra ID object ids (groups,
    # users) granted Key Vault Secrets Officer on that owner's vault alone, from the VNet (the vaults
    # have no public endpoint). Default: none (no one writes until listed).
    writers: dict[Name, list[ObjectId]] = {}


class VpnSoftwareConfig(VpnSoftwareBase):
    """What the VPN server's cloud-init installs, with the Azure CLI and kubelogin (kubectl's Entra ID
    credential plugin) in place of the AWS CLI."""

    azure_cli: Version  # apt pin of azure-cli, e.g. 2.79.*
    kubelogin: Version  # Azure/kubelogin release tag, e.g. v0.2.19


class VpnConfig(VpnServerBase):
    """04-vpn: the Pritunl VPN server (also the Jenkins agent and a Docker registry), as 04-ec2 on AWS."""

    vm_size: StrictStr = "Standard_D2s_v5"
    # The availability zone of the VM, its address and its data disk. Default "1".
    zone: Literal["1", "2", "3"] = "1"
    # Azure's Ubuntu 24.04 image has a 30 GB OS disk, the least it takes. Default 30.
    root_volume_gb: Annotated[StrictInt, Field(ge=30, le=4095)] = 30
    # The administrator's OpenSSH public key (Azure creates the account with it; passwords are off).
    admin_ssh_public_key: Annotated[StrictStr, matching(r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) "
                                                        r"[A-Za-z0-9+/]+={0,2}( [^\n]*)?",
                                                        "an OpenSSH public key; allowed: 'ssh-ed25519 AAAA...' "
                                                        "(or ssh-rsa, ecdsa-sha2-nistp256)")]
    # A CanNotDelete lock on the VM. Default: on in production environments.
    deletion_protection: StrictBool | None = None
    software: VpnSoftwareConfig

    @model_validator(mode="after")
    def _checks(self) -> "VpnConfig":
        if self.vm_size not in VM_SIZES:
            raise FieldError("vm_size", f"{clip(self.vm_size)!r} is not in the VM size table; allowed: "
                                        f"{', '.join(VM_SIZES)} (officeless/config/aks.py)")
        check_vpn_server(self)
        return self


class AzureConfig(TargetRoot):
    foreign_sections = FOREIGN
    foreign_why = "a section of another target (AWS, GCP or an existing cluster); cloud: azure builds on Azure"
    cloud: Literal["azure"]
    environment: Name
    project: Name
    subscription_id: SubscriptionId
    location: StrictStr
    tags: Tags = {}
    backend: AzureBackend
    state: StateConfig = StateConfig()
    network: NetworkConfig
    aks: AksConfig
    vpn: VpnConfig | None = None
    registry: RegistryConfig | None = None
    backup: BackupConfig | None = None
    # The Kubernetes layer (06-access, 08-platform): charts and sizes, tenants and External Secrets.
    helm: AksHelmConfig = AksHelmConfig()
    tenancy: TenancyConfig = TenancyConfig()
    # Who works in each tenant's namespace: tenant -> level (admin, edit, view) -> Entra ID object ids
    # (groups, users), granted the matching Azure Kubernetes Service RBAC role (Admin, Writer, Reader)
    # on that namespace alone. Azure RBAC authorizes AKS's Entra ID tokens, which carry group object
    # ids, not EKS's <namespace>:<level> group names. Default: none.
    tenant_access: dict[Name, dict[Literal["admin", "edit", "view"], list[ObjectId]]] = {}
    external_secrets: AzureExternalSecretsConfig = AzureExternalSecretsConfig()
    # Argo CD, as on EKS (on when the section is present; its UI on an internal load balancer in the
    # VNet); its repository credentials and admin password are secrets of the
    # platform's vault: repository_secret and admin_password_secret name them (defaults
    # argocd-repository, argocd-admin).
    argocd: ArgoCdConfig | None = None
    storage: StorageConfig
    cache: CacheConfig = CacheConfig()
    observability: ObservabilityConfig = ObservabilityConfig()

    @model_validator(mode="after")
    def _location(self) -> "AzureConfig":
        if self.location not in REGIONS:
            raise FieldError("location", f"{clip(self.location)!r} is not a region with availability zones this project "
                                         f"knows; allowed: {', '.join(REGIONS)} (officeless/config/azure.py)")
        return self

    @model_validator(mode="after")
    def _address_plan(self) -> "AzureConfig":
        net, nodes = self.network, self.network.max_nodes
        ranges = {name: ipaddress.ip_network(getattr(net, name))
                  for name in ("cidr", "nodes_cidr", "endpoints_cidr", "pods_cidr", "services_cidr")}
        if net.vpn_cidr is not None:
            ranges["vpn_cidr"] = ipaddress.ip_network(net.vpn_cidr)
        inside = [name for name in ("nodes_cidr", "endpoints_cidr", "vpn_cidr") if name in ranges]
        for i, name in enumerate(inside):
            if not ranges[name].subnet_of(ranges["cidr"]):
                raise FieldError(f"network.{name}", f"{getattr(net, name)!r} is not inside the VNet {net.cidr!r}; "
                                                    "allowed: a subnet of network.cidr")
            for other in inside[:i]:
                if ranges[name].overlaps(ranges[other]):
                    raise FieldError(f"network.{name}", f"{getattr(net, name)!r} overlaps {other} "
                                                        f"{getattr(net, other)!r}; allowed: another part of network.cidr")
        for outside in ("pods_cidr", "services_cidr"):
            for other in ("cidr", *(o for o in ("pods_cidr", "services_cidr") if o != outside)):
                if ranges[outside].overlaps(ranges[other]):
                    raise FieldError(f"network.{outside}", f"{getattr(net, outside)!r} overlaps {other} "
                                                           f"{getattr(net, other)!r}; allowed: a private range that "
                                                           "overlaps no other")
        if ranges["services_cidr"].prefixlen < 12:
            raise FieldError("network.services_cidr", f"{net.services_cidr!r} is larger than AKS takes; allowed: a /12 "
                                                      "or smaller (https://learn.microsoft.com/azure/aks/azure-cni-overlay)")
        check_room_for_nodes(nodes_field="network.nodes_cidr", nodes_cidr=net.nodes_cidr, reserved=SUBNET_RESERVED,
                             pods_field="network.pods_cidr", pods_cidr=net.pods_cidr, max_nodes=nodes, per_node="a /24 each")
        check_pools(self.aks.node_pools, system_pool="AKS's system pool", field="aks.node_pools", max_nodes=nodes)
        return self

    @model_validator(mode="after")
    def _vpn_fits(self) -> "AzureConfig":
        vpn = self.vpn
        if vpn is None:
            return self
        if self.network.vpn_cidr is None:
            raise FieldError("network.vpn_cidr", "is not set, and the vpn section needs a subnet of its own; allowed: a "
                                                 "range inside network.cidr, e.g. a /27")
        check_vpn_fits(vpn, network_cidr=self.network.cidr, production=self.is_production,
                       way_in="the VPN itself or Azure's serial console", cluster_minor=self.aks.kubernetes_version)
        return self

    @model_validator(mode="after")
    def _tenants_fit(self) -> "AzureConfig":
        refuse_aws_secret_names(self.tenancy, "azure", lambda name: f"the Key Vault {self.secret_vault(name)!r}")
        for i, tenant in enumerate(self.tenancy.tenants):
            if tenant.name == PLATFORM_SECRETS:
                raise FieldError(f"tenancy.tenants[{i}].name", f"{tenant.name!r} would read the platform's secrets "
                                                  f"(the Key Vault {self.secret_vault(PLATFORM_SECRETS)!r}); allowed: another name")
            vault = self.secret_vault(tenant.name)
            if not re.fullmatch(VAULT, vault):
                raise FieldError(f"tenancy.tenants[{i}].name", f"{tenant.name!r} makes the Key Vault name {clip(vault)!r}, "
                                                               "over 24 characters; allowed: a shorter name, or a shorter "
                                                               "external_secrets.vault_prefix")
        return self

    @model_validator(mode="after")
    def _access_to_tenants(self) -> "AzureConfig":
        for tenant in self.tenant_access:
            if tenant not in self.tenancy.names:
                raise FieldError(f"tenant_access.{tenant}", f"{tenant!r} is not a tenant namespace; allowed: "
                                                            f"{', '.join(self.tenancy.names) or 'none: tenancy.tenants is empty'}")
        return self

    @model_validator(mode="after")
    def _writers_are_owners(self) -> "AzureConfig":
        owners = [PLATFORM_SECRETS, *self.tenancy.names]
        for owner in self.external_secrets.writers:
            if owner not in owners:
                raise FieldError(f"external_secrets.writers.{owner}", f"{owner!r} owns no vault; allowed: "
                                                                      f"{', '.join(owners)}")
        return self

    @model_validator(mode="after")
    def _argocd_secrets(self) -> "AzureConfig":
        if self.argocd is None:
            return self
        self.argocd.check_cluster(tenants=self.tenancy.names, external_secrets=self.external_secrets.enabled,
                                  secrets_from=f"the Key Vault {self.secret_vault(PLATFORM_SECRETS)!r}")
        for field in ("repository_secret", "admin_password_secret"):
            name = getattr(self.argocd, field)
            # https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers
            if name is not None and not re.fullmatch(r"[0-9a-zA-Z-]{1,127}", name):
                raise FieldError(f"argocd.{field}", f"{clip(name)!r} is not a Key Vault secret name; allowed: 1-127 "
                                                    f"letters, digits and '-' (a secret of {self.secret_vault(PLATFORM_SECRETS)!r})")
        return self

    @property
    def argocd_secret_names(self) -> tuple[str, str]:
        """(repository credentials, admin password): secrets of the platform's vault."""
        assert self.argocd is not None
        return self.argocd.repository_secret or "argocd-repository", self.argocd.admin_password_secret or "argocd-admin"

    @model_validator(mode="after")
    def _names(self) -> "AzureConfig":
        if isinstance(self.backend, AzurermBackendConfig) and self.backend.storage_account == self.storage.account:
            raise FieldError("storage.account", f"{self.storage.account!r} is the state's account too; allowed: an "
                                                "account of its own")
        vault = self.key_vault_name
        if not re.fullmatch(VAULT, vault):
            raise FieldError("aks.key_vault", f"the default {clip(vault)!r} (from project and environment) is not a Key "
                                              "Vault name; allowed: set aks.key_vault to 3-24 letters, digits and single "
                                              "'-', starting with a letter")
        for made in (self.flow_log_account, self.backup_account):
            if not re.fullmatch(STORAGE_ACCOUNT, made):
                raise FieldError("project", f"makes the storage account name {clip(made)!r}; allowed: 3-24 lower-case "
                                            "letters and digits: shorten project or environment")
        return self

    @property
    def is_production(self) -> bool:
        return is_production_environment(self.environment)

    @property
    def resource_group(self) -> str:
        """The resource group of the environment's stacks (but 00-state's)."""
        return f"{self.project}-{self.environment}"

    @property
    def key_vault_name(self) -> str:
        return self.aks.vault_name(self.project, self.environment)

    def bucket(self, purpose: str) -> str:
        """03-blob's container of ``purpose`` (mimir-metrics, loki-chunks, ...): named after it."""
        return purpose

    def secret_vault(self, owner: str) -> str:
        """The Key Vault of ``owner``'s secrets (the platform's or a tenant's), which only its store reads."""
        return f"{self.external_secrets.vault_prefix or self.environment}-{owner}"

    @property
    def platform_secret_owner(self) -> str:
        return PLATFORM_SECRETS

    @property
    def dns_service_ip(self) -> str:
        """kube-dns's address: the tenth of the Services' range, as AKS's own default."""
        return str(ipaddress.ip_network(self.network.services_cidr)[10])

    @property
    def flow_log_account(self) -> str:
        return re.sub(r"[^a-z0-9]", "", f"{self.project}{self.environment}flowlogs")[:24]

    @property
    def backup_account(self) -> str:
        """09-backup's account, for the backup extension's blobs."""
        return re.sub(r"[^a-z0-9]", "", f"{self.project}{self.environment}aksbackup")[:24]

    @property
    def containers(self) -> list[str]:
        return [*OBSERVABILITY_BUCKETS, *self.storage.application_containers]

    @property
    def observability_tenant(self) -> str:
        return self.observability.tenant_of(self.project)

    def warnings(self, today) -> list[tuple[str, str]]:
        out = [("cloud", "azure is being built (issue #32): this environment synthesizes 00-state, 01-vnet, 02-aks, 03-blob, "
                         "04-vpn, 05-helm, 06-access, 07-redis, 08-platform, 09-backup and 10-acr; load balancing follows")]
        uis = [name for name, on in (("Grafana", self.helm.grafana.enabled), ("Argo CD", self.argocd is not None)) if on]
        if uis:
            out.append(("helm", f"{' and '.join(uis)} serve{'s' if len(uis) == 1 else ''} plain HTTP on an internal load "
                                "balancer (the VNet only, through the VPN); TLS for them follows with load balancing on AKS"))
        minor = self.aks.minor
        if minor.support_status(today) == "lts":
            out.append(("aks.kubernetes_version", f"{minor.version} is past AKS's end of life ({minor.end_of_life}) and on "
                                                  f"long-term support (Premium tier) until {minor.end_of_lts}"))
        return out
