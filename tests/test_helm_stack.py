"""05-helm: releases, roles and storage classes, asserted on the JSON (issue #6).

No helm or kubernetes provider binaries exist on these machines, so this stack is never
`terraform validate`d here; these assertions carry that weight.
"""

from __future__ import annotations

import json

import pytest
import yaml

RELEASES = {
    # release: (repository, chart, version, namespace, service account or None)
    "aws-load-balancer-controller": ("https://aws.github.io/eks-charts", "aws-load-balancer-controller", "1.12.0", "kube-system", "aws-load-balancer-controller"),
    "cluster-autoscaler": ("https://kubernetes.github.io/autoscaler", "cluster-autoscaler", "9.45.0", "kube-system", "cluster-autoscaler"),
    "metrics-server": ("https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", "3.12.2", "kube-system", None),
    "aws-efs-csi-driver": ("https://kubernetes-sigs.github.io/aws-efs-csi-driver/", "aws-efs-csi-driver", "3.1.8", "kube-system", "efs-csi-controller-sa"),
    "secrets-store-csi-driver": ("https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts", "secrets-store-csi-driver", "1.5.0", "kube-system", None),
    "secrets-store-csi-driver-provider-aws": ("https://aws.github.io/secrets-store-csi-driver-provider-aws", "secrets-store-csi-driver-provider-aws", "1.0.1", "kube-system", None),
}
OBSERVABILITY = {
    "mimir": ("https://grafana.github.io/helm-charts", "mimir-distributed", "5.7.0", "monitoring", "mimir"),
    "loki": ("https://grafana.github.io/helm-charts", "loki", "6.30.1", "monitoring", "loki"),
    "tempo": ("https://grafana.github.io/helm-charts", "tempo-distributed", "1.42.0", "monitoring", "tempo"),
}
# Issue #13: the collector and Grafana. Grafana's chart moved to grafana-community in 2025-26
# (https://grafana-community.github.io/helm-charts serves 12.11.1); Alloy stays with grafana.
COLLECTOR = {
    "alloy": ("https://grafana.github.io/helm-charts", "alloy", "1.11.1", "monitoring", None),
    "alloy-singleton": ("https://grafana.github.io/helm-charts", "alloy", "1.11.1", "monitoring", None),
    "kube-state-metrics": ("https://prometheus-community.github.io/helm-charts", "kube-state-metrics", "8.4.0", "monitoring", None),
    "prometheus-node-exporter": ("https://prometheus-community.github.io/helm-charts", "prometheus-node-exporter", "4.56.1",
                                 "monitoring", None),
    "grafana": ("https://grafana-community.github.io/helm-charts", "grafana", "12.11.1", "monitoring", None),
}
# Issue #16: where Karpenter provides the nodes (dev), its releases replace cluster-autoscaler's.
# Karpenter publishes its charts only to ECR Public's OCI registry.
KARPENTER = {
    "karpenter-crd": ("oci://public.ecr.aws/karpenter", "karpenter-crd", "1.14.1", "kube-system", None),
    "karpenter": ("oci://public.ecr.aws/karpenter", "karpenter", "1.14.1", "kube-system", None),  # role: 02-eks
}
BUCKETS = {"mimir": ["mimir-metrics", "mimir-alertmanager", "mimir-ruler"], "loki": ["loki-chunks", "loki-ruler"],
           "tempo": ["tempo-traces"]}
CLUSTER = {"production": "production-cluster", "dev": "dev-cluster"}
EKS = "${data.terraform_remote_state.cross-stack-reference-input-02-eks.outputs."
S3 = "${data.terraform_remote_state.cross-stack-reference-input-03-s3.outputs."


@pytest.fixture
def helm(synth):
    return synth.stack("05-helm")


def releases(helm) -> dict[str, tuple[str, dict]]:
    return {r["name"]: (n, r) for n, r in helm.resources("helm_release").items()}


def release_values(release) -> dict:
    (document,) = release["values"]
    return yaml.safe_load(document)


# Issue #30: dev runs the current releases of the chart table (officeless/config/charts.py, each with its
# tag): aws/eks-charts v3.5.0, metrics-server-helm-chart-3.13.1, helm-chart-aws-efs-csi-driver-4.4.1,
# secrets-store-csi-driver v1.6.0, secrets-store-csi-driver-provider-aws-2.1.1.
DEV_CURRENT = {"aws-load-balancer-controller": "3.5.0", "metrics-server": "3.13.1", "aws-efs-csi-driver": "4.4.1",
               "secrets-store-csi-driver": "1.6.0", "secrets-store-csi-driver-provider-aws": "2.1.1"}


DEV_GRAFANA_COMMUNITY = {
    "loki": ("https://grafana-community.github.io/helm-charts", "loki", "18.11.0", "monitoring", "loki"),
    "tempo": ("https://grafana-community.github.io/helm-charts", "tempo-distributed", "2.26.2", "monitoring", "tempo"),
}


def expected_releases(env):
    # Issue #13: dev runs the whole observability stack too.
    everything = {**RELEASES, **OBSERVABILITY, **COLLECTOR}
    if env == "dev":
        del everything["cluster-autoscaler"]
        everything.update(KARPENTER)
        for release, version in DEV_CURRENT.items():
            repository, chart, _, namespace, account = everything[release]
            everything[release] = (repository, chart, version, namespace, account)
        # Loki 18 and Tempo 2.26.2 come from grafana-community's repository (its loki README, "From 6.x to
        # 7.0.0"; grafana's repository ends tempo-distributed at 1.61.3).
        everything.update(DEV_GRAFANA_COMMUNITY)
        # Gateway API (issue #30): its CRDs, Envoy Gateway's gateway-crds-helm v1.9.0 (Gateway API v1.6.1).
        everything["gateway-api-crds"] = ("oci://docker.io/envoyproxy", "gateway-crds-helm", "v1.9.0", "kube-system", None)
    return everything


def associations(helm) -> dict[tuple[str, str], tuple[str, dict]]:
    return {(a["namespace"], a["service_account"]): (n, a) for n, a in helm.resources("aws_eks_pod_identity_association").items()}


def role_policy_statements(helm, role_logical) -> list[dict]:
    policies = [p for p in helm.resources("aws_iam_role_policy").values() if p["role"] == helm.ref("aws_iam_role", role_logical)]
    docs = helm.data_sources("aws_iam_policy_document")
    return [s for p in policies for s in docs[p["policy"].split(".")[2]]["statement"]]


def test_depends_on_eks_s3_and_access_only(synth):
    # 06-access (issue #14) maps the identity 05-helm deploys as before it runs.
    assert sorted(synth.manifest["stacks"]["05-helm"]["dependencies"]) == ["02-eks", "03-s3", "06-access"]


def test_providers_use_exec_auth_against_the_private_endpoint(helm, synth):
    (helm_provider,) = helm.data["provider"]["helm"]
    (kube_provider,) = helm.data["provider"]["kubernetes"]
    for kubernetes in (helm_provider["kubernetes"], kube_provider):
        assert kubernetes["host"].startswith(EKS) and "endpoint" in kubernetes["host"]
        assert kubernetes["cluster_ca_certificate"].startswith("${base64decode(data.terraform_remote_state.cross-stack-reference-input-02-eks")
        exec_ = kubernetes["exec"] if isinstance(kubernetes["exec"], dict) else kubernetes["exec"][0]
        assert exec_["command"] == "aws"
        assert exec_["args"][:3] == ["eks", "get-token", "--cluster-name"]
        assert "token" not in kubernetes
    assert helm.data["terraform"]["required_providers"]["helm"]["version"].startswith("3.")


def test_releases_charts_versions_namespaces(helm, synth):
    found = releases(helm)
    expected = expected_releases(synth.environment)
    # The project's own manifests chart, shipped with the stack (an asset): the internal ingress
    # class (issue #17) everywhere, Karpenter's NodePool and EC2NodeClass where it runs (issue #16).
    own = {name: found.pop(name) for name in ("alb-ingress-classes", "karpenter-node-pool", "alb-gateways") if name in found}
    assert set(own) == {"production": {"alb-ingress-classes"},
                        "dev": {"alb-ingress-classes", "karpenter-node-pool", "alb-gateways"}}[synth.environment]
    for _, release in own.values():
        assert "repository" not in release and "version" not in release
        assert release["chart"].startswith("assets/manifests-chart/")
        assert (synth.outdir / "stacks" / "05-helm" / release["chart"] / "Chart.yaml").is_file()
    assert set(found) == set(expected)
    for name, (repository, chart, version, namespace, _) in expected.items():
        _, release = found[name]
        assert (release["repository"], release["chart"], release["version"], release["namespace"]) == (repository, chart, version, namespace)
        assert release["atomic"] is True and release["wait"] is True
        assert release["timeout"] == 900


def test_load_balancer_controller_first(helm, synth):
    found = releases(helm)
    lbc_logical, lbc = found["aws-load-balancer-controller"]
    values = release_values(lbc)
    assert values["clusterName"] == CLUSTER[synth.environment]
    assert values["region"] == "us-east-1"
    assert values["vpcId"].startswith(EKS) and values["vpcId"].endswith("vpc_config0vpc_id}")
    assert values["replicaCount"] == 2
    assert values["serviceAccount"] == {"create": True, "name": "aws-load-balancer-controller"}
    # everything that may create a Service waits for the controller's webhook (directly, or after
    # the release it follows: the AWS provider after the driver, Karpenter's chain after its CRDs)
    follows = {"secrets-store-csi-driver-provider-aws", "karpenter", "karpenter-node-pool"}
    # ... except the Gateway API CRDs (dev), which the controller must find when it starts: it waits for them.
    follows.add("gateway-api-crds")
    for name, (_, release) in found.items():
        if name != "aws-load-balancer-controller" and name not in follows:
            assert f"helm_release.{lbc_logical}" in release["depends_on"], name
    _, provider = found["secrets-store-csi-driver-provider-aws"]
    assert provider["depends_on"] == [f"helm_release.{found['secrets-store-csi-driver'][0]}"]


@pytest.fixture
def production_helm(synthesized):
    return synthesized["production"].stack("05-helm")


def test_cluster_autoscaler_only_where_karpenter_is_not(helm, synth):
    """Issue #16: never both autoscalers on the same nodes; dev runs Karpenter."""
    names = set(releases(helm))
    assert ("cluster-autoscaler" in names, "karpenter" in names) == {"production": (True, False), "dev": (False, True)}[
        synth.environment]
    assert (("kube-system", "cluster-autoscaler") in associations(helm)) is (synth.environment == "production")


def test_cluster_autoscaler_values(production_helm):
    values = release_values(releases(production_helm)["cluster-autoscaler"][1])
    assert values["autoDiscovery"] == {"clusterName": "production-cluster"}
    assert values["awsRegion"] == "us-east-1"
    assert values["rbac"]["serviceAccount"]["name"] == "cluster-autoscaler"
    # The image built for the cluster's minor (chart 9.45.0 alone would run v1.32.0):
    # https://github.com/aws-ia/terraform-aws-eks-blueprints-addons/pull/516
    assert values["image"] == {"tag": "v1.33.5"}
    assert "tolerations" not in values  # no system node group in production


def test_every_service_account_has_a_pod_identity_role_trusted_by_pods(helm, synth):
    found = associations(helm)
    roles = helm.resources("aws_iam_role")
    docs = helm.data_sources("aws_iam_policy_document")
    for name, (*_, namespace, sa) in expected_releases(synth.environment).items():
        if sa is None:
            continue
        association_logical, association = found[(namespace, sa)]
        role_logical = association["role_arn"].split(".")[1]
        assert roles[role_logical]["name"] == f"{CLUSTER[synth.environment]}-{name}"
        (trust,) = docs[roles[role_logical]["assume_role_policy"].split(".")[2]]["statement"]
        assert trust["principals"] == [{"type": "Service", "identifiers": ["pods.eks.amazonaws.com"]}]
        assert trust["actions"] == ["sts:AssumeRole", "sts:TagSession"]
        assert {c["variable"] for c in trust["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}
        _, release = releases(helm)[name]
        assert f"aws_eks_pod_identity_association.{association_logical}" in release["depends_on"]


def test_load_balancer_controller_writes_only_this_clusters_resources_in_this_vpc(helm, synth):
    """Issue #15: upstream's policy lets the controller open any security group in the account and
    change any load balancer that carries *some* cluster tag."""
    (_, association) = associations(helm)[("kube-system", "aws-load-balancer-controller")]
    statements = {s["sid"]: s for s in role_policy_statements(helm, association["role_arn"].split(".")[1])}
    cluster = CLUSTER[synth.environment]
    # Rule changes: any group of this VPC (the node group EKS creates carries no controller tag).
    rules = statements["SecurityGroupRulesInThisVpc"]
    assert sorted(rules["actions"]) == ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]
    ((test, variable, (vpc_arn,)),) = [(c["test"], c["variable"], c["values"]) for c in rules["condition"]]
    assert (test, variable) == ("ArnEquals", "ec2:Vpc")
    # arn:<partition>:ec2:<region>:<account>:vpc/<the cluster's VPC, from 02-eks>
    assert vpc_arn.split(":")[2] == "ec2" and vpc_arn.split(":vpc/")[1].startswith(EKS)
    assert vpc_arn.endswith("vpc_config0vpc_id}")
    assert statements["CreateSecurityGroupInThisVpc"]["resources"] == [vpc_arn]
    # Every condition on the controller's tag names this cluster; none only asks that it exists.
    tag_conditions = [(sid, c) for sid, s in statements.items() for c in s.get("condition", [])
                      if c["variable"].endswith("Tag/elbv2.k8s.aws/cluster")]
    assert {sid for sid, c in tag_conditions if c["test"] == "StringEquals"} == {
        "CreateSecurityGroupForThisCluster", "TagNewSecurityGroups", "RetagOwnSecurityGroups", "DeleteOwnSecurityGroups",
        "CreateLoadBalancersForThisCluster", "RetagOwnLoadBalancers", "ModifyOwnLoadBalancers", "TagOnCreate"}
    for sid, condition in tag_conditions:
        if condition["test"] == "StringEquals":
            assert condition["values"] == [cluster], sid
        else:  # only "this request does not change the cluster tag"
            assert (condition["test"], condition["values"], condition["variable"].split("/")[0]) == ("Null", ["true"], "aws:RequestTag"), sid
    assert "elasticloadbalancing:DeleteLoadBalancer" in statements["ModifyOwnLoadBalancers"]["actions"]
    # No write on "*" without a condition: the unconditioned ones are confined to ARNs.
    for sid, statement in statements.items():
        writes = [a for a in statement["actions"] if not a.split(":")[1].startswith(("Describe", "Get", "List"))]
        if writes and statement["resources"] == ["*"] and sid != "CertificatesWafShield":
            assert statement.get("condition"), sid


def test_cluster_autoscaler_may_only_scale_its_own_node_groups(production_helm):
    helm = production_helm
    (_, association) = associations(helm)[("kube-system", "cluster-autoscaler")]
    statements = {s["sid"]: s for s in role_policy_statements(helm, association["role_arn"].split(".")[1])}
    write = statements["ScaleOnlyThisClustersNodeGroups"]
    assert sorted(write["actions"]) == ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    assert write["condition"] == [{"test": "StringEquals", "values": ["owned"],
                                   "variable": "aws:ResourceTag/k8s.io/cluster-autoscaler/production-cluster"}]
    writes = [a for s in statements.values() for a in s["actions"] if not a.split(":")[1].startswith(("Describe", "Get"))]
    assert sorted(writes) == ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]


def test_efs_csi_driver_and_storage_class(helm):
    (_, association) = associations(helm)[("kube-system", "efs-csi-controller-sa")]
    role = association["role_arn"].split(".")[1]
    attached = [a["policy_arn"] for a in helm.resources("aws_iam_role_policy_attachment").values()
                if a["role"] == helm.ref("aws_iam_role", role, "name")]
    assert [a.split(":")[-1] for a in attached] == ["policy/service-role/AmazonEFSCSIDriverPolicy"]
    efs = helm.resources("kubernetes_storage_class_v1")["storage-class-efs"]
    assert efs["metadata"]["name"] == "efs"
    assert efs["storage_provisioner"] == "efs.csi.aws.com"
    assert efs["parameters"]["provisioningMode"] == "efs-ap"
    assert efs["parameters"]["directoryPerms"] == "700"
    assert efs["parameters"]["fileSystemId"].startswith(EKS) and "aws_efs_file_system" in efs["parameters"]["fileSystemId"]


def test_gp3_is_the_default_storage_class(helm, synth):
    gp3 = helm.resources("kubernetes_storage_class_v1")["storage-class-gp3"]
    assert gp3["metadata"] == {"name": "gp3", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}
    assert gp3["storage_provisioner"] == "ebs.csi.aws.com"
    # Issue #19: every volume it creates carries the backup plan's tag.
    assert gp3["parameters"] == {"type": "gp3", "encrypted": "true",
                                 "tagSpecification_1": f"backup-plan=officeless-{synth.environment}"}
    assert gp3["volume_binding_mode"] == "WaitForFirstConsumer"
    assert gp3["allow_volume_expansion"] is True


def test_secrets_reader_limited_to_its_own_prefix(helm, synth):
    """Issue #27: officeless/officeless-app (not a tenant) reads <environment>/officeless/*, no longer
    all of <environment>/* (Argo CD's credentials, the tenants' secrets)."""
    (_, association) = associations(helm)[("officeless", "officeless-app")]
    statements = {s["sid"]: s for s in role_policy_statements(helm, association["role_arn"].split(".")[1])}
    read = statements["ReadEnvironmentSecrets"]
    assert read["actions"] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    (resource,) = read["resources"]
    assert resource.endswith(f":secret:{synth.environment}/officeless/*")
    decrypt = statements["DecryptThemViaSecretsManager"]
    assert decrypt["actions"] == ["kms:Decrypt"]
    via = next(c for c in decrypt["condition"] if c["variable"] == "kms:ViaService")
    (service,) = via["values"]
    assert via["test"] == "StringEquals"
    assert service.startswith("secretsmanager.${data.aws_region.") and service.endswith("}.amazonaws.com")


def test_observability_in_its_namespace_in_every_environment(helm):
    namespaces = helm.resources("kubernetes_namespace_v1")
    assert [n["metadata"]["name"] for n in namespaces.values()] == ["monitoring"]
    namespace = next(iter(namespaces))
    for name in {**OBSERVABILITY, **COLLECTOR}:
        assert f"kubernetes_namespace_v1.{namespace}" in releases(helm)[name][1]["depends_on"], name


@pytest.mark.parametrize("component", sorted(OBSERVABILITY))
def test_observability_roles_reach_only_their_buckets(helm, component):
    (_, association) = associations(helm)[("monitoring", component)]
    statements = {s["sid"]: s for s in role_policy_statements(helm, association["role_arn"].split(".")[1])}
    buckets = statements["ListTheBuckets"]["resources"]
    assert len(buckets) == len(BUCKETS[component])
    for purpose, arn in zip(BUCKETS[component], buckets):
        assert arn.startswith(S3) and f"bucket-{purpose}_bucket" in arn and arn.endswith("arn}")
    assert statements["ObjectsInTheBuckets"]["resources"] == [f"{arn}/*" for arn in buckets]
    (key,) = statements["UseTheBucketKey"]["resources"]
    assert key.startswith(S3) and "aws_kms_key" in key
    everything = json.dumps(list(statements.values()))
    assert '"*"' not in everything


def test_observability_values_point_at_the_buckets(helm):
    found = releases(helm)
    mimir = release_values(found["mimir"][1])["mimir"]["structuredConfig"]
    assert "bucket-mimir-metrics_bucket" in mimir["blocks_storage"]["s3"]["bucket_name"]
    assert "bucket-mimir-alertmanager_bucket" in mimir["alertmanager_storage"]["s3"]["bucket_name"]
    # The starter rules come from a ConfigMap in the same deploy (issue #13), not the ruler bucket.
    assert mimir["ruler_storage"] == {"backend": "local", "local": {"directory": "/etc/mimir/rules"}}
    assert mimir["common"]["storage"]["backend"] == "s3"
    loki = release_values(found["loki"][1])["loki"]
    assert loki["storage"]["type"] == "s3"
    assert "bucket-loki-chunks_bucket" in loki["storage"]["bucketNames"]["chunks"]
    assert "bucket-loki-ruler_bucket" in loki["storage"]["bucketNames"]["ruler"]
    tempo = release_values(found["tempo"][1])["storage"]["trace"]
    assert tempo["backend"] == "s3" and "bucket-tempo-traces_bucket" in tempo["s3"]["bucket"]
    for name in OBSERVABILITY:
        assert release_values(found[name][1])["serviceAccount"] == {"create": True, "name": name}
