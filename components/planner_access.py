"""Read access to the cluster for Terraform Cloud's plan runs (the ``platform-planners`` group).

A plan refreshes what the Kubernetes-side stacks hold, so the plan role must read it; it must not
change anything, and it must not read a credential. One grant, :class:`PlannerReadAccess`
(06-access): a ClusterRole reading every kind the stacks manage (namespaces, config maps,
services, quotas and limit ranges, RBAC, network policies, storage and ingress classes, the CRDs'
objects...) but no Secret anywhere, bound to ``platform-planners``.

Helm's release records, which the Helm provider reads at every plan, are ConfigMaps in those
stacks (``components/cluster_providers.py``): as Secrets, RBAC could grant them only with every
other Secret of their namespaces (``list`` takes no names), Argo CD's and Grafana's among them.
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
