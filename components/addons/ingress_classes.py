"""The two ALB ingress classes (05-helm): ``alb`` public, ``alb-internal`` for operator tools.

The load balancer controller's chart (1.12.0) creates an IngressClass ``alb`` and its
IngressClassParams by default; a second ``alb`` would collide, so the public class is configured
through that release's values (:func:`controller_values`). The internal class is the project's:
an IngressClass ``alb-internal`` and its IngressClassParams, deployed after the controller (its
CRD) through the manifests chart. Each class's parameters fix the scheme and the ALB group, and
parameters win over Ingress annotations: no annotation can put Grafana or Argo CD on the public
ALB. Applications get ALB -> pods (target type ip, the controller's default here).

ingress-nginx, the EKS architecture overview's in-cluster router, is not used: the Kubernetes
project retired it in March 2026 (no releases or security fixes since); README records the decision.

A WAF web ACL is a load balancer setting without an IngressClassParams field in 1.12.0: when
config names one, a settings-only Ingress in the public group (a fixed 404 default, last in the
group's order) carries it for the whole shared ALB.
"""

from __future__ import annotations

import json
from typing import Sequence

from components.manifests import ManifestsRelease
from officeless.config.platform_services import IngressClassConfig, IngressConfig
from officeless.tf import Construct, core

PUBLIC = "alb"
INTERNAL = "alb-internal"
NAMESPACE = "kube-system"


def listen_annotations(*, https: bool) -> dict[str, str]:
    """An Ingress's listeners: with TLS, HTTPS on 443 and HTTP on 80 only redirecting to it
    (https://kubernetes-sigs.github.io/aws-load-balancer-controller/v2.12/guide/ingress/annotations/#ssl-redirect);
    without, plain HTTP on 80."""
    if not https:
        return {"alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80}]'}
    return {"alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
            "alb.ingress.kubernetes.io/ssl-redirect": "443"}


def _params(*, scheme: str, group: str, config: IngressClassConfig, certificates: Sequence[str] = ()) -> dict:
    spec = {"scheme": scheme, "group": {"name": group}, "sslPolicy": config.ssl_policy}
    if config.certificate_arns or certificates:
        spec["certificateArn"] = [*config.certificate_arns, *certificates]
    return spec


def controller_values(*, cluster_name: str, config: IngressConfig) -> dict:
    """The load balancer controller's values for its own class (``alb``, public) and the target type."""
    return {
        "ingressClass": PUBLIC,
        "createIngressClassResource": True,
        "ingressClassParams": {"create": True, "name": PUBLIC, "spec": _params(
            scheme="internet-facing", group=f"{cluster_name}-public", config=config.public)},
        # Applications' Services are ClusterIP; the ALB sends to pod IPs (no NodePort hop).
        "defaultTargetType": "ip",
    }


def internal_class(*, cluster_name: str, config: IngressConfig, certificates: Sequence[str] = ()) -> list[dict]:
    """:param certificates: certificates beside ``ingress.internal.certificate_arns`` (the one 05-helm validates)."""
    return [
        {"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "IngressClassParams", "metadata": {"name": INTERNAL},
         "spec": _params(scheme="internal", group=f"{cluster_name}-internal", config=config.internal,
                         certificates=certificates)},
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": INTERNAL},
         "spec": {"controller": "ingress.k8s.aws/alb",
                  "parameters": {"apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": INTERNAL}}},
    ]


def waf_settings_ingress(waf_acl_arn: str) -> dict:
    not_found = {"type": "fixed-response", "fixedResponseConfig": {"contentType": "text/plain", "statusCode": "404",
                                                                   "messageBody": "not found"}}
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "public-alb-settings", "namespace": NAMESPACE, "annotations": {
            "alb.ingress.kubernetes.io/wafv2-acl-arn": waf_acl_arn,
            "alb.ingress.kubernetes.io/group.order": "1000",
            "alb.ingress.kubernetes.io/actions.not-found": json.dumps(not_found, sort_keys=True),
        }},
        "spec": {"ingressClassName": PUBLIC,
                 "defaultBackend": {"service": {"name": "not-found", "port": {"name": "use-annotation"}}}},
    }


class IngressClasses(ManifestsRelease):
    """``alb-internal`` (and the public ALB's WAF settings when configured).

    :param cluster_name: names the ALB groups (``<cluster>-public``, ``<cluster>-internal``).
    :param config: the validated ``ingress`` section. :param timeout_seconds: Helm's wait.
    :param depends_on: the load balancer controller's release (its CRD and webhook).
    :param certificates: more certificates of the internal ALB (a validated one). Default: none.
    """

    def __init__(self, scope: Construct, id_: str = "alb-ingress-classes", *, cluster_name: str, config: IngressConfig,
                 timeout_seconds: int, depends_on: Sequence[core.ITerraformDependable],
                 certificates: Sequence[str] = ()) -> None:
        manifests = internal_class(cluster_name=cluster_name, config=config, certificates=certificates)
        if config.public.waf_acl_arn:
            manifests.append(waf_settings_ingress(config.public.waf_acl_arn))
        super().__init__(scope, id_, release_name=id_, namespace=NAMESPACE, manifests=manifests,
                         timeout_seconds=timeout_seconds, depends_on=depends_on)
