"""The Kubernetes layer on GKE (issue #31): 06-access's tenants and 08-platform's External Secrets with
Google Secret Manager, each tenant reading only its own secrets, proven over every pair of tenants."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
import yaml

from tests.test_config_errors import write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
GKE = "${data.terraform_remote_state.cross-stack-reference-input-02-gke.outputs."
PROJECT = "officeless-gcp-dev"  # config/gcp.yaml
TENANTS = ("core-business", "platform-apps")  # config/gcp.yaml
NUMBER = r"\$\{data\.google_project\.external-secrets-gcp_project_[0-9A-F]{8}\.number\}"  # the project's number
CONDITION = re.compile(rf'^resource\.name\.startsWith\("projects/{NUMBER}/secrets/([^"]+)"\)$')
MEMBER = re.compile(rf"principal://iam\.googleapis\.com/projects/{NUMBER}/locations/global/workloadIdentityPools/"
                    rf"{PROJECT}\.svc\.id\.goog/subject/ns/([a-z0-9-]+)/sa/([a-z0-9-]+)")


def manifests(stack, release: str) -> list[dict]:
    (values,) = next(r for r in stack.resources("helm_release").values() if r["name"] == release)["values"]
    return yaml.safe_load(values)["manifests"]


def test_the_layer_reaches_the_private_endpoint_with_gkes_exec_plugin(gcp):
    for name in ("06-access", "08-platform"):
        providers = json.loads(gcp.stack(name).text)["provider"]
        (k8s,) = providers["kubernetes"]
        assert k8s["host"].startswith(f"https://{GKE}") and k8s["host"].endswith("clusterendpoint}")
        assert k8s["cluster_ca_certificate"].startswith("${base64decode(" + GKE.removeprefix("${"))
        # No token in the JSON or the state: GKE's credential plugin, as aws eks get-token on EKS.
        assert k8s["exec"] == [{"api_version": "client.authentication.k8s.io/v1beta1", "command": "gke-gcloud-auth-plugin"}]
        assert "token" not in k8s
    (helm,) = json.loads(gcp.stack("08-platform").text)["provider"]["helm"]
    assert helm["kubernetes"]["exec"] == {"api_version": "client.authentication.k8s.io/v1beta1",
                                          "command": "gke-gcloud-auth-plugin"}
    assert gcp.manifest["stacks"]["06-access"]["dependencies"] == ["02-gke"]
    assert sorted(gcp.manifest["stacks"]["08-platform"]["dependencies"]) == ["02-gke", "06-access"]


def test_tenant_namespaces_as_on_eks(gcp):
    access = gcp.stack("06-access")
    namespaces = {n["metadata"]["name"]: n["metadata"] for n in access.resources("kubernetes_namespace_v1").values()}
    assert set(namespaces) == set(TENANTS)
    for name in TENANTS:
        labels = namespaces[name]["labels"]
        assert labels["tenant"] == "true" and labels["pod-security.kubernetes.io/enforce"] == "restricted"
    quotas = {q["//"]["metadata"]["path"].split("/")[1].removeprefix("tenant-"): q["spec"]["hard"]
              for q in access.resources("kubernetes_resource_quota_v1").values()}
    # config/gcp.yaml's quotas: 20 CPUs / 40Gi and 10 / 20Gi.
    assert (quotas["core-business"]["limits.cpu"], quotas["core-business"]["limits.memory"]) == ("20000m", "40960Mi")
    assert (quotas["platform-apps"]["limits.cpu"], quotas["platform-apps"]["limits.memory"]) == ("10000m", "20480Mi")
    # Default deny, enforced by Dataplane V2 (02-gke): every tenant has a policy selecting all its pods
    # for both directions.
    policies = list(access.resources("kubernetes_network_policy_v1").values())
    for name in TENANTS:
        denies = [p for p in policies if p["//"]["metadata"]["path"].startswith(f"06-access/tenant-{name}/")
                  and p["spec"]["pod_selector"] == {}
                  and set(p["spec"]["policy_types"]) == {"Ingress", "Egress"} and "ingress" not in p["spec"]
                  and "egress" not in p["spec"]]
        assert denies, name
    # No EKS Pod Identity agent egress here.
    assert "169.254.170.23" not in access.text


def test_each_tenant_reads_only_its_own_secrets_for_every_pair(gcp):
    platform = gcp.stack("08-platform")
    bindings = list(platform.resources("google_project_iam_member").values())
    readers = {}
    for binding in bindings:
        assert binding["role"] == "roles/secretmanager.secretAccessor" and binding["project"] == PROJECT
        # Never unconditional: every grant names its prefix of secret ids.
        (prefix,) = CONDITION.fullmatch(binding["condition"]["expression"]).groups()
        readers[MEMBER.fullmatch(binding["member"]).groups()] = prefix
    assert readers == {("external-secrets", "platform-secret-store"): "gcp_platform_",
                       ("core-business", "secret-store"): "gcp_core-business_",
                       ("platform-apps", "secret-store"): "gcp_platform-apps_"}
    # No owner's prefix starts another's: a secret id one store may read, no other store may.
    for (a, pa), (b, pb) in itertools.permutations(readers.items(), 2):
        assert not pb.startswith(pa), (a, b)
    # Each tenant's store is in its namespace and authenticates as that namespace's account (ESO takes a
    # namespaced store's account from the store's namespace; v2.9.0 workload_identity.go).
    for tenant in TENANTS:
        account, store = manifests(platform, f"secret-store-{tenant}")
        assert account == {"apiVersion": "v1", "kind": "ServiceAccount", "automountServiceAccountToken": False,
                           "metadata": {"name": "secret-store", "namespace": tenant}}
        assert (store["kind"], store["metadata"]) == ("SecretStore", {"name": "gcp-secret-manager", "namespace": tenant})
        assert store["spec"]["provider"] == {"gcpsm": {"projectID": PROJECT, "auth": {"workloadIdentity": {
            "clusterLocation": "asia-southeast2", "clusterName": "gcp-cluster", "clusterProjectID": PROJECT,
            "serviceAccountRef": {"name": "secret-store"}}}}}
        # No annotation: the federated token is used as is, never a Google service account's.
        assert "annotations" not in account["metadata"]
    account, store = manifests(platform, "external-secrets-store")
    assert store["kind"] == "ClusterSecretStore"
    assert store["spec"]["conditions"] == [{"namespaces": ["argocd", "external-secrets"]}]
    assert store["spec"]["provider"]["gcpsm"]["auth"]["workloadIdentity"]["serviceAccountRef"] == {
        "name": "platform-secret-store", "namespace": "external-secrets"}
    # The operator's own account is granted nothing: a store without auth reads nothing.
    assert not [b for b in bindings if b["member"].endswith("/ns/external-secrets/sa/external-secrets")]


BAD = [
    ("    - name: platform-apps\n", "    - name: platform-apps\n      secret_prefix: gcp/platform-apps/*\n",
     "tenancy.tenants[1].secret_prefix: names Secrets Manager secrets, which cloud: gcp has not; allowed: unset (the "
     "tenant's store reads the Secret Manager secrets whose ids start with 'gcp_platform-apps_')"),
    ("    - name: platform-apps\n", "    - name: platform\n",
     "tenancy.tenants[1].name: 'platform' would read the platform's secrets (gcp_platform_*); allowed: another name"),
    ("    services_cidr: 10.20.0.0/20", "    services_cidr: 10.20.0.0/20\n    proxy_cidr: 10.10.16.0/24",
     "network.subnet.proxy_cidr: '10.10.16.0/24' is smaller than a /23, the least a proxy-only subnet holds; allowed: "
     "a /23 or larger"),
    ("helm:\n  mimir:", "helm:\n  metrics_server: {version: 3.13.1}\n  mimir:",
     "helm.metrics_server: GKE runs metrics-server itself (and the CSI drivers); allowed: no metrics_server section "
     "here"),
]


BAD += [
    ("  repository: https://github.com/officeless/helm-charts.git\n",
     "  repository: https://github.com/officeless/helm-charts.git\n  repository_secret: gcp/argocd/repository\n",
     "argocd.repository_secret: 'gcp/argocd/repository' is not a Secret Manager secret the platform's store reads; allowed: "
     "an id starting 'gcp_platform_' (letters, digits, '-', '_')"),
    ("tenancy:\n", "external_secrets: {enabled: false}\n\ntenancy:\n",
     "argocd: needs external_secrets.enabled: true (its repository credentials and admin password come from Secret "
     "Manager through External Secrets)"),
    ("  applications: [core-business, platform-apps]", "  applications: [core-business, billing]",
     "argocd.environments[0].namespace: 'billing' (application billing) is not a tenant namespace; allowed: "
     "core-business, platform-apps (tenancy.tenants)"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=["secret-prefix", "platform-tenant", "proxy-cidr", "metrics-server",
                                                      "argocd-secret", "argocd-without-eso", "argocd-namespace"])
def test_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    source = ROOT / "config" / "gcp.yaml"
    if new == "    - name: platform\n":  # the other tenant's peers name it too
        source = write_config(tmp_path / "peers", "{namespace: platform-apps, ports: [8000]}",
                              "{namespace: platform, ports: [8000]}", source) / "gcp.yaml"
    assert load_error(write_config(tmp_path, old, new, source), "gcp") == f"config/gcp.yaml: {message}"


def test_observability_on_cloud_storage_through_workload_identity(gcp):
    helm = gcp.stack("05-helm")
    releases = {r["name"]: r for r in helm.resources("helm_release").values()}
    # GKE runs metrics-server and the CSI drivers itself: none installed again.
    assert set(releases) == {"gke-gateways", "mimir", "loki", "tempo", "alloy", "alloy-singleton", "kube-state-metrics",
                             "prometheus-node-exporter", "grafana", "grafana-route"}
    values = {name: yaml.safe_load(r["values"][0]) for name, r in releases.items()}
    mimir = values["mimir"]["mimir"]["structuredConfig"]
    assert mimir["common"]["storage"] == {"backend": "gcs"}
    assert mimir["blocks_storage"] == {"gcs": {"bucket_name": "officeless-gcp-mimir-metrics"}}
    assert mimir["alertmanager_storage"] == {"gcs": {"bucket_name": "officeless-gcp-mimir-alertmanager"}}
    loki = values["loki"]["loki"]
    assert loki["storage"] == {"type": "gcs", "bucketNames": {"chunks": "officeless-gcp-loki-chunks",
                                                             "ruler": "officeless-gcp-loki-ruler"}}
    assert loki["schemaConfig"]["configs"][0]["object_store"] == "gcs" and loki["compactor"]["delete_request_store"] == "gcs"
    assert values["tempo"]["storage"]["trace"] == {"backend": "gcs", "gcs": {"bucket_name": "officeless-gcp-tempo-traces"}}
    # No keys anywhere: no Secret is read into the backends' environment.
    assert "extraEnvFrom" not in helm.text and "AWS_ACCESS_KEY_ID" not in helm.text
    # Each backend's account may use its own buckets, and no other's (03-gcs's names, config/gcp.yaml).
    grants = {}
    for grant in helm.resources("google_storage_bucket_iam_member").values():
        assert grant["role"] == "roles/storage.objectAdmin"
        account = re.fullmatch(r"principal://iam\.googleapis\.com/projects/\$\{data\.google_project\.project\.number\}/"
                               rf"locations/global/workloadIdentityPools/{PROJECT}\.svc\.id\.goog/subject/ns/monitoring/"
                               r"sa/(mimir|loki|tempo)", grant["member"]).group(1)
        grants.setdefault(account, set()).add(grant["bucket"].removeprefix("officeless-gcp-"))
    assert grants == {"mimir": {"mimir-metrics", "mimir-alertmanager", "mimir-ruler"},
                      "loki": {"loki-chunks", "loki-ruler"}, "tempo": {"tempo-traces"}}
    for name, account in (("mimir", "mimir"), ("loki", "loki"), ("tempo", "tempo")):
        assert values[name]["serviceAccount"] == {"create": True, "name": account}
        assert "annotations" not in values[name]["serviceAccount"]  # the account's own identity, no Google account
    # Grafana has no Ingress: its route is on the internal Gateway (below).
    assert values["grafana"]["ingress"] == {"enabled": False}
    assert sorted(gcp.manifest["stacks"]["05-helm"]["dependencies"]) == ["02-gke", "03-gcs"]


def test_capacity_on_gkes_pools_passes_for_the_example_and_refuses_an_undersized_pool(in_project_root, tmp_path):  # noqa: F811
    from components.addons import catalog
    from officeless.config.loader import load_environment

    # The observability stack's and External Secrets' pods fit config/gcp.yaml's application pool (3 x
    # e2-standard-4 at GKE's allocatable); the tainted system pool takes only what tolerates its taint.
    from officeless.capacity import CapacityError

    placed = catalog.check_capacity(load_environment("gcp"))
    assert placed  # the check ran and placed the platform's pods
    undersized = load_environment("gcp", write_config(tmp_path, "      min_nodes: 3\n      max_nodes: 12",
                                                      "      min_nodes: 0\n      max_nodes: 12", ROOT / "config" / "gcp.yaml"))
    with pytest.raises(CapacityError) as info:
        catalog.check_capacity(undersized)
    assert str(info.value) == (
        "helm.sizes.loki.single-binary: loki single-binary: replica 1 of 1 does not fit on the nodes (0 x e2-standard-4 "
        "(apps)) beside the rest of the platform: no node there; raise gke.node_pools.apps.min_nodes or lower requests")


def _gateway_objects(gcp) -> dict[tuple[str, str], dict]:
    return {(m["kind"], m["metadata"]["name"]): m for m in manifests(gcp.stack("05-helm"), "gke-gateways")}


def test_gke_gateways_split_tenants_from_operators_on_googles_classes(gcp):
    from tests.test_gateways import _namespace_labels, attaches, http_route

    objects = _gateway_objects(gcp)
    public, internal = objects[("Gateway", "public")], objects[("Gateway", "internal")]
    # GKE's own classes: the global external Application Load Balancer, the regional internal one.
    assert (public["spec"]["gatewayClassName"], internal["spec"]["gatewayClassName"]) == (
        "gke-l7-global-external-managed", "gke-l7-rilb")
    assert public["metadata"]["namespace"] == internal["metadata"]["namespace"] == "kube-system"
    # HTTPS with config/gcp.yaml's certificates; HTTP only redirects (the platform's route).
    assert public["metadata"]["annotations"] == {"networking.gke.io/certmap": "officeless-gcp-public"}
    (https,) = [listener for listener in internal["spec"]["listeners"] if listener["name"] == "https"]
    assert https["tls"] == {"mode": "Terminate", "options": {"networking.gke.io/pre-shared-certs": "officeless-gcp-internal"}}
    for tenant in TENANTS:
        labels = _namespace_labels(gcp, tenant)
        route = http_route(tenant, "public")
        assert attaches(public, "https", route, labels) and not attaches(public, "http", route, labels)
        assert not attaches(internal, "https", http_route(tenant, "internal"), labels)
    for operator in ("argocd", "monitoring"):
        labels = {"kubernetes.io/metadata.name": operator}
        assert attaches(internal, "https", http_route(operator, "internal"), labels)
        assert not attaches(public, "https", http_route(operator, "public"), labels)
    assert {k for k in objects if k[0] == "ClusterRole"} == {("ClusterRole", "gateway-routes-edit"),
                                                              ("ClusterRole", "gateway-routes-view")}
    # Grafana: a route on the internal Gateway, probed where it answers 200.
    route, policy = manifests(gcp.stack("05-helm"), "grafana-route")
    assert route["spec"]["parentRefs"] == [{"name": "internal", "namespace": "kube-system"}]
    assert route["spec"]["rules"] == [{"backendRefs": [{"name": "grafana", "port": 80}]}]
    assert policy["kind"] == "HealthCheckPolicy" and policy["spec"]["default"]["config"] == {
        "type": "HTTP", "httpHealthCheck": {"requestPath": "/api/health"}}
    assert policy["spec"]["targetRef"] == {"group": "", "kind": "Service", "name": "grafana"}


def test_the_network_serves_the_internal_gateways_proxies(gcp):
    vpc = gcp.stack("01-vpc")
    subnets = {s["name"]: s for s in vpc.resources("google_compute_subnetwork").values()}
    proxy = subnets["gcp-vpc-proxy-only"]
    assert (proxy["ip_cidr_range"], proxy["purpose"], proxy["role"]) == ("10.10.16.0/23", "REGIONAL_MANAGED_PROXY", "ACTIVE")
    rules = {r["name"]: r for r in vpc.resources("google_compute_firewall").values()}
    # The proxies and Google's health checkers reach the pods (container-native load balancing), TCP only.
    assert (rules["gcp-vpc-allow-load-balancer-proxies"]["source_ranges"],
            rules["gcp-vpc-allow-load-balancer-proxies"]["destination_ranges"]) == (["10.10.16.0/23"], ["10.16.0.0/14"])
    assert rules["gcp-vpc-allow-health-checks"]["source_ranges"] == ["35.191.0.0/16", "130.211.0.0/22"]
    for name in ("gcp-vpc-allow-load-balancer-proxies", "gcp-vpc-allow-health-checks"):
        assert rules[name]["allow"] == [{"protocol": "tcp"}] and rules[name]["destination_ranges"] == ["10.16.0.0/14"]


def test_without_certificates_the_gateways_serve_http_and_config_says_so(in_project_root, tmp_path):  # noqa: F811
    from components.addons.gateways import gke_manifests
    from officeless.config.loader import load_environment

    plain = load_environment("gcp", write_config(
        tmp_path, "gateways:\n  certificate_map: officeless-gcp-public\n  internal_certificates: [officeless-gcp-internal]\n",
        "", ROOT / "config" / "gcp.yaml"))
    assert ("gateways", "the public and internal Gateways serve plain HTTP: name gateways.certificate_map / "
                        "gateways.internal_certificates for HTTPS") in plain.warnings(None)
    gateways = [m for m in gke_manifests(certificate_map=None, internal_certificates=()) if m["kind"] == "Gateway"]
    for gateway in gateways:
        assert [listener["name"] for listener in gateway["spec"]["listeners"]] == ["http"]
        assert "annotations" not in gateway["metadata"]


def test_argo_cd_reads_the_platforms_secrets_and_serves_on_the_internal_gateway(gcp):
    platform = gcp.stack("08-platform")
    releases = {r["name"]: r for r in platform.resources("helm_release").values()}
    assert {"argo-cd", "argocd-secrets", "argocd-apps", "argocd-route"} <= set(releases)
    server = yaml.safe_load(releases["argo-cd"]["values"][0])
    assert server["server"]["ingress"] == {"enabled": False}  # no Ingress: the route below
    secrets = {m["metadata"]["name"]: m for m in manifests(platform, "argocd-secrets")}
    # From the platform's store, under its prefix only (the tenants' stores cannot read these, nor it theirs).
    for secret in secrets.values():
        assert secret["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "gcp-secret-manager"}
    assert secrets["argocd-repository"]["spec"]["dataFrom"] == [{"extract": {"key": "gcp_platform_argocd-repository"}}]
    assert {d["remoteRef"]["key"] for d in secrets["argocd-admin-password"]["spec"]["data"]} == {"gcp_platform_argocd-admin"}
    route, policy = manifests(platform, "argocd-route")
    assert (route["metadata"]["namespace"], route["spec"]["parentRefs"]) == ("argocd", [{"name": "internal",
                                                                                         "namespace": "kube-system"}])
    assert route["spec"]["rules"] == [{"backendRefs": [{"name": "argocd-server", "port": 80}]}]
    assert policy["spec"]["default"]["config"]["httpHealthCheck"] == {"requestPath": "/healthz"}


def test_terraform_cloud_runs_sign_in_to_google_cloud_without_a_key(gcp_cloud):
    names = gcp_cloud.stack_names()  # from the manifest: every stack the app built
    assert "00-state" not in names and {"00-tfc-wif", "00-tfc-workspaces"} <= set(names)
    wif = gcp_cloud.stack("00-tfc-wif")
    assert json.loads(wif.text)["terraform"]["backend"] == {"local": {"path": "../../../terraform-state/gcp/00-tfc-wif.tfstate"}}
    provider = next(iter(wif.resources("google_iam_workload_identity_pool_provider").values()))
    assert provider["oidc"] == {"issuer_uri": "https://app.terraform.io"}
    # Only this environment's project in the organization: no other organization's or project's runs.
    assert provider["attribute_condition"] == ('assertion.terraform_organization_name == "officeless" && '
                                               'assertion.terraform_project_name == "officeless-gcp"')
    assert provider["attribute_mapping"]["google.subject"] == "assertion.sub"
    assert provider["attribute_mapping"]["attribute.terraform_run_phase"] == "assertion.terraform_run_phase"
    # Plan runs may impersonate the plan account only, apply runs the apply account only.
    for phase in ("plan", "apply"):
        binding = wif.resources("google_service_account_iam_member")[f"{phase}-runs-impersonate"]
        assert binding["role"] == "roles/iam.workloadIdentityUser"
        assert binding["service_account_id"] == f"${{google_service_account.{phase}-sa.name}}"
        assert binding["member"].endswith(f"/attribute.terraform_run_phase/{phase}")
    roles = {(m["member"].split(".")[1], m["role"]) for m in wif.resources("google_project_iam_member").values()}
    assert roles == {("plan-sa", "roles/viewer"), ("plan-sa", "roles/iam.securityReviewer"), ("apply-sa", "roles/owner")}
    assert not wif.resources("google_service_account_key")  # no key anywhere
    workspaces = gcp_cloud.stack("00-tfc-workspaces")
    variables = {(v["workspace_id"].split(".")[1], v["key"]): v["value"]
                 for v in workspaces.resources("tfe_variable").values()}
    stacks = [n for n in names if not n.startswith("00-tfc")]
    for stack in stacks:
        assert variables[(f"workspace-{stack}", "TFC_GCP_PROVIDER_AUTH")] == "true"
        for key, output in (("TFC_GCP_WORKLOAD_PROVIDER_NAME", "google_iam_workload_identity_pool_providerprovidername"),
                            ("TFC_GCP_PLAN_SERVICE_ACCOUNT_EMAIL", "google_service_accountplan-saemail"),
                            ("TFC_GCP_APPLY_SERVICE_ACCOUNT_EMAIL", "google_service_accountapply-saemail")):
            assert variables[(f"workspace-{stack}", key)].endswith(f"outputs.cross-stack-output-{output}}}")
    modes = {s["workspace_id"].split(".")[1].removeprefix("workspace-"): s["execution_mode"]
             for s in workspaces.resources("tfe_workspace_settings").values()}
    # The Kubernetes layer reaches the private endpoint: agents in the network; the rest run remotely.
    assert {s for s, mode in modes.items() if mode == "agent"} == {"05-helm", "06-access", "08-platform"}
    assert json.loads(gcp_cloud.stack("02-gke").text)["terraform"]["cloud"] == {
        "hostname": "app.terraform.io", "organization": "officeless",
        "workspaces": {"name": "officeless-gcp-02-gke", "project": "officeless-gcp"}}
