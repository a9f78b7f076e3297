"""Valkey in the cluster (07-valkey on an existing cluster): the cache the platform's applications
share, where ElastiCache is not available.

The Valkey project's own chart and image (https://github.com/valkey-io/valkey-helm, published at
https://valkey.io/valkey-helm/ with every version bump; image docker.io/valkey/valkey): Bitnami's
free images left Docker Hub in 2025.

- ACL auth on: the ``default`` user's password comes from a Secret the user creates
  (``valkey.password_secret``, key ``default``); nothing secret is in the JSON, state or values.
- Persistence on ``storage_classes.block``. Standard profile: a primary and two replicas (a
  StatefulSet, each with its own volume; writes need one replica in sync); small: one server.
- ``maxmemory`` at 80 % of the memory limit with LRU eviction: a full cache evicts, it is not
  OOM-killed.
"""

from __future__ import annotations

from components.addons.base import Addon
from components.addons.common import Values, containers, resources
from components.helm_chart import ChartSource
from officeless.capacity import Workload
from officeless.tf import Construct, core

RELEASE = "valkey"


def values(helm, *, storage_class: str, storage_gb: int, password_secret: str) -> Values:
    size = helm.size(RELEASE, "server")
    res = size.containers["valkey"]
    replicas = size.replicas - 1
    out: Values = {
        "resources": resources(res),
        "initResources": resources(res),
        "auth": {"enabled": True, "usersExistingSecret": password_secret,
                 "aclUsers": {"default": {"permissions": "~* &* +@all", "passwordKey": "default"}}},
        "valkeyConfig": f"maxmemory {int(res.memory_limit * 0.8)}mb\nmaxmemory-policy allkeys-lru\n",
    }
    if replicas:
        out["replica"] = {"enabled": True, "replicas": replicas, "minReplicasToWrite": 1,
                          "persistence": {"size": f"{storage_gb}Gi", "storageClass": storage_class}}
    else:
        out["dataStorage"] = {"enabled": True, "requestedSize": f"{storage_gb}Gi", "className": storage_class}
    return out


def workloads(helm) -> list[Workload]:
    size = helm.size(RELEASE, "server")
    kind = "StatefulSet" if size.replicas > 1 else "Deployment"
    return [Workload("valkey server", f"helm.sizes.{RELEASE}.server", kind, containers(size), replicas=size.replicas)]


class Valkey(Addon):
    source = ChartSource("https://valkey.io/valkey-helm/", "valkey")

    def __init__(self, scope: Construct, id_: str = RELEASE, *, helm, version: str, namespace: str, storage_class: str,
                 storage_gb: int, password_secret: str, timeout_seconds: int,
                 depends_on: list[core.ITerraformDependable]) -> None:
        self.namespace = namespace
        super().__init__(scope, id_, cluster=None, version=version, timeout_seconds=timeout_seconds, depends_on=depends_on,
                         values=values(helm, storage_class=storage_class, storage_gb=storage_gb,
                                       password_secret=password_secret))
