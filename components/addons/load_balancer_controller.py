"""AWS Load Balancer Controller: ALBs for Ingresses and NLBs for Services, in kube-system.

Its webhook must answer before anything creates a Service or Ingress, so every other release
waits for this one.
"""

from __future__ import annotations

from typing import Sequence

from components.addons import ingress_classes
from components.addons.base import Addon
from components.addons.common import Values, containers, disruption_budget, resources, spread, system_tolerations
from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from components.iam import Condition, Statement
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.platform_services import IngressConfig
from officeless.config.sizes import ComponentSize
from officeless.tf import Construct, core

RELEASE = "aws-load-balancer-controller"
SELECTOR = {"app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": RELEASE}


CLUSTER_TAG = "elbv2.k8s.aws/cluster"  # the controller tags what it creates with <tag> = <cluster name>


def policy(ctx: AwsContext, *, cluster_name: str, vpc_id: str) -> list[Statement]:
    """AWS Load Balancer Controller v2.12 (chart 1.12), after the project's docs/install/iam_policy.json
    https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v2.12.0/docs/install/iam_policy.json
    narrowed to this cluster, VPC, account and region:

    - Security-group rule changes only on groups in this VPC (``ec2:Vpc``). Not by tag: the
      controller also opens the node security group EKS created, which carries no controller tag.
    - Security groups, load balancers and target groups created, retagged, modified and deleted
      only when their ``elbv2.k8s.aws/cluster`` tag *equals this cluster's name*; upstream only
      asks that the tag exists, so any cluster's controller could change another's.
    - Listeners, rules and targets stay as upstream (unconditioned): listeners and rules carry no
      cluster tag to condition on. They are confined to this account and region's ARNs.
    """
    elb = lambda kind: ctx.arn("elasticloadbalancing", kind)  # noqa: E731
    security_groups = ctx.arn("ec2", "security-group/*")
    this_cluster = lambda key: Condition("StringEquals", key, [cluster_name])  # noqa: E731
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
        Statement(sid="SecurityGroupRulesInThisVpc", resources=[security_groups],
                  actions=["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                  conditions=[Condition("ArnEquals", "ec2:Vpc", [ctx.arn("ec2", f"vpc/{vpc_id}")])]),
        # CreateSecurityGroup authorizes against the VPC and the new group: this VPC only, and
        # the new group must be tagged for this cluster.
        Statement(sid="CreateSecurityGroupInThisVpc", actions=["ec2:CreateSecurityGroup"],
                  resources=[ctx.arn("ec2", f"vpc/{vpc_id}")]),
        Statement(sid="CreateSecurityGroupForThisCluster", actions=["ec2:CreateSecurityGroup"], resources=[security_groups],
                  conditions=[this_cluster(f"aws:RequestTag/{CLUSTER_TAG}")]),
        Statement(sid="TagNewSecurityGroups", actions=["ec2:CreateTags"], resources=[security_groups],
                  conditions=[Condition("StringEquals", "ec2:CreateAction", ["CreateSecurityGroup"]),
                              this_cluster(f"aws:RequestTag/{CLUSTER_TAG}")]),
        Statement(sid="RetagOwnSecurityGroups", actions=["ec2:CreateTags", "ec2:DeleteTags"], resources=[security_groups],
                  conditions=[Condition("Null", f"aws:RequestTag/{CLUSTER_TAG}", ["true"]),
                              this_cluster(f"aws:ResourceTag/{CLUSTER_TAG}")]),
        Statement(sid="DeleteOwnSecurityGroups", resources=[security_groups], actions=["ec2:DeleteSecurityGroup"],
                  conditions=[this_cluster(f"aws:ResourceTag/{CLUSTER_TAG}")]),
        Statement(sid="CreateLoadBalancersForThisCluster", resources=["*"],
                  actions=["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                  conditions=[this_cluster(f"aws:RequestTag/{CLUSTER_TAG}")]),
        Statement(sid="ListenersAndRules", resources=[elb("loadbalancer/*"), elb("listener/*"), elb("listener-rule/*")],
                  actions=["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                           "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"]),
        Statement(sid="RetagOwnLoadBalancers", actions=["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                  resources=[elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")],
                  conditions=[Condition("Null", f"aws:RequestTag/{CLUSTER_TAG}", ["true"]),
                              this_cluster(f"aws:ResourceTag/{CLUSTER_TAG}")]),
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
            conditions=[this_cluster(f"aws:ResourceTag/{CLUSTER_TAG}")]),
        Statement(sid="TagOnCreate", actions=["elasticloadbalancing:AddTags"],
                  resources=[elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")],
                  conditions=[Condition("StringEquals", "elasticloadbalancing:CreateAction",
                                        ["CreateTargetGroup", "CreateLoadBalancer"]),
                              this_cluster(f"aws:RequestTag/{CLUSTER_TAG}")]),
        Statement(sid="Targets", actions=["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                  resources=[elb("targetgroup/*/*")]),
        Statement(sid="ListenerSettings", resources=[elb("loadbalancer/*"), elb("listener/*"), elb("listener-rule/*")],
                  actions=["elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
                           "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
                           "elasticloadbalancing:ModifyRule"]),
    ]


def values(*, cluster_name: str, region: str, vpc_id: str, replicas: int, size: ComponentSize,
           ingress: IngressConfig, tolerate_system_taint: bool = False) -> Values:
    # Region and VPC id given explicitly: with IMDS hop limit 1 the pods cannot look them up.
    return {
        "clusterName": cluster_name, "region": region, "vpcId": vpc_id, "replicaCount": replicas,
        "serviceAccount": {"create": True, "name": LoadBalancerController.service_account},
        "resources": resources(size.containers["aws-load-balancer-controller"]),
        # The chart creates the budget only for more than one replica.
        "podDisruptionBudget": disruption_budget(replicas) or {},
        "topologySpreadConstraints": spread(SELECTOR, replicas),
        **system_tolerations(tolerate_system_taint),
        # Its IngressClass alb is the public class (components/addons/ingress_classes.py).
        **ingress_classes.controller_values(cluster_name=cluster_name, config=ingress),
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    size = helm.size(RELEASE, "controller")
    return [Workload("aws-load-balancer-controller", f"helm.sizes.{RELEASE}.controller", "Deployment", containers(size),
                     replicas=helm.aws_load_balancer_controller.replicas, system=True,
                     replicas_field="helm.aws_load_balancer_controller.replicas")]


class LoadBalancerController(Addon):
    """:param cluster: the cluster (its name, VPC). :param helm: the ``helm`` config section
    (version, replicas, sizes). :param region: AWS region. :param timeout_seconds: Helm wait.
    :param ingress: the ``ingress`` section (the public class this release creates).
    :param tolerate_system_taint: run on a system node group too. Default False.
    :param depends_on: what must exist before it starts (the Gateway API CRDs it looks for). Default: nothing."""

    source = ChartSource("https://aws.github.io/eks-charts", "aws-load-balancer-controller")
    namespace = "kube-system"
    service_account = "aws-load-balancer-controller"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, helm: HelmConfig, region: str,
                 timeout_seconds: int, ingress: IngressConfig, tolerate_system_taint: bool = False,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        chart = helm.aws_load_balancer_controller
        super().__init__(scope, id_, cluster=cluster, version=chart.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on,
                         statements=policy(AwsContext.of(scope), cluster_name=cluster.name, vpc_id=cluster.vpc_id),
                         values=values(cluster_name=cluster.name, region=region, vpc_id=cluster.vpc_id,
                                       replicas=chart.replicas, size=helm.size(RELEASE, "controller"),
                                       ingress=ingress, tolerate_system_taint=tolerate_system_taint))
