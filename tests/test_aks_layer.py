"""The Kubernetes layer on AKS (issue #32): 06-access's tenants and 08-platform's External Secrets with
Azure Key Vault, each tenant reading only its own vault, proven over every pair of owners."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import yaml

from tests.test_config_errors import write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
AKS = "${data.terraform_remote_state.cross-stack-reference-input-02-aks.outputs."
TENANTS = ("core-business", "platform-apps")  # config/azure.yaml
# Owner -> (namespace, account) of its store; vaults named ofl-azure-<owner> (external_secrets.vault_prefix).
OWNERS = {"platform": ("external-secrets", "platform-secret-store"), "core-business": ("core-business", "secret-store"),
          "platform-apps": ("platform-apps", "secret-store")}
KUBELOGIN = {"api_version": "client.authentication.k8s.io/v1beta1", "command": "kubelogin",
             "args": ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]}


def manifests(stack, release: str) -> list[dict]:
    (values,) = next(r for r in stack.resources("helm_release").values() if r["name"] == release)["values"]
    return yaml.safe_load(values)["manifests"]


def by_owner(stack, kind: str) -> dict[str, dict]:
    """The ``kind`` resources of AzureSecretReader ``<owner>-secrets``, by owner."""
    return {r["//"]["metadata"]["path"].split("/")[2].removesuffix("-secrets"): r for r in stack.resources(kind).values()}


def test_the_layer_reaches_the_private_api_server_with_kubelogin(azure):
    for name in ("06-access", "08-platform"):
        providers = json.loads(azure.stack(name).text)["provider"]
        (k8s,) = providers["kubernetes"]
        assert k8s["host"] == AKS + "cross-stack-output-azurerm_kubernetes_clusterclusterkube_config0host}"
        assert k8s["cluster_ca_certificate"].startswith("${base64decode(" + AKS.removeprefix("${"))
        # Entra ID through kubelogin as the signed-in Azure CLI: no certificate or token in the JSON or state.
        assert k8s["exec"] == [KUBELOGIN]
        assert not {"token", "client_certificate", "client_key"} & set(k8s)
    (helm,) = json.loads(azure.stack("08-platform").text)["provider"]["helm"]
    assert helm["kubernetes"]["exec"] == KUBELOGIN
    assert azure.manifest["stacks"]["06-access"]["dependencies"] == ["02-aks"]
    assert sorted(azure.manifest["stacks"]["08-platform"]["dependencies"]) == ["01-vnet", "02-aks", "06-access"]


def test_a_terraform_cloud_agent_signs_in_as_its_managed_identity(in_project_root, tmp_path):  # noqa: F811
    from officeless.config.loader import load_environment

    # aks.kubelogin_login msi with a user-assigned identity's client id: the agent VM's identity, no
    # Azure CLI login (https://azure.github.io/kubelogin/concepts/login-modes/msi.html).
    config = load_environment("azure", write_config(
        tmp_path, "  cluster_name: azure-aks\n", "  cluster_name: azure-aks\n  kubelogin_login: msi\n"
        "  kubelogin_client_id: 77777777-7777-7777-7777-777777777777\n", ROOT / "config" / "azure.yaml"))
    assert config.aks.kubelogin_args == ["get-token", "--login", "msi", "--server-id", KUBELOGIN["args"][-1],
                                         "--client-id", "77777777-7777-7777-7777-777777777777"]


def test_tenant_namespaces_as_on_eks(azure):
    access = azure.stack("06-access")
    namespaces = {n["metadata"]["name"]: n["metadata"] for n in access.resources("kubernetes_namespace_v1").values()}
    assert set(namespaces) == set(TENANTS)
    for name in TENANTS:
        labels = namespaces[name]["labels"]
        assert labels["tenant"] == "true" and labels["pod-security.kubernetes.io/enforce"] == "restricted"
    # Default deny, enforced by Cilium (02-aks's network policy): a policy selecting all of a tenant's
    # pods for both directions.
    policies = list(access.resources("kubernetes_network_policy_v1").values())
    for name in TENANTS:
        assert [p for p in policies if p["//"]["metadata"]["path"].startswith(f"06-access/tenant-{name}/")
                and p["spec"]["pod_selector"] == {} and set(p["spec"]["policy_types"]) == {"Ingress", "Egress"}
                and "ingress" not in p["spec"] and "egress" not in p["spec"]], name
    assert "169.254.170.23" not in access.text  # no EKS Pod Identity agent egress
    # Who works there: config/azure.yaml's tenant_access, AKS's built-in role of each level on that
    # namespace alone (Azure RBAC authorizes Entra ID tokens).
    cluster = AKS + "cross-stack-output-azurerm_kubernetes_clusterclusterid}"
    grants = {(r["principal_id"], r["role_definition_name"], r["scope"])
              for r in access.resources("azurerm_role_assignment").values()}
    assert grants == {
        ("44444444-4444-4444-4444-444444444444", "Azure Kubernetes Service RBAC Writer", f"{cluster}/namespaces/core-business"),
        ("55555555-5555-5555-5555-555555555555", "Azure Kubernetes Service RBAC Reader", f"{cluster}/namespaces/core-business"),
        ("66666666-6666-6666-6666-666666666666", "Azure Kubernetes Service RBAC Writer", f"{cluster}/namespaces/platform-apps")}


def test_each_owner_reads_only_its_own_vault_for_every_pair(azure):
    platform = azure.stack("08-platform")
    vaults = by_owner(platform, "azurerm_key_vault")
    identities = by_owner(platform, "azurerm_user_assigned_identity")
    federations = by_owner(platform, "azurerm_federated_identity_credential")
    assignments = list(platform.resources("azurerm_role_assignment").values())
    grants = {r["//"]["metadata"]["path"].split("/")[2].removesuffix("-secrets"): r for r in assignments
              if r["role_definition_name"] == "Key Vault Secrets User"}
    writers = {r["//"]["metadata"]["path"].split("/")[2].removesuffix("-secrets"): r for r in assignments
               if r["role_definition_name"] == "Key Vault Secrets Officer"}
    assert set(vaults) == set(identities) == set(federations) == set(grants) == set(writers) == set(OWNERS)
    assert len(assignments) == 2 * len(OWNERS)  # nothing else is granted

    def ref(kind: str, resource: dict, attribute: str) -> str:
        return "${" + kind + "." + resource["//"]["metadata"]["uniqueId"] + "." + attribute + "}"

    for owner, (namespace, account) in OWNERS.items():
        vault = vaults[owner]
        assert vault["name"] == f"ofl-azure-{owner}"
        # Only through its private endpoint, Azure RBAC, never purged early.
        assert vault["public_network_access_enabled"] is False and vault["network_acls"]["default_action"] == "Deny"
        assert vault["rbac_authorization_enabled"] is True and vault["purge_protection_enabled"] is True
        # One role, Key Vault Secrets User, on its own vault, for its own identity.
        grant = grants[owner]
        assert grant["role_definition_name"] == "Key Vault Secrets User"
        assert grant["scope"] == ref("azurerm_key_vault", vault, "id")
        assert grant["principal_id"] == ref("azurerm_user_assigned_identity", identities[owner], "principal_id")
        # That identity trusts exactly one Kubernetes account: the owner's store's, from this cluster's issuer.
        federation = federations[owner]
        assert federation["subject"] == f"system:serviceaccount:{namespace}:{account}"
        assert federation["issuer"] == AKS + "cross-stack-output-azurerm_kubernetes_clusterclusteroidc_issuer_url}"
        assert federation["audience"] == ["api://AzureADTokenExchange"]
        assert federation["parent_id"] == ref("azurerm_user_assigned_identity", identities[owner], "id")
        # config/azure.yaml's writers of that vault write there.
        assert writers[owner]["scope"] == ref("azurerm_key_vault", vault, "id")
    assert {o: w["principal_id"] for o, w in writers.items()} == {
        "platform": "11111111-1111-1111-1111-111111111111", "core-business": "22222222-2222-2222-2222-222222222222",
        "platform-apps": "33333333-3333-3333-3333-333333333333"}
    for a, b in itertools.permutations(OWNERS, 2):
        # a's identity and a's writers hold nothing on b's vault, and b's account cannot sign in as a's identity.
        assert grants[a]["scope"] != ref("azurerm_key_vault", vaults[b], "id"), (a, b)
        assert not [w for w in assignments if w["principal_id"] == writers[a]["principal_id"]
                    and w["scope"] == ref("azurerm_key_vault", vaults[b], "id")], (a, b)
        assert federations[a]["subject"] != f"system:serviceaccount:{OWNERS[b][0]}:{OWNERS[b][1]}", (a, b)
        assert vaults[a]["name"] != vaults[b]["name"]
    # Each tenant's store is in its namespace, reads its vault and signs in as that namespace's account
    # (ESO takes a namespaced store's account from the store's namespace: keyvault.go in v2.9.0).
    for tenant in TENANTS:
        account, store = manifests(platform, f"secret-store-{tenant}")
        assert account["metadata"]["namespace"] == tenant and account["automountServiceAccountToken"] is False
        assert account["metadata"]["annotations"]["azure.workload.identity/client-id"] == ref(
            "azurerm_user_assigned_identity", identities[tenant], "client_id")
        assert (store["kind"], store["metadata"]) == ("SecretStore", {"name": "azure-key-vault", "namespace": tenant})
        provider = store["spec"]["provider"]["azurekv"]
        assert (provider["authType"], provider["serviceAccountRef"]) == ("WorkloadIdentity", {"name": "secret-store"})
        assert provider["vaultUrl"] == ref("azurerm_key_vault", vaults[tenant], "vault_uri")
    account, store = manifests(platform, "external-secrets-store")
    assert store["kind"] == "ClusterSecretStore"
    assert store["spec"]["conditions"] == [{"namespaces": ["argocd", "external-secrets"]}]
    assert store["spec"]["provider"]["azurekv"]["serviceAccountRef"] == {"name": "platform-secret-store",
                                                                         "namespace": "external-secrets"}
    # The operator has no identity: no federated account of its own, no Workload Identity label on its pods.
    assert not [f for f in federations.values() if f["subject"].endswith(":external-secrets:external-secrets")]
    (operator,) = [r for r in platform.resources("helm_release").values() if r["name"] == "external-secrets"]
    assert "azure.workload.identity" not in operator["values"][0]


def test_the_vaults_resolve_in_the_vnet_through_private_endpoints(azure):
    platform = azure.stack("08-platform")
    (zone,) = platform.resources("azurerm_private_dns_zone").values()
    assert zone["name"] == "privatelink.vaultcore.azure.net"
    endpoints = list(platform.resources("azurerm_private_endpoint").values())
    assert len(endpoints) == len(OWNERS)
    assert all(e["private_service_connection"]["subresource_names"] == ["vault"] for e in endpoints)


def test_argo_cd_reads_the_platforms_vault_and_has_no_route_yet(azure):
    platform = azure.stack("08-platform")
    releases = {r["name"]: r for r in platform.resources("helm_release").values()}
    assert {"argo-cd", "argocd-secrets", "argocd-apps"} <= set(releases)
    server = yaml.safe_load(releases["argo-cd"]["values"][0])
    # No Ingress: the UI on an internal Azure load balancer, reached from the VNet (the VPN) only.
    assert server["server"]["ingress"] == {"enabled": False}
    assert server["server"]["service"] == {"type": "LoadBalancer", "annotations": {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true"}}
    secrets = {m["metadata"]["name"]: m for m in manifests(platform, "argocd-secrets")}
    # From the platform's store (its vault alone; the tenants' stores cannot read it, nor it theirs).
    for secret in secrets.values():
        assert secret["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "azure-key-vault"}
    assert secrets["argocd-repository"]["spec"]["dataFrom"] == [{"extract": {"key": "argocd-repository"}}]
    assert {d["remoteRef"]["key"] for d in secrets["argocd-admin-password"]["spec"]["data"]} == {"argocd-admin"}


BAD = [
    ("    - name: platform-apps\n", "    - name: platform-apps\n      secret_prefix: azure/platform-apps/*\n",
     "tenancy.tenants[1].secret_prefix: names Secrets Manager secrets, which cloud: azure has not; allowed: unset (the "
     "tenant's store reads the Key Vault 'ofl-azure-platform-apps')"),
    ("# Who works in each namespace", "    - {name: platform, quota: {cpu: 2, memory: 4Gi}}\n# Who works in each namespace",
     "tenancy.tenants[2].name: 'platform' would read the platform's secrets (the Key Vault 'ofl-azure-platform'); "
     "allowed: another name"),
    ("# Who works in each namespace", "    - {name: platform-applications, quota: {cpu: 2, memory: 4Gi}}\n"
                                      "# Who works in each namespace",
     "tenancy.tenants[2].name: 'platform-applications' makes the Key Vault name 'ofl-azure-platform-applications', over "
     "24 characters; allowed: a shorter name, or a shorter external_secrets.vault_prefix"),
    ("  vault_prefix: ofl-azure", "  vault_prefix: ofl--azure",
     "external_secrets.vault_prefix: 'ofl--azure' is not a Key Vault name prefix"),
    ("  repository: https://github.com/officeless/helm-charts.git\n",
     "  repository: https://github.com/officeless/helm-charts.git\n  repository_secret: argocd/repository\n",
     "argocd.repository_secret: 'argocd/repository' is not a Key Vault secret name; allowed: 1-127 letters, digits and "
     "'-' (a secret of 'ofl-azure-platform')"),
    ("  applications: [core-business, platform-apps]", "  applications: [core-business, billing]",
     "argocd.environments[0].namespace: 'billing' (application billing) is not a tenant namespace; allowed: "
     "core-business, platform-apps (tenancy.tenants)"),
    ("external_secrets:\n  vault_prefix: ofl-azure\n", "external_secrets:\n  vault_prefix: ofl-azure\n  enabled: false\n",
     "argocd: needs external_secrets.enabled: true (its repository credentials and admin password come from the Key "
     "Vault 'ofl-azure-platform' through External Secrets)"),
    ("    platform-apps: [33333333-3333-3333-3333-333333333333]\n",
     "    platform-apps: [33333333-3333-3333-3333-333333333333]\n    billing: [44444444-4444-4444-4444-444444444444]\n",
     "external_secrets.writers.billing: 'billing' owns no vault; allowed: platform, core-business, platform-apps"),
    ("  platform-apps:\n    edit: [66666666-6666-6666-6666-666666666666]",
     "  billing:\n    edit: [66666666-6666-6666-6666-666666666666]",
     "tenant_access.billing: 'billing' is not a tenant namespace; allowed: core-business, platform-apps"),
    ("  cluster_name: azure-aks\n", "  cluster_name: azure-aks\n  kubelogin_client_id: 77777777-7777-7777-7777-777777777777\n",
     "aks.kubelogin_client_id: is set with kubelogin_login azurecli, which signs in as the Azure CLI's account; allowed: "
     "with msi or workloadidentity only"),
    ("helm:\n  mimir:", "helm:\n  metrics_server: {version: 3.13.1}\n  mimir:",
     "helm.metrics_server: AKS runs metrics-server itself (and the CSI drivers); allowed: no metrics_server section "
     "here"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=["secret-prefix", "platform-tenant", "vault-name", "vault-prefix",
                                                      "argocd-secret", "argocd-namespace", "argocd-without-eso",
                                                      "writer-owner", "access-tenant", "kubelogin-client",
                                                      "metrics-server"])
def test_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    text = (ROOT / "config" / "azure.yaml").read_text()
    assert text.count(old) >= 1
    assert message in load_error(write_config(tmp_path, old, new, ROOT / "config" / "azure.yaml"), "azure")


def test_observability_on_blob_storage_through_workload_identity(azure):
    helm = azure.stack("05-helm")
    releases = {r["name"]: r for r in helm.resources("helm_release").values()}
    # AKS runs metrics-server and the CSI drivers itself: none installed again.
    assert set(releases) == {"mimir", "loki", "tempo", "alloy", "alloy-singleton", "kube-state-metrics",
                             "prometheus-node-exporter", "grafana"}
    values = {name: yaml.safe_load(r["values"][0]) for name, r in releases.items()}
    account = "officelessazureobs"  # config/azure.yaml's storage.account; containers named after their purpose
    mimir = values["mimir"]["mimir"]["structuredConfig"]
    assert mimir["common"]["storage"] == {"backend": "azure", "azure": {"account_name": account}}
    assert mimir["blocks_storage"] == {"azure": {"container_name": "mimir-metrics"}}
    assert mimir["alertmanager_storage"] == {"azure": {"container_name": "mimir-alertmanager"}}
    loki = values["loki"]["loki"]
    assert loki["storage"] == {"type": "azure", "bucketNames": {"chunks": "loki-chunks", "ruler": "loki-ruler"},
                               "azure": {"accountName": account, "useFederatedToken": True}}
    assert loki["schemaConfig"]["configs"][0]["object_store"] == "azure" and loki["compactor"]["delete_request_store"] == "azure"
    assert values["tempo"]["storage"]["trace"] == {"backend": "azure", "azure": {
        "container_name": "tempo-traces", "storage_account_name": account, "use_federated_token": True}}
    # No key anywhere: AKS's Workload Identity projects a federated token into the labelled pods.
    assert "account_key" not in helm.text and "accountKey" not in helm.text and "extraEnvFrom" not in helm.text
    label = {"azure.workload.identity/use": "true"}
    assert (values["mimir"]["global"]["podLabels"], values["loki"]["loki"]["podLabels"],
            values["tempo"]["tempo"]["podLabels"]) == (label, label, label)
    identities = {i["name"].removeprefix("azure-"): "${azurerm_user_assigned_identity." + key + "."
                  for key, i in helm.resources("azurerm_user_assigned_identity").items()}
    assert set(identities) == {"mimir", "loki", "tempo"}
    for name in identities:
        assert values[name]["serviceAccount"] == {"create": True, "name": name, "annotations": {
            "azure.workload.identity/client-id": identities[name] + "client_id}"}}
    # Each identity trusts exactly its backend's account and may use its own containers, no other's.
    subjects = {f["subject"]: f["parent_id"] for f in helm.resources("azurerm_federated_identity_credential").values()}
    assert subjects == {f"system:serviceaccount:monitoring:{name}": identities[name] + "id}" for name in identities}
    blob = "${data.terraform_remote_state.cross-stack-reference-input-03-blob.outputs."
    grants: dict[str, set[str]] = {}
    for grant in helm.resources("azurerm_role_assignment").values():
        assert grant["role_definition_name"] == "Storage Blob Data Contributor"
        owner = next(n for n, ref in identities.items() if grant["principal_id"] == ref + "principal_id}")
        account_id, _, container = grant["scope"].partition("/blobServices/default/containers/")
        assert account_id.startswith(blob) and account_id.endswith("accountid}")
        grants.setdefault(owner, set()).add(container)
    assert grants == {"mimir": {"mimir-metrics", "mimir-alertmanager", "mimir-ruler"},
                      "loki": {"loki-chunks", "loki-ruler"}, "tempo": {"tempo-traces"}}
    # Grafana has no Ingress: it is on an internal Azure load balancer, reached from the VNet (the VPN) only.
    assert values["grafana"]["ingress"] == {"enabled": False}
    assert values["grafana"]["service"] == {"type": "LoadBalancer", "annotations": {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true"}}
    assert sorted(azure.manifest["stacks"]["05-helm"]["dependencies"]) == ["02-aks", "03-blob"]


def test_capacity_on_aks_pools_passes_for_the_example_and_refuses_an_undersized_pool(in_project_root, tmp_path):  # noqa: F811
    from components.addons import catalog
    from officeless.capacity import CapacityError
    from officeless.config.loader import load_environment

    # The observability stack's and External Secrets' pods fit config/azure.yaml's pools (3 x D4s_v5 each,
    # at AKS's allocatable with 110 pods); the tainted system pool takes only what tolerates its taint.
    placed = catalog.check_capacity(load_environment("azure"))
    assert placed["apps"]["nodes"] == 3 and placed["system"]["nodes"] == 3
    undersized = load_environment("azure", write_config(
        tmp_path, "      vm_size: Standard_D4s_v5\n      min_nodes: 3\n      max_nodes: 12",
        "      vm_size: Standard_D2s_v5\n      min_nodes: 1\n      max_nodes: 12\n      max_pods: 10",
        ROOT / "config" / "azure.yaml"))
    with pytest.raises(CapacityError) as info:
        catalog.check_capacity(undersized)
    assert str(info.value) == (
        "helm.sizes.tempo.compactor: tempo compactor: replica 1 of 1 does not fit on the nodes (1 x Standard_D2s_v5 (apps)) "
        "beside the rest of the platform: every node is at its max pods (10); raise aks.node_pools.apps.min_nodes or "
        "lower requests")


def test_terraform_cloud_runs_sign_in_to_azure_without_a_secret(azure_cloud):
    names = azure_cloud.stack_names()  # from the manifest: every stack the app built
    assert "00-state" not in names and {"00-tfc-identity", "00-tfc-workspaces"} <= set(names)
    stacks = [n for n in names if not n.startswith("00-tfc")]
    identity = azure_cloud.stack("00-tfc-identity")
    assert json.loads(identity.text)["terraform"]["backend"] == {
        "local": {"path": "../../../terraform-state/azure/00-tfc-identity.tfstate"}}
    # Each phase's identity trusts exactly the runs of that phase in each workspace of this environment's
    # project (an Entra ID federated credential matches its subject exactly), from the Terraform Cloud host.
    credentials = list(identity.resources("azurerm_federated_identity_credential").values())
    for phase in ("plan", "apply"):
        subjects = {c["subject"] for c in credentials if c["parent_id"] == f"${{azurerm_user_assigned_identity.{phase}-identity.id}}"}
        assert subjects == {f"organization:officeless:project:officeless-azure:workspace:officeless-azure-{stack}"
                            f":run_phase:{phase}" for stack in stacks}
    assert all(c["issuer"] == "https://app.terraform.io" and c["audience"] == ["api://AzureADTokenExchange"]
               for c in credentials)
    assert len(credentials) == 2 * len(stacks) and len(stacks) <= 20  # Entra ID's limit per identity
    roles = {(r["principal_id"].split(".")[1], r["role_definition_name"], r["scope"])
             for r in identity.resources("azurerm_role_assignment").values()}
    subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
    assert roles == {("plan-identity", "Reader", subscription), ("plan-identity", "Key Vault Reader", subscription),
                     ("apply-identity", "Owner", subscription)}
    workspaces = azure_cloud.stack("00-tfc-workspaces")
    variables = {(v["workspace_id"].split(".")[1], v["key"]): v["value"]
                 for v in workspaces.resources("tfe_variable").values()}
    for stack in stacks:
        assert variables[(f"workspace-{stack}", "TFC_AZURE_PROVIDER_AUTH")] == "true"
        for key, output in (("TFC_AZURE_PLAN_CLIENT_ID", "azurerm_user_assigned_identityplan-identityclient_id"),
                            ("TFC_AZURE_APPLY_CLIENT_ID", "azurerm_user_assigned_identityapply-identityclient_id"),
                            ("ARM_TENANT_ID", "dataazurerm_client_configcurrenttenant_id")):
            assert variables[(f"workspace-{stack}", key)].endswith(f"outputs.cross-stack-output-{output}}}")
    modes = {s["workspace_id"].split(".")[1].removeprefix("workspace-"): s["execution_mode"]
             for s in workspaces.resources("tfe_workspace_settings").values()}
    # The Kubernetes layer reaches the private API server: agents in the network; the rest run remotely.
    assert {s for s, mode in modes.items() if mode == "agent"} == {"05-helm", "06-access", "08-platform"}
    assert json.loads(azure_cloud.stack("06-access").text)["terraform"]["cloud"] == {
        "hostname": "app.terraform.io", "organization": "officeless",
        "workspaces": {"name": "officeless-azure-06-access", "project": "officeless-azure"}}


def test_every_synth_says_what_azure_lacks_yet():
    from datetime import date

    from officeless.config.loader import load_environment

    warnings = dict(load_environment("azure").warnings(date(2026, 11, 23)))
    assert warnings["cloud"].endswith("load balancing follows")
    assert warnings["helm"] == ("Grafana and Argo CD serve plain HTTP on an internal load balancer (the VNet only, through "
                                "the VPN); TLS for them follows with load balancing on AKS")
