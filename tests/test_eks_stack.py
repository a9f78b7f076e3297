"""02-eks: documented values, by hand, for production and dev (issue #3)."""

from __future__ import annotations

import json

import pytest

EXPECTED = {
    "production": {
        "cluster": "production-cluster", "auth": "CONFIG_MAP", "admins": [],
        "group": "worker-nodes", "instance_types": ["t3.xlarge", "m6i.large"], "disk": 200, "scaling": (3, 3, 6),
        "workload": "application", "taints": None, "autoscaled": True,
        "vpc_cidr": "10.1.0.0/16", "efs": "eks-shared-storage", "backup_plan": "officeless-production",
    },
    "dev": {
        "cluster": "dev-cluster", "auth": "API", "admins": ["officeless-platform-admin"],
        # Issue #16, the EKS architecture overview: "System nodes: 2 x t3.medium (for critical addons),
        # tainted with CriticalAddonsOnly:NoSchedule"; Karpenter adds the rest, so no autoscaler tags.
        "group": "system", "instance_types": ["t3.medium"], "disk": 50, "scaling": (2, 2, 2), "workload": "system",
        "taints": [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}], "autoscaled": False,
        "vpc_cidr": "10.0.0.0/16", "efs": "dev-eks-shared-storage", "backup_plan": "officeless-dev",
    },
}
ADDONS = {
    # Production pins these in config (the platform architecture documents the pod identity
    # agent and EBS CSI versions on Kubernetes 1.33).
    "production": {
        "vpc-cni": "v1.19.5-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.5-eksbuild.2",
        "coredns": "v1.12.1-eksbuild.2",
        "kube-proxy": "v1.33.0-eksbuild.2",
        "aws-ebs-csi-driver": "v1.42.0-eksbuild.1",
    },
    # Dev pins nothing: the version table's row for 1.35 (sources in officeless/config/versions.py).
    "dev": {
        "vpc-cni": "v1.22.3-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.1",
        "coredns": "v1.13.2-eksbuild.4",
        "kube-proxy": "v1.35.3-eksbuild.2",
        "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
    },
}
KUBERNETES = {"production": "1.33", "dev": "1.35"}


@pytest.fixture
def eks(synth):
    return synth.stack("02-eks")


@pytest.fixture
def expected(synth):
    return EXPECTED[synth.environment]


def remote(name: str) -> str:
    return "${data.terraform_remote_state.cross-stack-reference-input-01-vpc.outputs.%s" % name


def test_depends_on_01_vpc_through_cross_stack_references(synth, eks):
    assert synth.manifest["stacks"]["02-eks"]["dependencies"] == ["01-vpc"]
    state = eks.data_sources("terraform_remote_state")["cross-stack-reference-input-01-vpc"]
    assert state["config"]["key"] == f"{synth.environment}/01-vpc/terraform.tfstate"


def test_cluster(eks, expected, synth):
    _, cluster = eks.one("aws_eks_cluster")
    assert cluster["name"] == expected["cluster"]
    assert cluster["version"] == KUBERNETES[synth.environment]
    assert cluster["upgrade_policy"] == {"support_type": "EXTENDED"}  # AWS's default, stated
    vpc = cluster["vpc_config"]
    assert vpc["endpoint_private_access"] is True
    assert vpc["endpoint_public_access"] is False
    assert len(vpc["subnet_ids"]) == 3
    assert all(s.startswith(remote("cross-stack-output-aws_subnetnetwork_private-")) for s in vpc["subnet_ids"])
    assert cluster["access_config"]["authentication_mode"] == expected["auth"]
    assert cluster["enabled_cluster_log_types"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert cluster["bootstrap_self_managed_addons"] is False


def test_cluster_role_and_https_only_from_vpc(eks, expected):
    _, cluster = eks.one("aws_eks_cluster")
    roles = {r["name"]: (n, r) for n, r in eks.resources("aws_iam_role").items()}
    role_logical, _ = roles[f"{expected['cluster']}-cluster"]
    assert cluster["role_arn"] == eks.ref("aws_iam_role", role_logical, "arn")
    attached = [a["policy_arn"] for a in eks.resources("aws_iam_role_policy_attachment").values()
                if a["role"] == eks.ref("aws_iam_role", role_logical, "name")]
    assert len(attached) == 1 and attached[0].endswith("}:iam::aws:policy/AmazonEKSClusterPolicy")

    groups = eks.by_name_tag("aws_security_group")
    sg_logical, _ = groups[f"{expected['cluster']}-cluster"]
    assert cluster["vpc_config"]["security_group_ids"] == [eks.ref("aws_security_group", sg_logical)]
    ingress = [r for r in eks.resources("aws_vpc_security_group_ingress_rule").values()
               if r["security_group_id"] == eks.ref("aws_security_group", sg_logical)]
    assert len(ingress) == 1
    assert (ingress[0]["ip_protocol"], ingress[0]["from_port"], ingress[0]["to_port"]) == ("tcp", 443, 443)
    assert ingress[0]["cidr_ipv4"] == remote("cross-stack-output-aws_vpcnetwork_vpc_4E8F0223cidr_block}")
    assert "0.0.0.0/0" not in json.dumps(eks.resources("aws_vpc_security_group_ingress_rule"))


def test_control_plane_logs_created_first_with_7_days(eks, expected):
    group_logical, group = eks.one("aws_cloudwatch_log_group")
    _, cluster = eks.one("aws_eks_cluster")
    assert group["name"] == f"/aws/eks/{expected['cluster']}/cluster"
    assert group["retention_in_days"] == 7
    assert f"aws_cloudwatch_log_group.{group_logical}" in cluster["depends_on"]


def test_secrets_envelope_encryption_with_rotating_key(eks):
    key_logical, key = eks.one("aws_kms_key")
    _, cluster = eks.one("aws_eks_cluster")
    assert key["enable_key_rotation"] is True
    assert cluster["encryption_config"] == {
        "provider": {"key_arn": eks.ref("aws_kms_key", key_logical, "arn")}, "resources": ["secrets"]}


def test_access_entries_only_in_api_mode(eks, expected):
    entries = {n: e for n, e in eks.resources("aws_eks_access_entry").items() if e["type"] == "STANDARD"}
    assert [e["principal_arn"].rsplit("/", 1)[-1] for e in entries.values()] == expected["admins"]
    associations = list(eks.resources("aws_eks_access_policy_association").values())
    assert len(associations) == len(expected["admins"])
    for association in associations:
        assert association["policy_arn"].endswith(":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
        assert association["access_scope"] == {"type": "cluster"}


def test_node_group(eks, expected):
    _, group = eks.one("aws_eks_node_group")
    assert group["node_group_name"] == expected["group"]
    assert group["instance_types"] == expected["instance_types"]
    assert group["ami_type"] == "BOTTLEROCKET_x86_64"
    assert group["capacity_type"] == "ON_DEMAND"
    assert (group["scaling_config"]["min_size"], group["scaling_config"]["desired_size"],
            group["scaling_config"]["max_size"]) == expected["scaling"]
    assert group["update_config"] == {"max_unavailable": 1}
    assert group["labels"] == {"environment": expected["cluster"].split("-")[0], "workload": expected["workload"]}
    assert group.get("taint") == expected["taints"]
    if expected["autoscaled"]:  # cluster-autoscaler's discovery tags; it owns the desired size
        assert group["tags"] == {"k8s.io/cluster-autoscaler/enabled": "true",
                                 f"k8s.io/cluster-autoscaler/{expected['cluster']}": "owned"}
        assert group["lifecycle"] == {"ignore_changes": ["scaling_config[0].desired_size"]}
    else:  # never both autoscalers on the same nodes
        assert "tags" not in group and "lifecycle" not in group
    assert "disk_size" not in group  # the launch template owns the volume


def test_launch_template_encrypted_gp3_and_imdsv2(eks, expected):
    template_logical, template = eks.one("aws_launch_template")
    _, group = eks.one("aws_eks_node_group")
    assert group["launch_template"]["id"] == eks.ref("aws_launch_template", template_logical)
    (mapping,) = template["block_device_mappings"]
    assert mapping["device_name"] == "/dev/xvdb"  # Bottlerocket's data volume
    assert mapping["ebs"] == {"volume_size": expected["disk"], "volume_type": "gp3", "encrypted": "true",
                              "delete_on_termination": "true"}
    assert template["metadata_options"]["http_tokens"] == "required"
    assert template["metadata_options"]["http_put_response_hop_limit"] == 1


def test_node_role_policies(eks, expected):
    roles = {r["name"]: n for n, r in eks.resources("aws_iam_role").items()}
    node_role = eks.ref("aws_iam_role", roles[f"{expected['cluster']}-{expected['group']}-node"], "name")
    attached = sorted(a["policy_arn"].rsplit("/", 1)[-1] for a in eks.resources("aws_iam_role_policy_attachment").values()
                      if a["role"] == node_role and a["policy_arn"].startswith("arn:"))
    assert attached == sorted(["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly",
                               "AmazonSSMManagedInstanceCore"])


def test_upgrades_one_minor_at_a_time_checked_at_plan(eks, synth):
    """The precondition reads the running cluster only when the region lists it (first deploy:
    count 0, the fallback is the target itself) and allows the running minor or the one before."""
    cluster_logical, cluster = eks.one("aws_eks_cluster")
    (listed_logical, _), = eks.data_sources("aws_eks_clusters").items()
    (running_logical, running), = eks.data_sources("aws_eks_cluster").items()
    name = cluster["name"]
    assert running["name"] == name
    assert running["count"] == '${contains(tolist(data.aws_eks_clusters.%s.names), "%s") ? 1 : 0}' % (listed_logical, name)
    (condition,) = cluster["lifecycle"]["precondition"]
    allowed = {"production": '["1.32", "1.33"]', "dev": '["1.34", "1.35"]'}[synth.environment]
    target = KUBERNETES[synth.environment]
    assert condition["condition"] == '${contains(%s, try(data.aws_eks_cluster.%s[0].version, "%s"))}' % (
        allowed, running_logical, target)
    assert "one minor at a time and never downgrades" in condition["error_message"]


def test_addons_pinned_and_ordered_around_the_node_group(eks, synth):
    node_logical, _ = eks.one("aws_eks_node_group")
    _, group = eks.one("aws_eks_node_group")
    assert group["version"] == KUBERNETES[synth.environment]  # nodes follow the control plane
    addons = {a["addon_name"]: (n, a) for n, a in eks.resources("aws_eks_addon").items()}
    assert {name: a["addon_version"] for name, (_, a) in addons.items()} == ADDONS[synth.environment]
    for name in ("vpc-cni", "eks-pod-identity-agent"):
        assert f"aws_eks_addon.{addons[name][0]}" in group["depends_on"]
        assert "depends_on" not in addons[name][1]
    for name in ("coredns", "kube-proxy", "aws-ebs-csi-driver"):
        assert f"aws_eks_node_group.{node_logical}" in addons[name][1]["depends_on"]


def test_ebs_csi_pod_identity(eks, expected):
    (association_logical, association), = [(n, a) for n, a in eks.resources("aws_eks_pod_identity_association").items()
                                           if a["service_account"] == "ebs-csi-controller-sa"]
    assert association["namespace"] == "kube-system"
    roles = {n: r for n, r in eks.resources("aws_iam_role").items()}
    role_logical = association["role_arn"].split(".")[1]
    assert roles[role_logical]["name"] == f"{expected['cluster']}-ebs-csi-driver"
    trust_doc = roles[role_logical]["assume_role_policy"].split(".")[2]
    (statement,) = eks.data_sources("aws_iam_policy_document")[trust_doc]["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["pods.eks.amazonaws.com"]}]
    assert statement["actions"] == ["sts:AssumeRole", "sts:TagSession"]
    assert [(c["test"], c["variable"]) for c in statement["condition"]] == [
        ("StringEquals", "aws:SourceAccount"), ("ArnEquals", "aws:SourceArn")]
    cluster_logical, _ = eks.one("aws_eks_cluster")
    assert statement["condition"][1]["values"] == [eks.ref("aws_eks_cluster", cluster_logical, "arn")]
    attached = [a["policy_arn"] for a in eks.resources("aws_iam_role_policy_attachment").values()
                if a["role"] == eks.ref("aws_iam_role", role_logical, "name")]
    assert [a.rsplit(":", 1)[-1] for a in attached] == ["policy/service-role/AmazonEBSCSIDriverPolicy"]
    ebs = next(a for a in eks.resources("aws_eks_addon").values() if a["addon_name"] == "aws-ebs-csi-driver")
    assert f"aws_eks_pod_identity_association.{association_logical}" in ebs["depends_on"]


def test_oidc_provider(eks):
    cluster_logical, _ = eks.one("aws_eks_cluster")
    _, oidc = eks.one("aws_iam_openid_connect_provider")
    assert oidc["url"] == "${aws_eks_cluster.%s.identity[0].oidc[0].issuer}" % cluster_logical
    assert oidc["client_id_list"] == ["sts.amazonaws.com"]


def test_efs(eks, expected):
    fs_logical, fs = eks.one("aws_efs_file_system")
    cluster_logical, _ = eks.one("aws_eks_cluster")
    key_logical, _ = eks.one("aws_kms_key")
    assert fs["tags"]["Name"] == expected["efs"]
    assert fs["encrypted"] is True
    assert fs["kms_key_id"] == eks.ref("aws_kms_key", key_logical, "arn")
    assert fs["performance_mode"] == "generalPurpose"
    assert fs["throughput_mode"] == "bursting"
    assert fs["lifecycle_policy"] == [{"transition_to_ia": "AFTER_30_DAYS"},
                                      {"transition_to_primary_storage_class": "AFTER_1_ACCESS"}]
    # Issue #19: 09-backup's plan selects the file system by tag, so EFS's own backups are off.
    assert fs["tags"]["backup-plan"] == expected["backup_plan"]
    (backup,) = eks.resources("aws_efs_backup_policy").values()
    assert backup["backup_policy"] == {"status": "DISABLED"}

    targets = list(eks.resources("aws_efs_mount_target").values())
    assert len(targets) == 3
    assert all(t["file_system_id"] == eks.ref("aws_efs_file_system", fs_logical) for t in targets)
    assert len({t["subnet_id"] for t in targets}) == 3
    sg_logical, _ = eks.by_name_tag("aws_security_group")[f"{expected['efs']}-mount-targets"]
    assert all(t["security_groups"] == [eks.ref("aws_security_group", sg_logical)] for t in targets)
    (nfs,) = [r for r in eks.resources("aws_vpc_security_group_ingress_rule").values()
              if r["security_group_id"] == eks.ref("aws_security_group", sg_logical)]
    assert (nfs["ip_protocol"], nfs["from_port"], nfs["to_port"]) == ("tcp", 2049, 2049)
    assert nfs["referenced_security_group_id"] == "${aws_eks_cluster.%s.vpc_config[0].cluster_security_group_id}" % cluster_logical
    assert "cidr_ipv4" not in nfs


def test_outputs(eks, expected):
    karpenter = {"karpenter_node_role_name", "karpenter_interruption_queue_name"} if expected["group"] == "system" else set()
    assert set(eks.outputs) == {
        "cluster_name", "cluster_endpoint", "cluster_certificate_authority_data", "cluster_security_group_id",
        "node_security_group_id", "oidc_provider_arn", "node_group_name", "efs_file_system_id",
        "node_role_arns",  # issue #14: what aws-auth must keep
        *karpenter,  # issue #16
    }
    roles = {r["name"]: n for n, r in eks.resources("aws_iam_role").items()}
    node_roles = [roles[f"{expected['cluster']}-{expected['group']}-node"]]
    if karpenter:
        node_roles.append(roles[f"{expected['cluster']}-karpenter-node"])
    assert eks.outputs["node_role_arns"]["value"] == ["${aws_iam_role.%s.arn}" % n for n in node_roles]
    cluster_logical, _ = eks.one("aws_eks_cluster")
    assert eks.outputs["cluster_certificate_authority_data"]["value"] == \
        "${aws_eks_cluster.%s.certificate_authority[0].data}" % cluster_logical
