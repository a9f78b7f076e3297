"""Issue #16: Karpenter and a tainted system node group in dev, cluster-autoscaler in production.

Documented values (the EKS architecture overview, "3. Karpenter"): dev Spot, families t3, t3a, t2;
production Spot + On-Demand, m5, m6i, c5; a 20 vCPU limit; consolidation when underutilized
(v1: WhenEmptyOrUnderutilized); nodes expire after 720h; an SQS queue fed by EventBridge for
interruptions; system nodes 2 x t3.medium tainted CriticalAddonsOnly:NoSchedule.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from officeless.config.loader import load_environment
from tests.test_config_errors import PRODUCTION, assert_cli_refuses, write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)
from tests.test_helm_stack import EKS, release_values, releases

DEV = PRODUCTION.parent / "dev.yaml"
CLUSTER = "dev-cluster"
# Karpenter's CloudFormation template for v1.14.1: the events its interruption queue receives.
EVENTS = {
    ("aws.health", "AWS Health Event"), ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
    ("aws.ec2", "EC2 Instance Rebalance Recommendation"), ("aws.ec2", "EC2 Instance State-change Notification"),
    ("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"),
}


@pytest.fixture(scope="module")
def dev(synthesized):
    return synthesized["dev"]


@pytest.fixture(scope="module")
def production(synthesized):
    return synthesized["production"]


# --- config: what is chosen where, and bad input in one line -------------------------------------

def test_autoscaler_per_environment():
    production, dev = load_environment("production"), load_environment("dev")
    assert production.helm.cluster_autoscaler.enabled and not production.karpenter.enabled
    assert dev.karpenter.enabled and not dev.helm.cluster_autoscaler.enabled
    assert dev.eks.system_node_groups == ["system"]
    pool = dev.karpenter.node_pool
    assert (pool.instance_families, pool.capacity_types, pool.cpu_limit) == (["t3", "t3a", "t2"], ["spot"], 20)
    # Production's pool, should it switch: the schema's defaults are the documented production values.
    prod_pool = production.karpenter.node_pool
    assert (prod_pool.instance_families, prod_pool.capacity_types, prod_pool.cpu_limit) == (
        ["m5", "m6i", "c5"], ["spot", "on-demand"], 20)
    assert (pool.consolidation_policy, pool.expire_after) == ("WhenEmptyOrUnderutilized", "720h")


BAD = [
    ("no-instance-family", DEV, "    instance_families: [t3, t3a, t2]\n", "    instance_families: []\n",
     "karpenter.node_pool.instance_families: got []; at least 1 item(s) required"),
    ("cpu-limit-zero", DEV, "    cpu_limit: 20\n", "    cpu_limit: 0\n",
     "karpenter.node_pool.cpu_limit: got 0; input should be greater than 0"),
    ("cpu-limit-negative", DEV, "    cpu_limit: 20\n", "    cpu_limit: -4\n",
     "karpenter.node_pool.cpu_limit: got -4; input should be greater than 0"),
    ("unknown-capacity-type", DEV, "    capacity_types: [spot]\n", "    capacity_types: [spot, reserved]\n",
     "karpenter.node_pool.capacity_types[1]: got 'reserved'; input should be 'spot' or 'on-demand'"),
    ("unknown-instance-family", DEV, "[t3, t3a, t2]", "[t3, x9]",
     "karpenter.node_pool.instance_families[1]: 'x9' is not an EC2 instance family of officeless/config/aws_limits.py; "
     "allowed: t2, t3, t3a, t4g, m5, m5a, m6i, m6a, m7i, m7a, c5, c5a, c6i, c6a, c7i, c7a, r5, r5a, r6i, r6a, r7i, r7a, "
     "m6g, m7g, c6g, c7g, r6g, r7g"),
    ("arm-family-in-an-amd64-pool", DEV, "[t3, t3a, t2]", "[t3, m7g]",
     "karpenter.node_pool.instance_families[1]: 'm7g' is arm64, the pool launches amd64; allowed: amd64 families"),
    ("taint-effect", DEV, "effect: NoSchedule}", "effect: NoWay}",
     "eks.node_groups.system.taints[0].effect: got 'NoWay'; input should be 'NoSchedule', 'PreferNoSchedule' or "
     "'NoExecute'"),
    ("both-autoscalers", DEV, "cluster_autoscaler: {enabled: false}", "cluster_autoscaler: {enabled: true}",
     "karpenter.enabled: true while helm.cluster_autoscaler.enabled is true; allowed: one autoscaler per cluster (both "
     "would add and remove the same capacity): set helm.cluster_autoscaler.enabled: false"),
    ("karpenter-without-a-system-group", DEV, "      taints:\n        - {key: CriticalAddonsOnly, value: \"true\", "
     "effect: NoSchedule}\n", "",
     "karpenter.enabled: true with no system node group to run the controller on (Karpenter must not run on nodes it "
     "manages); allowed: with a node group in eks.node_groups tainted CriticalAddonsOnly=true:NoSchedule, e.g. 2 x "
     "t3.medium"),
    ("karpenter-too-old-for-the-minor", DEV, 'version: "1.14.1"', 'version: "1.8.0"',
     "karpenter.version: '1.8.0' on Kubernetes 1.35: Karpenter supports Kubernetes 1.35 from 1.9.0; allowed: 1.9.0 or "
     "newer (officeless/config/versions.py)"),
    ("cluster-autoscaler-image-of-another-minor", PRODUCTION, 'cluster_autoscaler: {version: "9.45.0"}',
     'cluster_autoscaler: {version: "9.45.0", image_tag: v1.32.1}',
     "helm.cluster_autoscaler.image_tag: 'v1.32.1' on Kubernetes 1.33: cluster-autoscaler's minor must equal the "
     "cluster's (1.33); allowed: v1.33.x, e.g. v1.33.5"),
    ("taint-twice", DEV, "      taints:\n        - {key: CriticalAddonsOnly, value: \"true\", effect: NoSchedule}\n",
     "      taints:\n        - {key: CriticalAddonsOnly, value: \"true\", effect: NoSchedule}\n"
     "        - {key: CriticalAddonsOnly, effect: NoSchedule}\n",
     "eks.node_groups.system.taints[1]: CriticalAddonsOnly:NoSchedule duplicates taints[0]; allowed: one taint per key "
     "and effect"),
]


def write(tmp_path, source, old, new):
    return write_config(tmp_path / "config", old, new, source)


@pytest.mark.parametrize("case,source,old,new,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line(tmp_path, in_project_root, case, source, old, new, message):
    assert load_error(write(tmp_path, source, old, new), source.stem) == f"config/{source.name}: {message}"


@pytest.mark.parametrize("case", ["both-autoscalers", "karpenter-without-a-system-group"])
def test_cli_refuses_and_keeps_the_previous_output(tmp_path, case):
    (_, source, old, new, message), = [b for b in BAD if b[0] == case]
    assert_cli_refuses(tmp_path, write(tmp_path, source, old, new), f"error: config/dev.yaml: {message}", "dev")


# --- 01-vpc and 02-eks: discovery tags, roles, queue, rules --------------------------------------

def test_private_subnets_carry_the_discovery_tag_only_with_karpenter(dev, production):
    for synth, tagged in ((dev, True), (production, False)):
        for subnet in synth.stack("01-vpc").resources("aws_subnet").values():
            private = "kubernetes.io/role/internal-elb" in subnet["tags"]
            assert (subnet["tags"].get("karpenter.sh/discovery") == synth_cluster(synth)) is (private and tagged)


def synth_cluster(synth) -> str:
    return {"dev": CLUSTER, "production": "production-cluster"}[synth.environment]


def test_karpenter_aws_resources_only_where_it_runs(production):
    eks = production.stack("02-eks")
    for type_ in ("aws_sqs_queue", "aws_cloudwatch_event_rule", "aws_ec2_tag"):
        assert not eks.resources(type_)
    assert not [r for r in eks.resources("aws_iam_role").values() if "karpenter" in r["name"]]


def test_node_role_and_its_admission(dev):
    eks = dev.stack("02-eks")
    roles = {r["name"]: n for n, r in eks.resources("aws_iam_role").items()}
    role = roles[f"{CLUSTER}-karpenter-node"]
    attached = sorted(a["policy_arn"].rsplit("/", 1)[-1] for a in eks.resources("aws_iam_role_policy_attachment").values()
                      if a["role"] == eks.ref("aws_iam_role", role, "name") and a["policy_arn"].startswith("arn:"))
    # Karpenter's template: worker, CNI, ECR pull, SSM (and dev's pull-through cache policy, tested in
    # tests/test_backup_network_images.py).
    assert attached == ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
                        "AmazonSSMManagedInstanceCore"]
    (entry,) = [e for e in eks.resources("aws_eks_access_entry").values() if e["type"] == "EC2_LINUX"]
    assert entry["principal_arn"] == eks.ref("aws_iam_role", role, "arn")  # dev is in API mode


def test_interruption_queue_and_the_rules_that_feed_it(dev):
    eks = dev.stack("02-eks")
    queue_logical, queue = eks.one("aws_sqs_queue")
    assert queue["name"] == f"{CLUSTER}-karpenter"
    assert queue["message_retention_seconds"] == 300
    assert queue["sqs_managed_sse_enabled"] is True  # encrypted
    rules = eks.resources("aws_cloudwatch_event_rule")
    patterns = {n: json.loads(r["event_pattern"]) for n, r in rules.items()}
    assert {(p["source"][0], p["detail-type"][0]) for p in patterns.values()} == EVENTS
    targets = eks.resources("aws_cloudwatch_event_target")
    assert sorted(t["rule"] for t in targets.values()) == sorted(eks.ref("aws_cloudwatch_event_rule", n, "name") for n in rules)
    assert {t["arn"] for t in targets.values()} == {eks.ref("aws_sqs_queue", queue_logical, "arn")}
    _, policy = eks.one("aws_sqs_queue_policy")
    statements = eks.data_sources("aws_iam_policy_document")[policy["policy"].split(".")[2]]["statement"]
    send, deny = statements
    assert send["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert send["actions"] == ["sqs:SendMessage"]
    ((test, variable, sources),) = [(c["test"], c["variable"], c["values"]) for c in send["condition"]]
    assert (test, variable) == ("ArnEquals", "aws:SourceArn")  # only this cluster's rules may send
    assert sorted(sources) == sorted(eks.ref("aws_cloudwatch_event_rule", n, "arn") for n in rules)
    assert (deny["effect"], deny["condition"][0]["variable"]) == ("Deny", "aws:SecureTransport")


def test_controller_role_is_scoped_to_this_cluster(dev):
    eks = dev.stack("02-eks")
    (association,) = [a for a in eks.resources("aws_eks_pod_identity_association").values() if a["service_account"] == "karpenter"]
    assert association["namespace"] == "kube-system"
    role_logical = association["role_arn"].split(".")[1]
    assert eks.resources("aws_iam_role")[role_logical]["name"] == f"{CLUSTER}-karpenter"
    (inline,) = [p for p in eks.resources("aws_iam_role_policy").values() if p["role"] == eks.ref("aws_iam_role", role_logical)]
    statements = {s["sid"]: s for s in eks.data_sources("aws_iam_policy_document")[inline["policy"].split(".")[2]]["statement"]}
    roles = {r["name"]: n for n, r in eks.resources("aws_iam_role").items()}
    assert statements["AllowPassingInstanceRole"]["resources"] == [eks.ref("aws_iam_role", roles[f"{CLUSTER}-karpenter-node"], "arn")]
    queue_logical, _ = eks.one("aws_sqs_queue")
    assert statements["AllowInterruptionQueueActions"]["resources"] == [eks.ref("aws_sqs_queue", queue_logical, "arn")]
    for sid in ("AllowScopedEC2InstanceActionsWithTags", "AllowScopedDeletion", "AllowScopedResourceTagging"):
        variables = {c["variable"]: c["values"] for c in statements[sid]["condition"]}
        assert ("aws:RequestTag/kubernetes.io/cluster/" + CLUSTER in variables
                or variables.get("aws:ResourceTag/kubernetes.io/cluster/" + CLUSTER) == ["owned"]), sid
    # No write on "*": every write is scoped by ARN or by this cluster's tags.
    for sid, statement in statements.items():
        writes = [a for a in statement["actions"] if not a.split(":")[1].startswith(("Describe", "Get", "List"))]
        assert not (writes and statement["resources"] == ["*"]), sid


def test_node_security_group_tagged_for_discovery(dev):
    eks = dev.stack("02-eks")
    cluster_logical, _ = eks.one("aws_eks_cluster")
    _, tag = eks.one("aws_ec2_tag")
    assert tag == {**tag, "resource_id": "${aws_eks_cluster.%s.vpc_config[0].cluster_security_group_id}" % cluster_logical,
                   "key": "karpenter.sh/discovery", "value": CLUSTER}


# --- 05-helm: CRDs, controller, NodePool and EC2NodeClass -------------------------------------------

@pytest.fixture(scope="module")
def helm(dev):
    return dev.stack("05-helm")


def test_three_releases_in_order_and_every_other_pod_waits_for_the_pool(helm):
    found = releases(helm)
    crd_logical, crd = found["karpenter-crd"]
    controller_logical, controller = found["karpenter"]
    pool_logical, pool = found["karpenter-node-pool"]
    lbc_logical, _ = found["aws-load-balancer-controller"]
    assert crd["depends_on"] == [f"helm_release.{lbc_logical}"]
    assert controller["depends_on"] == [f"helm_release.{crd_logical}"]
    assert controller["skip_crds"] is True  # the CRDs are karpenter-crd's, upgraded with it
    assert pool["depends_on"] == [f"helm_release.{controller_logical}"]
    for name, (_, release) in found.items():
        # Releases that run no pods wait for nothing of Karpenter's: classes, CRDs, Gateways.
        if name not in ("aws-load-balancer-controller", "karpenter-crd", "karpenter", "karpenter-node-pool",
                        "secrets-store-csi-driver-provider-aws", "alb-ingress-classes", "gateway-api-crds",
                        "alb-gateways"):
            assert f"helm_release.{pool_logical}" in release["depends_on"], name
    assert not helm.resources("kubernetes_manifest")  # a manifest of a CRD not yet installed fails at plan


def test_controller_values(helm):
    values = release_values(releases(helm)["karpenter"][1])
    assert values["settings"]["clusterName"] == CLUSTER
    assert values["settings"]["interruptionQueue"].startswith(EKS) and "aws_sqs_queue" in values["settings"]["interruptionQueue"]
    assert values["serviceAccount"] == {"create": True, "name": "karpenter"}
    assert values["replicas"] == 2
    assert values["controller"]["resources"] == {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"memory": "1024Mi"}}
    assert values["tolerations"] == [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    (term,) = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term["matchExpressions"] == [
        {"key": "karpenter.sh/nodepool", "operator": "DoesNotExist"},  # never on nodes it manages
        {"key": "eks.amazonaws.com/nodegroup", "operator": "In", "values": ["system"]},
    ]


def manifests(helm) -> dict[str, dict]:
    values = release_values(releases(helm)["karpenter-node-pool"][1])
    return {m["kind"]: m for m in values["manifests"]}


def test_node_pool_as_documented(helm):
    spec = manifests(helm)["NodePool"]["spec"]
    requirements = {r["key"]: (r["operator"], r["values"]) for r in spec["template"]["spec"]["requirements"]}
    assert requirements["karpenter.k8s.aws/instance-family"] == ("In", ["t3", "t3a", "t2"])
    assert requirements["karpenter.sh/capacity-type"] == ("In", ["spot"])
    assert requirements["kubernetes.io/arch"] == ("In", ["amd64"])
    assert spec["limits"] == {"cpu": "20"}
    assert spec["disruption"] == {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"}
    assert spec["template"]["spec"]["expireAfter"] == "720h"
    assert spec["template"]["spec"]["nodeClassRef"] == {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"}


def test_node_class_bottlerocket_pinned_encrypted_imdsv2(helm):
    spec = manifests(helm)["EC2NodeClass"]["spec"]
    assert spec["amiSelectorTerms"] == [{"alias": "bottlerocket@v1.65.0"}]
    assert spec["role"].startswith(EKS) and "karpenter_node-role" in spec["role"]
    discovery = [{"tags": {"karpenter.sh/discovery": CLUSTER}}]
    assert spec["subnetSelectorTerms"] == discovery and spec["securityGroupSelectorTerms"] == discovery
    assert spec["metadataOptions"]["httpTokens"] == "required"
    assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert [(b["deviceName"], b["ebs"]["volumeSize"]) for b in spec["blockDeviceMappings"]] == [
        ("/dev/xvda", "4Gi"), ("/dev/xvdb", "50Gi")]
    assert all(b["ebs"]["encrypted"] is True and b["ebs"]["volumeType"] == "gp3" for b in spec["blockDeviceMappings"])
    assert spec["tags"] == {"environment": "dev", "project": "officeless", "managed-by": "cdktf"}


def test_manifests_are_valid_karpenter_v1_objects(helm, project_root):
    """Checked against @kubernetes-models/karpenter's schemas for karpenter.sh/v1 and karpenter.k8s.aws/v1."""
    objects = list(manifests(helm).values())
    script = (
        'import { NodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1";\n'
        'import { EC2NodeClass } from "@kubernetes-models/karpenter/karpenter.k8s.aws/v1";\n'
        'const kinds = { NodePool, EC2NodeClass };\n'
        'let input = ""; process.stdin.on("data", d => input += d); process.stdin.on("end", () => {\n'
        '  for (const o of JSON.parse(input)) { try { new kinds[o.kind](o).validate(); console.log(o.kind + " ok"); }\n'
        '    catch (e) { console.log(o.kind + " invalid: " + e.message); } } });\n'
    )
    result = subprocess.run(["node", "--input-type=module", "-e", script], cwd=project_root, input=json.dumps(objects),
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["EC2NodeClass ok", "NodePool ok"], result.stdout + result.stderr
    # and the validator does refuse: a broken copy fails
    broken = json.loads(json.dumps(objects))
    broken[1]["spec"]["disruption"]["consolidationPolicy"] = "WhenUnderutilized"  # the v1beta1 name
    result = subprocess.run(["node", "--input-type=module", "-e", script], cwd=project_root, input=json.dumps(broken),
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[1].startswith("NodePool invalid"), result.stdout


def test_system_components_tolerate_the_system_group_only_where_it_exists(helm, production):
    toleration = [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    for name in ("aws-load-balancer-controller", "metrics-server"):
        assert release_values(releases(helm)[name][1])["tolerations"] == toleration
        assert "tolerations" not in release_values(releases(production.stack("05-helm"))[name][1])

