"""Names the stacks give AWS resources, in one place so config validation checks the same names
the components create (IAM role names, for one, must fit 64 characters)."""

from __future__ import annotations

# Every stack the app can build (each stack module's NAME; a test keeps the two equal). Config
# validation checks, e.g., that each gets a valid Terraform Cloud workspace name.
STACK_NAMES = ("00-state", "00-tfc-iam", "00-tfc-workspaces", "01-vpc", "02-eks", "03-s3", "04-ec2", "05-helm",
               "06-access", "07-valkey", "08-platform", "09-backup", "10-ecr")


def tfc_role(project: str, environment: str, phase: str) -> str:
    """The role Terraform Cloud runs of ``environment`` assume in ``phase`` (plan or apply)."""
    return f"{project}-{environment}-tfc-{phase}"


# Addons that get a Pod Identity role named <cluster>-<addon> (components/addons/base.py, 02-eks).
ADDONS_WITH_ROLES = ("aws-load-balancer-controller", "cluster-autoscaler", "aws-efs-csi-driver", "ebs-csi-driver",
                     "mimir", "loki", "tempo", "karpenter", "external-secrets")


def cluster_role(cluster: str) -> str:
    return f"{cluster}-cluster"


def node_role(cluster: str, node_group: str) -> str:
    return f"{cluster}-{node_group}-node"


def karpenter_node_role(cluster: str) -> str:
    """The role of the nodes Karpenter launches (02-eks, beside the managed groups' roles)."""
    return f"{cluster}-karpenter-node"


def addon_role(cluster: str, addon: str) -> str:
    if addon not in ADDONS_WITH_ROLES:
        raise ValueError(f"{addon!r} is not in officeless.names.ADDONS_WITH_ROLES; add it there so config checks its role name")
    return f"{cluster}-{addon}"


def secrets_reader_role(cluster: str, namespace: str, service_account: str) -> str:
    return f"{cluster}-secrets-{namespace}-{service_account}"


def tenant_store_role(cluster: str, tenant: str) -> str:
    """The role a tenant's SecretStore authenticates as (08-platform)."""
    return f"{cluster}-store-{tenant}"


def tenant_store_release(tenant: str) -> str:
    """The Helm release of a tenant's SecretStore (08-platform, in namespace external-secrets)."""
    return f"secret-store-{tenant}"


def flow_logs_role(vpc_name: str) -> str:
    return f"{vpc_name}-flow-logs"


# AWS Backup (09-backup) selects what it backs up by this tag; the stacks that own volumes and file
# systems set it (02-eks on EFS, 04-ec2 on the VPN server's volumes, 05-helm through the gp3
# storage class on every volume the EBS CSI driver creates).
BACKUP_TAG = "backup-plan"


def backup_plan(project: str, environment: str) -> str:
    """The plan's name, and the value of BACKUP_TAG on everything it covers."""
    return f"{project}-{environment}"


def backup_role(project: str, environment: str) -> str:
    return f"{project}-{environment}-backup"
