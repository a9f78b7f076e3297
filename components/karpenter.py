"""Karpenter's AWS side for one cluster (02-eks): what the controller in 05-helm needs to run.

- the node role the instances it launches get (worker, CNI, ECR pull, SSM), beside the managed
  node groups' roles, and its admission to the cluster: an ``EC2_LINUX`` access entry in the API
  modes (06-access maps it in ``aws-auth`` in the CONFIG_MAP modes, from ``node_role_arns``);
- the controller's Pod Identity role, with the v1 controller policy;
- the interruption queue (SQS, encrypted, 5-minute retention) and the EventBridge rules that
  feed it: Spot interruption warnings, rebalance recommendations, instance state changes,
  AWS Health scheduled changes and capacity reservation interruptions;
- the ``karpenter.sh/discovery`` tag on the node security group (EKS creates that group, so
  the tag is a resource of its own); 01-vpc tags the private subnets.

All of it after Karpenter's own CloudFormation template for v1.14.1 (getting started guide):
https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml
"""

from __future__ import annotations

from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.iam import Condition, Statement, policy_document, service_trust
from components.pod_identity import PodIdentityRole
from officeless import names
from officeless.tf import Construct, aws

NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "karpenter"
DISCOVERY_TAG = "karpenter.sh/discovery"
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly",
                 "AmazonSSMManagedInstanceCore")
# EventBridge rule -> (source, detail-type) of the events Karpenter acts on.
INTERRUPTION_EVENTS = {
    "scheduled-change": ("aws.health", "AWS Health Event"),
    "spot-interruption": ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
    "rebalance": ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
    "instance-state-change": ("aws.ec2", "EC2 Instance State-change Notification"),
    "capacity-reservation-interruption": ("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"),
}


def controller_policy(ctx: AwsContext, *, cluster_name: str, node_role_arn: str, queue_arn: str) -> list[Statement]:
    """The v1 controller policy (the template's five policies in one), scoped to this cluster:
    launches, tags and deletions only of resources tagged ``kubernetes.io/cluster/<cluster> =
    owned`` and ``eks:eks-cluster-name = <cluster>``, instance profiles of this region's
    EC2NodeClasses, PassRole of the node role only, the cluster's own queue."""
    region = ctx.region

    def ec2(resource: str, account_: str = "*") -> str:
        return f"arn:{ctx.partition}:ec2:{region}:{account_}:{resource}"

    owned = f"aws:ResourceTag/kubernetes.io/cluster/{cluster_name}"
    requested = f"aws:RequestTag/kubernetes.io/cluster/{cluster_name}"
    launched = [ec2(f"{kind}/*") for kind in ("fleet", "instance", "volume", "network-interface", "launch-template",
                                               "spot-instances-request")]
    profiles = ctx.arn("iam", "instance-profile/*", region=False)
    return [
        Statement(sid="AllowScopedEC2InstanceAccessActions", actions=["ec2:RunInstances", "ec2:CreateFleet"], resources=[
            ec2("image/*", ""), ec2("snapshot/*", ""), ec2("security-group/*"), ec2("subnet/*"),
            ec2("capacity-reservation/*"), ec2("placement-group/*")]),
        Statement(sid="AllowScopedEC2LaunchTemplateAccessActions", actions=["ec2:RunInstances", "ec2:CreateFleet"],
                  resources=[ec2("launch-template/*")],
                  conditions=[Condition("StringEquals", owned, ["owned"]),
                              Condition("StringLike", "aws:ResourceTag/karpenter.sh/nodepool", ["*"])]),
        Statement(sid="AllowScopedEC2InstanceActionsWithTags", resources=launched,
                  actions=["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
                  conditions=[Condition("StringEquals", requested, ["owned"]),
                              Condition("StringEquals", "aws:RequestTag/eks:eks-cluster-name", [cluster_name]),
                              Condition("StringLike", "aws:RequestTag/karpenter.sh/nodepool", ["*"])]),
        Statement(sid="AllowScopedResourceCreationTagging", actions=["ec2:CreateTags"], resources=launched,
                  conditions=[Condition("StringEquals", requested, ["owned"]),
                              Condition("StringEquals", "aws:RequestTag/eks:eks-cluster-name", [cluster_name]),
                              Condition("StringEquals", "ec2:CreateAction", ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]),
                              Condition("StringLike", "aws:RequestTag/karpenter.sh/nodepool", ["*"])]),
        Statement(sid="AllowScopedResourceTagging", actions=["ec2:CreateTags"], resources=[ec2("instance/*")],
                  conditions=[Condition("StringEquals", owned, ["owned"]),
                              Condition("StringLike", "aws:ResourceTag/karpenter.sh/nodepool", ["*"]),
                              Condition("StringEqualsIfExists", "aws:RequestTag/eks:eks-cluster-name", [cluster_name]),
                              Condition("ForAllValues:StringEquals", "aws:TagKeys",
                                        ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"])]),
        Statement(sid="AllowScopedDeletion", actions=["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
                  resources=[ec2("instance/*"), ec2("launch-template/*")],
                  conditions=[Condition("StringEquals", owned, ["owned"]),
                              Condition("StringLike", "aws:ResourceTag/karpenter.sh/nodepool", ["*"])]),
        Statement(sid="AllowPassingInstanceRole", actions=["iam:PassRole"], resources=[node_role_arn],
                  conditions=[Condition("StringEquals", "iam:PassedToService", ["ec2.amazonaws.com"])]),
        Statement(sid="AllowScopedInstanceProfileCreationActions", actions=["iam:CreateInstanceProfile"], resources=[profiles],
                  conditions=[Condition("StringEquals", requested, ["owned"]),
                              Condition("StringEquals", "aws:RequestTag/eks:eks-cluster-name", [cluster_name]),
                              Condition("StringEquals", "aws:RequestTag/topology.kubernetes.io/region", [region]),
                              Condition("StringLike", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", ["*"])]),
        Statement(sid="AllowScopedInstanceProfileTagActions", actions=["iam:TagInstanceProfile"], resources=[profiles],
                  conditions=[Condition("StringEquals", owned, ["owned"]),
                              Condition("StringEquals", "aws:ResourceTag/topology.kubernetes.io/region", [region]),
                              Condition("StringEquals", requested, ["owned"]),
                              Condition("StringEquals", "aws:RequestTag/eks:eks-cluster-name", [cluster_name]),
                              Condition("StringEquals", "aws:RequestTag/topology.kubernetes.io/region", [region]),
                              Condition("StringLike", "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", ["*"]),
                              Condition("StringLike", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", ["*"])]),
        Statement(sid="AllowScopedInstanceProfileActions", resources=[profiles],
                  actions=["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
                  conditions=[Condition("StringEquals", owned, ["owned"]),
                              Condition("StringEquals", "aws:ResourceTag/topology.kubernetes.io/region", [region]),
                              Condition("StringLike", "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", ["*"])]),
        Statement(sid="AllowAPIServerEndpointDiscovery", actions=["eks:DescribeCluster"],
                  resources=[ctx.arn("eks", f"cluster/{cluster_name}")]),
        Statement(sid="AllowInterruptionQueueActions", actions=["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
                  resources=[queue_arn]),
        Statement(sid="AllowRegionalReadActions", resources=["*"], actions=[
            "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceStatus",
            "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates",
            "ec2:DescribePlacementGroups", "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory",
            "ec2:DescribeSubnets"], conditions=[Condition("StringEquals", "aws:RequestedRegion", [region])]),
        Statement(sid="AllowSSMReadActions", actions=["ssm:GetParameter"],
                  resources=[f"arn:{ctx.partition}:ssm:{region}::parameter/aws/service/*"]),
        Statement(sid="AllowPricingReadActions", actions=["pricing:GetProducts"], resources=["*"]),
        Statement(sid="AllowUnscopedInstanceProfileListAction", actions=["iam:ListInstanceProfiles"], resources=["*"]),
        Statement(sid="AllowInstanceProfileReadActions", actions=["iam:GetInstanceProfile"], resources=[profiles]),
    ]


class KarpenterInfrastructure(Construct):
    """:param cluster: the cluster whose nodes Karpenter provides.
    :param node_security_group_id: the node security group (the cluster security group EKS
        creates); tagged for the EC2NodeClass's security-group discovery.
    :param access_entry: admit the node role with an ``EC2_LINUX`` access entry (the API
        authentication modes). Default True.
    """

    def __init__(self, scope: Construct, id_: str, *, cluster: EksCluster, node_security_group_id: str,
                 access_entry: bool = True) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        name = cluster.name

        trust = service_trust(self, "node-role-trust", "ec2.amazonaws.com")
        self._node_role = aws.iam_role.IamRole(self, "node-role", name=names.karpenter_node_role(name),
                                               assume_role_policy=trust.json,
                                               description=f"Nodes Karpenter launches in EKS cluster {name}")
        for policy in NODE_POLICIES:
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, f"node-role-{policy}", role=self._node_role.name, policy_arn=ctx.managed_policy_arn(policy))
        if access_entry:
            aws.eks_access_entry.EksAccessEntry(self, "node-access-entry", cluster_name=cluster.cluster_name,
                                                principal_arn=self._node_role.arn, type="EC2_LINUX")

        self._queue = aws.sqs_queue.SqsQueue(self, "interruption-queue", name=f"{name}-karpenter",
                                             message_retention_seconds=300, sqs_managed_sse_enabled=True)
        rules = {}
        for rule_id, (source, detail_type) in INTERRUPTION_EVENTS.items():
            rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
                self, f"rule-{rule_id}", name=f"{name}-karpenter-{rule_id}",
                description=f"{detail_type} to Karpenter's interruption queue ({name})",
                event_pattern=f'{{"source":["{source}"],"detail-type":["{detail_type}"]}}')
            aws.cloudwatch_event_target.CloudwatchEventTarget(self, f"target-{rule_id}", rule=rule.name,
                                                               target_id="KarpenterInterruptionQueue", arn=self._queue.arn)
            rules[rule_id] = rule
        # Only these rules may send (aws:SourceArn), only over TLS.
        queue_policy = policy_document(self, "interruption-queue-policy-document", [
            Statement(sid="EventBridgeRulesOfThisCluster", actions=["sqs:SendMessage"], resources=[self._queue.arn],
                      principals={"Service": ["events.amazonaws.com"]},
                      conditions=[Condition("ArnEquals", "aws:SourceArn", [r.arn for r in rules.values()])]),
            Statement(sid="DenyHTTP", effect="Deny", actions=["sqs:*"], resources=[self._queue.arn], principals={"*": ["*"]},
                      conditions=[Condition("Bool", "aws:SecureTransport", ["false"])]),
        ])
        aws.sqs_queue_policy.SqsQueuePolicy(self, "interruption-queue-policy", queue_url=self._queue.url,
                                            policy=queue_policy.json)

        self.controller = PodIdentityRole(
            self, "controller", cluster=cluster, namespace=NAMESPACE, service_account=SERVICE_ACCOUNT,
            role_name=names.addon_role(name, "karpenter"), cluster_arn=ctx.arn("eks", f"cluster/{name}"),
            statements=controller_policy(ctx, cluster_name=name, node_role_arn=self._node_role.arn, queue_arn=self._queue.arn))

        aws.ec2_tag.Ec2Tag(self, "node-security-group-discovery-tag", resource_id=node_security_group_id,
                           key=DISCOVERY_TAG, value=name)

    @property
    def node_role_arn(self) -> str:
        return self._node_role.arn

    @property
    def node_role_name(self) -> str:
        return self._node_role.name

    @property
    def queue_name(self) -> str:
        return self._queue.name

    @property
    def queue_arn(self) -> str:
        return self._queue.arn
