"""HAProxy Technologies' Kubernetes Ingress controller (05-helm on an existing cluster).

The deployment architecture names HAProxy or Nginx as the on-premises router; ingress-nginx was
retired by the Kubernetes project in March 2026, and HAProxy's controller is maintained by its
vendor (chart ``kubernetes-ingress``, https://github.com/haproxytech/helm-charts, published at
https://haproxytech.github.io/helm-charts). One class serves applications and operator UIs alike:
on premises there is no second, internal load balancer to put operators behind; they reach it
through the VPN.
"""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, resources, spread
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.tf import Construct, core

RELEASE = "haproxy-ingress"
NAMESPACE = "haproxy-controller"
SELECTOR = {"app.kubernetes.io/name": "kubernetes-ingress", "app.kubernetes.io/instance": RELEASE}


# HAProxy's annotation redirecting an Ingress's HTTP to HTTPS (https://www.haproxy.com/documentation/
# kubernetes-ingress/community/configuration-reference/ingress/#ssl-redirect).
SSL_REDIRECT = "haproxy.org/ssl-redirect"


def ui_annotations(tls: bool) -> dict[str, str]:
    """An operator UI's Ingress annotations: HTTP only redirects when the controller has a certificate."""
    return {SSL_REDIRECT: "true"} if tls else {}


def values(helm, *, class_name: str, service_type: str, tls_secret: str | None = None) -> Values:
    size = helm.size(RELEASE, "controller")
    job = helm.size(RELEASE, "controller").containers["controller"]
    return {
        "controller": {
            "replicaCount": size.replicas,
            "resources": resources(size.containers["controller"]),
            "ingressClass": class_name,
            "ingressClassResource": {"name": class_name, "default": False},
            "service": {"type": service_type},
            "PodDisruptionBudget": {"enable": size.replicas > 1, **({"maxUnavailable": 1} if size.replicas > 1 else {})},
            "topologySpreadConstraints": spread(SELECTOR, size.replicas),
            # Without a Secret the chart's default generates a self-signed certificate.
            **({"defaultTLSSecret": {"enabled": True, "secretNamespace": NAMESPACE, "secret": tls_secret}}
               if tls_secret else {}),
        },
        # The Job applying the controller's CRDs at install: short-lived, sized like the controller.
        "crdjob": {"resources": resources(job)},
    }


def workloads(helm) -> list[Workload]:
    size = helm.size(RELEASE, "controller")
    return [Workload("haproxy-ingress controller", f"helm.sizes.{RELEASE}.controller", "Deployment", containers(size),
                     replicas=size.replicas)]


class HaproxyIngress(Addon):
    source = ChartSource("https://haproxytech.github.io/helm-charts", "kubernetes-ingress")
    namespace = NAMESPACE

    """:param tls_secret: the certificate's Secret in its namespace. Default: none (self-signed)."""

    def __init__(self, scope: Construct, id_: str = RELEASE, *, helm, version: str, class_name: str, service_type: str,
                 timeout_seconds: int, depends_on: list[core.ITerraformDependable], tls_secret: str | None = None) -> None:
        super().__init__(scope, id_, cluster=None, version=version, timeout_seconds=timeout_seconds, depends_on=depends_on,
                         values=values(helm, class_name=class_name, service_type=service_type, tls_secret=tls_secret))
