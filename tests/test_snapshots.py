"""The synthesized JSON of every stack, per environment, against the reviewed snapshot.

A change to any stack shows up as a snapshot diff in review. After an intended change,
regenerate with `make snapshot-update` and review the diff of tests/__snapshots__/.
"""

from __future__ import annotations

import json

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.conftest import ENVIRONMENTS

STACKS = ["00-state", "01-vpc", "02-eks", "03-s3", "04-ec2", "05-helm", "06-access", "07-valkey", "08-platform",
          "09-backup", "10-ecr"]


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def test_stacks_are_the_expected_ones(synthesized):
    for synth in synthesized.values():
        assert synth.stack_names() == STACKS


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("stack", STACKS)
def test_snapshot(synthesized, snapshot_json, environment, stack):
    assert json.loads(synthesized[environment].stack(stack).text) == snapshot_json


def test_manifest_snapshot(synthesized, snapshot_json):
    assert {env: s.manifest for env, s in synthesized.items()} == snapshot_json


# The existing-cluster target (issue #29): its own snapshots; AWS's above are untouched by it.
EXISTING_STACKS = ["05-helm", "06-access", "07-valkey", "08-platform"]


@pytest.mark.parametrize("stack", EXISTING_STACKS)
def test_onprem_snapshot(onprem, snapshot_json, stack):
    assert json.loads(onprem.stack(stack).text) == snapshot_json


def test_onprem_manifest_snapshot(onprem, snapshot_json):
    assert onprem.manifest == snapshot_json


# The Google Cloud target's stacks (issue #31).
@pytest.mark.parametrize("stack", ["00-state", "01-vpc", "02-gke", "03-gcs", "04-vpn", "05-helm", "06-access", "07-memorystore",
                                   "08-platform", "09-backup", "10-artifact-registry"])
def test_gcp_snapshot(gcp, snapshot_json, stack):
    assert json.loads(gcp.stack(stack).text) == snapshot_json


# The Azure target's stacks so far (issue #32).
@pytest.mark.parametrize("stack", ["00-state", "01-vnet", "02-aks", "03-blob", "04-vpn", "05-helm", "06-access", "07-redis",
                                   "08-platform", "09-backup", "10-acr"])
def test_azure_snapshot(azure, snapshot_json, stack):
    assert json.loads(azure.stack(stack).text) == snapshot_json
