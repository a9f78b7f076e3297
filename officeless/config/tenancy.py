"""Tenants (namespaces with quotas, defaults, Pod Security and network policies) and who may reach
the cluster. 06-access builds both.

Defaults from the microservices guide: container requests 200m / 512Mi and limits 500m / 1Gi
(its standard service container), production namespaces core-business-prod (50 CPU, 100Gi),
platform-prod (30, 60Gi), infrastructure (20, 40Gi).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, ValidationInfo, model_validator

from officeless.config.aws_limits import MAX_PODS
from officeless.config.eks import RoleName
from officeless.config.secrets import SecretName, SecretPrefix, overlaps
from officeless.config.quantities import Cpu, Memory
from officeless.config.types import CidrOrVpc, Model, Name, Text
from officeless.errors import FieldError

Port = Annotated[StrictInt, Field(ge=1, le=65535)]
Level = Literal["admin", "edit", "view"]


class Peer(Model):
    """Traffic with another namespace on these TCP ports."""

    namespace: Name
    ports: Annotated[list[Port], Field(min_length=1)]


class CidrRule(Model):
    """Traffic with addresses outside the cluster: a CIDR (or ``vpc``, the VPC's CIDR) on these TCP ports."""

    cidr: CidrOrVpc
    ports: Annotated[list[Port], Field(min_length=1)]
    # Why this hole exists; becomes the policy's annotation. Not empty.
    description: Text


class Quota(Model):
    cpu: Cpu  # requests.cpu and limits.cpu of all pods together
    memory: Memory  # requests.memory and limits.memory
    pods: Annotated[StrictInt, Field(ge=1, le=MAX_PODS)] = 100  # at most Kubernetes' pods per cluster
    persistent_volume_claims: Annotated[StrictInt, Field(ge=0, le=MAX_PODS)] = 20
    # Services of type LoadBalancer (an NLB each). Default 0: traffic enters through Ingresses (ALB).
    load_balancers: Annotated[StrictInt, Field(ge=0, le=MAX_PODS)] = 0


class ContainerDefaults(Model):
    """What a container that sets nothing gets (the LimitRange)."""

    request_cpu: Cpu = 200
    request_memory: Memory = 512
    limit_cpu: Cpu = 500
    limit_memory: Memory = 1024

    @model_validator(mode="after")
    def _requests_within_limits(self) -> "ContainerDefaults":
        if self.request_cpu > self.limit_cpu:
            raise FieldError("request_cpu", f"{self.request_cpu}m is above limit_cpu {self.limit_cpu}m; allowed: at most the limit")
        if self.request_memory > self.limit_memory:
            raise FieldError("request_memory", f"{self.request_memory}Mi is above limit_memory {self.limit_memory}Mi; "
                                               "allowed: at most the limit")
        return self


class TenantConfig(Model):
    name: Name  # the namespace; also its label name=<namespace>, which the guide's policies select on
    quota: Quota
    # Pod Security Admission: restricted for application namespaces; baseline where workloads need more
    # (databases, caches in infrastructure).
    pod_security: Literal["restricted", "baseline"] = "restricted"
    ingress_from: list[Peer] = []  # other namespaces that may connect here
    egress_to: list[Peer] = []  # other namespaces this one may connect to
    # From outside the cluster, e.g. the ALB (Ingress, target type ip) from the VPC on the app port.
    ingress: list[CidrRule] = []
    egress: list[CidrRule] = []  # outside the cluster, in addition to tenancy.egress
    # The Secrets Manager names this tenant's store (SecretStore aws-secrets-manager in its
    # namespace, 08-platform) reads, ``<prefix>/*``; no other tenant's, nor the platform's.
    # Default: ``<environment>/<namespace>/*``.
    secret_prefix: SecretPrefix | None = None
    # Secrets outside its prefix it may read too, by whole name: shared ones such as the Valkey AUTH
    # token (<environment>/valkey/<name>/auth-token). Never another tenant's, nor Argo CD's or the
    # alert receiver's. Default: none.
    shared_secrets: list[SecretName] = []

    def secrets(self, environment: str) -> str:
        return self.secret_prefix or f"{environment}/{self.name}/*"


class TenancyConfig(Model):
    container_defaults: ContainerDefaults = ContainerDefaults()
    # Egress outside the cluster every tenant may use (e.g. Valkey, AWS APIs).
    egress: list[CidrRule] = []
    tenants: list[TenantConfig] = []

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> "TenancyConfig":
        # A target's own platform namespaces tenants may talk to (an existing cluster's ingress
        # controller and cache), from the validation context the loader passes.
        system = tuple(dict.fromkeys((*SYSTEM_NAMESPACES, *((info.context or {}).get(PEER_NAMESPACES, ())))))
        seen: dict[str, int] = {}
        for i, tenant in enumerate(self.tenants):
            if tenant.name in PLATFORM_NAMESPACES:
                raise FieldError(f"tenants[{i}].name", f"{tenant.name!r} is a namespace Kubernetes or the platform runs; "
                                                       f"allowed: any other name (not {', '.join(PLATFORM_NAMESPACES)})")
            if tenant.name in seen:
                raise FieldError(f"tenants[{i}].name", f"{tenant.name!r} duplicates tenants[{seen[tenant.name]}]; every tenant "
                                                       "namespace is listed once")
            seen[tenant.name] = i
        d = self.container_defaults
        for i, tenant in enumerate(self.tenants):
            if tenant.quota.cpu < d.limit_cpu or tenant.quota.memory < d.limit_memory:
                raise FieldError(f"tenants[{i}].quota", (
                    f"{tenant.quota.cpu}m CPU / {tenant.quota.memory}Mi cannot hold one pod with the container defaults "
                    f"(limits {d.limit_cpu}m / {d.limit_memory}Mi); allowed: at least the defaults' limits"))
            for kind in ("ingress_from", "egress_to"):
                for j, peer in enumerate(getattr(tenant, kind)):
                    if peer.namespace not in seen and peer.namespace not in system:
                        raise FieldError(f"tenants[{i}].{kind}[{j}].namespace", (
                            f"{peer.namespace!r} is not a tenant namespace; allowed: {', '.join([*seen, *system])}"))
        return self

    def check_secret_prefixes(self, environment: str) -> None:
        """No two tenants' prefixes share a secret name (``a/*`` and ``a/b/*`` do)."""
        for i, tenant in enumerate(self.tenants):
            mine = tenant.secrets(environment)
            for j, other in enumerate(self.tenants[:i]):
                theirs = other.secrets(environment)
                if overlaps(mine, theirs):
                    raise FieldError(f"tenants[{i}].secret_prefix", (
                        f"{mine!r} overlaps {theirs!r} of tenant {other.name} (tenants[{j}]); allowed: a prefix no other "
                        "tenant's contains or is contained in, e.g. <environment>/<tenant>/*"))

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tenants]

    def connections(self) -> dict[str, tuple[dict[str, list[int]], dict[str, list[int]]]]:
        """Per tenant: (ingress ports by peer namespace, egress ports by peer namespace).

        A rule declared on one side also opens the other when the peer is a tenant (it denies by
        default too): core-business-prod's egress_to infrastructure:6379 makes infrastructure
        accept 6379 from core-business-prod. Rules declared on both sides merge.
        """
        out: dict[str, tuple[dict[str, set[int]], dict[str, set[int]]]] = {t.name: ({}, {}) for t in self.tenants}
        for t in self.tenants:
            for peer in t.ingress_from:
                out[t.name][0].setdefault(peer.namespace, set()).update(peer.ports)
                if peer.namespace in out and peer.namespace != t.name:
                    out[peer.namespace][1].setdefault(t.name, set()).update(peer.ports)
            for peer in t.egress_to:
                out[t.name][1].setdefault(peer.namespace, set()).update(peer.ports)
                if peer.namespace in out and peer.namespace != t.name:
                    out[peer.namespace][0].setdefault(t.name, set()).update(peer.ports)
        return {name: ({ns: sorted(p) for ns, p in sorted(ingress.items())}, {ns: sorted(p) for ns, p in sorted(egress.items())})
                for name, (ingress, egress) in out.items()}


# Namespaces the platform itself runs (not tenants), which tenant policies may name.
SYSTEM_NAMESPACES = ("kube-system", "monitoring")
# The validation context's key for more of them (officeless/config/loader.py).
PEER_NAMESPACES = "peer_namespaces"
# Namespaces Kubernetes or the platform own: never tenants. The cluster secret store serves the
# platform's ones only (08-platform), so a tenant by one of these names would read the platform's
# secrets.
PLATFORM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease", "monitoring", "argocd",
                       "external-secrets")


class TeamAccess(Model):
    """An IAM role whose holders work in tenant namespaces."""

    role_name: RoleName
    namespaces: dict[Name, Level]


class AccessConfig(Model):
    """Who may reach the cluster, beyond ``eks.admin_role_names`` (the platform admins)."""

    # The role CI or Terraform Cloud uses to deploy the Kubernetes-side stacks: cluster admin.
    deployer_role_name: RoleName | None = None
    teams: list[TeamAccess] = []


def refuse_aws_secret_names(tenancy: "TenancyConfig", cloud: str, reads) -> None:
    """On a target without AWS Secrets Manager: a tenant's ``secret_prefix`` or ``shared_secrets`` (which
    name its secrets) is refused in one line saying what the tenant's store reads instead (``reads``:
    tenant name -> a description)."""
    for i, tenant in enumerate(tenancy.tenants):
        if tenant.secret_prefix is not None or tenant.shared_secrets:
            raise FieldError(f"tenancy.tenants[{i}].{'secret_prefix' if tenant.secret_prefix else 'shared_secrets'}",
                             f"names Secrets Manager secrets, which cloud: {cloud} has not; allowed: unset (the tenant's "
                             f"store reads {reads(tenant.name)})")
