"""Values of each chart 05-helm installs, built from typed arguments.

Only the settings the platform depends on are set; everything else keeps the chart's
default. Keys follow each chart's values.yaml at the pinned version.
"""

from __future__ import annotations

from typing import Any

Values = dict[str, Any]


def service_account(name: str) -> Values:
    return {"create": True, "name": name}


def load_balancer_controller(*, cluster_name: str, region: str, vpc_id: str, replicas: int, sa: str) -> Values:
    # Region and VPC id given explicitly: with IMDS hop limit 1 the pods cannot look them up.
    return {"clusterName": cluster_name, "region": region, "vpcId": vpc_id, "replicaCount": replicas,
            "serviceAccount": service_account(sa)}


def cluster_autoscaler(*, cluster_name: str, region: str, sa: str, image_tag: str) -> Values:
    return {
        # The autoscaler's minor must match the cluster's; the chart's default follows the chart.
        "image": {"tag": image_tag},
        "autoDiscovery": {"clusterName": cluster_name},
        "awsRegion": region,
        "rbac": {"serviceAccount": service_account(sa)},
        "extraArgs": {"balance-similar-node-groups": True, "expander": "least-waste"},
    }


def metrics_server() -> Values:
    return {"replicas": 2}


def efs_csi_driver(*, controller_sa: str) -> Values:
    return {"controller": {"serviceAccount": service_account(controller_sa)}}


def secrets_store_csi_driver() -> Values:
    return {"syncSecret": {"enabled": True}, "enableSecretRotation": True}


def secrets_store_provider_aws() -> Values:
    # The driver is installed by its own release; the provider chart must not install it again.
    return {"secrets-store-csi-driver": {"install": False}}


def _s3(region: str) -> Values:
    return {"endpoint": f"s3.{region}.amazonaws.com", "region": region}


def mimir(*, region: str, sa: str, metrics_bucket: str, alertmanager_bucket: str, ruler_bucket: str) -> Values:
    return {
        "serviceAccount": service_account(sa),
        "minio": {"enabled": False},
        "mimir": {"structuredConfig": {
            "common": {"storage": {"backend": "s3", "s3": _s3(region)}},
            "blocks_storage": {"s3": {"bucket_name": metrics_bucket}},
            "alertmanager_storage": {"s3": {"bucket_name": alertmanager_bucket}},
            "ruler_storage": {"s3": {"bucket_name": ruler_bucket}},
        }},
    }


def loki(*, region: str, sa: str, chunks_bucket: str, ruler_bucket: str) -> Values:
    return {
        "deploymentMode": "SimpleScalable",
        "serviceAccount": service_account(sa),
        "minio": {"enabled": False},
        "loki": {
            "auth_enabled": False,
            "schemaConfig": {"configs": [{
                "from": "2025-01-01", "store": "tsdb", "object_store": "s3", "schema": "v13",
                "index": {"prefix": "loki_index_", "period": "24h"},
            }]},
            "storage": {"type": "s3", "bucketNames": {"chunks": chunks_bucket, "ruler": ruler_bucket}, "s3": {"region": region}},
        },
    }


def tempo(*, region: str, sa: str, traces_bucket: str) -> Values:
    return {
        "serviceAccount": service_account(sa),
        "storage": {"trace": {"backend": "s3", "s3": {"bucket": traces_bucket, **_s3(region)}}},
    }
