"""What AWS accepts, where AWS would otherwise refuse halfway through ``terraform apply``.

One small table, each part with its source. Config validation reads it; nothing else in the
project types these limits.
"""

from __future__ import annotations

import re

# --- Regions and availability zones --------------------------------------------------------------
# https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html and
# .../aws-availability-zones.html. Zone letters map to physical zones per account, and a few
# regions skip letters for newer accounts (ap-northeast-1 has no b, ca-central-1 no c): the letters
# below are every one that exists in the region.
REGIONS: dict[str, str] = {
    "us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "abc", "us-west-2": "abcd",
    "af-south-1": "abc", "ap-east-1": "abc", "ap-east-2": "abc", "ap-south-1": "abc", "ap-south-2": "abc",
    "ap-southeast-1": "abc", "ap-southeast-2": "abc", "ap-southeast-3": "abc", "ap-southeast-4": "abc",
    "ap-southeast-5": "abc", "ap-southeast-7": "abc", "ap-northeast-1": "acd", "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc", "ca-central-1": "abd", "ca-west-1": "abc", "eu-central-1": "abc", "eu-central-2": "abc",
    "eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc", "eu-south-1": "abc", "eu-south-2": "abc",
    "eu-north-1": "abc", "il-central-1": "abc", "me-south-1": "abc", "me-central-1": "abc", "mx-central-1": "abc",
    "sa-east-1": "abc",
}

# --- EC2 instance types --------------------------------------------------------------------------
# https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html and each family's
# page: family -> (architecture, the sizes it is sold in). Graviton ("g" in the attributes) is arm64.
_T = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge")
_GP = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
INSTANCE_FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "t2": ("x86_64", _T), "t3": ("x86_64", _T), "t3a": ("x86_64", _T), "t4g": ("arm64", _T),
    **{f: ("x86_64", _GP) for f in ("m5", "m5a", "m6i", "m6a", "m7i", "m7a", "c5", "c5a", "c6i", "c6a", "c7i", "c7a",
                                    "r5", "r5a", "r6i", "r6a", "r7i", "r7a")},
    **{f: ("arm64", (*_GP[:-1], "medium")) for f in ("m6g", "m7g", "c6g", "c7g", "r6g", "r7g")},
}


def instance_architecture(instance_type: str) -> str | None:
    """``x86_64``/``arm64`` for an instance type this table knows, else None (it does not exist)."""
    family, _, size = instance_type.partition(".")
    known = INSTANCE_FAMILIES.get(family)
    return known[0] if known and size in known[1] else None


# ElastiCache node types: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
CACHE_NODE_TYPES = frozenset({
    *(f"cache.t4g.{s}" for s in ("micro", "small", "medium")), *(f"cache.t3.{s}" for s in ("micro", "small", "medium")),
    *(f"cache.{f}.{s}" for f in ("m6g", "m7g", "r6g", "r7g") for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")),
    *(f"cache.{f}.{s}" for f in ("m5", "r5") for s in ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")),
})

# --- Names and tags ------------------------------------------------------------------------------
IAM_ROLE_NAME_MAX = 64  # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
REPLICATION_GROUP_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")  # ElastiCache: a letter first, no -- or trailing -
REPLICATION_GROUP_ID_MAX = 40  # https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html
DYNAMODB_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")  # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
TAGS_MAX = 50  # user tags per resource: https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html
TAG_VALUE_MAX = 256
HELM_RELEASE_NAME_MAX = 53  # https://helm.sh/docs/chart_template_guide/getting_started/ (release names: 53 characters)

# --- Counts --------------------------------------------------------------------------------------
# Kubernetes' scalability limits: at most 5,000 nodes and 150,000 pods per cluster
# (https://kubernetes.io/docs/setup/best-practices/cluster-large/). Every node count (a node group's
# sizes, the nodes Karpenter's CPU limit allows) and every pod count (replicas, a quota's pods) is
# bounded by them, so no setting asks for a cluster Kubernetes does not support.
MAX_NODES = 5000
MAX_PODS = 150_000
# A managed node group's update: at most 100 nodes unavailable at once (EKS API,
# NodegroupUpdateConfig.maxUnavailable: https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupUpdateConfig.html).
MAX_UNAVAILABLE = 100

# --- VPC sizes -----------------------------------------------------------------------------------
# https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html: a VPC or subnet IPv4 block
# is between /16 and /28.
VPC_PREFIX_RANGE = (16, 28)
# AWS keeps the first four and the last address of every subnet:
# https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
SUBNET_RESERVED_ADDRESSES = 5
# Addresses internal load balancers take in a private subnet: an ALB needs at least 8 free
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer).
LOAD_BALANCER_ADDRESSES = 8

# --- ElastiCache windows -------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html and
# .../maintenance-window.html: each window lasts at least 60 minutes; the snapshot window must not
# overlap the maintenance window.
WINDOW_MINUTES_MIN = 60

# Engine parameters a Valkey 7.2/8.x parameter group accepts (the ones an operator tunes):
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html
VALKEY_PARAMETERS = frozenset({
    "maxmemory-policy", "maxmemory-samples", "timeout", "tcp-keepalive", "notify-keyspace-events", "maxclients",
    "slowlog-log-slower-than", "slowlog-max-len", "lua-time-limit", "busy-reply-threshold", "lfu-log-factor",
    "lfu-decay-time", "activedefrag", "active-defrag-cycle-min", "active-defrag-cycle-max", "active-defrag-threshold-lower",
    "active-defrag-threshold-upper", "active-defrag-ignore-bytes", "active-defrag-max-scan-fields", "hash-max-listpack-entries",
    "hash-max-listpack-value", "list-max-listpack-size", "set-max-intset-entries", "set-max-listpack-entries",
    "zset-max-listpack-entries", "zset-max-listpack-value", "reserved-memory-percent", "cluster-enabled",
    "close-on-replica-write", "latency-tracking", "lazyfree-lazy-eviction", "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "replica-lazy-flush",
    "cluster-allow-reads-when-down", "cluster-allow-pubsubshard-when-down",
})
MAXMEMORY_POLICIES = ("volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random",
                      "volatile-ttl", "noeviction")

# --- VPC interface endpoints ---------------------------------------------------------------------
# https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html: the
# services (com.amazonaws.<region>.<name>) this platform's nodes and controllers call, each offered
# as an interface endpoint in every region of REGIONS. S3 is not here: it gets the (free) gateway
# endpoint. Price: https://aws.amazon.com/privatelink/pricing/ (us-east-1: $0.01 per endpoint per AZ
# per hour, $0.01 per GB processed).
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "sts", "logs", "ec2", "elasticloadbalancing", "autoscaling",
                               "ssm", "ssmmessages", "ec2messages", "secretsmanager", "kms", "sqs", "eks", "eks-auth",
                               "monitoring")
INTERFACE_ENDPOINT_HOURLY_USD = 0.01  # per endpoint per AZ, us-east-1

# --- AWS Backup ----------------------------------------------------------------------------------
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html and
# .../plan-options-and-configuration.html: a start window of at least 60 minutes, snapshots at most
# hourly, retention up to 100 years; vault names 2-50 of [A-Za-z0-9_-]
# (.../API_CreateBackupVault.html); vault lock: changeable for at least 3 days
# (.../API_PutBackupVaultLockConfiguration.html).
BACKUP_START_WINDOW_MIN = 60
BACKUP_RETENTION_MAX_DAYS = 36500
BACKUP_VAULT_NAME = re.compile(r"[A-Za-z0-9_-]{2,50}")
BACKUP_LOCK_CHANGEABLE_MIN_DAYS = 3

# --- ECR -----------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html: 2-256
# characters, lower case, components separated by / and each of [a-z0-9] with . _ - inside.
ECR_REPOSITORY_NAME = re.compile(r"(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*")
# Pull-through cache upstreams (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html):
# name -> (registry URL, whether AWS requires credentials in Secrets Manager).
PULL_THROUGH_UPSTREAMS = {
    "docker-hub": ("registry-1.docker.io", True),
    "github": ("ghcr.io", True),
    "quay": ("quay.io", False),
    "kubernetes": ("registry.k8s.io", False),
    "ecr-public": ("public.ecr.aws", False),
}
# Credentials of an upstream must live in a secret whose name starts with this prefix.
PULL_THROUGH_SECRET_PREFIX = "ecr-pullthroughcache/"
