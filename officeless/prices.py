"""The price table of ``make cost`` (issue #33, item 1): on-demand list prices in USD, per region.

One home for every price the estimate uses. Each names the provider's page that publishes it and
the day it was recorded here. This machine cannot reach those pages (their tables are rendered
from the AWS Price List API): the figures were taken from the pages' published rates and worked
examples as quoted elsewhere on or before the day given, and cross-checked where a second quote
existed (``via``). Recheck one before relying on it::

    aws pricing get-products --region us-east-1 --service-code AmazonEC2 \\
      --filters Type=TERM_MATCH,Field=instanceType,Value=t3.xlarge Type=TERM_MATCH,Field=location,Value="US East (N. Virginia)"

A resource type the table does not price is listed by ``make cost`` as unpriced, never as free:
only ``FREE`` (types AWS does not bill, or bills through another line) are left out silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

# AWS prices by the hour and quotes months as 730 hours (its pricing examples and calculator).
HOURS_PER_MONTH = 730
RECORDED = "2026-12-02"


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str  # what one usd buys: "hour", "GB-month", "month", "GB", "LCU-hour"
    source: str  # the provider's page that publishes it
    via: str = ""  # where the figure was confirmed, when not on the page itself

    def monthly(self, quantity: float = 1.0) -> float:
        """USD per month for ``quantity`` of the unit (hourly prices run 730 hours)."""
        hours = HOURS_PER_MONTH if self.unit.endswith("hour") else 1
        return self.usd * quantity * hours


_EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, US East (N. Virginia))"
_CACHE = "https://aws.amazon.com/elasticache/pricing/ (on-demand nodes, US East (N. Virginia))"
_VALKEY = ("Valkey nodes are listed 20% below Redis OSS on the same node type "
           "(https://aws.amazon.com/elasticache/pricing/, Valkey tab); the Redis OSS rate is in the note")

US_EAST_1: Mapping[str, Price] = MappingProxyType({
    # Amazon EKS: the cluster hour, by the support period its Kubernetes minor is in (versions.py).
    "eks.standard": Price(0.10, "hour", "https://aws.amazon.com/eks/pricing/"),
    "eks.extended": Price(0.60, "hour", "https://aws.amazon.com/eks/pricing/",
                          via="AWS's extended-support notice to account holders: '$0.60 per cluster hour'"),
    # EC2 instances, Linux on-demand. Karpenter's families are priced through their .large/.medium.
    "ec2.t3.medium": Price(0.0416, "hour", _EC2),
    "ec2.t3.large": Price(0.0832, "hour", _EC2),
    "ec2.t3.xlarge": Price(0.1664, "hour", _EC2, via="twice t3.large: the T3 family is priced linearly in size"),
    "ec2.t3a.medium": Price(0.0376, "hour", _EC2),
    "ec2.t2.medium": Price(0.0464, "hour", _EC2),
    "ec2.m5.large": Price(0.096, "hour", _EC2),
    "ec2.m6i.large": Price(0.096, "hour", _EC2),
    "ec2.c5.large": Price(0.085, "hour", _EC2),
    # EC2 detailed monitoring (monitoring = true): 7 metrics an instance at the custom-metric rate.
    "cloudwatch.metric": Price(0.30, "month", "https://aws.amazon.com/cloudwatch/pricing/ (first 10,000 metrics)"),
    # EBS volumes.
    "ebs.gp3": Price(0.08, "GB-month", "https://aws.amazon.com/ebs/pricing/ (gp3 storage; 3,000 IOPS and "
                     "125 MB/s included)"),
    "ebs.gp2": Price(0.10, "GB-month", "https://aws.amazon.com/ebs/pricing/"),
    # VPC.
    "nat.hour": Price(0.045, "hour", "https://aws.amazon.com/vpc/pricing/ (NAT gateway)"),
    "nat.gb": Price(0.045, "GB", "https://aws.amazon.com/vpc/pricing/ (NAT gateway data processing)"),
    "ipv4.hour": Price(0.005, "hour", "https://aws.amazon.com/vpc/pricing/ (public IPv4 address, in use or idle, "
                       "since 2024-02-01)"),
    "endpoint.interface.hour": Price(0.01, "hour", "https://aws.amazon.com/privatelink/pricing/ (interface "
                                     "endpoint, per AZ)"),
    # Elastic Load Balancing: the Application Load Balancer's hour and its capacity units.
    "alb.hour": Price(0.0225, "hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"),
    "alb.lcu": Price(0.008, "LCU-hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"),
    # ElastiCache for Valkey nodes.
    "elasticache.valkey.cache.r7g.large": Price(0.1752, "hour", _CACHE, via=f"{_VALKEY}: $0.219"),
    "elasticache.valkey.cache.t4g.small": Price(0.0256, "hour", _CACHE, via=f"{_VALKEY}: $0.032"),
    # Keys, secrets, logs.
    "kms.key": Price(1.00, "month", "https://aws.amazon.com/kms/pricing/ (customer managed key; each automatic "
                     "rotation adds $1 a month for the first two)"),
    "secretsmanager.secret": Price(0.40, "month", "https://aws.amazon.com/secrets-manager/pricing/"),
    "logs.ingest": Price(0.50, "GB", "https://aws.amazon.com/cloudwatch/pricing/ (Logs, standard class, "
                         "collect; vended VPC flow logs start at the same rate)"),
    "logs.store": Price(0.03, "GB-month", "https://aws.amazon.com/cloudwatch/pricing/ (Logs, store)"),
    # Storage billed by use.
    "s3.standard": Price(0.023, "GB-month", "https://aws.amazon.com/s3/pricing/ (S3 Standard, first 50 TB)"),
    "efs.standard": Price(0.30, "GB-month", "https://aws.amazon.com/efs/pricing/ (Standard storage)"),
    "backup.efs": Price(0.05, "GB-month", "https://aws.amazon.com/backup/pricing/ (EFS backup, warm storage)"),
    "ecr.storage": Price(0.10, "GB-month", "https://aws.amazon.com/ecr/pricing/"),
})

# Region -> prices. A region missing here is refused by ``make cost`` with the regions it knows.
AWS: Mapping[str, Mapping[str, Price]] = MappingProxyType({"us-east-1": US_EAST_1})

# Resource types AWS does not bill, or bills through another line of the estimate (named).
FREE = frozenset({
    "aws_vpc", "aws_subnet", "aws_route", "aws_route_table", "aws_route_table_association", "aws_internet_gateway",
    "aws_default_security_group", "aws_security_group", "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_flow_log",  # billed as its log group's ingestion
    "aws_eip_association", "aws_volume_attachment", "aws_iam_instance_profile",
    "aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_openid_connect_provider",
    "aws_kms_alias",
    "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_logging", "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_launch_template",  # its volumes are billed with the node group's nodes
    "aws_eks_addon", "aws_eks_pod_identity_association", "aws_eks_access_entry", "aws_eks_access_policy_association",
    "aws_elasticache_parameter_group", "aws_elasticache_subnet_group",
    "aws_secretsmanager_secret_version",  # billed with its secret
    "aws_efs_mount_target", "aws_efs_backup_policy",
    "aws_backup_vault", "aws_backup_selection", "aws_backup_plan",  # billed as backup storage of what they protect
    "aws_ecr_lifecycle_policy", "aws_ecr_pull_through_cache_rule", "aws_ecr_repository_policy",
    "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target",  # Karpenter's interruption events: AWS service events
    # Karpenter's interruption queue: a few messages a day, inside SQS's million free requests a month.
    "aws_sqs_queue", "aws_sqs_queue_policy",
    "aws_ec2_tag", "aws_iam_policy", "aws_ecr_repository_creation_template",
    # On-demand DynamoDB lock table: a few requests a deploy; its storage stays inside the 25 GB free tier.
    "aws_dynamodb_table",
    # Kubernetes objects cost what their pods and load balancers do (load balancers are read from the releases).
    "helm_release", "kubernetes_namespace_v1", "kubernetes_network_policy_v1", "kubernetes_role_binding_v1",
    "kubernetes_cluster_role_binding_v1", "kubernetes_config_map_v1_data", "kubernetes_limit_range_v1",
    "kubernetes_resource_quota_v1", "kubernetes_storage_class_v1", "kubernetes_role_v1", "kubernetes_cluster_role_v1",
    "kubernetes_service_account_v1", "kubernetes_manifest",
})
