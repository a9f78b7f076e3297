"""Grafana Loki: logs on S3.

- Multi-tenant (``auth_enabled``): every writer and data source sends the platform tenant.
- Retention: the compactor deletes logs older than ``observability.retention.logs_days``.
- Standard profile: simple scalable (write x3, read x2, backend x2, one replica per node as the
  chart's hard anti-affinity wants, replication factor 3) with small memcached caches; small
  profile: one single binary, replication factor 1, no caches.
- Off: loki-canary (a DaemonSet writing test lines), the rules sidecar (no Loki rules here), and
  from chart 9.1.0 the gateway's access-log exporter (nothing here scrapes it).
- Chart 7.0.0 and later are published by grafana-community (README of its loki chart, "From 6.x to
  7.0.0"); 6.x, the deployment guide's 6.30.1 among them, by grafana. From 12.0.0 the single binary
  is ``deploymentMode: Monolithic`` ("SingleBinary" is its deprecated name). Read at 18.11.0:
  the other breaking changes since 6.x (canary, MinIO, monitoring, Cilium policies, registries,
  ephemeral volumes) touch no key set here.
"""

from __future__ import annotations

from components.addon_policies import bucket_access
from components.addons.base import Addon
from components.addons.common import (GRAFANA_CHARTS, GRAFANA_COMMUNITY_CHARTS, WORKLOAD_IDENTITY_POD_LABELS, Values,
                                      containers, resources, workload_identity_annotations)
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.config.charts import at_least
from officeless.config.helm import HelmConfig
from officeless.targets import ObjectStore
from officeless.tf import Construct, core

RELEASE = "loki"
SCALABLE = {"write": "StatefulSet", "read": "Deployment", "backend": "StatefulSet"}
CACHES = {"chunks-cache": "chunksCache", "results-cache": "resultsCache"}


def values(*, helm: HelmConfig, region: str, retention_days: int, chunks_bucket: str, ruler_bucket: str,
           store: ObjectStore | None = None, storage_class: str | None = None, client_id: str | None = None) -> Values:
    """``store``: an S3-compatible endpoint and the Secret with its keys (None: S3 of ``region`` through
    Pod Identity); ``storage_class``: the volumes' class (None: the cluster's default); ``client_id``:
    on Azure, the managed identity the pods sign in to Blob Storage as. The chart version is
    ``helm.loki.version``."""
    scalable = helm.profile == "standard"
    version = helm.loki.version
    out: Values = {
        "deploymentMode": "SimpleScalable" if scalable else ("Monolithic" if at_least(version, "12.0.0") else "SingleBinary"),
        "serviceAccount": {"create": True, "name": Loki.service_account},
        "minio": {"enabled": False},
        "loki": {
            "auth_enabled": True,
            "commonConfig": {"replication_factor": 3 if scalable else 1},
            "schemaConfig": {"configs": [{
                "from": "2025-01-01", "store": "tsdb", "object_store": "s3", "schema": "v13",
                "index": {"prefix": "loki_index_", "period": "24h"},
            }]},
            "storage": {"type": "s3", "bucketNames": {"chunks": chunks_bucket, "ruler": ruler_bucket}, "s3": {"region": region}},
            "limits_config": {"retention_period": f"{retention_days * 24}h"},
            "compactor": {"retention_enabled": True, "delete_request_store": "s3"},
        },
        "lokiCanary": {"enabled": False},
        "test": {"enabled": False},
        "sidecar": {"rules": {"enabled": False}},
        "gateway": {"replicas": helm.size(RELEASE, "gateway").replicas,
                    "resources": resources(helm.size(RELEASE, "gateway").containers["nginx"])},
    }
    if at_least(version, "9.1.0"):
        out["gateway"]["metrics"] = {"enabled": False}
    if scalable:
        for component in SCALABLE:
            size = helm.size(RELEASE, component)
            out[component] = {"replicas": size.replicas, "resources": resources(size.containers["loki"])}
        out["singleBinary"] = {"replicas": 0}
        for component, key in CACHES.items():
            size = helm.size(RELEASE, component)
            memcached = size.containers["memcached"]
            # memcached's -m (MB) is allocatedMemory; the request covers it with 20 % to spare.
            out[key] = {"enabled": True, "replicas": size.replicas, "allocatedMemory": int(memcached.memory / 1.2),
                        "resources": resources(memcached)}
        out["memcachedExporter"] = {"resources": resources(helm.size(RELEASE, "memcached-exporter").containers["exporter"])}
    else:
        size = helm.size(RELEASE, "single-binary")
        out["singleBinary"] = {"replicas": size.replicas, "resources": resources(size.containers["loki"])}
        out.update({component: {"replicas": 0} for component in SCALABLE})
        out.update({key: {"enabled": False} for key in CACHES.values()})
    if store is not None and store.gcs:  # Cloud Storage, as the pods' Workload Identity
        loki = out["loki"]
        loki["schemaConfig"]["configs"][0]["object_store"] = "gcs"
        loki["storage"] = {"type": "gcs", "bucketNames": loki["storage"]["bucketNames"]}
        loki["compactor"]["delete_request_store"] = "gcs"
    elif store is not None and store.azure:  # Blob Storage, as the identity AKS's Workload Identity federates
        assert client_id is not None
        loki = out["loki"]
        loki["schemaConfig"]["configs"][0]["object_store"] = "azure"
        # Chart 6.30.1 (_helpers.tpl): the chunks and ruler containers, use_federated_token from useFederatedToken.
        loki["storage"] = {"type": "azure", "bucketNames": loki["storage"]["bucketNames"],
                           "azure": {"accountName": store.account, "useFederatedToken": True}}
        loki["compactor"]["delete_request_store"] = "azure"
        loki["podLabels"] = dict(WORKLOAD_IDENTITY_POD_LABELS)  # every Loki pod (values.yaml: loki.podLabels)
        out["serviceAccount"]["annotations"] = workload_identity_annotations(client_id)
    elif store is not None:
        out["loki"]["storage"]["s3"] = {"region": store.region, "endpoint": store.endpoint, "insecure": store.insecure,
                                        "s3ForcePathStyle": store.path_style}
        # Per component: chart 6.30.1 merges global.extraEnvFrom into the distributed mode's pods only.
        for key in ([*SCALABLE] if scalable else ["singleBinary"]):
            out[key]["extraEnvFrom"] = store.env_from()
    if storage_class is not None:
        for key in (["write", "backend"] if scalable else ["singleBinary"]):
            out[key]["persistence"] = {"storageClass": storage_class}
    return out


def workloads(helm: HelmConfig) -> list[Workload]:
    def one(component: str, kind: str, extra=(), **kw) -> Workload:
        size = helm.size(RELEASE, component)
        return Workload(f"loki {component}", f"helm.sizes.{RELEASE}.{component}", kind, (*containers(size), *extra),
                        replicas=size.replicas, **kw)

    out = [one("gateway", "Deployment")]
    if helm.profile == "standard":
        out += [one(c, kind, one_per_node=True) for c, kind in SCALABLE.items()]
        exporter = containers(helm.size(RELEASE, "memcached-exporter"))
        out += [one(c, "StatefulSet", exporter) for c in CACHES]
    else:
        out.append(one("single-binary", "StatefulSet"))
    return out


class Loki(Addon):
    """:param buckets: purpose -> (name, ARN) of the loki-* buckets (03-s3; ARN None elsewhere).
    :param store: an S3-compatible store; default None (S3, through Pod Identity). :param storage_class:
    the volumes' class; default None (the cluster's default)."""

    source = ChartSource(GRAFANA_CHARTS, "loki")
    namespace = "monitoring"
    service_account = "loki"
    moved = ("7.0.0", ChartSource(GRAFANA_COMMUNITY_CHARTS, "loki"))

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster | None, helm: HelmConfig, region: str,
                 retention_days: int, buckets: dict[str, tuple[str, str | None]], bucket_kms_key_arn: str | None,
                 timeout_seconds: int, depends_on: list[core.ITerraformDependable], store: ObjectStore | None = None,
                 storage_class: str | None = None, client_id: str | None = None) -> None:
        super().__init__(scope, id_, cluster=cluster, version=helm.loki.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on,
                         statements=bucket_access([arn for _, arn in buckets.values()], bucket_kms_key_arn) if cluster else (),
                         values=values(helm=helm, region=region, retention_days=retention_days,
                                       chunks_bucket=buckets["loki-chunks"][0], ruler_bucket=buckets["loki-ruler"][0],
                                       store=store, storage_class=storage_class, client_id=client_id))
