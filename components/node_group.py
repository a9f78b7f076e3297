"""An EKS managed node group on a launch template, optionally tainted and scaled by cluster-autoscaler.

Why a launch template: the node group's own ``disk_size`` cannot encrypt the volume nor
require IMDSv2. The template encrypts the gp3 data volume and requires IMDSv2 with a hop
limit of 1, so pods (one network hop further than the node) cannot read the node role's
credentials from instance metadata; pods get AWS access through Pod Identity instead.
EKS best practices, "Restrict access to the instance profile assigned to the worker node":
https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
"""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.iam import service_trust
from officeless import names
from officeless.config.eks import EKS_TAINT_EFFECTS, NodeGroupConfig
from officeless.tf import Construct, aws, core

_lt = aws.launch_template
_ng = aws.eks_node_group

NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",
)


def data_volume_device(ami_type: str) -> str:
    """Bottlerocket keeps the OS on /dev/xvda and containers/images on /dev/xvdb; other AMIs use one root volume."""
    return "/dev/xvdb" if ami_type.startswith("BOTTLEROCKET") else "/dev/xvda"


class ManagedNodeGroup(Construct):
    """:param cluster: the cluster the nodes join.
    :param subnet_ids: where nodes run (the private subnets).
    :param name: the node group's name (its key in ``eks.node_groups``).
    :param config: the validated node group settings.
    :param kubernetes_version: the nodes' Kubernetes minor (the cluster's, or one behind it
        while an upgrade is staged).
    :param autoscaled: tag the group for cluster-autoscaler's auto-discovery and let it own the
        desired size. Default True; False where Karpenter, not cluster-autoscaler, adds capacity.
    :param depends_on: what must exist before the first node boots (the CNI and
        pod-identity addons). Default: nothing.
    """

    def __init__(self, scope: Construct, id_: str, *, cluster: EksCluster, subnet_ids: Sequence[str], name: str,
                 config: NodeGroupConfig, kubernetes_version: str, autoscaled: bool = True,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        group = name
        name = f"{cluster.name}-{group}"

        trust = service_trust(self, "role-trust", "ec2.amazonaws.com")
        role = aws.iam_role.IamRole(self, "role", name=names.node_role(cluster.name, group), assume_role_policy=trust.json,
                                    description=f"Nodes of {group} in EKS cluster {cluster.name}")
        attachments = [
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, f"role-{policy}", role=role.name, policy_arn=ctx.managed_policy_arn(policy))
            for policy in NODE_POLICIES
        ]

        template = _lt.LaunchTemplate(
            self,
            "launch-template",
            name=name,
            description=f"Nodes of {group}: encrypted gp3 data volume, IMDSv2 only",
            update_default_version=True,
            block_device_mappings=[_lt.LaunchTemplateBlockDeviceMappings(
                device_name=data_volume_device(config.ami_type),
                ebs=_lt.LaunchTemplateBlockDeviceMappingsEbs(
                    volume_size=config.disk_size_gb, volume_type="gp3", encrypted="true", delete_on_termination="true"),
            )],
            metadata_options=_lt.LaunchTemplateMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1,
                instance_metadata_tags="disabled"),
            tag_specifications=[
                _lt.LaunchTemplateTagSpecifications(resource_type=kind, tags={"Name": name})
                for kind in ("instance", "volume", "network-interface")
            ],
        )

        self._role = role
        self._group = _ng.EksNodeGroup(
            self,
            "node-group",
            cluster_name=cluster.cluster_name,
            node_group_name=group,
            # The nodes' minor, stated so a control-plane upgrade rolls them in the same plan
            # (or, with node_group.kubernetes_version pinned one minor back, in the next one).
            version=kubernetes_version,
            node_role_arn=role.arn,
            subnet_ids=list(subnet_ids),
            instance_types=list(config.instance_types),
            ami_type=config.ami_type,
            capacity_type=config.capacity_type,
            scaling_config=_ng.EksNodeGroupScalingConfig(
                min_size=config.min_size, desired_size=config.desired_size, max_size=config.max_size),
            update_config=_ng.EksNodeGroupUpdateConfig(max_unavailable=config.max_unavailable),
            launch_template=_ng.EksNodeGroupLaunchTemplate(id=template.id, version=core.Token.as_string(template.latest_version)),
            labels=dict(config.labels),
            taint=[_ng.EksNodeGroupTaint(key=t.key, value=t.value or None, effect=EKS_TAINT_EFFECTS[t.effect])
                   for t in config.taints] or None,
            # cluster-autoscaler's auto-discovery tags:
            # https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup
            tags={"k8s.io/cluster-autoscaler/enabled": "true", f"k8s.io/cluster-autoscaler/{cluster.name}": "owned"}
            if autoscaled else None,
            # The autoscaler owns the desired size once nodes run; Terraform must not reset it.
            lifecycle=core.TerraformResourceLifecycle(ignore_changes=["scaling_config[0].desired_size"]) if autoscaled else None,
            depends_on=[*attachments, *depends_on],
        )

    @property
    def role_arn(self) -> str:
        """The nodes' IAM role (in CONFIG_MAP mode 06-access keeps it in aws-auth)."""
        return self._role.arn

    @property
    def role_name(self) -> str:
        return self._role.name

    @property
    def node_group_name(self) -> str:
        return self._group.node_group_name

    @property
    def resource(self) -> _ng.EksNodeGroup:
        return self._group
