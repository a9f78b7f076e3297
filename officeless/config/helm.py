"""The 05-helm section: cluster addons and the observability stack, chart versions pinned."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, StrictStr

from officeless.config.types import Model, Name, matching, not_a_yaml_number

# The 03-s3 bucket purposes each observability component stores into.
COMPONENT_BUCKETS = {
    "mimir": ("mimir-metrics", "mimir-alertmanager", "mimir-ruler"),
    "loki": ("loki-chunks", "loki-ruler"),
    "tempo": ("tempo-traces",),
}

ChartVersion = Annotated[
    StrictStr,
    BeforeValidator(not_a_yaml_number('pin an exact chart version as a string, e.g. "1.12.0"')),
    matching(r"\d+\.\d+\.\d+", "a pinned chart version; allowed: an exact MAJOR.MINOR.PATCH such as 1.12.0 (no ranges, 'latest' or v-prefix)"),
]


class Chart(Model):
    version: ChartVersion


class ClusterAutoscalerChart(Chart):
    # registry.k8s.io/autoscaling/cluster-autoscaler tag; its minor must be the cluster's.
    # Default: the version table's image for eks.kubernetes_version (the chart's own default
    # follows the chart release, not the cluster: 9.45.0 ships v1.32.0).
    image_tag: StrictStr | None = None


class LoadBalancerControllerChart(Chart):
    replicas: Annotated[StrictInt, Field(ge=1)] = 2


class ObservabilityChart(Chart):
    # Install this component. On in production, off in dev.
    enabled: StrictBool


class ServiceAccountRef(Model):
    namespace: Name
    name: Name


class HelmConfig(Model):
    # Seconds Helm waits for each release to become ready before rolling it back (atomic).
    timeout_seconds: Annotated[StrictInt, Field(ge=60, le=3600)] = 900
    aws_load_balancer_controller: LoadBalancerControllerChart
    cluster_autoscaler: ClusterAutoscalerChart
    metrics_server: Chart
    aws_efs_csi_driver: Chart
    secrets_store_csi_driver: Chart
    secrets_store_csi_driver_provider_aws: Chart
    # Application service accounts that may read secrets under "<environment>/" through the
    # Secrets Store CSI driver (one Pod Identity association each). Default: none.
    secrets_reader_service_accounts: list[ServiceAccountRef] = []
    mimir: ObservabilityChart
    loki: ObservabilityChart
    tempo: ObservabilityChart

    def enabled_observability(self) -> list[str]:
        return [name for name in COMPONENT_BUCKETS if getattr(self, name).enabled]
