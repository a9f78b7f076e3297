"""Gateway API for applications (05-helm, issue #30, item 3): the Gateway API CRDs, two ALB
GatewayClasses and two Gateways, with the ingress classes' split and TLS rules.

- CRDs: the Gateway API's standard channel, v1.6.1, through Envoy Gateway's ``gateway-crds-helm``
  chart (``oci://docker.io/envoyproxy/gateway-crds-helm``, v1.9.0, only its Gateway API part): the
  Gateway API project publishes its CRDs as a YAML file, not a chart, and the load balancer
  controller is built for v1.6.0 (its docs/guide/gateway/gateway.md). The controller enables its
  Gateway controllers only when it finds these CRDs at start, so this release comes before it. Its
  own Gateway CRDs (LoadBalancerConfiguration, ...) ship in its chart's ``crds/``.
- ``alb-public`` (scheme internet-facing) and ``alb-internal`` (internal, the controller's default)
  GatewayClasses, each fixing its scheme through a LoadBalancerConfiguration the class references:
  a Gateway's own configuration cannot override it (``mergingMode: prefer-gateway-class``).
- Gateways ``public`` and ``internal`` in kube-system, where no tenant writes. Routes attach to
  ``public`` from tenant namespaces only (label ``tenant: "true"``, which 06-access sets and no
  tenant can change on its namespace), to ``internal`` from the platform's operator namespaces only.
- TLS as on the ingress classes: with certificates (``ingress.<kind>.certificate_arns``) an HTTPS
  listener with them and the class's TLS policy, and the HTTP listener only redirects (a route of
  the platform's, the only one that listener admits); without, HTTP only (config warns for the
  operator UIs).
- Tenants may write HTTPRoutes and GRPCRoutes: a ClusterRole aggregated into ``edit`` and ``admin``
  (and read into ``view``), as Kubernetes' own kinds are.
"""

from __future__ import annotations

from typing import Sequence

from components.addons.common import Values
from components.helm_chart import ChartSource, HelmChart
from components.manifests import ManifestsRelease
from officeless.config.platform_services import IngressClassConfig, IngressConfig
from officeless.tf import Construct, core

CRDS_RELEASE = "gateway-api-crds"
RELEASE = "alb-gateways"
NAMESPACE = "kube-system"
CONTROLLER = "gateway.k8s.aws/alb"  # the load balancer controller's ALB Gateway controller
GATEWAY_API = "gateway.networking.k8s.io"
# Namespaces whose routes the internal gateway admits: the operator UIs'.
OPERATOR_NAMESPACES = ("argocd", "monitoring")
TENANT_LABEL = {"tenant": "true"}  # 06-access's label on every tenant namespace
ROUTE_KINDS = ("httproutes", "grpcroutes")


def crds_values() -> Values:
    return {"crds": {"gatewayAPI": {"enabled": True, "channel": "standard"}, "envoyGateway": {"enabled": False}}}


def _lb_config(kind: str, scheme: str, config: IngressClassConfig, certificates: Sequence[str]) -> Values:
    spec: Values = {"scheme": scheme, "mergingMode": "prefer-gateway-class"}
    if certificates:
        spec["listenerConfigurations"] = [{"protocolPort": "HTTPS:443", "defaultCertificate": certificates[0],
                                           **({"certificates": list(certificates[1:])} if certificates[1:] else {}),
                                           "sslPolicy": config.ssl_policy}]
    return {"apiVersion": "gateway.k8s.aws/v1", "kind": "LoadBalancerConfiguration",
            "metadata": {"name": f"alb-{kind}", "namespace": NAMESPACE}, "spec": spec}


def _class(kind: str) -> Values:
    return {"apiVersion": f"{GATEWAY_API}/v1", "kind": "GatewayClass", "metadata": {"name": f"alb-{kind}"},
            "spec": {"controllerName": CONTROLLER, "parametersRef": {
                "group": "gateway.k8s.aws", "kind": "LoadBalancerConfiguration", "name": f"alb-{kind}",
                "namespace": NAMESPACE}}}


def _who(kind: str) -> Values:
    if kind == "public":
        return {"from": "Selector", "selector": {"matchLabels": dict(TENANT_LABEL)}}
    return {"from": "Selector", "selector": {"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": list(OPERATOR_NAMESPACES)}]}}


def _gateway(kind: str, tls: bool, class_name: str | None = None) -> list[Values]:
    """Gateway ``kind`` (public, internal) of class ``class_name`` (default the ALB class alb-<kind>)."""
    routes = {"namespaces": _who(kind), "kinds": [{"group": GATEWAY_API, "kind": "HTTPRoute"},
                                                  {"group": GATEWAY_API, "kind": "GRPCRoute"}]}
    listeners = [{"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": routes}]
    out: list[Values] = []
    if tls:
        # HTTP only redirects: the listener admits this namespace's routes alone, and this one redirects.
        listeners = [{"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "Same"}}},
                     {"name": "https", "protocol": "HTTPS", "port": 443, "allowedRoutes": routes}]
        out.append({"apiVersion": f"{GATEWAY_API}/v1", "kind": "HTTPRoute",
                    "metadata": {"name": f"{kind}-https-redirect", "namespace": NAMESPACE},
                    "spec": {"parentRefs": [{"name": kind, "sectionName": "http"}],
                             "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {
                                 "scheme": "https", "statusCode": 301}}]}]}})
    return [{"apiVersion": f"{GATEWAY_API}/v1", "kind": "Gateway", "metadata": {"name": kind, "namespace": NAMESPACE},
             "spec": {"gatewayClassName": class_name or f"alb-{kind}", "listeners": listeners}}, *out]


def _route_roles() -> list[Values]:
    def role(name: str, verbs: list[str], levels: Sequence[str]) -> Values:
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": name, "labels": {f"rbac.authorization.k8s.io/aggregate-to-{level}": "true"
                                                      for level in levels}},
                "rules": [{"apiGroups": [GATEWAY_API], "resources": list(ROUTE_KINDS), "verbs": verbs}]}
    return [role("gateway-routes-edit", ["create", "delete", "deletecollection", "patch", "update"], ("admin", "edit")),
            role("gateway-routes-view", ["get", "list", "watch"], ("admin", "edit", "view"))]


def manifests(ingress: IngressConfig, internal_certificates: Sequence[str] = ()) -> list[Values]:
    """The classes, their load balancer configurations, the gateways and the route roles."""
    public = list(ingress.public.certificate_arns)
    internal = [*ingress.internal.certificate_arns, *internal_certificates]
    return [_lb_config("public", "internet-facing", ingress.public, public), _class("public"), *_gateway("public", bool(public)),
            _lb_config("internal", "internal", ingress.internal, internal), _class("internal"),
            *_gateway("internal", bool(internal)), *_route_roles()]


class GatewayApiCrds(HelmChart):
    """:param version: the gateway-crds-helm chart (v-prefixed, as Envoy Gateway tags it)."""

    def __init__(self, scope: Construct, id_: str = CRDS_RELEASE, *, version: str, timeout_seconds: int) -> None:
        super().__init__(scope, id_, release_name=CRDS_RELEASE, source=ChartSource("oci://docker.io/envoyproxy",
                                                                                   "gateway-crds-helm"),
                         version=version, namespace=NAMESPACE, values=crds_values(), timeout_seconds=timeout_seconds)


class AlbGateways(ManifestsRelease):
    """:param ingress: the ``ingress`` section (certificates, TLS policies). :param depends_on: the load
    balancer controller (its CRDs and webhook). :param internal_certificates: a validated one. Default: none."""

    def __init__(self, scope: Construct, id_: str = RELEASE, *, ingress: IngressConfig, timeout_seconds: int,
                 depends_on: Sequence[core.ITerraformDependable], internal_certificates: Sequence[str] = ()) -> None:
        super().__init__(scope, id_, release_name=RELEASE, namespace=NAMESPACE,
                         manifests=manifests(ingress, internal_certificates), timeout_seconds=timeout_seconds,
                         depends_on=depends_on)


# --- GKE (issue #31): GKE's own Gateway controller and classes, the same split -----------------------
# https://cloud.google.com/kubernetes-engine/docs/concepts/gateway-api#gatewayclass : the global external
# Application Load Balancer for the public path, the regional internal one (it needs the network's
# proxy-only subnet, 01-vpc) for the operator UIs.
GKE_CLASSES = {"public": "gke-l7-global-external-managed", "internal": "gke-l7-rilb"}
GKE_RELEASE = "gke-gateways"


def gke_manifests(*, certificate_map: str | None, internal_certificates: Sequence[str]) -> list[Values]:
    """The public and internal Gateways on GKE's classes, with the ALB Gateways' rules (tenants' routes
    on public only, the operator namespaces' on internal only) and the route roles. TLS where config
    names certificates: the public Gateway's from a Certificate Manager map (``networking.gke.io/certmap``),
    the internal one's pre-shared regional certificates; HTTP then only redirects."""
    out: list[Values] = []
    for kind, tls in (("public", certificate_map is not None), ("internal", bool(internal_certificates))):
        objects = _gateway(kind, tls, GKE_CLASSES[kind])
        gateway = objects[0]
        if kind == "public" and certificate_map:
            gateway["metadata"]["annotations"] = {"networking.gke.io/certmap": certificate_map}
        if kind == "internal" and internal_certificates:
            https = next(listener for listener in gateway["spec"]["listeners"] if listener["name"] == "https")
            https["tls"] = {"mode": "Terminate",
                            "options": {"networking.gke.io/pre-shared-certs": ",".join(internal_certificates)}}
        out += objects
    return [*out, *_route_roles()]


class GkeGateways(ManifestsRelease):
    """GKE's Gateways, in kube-system (no tenant writes there). :param certificate_map: the public
    Gateway's Certificate Manager map. Default none (HTTP). :param internal_certificates: the internal
    Gateway's pre-shared regional SSL certificates. Default none (HTTP)."""

    def __init__(self, scope: Construct, id_: str = GKE_RELEASE, *, timeout_seconds: int,
                 depends_on: Sequence[core.ITerraformDependable] = (), certificate_map: str | None = None,
                 internal_certificates: Sequence[str] = ()) -> None:
        super().__init__(scope, id_, release_name=GKE_RELEASE, namespace=NAMESPACE,
                         manifests=gke_manifests(certificate_map=certificate_map,
                                                 internal_certificates=internal_certificates),
                         timeout_seconds=timeout_seconds, depends_on=depends_on)


class UiRoute(ManifestsRelease):
    """GKE: an operator UI (Grafana, Argo CD) on the internal Gateway: an HTTPRoute to its Service from
    its namespace (one the internal Gateway admits), and a HealthCheckPolicy probing ``health_path``
    (the load balancer's default probe of ``/`` gets the UIs' redirect to their login page, which it
    counts as down).
    https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_health_check

    :param service: the UI's Service (and the objects' name). :param namespace: its namespace.
    :param port: the Service's HTTP port. :param health_path: where it answers 200.
    :param hostname: the route's host name. Default: none (any)."""

    def __init__(self, scope: Construct, id_: str, *, service: str, namespace: str, port: int, health_path: str,
                 timeout_seconds: int, hostname: str | None = None,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        route: Values = {"parentRefs": [{"name": "internal", "namespace": NAMESPACE}],
                         "rules": [{"backendRefs": [{"name": service, "port": port}]}]}
        if hostname:
            route["hostnames"] = [hostname]
        manifests = [
            {"apiVersion": f"{GATEWAY_API}/v1", "kind": "HTTPRoute", "metadata": {"name": service, "namespace": namespace},
             "spec": route},
            {"apiVersion": "networking.gke.io/v1", "kind": "HealthCheckPolicy",
             "metadata": {"name": service, "namespace": namespace},
             "spec": {"default": {"config": {"type": "HTTP", "httpHealthCheck": {"requestPath": health_path}}},
                      "targetRef": {"group": "", "kind": "Service", "name": service}}},
        ]
        super().__init__(scope, id_, release_name=id_, namespace=namespace, manifests=manifests,
                         timeout_seconds=timeout_seconds, depends_on=depends_on)
