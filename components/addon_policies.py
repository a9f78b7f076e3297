"""IAM statements for the Pod Identity roles of the cluster addons and observability stack.

Each function returns the narrowest statements its workload needs. Where AWS cannot
scope an action to a resource (Describe*/List* calls, resources the controller creates with
names it does not know yet), ``Resource: "*"`` remains and the mutating actions carry
tag conditions instead, as the upstream policies do.
"""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.iam import Condition, Statement



def load_balancer_controller(ctx: AwsContext) -> list[Statement]:
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


def cluster_autoscaler(ctx: AwsContext, cluster_name: str) -> list[Statement]:
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


def bucket_access(bucket_arns: Sequence[str], kms_key_arn: str | None) -> list[Statement]:
    """Read/write objects in exactly these buckets, and use their KMS key."""
    statements = [
        Statement(sid="ListTheBuckets", actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=list(bucket_arns)),
        Statement(sid="ObjectsInTheBuckets", actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                  resources=[f"{arn}/*" for arn in bucket_arns]),
    ]
    if kms_key_arn is not None:
        statements.append(Statement(sid="UseTheBucketKey", actions=["kms:Decrypt", "kms:GenerateDataKey"],
                                    resources=[kms_key_arn]))
    return statements


def secrets_reader(ctx: AwsContext, prefix: str) -> list[Statement]:
    """Read the secrets named ``<prefix>/...`` and decrypt them through Secrets Manager only."""
    secrets = ctx.arn("secretsmanager", f"secret:{prefix}/*")
    return [
        Statement(sid="ReadEnvironmentSecrets", actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                  resources=[secrets]),
        Statement(sid="DecryptThemViaSecretsManager", actions=["kms:Decrypt"], resources=["*"],
                  conditions=[Condition("StringEquals", "kms:ViaService", [f"secretsmanager.{ctx.region}.amazonaws.com"]),
                              Condition("ArnLike", "kms:EncryptionContext:SecretARN", [secrets])]),
    ]
