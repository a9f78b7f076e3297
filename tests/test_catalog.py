"""The addon catalog (issue #29, item 3): each addon declared once, when it runs, its pods and how it
is built; 05-helm and 08-platform build the entries that run, and the capacity check counts the pods
of the same entries, so a condition cannot differ between the two."""

from __future__ import annotations

import pytest

from components.addons import catalog
from officeless.capacity import CapacityError, Container, Workload
from officeless.config.loader import load_environment


def test_each_addon_is_declared_once_and_every_stack_entry_knows_how_to_be_built():
    names = [e.name for e in catalog.CATALOG]
    assert len(names) == len(set(names))
    for entry in catalog.CATALOG:
        assert entry.stack in (catalog.EKS, catalog.HELM, catalog.PLATFORM)
        assert (entry.build is None) == (entry.stack == catalog.EKS), entry.name


@pytest.mark.parametrize("environment,off", [("production", {"karpenter"}), ("dev", {"cluster-autoscaler"})])
def test_what_runs_per_environment(environment, off):
    config = load_environment(environment)
    running = {e.name for e in catalog.entries(config)}
    assert off.isdisjoint(running)
    assert {"aws-load-balancer-controller", "mimir", "loki", "tempo", "grafana", "external-secrets", "argo-cd"} <= running


def test_the_capacity_check_counts_exactly_the_entries_that_run(monkeypatch):
    """An addon added to the catalog is counted without touching the capacity code, and only while
    it runs."""
    config = load_environment("production")
    huge = Workload("huge addon", "helm.huge", "Deployment", (Container("huge", 1000, 64 * 1024, 64 * 1024),))
    monkeypatch.setattr(catalog, "CATALOG", (*catalog.CATALOG, catalog.Entry(
        "huge", catalog.HELM, lambda c: c.environment == "production", lambda c: [huge], lambda w: None)))
    with pytest.raises(CapacityError) as info:
        catalog.check_capacity(config)
    assert info.value.field == "helm.huge" and info.value.message.startswith("huge addon: one pod requests 1000m CPU")
    assert "huge addon" not in {w.component for w in catalog.workloads(load_environment("dev"))}
