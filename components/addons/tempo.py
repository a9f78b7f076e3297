"""Grafana Tempo (tempo-distributed): traces on S3.

- Receivers: OTLP gRPC (4317) and HTTP (4318) on the distributor; every receiver is off in the
  chart by default (it would render ``receivers: null`` and accept nothing).
- Multi-tenant: the collector sends the platform tenant in X-Scope-OrgID.
- Ingesters keep their write-ahead log on a gp3 PersistentVolume, not emptyDir.
- Retention: the compactor deletes blocks older than ``observability.retention.traces_days``.
- Optional metrics-generator: span metrics and service graphs written to Mimir (the generator
  adds the tenant header itself), with exemplars linking back to traces.
- Chart 1.62.0 and later are published by grafana-community (grafana's repository ends at 1.61.3,
  whose last commit deprecates the chart there). Read at 2.26.2 (Tempo 2.10): the same values as
  1.42.0; 2.0.0 drops Kubernetes older than 1.25, 2.17.10 recreates the memcached Services and
  StatefulSets (not run by the small profile). 3.x needs Kafka: config refuses it.
"""

from __future__ import annotations

from components.addon_policies import bucket_access
from components.addons import endpoints
from components.addons.base import Addon
from components.addons.common import (GRAFANA_CHARTS, GRAFANA_COMMUNITY_CHARTS, WORKLOAD_IDENTITY_POD_LABELS, Values,
                                      containers, resources, workload_identity_annotations)
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.targets import ObjectStore
from officeless.tf import Construct, core

RELEASE = "tempo"
# sizes key -> (values key, kind)
COMPONENTS = {
    "distributor": ("distributor", "Deployment"),
    "ingester": ("ingester", "StatefulSet"),
    "querier": ("querier", "Deployment"),
    "query-frontend": ("queryFrontend", "Deployment"),
    "compactor": ("compactor", "Deployment"),
    "metrics-generator": ("metricsGenerator", "Deployment"),
    "memcached": ("memcached", "StatefulSet"),
}
WAL_SIZE = "10Gi"


def enabled_components(helm: HelmConfig, metrics_generator: bool) -> list[str]:
    known = set(helm.size_components(RELEASE))
    return [c for c in COMPONENTS if c in known and (c != "metrics-generator" or metrics_generator)]


def values(*, helm: HelmConfig, region: str, retention_days: int, metrics_generator: bool, traces_bucket: str,
           store: ObjectStore | None = None, storage_class: str | None = None, client_id: str | None = None) -> Values:
    """``store``: an S3-compatible endpoint and the Secret with its keys (None: S3 of ``region`` through
    Pod Identity); ``storage_class``: the volumes' class (None: the cluster's default); ``client_id``:
    on Azure, the managed identity the pods sign in to Blob Storage as."""
    out: Values = {
        "serviceAccount": {"create": True, "name": Tempo.service_account},
        "multitenancyEnabled": True,
        "traces": {"otlp": {"grpc": {"enabled": True}, "http": {"enabled": True}}},
        "storage": {"trace": {"backend": "s3", "s3": {"bucket": traces_bucket, "endpoint": f"s3.{region}.amazonaws.com",
                                                      "region": region}}},
        "compactor": {"config": {"compaction": {"block_retention": f"{retention_days * 24}h"}}},
        "ingester": {"persistence": {"enabled": True, "size": WAL_SIZE}},
        "metricsGenerator": {"enabled": metrics_generator},
        "memcached": {"enabled": "memcached" in helm.size_components(RELEASE)},
    }
    for component in enabled_components(helm, metrics_generator):
        key, _ = COMPONENTS[component]
        size = helm.size(RELEASE, component)
        section = out.setdefault(key, {})
        section["replicas"] = size.replicas
        section["resources"] = resources(next(iter(size.containers.values())))
    if metrics_generator:
        out["metricsGenerator"]["config"] = {"storage": {"remote_write": [{"url": endpoints.MIMIR_PUSH, "send_exemplars": True}]}}
        out["overrides"] = {"defaults": {"metrics_generator": {"processors": ["service-graphs", "span-metrics"]}}}
    if store is not None and store.gcs:  # Cloud Storage, as the pods' Workload Identity
        out["storage"]["trace"] = {"backend": "gcs", "gcs": {"bucket_name": traces_bucket}}
    elif store is not None and store.azure:  # Blob Storage, as the identity AKS's Workload Identity federates
        assert client_id is not None
        out["storage"]["trace"] = {"backend": "azure", "azure": {"container_name": traces_bucket,
                                                                 "storage_account_name": store.account,
                                                                 "use_federated_token": True}}
        out["tempo"] = {"podLabels": dict(WORKLOAD_IDENTITY_POD_LABELS)}  # every Tempo pod (values.yaml: tempo.podLabels)
        out["serviceAccount"]["annotations"] = workload_identity_annotations(client_id)
    elif store is not None:
        out["storage"]["trace"]["s3"] = {"bucket": traces_bucket, "endpoint": store.endpoint, "region": store.region,
                                         "insecure": store.insecure, "forcepathstyle": store.path_style}
        # No global.extraEnvFrom in this chart: each component reads the keys.
        for component in enabled_components(helm, metrics_generator):
            if COMPONENTS[component][0] != "memcached":
                out[COMPONENTS[component][0]]["extraEnvFrom"] = store.env_from()
    if storage_class is not None:
        out["global"] = {"storageClass": storage_class}
    return out


def workloads(helm: HelmConfig, metrics_generator: bool) -> list[Workload]:
    out = []
    for component in enabled_components(helm, metrics_generator):
        size = helm.size(RELEASE, component)
        out.append(Workload(f"tempo {component}", f"helm.sizes.{RELEASE}.{component}", COMPONENTS[component][1],
                            containers(size), replicas=size.replicas))
    return out


class Tempo(Addon):
    """:param buckets: purpose -> (name, ARN) of the tempo-traces bucket (03-s3)."""

    source = ChartSource(GRAFANA_CHARTS, "tempo-distributed")
    namespace = "monitoring"
    service_account = "tempo"
    moved = ("1.62.0", ChartSource(GRAFANA_COMMUNITY_CHARTS, "tempo-distributed"))

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster | None, helm: HelmConfig, region: str,
                 retention_days: int, metrics_generator: bool, buckets: dict[str, tuple[str, str | None]],
                 bucket_kms_key_arn: str | None, timeout_seconds: int, depends_on: list[core.ITerraformDependable],
                 store: ObjectStore | None = None, storage_class: str | None = None, client_id: str | None = None) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.tempo.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on,
                         statements=bucket_access([arn for _, arn in buckets.values()], bucket_kms_key_arn) if cluster else (),
                         values=values(helm=helm, region=region, retention_days=retention_days,
                                       metrics_generator=metrics_generator, traces_bucket=buckets["tempo-traces"][0],
                                       store=store, storage_class=storage_class, client_id=client_id))
