"""Observability that observes (issue #13), asserted on the values 05-helm synthesizes.

What the charts make of these values was rendered with `helm template` at each pinned version
before this landed (the closing note says what the render showed); here the values themselves
are held to the contract: receivers on, every writer and reader with the tenant, retention,
persistence, requests on every container, budgets, Grafana only inside the VPC.
"""

from __future__ import annotations

import json
import re

import promql_parser
import pytest
import yaml

from components.addons import alert_rules, dashboards
from tests.test_helm_stack import release_values, releases

TENANT = "officeless"  # the project name: observability.tenant is unset in both environments
CLUSTER = {"production": "production-cluster", "dev": "dev-cluster"}
# microservices guide: logs 30 days, Prometheus 15 days; traces: 14 days (README states it).
RETENTION = {"logs": "720h", "metrics": "15d", "traces": "336h"}
MIMIR_PUSH = "http://mimir-nginx.monitoring.svc.cluster.local:80/api/v1/push"
LOKI_PUSH = "http://loki-gateway.monitoring.svc.cluster.local:80/loki/api/v1/push"
TEMPO_OTLP = "tempo-distributor.monitoring.svc.cluster.local:4317"


@pytest.fixture
def helm(synth):
    return synth.stack("05-helm")


def values_of(helm, name: str) -> dict:
    return release_values(releases(helm)[name][1])


# --- Tempo ---------------------------------------------------------------------------------------

def test_tempo_accepts_otlp_and_keeps_its_wal_on_a_volume(helm):
    tempo = values_of(helm, "tempo")
    assert tempo["traces"]["otlp"] == {"grpc": {"enabled": True}, "http": {"enabled": True}}
    assert tempo["ingester"]["persistence"] == {"enabled": True, "size": "10Gi"}
    assert tempo["multitenancyEnabled"] is True
    assert tempo["compactor"]["config"]["compaction"]["block_retention"] == RETENTION["traces"]


def test_tempo_metrics_generator_writes_to_mimir(helm):
    tempo = values_of(helm, "tempo")
    assert tempo["metricsGenerator"]["enabled"] is True
    assert tempo["metricsGenerator"]["config"]["storage"]["remote_write"] == [{"url": MIMIR_PUSH, "send_exemplars": True}]
    assert tempo["overrides"]["defaults"]["metrics_generator"]["processors"] == ["service-graphs", "span-metrics"]


# --- Loki ----------------------------------------------------------------------------------------

def test_loki_is_multi_tenant_and_retains_30_days(helm):
    loki = values_of(helm, "loki")["loki"]
    assert loki["auth_enabled"] is True
    assert loki["limits_config"]["retention_period"] == RETENTION["logs"]
    assert loki["compactor"] == {"retention_enabled": True, "delete_request_store": "s3"}


def test_loki_mode_fits_the_environment(helm, synth):
    loki = values_of(helm, "loki")
    if synth.environment == "production":
        assert loki["deploymentMode"] == "SimpleScalable"
        assert loki["loki"]["commonConfig"]["replication_factor"] == 3
        assert (loki["write"]["replicas"], loki["read"]["replicas"], loki["backend"]["replicas"]) == (3, 2, 2)
        # 9830Mi (chart default) fits no node; 256 MB of memcached in a 307Mi request does.
        assert loki["chunksCache"]["allocatedMemory"] == 255
        assert loki["chunksCache"]["resources"]["requests"]["memory"] == "307Mi"
    else:
        # Chart 18.11.0 (dev): the single binary is "Monolithic" from 12.0.0 (README "From 11.x to 12.0.0").
        assert loki["deploymentMode"] == "Monolithic"
        # From 9.1.0 the gateway runs an access-log exporter sidecar; nothing scrapes it here.
        assert loki["gateway"]["metrics"] == {"enabled": False}
        assert loki["loki"]["commonConfig"]["replication_factor"] == 1
        assert loki["chunksCache"] == {"enabled": False} and loki["resultsCache"] == {"enabled": False}
    assert loki["lokiCanary"] == {"enabled": False}


def test_loki_values_follow_the_pinned_chart_version():
    """The keys that changed between the guide's 6.30.1 and 18.11.0, per version; grafana-community
    publishes 7.0.0 and later, grafana the 6.x line (tempo-distributed: grafana up to 1.61.3)."""
    from components.addons import loki, tempo
    from officeless.config.loader import load_environment

    dev = load_environment("dev").helm

    def at(version: str) -> dict:
        helm = dev.model_copy(update={"loki": dev.loki.model_copy(update={"version": version})})
        return loki.values(helm=helm, region="us-east-1", retention_days=30, chunks_bucket="c", ruler_bucket="r")

    assert (at("6.30.1")["deploymentMode"], "metrics" in at("6.30.1")["gateway"]) == ("SingleBinary", False)
    assert (at("9.1.0")["deploymentMode"], at("9.1.0")["gateway"]["metrics"]) == ("SingleBinary", {"enabled": False})
    assert at("12.0.0")["deploymentMode"] == "Monolithic"
    community, grafana = "https://grafana-community.github.io/helm-charts", "https://grafana.github.io/helm-charts"
    assert [loki.Loki.source_for(v).repository for v in ("6.30.1", "7.0.0", "18.11.0")] == [grafana, community, community]
    assert [tempo.Tempo.source_for(v).repository for v in ("1.42.0", "1.61.3", "1.62.0", "2.26.2")] == [
        grafana, grafana, community, community]


# --- Mimir ---------------------------------------------------------------------------------------

def test_mimir_retention_and_replication(helm, synth):
    mimir = values_of(helm, "mimir")
    config = mimir["mimir"]["structuredConfig"]
    assert config["limits"]["compactor_blocks_retention_period"] == RETENTION["metrics"]
    production = synth.environment == "production"
    assert config["ingester"]["ring"]["replication_factor"] == (3 if production else 1)
    zones = mimir["ingester"]["zoneAwareReplication"]
    if production:  # three nodes in three zones at min_size: one ingester and store-gateway per zone
        assert [z["nodeSelector"] for z in zones["zones"]] == [
            {"topology.kubernetes.io/zone": z} for z in ("us-east-1a", "us-east-1b", "us-east-1c")]
        assert mimir["store_gateway"]["zoneAwareReplication"]["zones"] == zones["zones"]
        assert mimir["rollout_operator"]["enabled"] is True
    else:
        assert zones == {"enabled": False}
        assert mimir["rollout_operator"] == {"enabled": False}


def test_alertmanager_null_route_when_no_receiver(helm):
    mimir = values_of(helm, "mimir")
    fallback = yaml.safe_load(mimir["alertmanager"]["fallbackConfig"])
    assert fallback["route"]["receiver"] == "platform"
    assert fallback["receivers"] == [{"name": "platform"}]  # no integration: a documented null route
    assert "extraVolumes" not in mimir["alertmanager"]


def test_starter_rules_load_with_mimir(helm):
    mimir = values_of(helm, "mimir")
    (rules,) = [o for o in mimir["extraObjects"] if o["kind"] == "ConfigMap"]
    text = rules["data"]["platform-starter.yaml"]
    # Helm's tpl prints {{`{{`}} as {{: the Prometheus templates reach the ruler unchanged.
    unescaped = text.replace("{{`{{`}}", "{{").replace("{{`}}`}}", "}}")
    alerts = [r["alert"] for r in yaml.safe_load(unescaped)["groups"][0]["rules"]]
    assert {"NodeNotReady", "PodCrashLooping", "PersistentVolumeFillingUp", "LokiIngestionFailing",
            "MimirIngestionFailing", "TempoIngestionFailing"} <= set(alerts)
    assert mimir["ruler"]["extraVolumeMounts"] == [{"name": "rules", "mountPath": f"/etc/mimir/rules/{TENANT}", "readOnly": True}]
    assert re.search(r"\{\{ \$labels", text) is None, "an unescaped template would break Helm's tpl"


@pytest.mark.parametrize("rule", alert_rules.RULES, ids=[r["alert"] for r in alert_rules.RULES])
def test_every_rule_is_valid_promql(rule):
    promql_parser.parse(rule["expr"])


@pytest.mark.parametrize("name", sorted(dashboards.DASHBOARDS))
def test_every_dashboard_query_is_valid_promql(name):
    board = json.loads(dashboards.DASHBOARDS[name])
    assert board["panels"]
    for panel in board["panels"]:
        promql_parser.parse(panel["targets"][0]["expr"].replace("$cluster", "x"))


# --- the collector -------------------------------------------------------------------------------

def alloy_config(helm, name: str) -> str:
    return values_of(helm, name)["alloy"]["configMap"]["content"]


def components_of(config: str) -> tuple[set[str], set[str]]:
    """(defined component ids, referenced component ids) of an Alloy configuration."""
    defined = {f"{m.group(1)}.{m.group(2)}" for m in re.finditer(r'^([a-z_.]+) "([a-z_]+)" \{', config, re.M)}
    used = {m.group(1) for m in re.finditer(
        r"\b((?:[a-z_]+\.)+[a-z_]+)\.(?:receiver|input|targets|output)\b", config)}
    return defined, used


@pytest.mark.parametrize("name", ["alloy", "alloy-singleton"])
def test_alloy_configuration_is_wired(helm, name):
    config = alloy_config(helm, name)
    assert config.count("{") == config.count("}")
    defined, used = components_of(config)
    assert used <= defined, f"referenced but not defined: {used - defined}"
    assert "{{" not in config  # the chart passes it through Helm's tpl


def test_collector_sends_everything_with_the_tenant(helm, synth):
    node = alloy_config(helm, "alloy")
    for config in (node, alloy_config(helm, "alloy-singleton")):
        assert f'url       = "{LOKI_PUSH}"\n    tenant_id = "{TENANT}"' in config
        assert f'url     = "{MIMIR_PUSH}"\n    headers = {{ "X-Scope-OrgID" = "{TENANT}" }}' in config
        assert f'external_labels = {{ cluster = "{CLUSTER[synth.environment]}" }}' in config
    assert f'endpoint = "{TEMPO_OTLP}"\n    headers  = {{ "X-Scope-OrgID" = "{TENANT}" }}' in node


def test_collector_pipelines(helm):
    node = alloy_config(helm, "alloy")
    # pod logs, labelled and JSON-parsed with the trace id kept
    assert 'loki.source.file "pod_logs"' in node
    for label in ("namespace", "pod", "container", "app"):
        assert f'target_label  = "{label}"' in node or f'target_label = "{label}"' in node
    assert 'stage.json {\n    expressions = { level = "level", trace_id = "trace_id" }' in node
    assert "stage.structured_metadata {\n    values = { trace_id = \"\" }" in node
    # kubelet, cAdvisor and the pods' metrics every 15 s
    for job in ('prometheus.scrape "kubelet"', 'prometheus.scrape "cadvisor"', 'prometheus.scrape "pods"'):
        assert job in node
    assert node.count('scrape_interval   = "15s"') == 2 and 'scrape_interval = "15s"' in node
    # OTLP for applications, every signal wired
    assert 'endpoint = "0.0.0.0:4317"' in node and 'endpoint = "0.0.0.0:4318"' in node
    for signal, sink in (("metrics", "otelcol.exporter.prometheus.mimir.input"), ("logs", "otelcol.exporter.loki.default.input"),
                         ("traces", "otelcol.exporter.otlp.tempo.input")):
        assert re.search(rf"{signal} *= \[{re.escape(sink)}\]", node), signal
    singleton = alloy_config(helm, "alloy-singleton")
    assert 'loki.source.kubernetes_events "events"' in singleton
    assert '"__address__" = "kube-state-metrics.monitoring.svc.cluster.local:8080"' in singleton


def test_collector_runs_on_every_node_and_reads_no_secrets(helm):
    node = values_of(helm, "alloy")
    assert node["controller"] == {"type": "daemonset", "tolerations": [{"operator": "Exists"}]}
    assert node["alloy"]["mounts"] == {"varlog": True}
    assert node["service"] == {"internalTrafficPolicy": "Local"}
    assert [p["port"] for p in node["alloy"]["extraPorts"]] == [4317, 4318]
    for name in ("alloy", "alloy-singleton"):
        rbac = values_of(helm, name)["rbac"]
        resources = {r for rule in rbac["rules"] + rbac["clusterRules"] for r in rule.get("resources", [])}
        assert "secrets" not in resources and "configmaps" not in resources
    assert values_of(helm, "alloy-singleton")["controller"] == {"type": "deployment", "replicas": 1}


# --- Grafana -------------------------------------------------------------------------------------

def test_grafana_data_sources_send_the_tenant_and_link_each_other(helm):
    grafana = values_of(helm, "grafana")
    sources = {d["uid"]: d for d in grafana["datasources"]["datasources.yaml"]["datasources"]}
    assert {uid: d["type"] for uid, d in sources.items()} == {
        "mimir": "prometheus", "alertmanager": "alertmanager", "loki": "loki", "tempo": "tempo"}
    for d in sources.values():
        assert d["jsonData"]["httpHeaderName1"] == "X-Scope-OrgID"
        assert d["secureJsonData"] == {"httpHeaderValue1": TENANT}
    assert sources["mimir"]["isDefault"] is True
    assert sources["mimir"]["jsonData"]["exemplarTraceIdDestinations"] == [{"name": "traceID", "datasourceUid": "tempo"}]
    (derived,) = sources["loki"]["jsonData"]["derivedFields"]
    assert (derived["matcherType"], derived["matcherRegex"], derived["datasourceUid"]) == ("label", "trace_id", "tempo")
    tempo = sources["tempo"]["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == "loki" and tempo["tracesToLogsV2"]["filterByTraceID"] is True
    assert tempo["tracesToMetrics"] == {"datasourceUid": "mimir"} and tempo["serviceMap"] == {"datasourceUid": "mimir"}
    assert sources["alertmanager"]["jsonData"]["implementation"] == "mimir"


def test_grafana_dashboards_provisioned(helm):
    grafana = values_of(helm, "grafana")
    assert set(grafana["dashboards"]["platform"]) == {"cluster", "nodes", "pods", "mimir", "loki", "tempo"}
    (provider,) = grafana["dashboardProviders"]["dashboardproviders.yaml"]["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards/platform"


def test_grafana_only_inside_the_vpc_and_no_password_in_values(helm, synth):
    grafana = values_of(helm, "grafana")
    # Issue #17: the internal class's parameters fix scheme internal and the internal group; no
    # annotation on the Ingress could override them (tests/test_platform_stack.py checks the class).
    assert grafana["ingress"]["ingressClassName"] == "alb-internal"
    assert not [k for k in grafana["ingress"]["annotations"] if k.endswith(("/scheme", "/group.name"))]
    text = json.dumps(grafana)
    assert "internet-facing" not in text
    assert "adminPassword" not in text and "admin-password" not in text  # generated in the cluster
    assert grafana["persistence"] == {"enabled": False}


# --- requests and budgets ------------------------------------------------------------------------

def resource_blocks(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "resources" and isinstance(value, dict) and "requests" in value:
                yield f"{path}.{key}", value
            else:
                yield from resource_blocks(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from resource_blocks(value, f"{path}[{i}]")


# Containers each release's values size (every container the chart runs at these values, as the
# helm template render showed).
SIZED_CONTAINERS = {
    "aws-load-balancer-controller": 1, "metrics-server": 1, "aws-efs-csi-driver": 5,
    # Issue #16: one autoscaler per environment (None: not deployed there).
    "cluster-autoscaler": {"production": 1, "dev": None}, "karpenter": {"production": None, "dev": 1},
    "secrets-store-csi-driver": 4, "secrets-store-csi-driver-provider-aws": 1, "alloy": 2, "alloy-singleton": 2,
    "kube-state-metrics": 1, "prometheus-node-exporter": 1, "grafana": 2, "tempo": {"production": 7, "dev": 6},
    "loki": {"production": 7, "dev": 2}, "mimir": {"production": 11, "dev": 10},
}


@pytest.mark.parametrize("name", sorted(SIZED_CONTAINERS))
def test_every_container_has_requests_and_a_memory_limit(helm, synth, name):
    expected = SIZED_CONTAINERS[name]
    if isinstance(expected, dict) and expected[synth.environment] is None:
        assert name not in releases(helm)
        return
    blocks = list(resource_blocks(values_of(helm, name)))
    assert len(blocks) == (expected[synth.environment] if isinstance(expected, dict) else expected), blocks
    for path, block in blocks:
        assert set(block["requests"]) == {"cpu", "memory"}, path
        assert set(block["limits"]) == {"memory"}, path


def test_budgets_for_multi_replica_components(helm, synth):
    production = synth.environment == "production"
    assert values_of(helm, "aws-load-balancer-controller")["podDisruptionBudget"] == {"maxUnavailable": 1}
    metrics = values_of(helm, "metrics-server")
    assert metrics["podDisruptionBudget"] == ({"enabled": True, "maxUnavailable": 1} if production else {"enabled": False})
    efs = values_of(helm, "aws-efs-csi-driver")["controller"]
    assert efs["podDisruptionBudget"]["enabled"] is production
    for spread in values_of(helm, "aws-load-balancer-controller")["topologySpreadConstraints"]:
        assert spread["whenUnsatisfiable"] == "ScheduleAnyway"  # never a reason to stay Pending


def test_alert_receiver_credential_is_mounted_never_written(synthesized):
    """With a receiver configured, the credential stays in Secrets Manager: the Alertmanager reads
    it from a file the Secrets Store CSI driver mounts; no value enters the chart values."""
    from components.addons import mimir
    from officeless.config.loader import load_environment
    from officeless.config.observability import AlertReceiverConfig

    receiver = AlertReceiverConfig(type="slack", secret_name="production/observability/slack-webhook", channel="#alerts")
    config = load_environment("production")
    values = mimir.values(helm=config.helm, region="us-east-1", tenant=TENANT, retention_days=15, zones=None,
                          receiver=receiver, metrics_bucket="m", alertmanager_bucket="a")
    fallback = yaml.safe_load(values["alertmanager"]["fallbackConfig"])
    assert fallback["receivers"] == [{"name": "platform", "slack_configs": [
        {"api_url_file": "/etc/alertmanager/receiver/credential", "send_resolved": True, "channel": "#alerts"}]}]
    assert values["alertmanager"]["extraVolumeMounts"] == [
        {"name": "receiver", "mountPath": "/etc/alertmanager/receiver", "readOnly": True}]
    (spc,) = [o for o in values["extraObjects"] if o["kind"] == "SecretProviderClass"]
    assert spc["spec"]["parameters"]["usePodIdentity"] == "true"
    assert yaml.safe_load(spc["spec"]["parameters"]["objects"]) == [
        {"objectName": "production/observability/slack-webhook", "objectType": "secretsmanager", "objectAlias": "credential"}]

    class Ctx:  # AwsContext's shape, with plain strings
        region = "us-east-1"

        @staticmethod
        def arn(service, resource):
            return f"arn:aws:{service}:us-east-1:123456789012:{resource}"

    read, decrypt = mimir.receiver_secret_access(Ctx, receiver.secret_name)
    assert read.resources == ["arn:aws:secretsmanager:us-east-1:123456789012:secret:production/observability/slack-webhook-??????"]
    assert decrypt.conditions[1].values == read.resources
