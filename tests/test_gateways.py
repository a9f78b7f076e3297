"""Gateway API for applications (issue #30, item 3): dev's CRDs, GatewayClasses and Gateways, and who
may attach routes where. A route's attachment is decided as the Gateway API specifies it for a
listener's allowedRoutes (https://gateway-api.sigs.k8s.io/reference/spec/#allowedroutes): the
namespace of the route against From (All, Same, Selector), its kind against kinds."""

from __future__ import annotations

import json

import pytest
import yaml

from components.addons import gateways
from officeless.config.loader import load_environment, load_file
from officeless.config.platform_services import IngressConfig
from officeless.errors import ConfigError
from tests.test_helm_stack import releases
from tests.test_refusals import in_project_root  # noqa: F401 (fixture)

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001"


def _manifests(synth) -> dict[tuple[str, str], dict]:
    _, release = releases(synth.stack("05-helm"))["alb-gateways"]
    return {(m["kind"], m["metadata"]["name"]): m for m in yaml.safe_load(release["values"][0])["manifests"]}


def _namespace_labels(synth, namespace: str) -> dict[str, str]:
    """A tenant namespace's labels as 06-access sets them, plus the one Kubernetes sets on every namespace."""
    for item in synth.stack("06-access").resources("kubernetes_namespace_v1").values():
        if item["metadata"]["name"] == namespace:
            return {**item["metadata"].get("labels", {}), "kubernetes.io/metadata.name": namespace}
    return {"kubernetes.io/metadata.name": namespace}  # a platform namespace: no labels of ours


def _selects(selector: dict, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        ok = {"In": key in labels and labels[key] in values, "NotIn": labels.get(key) not in values,
              "Exists": key in labels, "DoesNotExist": key not in labels}[operator]
        if not ok:
            return False
    return True


def attaches(gateway: dict, listener: str, route: dict, labels: dict[str, str]) -> bool:
    """Whether ``route`` (in a namespace labelled ``labels``) may attach to ``listener`` of ``gateway``."""
    (spec,) = [x for x in gateway["spec"]["listeners"] if x["name"] == listener]
    allowed = spec.get("allowedRoutes", {})
    namespaces = allowed.get("namespaces", {"from": "Same"})
    kinds = allowed.get("kinds")
    if kinds is not None and {"group": gateways.GATEWAY_API, "kind": route["kind"]} not in kinds:
        return False
    if namespaces["from"] == "All":
        return True
    if namespaces["from"] == "Same":
        return route["metadata"]["namespace"] == gateway["metadata"]["namespace"]
    return _selects(namespaces["selector"], labels)


def http_route(namespace: str, gateway: str) -> dict:
    """The tenant's example: its own Service behind a gateway, by path."""
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "core-business", "namespace": namespace},
            "spec": {"parentRefs": [{"name": gateway, "namespace": gateways.NAMESPACE, "sectionName": "http"}],
                     "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                                "backendRefs": [{"name": "core-business", "port": 8000}]}]}}


def test_dev_installs_the_crds_before_the_controller(synthesized):
    helm = releases(synthesized["dev"].stack("05-helm"))
    crds = helm["gateway-api-crds"][1]
    # Envoy Gateway v1.9.0's gateway-crds-helm: Gateway API v1.6.1, the load balancer controller's v1.6.0 line.
    assert (crds["repository"], crds["chart"], crds["version"], crds["namespace"]) == (
        "oci://docker.io/envoyproxy", "gateway-crds-helm", "v1.9.0", "kube-system")
    assert yaml.safe_load(crds["values"][0]) == {"crds": {"gatewayAPI": {"enabled": True, "channel": "standard"},
                                                          "envoyGateway": {"enabled": False}}}
    controller = helm["aws-load-balancer-controller"][1]
    assert f"helm_release.{helm['gateway-api-crds'][0]}" in controller["depends_on"]
    assert controller["version"] == "3.5.0"
    gateways_release = helm["alb-gateways"][1]
    assert f"helm_release.{helm['aws-load-balancer-controller'][0]}" in gateways_release["depends_on"]


def test_production_has_no_gateways(synthesized):
    assert not {"gateway-api-crds", "alb-gateways"} & set(releases(synthesized["production"].stack("05-helm")))


def test_classes_fix_the_scheme_and_gateways_split_tenants_from_operators(synthesized):
    objects = _manifests(synthesized["dev"])
    for kind, scheme in (("public", "internet-facing"), ("internal", "internal")):
        cls = objects[("GatewayClass", f"alb-{kind}")]
        assert cls["spec"]["controllerName"] == "gateway.k8s.aws/alb"
        ref = cls["spec"]["parametersRef"]
        config = objects[("LoadBalancerConfiguration", ref["name"])]
        assert (ref["namespace"], config["metadata"]["namespace"]) == ("kube-system", "kube-system")
        assert config["spec"] == {"scheme": scheme, "mergingMode": "prefer-gateway-class"}  # dev: no certificates
        gateway = objects[("Gateway", kind)]
        assert gateway["spec"]["gatewayClassName"] == f"alb-{kind}"
        assert [(x["name"], x["protocol"], x["port"]) for x in gateway["spec"]["listeners"]] == [("http", "HTTP", 80)]


@pytest.mark.parametrize("tenant", ["core-business-dev", "platform-staging"])
def test_a_tenant_route_attaches_to_the_public_gateway_and_is_refused_on_the_internal_one(synthesized, tenant):
    dev = synthesized["dev"]
    objects = _manifests(dev)
    labels = _namespace_labels(dev, tenant)
    assert labels["tenant"] == "true"
    assert attaches(objects[("Gateway", "public")], "http", http_route(tenant, "public"), labels)
    assert not attaches(objects[("Gateway", "internal")], "http", http_route(tenant, "internal"), labels)


@pytest.mark.parametrize("namespace", ["argocd", "monitoring"])
def test_the_operator_uis_attach_to_the_internal_gateway_only(synthesized, namespace):
    dev = synthesized["dev"]
    objects = _manifests(dev)
    labels = _namespace_labels(dev, namespace)
    assert attaches(objects[("Gateway", "internal")], "http", http_route(namespace, "internal"), labels)
    assert not attaches(objects[("Gateway", "public")], "http", http_route(namespace, "public"), labels)


def test_tenants_may_write_routes_through_their_edit_role(synthesized):
    objects = _manifests(synthesized["dev"])
    edit = objects[("ClusterRole", "gateway-routes-edit")]
    assert edit["metadata"]["labels"] == {"rbac.authorization.k8s.io/aggregate-to-admin": "true",
                                          "rbac.authorization.k8s.io/aggregate-to-edit": "true"}
    assert edit["rules"] == [{"apiGroups": ["gateway.networking.k8s.io"], "resources": ["httproutes", "grpcroutes"],
                              "verbs": ["create", "delete", "deletecollection", "patch", "update"]}]
    # 06-access binds each tenant's groups to edit/admin/view: the aggregated rules reach them.
    bindings = [b for b in synthesized["dev"].stack("06-access").resources("kubernetes_role_binding_v1").values()]
    assert {b["role_ref"]["name"] for b in bindings} == {"admin", "edit", "view"}


def test_with_certificates_https_serves_and_http_only_redirects():
    ingress = IngressConfig.model_validate({"public": {"certificate_arns": [ARN]},
                                            "internal": {"ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}})
    objects = {(m["kind"], m["metadata"]["name"]): m for m in gateways.manifests(ingress, internal_certificates=[ARN])}
    for kind in ("public", "internal"):
        config = objects[("LoadBalancerConfiguration", f"alb-{kind}")]["spec"]
        assert config["listenerConfigurations"] == [{"protocolPort": "HTTPS:443", "defaultCertificate": ARN,
                                                     "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}]
        gateway = objects[("Gateway", kind)]
        http, https = gateway["spec"]["listeners"]
        assert (https["protocol"], https["port"]) == ("HTTPS", 443)
        assert http["allowedRoutes"] == {"namespaces": {"from": "Same"}}
        redirect = objects[("HTTPRoute", f"{kind}-https-redirect")]
        assert redirect["spec"]["rules"] == [{"filters": [{"type": "RequestRedirect", "requestRedirect": {
            "scheme": "https", "statusCode": 301}}]}]
        # A tenant's route attaches to HTTPS only; on HTTP only the platform's redirect does.
        assert not attaches(gateway, "http", http_route("core-business-dev", kind), {"tenant": "true"})
        assert attaches(gateway, "http", redirect, {})


def test_gateways_need_a_controller_that_serves_them(in_project_root, tmp_path):  # noqa: F811
    from tests.test_config_errors import PRODUCTION

    text = PRODUCTION.read_text() + "\ningress:\n  gateway_api: {enabled: true}\n"
    path = tmp_path / "production.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert str(info.value).endswith(
        "ingress.gateway_api.enabled: true with helm.aws_load_balancer_controller.version '1.12.0', whose controller serves "
        "no ALB Gateways; allowed: chart 1.14.0 or newer (controller v2.14), e.g. 3.5.0")
    assert load_environment("dev").ingress.gateway_api.enabled
    assert json.dumps(gateways.crds_values())  # plain data, no references
