"""Starter Grafana dashboards: cluster, nodes, pods, and each of Mimir, Loki and Tempo.

Small on purpose: a few panels each, over the metrics the collector scrapes (kube-state-metrics,
kubelet/cAdvisor, node-exporter, the components' own /metrics). Built here, provisioned read-only
into the "Platform" folder; teams build their own dashboards beside them.
"""

from __future__ import annotations

import json
from typing import Any

_DATASOURCE = {"type": "prometheus", "uid": "mimir"}


def _panel(i: int, title: str, expr: str, unit: str = "short", legend: str = "") -> dict[str, Any]:
    return {
        "id": i + 1, "type": "timeseries", "title": title, "datasource": _DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"refId": "A", "datasource": _DATASOURCE, "expr": expr, "legendFormat": legend}],
    }


def _dashboard(uid: str, title: str, panels: list[tuple[str, str, str, str]]) -> str:
    return json.dumps({
        "uid": uid, "title": title, "tags": ["platform"], "schemaVersion": 39, "editable": False,
        "time": {"from": "now-6h", "to": "now"}, "refresh": "1m",
        "templating": {"list": [{
            "name": "cluster", "type": "query", "datasource": _DATASOURCE, "query": "label_values(up, cluster)",
            "refresh": 1, "includeAll": False,
        }]},
        "panels": [_panel(i, *p) for i, p in enumerate(panels)],
    }, sort_keys=True)


DASHBOARDS: dict[str, str] = {
    "cluster": _dashboard("platform-cluster", "Platform / Cluster", [
        ("Nodes Ready", 'sum(kube_node_status_condition{cluster="$cluster",condition="Ready",status="true"})', "short", "ready"),
        ("Pods by phase", 'sum by (phase) (kube_pod_status_phase{cluster="$cluster"})', "short", "{{phase}}"),
        ("CPU requested / allocatable", 'sum(kube_pod_container_resource_requests{cluster="$cluster",resource="cpu"}) '
         '/ sum(kube_node_status_allocatable{cluster="$cluster",resource="cpu"})', "percentunit", "cpu"),
        ("Memory requested / allocatable", 'sum(kube_pod_container_resource_requests{cluster="$cluster",resource="memory"}) '
         '/ sum(kube_node_status_allocatable{cluster="$cluster",resource="memory"})', "percentunit", "memory"),
    ]),
    "nodes": _dashboard("platform-nodes", "Platform / Nodes", [
        ("CPU busy", '1 - avg by (node) (rate(node_cpu_seconds_total{cluster="$cluster",mode="idle"}[5m]))', "percentunit", "{{node}}"),
        ("Memory available", 'node_memory_MemAvailable_bytes{cluster="$cluster"}', "bytes", "{{node}}"),
        ("Filesystem used", '1 - node_filesystem_avail_bytes{cluster="$cluster",fstype!~"tmpfs|overlay"} '
         '/ node_filesystem_size_bytes{cluster="$cluster",fstype!~"tmpfs|overlay"}', "percentunit", "{{node}} {{mountpoint}}"),
        ("Network received", 'sum by (node) (rate(node_network_receive_bytes_total{cluster="$cluster",device!="lo"}[5m]))',
         "Bps", "{{node}}"),
    ]),
    "pods": _dashboard("platform-pods", "Platform / Pods", [
        ("CPU by namespace", 'sum by (namespace) (rate(container_cpu_usage_seconds_total{cluster="$cluster",container!=""}[5m]))',
         "short", "{{namespace}}"),
        ("Memory by namespace", 'sum by (namespace) (container_memory_working_set_bytes{cluster="$cluster",container!=""})',
         "bytes", "{{namespace}}"),
        ("Restarts (1h)", 'sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{cluster="$cluster"}[1h])) > 0',
         "short", "{{namespace}}/{{pod}}"),
        ("Pods not ready", 'sum by (namespace) (kube_pod_status_ready{cluster="$cluster",condition="false"})', "short",
         "{{namespace}}"),
    ]),
    "mimir": _dashboard("platform-mimir", "Platform / Mimir", [
        ("Samples received /s", 'sum(rate(cortex_distributor_received_samples_total{cluster="$cluster"}[5m]))', "short", "samples"),
        ("In-memory series", 'sum(cortex_ingester_memory_series{cluster="$cluster"})', "short", "series"),
        ("Push errors /s", 'sum(rate(cortex_request_duration_seconds_count{cluster="$cluster",route=~"api_v1_push|otlp_v1_metrics",'
         'status_code=~"5.."}[5m]))', "short", "5xx"),
        ("Query latency p99", 'histogram_quantile(0.99, sum by (le) (rate(cortex_request_duration_seconds_bucket{cluster="$cluster",'
         'route=~"prometheus_api_v1_query.*"}[5m])))', "s", "p99"),
    ]),
    "loki": _dashboard("platform-loki", "Platform / Loki", [
        ("Lines received /s", 'sum(rate(loki_distributor_lines_received_total{cluster="$cluster"}[5m]))', "short", "lines"),
        ("Bytes received /s", 'sum(rate(loki_distributor_bytes_received_total{cluster="$cluster"}[5m]))', "Bps", "bytes"),
        ("Push errors /s", 'sum(rate(loki_request_duration_seconds_count{cluster="$cluster",route=~"loki_api_v1_push|otlp_v1_logs",'
         'status_code=~"5.."}[5m]))', "short", "5xx"),
        ("Dropped by the collector /s", 'sum by (pod) (rate(loki_write_dropped_entries_total{cluster="$cluster"}[5m]))', "short",
         "{{pod}}"),
    ]),
    "tempo": _dashboard("platform-tempo", "Platform / Tempo", [
        ("Spans received /s", 'sum(rate(tempo_distributor_spans_received_total{cluster="$cluster"}[5m]))', "short", "spans"),
        ("Spans refused /s", 'sum(rate(tempo_receiver_refused_spans{cluster="$cluster"}[5m]))', "short", "refused"),
        ("Live traces", 'sum(tempo_ingester_live_traces{cluster="$cluster"})', "short", "traces"),
        ("Blocks flushed /s", 'sum(rate(tempo_ingester_blocks_flushed_total{cluster="$cluster"}[5m]))', "short", "blocks"),
    ]),
}
