"""The starter alerting rules the Mimir ruler evaluates for the platform tenant.

Loaded in the same deploy as Mimir (ruler storage ``local``, from a ConfigMap of the release).
Every metric comes from what the collector scrapes: kube-state-metrics (``kube_*``), the kubelet
(``kubelet_volume_stats_*``), and the components' own /metrics (Loki ``loki_*``, Mimir
``cortex_*``, Tempo ``tempo_*``, Alloy's writers ``prometheus_remote_storage_*``, ``loki_write_*``).
"""

from __future__ import annotations

from typing import Any

GROUP = "platform-starter"


def _ratio(metric: str, routes: str) -> str:
    """Share of 5xx responses of ``metric`` on the push ``routes`` over 5 minutes."""
    return (f'(sum by (namespace) (rate({metric}{{route=~"{routes}",status_code=~"5.."}}[5m])) '
            f'/ sum by (namespace) (rate({metric}{{route=~"{routes}"}}[5m]))) > 0.05')


RULES: list[dict[str, Any]] = [
    {"alert": "NodeNotReady", "expr": 'kube_node_status_condition{condition="Ready",status="true"} == 0', "for": "5m",
     "labels": {"severity": "critical"},
     "annotations": {"summary": "Node {{ $labels.node }} has not been Ready for 5 minutes."}},
    {"alert": "PodCrashLooping",
     "expr": 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1', "for": "10m",
     "labels": {"severity": "warning"},
     "annotations": {"summary": "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping."}},
    {"alert": "PersistentVolumeFillingUp",
     "expr": "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.85", "for": "10m",
     "labels": {"severity": "warning"},
     "annotations": {"summary": "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 85 % full."}},
    {"alert": "LokiIngestionFailing", "expr": _ratio("loki_request_duration_seconds_count", "loki_api_v1_push|otlp_v1_logs"),
     "for": "10m", "labels": {"severity": "critical"},
     "annotations": {"summary": "More than 5 % of log pushes to Loki fail."}},
    {"alert": "MimirIngestionFailing", "expr": _ratio("cortex_request_duration_seconds_count", "api_v1_push|otlp_v1_metrics"),
     "for": "10m", "labels": {"severity": "critical"},
     "annotations": {"summary": "More than 5 % of metric pushes to Mimir fail."}},
    {"alert": "TempoIngestionFailing",
     "expr": "sum by (namespace) (rate(tempo_receiver_refused_spans[5m]) + rate(tempo_discarded_spans_total[5m])) > 0",
     "for": "10m", "labels": {"severity": "critical"},
     "annotations": {"summary": "Tempo refuses or discards spans."}},
    {"alert": "CollectorCannotWrite",
     "expr": "sum by (pod) (rate(prometheus_remote_storage_samples_failed_total[5m]) + rate(loki_write_dropped_entries_total[5m])) > 0",
     "for": "15m", "labels": {"severity": "warning"},
     "annotations": {"summary": "Alloy {{ $labels.pod }} fails to deliver metrics or logs."}},
]


def rule_file() -> dict[str, Any]:
    """A Prometheus rule file with one group (the format of the ruler's local storage)."""
    return {"groups": [{"name": GROUP, "interval": "1m", "rules": RULES}]}
