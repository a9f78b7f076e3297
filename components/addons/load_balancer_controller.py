"""AWS Load Balancer Controller: ALBs for Ingresses and NLBs for Services, in kube-system.

Its webhook must answer before anything creates a Service or Ingress, so every other release
waits for this one.
"""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, disruption_budget, resources, spread
from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from components.iam import Condition, Statement
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.sizes import ComponentSize
from officeless.tf import Construct

RELEASE = "aws-load-balancer-controller"
SELECTOR = {"app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": RELEASE}


def policy(ctx: AwsContext) -> list[Statement]:
    """AWS Load Balancer Controller v2.12, after the project's docs/install/iam_policy.json:
    https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v2.12.0/docs/install/iam_policy.json
    """
    elb = lambda kind: f"arn:{ctx.partition}:elasticloadbalancing:*:*:{kind}"  # noqa: E731
    return [
        Statement(sid="ServiceLinkedRole", actions=["iam:CreateServiceLinkedRole"], resources=["*"],
                  conditions=[Condition("StringEquals", "iam:AWSServiceName", ["elasticloadbalancing.amazonaws.com"])]),
        Statement(sid="Describe", resources=["*"], actions=[
            "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools",
            "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
            "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeCapacityReservation",
        ]),
        Statement(sid="CertificatesWafShield", resources=["*"], actions=[
            "cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
            "iam:ListServerCertificates", "iam:GetServerCertificate", "waf-regional:GetWebACL",
            "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
            "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
            "shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection",
            "shield:DeleteProtection",
        ]),
        Statement(sid="SecurityGroupRules", actions=["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                  resources=["*"]),
        Statement(sid="CreateSecurityGroup", actions=["ec2:CreateSecurityGroup"], resources=["*"]),
        Statement(sid="TagNewSecurityGroups", actions=["ec2:CreateTags"],
                  resources=[f"arn:{ctx.partition}:ec2:*:*:security-group/*"],
                  conditions=[Condition("StringEquals", "ec2:CreateAction", ["CreateSecurityGroup"]),
                              Condition("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", ["false"])]),
        Statement(sid="RetagOwnSecurityGroups", actions=["ec2:CreateTags", "ec2:DeleteTags"],
                  resources=[f"arn:{ctx.partition}:ec2:*:*:security-group/*"],
                  conditions=[Condition("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", ["true"]),
                              Condition("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", ["false"])]),
        Statement(sid="ManageOwnSecurityGroups", resources=["*"],
                  actions=["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
                  conditions=[Condition("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", ["false"])]),
        Statement(sid="CreateTaggedLoadBalancers", resources=["*"],
                  actions=["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                  conditions=[Condition("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", ["false"])]),
        Statement(sid="ListenersAndRules", resources=["*"], actions=[
            "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"]),
        Statement(sid="RetagOwnLoadBalancers", actions=["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                  resources=[elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")],
                  conditions=[Condition("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", ["true"]),
                              Condition("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", ["false"])]),
        Statement(sid="TagListenersAndRules", actions=["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                  resources=[elb("listener/net/*/*/*"), elb("listener/app/*/*/*"),
                             elb("listener-rule/net/*/*/*"), elb("listener-rule/app/*/*/*")]),
        Statement(sid="ModifyOwnLoadBalancers", resources=["*"], actions=[
            "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
            "elasticloadbalancing:ModifyIpPools"],
            conditions=[Condition("Null", "aws:ResourceTag/elbv2.k8s.aws/cluster", ["false"])]),
        Statement(sid="TagOnCreate", actions=["elasticloadbalancing:AddTags"],
                  resources=[elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")],
                  conditions=[Condition("StringEquals", "elasticloadbalancing:CreateAction",
                                        ["CreateTargetGroup", "CreateLoadBalancer"]),
                              Condition("Null", "aws:RequestTag/elbv2.k8s.aws/cluster", ["false"])]),
        Statement(sid="Targets", actions=["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                  resources=[elb("targetgroup/*/*")]),
        Statement(sid="ListenerSettings", resources=["*"], actions=[
            "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:ModifyRule"]),
    ]


def values(*, cluster_name: str, region: str, vpc_id: str, replicas: int, size: ComponentSize) -> Values:
    # Region and VPC id given explicitly: with IMDS hop limit 1 the pods cannot look them up.
    return {
        "clusterName": cluster_name, "region": region, "vpcId": vpc_id, "replicaCount": replicas,
        "serviceAccount": {"create": True, "name": LoadBalancerController.service_account},
        "resources": resources(size.containers["aws-load-balancer-controller"]),
        # The chart creates the budget only for more than one replica.
        "podDisruptionBudget": disruption_budget(replicas) or {},
        "topologySpreadConstraints": spread(SELECTOR, replicas),
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    size = helm.size(RELEASE, "controller")
    return [Workload("aws-load-balancer-controller", f"helm.sizes.{RELEASE}.controller", "Deployment", containers(size),
                     replicas=helm.aws_load_balancer_controller.replicas, system=True)]


class LoadBalancerController(Addon):
    """:param cluster: the cluster (its name, VPC). :param helm: the ``helm`` config section
    (version, replicas, sizes). :param region: AWS region. :param timeout_seconds: Helm wait."""

    source = ChartSource("https://aws.github.io/eks-charts", "aws-load-balancer-controller")
    namespace = "kube-system"
    service_account = "aws-load-balancer-controller"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, helm: HelmConfig, region: str,
                 timeout_seconds: int) -> None:
        chart = helm.aws_load_balancer_controller
        super().__init__(scope, id_, cluster=cluster, version=chart.version, timeout_seconds=timeout_seconds,
                         statements=policy(AwsContext.of(scope)),
                         values=values(cluster_name=cluster.name, region=region, vpc_id=cluster.vpc_id,
                                       replicas=chart.replicas, size=helm.size(RELEASE, "controller")))
