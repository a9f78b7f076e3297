"""06-access (issue #14): who reaches the cluster, and the tenant namespaces. JSON assertions:
no kubernetes provider binary exists here for `terraform validate`."""

from __future__ import annotations

import json

import pytest

from components.tenant import POD_IDENTITY_AGENT

# The microservices guide: namespaces, quotas (production) and the example policy's peers.
TENANTS = {
    "production": {
        "core-business-prod": ("50000m", "102400Mi", "restricted"),
        "platform-prod": ("30000m", "61440Mi", "restricted"),
        "infrastructure": ("20000m", "40960Mi", "baseline"),
    },
    "dev": {
        "core-business-dev": ("4000m", "8192Mi", "restricted"),
        "core-business-staging": ("4000m", "8192Mi", "restricted"),
        "platform-dev": ("2000m", "4096Mi", "restricted"),
        "platform-staging": ("2000m", "4096Mi", "restricted"),
        "infrastructure": ("2000m", "4096Mi", "baseline"),
    },
}
BASELINE = {"default-deny", "allow-same-namespace", "allow-dns", "allow-pod-identity-agent", "allow-monitoring",
            "allow-egress-0", "allow-egress-1"}


@pytest.fixture
def access(synth):
    return synth.stack("06-access")


def by_namespace(stack, type_: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for body in stack.resources(type_).values():
        namespace = body["metadata"]["namespace"].split(".")[1].removeprefix("tenant-").rsplit("_namespace", 1)[0]
        out.setdefault(namespace, []).append(body)
    return out


def test_graph(synth):
    stacks = synth.manifest["stacks"]
    assert stacks["06-access"]["dependencies"] == ["02-eks"]
    assert "06-access" in stacks["05-helm"]["dependencies"]


def test_namespaces_labels_and_pod_security(access, synth):
    namespaces = {n["metadata"]["name"]: n["metadata"]["labels"] for n in access.resources("kubernetes_namespace_v1").values()}
    assert sorted(namespaces) == sorted(TENANTS[synth.environment])
    for name, (_, _, level) in TENANTS[synth.environment].items():
        labels = namespaces[name]
        assert labels["name"] == name  # what the guide's policies select on
        for mode in ("enforce", "audit", "warn"):
            assert labels[f"pod-security.kubernetes.io/{mode}"] == level


def test_quotas_and_container_defaults(access, synth):
    quotas = by_namespace(access, "kubernetes_resource_quota_v1")
    for name, (cpu, memory, _) in TENANTS[synth.environment].items():
        (quota,) = quotas[name]
        assert quota["spec"]["hard"] == {
            "requests.cpu": cpu, "limits.cpu": cpu, "requests.memory": memory, "limits.memory": memory,
            "pods": "100", "persistentvolumeclaims": "20", "services.loadbalancers": "0"}
    for (limits,) in by_namespace(access, "kubernetes_limit_range_v1").values():
        # the guide's standard container: requests 200m / 512Mi, limits 500m / 1Gi
        assert limits["spec"]["limit"] == [{"type": "Container", "default_request": {"cpu": "200m", "memory": "512Mi"},
                                            "default": {"cpu": "500m", "memory": "1024Mi"}}]


def policies(access) -> dict[str, dict[str, dict]]:
    return {ns: {p["metadata"]["name"]: p for p in items}
            for ns, items in by_namespace(access, "kubernetes_network_policy_v1").items()}


def test_default_deny_and_the_baseline_in_every_tenant(access, synth):
    found = policies(access)
    assert set(found) == set(TENANTS[synth.environment])
    for ns, items in found.items():
        assert BASELINE <= set(items), ns
        assert items["default-deny"]["spec"] == {"pod_selector": {}, "policy_types": ["Ingress", "Egress"]}
        dns = items["allow-dns"]["spec"]["egress"][0]
        assert dns["ports"] == [{"port": "53", "protocol": "UDP"}, {"port": "53", "protocol": "TCP"}]
        assert dns["to"][0]["namespace_selector"] == {"match_labels": {"kubernetes.io/metadata.name": "kube-system"}}
        agent = items["allow-pod-identity-agent"]["spec"]["egress"][0]
        assert agent == {"to": [{"ip_block": {"cidr": POD_IDENTITY_AGENT}}], "ports": [{"port": "80", "protocol": "TCP"}]}
        monitoring = items["allow-monitoring"]["spec"]
        assert [p["port"] for p in monitoring["egress"][0]["ports"]] == ["4317", "4318"]
        assert monitoring["ingress"][0]["from"][0]["namespace_selector"]["match_labels"] == {
            "kubernetes.io/metadata.name": "monitoring"}
        # Egress outside the cluster only as config lists it: Valkey in the VPC, AWS APIs on 443.
        valkey, apis = (items[f"allow-egress-{i}"] for i in (0, 1))
        assert valkey["spec"]["egress"][0]["ports"] == [{"port": "6379", "protocol": "TCP"}]
        assert valkey["spec"]["egress"][0]["to"][0]["ip_block"]["cidr"] == {"production": "10.1.0.0/16", "dev": "10.0.0.0/16"}[
            synth.environment]
        assert apis["spec"]["egress"][0] == {"to": [{"ip_block": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": "443", "protocol": "TCP"}]}
        assert apis["metadata"]["annotations"] == {"officeless/why": "AWS APIs (no VPC interface endpoints)"}


def ports(policy, direction) -> list[str]:
    return [p["port"] for p in policy["spec"][direction][0]["ports"]]


def test_the_guides_example_rules_open_both_sides(synthesized):
    found = policies(synthesized["production"].stack("06-access"))
    core, platform, infra = found["core-business-prod"], found["platform-prod"], found["infrastructure"]
    assert ports(core["allow-from-core-business-prod"], "ingress") == ["8000", "9000"]
    assert ports(core["allow-from-platform-prod"], "ingress") == ["8000", "9000"]
    assert ports(platform["allow-to-core-business-prod"], "egress") == ["8000", "9000"]  # the peer's side
    assert ports(core["allow-to-infrastructure"], "egress") == ["5432", "6379"]
    assert ports(infra["allow-from-core-business-prod"], "ingress") == ["5432", "6379"]  # the peer's side
    assert ports(core["allow-ingress-0"], "ingress") == ["8000"]  # ALB targets from the VPC
    assert "allow-from-platform-prod" not in infra


def test_rbac_groups_per_namespace_and_platform_admins(access, synth):
    bindings = by_namespace(access, "kubernetes_role_binding_v1")
    for ns in TENANTS[synth.environment]:
        assert sorted((b["role_ref"]["name"], b["subject"][0]["name"]) for b in bindings[ns]) == [
            ("admin", f"{ns}:admin"), ("edit", f"{ns}:edit"), ("view", f"{ns}:view")]
        assert all(b["subject"][0]["kind"] == "Group" and b["subject"][0]["api_group"] == "rbac.authorization.k8s.io"
                   for b in bindings[ns])
    (admins,) = access.resources("kubernetes_cluster_role_binding_v1").values()
    assert admins["role_ref"]["name"] == "cluster-admin"
    assert admins["subject"] == [{"kind": "Group", "name": "platform-admins", "api_group": "rbac.authorization.k8s.io"}]


def test_production_aws_auth_keeps_the_node_role(synthesized):
    access = synthesized["production"].stack("06-access")
    (aws_auth,) = access.resources("kubernetes_config_map_v1_data").values()
    assert aws_auth["metadata"] == {"name": "aws-auth", "namespace": "kube-system"}
    assert aws_auth["force"] is True
    roles = aws_auth["data"]["mapRoles"]
    assert roles.startswith("${yamlencode([{") and "cross-stack-output-aws_iam_rolenodes_role" in roles
    assert '"username" = "system:node:{{EC2PrivateDNSName}}", "groups" = ["system:bootstrappers", "system:nodes"]' in roles
    assert access.resources("aws_eks_access_entry") == {}


def test_dev_uses_access_entries_not_aws_auth(synthesized):
    access = synthesized["dev"].stack("06-access")
    assert access.resources("kubernetes_config_map_v1_data") == {}


def test_network_policies_enforced_by_the_vpc_cni(synth):
    (cni,) = [a for a in synth.stack("02-eks").resources("aws_eks_addon").values() if a["addon_name"] == "vpc-cni"]
    assert json.loads(cni["configuration_values"]) == {"enableNetworkPolicy": "true"}


TEAM = {"role_name": "core-team", "namespaces": {"core-business-prod": "edit", "platform-prod": "view"}}


def synth_access(tmp_path, environment: str, **updates):
    """06-access alone (with the stacks it reads) for a variant of an environment's config."""
    from officeless.config.loader import load_environment
    from officeless.config.tenancy import AccessConfig
    from officeless.tf import core
    from stacks.access import AccessStack
    from stacks.eks import EksStack
    from stacks.vpc import VpcStack
    from tests.stackjson import StackJson

    config = load_environment(environment)
    eks = config.eks.model_copy(update={"admin_role_names": updates.pop("admins", config.eks.admin_role_names)})
    config = config.model_copy(update={"eks": eks, "access": AccessConfig.model_validate(updates)})
    app = core.App(outdir=str(tmp_path), stack_traces=False)
    vpc = VpcStack(app, config=config)
    AccessStack(app, config=config, eks=EksStack(app, config=config, network=vpc.network))
    app.synth()
    return StackJson(tmp_path / "stacks" / "06-access" / "cdk.tf.json")


def test_config_map_mode_maps_admins_deployer_and_teams_onto_groups(tmp_path):
    access = synth_access(tmp_path, "production", admins=["platform-admin"], deployer_role_name="officeless-deployer",
                          teams=[TEAM])
    roles = next(iter(access.resources("kubernetes_config_map_v1_data").values()))["data"]["mapRoles"]
    assert roles.count('"groups" = ["system:bootstrappers", "system:nodes"]') == 1  # the node role stays
    assert ':iam::${data.aws_caller_identity.aws-context_identity_' in roles
    assert '}:role/platform-admin", "username" = "platform-admin", "groups" = ["platform-admins"]' in roles
    assert '}:role/officeless-deployer", "username" = "officeless-deployer", "groups" = ["platform-admins"]' in roles
    assert ('}:role/core-team", "username" = "core-team", "groups" = ["core-business-prod:edit", "platform-prod:view"]'
            in roles)


def test_api_mode_grants_through_access_entries(tmp_path):
    dev_team = {"role_name": "core-team", "namespaces": {"core-business-dev": "edit", "core-business-staging": "edit",
                                                         "platform-dev": "view"}}
    access = synth_access(tmp_path, "dev", deployer_role_name="officeless-deployer", teams=[dev_team])
    entries = {e["principal_arn"].rsplit("/", 1)[1]: e for e in access.resources("aws_eks_access_entry").values()}
    assert sorted(entries) == ["core-team", "officeless-deployer"]
    associations = sorted((a["policy_arn"].rsplit("/", 1)[1], json.dumps(a["access_scope"], sort_keys=True))
                          for a in access.resources("aws_eks_access_policy_association").values())
    assert associations == [
        ("AmazonEKSClusterAdminPolicy", '{"type": "cluster"}'),
        ("AmazonEKSEditPolicy", '{"namespaces": ["core-business-dev", "core-business-staging"], "type": "namespace"}'),
        ("AmazonEKSViewPolicy", '{"namespaces": ["platform-dev"], "type": "namespace"}'),
    ]
