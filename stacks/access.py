"""06-access: who may reach the cluster, and the tenant namespaces with their quotas, defaults,
Pod Security, network policies and RBAC.

After 02-eks and before every stack that talks to the Kubernetes API (05-helm depends on it), so
the identities those stacks deploy as are mapped before they run and one ``cdktf deploy '*'`` in
an empty account needs no manual step. Its own lifecycle (people and teams change, the cluster's
addons do not), so a stack of its own.
"""

from __future__ import annotations

from components.cluster_access import ClusterAccess
from components.cluster_providers import configure_cluster_providers
from components.tenant import tenants
from officeless import names
from officeless.config.backend import CloudBackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack
from stacks.eks import EksStack

NAME = "06-access"


class AccessStack(PlatformStack):
    """:param eks: 02-eks (cluster endpoint, CA and name, node roles): cross-stack references."""

    def __init__(self, scope: Construct, *, config: PlatformConfig, eks: EksStack) -> None:
        super().__init__(scope, NAME, config=config)
        cluster = eks.cluster
        configure_cluster_providers(self, cluster=cluster, region=config.region, with_helm=False)
        # With Terraform Cloud, its apply role deploys (platform-admins) and its plan role reads.
        cloud = isinstance(config.backend, CloudBackendConfig)
        apply_role = names.tfc_role(config.project, config.environment, "apply") if cloud else None
        ClusterAccess(
            self, "access", cluster_name=cluster.cluster_name, authentication_mode=config.eks.authentication_mode,
            node_role_arns=eks.node_role_arns, admin_role_names=config.eks.admin_role_names,
            deployer_role_name=config.access.deployer_role_name or apply_role, teams=config.access.teams,
            planner_role_name=names.tfc_role(config.project, config.environment, "plan") if cloud else None,
        )
        self.tenants = tenants(self, config.tenancy, vpc_cidr=config.vpc.cidr)
        self.output("tenant_namespaces", [t.name for t in self.tenants], "Tenant namespaces, in config order")
