"""One tenant namespace: labels, Pod Security, a ResourceQuota, a LimitRange, network policies
(default deny, then what the platform needs and what config allows) and its RBAC groups.

Network policies are enforced only with the VPC CNI's network policy agent on (02-eks turns it on:
``eks.network_policy``). The baseline every tenant gets, besides its own pods:
- DNS: CoreDNS in kube-system, UDP and TCP 53;
- the EKS Pod Identity agent, 169.254.170.23:80 (without it no pod gets AWS credentials);
- ``monitoring``: scrapes from it (any port) and OTLP to the collector (4317, 4318).
Everything else is named in config: other namespaces per port (a rule creates its ingress here
and, when the peer is a tenant too, the matching egress there) and CIDRs outside the cluster, both
ways (an Ingress's ALB reaches pods from the VPC).
"""

from __future__ import annotations

from typing import Mapping, Sequence

from officeless.config.tenancy import CidrRule, ContainerDefaults, TenancyConfig, TenantConfig
from officeless.tf import Construct, kubernetes

_k = kubernetes
_np = kubernetes.network_policy_v1
POD_IDENTITY_AGENT = "169.254.170.23/32"
LEVELS = ("admin", "edit", "view")
RBAC = "rbac.authorization.k8s.io"


def tenants(scope: Construct, tenancy: TenancyConfig, *, vpc_cidr: str, pod_identity_agent: bool = True) -> list["Tenant"]:
    """Every tenant of ``tenancy``, construct ids ``tenant-<name>``, each with both sides of its peers'
    rules (tenancy.connections)."""
    connections = tenancy.connections()
    return [Tenant(scope, f"tenant-{t.name}", tenant=t, defaults=tenancy.container_defaults,
                   allow_from=connections[t.name][0], allow_to=connections[t.name][1], egress=tenancy.egress,
                   vpc_cidr=vpc_cidr, pod_identity_agent=pod_identity_agent)
            for t in tenancy.tenants]


def group(namespace: str, level: str) -> str:
    """The Kubernetes group whose members get ``level`` (admin, edit, view) in ``namespace``."""
    return f"{namespace}:{level}"


# Lists of structs must be the provider's classes: jsii passes plain dicts in lists through as they are.
def _peers(direction: str, *, namespace: str | None = None, pods: dict | None = None, cidr: str | None = None) -> list:
    kind = _np.NetworkPolicyV1SpecIngressFrom if direction == "ingress" else _np.NetworkPolicyV1SpecEgressTo
    return [kind(
        namespace_selector={"match_labels": {"kubernetes.io/metadata.name": namespace}} if namespace else None,
        pod_selector=pods, ip_block={"cidr": cidr} if cidr else None)]


def _ports(direction: str, ports: Sequence[int], protocol: str = "TCP") -> list:
    kind = _np.NetworkPolicyV1SpecIngressPorts if direction == "ingress" else _np.NetworkPolicyV1SpecEgressPorts
    return [kind(port=str(p), protocol=protocol) for p in ports]


def _ingress(ports: Sequence[int] = (), **peer) -> list:
    return [_np.NetworkPolicyV1SpecIngress(from_=_peers("ingress", **peer), ports=_ports("ingress", ports) or None)]


def _egress(ports: Sequence[int] = (), udp: Sequence[int] = (), **peer) -> list:
    return [_np.NetworkPolicyV1SpecEgress(to=_peers("egress", **peer),
                                         ports=[*_ports("egress", udp, "UDP"), *_ports("egress", ports)] or None)]


class Tenant(Construct):
    """:param tenant: the tenant's config (name, quota, Pod Security, peers, egress).
    :param defaults: container defaults for its LimitRange.
    :param allow_from: TCP ports by namespace that may connect here (both sides' rules merged).
    :param allow_to: TCP ports by namespace this one may connect to.
    :param egress: destinations outside the cluster every tenant may reach (tenancy.egress).
    :param vpc_cidr: what a destination ``vpc`` means.
    :param pod_identity_agent: egress to the EKS Pod Identity agent. Default True (EKS; an existing
        cluster has no agent).
    """

    def __init__(self, scope: Construct, id_: str, *, tenant: TenantConfig, defaults: ContainerDefaults,
                 allow_from: Mapping[str, Sequence[int]], allow_to: Mapping[str, Sequence[int]],
                 egress: Sequence[CidrRule], vpc_cidr: str, pod_identity_agent: bool = True) -> None:
        super().__init__(scope, id_)
        name = tenant.name
        self.name = name
        level = tenant.pod_security
        self.namespace = _k.namespace_v1.NamespaceV1(self, "namespace", metadata={
            "name": name,
            # name=<namespace>: the microservices guide's policies select namespaces by it.
            "labels": {"name": name, "tenant": "true", **{f"pod-security.kubernetes.io/{mode}": level
                                                          for mode in ("enforce", "audit", "warn")}},
        })
        ns = self.namespace.metadata.name
        q = tenant.quota
        _k.resource_quota_v1.ResourceQuotaV1(self, "quota", metadata={"name": "tenant-quota", "namespace": ns}, spec={"hard": {
            "requests.cpu": f"{q.cpu}m", "limits.cpu": f"{q.cpu}m",
            "requests.memory": f"{q.memory}Mi", "limits.memory": f"{q.memory}Mi",
            "pods": str(q.pods), "persistentvolumeclaims": str(q.persistent_volume_claims),
            "services.loadbalancers": str(q.load_balancers),
        }})
        _k.limit_range_v1.LimitRangeV1(self, "limits", metadata={"name": "container-defaults", "namespace": ns}, spec={"limit": [
            _k.limit_range_v1.LimitRangeV1SpecLimit(
                type="Container",
                default_request={"cpu": f"{defaults.request_cpu}m", "memory": f"{defaults.request_memory}Mi"},
                default={"cpu": f"{defaults.limit_cpu}m", "memory": f"{defaults.limit_memory}Mi"})]})

        def policy(id_: str, policy_name: str, types: list[str], *, ingress=None, egress=None, why: str | None = None) -> None:
            metadata = {"name": policy_name, "namespace": ns, **({"annotations": {"officeless/why": why}} if why else {})}
            _np.NetworkPolicyV1(self, id_, metadata=metadata,
                                spec={"pod_selector": {}, "policy_types": types, "ingress": ingress, "egress": egress})

        policy("deny-all", "default-deny", ["Ingress", "Egress"])
        policy("same-namespace", "allow-same-namespace", ["Ingress", "Egress"], ingress=_ingress(pods={}),
               egress=_egress(pods={}))
        policy("dns", "allow-dns", ["Egress"],
               egress=_egress([53], udp=[53], namespace="kube-system", pods={"match_labels": {"k8s-app": "kube-dns"}}))
        if pod_identity_agent:
            policy("pod-identity", "allow-pod-identity-agent", ["Egress"], egress=_egress([80], cidr=POD_IDENTITY_AGENT),
                   why="EKS Pod Identity: pods get AWS credentials from the node's agent")
        policy("monitoring", "allow-monitoring", ["Ingress", "Egress"], ingress=_ingress(namespace="monitoring"),
               egress=_egress([4317, 4318], namespace="monitoring"), why="scrapes from the collector; OTLP to it")
        for peer, ports in allow_from.items():
            policy(f"from-{peer}", f"allow-from-{peer}", ["Ingress"], ingress=_ingress(ports, namespace=peer))
        for peer, ports in allow_to.items():
            policy(f"to-{peer}", f"allow-to-{peer}", ["Egress"], egress=_egress(ports, namespace=peer))
        def cidr(rule: CidrRule) -> str:
            return vpc_cidr if rule.cidr == "vpc" else rule.cidr

        for i, rule in enumerate(tenant.ingress):
            policy(f"ingress-{i}", f"allow-ingress-{i}", ["Ingress"], ingress=_ingress(rule.ports, cidr=cidr(rule)),
                   why=rule.description)
        for i, rule in enumerate([*egress, *tenant.egress]):
            policy(f"egress-{i}", f"allow-egress-{i}", ["Egress"], egress=_egress(rule.ports, cidr=cidr(rule)),
                   why=rule.description)

        for lvl in LEVELS:
            _k.role_binding_v1.RoleBindingV1(
                self, f"rbac-{lvl}", metadata={"name": f"tenant-{lvl}", "namespace": ns},
                role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": lvl},
                subject=[_k.role_binding_v1.RoleBindingV1Subject(kind="Group", name=group(name, lvl), api_group=RBAC)],
            )
