"""02-eks: the cluster, its node group and addons, Pod Identity for EBS CSI, shared EFS."""

from __future__ import annotations

from components.efs import SharedFileSystem
from components.eks_addon import EksAddon
from components.eks_cluster import EksCluster
from components.network import Network
from components.node_group import ManagedNodeGroup
from components.pod_identity import PodIdentityRole
from officeless import names
from officeless.config.eks import BEFORE_COMPUTE_ADDONS
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
        self.node_group = ManagedNodeGroup(self, "nodes", cluster=cluster, subnet_ids=network.private_subnet_ids,
                                           config=eks.node_group, kubernetes_version=eks.node_kubernetes_version,
                                           depends_on=[a.resource for a in before])

        # coredns and ebs-csi run as Deployments: created before any node exists they would
        # wait (and Terraform with them) until they time out, so they come after the nodes.
        self.ebs_csi_identity = PodIdentityRole(
            self, "ebs-csi-identity", cluster=cluster, namespace="kube-system",
            service_account="ebs-csi-controller-sa", role_name=names.addon_role(cluster.name, "ebs-csi-driver"),
            managed_policies=["service-role/AmazonEBSCSIDriverPolicy"],
        )
        for name in ("kube-proxy", "coredns"):
            EksAddon(self, f"addon-{name}", cluster=cluster, name=name, version=eks.addon_version(name),
                     depends_on=[self.node_group.resource])
        EksAddon(self, "addon-aws-ebs-csi-driver", cluster=cluster, name="aws-ebs-csi-driver",
                 version=eks.addon_version("aws-ebs-csi-driver"),
                 depends_on=[self.node_group.resource, self.ebs_csi_identity.association])

        self.efs = SharedFileSystem(
            self, "efs", config=eks.efs, vpc_id=network.vpc_id, subnets=network.private_subnet_ids_by_az,
            client_security_group_id=self.cluster.cluster_primary_security_group_id,
            kms_key_arn=self.cluster.kms_key.key_arn if self.cluster.kms_key else None, prevent_destroy=eks.prevent_destroy,
        )

        # One per node group; 06-access maps each in aws-auth (CONFIG_MAP).
        self.node_role_arns = [self.node_group.role_arn]

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
        self.output("node_group_name", self.node_group.node_group_name, "Name of the managed node group")
        self.output("node_role_arns", self.node_role_arns, "IAM roles of the nodes (kept in aws-auth in CONFIG_MAP mode)")
        self.output("efs_file_system_id", self.efs.file_system_id, "ID of the shared EFS file system")
