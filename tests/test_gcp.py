"""The Google Cloud target's first stacks (issue #31): 00-state and 01-vpc of config/gcp.yaml,
asserted on the JSON (no Google provider binary here: the typed bindings and the provider's docs),
and its bad input as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_config_errors import write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "officeless-gcp-terraform-state"  # config/gcp.yaml


def one(stack, kind: str) -> dict:
    (item,) = stack.resources(kind).values()
    return item


def test_stacks_providers_and_state(gcp):
    assert gcp.stack_names() == ["00-state", "01-vpc", "03-gcs", "07-memorystore"]
    assert gcp.manifest["stacks"]["07-memorystore"]["dependencies"] == ["01-vpc"]
    for name in gcp.stack_names():
        data = json.loads(gcp.stack(name).text)
        assert set(data["provider"]) == {"google"}
        (provider,) = data["provider"]["google"]
        assert provider == {"project": "officeless-gcp-dev", "region": "asia-southeast2",
                            "default_labels": {"environment": "gcp", "project": "officeless", "managed-by": "cdktf"}}
        assert not [t for t in data.get("resource", {}) if not t.startswith("google_")]
    assert json.loads(gcp.stack("00-state").text)["terraform"]["backend"] == {
        "local": {"path": "../../../terraform-state/gcp/00-state.tfstate"}}
    # GCS locks natively: no lock table.
    assert json.loads(gcp.stack("01-vpc").text)["terraform"]["backend"] == {"gcs": {"bucket": BUCKET, "prefix": "gcp/01-vpc"}}


def test_the_state_bucket_is_private_versioned_and_encrypted_with_its_own_key(gcp):
    state = gcp.stack("00-state")
    bucket = one(state, "google_storage_bucket")
    assert bucket["name"] == BUCKET and bucket["location"] == "asia-southeast2"
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["versioning"] == {"enabled": True}
    assert bucket["soft_delete_policy"] == {"retention_duration_seconds": 7 * 86400}
    assert bucket["force_destroy"] is False
    key = one(state, "google_kms_crypto_key")
    assert bucket["encryption"] == {"default_kms_key_name": "${google_kms_crypto_key.key.id}"}
    assert key["rotation_period"] == f"{90 * 86400}s" and key["purpose"] == "ENCRYPT_DECRYPT"
    assert one(state, "google_kms_key_ring")["location"] == "asia-southeast2"
    grant = one(state, "google_kms_crypto_key_iam_member")
    # Only the project's Cloud Storage service agent may use the key; the bucket waits for the grant.
    assert grant["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert grant["member"] == "serviceAccount:${data.google_storage_project_service_account.storage-agent.email_address}"
    assert bucket["depends_on"] == ["google_kms_crypto_key_iam_member.storage-agent-uses-the-key"]
    # Terraform refuses to destroy either (the schema's default, state.prevent_destroy).
    assert bucket["lifecycle"] == {"prevent_destroy": True} == key["lifecycle"]


def test_the_network_holds_the_cluster_and_reaches_out_through_nat(gcp):
    vpc = gcp.stack("01-vpc")
    network = one(vpc, "google_compute_network")
    assert network["auto_create_subnetworks"] is False and network["routing_mode"] == "REGIONAL"
    subnet = one(vpc, "google_compute_subnetwork")
    assert (subnet["ip_cidr_range"], subnet["region"], subnet["private_ip_google_access"]) == (
        "10.10.0.0/20", "asia-southeast2", True)
    assert subnet["secondary_ip_range"] == [{"range_name": "gcp-cluster-pods", "ip_cidr_range": "10.16.0.0/14"},
                                            {"range_name": "gcp-cluster-services", "ip_cidr_range": "10.20.0.0/20"}]
    assert subnet["log_config"] == {"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5,
                                    "metadata": "INCLUDE_ALL_METADATA"}
    nat = one(vpc, "google_compute_router_nat")
    assert nat["source_subnetwork_ip_ranges_to_nat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"
    assert nat["log_config"] == {"enable": True, "filter": "ERRORS_ONLY"}
    (rule,) = vpc.resources("google_compute_firewall").values()  # nothing opened; denying everything, logged
    assert (rule["direction"], rule["priority"], rule["source_ranges"], rule["deny"]) == (
        "INGRESS", 65534, ["0.0.0.0/0"], [{"protocol": "all"}])
    assert rule["log_config"] == {"metadata": "INCLUDE_ALL_METADATA"}
    named = {o for o in json.loads(vpc.text)["output"] if not o.startswith("cross-stack-output-")}  # 07's references
    assert named == {"network_name", "network_self_link", "subnets_self_links", "subnets_secondary_ranges"}


def test_observability_buckets_are_private_encrypted_and_expire_after_retention(gcp):
    """03-gcs as 03-s3 on AWS: every purpose Mimir, Loki and Tempo use; the compactors delete at the end
    of retention (observability.retention: metrics 15, logs 30, traces 14 days), the bucket 7 days later."""
    storage = gcp.stack("03-gcs")
    buckets = {b["name"]: b for b in storage.resources("google_storage_bucket").values()}
    assert set(buckets) == {f"officeless-gcp-{p}" for p in ("mimir-metrics", "mimir-alertmanager", "mimir-ruler",
                                                            "loki-chunks", "loki-ruler", "tempo-traces")}
    backstop = {"mimir-metrics": 15 + 7, "loki-chunks": 30 + 7, "tempo-traces": 14 + 7}
    for name, bucket in buckets.items():
        assert bucket["uniform_bucket_level_access"] is True and bucket["public_access_prevention"] == "enforced"
        assert bucket["encryption"] == {"default_kms_key_name": "${google_kms_crypto_key.key.id}"}
        assert bucket["versioning"] == {"enabled": True} and bucket["lifecycle"] == {"prevent_destroy": True}
        rules = bucket["lifecycle_rule"]
        assert rules[0] == {"action": {"type": "Delete"}, "condition": {"days_since_noncurrent_time": 90}}
        purpose = name.removeprefix("officeless-gcp-")
        if purpose in backstop:
            assert rules[1] == {"action": {"type": "Delete"}, "condition": {"age": backstop[purpose],
                                                                            "matches_prefix": ["officeless/"]}}
        else:
            assert len(rules) == 1
    assert one(storage, "google_kms_crypto_key")["name"] == "officeless-gcp-buckets"
    assert set(json.loads(storage.text)["output"]) == {"bucket_names", "kms_key_id"}


def test_valkey_is_reached_only_through_private_service_connect_with_iam_and_tls(gcp):
    cache = gcp.stack("07-memorystore")
    vpc = "${data.terraform_remote_state.cross-stack-reference-input-01-vpc.outputs."
    policy = one(cache, "google_network_connectivity_service_connection_policy")
    assert (policy["service_class"], policy["location"]) == ("gcp-memorystore", "asia-southeast2")
    assert policy["network"].startswith(vpc) and policy["psc_config"]["subnetworks"][0].startswith(vpc)
    assert "subnet" in policy["psc_config"]["subnetworks"][0]
    valkey = one(cache, "google_memorystore_instance")
    assert (valkey["authorization_mode"], valkey["transit_encryption_mode"]) == ("IAM_AUTH", "SERVER_AUTHENTICATION")
    assert valkey["engine_version"] == "VALKEY_8_0" and valkey["deletion_protection_enabled"] is True
    assert (valkey["shard_count"], valkey["replica_count"], valkey["zone_distribution_config"]) == (
        1, 1, {"mode": "MULTI_ZONE"})
    assert valkey["persistence_config"] == {"mode": "AOF", "aof_config": {"append_fsync": "EVERY_SEC"}}
    (endpoint,) = valkey["desired_auto_created_endpoints"]
    assert endpoint["network"].startswith(vpc) and endpoint["project_id"] == "officeless-gcp-dev"
    assert valkey["depends_on"] == ["google_network_connectivity_service_connection_policy.psc-policy"]
    # No public address anywhere: the instance has endpoints in the subnet only.
    assert "public" not in json.dumps(valkey).lower()


BAD = [
    ("region: asia-southeast2", "region: mars-east1", "region: 'mars-east1' is not a region this project knows"),
    ("zones: [asia-southeast2-a,", "zones: [asia-southeast2-z,",
     "zones[0]: 'asia-southeast2-z' is not a zone of asia-southeast2; allowed: asia-southeast2-a, asia-southeast2-b, "
     "asia-southeast2-c"),
    ("services_cidr: 10.20.0.0/20", "services_cidr: 10.10.0.0/24",
     "network.subnet.services_cidr: '10.10.0.0/24' overlaps cidr '10.10.0.0/20'"),
    ("pods_cidr: 10.16.0.0/14", "pods_cidr: 10.16.0.0/24",
     "network.subnet.pods_cidr: '10.16.0.0/24' holds 1 nodes' pod ranges (a /24 each at 110 pods per node); "
     "network.max_nodes is 30; allowed: a /19 or larger, or fewer nodes"),
    ("project: officeless\n", "project: officeless\neks: {cluster_name: x}\n",
     "eks: a section of another target (AWS, an existing cluster or Azure); cloud: gcp builds on Google Cloud, so it "
     "has no eks; allowed: cloud, environment, project, gcp_project, region, zones, labels, backend, state, network"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=["region", "zone", "overlap", "pods", "foreign"])
def test_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    # load_error: one line, within the line bound, named as from the project root.
    assert message in load_error(write_config(tmp_path, old, new, ROOT / "config" / "gcp.yaml"), "gcp")


@pytest.mark.parametrize("old,new,message", [
    ("zones: [asia-southeast2-a, asia-southeast2-b,", "zones: [asia-southeast2-a, asia-southeast2-a,",
     "zones: ['asia-southeast2-a', 'asia-southeast2-a', 'asia-southeast2-c'] lists a zone twice; list each once"),
    ("    cidr: 10.10.0.0/20", "    cidr: 10.10.0.0/28",
     "network.subnet.cidr: '10.10.0.0/28' has 12 usable addresses for network.max_nodes 30 nodes; allowed: a larger "
     "range, or fewer nodes"),
    ("project: officeless\n", "project: " + "o" * 50 + "\n",
     "project: makes the bucket name '" + "o" * 50 + "-gcp-mimir-metrics'; allowed: 3-63 lowercase letters, digits, '-' "
     "and '_': shorten it"),
], ids=["zone-twice", "small-subnet", "bucket-name"])
def test_more_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    assert load_error(write_config(tmp_path, old, new, ROOT / "config" / "gcp.yaml"), "gcp") == f"config/gcp.yaml: {message}"
