"""What every addon module shares: sizes to chart values and to capacity workloads, spreading."""

from __future__ import annotations

from typing import Any

from officeless.capacity import Container
from officeless.config.sizes import ComponentSize, Res

Values = dict[str, Any]


def container(name: str, res: Res) -> Container:
    return Container(name, res.cpu, res.memory, res.memory_limit)


def containers(size: ComponentSize, *names: str) -> tuple[Container, ...]:
    """The containers of ``size`` (all, or only ``names``, in that order) for the capacity check."""
    return tuple(container(n, size.containers[n]) for n in (names or size.containers))


def resources(res: Res) -> Values:
    """A container's ``resources``: CPU and memory requests and a memory limit; no CPU limit
    (throttling hurts latency more than sharing idle CPU costs)."""
    return container("", res).values()


def spread(labels: dict[str, str], replicas: int) -> list[Values]:
    """Soft spread over zones and nodes: preferred, never a reason for a pod to stay Pending on
    the minimum nodes (the capacity check places pods without these preferences)."""
    if replicas < 2:
        return []
    return [{"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": labels}}
            for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")]


# Tolerated by the system components when a node group is tainted for them (eks.node_groups,
# CriticalAddonsOnly=true:NoSchedule); matching any value and effect of that key.
SYSTEM_TOLERATION = {"key": "CriticalAddonsOnly", "operator": "Exists"}


def system_tolerations(tolerate: bool) -> Values:
    """``tolerations`` for a system component's values where a system node group exists; else
    nothing (the charts' defaults stay)."""
    return {"tolerations": [SYSTEM_TOLERATION]} if tolerate else {}


def disruption_budget(replicas: int) -> Values | None:
    """At most one pod of a multi-replica component down at a time; none for a single replica
    (a budget there would only block node drains)."""
    return {"maxUnavailable": 1} if replicas > 1 else None


# Grafana's chart repository, and grafana-community's, which took over Grafana's charts in 2026 (the
# grafana chart, tempo-distributed from 1.62.0, loki from 7.0.0; mimir-distributed and alloy stay).
GRAFANA_CHARTS = "https://grafana.github.io/helm-charts"
GRAFANA_COMMUNITY_CHARTS = "https://grafana-community.github.io/helm-charts"

# AKS Workload Identity (issue #32): the webhook projects a federated token and the AZURE_CLIENT_ID,
# AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE variables into pods carrying this label, for the
# managed identity their service account's annotation names:
# https://learn.microsoft.com/azure/aks/workload-identity-overview#pod-labels
WORKLOAD_IDENTITY_POD_LABELS = {"azure.workload.identity/use": "true"}


def workload_identity_annotations(client_id: str) -> Values:
    """A service account's annotation naming the managed identity its pods sign in as."""
    return {"azure.workload.identity/client-id": client_id}
