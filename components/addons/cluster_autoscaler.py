"""Cluster Autoscaler: grows and shrinks the managed node groups' auto scaling groups."""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, resources, system_tolerations
from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from components.iam import Condition, Statement
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.sizes import ComponentSize
from officeless.tf import Construct, core

RELEASE = "cluster-autoscaler"


def policy(ctx: AwsContext, cluster_name: str) -> list[Statement]:
    """Reads anywhere (Describe* cannot be scoped); scales and terminates only in the node
    groups tagged ``k8s.io/cluster-autoscaler/<cluster> = owned`` (the managed node group's
    auto scaling groups). After the autoscaler's AWS README, "Full Cluster Autoscaler Features Policy"."""
    return [
        Statement(sid="Discover", resources=["*"], actions=[
            "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements"]),
        Statement(sid="DescribeThisClustersNodeGroups", actions=["eks:DescribeNodegroup"],
                  resources=[ctx.arn("eks", f"nodegroup/{cluster_name}/*/*")]),
        Statement(sid="ScaleOnlyThisClustersNodeGroups",
                  actions=["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                  resources=[ctx.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")],
                  conditions=[Condition("StringEquals", f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}", ["owned"])]),
    ]


def values(*, cluster_name: str, region: str, image_tag: str, size: ComponentSize, tolerate_system_taint: bool = False) -> Values:
    return {
        # The autoscaler's minor must match the cluster's; the chart's default follows the chart.
        "image": {"tag": image_tag},
        "autoDiscovery": {"clusterName": cluster_name},
        "awsRegion": region,
        "rbac": {"serviceAccount": {"create": True, "name": ClusterAutoscaler.service_account}},
        "extraArgs": {"balance-similar-node-groups": True, "expander": "least-waste"},
        "resources": resources(size.containers["aws-cluster-autoscaler"]),
        # The chart's own budget (maxUnavailable 1) stays.
        **system_tolerations(tolerate_system_taint),
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    size = helm.size(RELEASE, "controller")
    return [Workload("cluster-autoscaler", f"helm.sizes.{RELEASE}.controller", "Deployment", containers(size),
                     replicas=size.replicas, system=True)]


class ClusterAutoscaler(Addon):
    """:param image_tag: the autoscaler image for the cluster's minor (the version table's).
    :param tolerate_system_taint: run on a system node group too. Default False."""

    source = ChartSource("https://kubernetes.github.io/autoscaler", "cluster-autoscaler")
    namespace = "kube-system"
    service_account = "cluster-autoscaler"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, helm: HelmConfig, region: str,
                 image_tag: str, timeout_seconds: int, depends_on: list[core.ITerraformDependable],
                 tolerate_system_taint: bool = False) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.cluster_autoscaler.version,
                         timeout_seconds=timeout_seconds, depends_on=depends_on,
                         statements=policy(AwsContext.of(scope), cluster.name),
                         values=values(cluster_name=cluster.name, region=region, image_tag=image_tag,
                                       size=helm.size(RELEASE, "controller"), tolerate_system_taint=tolerate_system_taint))
