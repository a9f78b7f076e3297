"""The root of one environment's config file (config/<environment>.yaml)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import StrictStr, model_validator

from officeless.config import versions
from officeless.config.backup import BackupConfig
from officeless.config.ecr import EcrConfig
from officeless.config.backend import WORKSPACE_NAME, BackendConfig, CloudBackendConfig
from officeless.config.ec2 import Ec2Config
from officeless.config.eks import EksConfig
from officeless.config.emulator import EmulatorConfig
from officeless.config.helm import COMPONENT_BUCKETS, HelmConfig
from officeless.config.karpenter import KarpenterConfig
from officeless.config.platform_services import ArgoCdConfig, ExternalSecretsConfig, IngressConfig
from officeless.config.observability import ObservabilityConfig
from officeless.config.tenancy import AccessConfig, TenancyConfig
from officeless.config.s3 import S3Config
from officeless.config import risks
from officeless.targets import Cloud
from officeless.config.secrets import covers, overlaps
from officeless import names, targets
from officeless.config.aws_limits import (BACKUP_VAULT_NAME, HELM_RELEASE_NAME_MAX, IAM_ROLE_NAME_MAX, LOAD_BALANCER_ADDRESSES,
                                         REGIONS, SUBNET_RESERVED_ADDRESSES)
from officeless.config.types import Model, Name, Region, Tags, Text, clip, is_production_environment, one_of
from officeless.config.valkey import ValkeyConfig
from officeless.config.vpc import VpcConfig
from officeless.errors import FieldError


RiskKey = Annotated[StrictStr, one_of(risks.KEYS, "a setting accepted_risks can accept")]


class PlatformConfig(Model):
    # Where the platform runs (officeless/targets.py): aws, the one built. Default aws.
    cloud: Cloud = "aws"
    environment: Name  # must equal the file name, e.g. production for production.yaml
    project: Name
    region: Region
    # Provider default_tags: every taggable resource of every stack gets them.
    tags: Tags
    backend: BackendConfig
    vpc: VpcConfig
    eks: EksConfig
    s3: S3Config
    valkey: ValkeyConfig
    ec2: Ec2Config
    helm: HelmConfig
    # Node autoscaling by Karpenter instead of cluster-autoscaler. Default: off.
    karpenter: KarpenterConfig = KarpenterConfig()
    # The ALB ingress classes (05-helm) and the platform services (08-platform): External Secrets
    # (default on) and Argo CD (on when the section is present).
    ingress: IngressConfig = IngressConfig()
    external_secrets: ExternalSecretsConfig = ExternalSecretsConfig()
    argocd: ArgoCdConfig | None = None
    # Tenant, retention, alerting and Grafana access of the observability stack. Defaults: the schema's.
    observability: ObservabilityConfig = ObservabilityConfig()
    # Tenant namespaces and who may reach the cluster (06-access). Defaults: none.
    tenancy: TenancyConfig = TenancyConfig()
    access: AccessConfig = AccessConfig()
    # AWS Backup of volumes and file systems (09-backup). Default: on, daily, 30 days.
    backup: BackupConfig = BackupConfig()
    # Container image repositories and pull-through caches (10-ecr). Default: none (no stack).
    ecr: EcrConfig = EcrConfig()
    # Only in config/local.yaml: every AWS endpoint on a local emulator. Default: none (real AWS).
    emulator: EmulatorConfig | None = None
    # Settings that weaken the platform (officeless/config/risks.py), each accepted with the reason:
    # production refuses them otherwise; every synth prints them. Default: none.
    accepted_risks: dict[RiskKey, Text] = {}

    @model_validator(mode="before")
    @classmethod
    def _azs_in_region(cls, data: Any) -> Any:
        # Runs on the raw mapping, before the vpc section's own checks, so a zone in the
        # wrong region is reported as such rather than as a missing public/private pair.
        region = data.get("region") if isinstance(data, dict) else None
        vpc = data.get("vpc") if isinstance(data, dict) else None
        if not isinstance(region, str) or not isinstance(vpc, dict):
            return data
        for kind in ("public_subnets", "private_subnets"):
            subnets = vpc.get(kind)
            for i, subnet in enumerate(subnets if isinstance(subnets, list) else []):
                az = subnet.get("availability_zone") if isinstance(subnet, dict) else None
                letters = REGIONS.get(region)
                if isinstance(az, str) and letters and not re.fullmatch(re.escape(region) + f"[{letters}]", az):
                    raise FieldError(
                        f"vpc.{kind}[{i}].availability_zone",
                        f"{clip(az)!r} is not an availability zone of region {region}; allowed: "
                        f"{', '.join(region + letter for letter in letters)}",
                    )
        return data

    @model_validator(mode="after")
    def _production_not_weakened(self) -> "PlatformConfig":
        weak = {w.key: (w, value) for w, value in risks.found(self)}
        for key in self.accepted_risks:
            if key not in weak:
                raise FieldError(f"accepted_risks.{key}", f"nothing to accept: {key} is safe; allowed: remove the entry")
        if not self.is_production:
            return self
        for key, (weakening, value) in weak.items():
            if key not in self.accepted_risks:
                raise FieldError(key, f"{value} weakens production: {weakening.costs}; allowed: {weakening.safe}, or "
                                      f"accepted_risks.{key}: '<the reason the risk is accepted>'")
        return self

    @model_validator(mode="after")
    def _ec2_in_a_public_subnet(self) -> "PlatformConfig":
        public = [s.name for s in self.vpc.public_subnets]
        if self.ec2.subnet not in public:
            raise FieldError("ec2.subnet", f"{self.ec2.subnet!r} is not a public subnet; allowed: {', '.join(public)}")
        return self

    @model_validator(mode="after")
    def _autoscaler_image_fits_the_cluster(self) -> "PlatformConfig":
        tag = self.helm.cluster_autoscaler.image_tag
        problem = tag and versions.cluster_autoscaler_image_fits(tag, self.eks.kubernetes_version)
        if problem:
            raise FieldError("helm.cluster_autoscaler.image_tag", f"{tag!r} on Kubernetes {self.eks.kubernetes_version}: {problem}")
        return self

    @model_validator(mode="after")
    def _kubectl_within_one_minor(self) -> "PlatformConfig":
        # kubectl is supported within one minor of the API server:
        # https://kubernetes.io/releases/version-skew-policy/#kubectl
        series, cluster = self.ec2.software.kubectl_series, self.eks.kubernetes_version
        if not series.startswith("v") or series[1:] not in {versions.previous_minor(cluster), cluster, versions.next_minor(cluster)}:
            raise FieldError("ec2.software.kubectl_series", (
                f"{series!r} with the cluster on {cluster}; kubectl is supported within one minor of the API server; "
                f"allowed: v{versions.previous_minor(cluster)}, v{cluster}, v{versions.next_minor(cluster)}"))
        return self

    @model_validator(mode="after")
    def _public_only_where_asked(self) -> "PlatformConfig":
        try:
            self.ec2.check_public(self.vpc.cidr, production=self.is_production)
        except FieldError as exc:
            raise FieldError(f"ec2.{exc.subpath}", str(exc)) from None
        return self

    def iam_role_names(self) -> list[tuple[str, str]]:
        """(the config field that shapes it, name) of every IAM role the stacks create."""
        cluster, field = self.eks.cluster_name, "eks.cluster_name"
        # Roles named from the cluster alone first, so a long cluster name is reported as such.
        out = [(field, names.cluster_role(cluster)), *((field, names.addon_role(cluster, addon)) for addon in names.ADDONS_WITH_ROLES),
               (field, names.karpenter_node_role(cluster)),
               *((f"eks.node_groups.{group}", names.node_role(cluster, group)) for group in self.eks.node_groups),
               ("vpc.name", names.flow_logs_role(self.vpc.name)), ("ec2.name", self.ec2.name),
               ("project", names.backup_role(self.project, self.environment))]
        out += [(f"helm.secrets_reader_service_accounts[{i}]", names.secrets_reader_role(cluster, ref.namespace, ref.name))
                for i, ref in enumerate(self.helm.secrets_reader_service_accounts)]
        if self.external_secrets.enabled:
            out += [(f"tenancy.tenants[{i}].name", names.tenant_store_role(cluster, tenant.name))
                    for i, tenant in enumerate(self.tenancy.tenants)]
        return out

    @model_validator(mode="after")
    def _iam_role_names_fit(self) -> "PlatformConfig":
        for field, name in self.iam_role_names():
            if len(name) > IAM_ROLE_NAME_MAX:
                raise FieldError(field, f"makes the IAM role name {name!r} ({len(name)} characters); allowed: at most "
                                        f"{IAM_ROLE_NAME_MAX}: shorten it")
        return self

    @model_validator(mode="after")
    def _teams_work_in_tenants(self) -> "PlatformConfig":
        tenants = self.tenancy.names
        for i, team in enumerate(self.access.teams):
            for namespace in team.namespaces:
                if namespace not in tenants:
                    raise FieldError(f"access.teams[{i}].namespaces.{namespace}",
                                     f"not a tenant namespace; allowed: {', '.join(tenants) or 'none (tenancy.tenants is empty)'}")
        return self

    @property
    def observability_tenant(self) -> str:
        return self.observability.tenant_of(self.project)

    @model_validator(mode="after")
    def _alert_receiver_secret_of_this_environment(self) -> "PlatformConfig":
        name = self.observability.alerting.secret_name
        if name is not None and not name.startswith(f"{self.environment}/"):
            raise FieldError("observability.alerting.secret_name",
                             f"{name!r} lies outside this environment's secrets; allowed: a name under '{self.environment}/'")
        return self

    def addresses_per_zone(self) -> int:
        """Private-subnet addresses the config may use in one availability zone at most: every node
        its node groups' max_size and Karpenter's CPU limit allow, spread over the zones, each with
        one address and one per pod it may run (the VPC CNI gives pods VPC addresses), plus an
        interface endpoint's, the EFS mount target's, the cache nodes' and internal load balancers'."""
        zones, machines = len(self.vpc.private_subnets), targets.of(self).machines
        nodes = sum(-(-group.max_size // zones) * (1 + max(machines[t].max_pods for t in group.instance_types))
                    for group in self.eks.node_groups.values())
        if self.karpenter.enabled:
            pool = self.karpenter.node_pool
            nodes += max(-(-(pool.cpu_limit // machines[t].vcpus) // zones) * (1 + machines[t].max_pods)
                         for t in pool.instance_types)
        return nodes + len(self.vpc.endpoints.interface) + 1 + self.valkey.num_cache_clusters + LOAD_BALANCER_ADDRESSES

    @model_validator(mode="after")
    def _private_subnets_hold_the_nodes(self) -> "PlatformConfig":
        need = self.addresses_per_zone()
        for i, subnet in enumerate(self.vpc.private_subnets):
            usable = subnet.network.num_addresses - SUBNET_RESERVED_ADDRESSES
            if need > usable:
                raise FieldError(f"vpc.private_subnets[{i}].cidr", (
                    f"{subnet.cidr!r} has {usable} usable addresses; the nodes and pods config allows in one zone need up "
                    f"to {need} (node groups' max_size, Karpenter's cpu_limit, one address per pod); allowed: a larger "
                    "subnet, or fewer nodes"))
        return self

    @model_validator(mode="after")
    def _somewhere_for_the_rest(self) -> "PlatformConfig":
        groups = self.eks.node_groups
        if not self.karpenter.enabled and len(self.eks.system_node_groups) == len(groups):
            raise FieldError("eks.node_groups", f"every group ({', '.join(groups)}) is tainted CriticalAddonsOnly, and "
                                                "karpenter.enabled is false: no node runs the applications nor the platform's "
                                                "other pods; allowed: an untainted node group, or karpenter.enabled: true")
        return self

    @model_validator(mode="after")
    def _one_autoscaler(self) -> "PlatformConfig":
        karpenter = self.karpenter
        if not karpenter.enabled:
            return self
        if self.helm.cluster_autoscaler.enabled:
            raise FieldError("karpenter.enabled", "true while helm.cluster_autoscaler.enabled is true; allowed: one autoscaler "
                                                  "per cluster (both would add and remove the same capacity): set "
                                                  "helm.cluster_autoscaler.enabled: false")
        if not self.eks.system_node_groups:
            raise FieldError("karpenter.enabled", "true with no system node group to run the controller on (Karpenter must "
                                                  "not run on nodes it manages); allowed: with a node group in "
                                                  "eks.node_groups tainted CriticalAddonsOnly=true:NoSchedule, e.g. 2 x t3.medium")
        problem = versions.karpenter_fits(karpenter.version, self.eks.kubernetes_version)
        if problem:
            raise FieldError("karpenter.version", f"{karpenter.version!r} on Kubernetes {self.eks.kubernetes_version}: {problem} "
                                                  "(officeless/config/versions.py)")
        return self

    @model_validator(mode="after")
    def _terraform_cloud_names(self) -> "PlatformConfig":
        backend = self.backend
        if not isinstance(backend, CloudBackendConfig):
            return self
        for stack in names.STACK_NAMES:
            name = backend.workspace_name(self.environment, stack)
            if not WORKSPACE_NAME.fullmatch(name):
                raise FieldError("backend.workspace_pattern", f"{backend.workspace_pattern!r} gives {clip(name, 120)!r} for {stack}; "
                                                              "workspace names allow letters, digits, '-' and '_', at most 90")
        project = backend.project_name(self.environment)
        if not re.fullmatch(r"[\w-][\w -]{1,38}[\w-]", project):
            raise FieldError("backend.project", f"the default {project!r} is not a valid Terraform Cloud project name; "
                                                "allowed: 3-40 letters, digits, spaces, '-' and '_': set backend.project")
        return self

    @model_validator(mode="after")
    def _gateways_need_a_controller_that_serves_them(self) -> "PlatformConfig":
        # ALB Gateways (HTTPRoute) from controller v2.14.0 (chart 1.14.0): its docs/guide/gateway/gateway.md.
        chart = self.helm.aws_load_balancer_controller.version
        if self.ingress.gateway_api.enabled and tuple(map(int, chart.split("."))) < (1, 14, 0):
            raise FieldError("ingress.gateway_api.enabled", (
                f"true with helm.aws_load_balancer_controller.version {chart!r}, whose controller serves no ALB Gateways; "
                "allowed: chart 1.14.0 or newer (controller v2.14), e.g. 3.5.0"))
        return self

    @model_validator(mode="after")
    def _argocd_fits_the_cluster(self) -> "PlatformConfig":
        argocd = self.argocd
        if argocd is None:
            return self
        argocd.check_cluster(tenants=self.tenancy.names, external_secrets=self.external_secrets.enabled,
                             secrets_from="Secrets Manager")
        for field, name in (("repository_secret", argocd.repository_secret_name(self.environment)),
                            ("admin_password_secret", argocd.admin_password_secret_name(self.environment))):
            if not self.external_secrets.readable(self.environment, name):
                raise FieldError(f"argocd.{field}", f"{name!r} lies outside what the platform's store may read; allowed: a "
                                                    f"name under {', '.join(self.external_secrets.platform(self.environment))} "
                                                    "(external_secrets.platform_prefixes)")
        return self

    def platform_secret_names(self) -> list[tuple[str, str]]:
        """(field, name) of every secret only the platform reads: Argo CD's, the alert receiver's
        credential, the Valkey AUTH token (07-valkey writes it under ``<environment>/valkey/``)."""
        out = [("valkey.name", f"{self.environment}/valkey/{self.valkey.name}/auth-token")]
        if self.argocd is not None:
            out += [("argocd.repository_secret", self.argocd.repository_secret_name(self.environment)),
                    ("argocd.admin_password_secret", self.argocd.admin_password_secret_name(self.environment))]
        if self.observability.alerting.secret_name:
            out.append(("observability.alerting.secret_name", self.observability.alerting.secret_name))
        return out

    def secret_reader_prefix(self, ref) -> str:
        """What a ``helm.secrets_reader_service_accounts`` entry reads: its own prefix, else its
        tenant's, else ``<environment>/<namespace>/*``."""
        tenants = {t.name: t for t in self.tenancy.tenants}
        if ref.secret_prefix:
            return ref.secret_prefix
        if ref.namespace in tenants:
            return tenants[ref.namespace].secrets(self.environment)
        return f"{self.environment}/{ref.namespace}/*"

    @model_validator(mode="after")
    def _secrets_isolated(self) -> "PlatformConfig":
        """Each tenant reads only its own prefix; the platform's secrets stay the platform's; nothing
        reads outside what the cluster may (external_secrets.secret_prefixes)."""
        env, eso = self.environment, self.external_secrets
        hosted = [env, *(e.name for e in self.argocd.environments if e.name != env)] if self.argocd else [env]
        for i, prefix in enumerate(eso.prefixes(env)):
            if prefix.split("/", 1)[0] not in hosted:
                raise FieldError(f"external_secrets.secret_prefixes[{i}]", (
                    f"{prefix!r} lies in environment {prefix.split('/', 1)[0]!r}, which this cluster does not host; allowed: "
                    f"prefixes under {', '.join(h + '/' for h in hosted)} (this environment and argocd.environments)"))
        bound = ", ".join(eso.prefixes(env))
        platform = eso.platform(env)
        for i, prefix in enumerate(platform):
            if not eso.within_cluster(env, prefix):
                raise FieldError(f"external_secrets.platform_prefixes[{i}]", f"{prefix!r} lies outside what this cluster may "
                                                                             f"read; allowed: under {bound} (secret_prefixes)")
        try:
            self.tenancy.check_secret_prefixes(env)
        except FieldError as exc:
            raise FieldError(f"tenancy.{exc.subpath}", str(exc)) from None
        owned = self.platform_secret_names()

        def clear_of_the_platform(field: str, prefix: str, who: str = "") -> None:
            """``prefix`` lies inside what the cluster may read, and shares no secret with the platform."""
            if not eso.within_cluster(env, prefix):
                raise FieldError(field, f"{prefix!r}{who} lies outside what this cluster may read; allowed: under {bound} "
                                        "(external_secrets.secret_prefixes)")
            for theirs in platform:
                if overlaps(prefix, theirs):
                    raise FieldError(field, f"{prefix!r}{who} overlaps the platform's {theirs!r}; allowed: a prefix the "
                                            "platform's prefixes neither contain nor are contained in")
            for owner, name in owned:
                if covers(prefix, name):
                    raise FieldError(field, f"{prefix!r}{who} covers the platform's secret {name!r} ({owner}); allowed: a "
                                            "prefix that does not")

        for i, tenant in enumerate(self.tenancy.tenants):
            release = names.tenant_store_release(tenant.name)
            if eso.enabled and len(release) > HELM_RELEASE_NAME_MAX:
                raise FieldError(f"tenancy.tenants[{i}].name", f"{tenant.name!r} makes the Helm release {release!r} of its "
                                                               f"secret store ({len(release)} characters); allowed: at most "
                                                               f"{HELM_RELEASE_NAME_MAX}: shorten the name")
            clear_of_the_platform(f"tenancy.tenants[{i}].secret_prefix", tenant.secrets(env), f" (tenant {tenant.name})")
        tenants = {t.name: t.secrets(env) for t in self.tenancy.tenants}
        shareable = {name for owner, name in owned if owner == "valkey.name"}
        for i, tenant in enumerate(self.tenancy.tenants):
            for j, name in enumerate(tenant.shared_secrets):
                field = f"tenancy.tenants[{i}].shared_secrets[{j}]"
                if not any(covers(limit, name) for limit in eso.prefixes(env)):
                    raise FieldError(field, f"{clip(name)!r} lies outside what this cluster may read; allowed: under {bound}")
                owner = next((o for o, n in owned if n == name and n not in shareable), None)
                if owner:
                    raise FieldError(field, f"{clip(name)!r} is the platform's ({owner}); allowed: a shared secret such as "
                                            f"{', '.join(sorted(shareable))}")
                for theirs in platform:
                    if covers(theirs, name):
                        raise FieldError(field, f"{clip(name)!r} lies under the platform's {theirs!r}; allowed: a name outside it")
                for other, theirs in tenants.items():
                    if other != tenant.name and covers(theirs, name):
                        raise FieldError(field, f"{clip(name)!r} lies under tenant {other}'s {theirs!r}; allowed: a name no "
                                                "other tenant's prefix covers")
        for i, ref in enumerate(self.helm.secrets_reader_service_accounts):
            field, prefix = f"helm.secrets_reader_service_accounts[{i}].secret_prefix", self.secret_reader_prefix(ref)
            clear_of_the_platform(field, prefix)
            own = tenants.get(ref.namespace)
            if own is not None and not covers(own, prefix[:-1]):
                raise FieldError(field, f"{prefix!r} lies outside the prefix of its namespace's tenant, {own!r}; allowed: "
                                        "under it")
            for name, theirs in tenants.items():
                if name != ref.namespace and overlaps(prefix, theirs):
                    raise FieldError(field, f"{prefix!r} overlaps tenant {name}'s {theirs!r}; allowed: its own tenant's "
                                            "prefix, or one no tenant's contains or is contained in")
        return self

    @property
    def cluster_autoscaler_image_tag(self) -> str:
        return self.helm.cluster_autoscaler.image_tag or self.eks.minor.cluster_autoscaler_image

    @model_validator(mode="after")
    def _observability_buckets_exist(self) -> "PlatformConfig":
        for component in self.helm.enabled_observability():
            for purpose in COMPONENT_BUCKETS[component]:
                if purpose not in self.s3.purposes:
                    raise FieldError(
                        f"helm.{component}.enabled",
                        f"true needs the bucket {purpose!r}, which 03-s3 does not create; add it to "
                        f"s3.observability_buckets or set helm.{component}.enabled: false",
                    )
        return self

    @property
    def backup_plan_name(self) -> str | None:
        """The backup plan's name (the backup-plan tag's value), None when backups are off."""
        return names.backup_plan(self.project, self.environment) if self.backup.enabled else None

    @model_validator(mode="after")
    def _backups_fit(self) -> "PlatformConfig":
        backup = self.backup
        if not backup.enabled:
            return self
        if self.eks.efs.automatic_backups:
            raise FieldError("eks.efs.automatic_backups", "true while the backup plan (section backup) covers the file system: "
                                                          "two backups of the same data; allowed: false, or unset")
        if backup.copy_to_region == self.region:
            raise FieldError("backup.copy_to_region", f"{backup.copy_to_region!r} is the environment's own region; allowed: "
                                                      "another region, or unset")
        plan = names.backup_plan(self.project, self.environment)
        if not BACKUP_VAULT_NAME.fullmatch(plan):
            raise FieldError("project", f"makes the backup vault and plan name {clip(plan)!r}; allowed: 2-50 letters, digits, "
                                        "'-' and '_' (with environment)")
        return self

    @property
    def is_production(self) -> bool:
        """Production by name (production, prod, prod-eu ...): where the strictest rules apply."""
        return is_production_environment(self.environment)

    def warnings(self, today: date) -> list[tuple[str, str]]:
        """(field path, message) for settings that are legal but that users must hear about."""
        out = [(f"eks.{field}", message) for field, message in self.eks.support_warnings(today)]
        out += [(f"ec2.ingress.ssh[{i}]", f"{source!r} opens SSH on the VPN server to the internet (allow_public_ssh: true); "
                                          "prefer SSM Session Manager, or the VPC and the VPN client network")
                for i, source in self.ec2.public_ssh(self.vpc.cidr)]
        out += self._plain_http_warnings()
        for weakening, value in risks.found(self):
            reason = self.accepted_risks.get(weakening.key)
            out.append((weakening.key, f"{value}: {weakening.costs}" + (f" (accepted risk: {reason})" if reason else "")))
        if self.is_production:
            out += [(f"ec2.ingress.{service}", f"{', '.join(sources)} reaches the Pritunl console ({what}) from the "
                                               "internet; narrow it to the networks your operators use (VPN users reach "
                                               "it through the tunnel)")
                    for service, what in (("https", "443/tcp"), ("http", "80/tcp, its redirect to HTTPS"))
                    if (sources := self.ec2.public_sources(service, self.vpc.cidr))]
        return out

    def _plain_http_warnings(self) -> list[tuple[str, str]]:
        """Operator UIs served without TLS: Argo CD and Grafana on the internal ALB."""
        out = []
        internal = self.ingress.internal.tls
        if self.argocd is not None and not internal:
            out.append(("ingress.internal.certificate_arns", "empty: Argo CD's UI and API are served over plain HTTP on the "
                                                             "internal ALB (logins and tokens cross the VPC unencrypted); set "
                                                             "an ACM certificate of this region"))
        if self.helm.grafana.enabled and not (internal or self.observability.grafana.certificate_arn):
            out.append(("observability.grafana.certificate_arn", "unset (and ingress.internal.certificate_arns empty): "
                                                                 "Grafana is served over plain HTTP on the internal ALB "
                                                                 "(logins cross the VPC unencrypted); set an ACM certificate "
                                                                 "of this region"))
        return out

    def operator_hostnames(self) -> list[tuple[str, str | None]]:
        """(field, host name or None) of each operator UI served on the internal ALB."""
        out: list[tuple[str, str | None]] = []
        if self.argocd is not None:
            out.append(("argocd.hostname", self.argocd.hostname))
        if self.helm.grafana.enabled:
            out.append(("observability.grafana.hostname", self.observability.grafana.hostname))
        return out

    @model_validator(mode="after")
    def _validated_certificate_names_its_hosts(self) -> "PlatformConfig":
        zone = self.ingress.internal.route53_zone
        if zone is None:
            return self
        hosts = self.operator_hostnames()
        if not hosts:
            raise FieldError("ingress.internal.route53_zone", "set, but no operator UI runs (argocd, helm.grafana.enabled); "
                                                              "allowed: unset")
        for field, host in hosts:
            if host is None:
                raise FieldError(field, f"unset while ingress.internal.route53_zone validates a certificate for the operator "
                                        f"UIs; allowed: a host name under {zone.domain}, e.g. {field.split('.')[-2]}.{zone.domain}")
            if not host.endswith(f".{zone.domain}") and host != zone.domain:
                raise FieldError(field, f"{host!r} is not in the zone {zone.domain} (ingress.internal.route53_zone), so ACM "
                                        f"cannot validate it there; allowed: a host name under {zone.domain}")
        return self

    @property
    def validated_hostnames(self) -> list[str]:
        """The names of the certificate 05-helm validates (none without a zone), each once."""
        if self.ingress.internal.route53_zone is None:
            return []
        return list(dict.fromkeys(host for _, host in self.operator_hostnames() if host))

    @model_validator(mode="after")
    def _certificates_in_this_region(self) -> "PlatformConfig":
        # An ALB takes certificates of its own region only:
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html
        fields = [(f"ingress.{kind}.certificate_arns[{i}]", arn) for kind in ("public", "internal")
                  for i, arn in enumerate(getattr(self.ingress, kind).certificate_arns)]
        if self.observability.grafana.certificate_arn:
            fields.append(("observability.grafana.certificate_arn", self.observability.grafana.certificate_arn))
        for field, arn in fields:
            region = arn.split(":")[3]
            if region != self.region:
                raise FieldError(field, f"{clip(arn, 120)!r} is a certificate of {region}; allowed: an ACM certificate of "
                                        f"{self.region} (an ALB serves certificates of its own region only)")
        return self
