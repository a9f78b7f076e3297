"""The addon catalog (issue #29, item 3): each addon declared once, when it runs, its pods and how it
is built; 05-helm and 08-platform build the entries that run, and the capacity check counts the pods
of the same entries, so a condition cannot differ between the two."""

from __future__ import annotations

import pytest

from components.addons import catalog
from officeless.capacity import CapacityError, Container, Workload
from officeless.config.loader import load_environment
from tests.test_refusals import in_project_root  # noqa: F401 (fixture)


def test_each_addon_is_declared_once_and_every_stack_entry_knows_how_to_be_built():
    names = [e.name for e in catalog.CATALOG]
    assert len(names) == len(set(names))
    for entry in catalog.CATALOG:
        assert entry.stack in (catalog.EKS, catalog.HELM, catalog.VALKEY, catalog.PLATFORM)
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


# --- the target contract (issue #29, item 2) ------------------------------------------------------

def test_the_aws_target_is_what_the_kubernetes_layer_deploys(synth):
    """The contract's AWS facts are the ones 05-helm and 08-platform synthesize: the default storage
    class, the ingress classes, the secret store provider."""
    from components.addons.ingress_classes import INTERNAL, PUBLIC
    from officeless import targets
    from tests.test_helm_stack import release_values, releases

    config = load_environment(synth.environment)
    target = targets.of(config)
    assert target.cloud == config.cloud == "aws"
    (storage_class,) = [c for c in synth.stack("05-helm").resources("kubernetes_storage_class_v1").values()
                        if c["metadata"]["name"] == target.block_storage.name]
    assert storage_class["storage_provisioner"] == target.block_storage.provisioner == "ebs.csi.aws.com"
    assert storage_class["parameters"] == dict(target.block_storage.parameters)
    assert storage_class["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert (target.public_ingress_class, target.internal_ingress_class) == (PUBLIC, INTERNAL)
    store = [o for o in release_values(releases(synth.stack("08-platform"))["external-secrets-store"][1])["manifests"]
             if o["kind"] == "ClusterSecretStore"][0]
    provider = {k: v for k, v in store["spec"]["provider"]["aws"].items() if k != "auth"}
    assert provider == target.secret_store_provider(config.region) == {"service": "SecretsManager", "region": "us-east-1"}


@pytest.mark.parametrize("cloud", ["oracle", "alibaba"])
def test_a_target_not_built_yet_is_refused_in_one_line(tmp_path, in_project_root, cloud):  # noqa: F811
    from tests.test_config_errors import PRODUCTION
    from tests.test_refusals import load_error

    (tmp_path / "production.yaml").write_text(f"cloud: {cloud}\n" + PRODUCTION.read_text())
    assert load_error(tmp_path) == (f"config/production.yaml: cloud: {cloud!r} is not a target this project builds; "
                                    "allowed: aws, existing, gcp, azure")
