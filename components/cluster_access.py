"""Who may reach the cluster: IAM roles mapped onto Kubernetes groups.

- ``CONFIG_MAP`` (production): EKS creates ``aws-auth`` when the managed node group joins; this
  takes over its ``mapRoles`` (server-side apply with ``force``), which must always keep every node
  role or nodes drop out. Only the cluster's creator can make the first write in this mode, so
  06-access runs as the identity that deployed 02-eks.
- ``API`` (dev): access entries and access policy associations (cluster scope for the deployer,
  namespace scope for teams). ``API_AND_CONFIG_MAP``, the step between the two, keeps both. The platform admins' entries stay in 02-eks,
  where they have always been (moving them between stacks would destroy and recreate them).

Kubernetes side, both modes: the group ``platform-admins`` is cluster-admin; each tenant
namespace binds ``<namespace>:admin|edit|view`` (components/tenant.py).
"""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.planner_access import PLANNERS, PlannerReadAccess
from components.tenant import group
from officeless.config.tenancy import TeamAccess
from officeless.tf import Construct, aws, core, kubernetes

PLATFORM_ADMINS = "platform-admins"
# https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
ACCESS_POLICIES = {"admin": "AmazonEKSAdminPolicy", "edit": "AmazonEKSEditPolicy", "view": "AmazonEKSViewPolicy"}


class ClusterAccess(Construct):
    """:param cluster_name: the cluster (a 02-eks reference).
    :param authentication_mode: ``eks.authentication_mode``.
    :param node_role_arns: the nodes' roles, always kept in aws-auth (CONFIG_MAP).
    :param admin_role_names: platform admins (aws-auth in CONFIG_MAP; 02-eks's access entries otherwise).
    :param deployer_role_name: the role that deploys the Kubernetes-side stacks. Default: none.
    :param teams: IAM roles working in tenant namespaces. Default: none.
    :param planner_role_name: the role of Terraform Cloud's plan runs: group ``platform-planners``,
        read-only (components/planner_access.py). Default: none.
    """

    def __init__(self, scope: Construct, id_: str, *, cluster_name: str, authentication_mode: str,
                 node_role_arns: Sequence[str], admin_role_names: Sequence[str], deployer_role_name: str | None,
                 teams: Sequence[TeamAccess] = (), planner_role_name: str | None = None) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        kubernetes.cluster_role_binding_v1.ClusterRoleBindingV1(
            self, "platform-admins", metadata={"name": PLATFORM_ADMINS},
            role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            subject=[kubernetes.cluster_role_binding_v1.ClusterRoleBindingV1Subject(
                kind="Group", name=PLATFORM_ADMINS, api_group="rbac.authorization.k8s.io")],
        )

        def role_arn(name: str) -> str:
            return ctx.arn("iam", f"role/{name}", region=False)

        if authentication_mode in ("CONFIG_MAP", "API_AND_CONFIG_MAP"):
            mappings = [{"rolearn": arn, "username": "system:node:{{EC2PrivateDNSName}}",
                         "groups": ["system:bootstrappers", "system:nodes"]} for arn in node_role_arns]
            mappings += [{"rolearn": role_arn(name), "username": name, "groups": [PLATFORM_ADMINS]}
                         for name in [*admin_role_names, *([deployer_role_name] if deployer_role_name else [])]]
            mappings += [{"rolearn": role_arn(team.role_name), "username": team.role_name,
                          "groups": [group(ns, level) for ns, level in sorted(team.namespaces.items())]} for team in teams]
            if planner_role_name:
                mappings.append({"rolearn": role_arn(planner_role_name), "username": planner_role_name,
                                 "groups": [PLANNERS]})
            kubernetes.config_map_v1_data.ConfigMapV1Data(
                self, "aws-auth", metadata={"name": "aws-auth", "namespace": "kube-system"}, force=True,
                data={"mapRoles": core.Fn.yamlencode(mappings)},
            )
        if planner_role_name:
            PlannerReadAccess(self, "planners")
        if authentication_mode == "CONFIG_MAP":
            return

        def access_entry(id_: str, name: str) -> aws.eks_access_entry.EksAccessEntry:
            return aws.eks_access_entry.EksAccessEntry(self, id_, cluster_name=cluster_name, principal_arn=role_arn(name),
                                                       type="STANDARD")

        def associate(id_: str, entry: aws.eks_access_entry.EksAccessEntry, policy: str, **scope) -> None:
            aws.eks_access_policy_association.EksAccessPolicyAssociation(
                self, id_, cluster_name=cluster_name, principal_arn=entry.principal_arn,
                policy_arn=f"arn:{ctx.partition}:eks::aws:cluster-access-policy/{policy}",
                access_scope=aws.eks_access_policy_association.EksAccessPolicyAssociationAccessScope(**scope))

        if deployer_role_name:
            deployer = access_entry(f"deployer-{deployer_role_name}", deployer_role_name)
            associate(f"deployer-{deployer_role_name}-policy", deployer, "AmazonEKSClusterAdminPolicy", type="cluster")
        if planner_role_name:
            # Group membership only, no access policy: the group's RBAC is all it may do.
            aws.eks_access_entry.EksAccessEntry(self, f"planner-{planner_role_name}", cluster_name=cluster_name,
                                                principal_arn=role_arn(planner_role_name), type="STANDARD",
                                                kubernetes_groups=[PLANNERS])
        for team in teams:
            # One entry per role; one association per level, scoped to that level's namespaces.
            entry = access_entry(f"team-{team.role_name}", team.role_name)
            for level in sorted(set(team.namespaces.values())):
                namespaces = sorted(ns for ns, lvl in team.namespaces.items() if lvl == level)
                associate(f"team-{team.role_name}-{level}", entry, ACCESS_POLICIES[level], type="namespace",
                          namespaces=namespaces)
