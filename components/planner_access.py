"""Read access to the cluster for Terraform Cloud's plan runs (the ``platform-planners`` group).

A plan refreshes what the Kubernetes-side stacks hold, so the plan role must read it; it must not
change anything, and it must not read the tenants' secrets. Two grants:

- :class:`PlannerReadAccess` (06-access): a ClusterRole reading every kind the stacks manage
  (namespaces, config maps, services, quotas and limit ranges, RBAC, network policies, storage and
  ingress classes, the CRDs' objects...) but not Secrets, bound to ``platform-planners``;
- :class:`HelmReleaseReader` (each stack with Helm releases, in each of their namespaces): the
  Helm provider reads a release's record, a Secret named ``sh.helm.release.v1.<release>.v<N>``,
  in the release's namespace; RBAC cannot name secrets by prefix, so Secrets there, only there.
"""

from __future__ import annotations

from officeless.tf import Construct, kubernetes

PLANNERS = "platform-planners"
READ = ["get", "list", "watch"]
# Core kinds the stacks manage or read, Secrets excluded.
CORE = ["namespaces", "configmaps", "services", "serviceaccounts", "endpoints", "pods", "events", "nodes",
        "resourcequotas", "limitranges", "persistentvolumeclaims", "persistentvolumes"]
# Every other API group whose objects the stacks create (directly or through Helm releases).
GROUPS = ["apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
          "scheduling.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "coordination.k8s.io",
          "monitoring.coreos.com", "elbv2.k8s.aws", "karpenter.sh", "karpenter.k8s.aws", "external-secrets.io",
          "argoproj.io", "secrets-store.csi.x-k8s.io"]


class PlannerReadAccess(Construct):
    """The ClusterRole and ClusterRoleBinding of ``platform-planners``."""

    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        _rule = kubernetes.cluster_role_v1.ClusterRoleV1Rule
        kubernetes.cluster_role_v1.ClusterRoleV1(
            self, "role", metadata=kubernetes.cluster_role_v1.ClusterRoleV1Metadata(name=PLANNERS),
            rule=[_rule(api_groups=[""], resources=CORE, verbs=READ),
                  _rule(api_groups=GROUPS, resources=["*"], verbs=READ)])
        kubernetes.cluster_role_binding_v1.ClusterRoleBindingV1(
            self, "binding", metadata=kubernetes.cluster_role_binding_v1.ClusterRoleBindingV1Metadata(name=PLANNERS),
            role_ref=kubernetes.cluster_role_binding_v1.ClusterRoleBindingV1RoleRef(
                api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=PLANNERS),
            subject=[kubernetes.cluster_role_binding_v1.ClusterRoleBindingV1Subject(
                kind="Group", name=PLANNERS, api_group="rbac.authorization.k8s.io")])


class HelmReleaseReader(Construct):
    """Secrets read in ``namespace`` for ``platform-planners`` (Helm's release records).

    :param namespace: a namespace holding Helm releases of the stack.
    :param depends_on: the namespace resource, when the stack creates it. Default: nothing.
    """

    def __init__(self, scope: Construct, id_: str, *, namespace: str, depends_on=None) -> None:
        super().__init__(scope, id_)
        name = f"{PLANNERS}-helm-releases"
        role = kubernetes.role_v1.RoleV1(
            self, "role", metadata=kubernetes.role_v1.RoleV1Metadata(name=name, namespace=namespace),
            rule=[kubernetes.role_v1.RoleV1Rule(api_groups=[""], resources=["secrets"], verbs=READ)],
            depends_on=depends_on)
        kubernetes.role_binding_v1.RoleBindingV1(
            self, "binding", metadata=kubernetes.role_binding_v1.RoleBindingV1Metadata(name=name, namespace=namespace),
            role_ref=kubernetes.role_binding_v1.RoleBindingV1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                                                                      name=name),
            subject=[kubernetes.role_binding_v1.RoleBindingV1Subject(kind="Group", name=PLANNERS,
                                                                     api_group="rbac.authorization.k8s.io")],
            depends_on=[role])
