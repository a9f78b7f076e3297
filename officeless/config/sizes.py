"""Requests, memory limits and replica counts of every container 05-helm deploys, per profile.

The defaults live here, in the schema, not in each environment file: an environment picks a
profile (``helm.profile``: ``standard`` for production, ``small`` for dev) and overrides single
values under ``helm.sizes.<release>.<component>``. The addons set exactly these numbers in their
chart values and the capacity check (officeless/capacity.py) places exactly these pods.

Sized for the environments' minimum nodes (production 3 x m6i.large, dev 2 x m6i.large, the
smallest instance types of their node groups) with 25 % left free; requests are what a component
needs at rest, limits bound memory so a leak is killed before it starves its node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

Profile = Literal["standard", "small"]


@dataclass(frozen=True)
class Res:
    cpu: int  # millicores
    memory: int  # MiB
    memory_limit: int  # MiB


@dataclass(frozen=True)
class ComponentSize:
    """``containers``: name -> requests (the first is the component's main container).
    ``replicas``: None where the component is a DaemonSet or its count comes from another setting."""

    containers: Mapping[str, Res]
    replicas: int | None = None


def _c(replicas: int | None = None, **containers: Res) -> ComponentSize:
    return ComponentSize({name.replace("_", "-"): res for name, res in containers.items()}, replicas)


_KUBE_SYSTEM = {
    "aws-load-balancer-controller": {"controller": _c(aws_load_balancer_controller=Res(50, 128, 256))},
    "cluster-autoscaler": {"controller": _c(1, aws_cluster_autoscaler=Res(50, 128, 256))},
    "aws-efs-csi-driver": {
        "controller": _c(2, efs_plugin=Res(20, 64, 128)),
        "node": _c(efs_plugin=Res(20, 64, 256)),
        # Shared by controller and node pods (the chart has one setting per sidecar).
        "sidecars": _c(csi_provisioner=Res(10, 32, 64), csi_driver_registrar=Res(5, 16, 32), liveness_probe=Res(5, 16, 32)),
    },
    "secrets-store-csi-driver": {
        "node": _c(secrets_store=Res(50, 100, 200), node_driver_registrar=Res(10, 20, 100), liveness_probe=Res(10, 20, 100)),
        # Helm hook Jobs that keep the CRDs; short-lived, not placed by the capacity check.
        "crds": _c(crds=Res(10, 32, 128)),
    },
    "secrets-store-csi-driver-provider-aws": {"node": _c(provider_aws_installer=Res(50, 100, 100))},
    # Replicas come from karpenter.replicas. Karpenter's own guide sets 1 CPU / 1 Gi for large
    # fleets; a platform-sized pool of a few nodes needs far less (the limit caps a leak).
    "karpenter": {"controller": _c(controller=Res(200, 256, 1024))},
}
# EKS's own: what the existing-cluster target never deploys.
AWS_ONLY_RELEASES = tuple(_KUBE_SYSTEM)
_COLLECTOR = {
    "alloy": {"agent": _c(alloy=Res(100, 256, 512), config_reloader=Res(10, 16, 32))},
    "alloy-singleton": {"agent": _c(1, alloy=Res(50, 128, 256), config_reloader=Res(10, 16, 32))},
    "kube-state-metrics": {"server": _c(1, kube_state_metrics=Res(20, 64, 128))},
    "prometheus-node-exporter": {"exporter": _c(node_exporter=Res(20, 32, 64))},
    # download-dashboards: the chart's init container whenever dashboards are provisioned.
    "grafana": {"server": _c(1, grafana=Res(50, 256, 512), download_dashboards=Res(10, 16, 32))},
}

# 08-platform. External Secrets: one controller (it has no leader election on by default), webhook,
# cert controller. Argo CD (chart containers): the application controller grows with the number of
# applications, the repo server with the size of what it renders.
_EXTERNAL_SECRETS = {"external-secrets": {
    "controller": _c(1, external_secrets=Res(20, 64, 256)),
    "webhook": _c(1, webhook=Res(10, 32, 128)),
    "cert-controller": _c(1, cert_controller=Res(10, 32, 128)),
}}

# The existing-cluster target's own (officeless/config/existing.py): its ingress controller, the
# object store it installs when config names none, and the cache. Standard: HAProxy on two nodes;
# SeaweedFS's Raft of three masters, three volume servers (every object on two of them:
# replication 001), one filer (its metadata on a volume of its own), two S3 gateways; Valkey a
# primary and two replicas. Small: one of each.
EXISTING_ONLY_RELEASES = ("haproxy-ingress", "seaweedfs", "valkey")


def _existing(replicas: int, gateways: int) -> dict[str, dict[str, ComponentSize]]:
    return {
        "haproxy-ingress": {"controller": _c(min(replicas, 2), controller=Res(100, 128, 512))},
        "seaweedfs": {
            "master": _c(replicas, master=Res(50, 64, 256)),
            "volume": _c(replicas, volume=Res(100, 256, 1024)),
            "filer": _c(1, filer=Res(100, 256, 1024)),
            "s3": _c(gateways, s3=Res(50, 128, 512)),
            # The chart's post-install Job creating the buckets; short-lived, not placed.
            "bucket-hook": _c(bucket_hook=Res(50, 64, 128)),
        },
        "valkey": {"server": _c(replicas, valkey=Res(50, 128, 512))},
    }


SIZES: dict[str, dict[str, dict[str, ComponentSize]]] = {
    "standard": {
        **_KUBE_SYSTEM,
        **_existing(3, 2),
        **_EXTERNAL_SECRETS,
        # One of each: production's minimum nodes (3 x m6i.large, 29 pods each) hold the whole
        # platform with these at 85 of 87 pods; two servers would not fit. Applications keep running
        # while Argo CD restarts; raise replicas with helm.sizes once the node group is larger.
        "argo-cd": {
            "controller": _c(1, application_controller=Res(100, 512, 1024)),
            "server": _c(1, server=Res(50, 128, 256)),
            "repo-server": _c(1, repo_server=Res(50, 256, 1024), copyutil=Res(10, 16, 32)),
            "applicationset": _c(1, applicationset_controller=Res(20, 64, 128)),
            "redis": _c(1, redis=Res(20, 64, 128)),
            # The chart's pre-install Job creating Redis's password; short-lived, not placed.
            "redis-secret-init": _c(secret_init=Res(10, 32, 64)),
        },
        "metrics-server": {"server": _c(2, metrics_server=Res(50, 100, 200))},
        **_COLLECTOR,
        "mimir": {
            "distributor": _c(2, distributor=Res(50, 256, 512)),
            "ingester": _c(3, ingester=Res(100, 512, 1024)),
            "querier": _c(2, querier=Res(50, 256, 512)),
            "query-frontend": _c(1, query_frontend=Res(20, 128, 256)),
            "store-gateway": _c(3, store_gateway=Res(50, 256, 512)),
            "compactor": _c(1, compactor=Res(50, 256, 512)),
            "ruler": _c(1, ruler=Res(50, 128, 256)),
            "alertmanager": _c(2, alertmanager=Res(10, 64, 128)),
            "nginx": _c(1, nginx=Res(10, 32, 64)),
            "rollout-operator": _c(1, rollout_operator=Res(20, 64, 128)),
            # The chart's `helm test` Job; not installed by a deploy, not placed by the capacity check.
            "smoke-test": _c(smoke_test=Res(10, 32, 128)),
        },
        "loki": {
            "write": _c(3, loki=Res(50, 256, 512)),
            "read": _c(2, loki=Res(50, 256, 512)),
            "backend": _c(2, loki=Res(50, 256, 512)),
            "gateway": _c(1, nginx=Res(10, 32, 64)),
            "chunks-cache": _c(1, memcached=Res(50, 307, 307)),
            "results-cache": _c(1, memcached=Res(50, 77, 77)),
            # One setting for the exporter beside each cache's memcached.
            "memcached-exporter": _c(exporter=Res(10, 16, 32)),
        },
        "tempo": {
            "distributor": _c(1, distributor=Res(50, 128, 256)),
            "ingester": _c(3, ingester=Res(50, 256, 512)),
            "querier": _c(1, querier=Res(50, 128, 256)),
            "query-frontend": _c(1, query_frontend=Res(20, 64, 128)),
            "compactor": _c(1, compactor=Res(50, 256, 512)),
            "metrics-generator": _c(1, metrics_generator=Res(50, 256, 512)),
            "memcached": _c(1, memcached=Res(20, 64, 128)),
        },
    },
    "small": {
        **_KUBE_SYSTEM,
        **_existing(1, 1),
        **_EXTERNAL_SECRETS,
        "argo-cd": {
            "controller": _c(1, application_controller=Res(50, 256, 768)),
            "server": _c(1, server=Res(20, 64, 256)),
            "repo-server": _c(1, repo_server=Res(20, 128, 768), copyutil=Res(10, 16, 32)),
            "applicationset": _c(1, applicationset_controller=Res(10, 32, 128)),
            "redis": _c(1, redis=Res(10, 32, 128)),
            "redis-secret-init": _c(secret_init=Res(10, 32, 64)),
        },
        "aws-efs-csi-driver": {**_KUBE_SYSTEM["aws-efs-csi-driver"], "controller": _c(1, efs_plugin=Res(20, 64, 128))},
        "metrics-server": {"server": _c(1, metrics_server=Res(50, 100, 200))},
        **_COLLECTOR,
        "mimir": {
            "distributor": _c(1, distributor=Res(50, 256, 512)),
            "ingester": _c(1, ingester=Res(100, 512, 1024)),
            "querier": _c(1, querier=Res(50, 256, 512)),
            "query-frontend": _c(1, query_frontend=Res(20, 128, 256)),
            "store-gateway": _c(1, store_gateway=Res(50, 256, 512)),
            "compactor": _c(1, compactor=Res(50, 256, 512)),
            "ruler": _c(1, ruler=Res(50, 128, 256)),
            "alertmanager": _c(1, alertmanager=Res(10, 64, 128)),
            "nginx": _c(1, nginx=Res(10, 32, 64)),
            "smoke-test": _c(smoke_test=Res(10, 32, 128)),
        },
        "loki": {
            "single-binary": _c(1, loki=Res(100, 512, 1024)),
            "gateway": _c(1, nginx=Res(10, 32, 64)),
        },
        "tempo": {
            "distributor": _c(1, distributor=Res(50, 128, 256)),
            "ingester": _c(1, ingester=Res(50, 256, 512)),
            "querier": _c(1, querier=Res(50, 128, 256)),
            "query-frontend": _c(1, query_frontend=Res(20, 64, 128)),
            "compactor": _c(1, compactor=Res(50, 256, 512)),
            "metrics-generator": _c(1, metrics_generator=Res(50, 256, 512)),
        },
    },
}
