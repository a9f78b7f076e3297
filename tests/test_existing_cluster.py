"""The existing-cluster target (issue #29, items 1, 4, 5): config/onprem.yaml synthesizes the
Kubernetes layer only, on a kubeconfig, with S3-compatible object storage, the HAProxy class,
Valkey in the cluster and External Secrets' Kubernetes provider; bad input is one line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.addons import catalog
from officeless import targets
from officeless.capacity import CapacityError
from officeless.config.loader import load_environment, load_file
from officeless.errors import ConfigError
from tests.test_helm_stack import release_values, releases
from tests.test_config_errors import write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
STACKS = ["05-helm", "06-access", "07-valkey", "08-platform"]
# config/onprem.yaml, typed again: the endpoint, the kubeconfig context, the classes.
ENDPOINT_HOST = "rgw.onprem.example.internal"
CONTEXT = "onprem-admin"
TENANTS = ("core-business", "platform")


def test_the_kubernetes_layer_only_in_the_numbered_stacks(onprem):
    assert onprem.stack_names() == STACKS
    for name in STACKS:
        data = json.loads(onprem.stack(name).text)
        assert set(data["provider"]) <= {"helm", "kubernetes"}, name
        assert not [t for t in data.get("resource", {}) if t.startswith("aws_")], name
        assert not [t for t in data.get("data", {}) if t.startswith("aws_")], name


def test_state_in_the_s3_compatible_store_with_native_lock_files(onprem):
    for name in STACKS:
        backend = json.loads(onprem.stack(name).text)["terraform"]["backend"]
        assert backend == {"s3": {
            "bucket": "officeless-onprem-terraform-state", "key": f"onprem/{name}/terraform.tfstate", "region": "us-east-1",
            "endpoints": {"s3": "https://rgw.onprem.example.internal"}, "use_path_style": True, "use_lockfile": True,
            "skip_credentials_validation": True, "skip_requesting_account_id": True, "skip_metadata_api_check": True,
            "skip_region_validation": True, "skip_s3_checksum": True}}


def test_the_cluster_is_reached_through_the_kubeconfig_and_no_credential_is_written(onprem):
    for name in STACKS:
        data = json.loads(onprem.stack(name).text)
        (kube,) = data["provider"]["kubernetes"]
        assert kube == {"config_path": "~/.kube/config", "config_context": CONTEXT}
        if "helm" in data["provider"]:
            (helm,) = data["provider"]["helm"]
            assert helm == {"kubernetes": {"config_path": "~/.kube/config", "config_context": CONTEXT}}
        text = onprem.stack(name).text
        assert not re.search(r'"(token|password|client_key|secret_access_key|access_key)"\s*:', text), name


def test_observability_writes_to_the_configured_endpoint_with_keys_from_the_secret(onprem):
    helm = releases(onprem.stack("05-helm"))
    env_from = [{"secretRef": {"name": "object-storage-credentials"}}]
    mimir = release_values(helm["mimir"][1])
    assert mimir["mimir"]["structuredConfig"]["common"]["storage"]["s3"] == {
        "endpoint": ENDPOINT_HOST, "region": "us-east-1", "insecure": False, "bucket_lookup_type": "path"}
    assert mimir["mimir"]["structuredConfig"]["blocks_storage"]["s3"]["bucket_name"] == "officeless-onprem-mimir-metrics"
    assert mimir["global"]["extraEnvFrom"] == env_from
    loki = release_values(helm["loki"][1])
    assert loki["loki"]["storage"]["s3"] == {"region": "us-east-1", "endpoint": ENDPOINT_HOST, "insecure": False,
                                             "s3ForcePathStyle": True}
    assert loki["loki"]["storage"]["bucketNames"] == {"chunks": "officeless-onprem-loki-chunks",
                                                      "ruler": "officeless-onprem-loki-ruler"}
    assert loki["singleBinary"]["extraEnvFrom"] == env_from  # the small profile: one binary
    assert loki["singleBinary"]["persistence"] == {"storageClass": "longhorn"}
    tempo = release_values(helm["tempo"][1])
    assert tempo["storage"]["trace"]["s3"] == {"bucket": "officeless-onprem-tempo-traces", "endpoint": ENDPOINT_HOST,
                                               "region": "us-east-1", "insecure": False, "forcepathstyle": True}
    assert all(tempo[key]["extraEnvFrom"] == env_from for key in ("distributor", "ingester", "querier", "compactor"))
    assert tempo["global"] == {"storageClass": "longhorn"}
    # No pod identity: no role, no service account annotation.
    assert "eks.amazonaws.com/role-arn" not in onprem.stack("05-helm").text


def test_writers_and_readers_send_the_platform_tenant_as_on_aws(onprem, synthesized):
    """The collector's and Grafana's values differ from dev's only in the cluster label and the class."""
    mine, theirs = releases(onprem.stack("05-helm")), releases(synthesized["dev"].stack("05-helm"))
    for name in ("alloy", "alloy-singleton"):
        ours, aws = mine[name][1]["values"][0], theirs[name][1]["values"][0]
        assert ours.replace('cluster = \\"onprem-cluster\\"', "") == aws.replace('cluster = \\"dev-cluster\\"', "")
        assert 'tenant_id = \\"officeless\\"' in ours or "X-Scope-OrgID" in ours
    ours, aws = release_values(mine["grafana"][1]), release_values(theirs["grafana"][1])
    assert ours["datasources"] == aws["datasources"]
    assert ours["ingress"] == {"enabled": True, "ingressClassName": "haproxy", "hosts": ["grafana.onprem.example.internal"],
                               "path": "/", "pathType": "Prefix", "annotations": {"haproxy.org/ssl-redirect": "true"}}


def _tenant_objects(stack, tenant: str) -> dict[tuple[str, str], dict]:
    """(resource type, object name) -> spec of every object of ``tenant``'s construct (its namespace
    is a reference to the namespace resource, so the construct is what ties them)."""
    out = {}
    for kind, items in json.loads(stack.text)["resource"].items():
        for logical, item in items.items():
            if logical.startswith(f"tenant-{tenant}_"):
                out[(kind, item["metadata"]["name"])] = {k: v for k, v in item.items() if k not in ("//", "metadata")}
    return out


def test_tenancy_is_the_same_as_on_aws(onprem, synthesized, tmp_path):
    """A tenant configured alike gets the same quota, LimitRange, Pod Security, network policies and
    RBAC on both targets; only the EKS Pod Identity agent's egress is AWS's."""
    dev = synthesized["dev"].stack("06-access")

    def normal(objects: dict, names: dict[str, str]) -> dict:
        out = {}
        for (kind, name), spec in objects.items():
            text = json.dumps([name, spec])
            for old, new in names.items():
                text = text.replace(old, new)
            name, spec = json.loads(text)
            # tenancy.egress differs between the two files (dev's two rules, onprem's one): its own test.
            if not name.startswith("allow-egress-"):
                out[(kind, name)] = spec
        return out

    aws = normal(_tenant_objects(dev, "platform-dev"), {"core-business-dev": "PEER", "platform-dev": "SELF"})
    ours = normal(_tenant_objects(onprem.stack("06-access"), "platform"), {"core-business": "PEER", "platform": "SELF"})
    del aws[("kubernetes_network_policy_v1", "allow-pod-identity-agent")]
    # onprem.yaml's own peers: HAProxy reaches the tenant, the tenant reaches the in-cluster cache.
    for extra in ("allow-from-haproxy-controller", "allow-to-valkey"):
        assert ours.pop(("kubernetes_network_policy_v1", extra))
    assert set(ours) == set(aws)
    for key in ours:
        if key[0] != "kubernetes_namespace_v1":
            assert ours[key] == aws[key], key
    assert ("kubernetes_network_policy_v1", "default-deny") in ours


def test_every_tenant_store_reads_only_its_own_source_namespace(onprem):
    """For every pair of tenants: A's store reads namespace secrets-A as A/secret-store, and no Role
    binding in secrets-A lets B's account (or anyone else's) read it."""
    stack = onprem.stack("08-platform")
    helm = releases(stack)
    bindings = {}
    stores = {}
    for tenant in TENANTS:
        (document,) = helm[f"secret-store-{tenant}"][1]["values"]
        objects = yaml.safe_load(document)["manifests"]
        for obj in objects:
            if obj["kind"] == "RoleBinding":
                bindings.setdefault(obj["metadata"]["namespace"], []).extend(
                    (s["namespace"], s["name"]) for s in obj["subjects"])
            if obj["kind"] == "SecretStore":
                stores[tenant] = obj
    (cluster,) = yaml.safe_load(helm["external-secrets-store"][1]["values"][0])["manifests"][-1:]
    for obj in yaml.safe_load(helm["external-secrets-store"][1]["values"][0])["manifests"]:
        if obj["kind"] == "RoleBinding":
            bindings.setdefault(obj["metadata"]["namespace"], []).extend((s["namespace"], s["name"]) for s in obj["subjects"])
    for a in TENANTS:
        provider = stores[a]["spec"]["provider"]["kubernetes"]
        assert stores[a]["metadata"] == {"name": "cluster-secrets", "namespace": a}
        assert provider["remoteNamespace"] == f"secrets-{a}"
        assert provider["auth"] == {"serviceAccount": {"name": "secret-store"}}  # its own namespace's
        assert bindings[f"secrets-{a}"] == [(a, "secret-store")]
        for b in TENANTS:
            if b != a:
                assert (b, "secret-store") not in bindings[f"secrets-{a}"]
    assert bindings["platform-secrets"] == [("external-secrets", "platform-secret-store")]
    assert cluster["kind"] == "ClusterSecretStore"
    assert cluster["spec"]["conditions"] == [{"namespaces": ["argocd", "external-secrets"]}]
    assert "aws" not in json.dumps(cluster["spec"]["provider"])


def test_valkey_in_the_cluster_with_auth_and_persistence(onprem):
    (_, release), = releases(onprem.stack("07-valkey")).values()
    assert (release["chart"], release["version"], release["namespace"]) == ("valkey", "0.11.0", "valkey")
    assert release["repository"] == "https://valkey.io/valkey-helm/"
    values = release_values(release)
    assert values["auth"]["enabled"] is True and values["auth"]["usersExistingSecret"] == "valkey-users"
    assert "password" not in json.dumps(values["auth"]["aclUsers"]).replace("passwordKey", "")
    assert values["dataStorage"] == {"enabled": True, "requestedSize": "8Gi", "className": "longhorn"}
    assert values["resources"]["requests"] == {"cpu": "50m", "memory": "128Mi"}


def test_haproxy_is_the_ingress_controller_with_its_class(onprem):
    release = releases(onprem.stack("05-helm"))["haproxy-ingress"][1]
    assert (release["chart"], release["version"]) == ("kubernetes-ingress", "1.52.1")
    assert release["repository"] == "https://haproxytech.github.io/helm-charts"
    values = release_values(release)
    assert values["controller"]["ingressClass"] == "haproxy"
    assert values["controller"]["ingressClassResource"] == {"name": "haproxy", "default": False}
    assert values["controller"]["service"] == {"type": "LoadBalancer"}


def test_without_an_endpoint_the_platform_runs_seaweedfs_and_the_backends_use_it(in_project_root, tmp_path):  # noqa: F811
    text = (ROOT / "config" / "onprem.yaml").read_text().replace("  endpoint: https://rgw.onprem.example.internal\n  region", "  region")
    path = tmp_path / "onprem.yaml"
    path.write_text(text)
    config = load_file(path)
    assert config.object_storage.endpoint is None
    running = [e.name for e in catalog.entries(config, catalog.HELM)]
    assert running.index("seaweedfs") < running.index("mimir")
    store = targets.of(config).object_store
    assert (store.endpoint, store.insecure, store.path_style) == ("seaweedfs-s3.monitoring.svc:8333", True, True)
    from components.addons import seaweedfs

    values = seaweedfs.values(config.helm, storage_class="longhorn", volume_size_gb=100,
                              credentials_secret="object-storage-credentials", buckets=["b"])
    assert values["s3"]["credentials"]["admin"]["existingSecret"] == "object-storage-credentials"
    assert values["s3"]["enableAuth"] is True
    assert values["volume"]["dataDirs"][0]["type"] == "persistentVolumeClaim"
    assert {"seaweedfs master", "seaweedfs volume", "seaweedfs filer", "seaweedfs s3"} <= {
        w.component for w in catalog.workloads(config)}


def test_capacity_passes_on_the_configured_nodes_and_refuses_smaller_ones(in_project_root, tmp_path):  # noqa: F811
    report = catalog.check_capacity(load_environment("onprem"))
    assert report
    text = (ROOT / "config" / "onprem.yaml").read_text().replace(
        "workers: {count: 3, cpu: 3800m, memory: 14Gi, max_pods: 110}", "workers: {count: 1, cpu: 1000m, memory: 2Gi}")
    path = tmp_path / "onprem.yaml"
    path.write_text(text)
    with pytest.raises(CapacityError) as info:
        catalog.check_capacity(load_file(path))
    assert info.value.field.startswith(("nodes.workers", "helm.sizes."))


BAD = [
    ("cloud: existing", "cloud: alibaba",
     "cloud: 'alibaba' is not a target this project builds; allowed: aws, existing, gcp, azure"),
    ("project: officeless\n", "project: officeless\nvpc: {name: x}\n", "vpc: an AWS section; cloud: existing builds"),
    ("  block: longhorn\n", "", "storage_classes.block: required setting is missing"),
    ("  context: onprem-admin\n", "", "cluster.context: required setting is missing"),
    ("  endpoint: https://rgw.onprem.example.internal\n  region", "  endpoint: rgw.onprem:9000\n  region",
     "object_storage.endpoint: 'rgw.onprem:9000' is not an endpoint URL"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=["cloud", "aws-section", "storage-class", "context", "endpoint"])
def test_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    # load_error: one line, within the line bound, named as from the project root.
    assert message in load_error(write_config(tmp_path, old, new, ROOT / "config" / "onprem.yaml"), "onprem")


def test_a_bad_file_exits_2_and_leaves_the_output(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "onprem.yaml").write_text((ROOT / "config" / "onprem.yaml").read_text().replace("  block: longhorn\n", ""))
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep").write_text("previous output")
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path, capture_output=True, text=True,
                            env={**__import__("os").environ, "OFFICELESS_ENV": "onprem", "OFFICELESS_CONFIG_DIR": str(config),
                                 "CDKTF_OUTDIR": str(out)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith("storage_classes.block: required setting is missing")
    assert (out / "keep").read_text() == "previous output"


def test_argocd_reads_its_secrets_from_the_platform_namespace_through_the_cluster_store(onprem):
    helm = releases(onprem.stack("08-platform"))
    server = release_values(helm["argo-cd"][1])
    assert server["server"]["ingress"] == {"enabled": True, "ingressClassName": "haproxy", "hostname": "", "path": "/",
                                           "pathType": "Prefix", "annotations": {"haproxy.org/ssl-redirect": "true"}}
    (document,) = helm["argocd-secrets"][1]["values"]
    repository, admin = yaml.safe_load(document)["manifests"]
    for secret in (repository, admin):
        assert secret["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "cluster-secrets"}
    assert repository["spec"]["dataFrom"] == [{"extract": {"key": "argocd-repository"}}]
    assert {d["remoteRef"]["key"] for d in admin["spec"]["data"]} == {"argocd-admin"}
    # The store serves Argo CD's namespace, and reads platform-secrets only (test above).
    apps = release_values(helm["argocd-apps"][1])
    assert apps["projects"]["onprem"]["destinations"] == [
        {"server": "https://kubernetes.default.svc", "namespace": ns} for ns in ("core-business", "platform")]


def test_argocd_secret_names_are_kubernetes_names_here(in_project_root, tmp_path):  # noqa: F811
    text = (ROOT / "config" / "onprem.yaml").read_text().replace(
        "  applications: [core-business, platform]\n",
        "  applications: [core-business, platform]\n  repository_secret: onprem/argocd/repository\n")
    path = tmp_path / "onprem.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert "argocd.repository_secret: 'onprem/argocd/repository' is not a Secret name" in str(info.value)


def test_a_distribution_s_own_metrics_server_is_kept(in_project_root, tmp_path):  # noqa: F811
    text = (ROOT / "config" / "onprem.yaml").read_text().replace(
        'metrics_server: {version: "3.12.2"}', 'metrics_server: {version: "3.12.2", enabled: false}')
    path = tmp_path / "onprem.yaml"
    path.write_text(text)
    config = load_file(path)
    assert "metrics-server" not in [e.name for e in catalog.entries(config)]
    assert "metrics-server" in [e.name for e in catalog.entries(load_environment("onprem"))]


def test_the_operator_uis_redirect_to_https_with_the_configured_certificate(onprem):
    helm, platform = releases(onprem.stack("05-helm")), releases(onprem.stack("08-platform"))
    assert release_values(helm["haproxy-ingress"][1])["controller"]["defaultTLSSecret"] == {
        "enabled": True, "secretNamespace": "haproxy-controller", "secret": "onprem-wildcard-tls"}
    grafana = release_values(helm["grafana"][1])
    assert grafana["ingress"]["annotations"] == {"haproxy.org/ssl-redirect": "true"}
    assert grafana["grafana.ini"]["server"]["root_url"] == "https://grafana.onprem.example.internal/"
    assert release_values(platform["argo-cd"][1])["server"]["ingress"]["annotations"] == {"haproxy.org/ssl-redirect": "true"}


def test_without_a_certificate_every_synth_warns(in_project_root, tmp_path):  # noqa: F811
    from datetime import date

    path = tmp_path / "onprem.yaml"
    path.write_text((ROOT / "config" / "onprem.yaml").read_text().replace("  tls_secret: onprem-wildcard-tls\n", ""))
    assert load_environment("onprem").warnings(date(2026, 11, 23)) == []
    (warning,) = load_file(path).warnings(date(2026, 11, 23))
    assert warning[0] == "ingress_controller.tls_secret" and "Grafana and Argo CD are served over plain HTTP" in warning[1]


def test_state_in_the_cluster_itself_with_the_kubernetes_backend(tmp_path):
    """Where the platform's SeaweedFS is the only object store: Terraform's kubernetes backend, one
    Secret per stack, locked by a Lease; the only backend block of each stack."""
    from stacks.existing import configure_existing_state
    from officeless.tf import core

    text = (ROOT / "config" / "onprem.yaml").read_text()
    text = re.sub(r"backend:\n  type: s3\n  bucket: [^\n]+\n  endpoint: [^\n]+\n", "backend:\n  type: kubernetes\n", text)
    path = tmp_path / "onprem.yaml"
    path.write_text(text)
    config = load_file(path)
    app = core.App(outdir=str(tmp_path / "out"), stack_traces=False)
    stack = core.TerraformStack(app, "06-access")
    configure_existing_state(stack, "06-access", config)
    app.synth()
    terraform = json.loads((tmp_path / "out" / "stacks" / "06-access" / "cdk.tf.json").read_text())["terraform"]
    assert terraform["backend"] == {"kubernetes": {"secret_suffix": "onprem-06-access", "namespace": "terraform-state",
                                                   "config_path": "~/.kube/config", "config_context": CONTEXT}}


def test_a_context_the_kubeconfig_lacks_is_refused_where_the_kubeconfig_is(in_project_root, tmp_path):  # noqa: F811
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncontexts:\n- name: lab\n  context: {cluster: lab, user: me}\n")
    text = (ROOT / "config" / "onprem.yaml").read_text().replace("  kubeconfig: ~/.kube/config\n",
                                                                  f"  kubeconfig: {kubeconfig}\n")
    path = tmp_path / "onprem.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert str(info.value).endswith(f"cluster.context: 'onprem-admin' is not a context of {kubeconfig}; allowed: lab")
    path.write_text(text.replace("context: onprem-admin", "context: lab"))
    assert load_file(path).cluster.context == "lab"


def test_readme_draws_the_existing_cluster_s_graph(onprem):
    from officeless.graph import dependencies, deploy_order, mermaid

    deps = dependencies(onprem.manifest)
    text = (ROOT / "README.md").read_text()
    assert mermaid(deps) in text
    assert "Deploy order: " + " → ".join(f"`{n}`" for n in deploy_order(deps)) + ". Destroy in reverse." in text
    assert deploy_order(deps) == ["06-access", "05-helm", "07-valkey", "08-platform"]


def test_tenants_may_name_the_ingress_controller_and_the_cache_here_only(in_project_root, tmp_path):  # noqa: F811
    """Tenants' rules may name this target's platform namespaces (HAProxy's, Valkey's); on AWS they are
    no peers at all."""
    from tests.test_config_errors import PRODUCTION

    config = load_environment("onprem")
    (core,) = [t for t in config.tenancy.tenants if t.name == "core-business"]
    assert {p.namespace for p in core.ingress_from} == {"platform", "haproxy-controller"}
    assert {p.namespace for p in core.egress_to} == {"valkey"}
    text = PRODUCTION.read_text().replace("        - {namespace: platform-prod, ports: [8000, 9000]}",
                                          "        - {namespace: haproxy-controller, ports: [8000]}", 1)
    assert "haproxy-controller" in text
    path = tmp_path / "production.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert "'haproxy-controller' is not a tenant namespace; allowed:" in str(info.value)


def _vault(tmp_path, extra: str = "") -> Path:
    text = (ROOT / "config" / "onprem.yaml").read_text().replace(
        "  provider: {type: kubernetes, namespace_prefix: secrets-}",
        '  provider: {type: vault, server: "https://vault.onprem.example.internal:8200"' + extra + "}")
    assert "type: vault" in text
    path = tmp_path / "onprem.yaml"
    path.write_text(text)
    return path


def test_with_vault_every_store_signs_in_with_a_role_of_its_own(in_project_root, tmp_path):  # noqa: F811
    """Every pair of tenants: distinct Vault roles, each store signing in as its own namespace's
    account; the platform's role and path are ones no tenant can take."""
    from components.addons import external_secrets

    config = load_file(_vault(tmp_path))
    vault = config.external_secrets.provider
    stores = {t.name: external_secrets.vault_tenant_store(vault, t.name)[1] for t in config.tenancy.tenants}
    roles = {}
    for tenant, store in stores.items():
        auth = store["spec"]["provider"]["vault"]["auth"]["kubernetes"]
        assert store["metadata"] == {"name": "cluster-secrets", "namespace": tenant}
        assert auth == {"mountPath": "kubernetes", "role": f"officeless-{tenant}", "serviceAccountRef": {"name": "secret-store"}}
        roles[tenant] = auth["role"]
    assert len(set(roles.values())) == len(roles)
    (_, cluster) = external_secrets.vault_cluster_store(vault, config.platform_source_namespace)
    platform = cluster["spec"]["provider"]["vault"]
    assert platform["auth"]["kubernetes"]["role"] == "officeless-platform-secrets" not in roles.values()
    assert platform["auth"]["kubernetes"]["serviceAccountRef"] == {"name": "platform-secret-store",
                                                                   "namespace": "external-secrets"}
    assert (platform["server"], platform["path"], platform["version"]) == (
        "https://vault.onprem.example.internal:8200", "secret", "v2")
    assert config.argocd_secret_names == ("platform-secrets/argocd-repository", "platform-secrets/argocd-admin")
    text = _vault(tmp_path).read_text().replace("    - name: platform\n", "    - name: platform-secrets\n")
    (tmp_path / "onprem.yaml").write_text(text.replace("namespace: platform, ports", "namespace: platform-secrets, ports"))
    with pytest.raises(ConfigError) as info:
        load_file(tmp_path / "onprem.yaml")
    assert "'platform-secrets' would share the Vault role 'officeless-platform-secrets'" in str(info.value)


def test_vault_needs_an_https_or_http_url(in_project_root, tmp_path):  # noqa: F811
    path = _vault(tmp_path)
    path.write_text(path.read_text().replace('"https://vault.onprem.example.internal:8200"', "vault:8200"))
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert "external_secrets.provider.server: 'vault:8200' is not an endpoint URL" in str(info.value)


VPC_RULE = ("{cidr: 192.168.10.0/24, ports: [443]", "{cidr: vpc, ports: [443]")
MORE_BAD = [
    # (edits applied in turn to onprem.yaml, the one line)
    ([("    - name: core-business\n      quota", "    - name: core-business\n      secret_prefix: onprem/core-business/*\n"
                                                 "      quota")],
     "tenancy.tenants[0].secret_prefix: names Secrets Manager secrets, which cloud: existing has not; allowed: unset (the "
     "tenant's store reads the Secrets of namespace secrets-core-business)"),
    ([VPC_RULE, ("  node_cidr: 192.168.10.0/24\n", "")],
     "tenancy.egress[0].cidr: 'vpc' means the nodes' network, which cluster.node_cidr does not give; allowed: a CIDR, or "
     "set cluster.node_cidr"),
    ([("  tenants:\n", "  tenants:\n    - name: " + "t" * 56 + "\n      quota: {cpu: 1, memory: 2Gi}\n")],
     "tenancy.tenants[0].name: '" + "t" * 56 + "' makes the source namespace 'secrets-" + "t" * 56 + "', over 63 characters; "
     "allowed: a name of at most 55 characters"),
    ([("  tenants:\n", "  tenants:\n    - name: secrets-platform\n      quota: {cpu: 1, memory: 2Gi}\n")],
     "tenancy.tenants[0].name: 'secrets-platform' is a namespace the platform creates here; allowed: another name"),
    ([("valkey:\n  enabled: true", "valkey:\n  namespace: monitoring\n  enabled: true"),
      ("      egress_to: [{namespace: valkey, ports: [6379]}]\n    - name: platform",
       "      egress_to: [{namespace: monitoring, ports: [6379]}]\n    - name: platform"),
      ("      egress_to: [{namespace: valkey, ports: [6379]}]\n", "      egress_to: [{namespace: monitoring, ports: [6379]}]\n")],
     "valkey.namespace: 'monitoring' is a namespace of Kubernetes or the platform; allowed: a namespace of its own, e.g. "
     "valkey"),
    ([("  region: us-east-1\n\n# Three", "  region: us-east-1\n  buckets: {mimir-blocks: x-y-z}\n\n# Three")],
     "object_storage.buckets.mimir-blocks: unknown purpose; allowed: loki-chunks, loki-ruler, mimir-alertmanager, "
     "mimir-metrics, mimir-ruler, tempo-traces"),
    ([("observability:\n  grafana:", "observability:\n  alerting: {type: slack, secret_name: onprem/alerts/slack}\n  grafana:")],
     "observability.alerting.secret_name: 'onprem/alerts/slack' is not a Secret name; on cloud: existing it names a Secret "
     "in namespace monitoring holding the receiver's credential under key 'credential'; allowed: a Kubernetes object name"),
    ([("    hostname: grafana.onprem.example.internal", "    hostname: grafana.onprem.example.internal\n    certificate_arn: "
       "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001")],
     "observability.grafana.certificate_arn: an ACM certificate, which cloud: existing has not; allowed: unset"),
]


@pytest.mark.parametrize("edits,message", MORE_BAD, ids=["secret-prefix", "vpc-rule", "long-tenant", "source-collision",
                                                          "valkey-namespace", "bucket-purpose", "receiver-secret",
                                                          "acm-certificate"])
def test_what_the_existing_target_has_not_is_refused_in_one_line(in_project_root, tmp_path, edits, message):  # noqa: F811
    source = ROOT / "config" / "onprem.yaml"
    for old, new in edits:
        source = write_config(tmp_path, old, new, source) / "onprem.yaml"
    assert load_error(tmp_path, "onprem") == f"config/onprem.yaml: {message}"


def test_the_peers_allowed_are_each_named_once(in_project_root, tmp_path):  # noqa: F811
    """Valkey in monitoring: the allowed peers name monitoring once, though EKS's list and this target's both have it."""
    source = write_config(tmp_path, "valkey:\n  enabled: true", "valkey:\n  namespace: monitoring\n  enabled: true",
                          ROOT / "config" / "onprem.yaml") / "onprem.yaml"
    assert load_error(tmp_path, "onprem") == (
        "config/onprem.yaml: tenancy.tenants[0].egress_to[0].namespace: 'valkey' is not a tenant namespace; allowed: "
        "core-business, platform, kube-system, monitoring, haproxy-controller")
    assert source.is_file()
