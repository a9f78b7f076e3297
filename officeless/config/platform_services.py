"""Sections ``ingress`` (05-helm's ALB ingress classes), ``external_secrets`` and ``argocd`` (08-platform).

After the EKS architecture overview (External Secrets, Argo CD) and the Officeless platform
architecture ("Kubernetes Ingress resources with AWS ALB integration"): ingress-nginx, the
overview's in-cluster router, was retired by the Kubernetes project in March 2026, so
applications are reached ALB -> pods directly.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictStr, model_validator

from officeless.config.helm import ChartVersion
from officeless.config.karpenter import Duration
from officeless.config.secrets import SecretPrefix, covers
from officeless.config.types import Hostname, Model, Name, Text, clip, matching
from officeless.errors import FieldError

CertificateArn = Annotated[StrictStr, matching(r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}",
                                               "an ACM certificate ARN; allowed: arn:aws:acm:<region>:<account>:"
                                               "certificate/<id>")]
WafAclArn = Annotated[StrictStr, matching(r"arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]{36}",
                                          "a regional WAFv2 web ACL ARN")]
# ELB TLS policies: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
SslPolicy = Annotated[StrictStr, matching(r"ELBSecurityPolicy-[A-Za-z0-9-]+", "an ELB security policy name, e.g. "
                                          "ELBSecurityPolicy-TLS13-1-2-2021-06")]
SecretName = Annotated[StrictStr, matching(r"[A-Za-z0-9/_+=.@-]{1,512}", "a Secrets Manager secret name")]


class IngressClassConfig(Model):
    # TLS policy of the HTTPS listeners. Default: TLS 1.3 with TLS 1.2 fallback.
    ssl_policy: SslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    # ACM certificates of the class's ALB (HTTPS listeners). Default: none (Ingresses bring theirs).
    certificate_arns: list[CertificateArn] = []


ZoneId = Annotated[StrictStr, matching(r"Z[A-Z0-9]{1,31}", "a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ")]


class Route53ValidationConfig(Model):
    """A hosted zone where 05-helm validates a certificate for the operator UIs' host names."""

    zone_id: ZoneId
    # The zone's domain: every host name the certificate names must lie in it.
    domain: Hostname


class InternalIngressConfig(IngressClassConfig):
    # Issue an ACM certificate for the operator UIs' host names (argocd.hostname,
    # observability.grafana.hostname), validated by DNS in this zone, and serve it on the internal
    # ALB beside certificate_arns. Default: none.
    route53_zone: Route53ValidationConfig | None = None

    @property
    def tls(self) -> bool:
        """Whether the internal ALB has a certificate (HTTPS, HTTP only redirecting)."""
        return bool(self.certificate_arns) or self.route53_zone is not None


class PublicIngressConfig(IngressClassConfig):
    # A WAF web ACL in front of the public ALB. Default: none.
    waf_acl_arn: WafAclArn | None = None


class GatewayApiConfig(Model):
    """Gateway API for applications (05-helm, components/addons/gateways.py): the CRDs, GatewayClasses
    alb-public and alb-internal, Gateways public (tenants' routes) and internal (operator UIs')."""

    # Needs the load balancer controller's chart 1.14 (v2.14) or newer, which serves ALB Gateways. Default off.
    enabled: StrictBool = False
    # Envoy Gateway's gateway-crds-helm chart (Gateway API v1.6.1 in v1.9.0), tagged with a v.
    crds_version: Annotated[StrictStr, matching(r"v\d+\.\d+\.\d+", "a gateway-crds-helm release, e.g. v1.9.0")] = "v1.9.0"


class IngressConfig(Model):
    """Two ALB ingress classes: ``alb`` (internet-facing, one shared ALB group per environment,
    for applications) and ``alb-internal`` (scheme internal, its own group, for Grafana, Argo CD
    and other operator tools). The class parameters fix scheme and group, so no annotation on an
    Ingress can move an operator tool onto the public ALB."""

    public: PublicIngressConfig = PublicIngressConfig()
    internal: InternalIngressConfig = InternalIngressConfig()
    # Gateways beside the classes, with the same split and TLS rules. Default: off.
    gateway_api: GatewayApiConfig = GatewayApiConfig()


class ExternalSecretsConfig(Model):
    # The External Secrets Operator, its ClusterSecretStore aws-secrets-manager (platform
    # namespaces only) and one SecretStore aws-secrets-manager per tenant namespace. Default on.
    enabled: StrictBool = True
    version: ChartVersion = "2.9.0"
    # The most this cluster may read, as name patterns ``<prefix>/*``: every store's prefixes
    # (the platform's, each tenant's) must lie inside them. Default: ``<environment>/*``; the dev
    # cluster also hosts staging (the EKS architecture overview's IAM isolation).
    secret_prefixes: list[SecretPrefix] | None = None
    # What the cluster store (the platform's namespaces: Argo CD, External Secrets) reads.
    # Default: ``<environment>/argocd/*`` (Argo CD's repository credentials and admin password).
    platform_prefixes: Annotated[list[SecretPrefix], Field(min_length=1)] | None = None
    # How often ExternalSecrets re-read Secrets Manager (the project's, and the default for
    # applications' by convention). Default 1h.
    refresh_interval: Duration = "1h"

    def prefixes(self, environment: str) -> list[str]:
        return list(self.secret_prefixes) if self.secret_prefixes is not None else [f"{environment}/*"]

    def platform(self, environment: str) -> list[str]:
        return list(self.platform_prefixes) if self.platform_prefixes is not None else [f"{environment}/argocd/*"]

    def readable(self, environment: str, name: str) -> bool:
        """Whether the platform's store may read ``name``."""
        return any(covers(p, name) for p in self.platform(environment))

    def within_cluster(self, environment: str, pattern: str) -> bool:
        """Whether every name ``pattern`` matches lies inside the cluster's ``secret_prefixes``."""
        return any(covers(bound, pattern[:-1]) for bound in self.prefixes(environment))


def _no_credentials(value: str) -> str:
    """A URL's user information ends up in the JSON, the state and Argo CD's objects: credentials
    belong in the repository secret (argocd.repository_secret). ssh's user name alone is no secret."""
    rest = value.split("://", 1)[1] if "://" in value else ""
    userinfo = rest.split("/", 1)[0].rpartition("@")[0] if "@" in rest.split("/", 1)[0] else None
    if userinfo is not None and (value.startswith("https://") or ":" in userinfo):
        raise ValueError(f"{clip(value.replace(userinfo, '***'))!r} carries credentials in the URL (they would land in the "
                         "JSON and the state); allowed: the URL without them, and the credentials in Secrets Manager "
                         "(argocd.repository_secret)")
    return value


# A Git repository: https://host/path or ssh (ssh://host/path or git@host:path), never with credentials.
RepositoryUrl = Annotated[StrictStr, matching(r"https://[^\s/]+/\S+|ssh://[^\s/]+/\S+|[A-Za-z0-9._-]+@[^\s:/]+:\S+",
                                              "a Git repository URL; allowed: https://host/path, ssh://host/path or "
                                              "git@host:path"), AfterValidator(_no_credentials)]
# Placeholders {application} and {environment}.
PathPattern = Annotated[StrictStr, matching(r"[A-Za-z0-9._/{}-]+", "a path pattern with {application} and {environment}")]


def _inside_the_repository(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/"):
        raise ValueError(f"{clip(value)!r} leaves the repository ('..' or a leading '/'); allowed: a relative path inside "
                         "it, e.g. {application}/overlays/{environment}")
    return value


RepositoryPath = Annotated[PathPattern, AfterValidator(_inside_the_repository)]


class ArgoEnvironmentConfig(Model):
    """An environment this cluster hosts: its Argo CD project, sync mode and namespaces."""

    name: Name  # dev, staging, production
    project: Name  # one of argocd.projects
    # automated: prune + self-heal on every change; manual: someone syncs in the UI (production).
    sync: Literal["automated", "manual"]
    # Namespace of an application here; {application} and {environment} are replaced.
    namespace: PathPattern = "{application}-{environment}"

    def namespace_of(self, application: str) -> str:
        return self.namespace.replace("{application}", application).replace("{environment}", self.name)


class ArgoProjectConfig(Model):
    description: Text | None = None


class ArgoCdConfig(Model):
    """Argo CD with its projects and ApplicationSets (08-platform); the section's presence turns it on."""

    version: ChartVersion = "10.1.1"  # argo-cd chart (Argo CD v3.4.4)
    apps_version: ChartVersion = "2.0.5"  # argocd-apps chart: AppProjects and ApplicationSets
    # The repository of the applications' Helm charts and overlays (the deployment flow's helm-charts).
    repository: RepositoryUrl
    # A branch, tag or commit: Git's ref rules (no spaces, no '..', not ending in '/' or '.lock').
    target_revision: Annotated[StrictStr, Field(max_length=255),
                               matching(r"(?!.*\.\.)(?!.*\.lock$)[A-Za-z0-9._][A-Za-z0-9._/-]*(?<!/)",
                                        "a Git branch, tag or commit; allowed: letters, digits and ._/- (no spaces or '..'), "
                                        "e.g. main")] = "main"
    # Where an application's manifests live in the repository; {application} and {environment} replaced.
    path: RepositoryPath = "{application}/overlays/{environment}"
    projects: Annotated[dict[Name, ArgoProjectConfig], Field(min_length=1)]
    environments: Annotated[list[ArgoEnvironmentConfig], Field(min_length=1)]
    applications: Annotated[list[Name], Field(min_length=1)]
    # An environment named production may sync automatically only with this override.
    automated_production: StrictBool = False
    # Secrets Manager secrets External Secrets reads (never values in the JSON or state):
    # repository credentials (JSON: username + password, or sshPrivateKey) and the admin password
    # (JSON: password = a bcrypt hash, mtime = when it was set). Defaults under <environment>/argocd/.
    repository_secret: SecretName | None = None
    admin_password_secret: SecretName | None = None
    # Host name of the UI's Ingress (an internal DNS name you point at the internal ALB). Default: any host.
    hostname: Hostname | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ArgoCdConfig":
        seen: dict[str, int] = {}
        for i, env in enumerate(self.environments):
            if env.name in seen:
                raise FieldError(f"environments[{i}].name", f"{env.name!r} duplicates environments[{seen[env.name]}]; "
                                                            "list each environment once")
            seen[env.name] = i
            if env.project not in self.projects:
                raise FieldError(f"environments[{i}].project", f"{env.project!r} is not a project; allowed: "
                                                               f"{', '.join(self.projects)} (argocd.projects)")
            if env.name == "production" and env.sync == "automated" and not self.automated_production:
                raise FieldError(f"environments[{i}].sync", "'automated' for production; allowed: manual, or automated with "
                                                            "argocd.automated_production: true (an explicit override)")
        if len(set(self.applications)) != len(self.applications):
            raise FieldError("applications", f"{self.applications} lists an application twice; list each once")
        return self

    def repository_secret_name(self, environment: str) -> str:
        return self.repository_secret or f"{environment}/argocd/repository"

    def admin_password_secret_name(self, environment: str) -> str:
        return self.admin_password_secret or f"{environment}/argocd/admin"

    @property
    def ssh(self) -> bool:
        return not self.repository.startswith("https://")

    def check_cluster(self, *, tenants: list[str], external_secrets: bool, secrets_from: str) -> None:
        """On every target: External Secrets delivers Argo CD's credentials (from ``secrets_from``), and
        every namespace it deploys into is a tenant's (06-access creates them; its projects allow only
        those). FieldErrors name the config path from the root (``argocd``, ``argocd.environments[i]...``)."""
        if not external_secrets:
            raise FieldError("argocd", f"needs external_secrets.enabled: true (its repository credentials and admin "
                                       f"password come from {secrets_from} through External Secrets)")
        for i, env in enumerate(self.environments):
            for application in self.applications:
                namespace = env.namespace_of(application)
                if namespace not in tenants:
                    raise FieldError(f"argocd.environments[{i}].namespace",
                                     f"{namespace!r} (application {application}) is not a tenant namespace; allowed: "
                                     f"{', '.join(tenants) or 'none: tenancy.tenants is empty, list the namespaces Argo CD deploys into there'}"
                                     f"{' (tenancy.tenants)' if tenants else ''}")
