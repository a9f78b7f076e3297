"""Grafana Mimir (mimir-distributed): metrics on S3, the ruler with the starter alerts, and the
Alertmanager that sends them to the configured receiver.

- Multi-tenant (Mimir's default): every writer and data source sends the platform tenant.
- Retention: the compactor deletes blocks older than ``observability.retention.metrics_days``.
- Zone-aware replication of ingesters and store-gateways only where the minimum nodes cover
  three availability zones; each zone's StatefulSet is pinned to its zone. Elsewhere a single
  replica of everything, replication factor 1.
- Rules: ruler storage ``local``, from a ConfigMap of this release (mounted at
  /etc/mimir/rules/<tenant>), so the starter rules load in the same deploy. The mimir-ruler bucket
  is therefore not used by the ruler; it stays, so switching back to API-managed rules needs only
  ``ruler_storage`` changed.
- Alertmanager: the fallback configuration (used for every tenant without its own) routes to the
  configured receiver; its credential is a Secrets Manager secret mounted through the Secrets Store
  CSI driver and read from the file (``*_file`` fields; Mimir loads the fallback with the
  upstream loader, which accepts them).
"""

from __future__ import annotations

import re
from typing import Sequence

import yaml

from components.addon_policies import bucket_access, read_secrets
from components.addons import alert_rules
from components.addons.base import Addon
from components.addons.common import (GRAFANA_CHARTS, WORKLOAD_IDENTITY_POD_LABELS, Values, containers, resources,
                                      workload_identity_annotations)
from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from components.iam import Statement
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.observability import AlertReceiverConfig
from officeless.targets import ObjectStore
from officeless.tf import Construct, core

RELEASE = "mimir"
RULES_DIR = "/etc/mimir/rules"
RECEIVER_DIR = "/etc/alertmanager/receiver"
RECEIVER_CLASS = "mimir-alertmanager-receiver"
# Component (sizes key) -> (values key, kind, zone-aware?)
COMPONENTS = {
    "distributor": ("distributor", "Deployment", False),
    "ingester": ("ingester", "StatefulSet", True),
    "querier": ("querier", "Deployment", False),
    "query-frontend": ("query_frontend", "Deployment", False),
    "store-gateway": ("store_gateway", "StatefulSet", True),
    "compactor": ("compactor", "StatefulSet", False),
    "ruler": ("ruler", "Deployment", False),
    "alertmanager": ("alertmanager", "StatefulSet", False),
    "nginx": ("nginx", "Deployment", False),
}


def helm_literal(text: str) -> str:
    """``text`` as it must be written for Helm's ``tpl`` (the chart renders extraObjects through it)
    to print it unchanged: every ``{{`` and ``}}`` becomes a template printing itself."""
    return re.sub(r"\{\{|\}\}", lambda m: "{{`" + m.group(0) + "`}}", text)


def fallback_alertmanager_config(receiver: AlertReceiverConfig) -> dict:
    """Route everything to one receiver; ``none`` is a receiver with no integrations (a null route)."""
    credential = f"{RECEIVER_DIR}/credential"
    integration = {
        "none": {},
        "slack": {"slack_configs": [{"api_url_file": credential, "send_resolved": True,
                                     **({"channel": receiver.channel} if receiver.channel else {})}]},
        "pagerduty": {"pagerduty_configs": [{"routing_key_file": credential, "send_resolved": True}]},
        "webhook": {"webhook_configs": [{"url_file": credential, "send_resolved": True}]},
    }[receiver.type]
    return {
        "route": {"receiver": "platform", "group_by": ["alertname", "namespace"], "group_wait": "30s",
                  "group_interval": "5m", "repeat_interval": "4h"},
        "receivers": [{"name": "platform", **integration}],
    }


def _zones(zones: Sequence[str] | None) -> Values:
    if not zones:
        return {"enabled": False}
    return {"enabled": True, "topologyKey": None,
            "zones": [{"name": f"zone-{chr(ord('a') + i)}", "nodeSelector": {"topology.kubernetes.io/zone": zone},
                       "extraAffinity": {}, "storageClass": None} for i, zone in enumerate(zones)]}


def values(*, helm: HelmConfig, region: str, tenant: str, retention_days: int, zones: Sequence[str] | None,
           receiver: AlertReceiverConfig, metrics_bucket: str, alertmanager_bucket: str, store: ObjectStore | None = None,
           storage_class: str | None = None, client_id: str | None = None) -> Values:
    """``store``: an S3-compatible endpoint and the Secret with its keys (None: S3 of ``region`` through
    Pod Identity; the receiver's credential then comes through the Secrets Store CSI driver, else from
    the Kubernetes Secret ``receiver.secret_name``); ``storage_class``: the volumes' class (None: the
    cluster's default)."""
    sizes = {c: helm.size(RELEASE, c) for c in COMPONENTS}
    replication = 3 if zones else 1
    out: Values = {
        "serviceAccount": {"create": True, "name": Mimir.service_account},
        "minio": {"enabled": False},
        "mimir": {"structuredConfig": {
            "common": {"storage": {"backend": "s3", "s3": {"endpoint": f"s3.{region}.amazonaws.com", "region": region}}},
            "blocks_storage": {"s3": {"bucket_name": metrics_bucket}},
            "alertmanager_storage": {"s3": {"bucket_name": alertmanager_bucket}},
            "ruler_storage": {"backend": "local", "local": {"directory": RULES_DIR}},
            "limits": {"compactor_blocks_retention_period": f"{retention_days}d",
                       # Tempo's metrics-generator sends exemplars (trace ids) with span metrics.
                       "max_global_exemplars_per_user": 100000},
            "ingester": {"ring": {"replication_factor": replication}},
            "store_gateway": {"sharding_ring": {"replication_factor": replication}},
            "alertmanager": {"sharding_ring": {"replication_factor": min(replication, sizes["alertmanager"].replicas)}},
        }},
        # A query-scheduler only pays off with many queriers; the frontend schedules itself.
        "query_scheduler": {"enabled": False},
        "overrides_exporter": {"enabled": False},
        "rollout_operator": {"enabled": bool(zones)},
        # `helm test mimir` writes and reads a sample as the platform tenant.
        "smoke_test": {"tenantId": tenant, "resources": resources(helm.size(RELEASE, "smoke-test").containers["smoke-test"])},
    }
    for component, (key, _, zone_aware) in COMPONENTS.items():
        size = sizes[component]
        main = next(iter(size.containers.values()))
        section: Values = {"replicas": size.replicas, "resources": resources(main)}
        if zone_aware:
            section["zoneAwareReplication"] = _zones(zones)
        out[key] = section
    if zones:
        rollout = helm.size(RELEASE, "rollout-operator")
        out["rollout_operator"]["resources"] = resources(rollout.containers["rollout-operator"])
    out["ruler"].update({
        "extraVolumes": [{"name": "rules", "configMap": {"name": "mimir-starter-rules"}}],
        "extraVolumeMounts": [{"name": "rules", "mountPath": f"{RULES_DIR}/{tenant}", "readOnly": True}],
    })
    out["alertmanager"]["fallbackConfig"] = yaml.safe_dump(fallback_alertmanager_config(receiver), sort_keys=False)
    objects: list[Values] = [{
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mimir-starter-rules"},
        # Prometheus templates ({{ $labels.node }}) in the annotations survive Helm's tpl.
        "data": {f"{alert_rules.GROUP}.yaml": helm_literal(yaml.safe_dump(alert_rules.rule_file(), sort_keys=False))},
    }]
    if receiver.type != "none" and store is not None:
        out["alertmanager"].update({
            "extraVolumes": [{"name": "receiver", "secret": {"secretName": receiver.secret_name,
                                                             "items": [{"key": "credential", "path": "credential"}]}}],
            "extraVolumeMounts": [{"name": "receiver", "mountPath": RECEIVER_DIR, "readOnly": True}],
        })
    elif receiver.type != "none":
        out["alertmanager"].update({
            "extraVolumes": [{"name": "receiver", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True,
                                                          "volumeAttributes": {"secretProviderClass": RECEIVER_CLASS}}}],
            "extraVolumeMounts": [{"name": "receiver", "mountPath": RECEIVER_DIR, "readOnly": True}],
        })
        objects.append({
            "apiVersion": "secrets-store.csi.x-k8s.io/v1", "kind": "SecretProviderClass",
            "metadata": {"name": RECEIVER_CLASS},
            "spec": {"provider": "aws", "parameters": {
                "usePodIdentity": "true",
                "objects": yaml.safe_dump([{"objectName": receiver.secret_name, "objectType": "secretsmanager",
                                            "objectAlias": "credential"}]),
            }},
        })
    out["extraObjects"] = objects
    if store is not None and store.gcs:  # Cloud Storage, as the pods' Workload Identity
        config = out["mimir"]["structuredConfig"]
        config["common"]["storage"] = {"backend": "gcs"}
        config["blocks_storage"] = {"gcs": {"bucket_name": metrics_bucket}}
        config["alertmanager_storage"] = {"gcs": {"bucket_name": alertmanager_bucket}}
    elif store is not None and store.azure:  # Blob Storage, as the identity AKS's Workload Identity federates
        assert client_id is not None
        config = out["mimir"]["structuredConfig"]
        # No account_key: Mimir's Azure client then signs in through Azure's default credential chain,
        # whose workload identity reads the federated token the webhook projects.
        # https://grafana.com/docs/mimir/latest/configure/configuration-parameters/#azure_storage_backend
        config["common"]["storage"] = {"backend": "azure", "azure": {"account_name": store.account}}
        config["blocks_storage"] = {"azure": {"container_name": metrics_bucket}}
        config["alertmanager_storage"] = {"azure": {"container_name": alertmanager_bucket}}
        out["global"] = {"podLabels": dict(WORKLOAD_IDENTITY_POD_LABELS)}  # every Mimir pod (values.yaml: global.podLabels)
        out["serviceAccount"]["annotations"] = workload_identity_annotations(client_id)
    elif store is not None:
        out["mimir"]["structuredConfig"]["common"]["storage"]["s3"] = {
            "endpoint": store.endpoint, "region": store.region, "insecure": store.insecure,
            "bucket_lookup_type": "path" if store.path_style else "auto"}
        out["global"] = {"extraEnvFrom": store.env_from()}
    if storage_class is not None:
        for component, (key, kind, _) in COMPONENTS.items():
            if kind == "StatefulSet":
                out[key]["persistentVolume"] = {"storageClass": storage_class}
    return out


def workloads(helm: HelmConfig, zones: Sequence[str] | None) -> list[Workload]:
    out = []
    for component, (_, kind, zone_aware) in COMPONENTS.items():
        size = helm.size(RELEASE, component)
        out.append(Workload(f"mimir {component}", f"helm.sizes.{RELEASE}.{component}", kind, containers(size),
                            replicas=size.replicas, zones=tuple(zones) if zone_aware and zones else None))
    if zones:
        size = helm.size(RELEASE, "rollout-operator")
        out.append(Workload("mimir rollout-operator", f"helm.sizes.{RELEASE}.rollout-operator", "Deployment",
                            containers(size), replicas=size.replicas))
    return out


def receiver_secret_access(ctx: AwsContext, secret_name: str) -> list[Statement]:
    """Read the one receiver secret (Secrets Manager appends a random 6-character suffix to ARNs)."""
    return read_secrets(ctx, f"{secret_name}-??????", sids=("ReadTheAlertReceiverSecret", "DecryptItViaSecretsManager"))


class Mimir(Addon):
    """:param buckets: purpose -> (name, ARN) of the mimir-* buckets (03-s3).
    :param bucket_kms_key_arn: their key, or None (SSE-S3)."""

    source = ChartSource(GRAFANA_CHARTS, "mimir-distributed")
    namespace = "monitoring"
    service_account = "mimir"

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster | None, helm: HelmConfig, region: str,
                 tenant: str, retention_days: int, zones: Sequence[str] | None, receiver: AlertReceiverConfig,
                 buckets: dict[str, tuple[str, str | None]], bucket_kms_key_arn: str | None, timeout_seconds: int,
                 depends_on: list[core.ITerraformDependable], store: ObjectStore | None = None,
                 storage_class: str | None = None, client_id: str | None = None) -> None:
        statements: list[Statement] = []
        if cluster is not None:
            statements = bucket_access([arn for _, arn in buckets.values()], bucket_kms_key_arn)
            if receiver.secret_name:
                statements += receiver_secret_access(AwsContext.of(scope), receiver.secret_name)
        super().__init__(scope, id_, cluster=cluster, version=helm.mimir.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on, statements=statements,
                         values=values(helm=helm, region=region, tenant=tenant, retention_days=retention_days, zones=zones,
                                       receiver=receiver, metrics_bucket=buckets["mimir-metrics"][0],
                                       alertmanager_bucket=buckets["mimir-alertmanager"][0], store=store,
                                       storage_class=storage_class, client_id=client_id))
