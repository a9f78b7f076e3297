"""In-cluster addresses of the observability stack (release names are fixed, so are these)."""

MONITORING = "monitoring"
_SVC = f"{MONITORING}.svc.cluster.local"

# Mimir's nginx gateway: /api/v1/push (remote write), /prometheus (queries), /alertmanager.
MIMIR = f"http://mimir-nginx.{_SVC}:80"
MIMIR_PUSH = f"{MIMIR}/api/v1/push"
# Loki's gateway: /loki/api/v1/push and queries.
LOKI = f"http://loki-gateway.{_SVC}:80"
LOKI_PUSH = f"{LOKI}/loki/api/v1/push"
# Tempo: OTLP gRPC into the distributor, queries through the query-frontend.
TEMPO_OTLP_GRPC = f"tempo-distributor.{_SVC}:4317"
TEMPO_QUERY = f"http://tempo-query-frontend.{_SVC}:3200"
KUBE_STATE_METRICS = f"kube-state-metrics.{_SVC}:8080"
# What applications use: the collector's node-local OTLP endpoint (Service with
# internalTrafficPolicy Local, so a pod talks to the Alloy on its own node).
COLLECTOR_OTLP_GRPC = f"alloy.{_SVC}:4317"
COLLECTOR_OTLP_HTTP = f"http://alloy.{_SVC}:4318"
