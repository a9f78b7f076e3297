"""Issue #15: in production nothing that holds data can be destroyed or replaced while
``prevent_destroy`` is on; dev tears down freely. KMS keys wait 30 days before deletion."""

from __future__ import annotations

import json

import pytest

# stack -> (resource type, construct path) of everything production protects. Hand-typed: the
# data-holding resources the issue names (Valkey, the VPN data volume, EFS, the cluster, every
# KMS key) plus what was protected before (state bucket and table, S3 buckets).
PROTECTED = {
    "00-state": {("aws_s3_bucket", "state-bucket/bucket"), ("aws_dynamodb_table", "lock-table/table"),
                 ("aws_kms_key", "kms/key")},
    "01-vpc": {("aws_kms_key", "flow-logs/kms/key")},
    "02-eks": {("aws_eks_cluster", "eks/cluster"), ("aws_efs_file_system", "efs/file-system"), ("aws_kms_key", "eks/kms/key")},
    "03-s3": {("aws_kms_key", "kms/key"), *(("aws_s3_bucket", f"bucket-{b}/bucket") for b in (
        "access-logs", "mimir-metrics", "mimir-alertmanager", "mimir-ruler", "loki-chunks", "loki-ruler", "tempo-traces"))},
    "04-ec2": {("aws_ebs_volume", "vpn/data-volume"), ("aws_kms_key", "vpn/kms/key")},
    "05-helm": set(),
    "06-access": set(),
    "07-valkey": {("aws_elasticache_replication_group", "valkey/replication-group"), ("aws_kms_key", "valkey/kms/key")},
}


def protected(stack) -> set[tuple[str, str]]:
    return {(type_, body["//"]["metadata"]["path"].split("/", 1)[1])
            for type_, items in stack.data.get("resource", {}).items() for body in items.values()
            if body.get("lifecycle", {}).get("prevent_destroy")}


@pytest.mark.parametrize("stack_name", sorted(PROTECTED))
def test_what_production_protects_and_dev_does_not(synth, stack_name):
    stack = synth.stack(stack_name)
    assert protected(stack) == (PROTECTED[stack_name] if synth.environment == "production" else set())


def test_every_kms_key_waits_30_days_and_rotates(synth):
    for stack_name in synth.manifest["stacks"]:
        for key in synth.stack(stack_name).resources("aws_kms_key").values():
            assert key["deletion_window_in_days"] == 30
            assert key["enable_key_rotation"] is True


def test_valkey_takes_a_final_snapshot_where_protected(synth):
    _, group = synth.stack("07-valkey").one("aws_elasticache_replication_group")
    expected = {"production": "production-valkey-final", "dev": None}[synth.environment]
    assert group.get("final_snapshot_identifier") == expected


def test_no_kms_key_unprotected_in_production(synthesized):
    production = synthesized["production"]
    for stack_name in production.manifest["stacks"]:
        for body in production.stack(stack_name).resources("aws_kms_key").values():
            assert body["lifecycle"] == {"prevent_destroy": True}, json.dumps(body["//"])
