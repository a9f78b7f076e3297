"""SeaweedFS: the S3-compatible object store the platform runs on an existing cluster when config
names no endpoint (05-helm, ``object_storage.endpoint`` unset).

Why SeaweedFS: MinIO's community images left Docker Hub in 2025 and its repository was archived in
2026 (minio/minio#21647; zilliztech/milvus-helm#315 records the failed pulls), Bitnami's free images
went in 2025; SeaweedFS is maintained, Apache-2.0, and publishes its chart with every release
(tag -> https://seaweedfs.github.io/seaweedfs/helm, chart ``seaweedfs``; image chrislusf/seaweedfs).

- Standard profile: a Raft of three masters, three volume servers, each object on two of them
  (``defaultReplication: "001"``: one more copy on another server), one filer holding the metadata
  on a volume of its own, two stateless S3 gateways. Small: one of each, one copy.
- Every volume (master Raft log, volume data, filer metadata) is a PersistentVolumeClaim of
  ``storage_classes.block``: the chart's default hostPath would not follow a rescheduled pod.
- Auth on: the gateways' admin identity takes its keys from the Secret the observability backends
  read (``object_storage.credentials_secret`` in ``monitoring``, created by the user), so no key is
  in the JSON, the state or the chart's values. The release lives in ``monitoring`` for that reason:
  a pod reads Secrets of its own namespace only.
- The chart's post-install Job creates the buckets Mimir, Loki and Tempo use.
"""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, resources
from components.addons.endpoints import MONITORING
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.tf import Construct, core

RELEASE = "seaweedfs"
S3_PORT = 8333
# The chart's S3 Service, <release>-s3 (templates/s3/s3-service.yaml).
S3_ENDPOINT = f"{RELEASE}-s3.{MONITORING}.svc:{S3_PORT}"
COMPONENTS = {"master": "StatefulSet", "volume": "StatefulSet", "filer": "StatefulSet", "s3": "Deployment"}
# Master Raft log and filer metadata: small, and grown by the resize hook if raised.
METADATA_SIZE = "10Gi"


def _volume(storage_class: str, size: str) -> Values:
    return {"type": "persistentVolumeClaim", "size": size, "storageClass": storage_class}


def values(helm, *, storage_class: str, volume_size_gb: int, credentials_secret: str, buckets: list[str]) -> Values:
    sizes = {c: helm.size(RELEASE, c) for c in COMPONENTS}
    copies = "001" if sizes["volume"].replicas >= 2 else "000"
    return {
        "master": {"replicas": sizes["master"].replicas, "defaultReplication": copies,
                   "data": _volume(storage_class, METADATA_SIZE), "logs": {"type": "emptyDir"},
                   "resources": resources(sizes["master"].containers["master"])},
        "volume": {"replicas": sizes["volume"].replicas,
                   "dataDirs": [{"name": "data1", **_volume(storage_class, f"{volume_size_gb}Gi"), "maxVolumes": 0}],
                   "resources": resources(sizes["volume"].containers["volume"])},
        "filer": {"replicas": sizes["filer"].replicas, "data": _volume(storage_class, METADATA_SIZE),
                  "logs": {"type": "emptyDir"}, "resources": resources(sizes["filer"].containers["filer"])},
        "s3": {
            "enabled": True, "replicas": sizes["s3"].replicas, "port": S3_PORT, "enableAuth": True,
            "credentials": {"admin": {"existingSecret": credentials_secret, "accessKeyKey": "AWS_ACCESS_KEY_ID",
                                      "secretKeyKey": "AWS_SECRET_ACCESS_KEY"}},
            # createBuckets and credentials are read by the templates (post-install-bucket-hook.yaml,
            # s3-secret.yaml) though values.yaml only shows them in comments.
            "createBuckets": [{"name": bucket} for bucket in buckets],
            "createBucketsHook": {"resources": resources(helm.size(RELEASE, "bucket-hook").containers["bucket-hook"])},
            "logs": {"type": "emptyDir"},
            "resources": resources(sizes["s3"].containers["s3"]),
        },
    }


def workloads(helm) -> list[Workload]:
    out = []
    for component, kind in COMPONENTS.items():
        size = helm.size(RELEASE, component)
        out.append(Workload(f"seaweedfs {component}", f"helm.sizes.{RELEASE}.{component}", kind, containers(size),
                            replicas=size.replicas))
    return out


class SeaweedFs(Addon):
    source = ChartSource("https://seaweedfs.github.io/seaweedfs/helm", "seaweedfs")
    namespace = MONITORING

    def __init__(self, scope: Construct, id_: str = RELEASE, *, helm, version: str, storage_class: str,
                 volume_size_gb: int, credentials_secret: str, buckets: list[str], timeout_seconds: int,
                 depends_on: list[core.ITerraformDependable]) -> None:
        super().__init__(scope, id_, cluster=None, version=version, timeout_seconds=timeout_seconds, depends_on=depends_on,
                         values=values(helm, storage_class=storage_class, volume_size_gb=volume_size_gb,
                                       credentials_secret=credentials_secret, buckets=buckets))
