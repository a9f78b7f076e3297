"""07-valkey: the cache as documented (issue #4), for production and dev."""

from __future__ import annotations

import pytest

EXPECTED = {
    "production": {"name": "production-valkey", "node_type": "cache.r7g.large", "snapshots": 7},
    "dev": {"name": "dev-valkey", "node_type": "cache.t4g.small", "snapshots": 1},
}


@pytest.fixture
def valkey(synth):
    return synth.stack("07-valkey")


@pytest.fixture
def expected(synth):
    return EXPECTED[synth.environment]


def test_depends_on_vpc_and_eks(synth):
    assert synth.manifest["stacks"]["07-valkey"]["dependencies"] == ["01-vpc", "02-eks"]


def test_replication_group(valkey, expected):
    _, group = valkey.one("aws_elasticache_replication_group")
    key_logical, key = valkey.one("aws_kms_key")
    assert group["replication_group_id"] == expected["name"]
    assert group["engine"] == "valkey"
    assert group["engine_version"] == "8.0"
    assert group["node_type"] == expected["node_type"]
    assert group["num_cache_clusters"] >= 2
    assert group["automatic_failover_enabled"] is True
    assert group["multi_az_enabled"] is True
    assert group["at_rest_encryption_enabled"] == "true"
    assert group["kms_key_id"] == valkey.ref("aws_kms_key", key_logical, "arn")
    assert key["enable_key_rotation"] is True
    assert group["transit_encryption_enabled"] is True
    assert group["transit_encryption_mode"] == "required"
    assert group["port"] == 6379
    assert group["snapshot_retention_limit"] == expected["snapshots"]
    assert group["snapshot_window"] == "03:00-04:00"
    assert group["maintenance_window"] == "sun:05:00-sun:06:00"


def test_auth_token_is_a_reference_to_a_generated_secret(valkey, synth):
    _, group = valkey.one("aws_elasticache_replication_group")
    version_logical, version = valkey.one("aws_secretsmanager_secret_version")
    _, secret = valkey.one("aws_secretsmanager_secret")
    assert group["auth_token"] == valkey.ref("aws_secretsmanager_secret_version", version_logical, "secret_string")
    assert version["secret_string"].startswith("${data.aws_secretsmanager_random_password.")
    assert version["lifecycle"] == {"ignore_changes": ["secret_string"]}
    assert secret["name"].startswith(f"{synth.environment}/valkey/")
    # No literal token anywhere: the only auth_token value is the reference above.
    assert valkey.text.count('"auth_token"') == 1


def test_parameter_group_and_subnet_group(valkey, expected):
    _, group = valkey.one("aws_elasticache_replication_group")
    pg_logical, pg = valkey.one("aws_elasticache_parameter_group")
    sn_logical, subnets = valkey.one("aws_elasticache_subnet_group")
    assert pg["family"] == "valkey8"
    assert pg["parameter"] == [{"name": "maxmemory-policy", "value": "allkeys-lru"}]
    assert group["parameter_group_name"] == valkey.ref("aws_elasticache_parameter_group", pg_logical, "name")
    assert group["subnet_group_name"] == valkey.ref("aws_elasticache_subnet_group", sn_logical, "name")
    assert len(subnets["subnet_ids"]) == 3
    assert all("cross-stack-reference-input-01-vpc" in s and "private" in s for s in subnets["subnet_ids"])


def test_only_eks_nodes_reach_6379(valkey, expected):
    _, group = valkey.one("aws_elasticache_replication_group")
    sg_logical, _ = valkey.one("aws_security_group")
    assert group["security_group_ids"] == [valkey.ref("aws_security_group", sg_logical)]
    (rule,) = valkey.resources("aws_vpc_security_group_ingress_rule").values()
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 6379, 6379)
    assert rule["referenced_security_group_id"].startswith(
        "${data.terraform_remote_state.cross-stack-reference-input-02-eks.outputs.")
    assert "cidr_ipv4" not in rule


def test_slow_log_delivery(valkey, expected):
    _, group = valkey.one("aws_elasticache_replication_group")
    log_logical, log = valkey.one("aws_cloudwatch_log_group")
    assert log["name"] == f"/aws/elasticache/{expected['name']}/slow-log"
    assert group["log_delivery_configuration"] == [{
        "destination": valkey.ref("aws_cloudwatch_log_group", log_logical, "name"),
        "destination_type": "cloudwatch-logs", "log_format": "json", "log_type": "slow-log"}]


def test_outputs(valkey):
    assert set(valkey.outputs) == {"primary_endpoint_address", "reader_endpoint_address", "port",
                                   "auth_token_secret_arn", "security_group_id"}
    assert valkey.outputs["port"]["value"] == 6379
