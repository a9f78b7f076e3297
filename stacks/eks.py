"""02-eks: the cluster, its node groups and addons, Pod Identity for EBS CSI, shared EFS, Karpenter's AWS side."""

from __future__ import annotations

from components.ecr import PullThroughCacheAccess
from components.efs import SharedFileSystem
from components.eks_addon import EksAddon
from components.eks_cluster import EksCluster
from components.karpenter import KarpenterInfrastructure
from components.network import Network
from components.node_group import ManagedNodeGroup
from components.pod_identity import PodIdentityRole
from officeless import names
from officeless.config.eks import BEFORE_COMPUTE_ADDONS, LEGACY_NODE_GROUP
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "02-eks"


class EksStack(PlatformStack):
    """:param network: 01-vpc's network; its attributes become cross-stack references."""

    def __init__(self, scope: Construct, *, config: PlatformConfig, network: Network) -> None:
        super().__init__(scope, NAME, config=config)
        eks = config.eks
        self.cluster = EksCluster(self, "eks", config=eks, vpc_id=network.vpc_id, vpc_cidr_block=network.vpc_cidr_block,
                                  subnet_ids=network.private_subnet_ids)
        cluster = self.cluster

        # vpc-cni and the pod-identity agent first: a node that boots without the CNI never
        # becomes Ready, and pods scheduled before the agent runs get no credentials.
        # The VPC CNI enforces NetworkPolicy objects (06-access's tenant policies) only with its
        # network policy agent on: https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
        settings = {"vpc-cni": {"enableNetworkPolicy": "true"} if eks.network_policy else None}
        before = [EksAddon(self, f"addon-{name}", cluster=cluster, name=name, version=eks.addon_version(name),
                           configuration=settings.get(name))
                  for name in BEFORE_COMPUTE_ADDONS]
        # worker-nodes keeps the id it had when it was the only group ("nodes"): a new id would
        # replace the running group.
        self.node_groups = {
            group: ManagedNodeGroup(self, "nodes" if group == LEGACY_NODE_GROUP else f"nodes-{group}", cluster=cluster,
                                    subnet_ids=network.private_subnet_ids, name=group, config=group_config,
                                    kubernetes_version=eks.node_kubernetes_version(group),
                                    autoscaled=config.helm.cluster_autoscaler.enabled,
                                    depends_on=[a.resource for a in before])
            for group, group_config in eks.node_groups.items()
        }
        nodes = [g.resource for g in self.node_groups.values()]

        # coredns and ebs-csi run as Deployments: created before any node exists they would
        # wait (and Terraform with them) until they time out, so they come after the nodes.
        self.ebs_csi_identity = PodIdentityRole(
            self, "ebs-csi-identity", cluster=cluster, namespace="kube-system",
            service_account="ebs-csi-controller-sa", role_name=names.addon_role(cluster.name, "ebs-csi-driver"),
            managed_policies=["service-role/AmazonEBSCSIDriverPolicy"],
        )
        for name in ("kube-proxy", "coredns"):
            EksAddon(self, f"addon-{name}", cluster=cluster, name=name, version=eks.addon_version(name),
                     depends_on=nodes)
        EksAddon(self, "addon-aws-ebs-csi-driver", cluster=cluster, name="aws-ebs-csi-driver",
                 version=eks.addon_version("aws-ebs-csi-driver"),
                 depends_on=[*nodes, self.ebs_csi_identity.association])

        self.efs = SharedFileSystem(
            self, "efs", config=eks.efs, vpc_id=network.vpc_id, subnets=network.private_subnet_ids_by_az,
            client_security_group_id=self.cluster.cluster_primary_security_group_id,
            kms_key_arn=self.cluster.kms_key.key_arn if self.cluster.kms_key else None, prevent_destroy=eks.prevent_destroy,
            backup_plan=config.backup_plan_name,
        )

        # Karpenter's roles, queue and discovery tag; the controller itself is 05-helm's.
        self.karpenter: KarpenterInfrastructure | None = None
        if config.karpenter.enabled:
            self.karpenter = KarpenterInfrastructure(self, "karpenter", cluster=cluster,
                                                     node_security_group_id=cluster.cluster_primary_security_group_id,
                                                     access_entry=eks.uses_access_entries)

        # One per node group, and Karpenter's; 06-access maps each in aws-auth (CONFIG_MAP modes).
        self.node_role_arns = [g.role_arn for g in self.node_groups.values()]
        if self.karpenter:
            self.node_role_arns.append(self.karpenter.node_role_arn)

        if config.ecr.pull_through_cache:
            roles = {group: g.role_name for group, g in self.node_groups.items()}
            if self.karpenter:
                roles["karpenter"] = self.karpenter.node_role_name
            PullThroughCacheAccess(self, "pull-through-cache", name=f"{cluster.name}-ecr-pull-through-cache",
                                   prefixes=[r.repository_prefix for r in config.ecr.pull_through_cache],
                                   role_names=roles)

        c = self.cluster
        self.output("cluster_name", c.cluster_name, "Name of the EKS cluster")
        self.output("cluster_endpoint", c.cluster_endpoint, "Endpoint of the Kubernetes API (private)")
        self.output("cluster_certificate_authority_data", c.cluster_certificate_authority_data,
                    "Base64 CA certificate of the Kubernetes API")
        self.output("cluster_security_group_id", c.cluster_security_group_id,
                    "Additional security group of the control plane (API on 443 from the VPC)")
        self.output("node_security_group_id", c.cluster_primary_security_group_id,
                    "Security group of the nodes: the cluster security group EKS creates, which managed nodes use")
        self.output("oidc_provider_arn", c.oidc_provider_arn, "ARN of the cluster's IAM OIDC provider (IRSA)")
        first = next(iter(self.node_groups.values()))
        self.output("node_group_name", first.node_group_name,
                    "Name of the managed node group" if len(self.node_groups) == 1 else "Name of the first managed node group")
        if len(self.node_groups) > 1:
            self.output("node_group_names", [g.node_group_name for g in self.node_groups.values()],
                        "Names of the managed node groups")
        self.output("node_role_arns", self.node_role_arns, "IAM roles of the nodes (kept in aws-auth in CONFIG_MAP mode)")
        self.output("efs_file_system_id", self.efs.file_system_id, "ID of the shared EFS file system")
        if self.karpenter:
            self.output("karpenter_node_role_name", self.karpenter.node_role_name, "IAM role of the nodes Karpenter launches")
            self.output("karpenter_interruption_queue_name", self.karpenter.queue_name,
                        "SQS queue of Spot interruptions and other instance events for Karpenter")
