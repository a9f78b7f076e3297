"""Grafana (grafana-community chart): the four data sources, cross-linked, and starter dashboards.

- Data sources: Mimir (Prometheus type, default), Loki, Tempo and Mimir's Alertmanager, each
  sending the platform tenant in X-Scope-OrgID. Logs link to traces (a ``trace_id`` in a log's
  structured metadata opens the trace in Tempo), traces link to logs (Loki, by trace id) and to
  metrics, and Mimir's exemplars (Tempo's span metrics) open their traces.
- The admin password never enters values, JSON, state or git: unset, the chart generates a random
  one into the Secret ``grafana`` in the cluster (reused on upgrades). Read it with
  ``kubectl -n monitoring get secret grafana -o jsonpath='{.data.admin-password}' | base64 -d``.
- Reachable only inside the VPC: an Ingress on an *internal* ALB (its own group, so a shared
  internet-facing group can never expose it). Stateless (no volume): dashboards and data sources
  are provisioned, so a restarted pod is the same Grafana.
"""

from __future__ import annotations

from components.addons import endpoints
from components.addons.base import Addon
from components.addons.ingress_classes import INTERNAL, listen_annotations
from components.addons.common import GRAFANA_COMMUNITY_CHARTS, Values, containers, resources
from components.addons.dashboards import DASHBOARDS
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.observability import GrafanaAccessConfig
from officeless.tf import Construct, core

RELEASE = "grafana"
TENANT_HEADER = "X-Scope-OrgID"


def datasources(*, tenant: str, metrics: bool, logs: bool, traces: bool) -> list[Values]:
    def tenant_header(extra: Values) -> Values:
        return {"jsonData": {"httpHeaderName1": TENANT_HEADER, **extra}, "secureJsonData": {"httpHeaderValue1": tenant}}

    out: list[Values] = []
    if metrics:
        out.append({"name": "Mimir", "uid": "mimir", "type": "prometheus", "url": f"{endpoints.MIMIR}/prometheus",
                    "access": "proxy", "isDefault": True, **tenant_header({
                        "prometheusType": "Mimir", "timeInterval": "15s",
                        **({"exemplarTraceIdDestinations": [{"name": "traceID", "datasourceUid": "tempo"}]} if traces else {}),
                    })})
        out.append({"name": "Alertmanager", "uid": "alertmanager", "type": "alertmanager", "url": f"{endpoints.MIMIR}",
                    "access": "proxy", **tenant_header({"implementation": "mimir", "handleGrafanaManagedAlerts": False})})
    if logs:
        derived = ([{"name": "TraceID", "matcherType": "label", "matcherRegex": "trace_id", "datasourceUid": "tempo",
                     "url": "$${__value.raw}", "urlDisplayLabel": "Open trace"}] if traces else [])
        out.append({"name": "Loki", "uid": "loki", "type": "loki", "url": endpoints.LOKI, "access": "proxy",
                    **tenant_header({"derivedFields": derived} if derived else {})})
    if traces:
        links: Values = {"nodeGraph": {"enabled": True}}
        if logs:
            links["tracesToLogsV2"] = {"datasourceUid": "loki", "filterByTraceID": True, "spanStartTimeShift": "-5m",
                                       "spanEndTimeShift": "5m"}
            links["lokiSearch"] = {"datasourceUid": "loki"}
        if metrics:
            links["tracesToMetrics"] = {"datasourceUid": "mimir"}
            links["serviceMap"] = {"datasourceUid": "mimir"}
        out.append({"name": "Tempo", "uid": "tempo", "type": "tempo", "url": endpoints.TEMPO_QUERY, "access": "proxy",
                    **tenant_header(links)})
    return out


def ingress(*, access: GrafanaAccessConfig, class_tls: bool, ingress_class: str | None = None,
            annotations: dict[str, str] | None = None, exposed: bool = True) -> Values:
    """On the internal class (it fixes scheme and group; annotations cannot override them). HTTPS
    with Grafana's own certificate or the class's (``ingress.internal.certificate_arns``), HTTP
    then only redirecting; else plain HTTP (config warns at every synth). ``ingress_class``: a
    target's own class instead of the internal ALB's (no ALB annotations then). Not ``exposed``: no
    Ingress (reached through ``kubectl port-forward`` from the network)."""
    if not exposed:
        return {"enabled": False}
    if ingress_class is not None:
        return {"enabled": True, "ingressClassName": ingress_class, **({"annotations": annotations} if annotations else {}),
                "hosts": [access.hostname] if access.hostname else [], "path": "/", "pathType": "Prefix"}
    annotations = {"alb.ingress.kubernetes.io/healthcheck-path": "/api/health",
                   **listen_annotations(https=bool(access.certificate_arn) or class_tls)}
    if access.certificate_arn:
        annotations.update({
            "alb.ingress.kubernetes.io/certificate-arn": access.certificate_arn,
            "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        })
    return {"enabled": True, "ingressClassName": INTERNAL, "annotations": annotations,
            "hosts": [access.hostname] if access.hostname else [], "path": "/", "pathType": "Prefix"}


def values(*, helm: HelmConfig, tenant: str, access: GrafanaAccessConfig, metrics: bool, logs: bool,
           traces: bool, class_tls: bool = False, ingress_class: str | None = None,
           annotations: dict[str, str] | None = None, exposed: bool = True, service: Values | None = None) -> Values:
    """``service``: the chart's Service settings (a target's internal load balancer); default the chart's
    ClusterIP."""
    size = helm.size(RELEASE, "server")
    server: Values = {"enable_gzip": True}
    if access.hostname:
        server["root_url"] = f"{'https' if access.certificate_arn or class_tls else 'http'}://{access.hostname}/"
    return {
        **({"service": dict(service)} if service else {}),
        "replicas": size.replicas,
        "resources": resources(size.containers["grafana"]),
        "downloadDashboards": {"resources": resources(size.containers["download-dashboards"])},
        "persistence": {"enabled": False},
        "testFramework": {"enabled": False},
        "ingress": ingress(access=access, class_tls=class_tls, ingress_class=ingress_class, annotations=annotations,
                           exposed=exposed),
        "grafana.ini": {"server": server, "analytics": {"reporting_enabled": False, "check_for_updates": False},
                        "users": {"allow_sign_up": False}, "auth.anonymous": {"enabled": False}},
        "datasources": {"datasources.yaml": {"apiVersion": 1, "datasources": datasources(
            tenant=tenant, metrics=metrics, logs=logs, traces=traces)}},
        "dashboardProviders": {"dashboardproviders.yaml": {"apiVersion": 1, "providers": [{
            "name": "platform", "orgId": 1, "folder": "Platform", "type": "file", "disableDeletion": True,
            "editable": False, "options": {"path": "/var/lib/grafana/dashboards/platform"}}]}},
        "dashboards": {"platform": {name: {"json": body} for name, body in DASHBOARDS.items()}},
    }


def workloads(helm: HelmConfig) -> list[Workload]:
    size = helm.size(RELEASE, "server")
    return [Workload("grafana", f"helm.sizes.{RELEASE}.server", "Deployment", containers(size, "grafana"),
                     replicas=size.replicas, init_containers=containers(size, "download-dashboards"))]


class Grafana(Addon):
    """:param class_tls: the internal class has certificates (HTTPS without Grafana's own). Default False.
    :param ingress_class: the class of its Ingress. Default: the internal ALB's.
    :param annotations: its Ingress's annotations on that class. Default: none.
    :param exposed: an Ingress at all. Default True.
    :param service: its Service's type and annotations (an internal load balancer). Default: ClusterIP."""

    source = ChartSource(GRAFANA_COMMUNITY_CHARTS, "grafana")
    namespace = "monitoring"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster | None, helm: HelmConfig, tenant: str,
                 access: GrafanaAccessConfig, metrics: bool, logs: bool, traces: bool, timeout_seconds: int,
                 depends_on: list[core.ITerraformDependable], class_tls: bool = False,
                 ingress_class: str | None = None, annotations: dict[str, str] | None = None, exposed: bool = True,
                 service: Values | None = None) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.grafana.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on,
                         values=values(helm=helm, tenant=tenant, access=access, metrics=metrics,
                                       logs=logs, traces=traces, class_tls=class_tls, ingress_class=ingress_class,
                                       annotations=annotations, exposed=exposed, service=service))


