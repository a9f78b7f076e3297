"""Tenant isolation (issue #27): who can read which secret, from which namespace, through which identity.

Read off what production and dev synthesize, not off config: every secret store (08-platform's
releases), every service account they authenticate as, every role (05-helm, 08-platform), its trust
policy and its inline policy. A namespace reaches an identity when

- a store it may use authenticates as one (its own SecretStores; a ClusterSecretStore whose
  conditions name it, or that has none);
- or it can write a store of its own authenticating as any service account of its namespace (tenants
  may: the chart aggregates SecretStore rights into ``edit``), so every role trusting a service
  account of the namespace counts, whether a store uses it or not;
- or its pods run as a service account with a Pod Identity association;
- or a store without ``auth`` takes the controller's own credentials, which every namespace can write.

Then for every pair of tenants, and for each tenant against the platform, a secret of the one is
not readable by the other; and the own tenant's is.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field

import pytest

from officeless.config.loader import load_environment
from tests.test_helm_stack import release_values, releases

# The layout README documents: each tenant's prefix (config/*.yaml, tenancy.tenants[].secret_prefix).
TENANT_PREFIXES = {
    "production": {"core-business-prod": "production/core-business/", "platform-prod": "production/platform/",
                   "infrastructure": "production/infrastructure/"},
    "dev": {"core-business-dev": "dev/core-business/", "core-business-staging": "staging/core-business/",
            "platform-dev": "dev/platform/", "platform-staging": "staging/platform/",
            "infrastructure": "dev/infrastructure/"},
}
# The platform's own secrets (README "08-platform", "07-valkey"): nobody but the platform reads them.
PLATFORM_SECRETS = {
    "production": ["production/argocd/repository", "production/argocd/admin",
                   "production/valkey/production-valkey/auth-token"],
    "dev": ["dev/argocd/repository", "dev/argocd/admin", "dev/valkey/dev-valkey/auth-token"],
}
# The Valkey AUTH token is the platform's, shared by name with the application tenants config lists
# (tenancy.tenants[].shared_secrets); Argo CD's secrets are nobody else's.
VALKEY_TOKEN = {"production": "production/valkey/production-valkey/auth-token", "dev": "dev/valkey/dev-valkey/auth-token"}
SHARING_THE_TOKEN = {"production": {"core-business-prod", "platform-prod"},
                     "dev": {"core-business-dev", "core-business-staging", "platform-dev", "platform-staging"}}
PLATFORM_NAMESPACES = {"argocd", "external-secrets"}
REF = re.compile(r"^\$\{(?:data\.)?([a-z_]+)\.([A-Za-z0-9_-]+)\.(?:arn|id|json)\}$")


def logical(reference: str) -> str:
    match = REF.match(reference)
    assert match, reference
    return match.group(2)


@dataclass
class Role:
    stack: str
    logical: str
    trust: list[dict]
    statements: list[dict] = field(default_factory=list)

    @property
    def readable_patterns(self) -> list[str]:
        return [r.split(":secret:", 1)[1] for s in self.statements if s.get("effect", "Allow") == "Allow"
                for a in s["actions"] if a in ("secretsmanager:GetSecretValue", "secretsmanager:*", "*")
                for r in s["resources"]]

    def reads(self, name: str) -> bool:
        """IAM ARN matching of the resource part: * and ? are wildcards (the suffix is "-" and six characters)."""
        return any(fnmatch.fnmatchcase(f"{name}-AbCdEf", p) for p in self.readable_patterns)

    def irsa_subjects(self) -> list[str]:
        """The service accounts (``system:serviceaccount:<ns>:<name>``) a web-identity trust admits."""
        out = []
        for s in self.trust:
            if s["actions"] == ["sts:AssumeRoleWithWebIdentity"]:
                out += [v for c in s["condition"] if c["variable"].endswith(":sub") for v in c["values"]]
        return out


class World:
    """The roles, Pod Identity associations and stores of one synthesized environment."""

    def __init__(self, synth) -> None:
        self.roles: dict[str, Role] = {}
        self.associations: list[tuple[str, str, str]] = []  # (namespace, service account, role logical)
        self.stores: list[dict] = []
        self.accounts: dict[tuple[str, str], str] = {}  # (namespace, name) -> role logical
        for name in ("02-eks", "05-helm", "08-platform"):
            stack = synth.stack(name)
            documents = stack.data_sources("aws_iam_policy_document")
            for logical_name, role in stack.resources("aws_iam_role").items():
                self.roles[logical_name] = Role(name, logical_name, documents[logical(role["assume_role_policy"])]["statement"])
            for policy in stack.resources("aws_iam_role_policy").values():
                self.roles[logical(policy["role"])].statements += documents[logical(policy["policy"])]["statement"]
            for a in stack.resources("aws_eks_pod_identity_association").values():
                self.associations.append((a["namespace"], a["service_account"], logical(a["role_arn"])))
            for _, release in releases(stack).values():
                for o in release_values(release).get("manifests", []) if release.get("repository") is None else []:
                    if o["kind"] in ("SecretStore", "ClusterSecretStore"):
                        self.stores.append(o)
                    if o["kind"] == "ServiceAccount":
                        arn = o["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn")
                        if arn:
                            self.accounts[(o["metadata"]["namespace"], o["metadata"]["name"])] = logical(arn)

    def store_identity(self, store: dict) -> Role | None:
        """The role a store authenticates as; None: the controller's own credentials."""
        jwt = store["spec"]["provider"]["aws"].get("auth", {}).get("jwt")
        if jwt is None:
            return None
        ref = jwt["serviceAccountRef"]
        # A namespaced store always uses its own namespace (external-secrets v2.9.0, auth.go).
        namespace = store["metadata"]["namespace"] if store["kind"] == "SecretStore" else ref["namespace"]
        return self.roles[self.accounts[(namespace, ref["name"])]]

    def usable_stores(self, namespace: str) -> list[dict]:
        out = []
        for s in self.stores:
            if s["kind"] == "SecretStore" and s["metadata"]["namespace"] == namespace:
                out.append(s)
            elif s["kind"] == "ClusterSecretStore":
                conditions = s["spec"].get("conditions")
                if not conditions or any(namespace in c.get("namespaces", []) for c in conditions):
                    out.append(s)
        return out

    def controller_roles(self) -> list[Role]:
        """What a store without auth uses: the controller's Pod Identity (its service account)."""
        return [self.roles[r] for ns, sa, r in self.associations if (ns, sa) == ("external-secrets", "external-secrets")]

    def reachable(self, namespace: str) -> list[Role]:
        roles = [*self.controller_roles()]
        roles += [self.roles[r] for ns, _, r in self.associations if ns == namespace]
        roles += [r for r in self.roles.values()
                  if any(sub.startswith(f"system:serviceaccount:{namespace}:") for sub in r.irsa_subjects())]
        for store in self.usable_stores(namespace):
            identity = self.store_identity(store)
            roles += [identity] if identity else self.controller_roles()
        return roles

    def can_read(self, namespace: str, secret: str) -> bool:
        return any(role.reads(secret) for role in self.reachable(namespace))


@pytest.fixture
def world(synth) -> World:
    return World(synth)


def test_the_layout_is_configs(synth):
    config = load_environment(synth.environment)
    assert {t.name: t.secrets(config.environment)[:-1] for t in config.tenancy.tenants} == TENANT_PREFIXES[synth.environment]


def test_every_tenant_has_its_own_store_and_identity(world, synth):
    for tenant, prefix in TENANT_PREFIXES[synth.environment].items():
        own = [s for s in world.usable_stores(tenant) if s["kind"] == "SecretStore"]
        assert [s["metadata"]["name"] for s in own] == ["aws-secrets-manager"]  # the name the EKS overview's examples use
        role = world.store_identity(own[0])
        assert role is not None and role.irsa_subjects() == [f"system:serviceaccount:{tenant}:secret-store"]
        shared = [f"{VALKEY_TOKEN[synth.environment]}-??????"] if tenant in SHARING_THE_TOKEN[synth.environment] else []
        assert role.reads(f"{prefix}db") and role.readable_patterns == [f"{prefix}*", *shared]


@pytest.mark.parametrize("kind", ["tenant", "platform"])
def test_no_pair_of_tenants_and_no_tenant_and_the_platform_share_a_secret(world, synth, kind):
    tenants = TENANT_PREFIXES[synth.environment]
    checked = 0
    for reader, own in tenants.items():
        assert world.can_read(reader, f"{own}database/password")
        if kind == "tenant":
            for other, theirs in tenants.items():
                if other != reader:
                    assert not world.can_read(reader, f"{theirs}database/password"), (reader, other)
                    checked += 1
        else:
            for secret in PLATFORM_SECRETS[synth.environment]:
                shared = secret == VALKEY_TOKEN[synth.environment] and reader in SHARING_THE_TOKEN[synth.environment]
                assert world.can_read(reader, secret) is shared, (reader, secret)
                assert not world.can_read(reader, f"{secret}-old")  # the whole name only
                checked += 1
            for namespace in PLATFORM_NAMESPACES:
                assert not world.can_read(namespace, f"{own}database/password"), (namespace, reader)
    n = len(tenants)
    assert checked == (n * (n - 1) if kind == "tenant" else n * len(PLATFORM_SECRETS[synth.environment]))


def test_the_cluster_store_serves_only_the_platforms_namespaces(world, synth):
    (cluster_store,) = [s for s in world.stores if s["kind"] == "ClusterSecretStore"]
    assert cluster_store["spec"]["conditions"] == [{"namespaces": ["argocd", "external-secrets"]}]
    for tenant in TENANT_PREFIXES[synth.environment]:
        assert cluster_store not in world.usable_stores(tenant)
    role = world.store_identity(cluster_store)
    assert role.irsa_subjects() == ["system:serviceaccount:external-secrets:platform-secret-store"]
    assert all(role.reads(s) for s in PLATFORM_SECRETS[synth.environment] if "/argocd/" in s)


def test_the_controller_has_no_identity_of_its_own(world):
    # A store without auth (which any tenant may write) would use it.
    assert world.controller_roles() == []
    assert not [a for a in world.associations if a[0] == "external-secrets"]


def test_trust_admits_one_service_account_exactly_and_nothing_chains(world):
    irsa = [r for r in world.roles.values() if r.irsa_subjects()]
    assert len(irsa) >= 3
    for role in irsa:
        (statement,) = role.trust
        assert list(statement["principals"][0]) and statement["principals"][0]["type"] == "Federated"
        tests = {c["variable"].rsplit(":", 1)[1]: (c["test"], c["values"]) for c in statement["condition"]}
        assert tests["aud"] == ("StringEquals", ["sts.amazonaws.com"])
        assert tests["sub"][0] == "StringEquals" and len(tests["sub"][1]) == 1 and "*" not in tests["sub"][1][0]
    # The provider's role/additionalRoles options assume roles with the store's credentials: no
    # role anywhere may assume another.
    for role in world.roles.values():
        assert not [a for s in role.statements for a in s["actions"] if a.startswith("sts:") or a == "*"], role.logical


def test_each_tenant_store_is_valid(synth, project_root):
    import subprocess

    from tests.test_platform_stack import NODE_VALIDATE

    world = World(synth)
    objects = [s for s in world.stores if s["kind"] == "SecretStore"]
    result = subprocess.run(["node", "--input-type=module", "-e", NODE_VALIDATE], cwd=project_root,
                            input=json.dumps(objects), capture_output=True, text=True, timeout=60)
    lines = result.stdout.splitlines()
    assert len(lines) == len(objects) == len(TENANT_PREFIXES[synth.environment])
    assert all(line.endswith(" ok") for line in lines), result.stdout + result.stderr


def test_argo_cd_projects_never_replace_a_tenants_store(synth):
    values = release_values(releases(synth.stack("08-platform"))["argocd-apps"][1])
    for project in values["projects"].values():
        assert {"group": "external-secrets.io", "kind": "SecretStore"} in project["namespaceResourceBlacklist"]
        assert "clusterResourceWhitelist" not in project  # ClusterSecretStores are cluster-scoped: never


def test_secrets_readers_read_only_their_own(world, synth):
    """05-helm's helm.secrets_reader_service_accounts: officeless/officeless-app, not a tenant."""
    (reader,) = [world.roles[r] for ns, sa, r in world.associations if (ns, sa) == ("officeless", "officeless-app")]
    env = synth.environment
    assert reader.readable_patterns == [f"{env}/officeless/*"]
    assert not any(reader.reads(f"{p}x") for p in TENANT_PREFIXES[env].values())
    assert not any(reader.reads(s) for s in PLATFORM_SECRETS[env])


# --- TLS for the operator UIs, the VPN console, and what config says at every synth --------------

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0123-4567-89ab-0123456789ab"


def test_operator_uis_are_plain_http_without_a_certificate(synth):
    argocd = release_values(releases(synth.stack("08-platform"))["argo-cd"][1])["server"]["ingress"]["annotations"]
    grafana = release_values(releases(synth.stack("05-helm"))["grafana"][1])["ingress"]["annotations"]
    for ui in (argocd, grafana):
        assert ui["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTP":80}]'
        assert "alb.ingress.kubernetes.io/ssl-redirect" not in ui


def test_operator_uis_are_https_with_a_certificate_and_http_only_redirects():
    from components.addons.argocd import server_ingress
    from components.addons.grafana import ingress
    from officeless.config.observability import GrafanaAccessConfig
    from officeless.config.platform_services import InternalIngressConfig

    https = {"alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
             "alb.ingress.kubernetes.io/ssl-redirect": "443"}
    argocd = server_ingress(hostname="argocd.internal.example.com", internal=InternalIngressConfig(certificate_arns=[CERTIFICATE]))
    assert https.items() <= argocd["annotations"].items() and argocd["ingressClassName"] == "alb-internal"
    # The class's certificates serve Grafana too; its own certificate as before.
    assert https.items() <= ingress(access=GrafanaAccessConfig(), class_tls=True)["annotations"].items()
    own = ingress(access=GrafanaAccessConfig(certificate_arn=CERTIFICATE), class_tls=False)["annotations"]
    assert https.items() <= own.items() and own["alb.ingress.kubernetes.io/certificate-arn"] == CERTIFICATE


def _warnings(directory, environment="production") -> list[str]:
    from officeless.config.loader import warnings

    config = load_environment(environment, directory)
    return [w.split(": ", 2)[1] for w in warnings(config, directory)]


ANCHOR = "# 10-ecr: the applications' images"


def test_warnings_name_each_exposure_until_config_closes_it(tmp_path, in_project_root):
    from tests.test_config_errors import PRODUCTION, write_config

    fields = _warnings(PRODUCTION.parent)
    assert {"ingress.internal.certificate_arns", "observability.grafana.certificate_arn", "ec2.ingress.https",
            "ec2.ingress.http"} <= set(fields)
    closed = write_config(tmp_path / "config", ANCHOR, f"ingress:\n  internal: {{certificate_arns: [{CERTIFICATE}]}}\n{ANCHOR}")
    text = (closed / "production.yaml").read_text()
    (closed / "production.yaml").write_text(text.replace("    http: [0.0.0.0/0]\n    https: [0.0.0.0/0]\n",
                                                         "    http: [vpc]\n    https: [203.0.113.0/24]\n", 1))
    left = _warnings(closed)
    assert not {"ingress.internal.certificate_arns", "observability.grafana.certificate_arn", "ec2.ingress.http"} & set(left)
    assert "ec2.ingress.https" in left  # 203.0.113.0/24 is still the internet: narrower, but told


def test_the_vpn_console_warning_is_productions(in_project_root):
    from tests.test_config_errors import PRODUCTION

    assert "ec2.ingress.https" not in _warnings(PRODUCTION.parent, "dev")


# --- bad input: one line each, exit 2, the previous output intact ---------------------------------

U = "0123abcd-0123-4567-89ab-0123456789ab"
READER = "    - {namespace: officeless, name: officeless-app}"  # production's helm.secrets_reader_service_accounts[0]
BAD = [
    ("tenant-overlaps-tenant", "dev", "secret_prefix: dev/infrastructure/*", "secret_prefix: dev/core-business/db/*",
     "tenancy.tenants[4].secret_prefix: 'dev/core-business/db/*' overlaps 'dev/core-business/*' of tenant "
     "core-business-dev (tenants[0]); allowed: a prefix no other tenant's contains or is contained in, e.g. "
     "<environment>/<tenant>/*"),
    ("dev-tenant-reads-stagings", "dev", "secret_prefix: dev/platform/*", "secret_prefix: staging/core-business/*",
     "tenancy.tenants[2].secret_prefix: 'staging/core-business/*' overlaps 'staging/core-business/*' of tenant "
     "core-business-staging (tenants[1]); allowed: a prefix no other tenant's contains or is contained in, e.g. "
     "<environment>/<tenant>/*"),
    ("tenant-overlaps-platform", "production", "secret_prefix: production/platform/*",
     "secret_prefix: production/argocd/apps/*",
     "tenancy.tenants[1].secret_prefix: 'production/argocd/apps/*' (tenant platform-prod) overlaps the platform's "
     "'production/argocd/*'; allowed: a prefix the platform's prefixes neither contain nor are contained in"),
    ("tenant-covers-the-valkey-token", "production", "secret_prefix: production/infrastructure/*",
     "secret_prefix: production/valkey/*",
     "tenancy.tenants[2].secret_prefix: 'production/valkey/*' (tenant infrastructure) covers the platform's secret "
     "'production/valkey/production-valkey/auth-token' (valkey.name); allowed: a prefix that does not"),
    ("tenant-wildcard-inside", "production", "secret_prefix: production/platform/*", "secret_prefix: production/*/db/*",
     "tenancy.tenants[1].secret_prefix: 'production/*/db/*' has a wildcard before its end; allowed: <prefix>/* with "
     "the only wildcard last, e.g. dev/*"),
    ("tenant-bare-wildcard", "production", "secret_prefix: production/platform/*", 'secret_prefix: "*"',
     "tenancy.tenants[1].secret_prefix: '*' is not a secret name prefix; allowed: <prefix>/* with a non-empty prefix, "
     "e.g. dev/* (a bare * would grant every secret of the account)"),
    ("tenant-in-another-environment", "production", "secret_prefix: production/platform/*",
     "secret_prefix: dev/platform/*",
     "tenancy.tenants[1].secret_prefix: 'dev/platform/*' (tenant platform-prod) lies outside what this cluster may "
     "read; allowed: under production/* (external_secrets.secret_prefixes)"),
    ("tenant-named-like-a-platform-namespace", "production", "    - name: infrastructure\n", "    - name: argocd\n",
     "tenancy.tenants[2].name: 'argocd' is a namespace Kubernetes or the platform runs; allowed: any other name (not "
     "default, kube-system, kube-public, kube-node-lease, monitoring, argocd, external-secrets)"),
    ("reader-overlaps-a-tenant", "production", "    - {namespace: officeless, name: officeless-app}",
     "    - {namespace: officeless, name: officeless-app, secret_prefix: production/core-business/*}",
     "helm.secrets_reader_service_accounts[0].secret_prefix: 'production/core-business/*' overlaps tenant "
     "core-business-prod's 'production/core-business/*'; allowed: its own tenant's prefix, or one no tenant's "
     "contains or is contained in"),
    ("shared-argocd-secret", "production", "shared_secrets: [production/valkey/production-valkey/auth-token]",
     "shared_secrets: [production/argocd/admin]",
     "tenancy.tenants[0].shared_secrets[0]: 'production/argocd/admin' is the platform's (argocd.admin_password_secret); "
     "allowed: a shared secret such as production/valkey/production-valkey/auth-token"),
    ("shared-another-tenants-secret", "production", "shared_secrets: [production/valkey/production-valkey/auth-token]",
     "shared_secrets: [production/platform/db]",
     "tenancy.tenants[0].shared_secrets[0]: 'production/platform/db' lies under tenant platform-prod's "
     "'production/platform/*'; allowed: a name no other tenant's prefix covers"),
    ("shared-across-environments", "dev", "shared_secrets: [dev/valkey/dev-valkey/auth-token]",
     "shared_secrets: [production/valkey/production-valkey/auth-token]",
     "tenancy.tenants[0].shared_secrets[0]: 'production/valkey/production-valkey/auth-token' lies outside what this "
     "cluster may read; allowed: under dev/*, staging/*"),
    ("shared-wildcard", "production", "shared_secrets: [production/valkey/production-valkey/auth-token]",
     "shared_secrets: [production/valkey/*]",
     "tenancy.tenants[0].shared_secrets[0]: 'production/valkey/*' is not a Secrets Manager secret name; allowed: 1-512 "
     "of letters, digits and /_+=.@- (no wildcard)"),
    ("reader-in-another-environment", "production", READER, READER[:-1] + ", secret_prefix: dev/officeless/*}",
     "helm.secrets_reader_service_accounts[0].secret_prefix: 'dev/officeless/*' lies outside what this cluster may "
     "read; allowed: under production/* (external_secrets.secret_prefixes)"),
    ("reader-overlaps-the-platform", "production", READER, READER[:-1] + ", secret_prefix: production/argocd/*}",
     "helm.secrets_reader_service_accounts[0].secret_prefix: 'production/argocd/*' overlaps the platform's "
     "'production/argocd/*'; allowed: a prefix the platform's prefixes neither contain nor are contained in"),
    ("reader-covers-the-valkey-token", "production", READER, READER[:-1] + ", secret_prefix: production/valkey/*}",
     "helm.secrets_reader_service_accounts[0].secret_prefix: 'production/valkey/*' covers the platform's secret "
     "'production/valkey/production-valkey/auth-token' (valkey.name); allowed: a prefix that does not"),
    ("reader-outside-its-tenant", "production", READER, "    - {namespace: platform-prod, name: app, secret_prefix: "
     "production/other/*}",
     "helm.secrets_reader_service_accounts[0].secret_prefix: 'production/other/*' lies outside the prefix of its "
     "namespace's tenant, 'production/platform/*'; allowed: under it"),
    ("certificate-of-another-region", "production", ANCHOR,
     f"ingress:\n  internal: {{certificate_arns: [arn:aws:acm:eu-west-1:123456789012:certificate/{U}]}}\n{ANCHOR}",
     f"ingress.internal.certificate_arns[0]: 'arn:aws:acm:eu-west-1:123456789012:certificate/{U}' is a certificate of "
     "eu-west-1; allowed: an ACM certificate of us-east-1 (an ALB serves certificates of its own region only)"),
    ("grafana-certificate-of-another-region", "production", ANCHOR,
     f"observability:\n  grafana: {{certificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/{U}}}\n{ANCHOR}",
     f"observability.grafana.certificate_arn: 'arn:aws:acm:eu-west-1:123456789012:certificate/{U}' is a certificate "
     "of eu-west-1; allowed: an ACM certificate of us-east-1 (an ALB serves certificates of its own region only)"),
    ("certificate-not-acm", "production", ANCHOR,
     f"ingress:\n  internal: {{certificate_arns: ['arn:aws:iam::123456789012:server-certificate/platform']}}\n{ANCHOR}",
     "ingress.internal.certificate_arns[0]: 'arn:aws:iam::123456789012:server-certificate/platform' is not an ACM "
     "certificate ARN; allowed: arn:aws:acm:<region>:<account>:certificate/<id>"),
]


@pytest.fixture
def in_project_root(monkeypatch):
    from tests.test_config_errors import PRODUCTION

    monkeypatch.chdir(PRODUCTION.parents[1])


@pytest.mark.parametrize("case,environment,old,new,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line(tmp_path, in_project_root, case, environment, old, new, message):
    from tests.test_config_errors import PRODUCTION, write_config
    from tests.test_refusals import load_error

    source = PRODUCTION.parent / f"{environment}.yaml"
    directory = write_config(tmp_path / "config", old, new, source)
    assert load_error(directory, environment) == f"config/{environment}.yaml: {message}"


@pytest.mark.parametrize("case", ["tenant-overlaps-tenant", "certificate-of-another-region"])
def test_the_cli_refuses_and_keeps_the_previous_output(tmp_path, case):
    from tests.test_config_errors import PRODUCTION, assert_cli_refuses, write_config

    (environment, old, new, message), = [b[1:] for b in BAD if b[0] == case]
    directory = write_config(tmp_path / "config", old, new, PRODUCTION.parent / f"{environment}.yaml")
    assert_cli_refuses(tmp_path, directory, f"error: config/{environment}.yaml: {message}", environment)


# --- a certificate validated in a Route 53 zone (tests/conftest.py ``zone``) ----------------------

def test_a_zone_gets_a_validated_certificate_on_the_internal_alb(zone):
    from tests.conftest import ZONE_HOSTS

    helm = zone.stack("05-helm")
    (logical, certificate), = helm.resources("aws_acm_certificate").items()
    # Exact names (no wildcard: any host of the zone), DNS-validated, issued before the old one goes.
    assert [certificate["domain_name"], *certificate["subject_alternative_names"]] == [ZONE_HOSTS["argocd"], ZONE_HOSTS["grafana"]]
    assert certificate["validation_method"] == "DNS" and certificate["lifecycle"] == {"create_before_destroy": True}
    (record,) = helm.resources("aws_route53_record").values()
    assert record["zone_id"] == "Z0123456789ABCDEFGHIJ" and record["ttl"] == 60
    assert record["for_each"] == (f"${{{{ for key, val in tolist(aws_acm_certificate.{logical}.domain_validation_options): "
                                  "val.domain_name => val }}")
    (validation_logical, validation), = helm.resources("aws_acm_certificate_validation").items()
    assert validation["certificate_arn"] == helm.ref("aws_acm_certificate", logical, "arn")
    # The internal class serves the issued certificate (ARN of the validation: known once issued).
    params, _ = release_values(releases(helm)["alb-ingress-classes"][1])["manifests"]
    assert params["spec"]["certificateArn"] == [helm.ref("aws_acm_certificate_validation", validation_logical, "certificate_arn")]
    https = {"alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
             "alb.ingress.kubernetes.io/ssl-redirect": "443"}
    grafana = release_values(releases(helm)["grafana"][1])
    assert https.items() <= grafana["ingress"]["annotations"].items()
    assert grafana["ingress"]["hosts"] == [ZONE_HOSTS["grafana"]]
    assert grafana["grafana.ini"]["server"]["root_url"] == f"https://{ZONE_HOSTS['grafana']}/"
    argocd = release_values(releases(zone.stack("08-platform"))["argo-cd"][1])["server"]["ingress"]
    assert https.items() <= argocd["annotations"].items() and argocd["hostname"] == ZONE_HOSTS["argocd"]
    # No plain-HTTP warning is left for the UIs.
    from officeless.config.loader import warnings
    from tests.conftest import zone_config_dir

    assert not [w for w in warnings(load_environment("production", zone_config_dir(zone.outdir.parent / "zone-again")))
                if "plain HTTP" in w]


ZONE_BAD = [
    ("host-outside-the-zone", "argocd.internal.officeless.example", "argocd.example.org",
     "argocd.hostname: 'argocd.example.org' is not in the zone internal.officeless.example "
     "(ingress.internal.route53_zone), so ACM cannot validate it there; allowed: a host name under "
     "internal.officeless.example"),
    ("host-with-a-scheme", "hostname: argocd.internal.officeless.example", "hostname: https://argocd.internal.officeless.example",
     "argocd.hostname: 'https://argocd.internal.officeless.example' is not a DNS host name; allowed: lowercase labels of "
     "letters, digits and '-' separated by dots, e.g. argocd.internal.example.com (no scheme, port or path)"),
    ("host-missing", "  grafana: {hostname: grafana.internal.officeless.example}\n", "  grafana: {}\n",
     "observability.grafana.hostname: unset while ingress.internal.route53_zone validates a certificate for the "
     "operator UIs; allowed: a host name under internal.officeless.example, e.g. grafana.internal.officeless.example"),
    ("zone-id", "zone_id: Z0123456789ABCDEFGHIJ", "zone_id: hosted-zone/Z01",
     "ingress.internal.route53_zone.zone_id: 'hosted-zone/Z01' is not a Route 53 hosted zone id, e.g. "
     "Z0123456789ABCDEFGHIJ"),
]


@pytest.mark.parametrize("case,old,new,message", ZONE_BAD, ids=[b[0] for b in ZONE_BAD])
def test_bad_zone_input_is_one_line(tmp_path, in_project_root, case, old, new, message):
    from tests.conftest import zone_config_dir
    from tests.test_refusals import load_error

    directory = zone_config_dir(tmp_path / "config")
    text = (directory / "production.yaml").read_text()
    assert old in text
    (directory / "production.yaml").write_text(text.replace(old, new, 1))
    assert load_error(directory) == f"config/production.yaml: {message}"


def test_a_tenant_name_too_long_for_its_stores_release_is_refused(tmp_path, in_project_root):
    """dev's cluster name is short enough for the store's IAM role (<cluster>-store-<tenant>, 59 of 64
    characters here); the release name is what breaks."""
    from tests.test_config_errors import PRODUCTION, write_config
    from tests.test_refusals import load_error

    name = "a" * 41  # secret-store-<name>: 54 characters
    directory = write_config(tmp_path / "config", "    - name: infrastructure\n", f"    - name: {name}\n",
                             PRODUCTION.parent / "dev.yaml")
    text = (directory / "dev.yaml").read_text().replace("{namespace: infrastructure,", f"{{namespace: {name},")
    (directory / "dev.yaml").write_text(text)
    assert load_error(directory, "dev") == (
        f"config/dev.yaml: tenancy.tenants[4].name: '{name}' makes the Helm release 'secret-store-{name}' of its "
        "secret store (54 characters); allowed: at most 53: shorten the name")
