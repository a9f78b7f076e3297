"""08-platform (issue #17): External Secrets with per-environment isolation, Argo CD with projects and
ApplicationSets, and the ALB ingress classes (05-helm), after the EKS architecture overview:
"IAM isolation: Dev cluster can only read dev/* and staging/* secrets; prod can only read
production/*"; projects dev (dev and staging namespaces) and prod (production); automated sync
(prune + self-heal) for dev/staging, manual for production; refresh every 1h.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess

import pytest

from officeless.config.loader import load_environment
from tests.test_config_errors import PRODUCTION, assert_cli_refuses, write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)
from tests.test_helm_stack import release_values, releases

# What the platform's store reads (external_secrets.platform_prefixes, default <environment>/argocd/*):
# Argo CD's two secrets. Tenants read theirs through their own stores (tests/test_tenant_isolation.py).
PREFIXES = {"production": ["production/argocd/*"], "dev": ["dev/argocd/*"]}
# The EKS architecture overview's IAM isolation: nothing in the dev cluster reads outside dev/* and
# staging/*, nothing in production's outside production/*.
CLUSTER_BOUND = {"production": ["production/*"], "dev": ["dev/*", "staging/*"]}
CLUSTER = {"production": "production-cluster", "dev": "dev-cluster"}
REPOSITORY = "https://github.com/officeless/helm-charts.git"


@pytest.fixture
def platform(synth):
    return synth.stack("08-platform")


def manifests(stack, release: str) -> list[dict]:
    return release_values(releases(stack)[release][1])["manifests"]


def test_after_the_addons_and_the_tenants(synth):
    assert sorted(synth.manifest["stacks"]["08-platform"]["dependencies"]) == ["02-eks", "05-helm", "06-access"]


def test_releases(platform):
    found = releases(platform)
    charts = {name: (r.get("repository"), r["chart"], r.get("version"), r["namespace"]) for name, (_, r) in found.items()}
    assert charts["external-secrets"] == ("https://charts.external-secrets.io", "external-secrets", "2.9.0", "external-secrets")
    assert charts["argo-cd"] == ("https://argoproj.github.io/argo-helm", "argo-cd", "10.1.1", "argocd")
    assert charts["argocd-apps"] == ("https://argoproj.github.io/argo-helm", "argocd-apps", "2.0.5", "argocd")
    for own in ("external-secrets-store", "argocd-secrets"):  # custom resources: the manifests chart, after their CRDs
        assert charts[own][1].startswith("assets/manifests-chart/") and charts[own][0] is None
    order = {name: r.get("depends_on", []) for name, (_, r) in found.items()}
    ref = {name: f"helm_release.{logical}" for name, (logical, _) in found.items()}
    assert ref["external-secrets"] in order["external-secrets-store"]
    assert ref["external-secrets-store"] in order["argo-cd"]
    assert {ref["argo-cd"], ref["external-secrets-store"]} <= set(order["argocd-secrets"])
    assert order["argocd-apps"] == [ref["argocd-secrets"]]
    assert not platform.resources("kubernetes_manifest")  # never a plan-time CRD lookup


# --- External Secrets: the store and what each environment's role may read ----------------------

def secret_patterns(platform) -> tuple[list[str], list[dict]]:
    """What the cluster store's role (the service account platform-secret-store's) may read."""
    (role,) = [(n, r) for n, r in platform.resources("aws_iam_role").items() if r["name"].endswith("-external-secrets")]
    (inline,) = [p for p in platform.resources("aws_iam_role_policy").values() if p["role"] == platform.ref("aws_iam_role", role[0])]
    statements = platform.data_sources("aws_iam_policy_document")[inline["policy"].split(".")[2]]["statement"]
    reads = [r.split(":secret:", 1)[1] for s in statements if "secretsmanager:GetSecretValue" in s["actions"] for r in s["resources"]]
    return reads, statements


def may_read(patterns: list[str], name: str) -> bool:
    """IAM ARN matching of the resource part: * and ? are wildcards ("-??????" is Secrets Manager's suffix)."""
    return any(fnmatch.fnmatchcase(f"{name}-AbCdEf", p) for p in patterns)


def test_each_environment_reads_only_its_own_secrets(platform, synth):
    patterns, statements = secret_patterns(platform)
    assert sorted(patterns) == sorted(PREFIXES[synth.environment])
    own = {"production": ["production/argocd/admin", "production/argocd/repository"],
           "dev": ["dev/argocd/admin", "dev/argocd/repository"]}[synth.environment]
    other = {"production": ["dev/app/db", "staging/app/db", "productionx/app", "app/db", "production/core-business/db"],
             "dev": ["production/app/db", "production/argocd/admin", "devx/app", "app/db", "staging/argocd/admin",
                     "dev/core-business/db"]}[synth.environment]
    assert all(may_read(patterns, n) for n in own)
    assert not any(may_read(patterns, n) for n in other)
    # KMS decrypt only through Secrets Manager, only for those secrets.
    decrypts = [s for s in statements if s["actions"] == ["kms:Decrypt"]]
    assert len(decrypts) == len(PREFIXES[synth.environment])
    for s in decrypts:
        variables = {c["variable"]: c for c in s["condition"]}
        (via,) = variables["kms:ViaService"]["values"]
        assert via.startswith("secretsmanager.") and via.endswith(".amazonaws.com")
        assert [v.split(":secret:", 1)[1] for v in variables["kms:EncryptionContext:SecretARN"]["values"]][0] in patterns
    writes = [a for s in statements for a in s["actions"] if not a.split(":")[1].startswith(("Get", "Describe", "Decrypt"))]
    assert writes == []


def test_nothing_in_the_cluster_reads_outside_its_environments(synth):
    """Every secret pattern of every role of 05-helm and 08-platform lies inside the environment's."""
    bound = [p[:-1] for p in CLUSTER_BOUND[synth.environment]]
    patterns = []
    for name in ("05-helm", "08-platform"):
        stack = synth.stack(name)
        patterns += [r.split(":secret:", 1)[1] for d in stack.data_sources("aws_iam_policy_document").values()
                     for s in d["statement"] if "secretsmanager:GetSecretValue" in s["actions"] for r in s["resources"]]
    assert len(patterns) >= 3 and all(p.startswith(tuple(bound)) for p in patterns), patterns


def test_cluster_secret_store(platform):
    account, store = manifests(platform, "external-secrets-store")
    assert store == {"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore",
                     "metadata": {"name": "aws-secrets-manager"},
                     "spec": {"provider": {"aws": {"service": "SecretsManager", "region": "us-east-1", "auth": {
                         "jwt": {"serviceAccountRef": {"name": "platform-secret-store", "namespace": "external-secrets"}}}}},
                         "conditions": [{"namespaces": ["argocd", "external-secrets"]}]}}  # no static keys
    assert account["kind"] == "ServiceAccount" and account["metadata"]["name"] == "platform-secret-store"
    (role,) = [n for n, r in platform.resources("aws_iam_role").items() if r["name"].endswith("-external-secrets")]
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": platform.ref("aws_iam_role", role, "arn")}


def test_operator_values(platform):
    values = release_values(releases(platform)["external-secrets"][1])
    assert values["installCRDs"] is True
    assert values["serviceAccount"] == {"create": True, "name": "external-secrets"}
    for block in (values, values["webhook"], values["certController"]):
        assert set(block["resources"]["requests"]) == {"cpu", "memory"} and set(block["resources"]["limits"]) == {"memory"}


# --- Argo CD -----------------------------------------------------------------------------------------

def test_argocd_values(platform, synth):
    values = release_values(releases(platform)["argo-cd"][1])
    assert values["dex"] == {"enabled": False} and values["notifications"] == {"enabled": False}
    assert values["configs"]["params"]["server.insecure"] is True  # TLS ends at the internal ALB
    assert values["configs"]["secret"] == {"createSecret": True}  # and no admin password in values
    ingress = values["server"]["ingress"]
    assert ingress["ingressClassName"] == "alb-internal" and ingress["enabled"] is True
    replicas = {"production": 1, "dev": 1}[synth.environment]
    assert values["server"]["replicas"] == replicas
    memory = {"production": "1024Mi", "dev": "768Mi"}[synth.environment]  # sized per environment
    assert values["repoServer"]["resources"]["limits"]["memory"] == memory
    # No password in the JSON or state: not in Argo CD's values, no bcrypt hash anywhere.
    assert "password" not in json.dumps(values).lower()
    assert "$2a$" not in platform.text and "$2y$" not in platform.text and "$2b$" not in platform.text


def test_repository_credentials_and_admin_password_from_secrets_manager(platform, synth):
    repository, admin = manifests(platform, "argocd-secrets")
    env = synth.environment
    assert repository["kind"] == "ExternalSecret" and repository["apiVersion"] == "external-secrets.io/v1"
    assert repository["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
    assert repository["spec"]["refreshInterval"] == "1h"
    template = repository["spec"]["target"]["template"]
    assert template["metadata"]["labels"] == {"argocd.argoproj.io/secret-type": "repository"}
    assert template["data"]["url"] == REPOSITORY
    assert repository["spec"]["dataFrom"] == [{"extract": {"key": f"{env}/argocd/repository"}}]
    assert admin["spec"]["target"] == {"name": "argocd-secret", "creationPolicy": "Merge"}
    assert [(d["secretKey"], d["remoteRef"]) for d in admin["spec"]["data"]] == [
        ("admin.password", {"key": f"{env}/argocd/admin", "property": "password"}),
        ("admin.passwordMtime", {"key": f"{env}/argocd/admin", "property": "mtime"})]


def test_projects_and_application_sets(platform, synth):
    values = release_values(releases(platform)["argocd-apps"][1])
    expected = {
        "dev": ({"dev": ["core-business-dev", "platform-dev", "core-business-staging", "platform-staging"]},
                {"dev": "dev", "staging": "dev"}, True),
        "production": ({"prod": ["core-business-prod", "platform-prod"]}, {"production": "prod"}, False),
    }[synth.environment]
    projects, env_projects, automated = expected
    assert {name: [d["namespace"] for d in p["destinations"]] for name, p in values["projects"].items()} == projects
    for project in values["projects"].values():
        assert project["sourceRepos"] == [REPOSITORY]
        assert "clusterResourceWhitelist" not in project  # no cluster-scoped objects
        assert {"group": "networking.k8s.io", "kind": "NetworkPolicy"} in project["namespaceResourceBlacklist"]
    assert set(values["applicationsets"]) == {"core-business", "platform"}
    for app, appset in values["applicationsets"].items():
        (generator,) = appset["generators"]
        elements = generator["list"]["elements"]
        assert {e["environment"]: e["project"] for e in elements} == env_projects
        assert appset["template"]["spec"]["source"] == {"repoURL": REPOSITORY, "targetRevision": "main",
                                                        "path": f"{app}/overlays/{{{{.environment}}}}"}
        if automated:  # dev and staging: prune + self-heal
            assert all(e["automated"] is True for e in elements)
            assert "automated:\n      prune: true\n      selfHeal: true" in appset["templatePatch"]
        else:  # production: manual sync, not a word of automated
            assert "templatePatch" not in appset and "automated" not in json.dumps(appset)


NODE_VALIDATE = (
    'import { AppProject, ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1";\n'
    'import { ClusterSecretStore, ExternalSecret, SecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1";\n'
    'const kinds = { AppProject, ApplicationSet, ClusterSecretStore, ExternalSecret, SecretStore };\n'
    'let input = ""; process.stdin.on("data", d => input += d); process.stdin.on("end", () => {\n'
    '  for (const o of JSON.parse(input)) { try { new kinds[o.kind](o).validate(); console.log(o.kind + " ok"); }\n'
    '    catch (e) { console.log(o.kind + " invalid: " + e.message); } } });\n'
)


def argo_objects(values: dict) -> list[dict]:
    """The objects the argocd-apps chart renders from these values (its templates copy the same
    fields into metadata and spec; rendered with helm 3.19 to check it, see the closing note)."""
    out = []
    for name, p in values["projects"].items():
        spec = {k: v for k, v in p.items() if k != "namespace"}
        out.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
                    "metadata": {"name": name, "namespace": p["namespace"]}, "spec": spec})
    for name, a in values["applicationsets"].items():
        spec = {k: v for k, v in a.items() if k != "namespace"}
        out.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                    "metadata": {"name": name, "namespace": a["namespace"]}, "spec": spec})
    return out


def test_custom_resources_are_valid(platform, project_root):
    objects = [*[o for o in manifests(platform, "external-secrets-store") if o["kind"] != "ServiceAccount"],
               *manifests(platform, "argocd-secrets"),
               *argo_objects(release_values(releases(platform)["argocd-apps"][1]))]
    result = subprocess.run(["node", "--input-type=module", "-e", NODE_VALIDATE], cwd=project_root,
                            input=json.dumps(objects), capture_output=True, text=True, timeout=60)
    lines = result.stdout.splitlines()
    assert lines and all(line.endswith(" ok") for line in lines), result.stdout + result.stderr
    assert len(lines) == len(objects)


# --- Ingress: two classes, operator tools never on the public one --------------------------------

def test_public_class_is_the_controllers_own(synth):
    helm = synth.stack("05-helm")
    values = release_values(releases(helm)["aws-load-balancer-controller"][1])
    assert values["ingressClass"] == "alb" and values["createIngressClassResource"] is True
    assert values["ingressClassParams"] == {"create": True, "name": "alb", "spec": {
        "scheme": "internet-facing", "group": {"name": f"{CLUSTER[synth.environment]}-public"},
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}}
    assert values["defaultTargetType"] == "ip"  # ALB -> pods


def test_internal_class_and_who_uses_it(synth):
    helm = synth.stack("05-helm")
    params, ingress_class = manifests(helm, "alb-ingress-classes")
    assert params["kind"] == "IngressClassParams" and params["metadata"]["name"] == "alb-internal"
    assert params["spec"]["scheme"] == "internal"
    assert params["spec"]["group"] == {"name": f"{CLUSTER[synth.environment]}-internal"}
    assert ingress_class["spec"] == {"controller": "ingress.k8s.aws/alb", "parameters": {
        "apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": "alb-internal"}}
    # Every Ingress the platform itself creates (Grafana, Argo CD) is internal.
    classes = []
    for stack in ("05-helm", "08-platform"):
        for _, release in releases(synth.stack(stack)).values():
            text = release["values"][0]
            classes += [line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("ingressClassName:")]
    assert classes and set(classes) == {"alb-internal"}


def test_waf_on_the_public_alb_when_configured():
    from components.addons.ingress_classes import waf_settings_ingress

    arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/platform/0123abcd-0123-4567-89ab-0123456789ab"
    ingress = waf_settings_ingress(arn)
    assert ingress["spec"]["ingressClassName"] == "alb"
    assert ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/wafv2-acl-arn"] == arn


# --- bad input: one line each --------------------------------------------------------------------

DEV = PRODUCTION.parent / "dev.yaml"
BAD = [
    ("prefix-wildcard-in-the-middle", DEV, '["dev/*", "staging/*"]', '["dev/*/db", "staging/*"]',
     "external_secrets.secret_prefixes[0]: 'dev/*/db' is not a secret name prefix; allowed: <prefix>/* with a non-empty "
     "prefix, e.g. dev/* (a bare * would grant every secret of the account)"),
    ("prefix-wildcard-before-the-end", DEV, '["dev/*", "staging/*"]', '["dev*/*", "staging/*"]',
     "external_secrets.secret_prefixes[0]: 'dev*/*' has a wildcard before its end; allowed: <prefix>/* with the only "
     "wildcard last, e.g. dev/*"),
    ("prefix-none-at-all", DEV, '["dev/*", "staging/*"]', '["*"]',
     "external_secrets.secret_prefixes[0]: '*' is not a secret name prefix; allowed: <prefix>/* with a non-empty prefix, "
     "e.g. dev/* (a bare * would grant every secret of the account)"),
    ("prefix-without-wildcard", DEV, '["dev/*", "staging/*"]', '["dev", "staging/*"]',
     "external_secrets.secret_prefixes[0]: 'dev' is not a secret name prefix; allowed: <prefix>/* with a non-empty "
     "prefix, e.g. dev/* (a bare * would grant every secret of the account)"),
    ("unknown-project", DEV, "{name: staging, project: dev,", "{name: staging, project: qa,",
     "argocd.environments[1].project: 'qa' is not a project; allowed: dev (argocd.projects)"),
    ("unknown-namespace", PRODUCTION, 'namespace: "{application}-prod"', 'namespace: "{application}-production"',
     "argocd.environments[0].namespace: 'core-business-production' (application core-business) is not a tenant "
     "namespace; allowed: core-business-prod, platform-prod, infrastructure (tenancy.tenants)"),
    ("repository-not-https-or-ssh", DEV, "repository: https://github.com/", "repository: http://github.com/",
     "argocd.repository: 'http://github.com/officeless/helm-charts.git' is not a Git repository URL; allowed: "
     "https://host/path, ssh://host/path or git@host:path"),
    ("automated-production", PRODUCTION, "project: prod, sync: manual,", "project: prod, sync: automated,",
     "argocd.environments[0].sync: 'automated' for production; allowed: manual, or automated with "
     "argocd.automated_production: true (an explicit override)"),
    ("argocd-secret-outside-the-prefixes", PRODUCTION, "  applications: [core-business, platform]\n",
     "  applications: [core-business, platform]\n  repository_secret: shared/helm-charts\n",
     "argocd.repository_secret: 'shared/helm-charts' lies outside what the platform's store may read; allowed: a name "
     "under production/argocd/* (external_secrets.platform_prefixes)"),
]


def write(tmp_path, source, old, new):
    return write_config(tmp_path / "config", old, new, source)


@pytest.mark.parametrize("case,source,old,new,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line(tmp_path, in_project_root, case, source, old, new, message):
    assert load_error(write(tmp_path, source, old, new), source.stem) == f"config/{source.name}: {message}"


def test_automated_production_with_the_explicit_override(tmp_path):
    directory = write(tmp_path, PRODUCTION, "project: prod, sync: manual,", "project: prod, sync: automated,")
    text = (directory / "production.yaml").read_text().replace(
        "  applications: [core-business, platform]\n", "  applications: [core-business, platform]\n  automated_production: true\n", 1)
    (directory / "production.yaml").write_text(text)
    assert load_environment("production", directory).argocd.automated_production is True


@pytest.mark.parametrize("url", ["git@github.com:officeless/helm-charts.git", "ssh://git@github.com/officeless/helm-charts.git"])
def test_ssh_repositories_use_a_private_key(tmp_path, url):
    from components.addons.argocd import external_secrets

    directory = write(tmp_path, DEV, REPOSITORY, url)
    config = load_environment("dev", directory)
    repository, _ = external_secrets(config=config.argocd, environment="dev", refresh_interval="1h")
    assert repository["spec"]["target"]["template"]["data"] == {"type": "git", "url": url,
                                                                 "sshPrivateKey": "{{ .sshPrivateKey }}"}


def test_cli_refuses_a_prefix_that_grants_every_secret(tmp_path):
    (_, source, old, new, message), = [b for b in BAD if b[0] == "prefix-none-at-all"]
    assert_cli_refuses(tmp_path, write(tmp_path, source, old, new), f"error: config/dev.yaml: {message}", "dev")
