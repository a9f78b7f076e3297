"""The Google Cloud target's first stacks (issue #31): 00-state, 01-vpc, 02-gke, 03-gcs and 07-memorystore of config/gcp.yaml,
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
    assert gcp.stack_names() == ["00-state", "01-vpc", "02-gke", "03-gcs", "04-vpn", "05-helm", "06-access", "07-memorystore",
                                 "08-platform", "09-backup", "10-artifact-registry"]
    assert gcp.manifest["stacks"]["04-vpn"]["dependencies"] == ["01-vpc"]
    assert gcp.manifest["stacks"]["09-backup"]["dependencies"] == ["02-gke"]
    assert gcp.manifest["stacks"]["10-artifact-registry"]["dependencies"] == ["02-gke"]
    assert gcp.manifest["stacks"]["07-memorystore"]["dependencies"] == ["01-vpc"]
    assert gcp.manifest["stacks"]["02-gke"]["dependencies"] == ["01-vpc"]
    for name in gcp.stack_names():
        data = json.loads(gcp.stack(name).text)
        # The Kubernetes layer's stacks add the cluster's providers (tests/test_gke_layer.py).
        assert set(data["provider"]) - {"kubernetes", "helm"} == {"google"}
        (provider,) = data["provider"]["google"]
        assert provider == {"project": "officeless-gcp-dev", "region": "asia-southeast2",
                            "default_labels": {"environment": "gcp", "project": "officeless", "managed-by": "cdktf"}}
        assert not [t for t in data.get("resource", {}) if not t.startswith(("google_", "kubernetes_", "helm_"))]
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
    subnet = vpc.resources("google_compute_subnetwork")["subnet"]  # beside the proxy-only one (test_gke_layer.py)
    assert (subnet["ip_cidr_range"], subnet["region"], subnet["private_ip_google_access"]) == (
        "10.10.0.0/20", "asia-southeast2", True)
    assert subnet["secondary_ip_range"] == [{"range_name": "gcp-cluster-pods", "ip_cidr_range": "10.16.0.0/14"},
                                            {"range_name": "gcp-cluster-services", "ip_cidr_range": "10.20.0.0/20"}]
    assert subnet["log_config"] == {"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5,
                                    "metadata": "INCLUDE_ALL_METADATA"}
    nat = one(vpc, "google_compute_router_nat")
    assert nat["source_subnetwork_ip_ranges_to_nat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"
    assert nat["log_config"] == {"enable": True, "filter": "ERRORS_ONLY"}
    # Nothing opened to the internet: denying everything, logged; the load balancers' proxies and health
    # checkers reach the pods only (tests/test_gke_layer.py).
    rules = vpc.resources("google_compute_firewall")
    assert set(rules) == {"deny-all-ingress", "allow-load-balancer-proxies", "allow-health-checks"}
    rule = rules["deny-all-ingress"]
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


VPC = "${data.terraform_remote_state.cross-stack-reference-input-01-vpc.outputs."


def test_gke_is_regional_private_and_hardened(gcp):
    gke = gcp.stack("02-gke")
    cluster = one(gke, "google_container_cluster")
    # Regional Standard across the three zones, on 01-vpc's subnet and its secondary ranges.
    assert (cluster["name"], cluster["location"]) == ("gcp-cluster", "asia-southeast2")
    assert cluster["node_locations"] == ["asia-southeast2-a", "asia-southeast2-b", "asia-southeast2-c"]
    assert cluster["network"].startswith(VPC) and cluster["subnetwork"].startswith(VPC)
    assert cluster["ip_allocation_policy"] == {"cluster_secondary_range_name": "gcp-cluster-pods",
                                               "services_secondary_range_name": "gcp-cluster-services"}
    assert cluster["networking_mode"] == "VPC_NATIVE" and cluster["default_max_pods_per_node"] == 110
    # Private nodes and endpoint; only the subnet reaches the control plane, Google's public ranges not.
    assert cluster["private_cluster_config"] == {"enable_private_endpoint": True, "enable_private_nodes": True,
                                                 "master_ipv4_cidr_block": "172.16.0.0/28"}
    assert cluster["master_authorized_networks_config"] == {
        "cidr_blocks": [{"cidr_block": "10.10.0.0/20", "display_name": "gcp-cluster (nodes)"}],
        "gcp_public_cidrs_access_enabled": False}
    assert cluster["master_auth"] == {"client_certificate_config": {"issue_client_certificate": False}}
    # Workload Identity; Dataplane V2 (NetworkPolicy enforced); Shielded nodes; no legacy ABAC.
    assert cluster["workload_identity_config"] == {"workload_pool": "officeless-gcp-dev.svc.id.goog"}
    assert cluster["datapath_provider"] == "ADVANCED_DATAPATH" and "network_policy" not in cluster
    assert cluster["enable_shielded_nodes"] is True and cluster["enable_legacy_abac"] is False
    # Secrets encrypted with the stack's own rotated key, which only GKE's service agent may use.
    assert cluster["database_encryption"] == {"state": "ENCRYPTED", "key_name": "${google_kms_crypto_key.secrets-key.id}"}
    key = one(gke, "google_kms_crypto_key")
    assert key["rotation_period"] == f"{90 * 86400}s" and key["lifecycle"] == {"prevent_destroy": True}
    grant = one(gke, "google_kms_crypto_key_iam_member")
    assert (grant["role"], grant["member"]) == (
        "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "serviceAccount:service-${data.google_project.project.number}@container-engine-robot.iam.gserviceaccount.com")
    assert cluster["depends_on"] == ["google_kms_crypto_key_iam_member.gke-agent-uses-the-secrets-key"]
    # The pinned minor on the Regular channel, a daily maintenance window; deletion protection only in
    # production (this environment is not).
    assert (cluster["min_master_version"], cluster["release_channel"]) == ("1.35", {"channel": "REGULAR"})
    assert cluster["maintenance_policy"] == {"daily_maintenance_window": {"start_time": "03:00"}}
    assert cluster["deletion_protection"] is False
    # CSI drivers and load balancing GKE provides: not installed again by the Kubernetes layer.
    assert cluster["addons_config"] == {
        "gce_persistent_disk_csi_driver_config": {"enabled": True}, "gcp_filestore_csi_driver_config": {"enabled": True},
        "horizontal_pod_autoscaling": {"disabled": False}, "http_load_balancing": {"disabled": False},
        "gke_backup_agent_config": {"enabled": True}}  # 09-backup's
    assert cluster["gateway_api_config"] == {"channel": "CHANNEL_STANDARD"}
    assert cluster["monitoring_config"]["managed_prometheus"] == {"enabled": False}  # Mimir is the platform's
    # The default pool goes at once; meanwhile it runs as the nodes' own account.
    assert cluster["remove_default_node_pool"] is True
    assert cluster["node_config"]["service_account"] == "${google_service_account.nodes-sa.email}"


def test_node_pools_a_tainted_system_pool_and_autoscaled_applications(gcp):
    gke = gcp.stack("02-gke")
    pools = {p["name"]: p for p in gke.resources("google_container_node_pool").values()}
    assert set(pools) == {"system", "apps"}
    expected = {"system": ("e2-standard-2", 3, 3, 50), "apps": ("e2-standard-4", 3, 12, 100)}  # config/gcp.yaml
    for name, (machine, low, high, disk) in expected.items():
        pool, node = pools[name], pools[name]["node_config"]
        assert pool["cluster"] == "${google_container_cluster.cluster.id}" and pool["max_pods_per_node"] == 110
        # GKE's autoscaler (no Cluster Autoscaler release), totals across the zones, balanced.
        assert pool["autoscaling"] == {"location_policy": "BALANCED", "total_min_node_count": low,
                                       "total_max_node_count": high}
        assert pool["management"] == {"auto_repair": True, "auto_upgrade": True}
        assert (node["machine_type"], node["disk_size_gb"], node["disk_type"], node["image_type"]) == (
            machine, disk, "pd-balanced", "COS_CONTAINERD")
        assert node["shielded_instance_config"] == {"enable_integrity_monitoring": True, "enable_secure_boot": True}
        assert node["workload_metadata_config"] == {"mode": "GKE_METADATA"}  # pods never see the node's credentials
        assert node["service_account"] == "${google_service_account.nodes-sa.email}"
    assert pools["system"]["node_config"]["taint"] == [{"key": "CriticalAddonsOnly", "value": "true",
                                                        "effect": "NO_SCHEDULE"}]
    assert "taint" not in pools["apps"]["node_config"]
    # The nodes' account holds GKE's node role and nothing else.
    (member,) = gke.resources("google_project_iam_member").values()
    assert (member["role"], member["member"]) == ("roles/container.defaultNodeServiceAccount",
                                                  "${google_service_account.nodes-sa.member}")
    filestore = one(gke, "google_filestore_instance")
    assert (filestore["tier"], filestore["location"], filestore["file_shares"]) == (
        "BASIC_HDD", "asia-southeast2-a", {"name": "shared", "capacity_gb": 1024})
    (net,) = filestore["networks"]
    assert net["network"].startswith(VPC) and net["connect_mode"] == "DIRECT_PEERING"
    named = {o for o in json.loads(gke.text)["output"] if not o.startswith("cross-stack-output-")}  # 09's, 10's
    assert named == {"cluster_name", "cluster_endpoint", "cluster_ca_certificate", "workload_identity_pool",
                     "node_service_account", "filestore_ip"}


def test_backup_for_gke_daily_for_30_days_encrypted_with_its_own_key(gcp):
    backup = gcp.stack("09-backup")
    plan = one(backup, "google_gke_backup_backup_plan")
    assert plan["cluster"].startswith("${data.terraform_remote_state.cross-stack-reference-input-02-gke.outputs.")
    assert (plan["name"], plan["location"]) == ("gcp-cluster-daily", "asia-southeast2")
    assert plan["backup_schedule"] == {"cron_schedule": "0 3 * * *"}  # config/gcp.yaml: daily
    assert plan["retention_policy"] == {"backup_retain_days": 30, "backup_delete_lock_days": 0}
    assert plan["backup_config"] == {"all_namespaces": True, "include_secrets": True, "include_volume_data": True,
                                     "encryption_key": {"gcp_kms_encryption_key": "${google_kms_crypto_key.key.id}"}}
    # Only Backup for GKE's and Compute Engine's service agents may use the key (config and volume backups).
    members = sorted(g["member"] for g in backup.resources("google_kms_crypto_key_iam_member").values())
    agent = "serviceAccount:service-${data.google_project.project.number}@"
    assert members == [f"{agent}compute-system.iam.gserviceaccount.com", f"{agent}gcp-sa-gkebackup.iam.gserviceaccount.com"]
    assert one(backup, "google_kms_crypto_key")["lifecycle"] == {"prevent_destroy": True}
    # The cluster runs Backup for GKE's agent.
    cluster = one(gcp.stack("02-gke"), "google_container_cluster")
    assert cluster["addons_config"]["gke_backup_agent_config"] == {"enabled": True}


def test_artifact_registry_repositories_and_pull_through_caches(gcp):
    registry = gcp.stack("10-artifact-registry")
    repos = {r["repository_id"]: r for r in registry.resources("google_artifact_registry_repository").values()}
    assert set(repos) == {"core-business", "platform", "docker-hub", "quay", "kubernetes"}  # config/gcp.yaml
    for repo in repos.values():
        assert repo["format"] == "DOCKER" and repo["location"] == "asia-southeast2"
        assert repo["kms_key_name"] == "${google_kms_crypto_key.key.id}"
    for name in ("core-business", "platform"):
        assert repos[name]["mode"] == "STANDARD_REPOSITORY" and repos[name]["docker_config"] == {"immutable_tags": True}
        assert repos[name]["cleanup_policies"] == [{"id": "delete-old-untagged", "action": "DELETE",
                                                    "condition": {"tag_state": "UNTAGGED", "older_than": f"{30 * 86400}s"}}]
    assert repos["docker-hub"]["remote_repository_config"] == {"docker_repository": {"public_repository": "DOCKER_HUB"}}
    assert repos["quay"]["remote_repository_config"] == {"docker_repository": {"custom_repository": {"uri": "https://quay.io"}}}
    assert repos["kubernetes"]["remote_repository_config"] == {
        "docker_repository": {"custom_repository": {"uri": "https://registry.k8s.io"}}}
    assert all(repos[n]["mode"] == "REMOTE_REPOSITORY" for n in ("docker-hub", "quay", "kubernetes"))
    # The nodes read every repository, and nothing else is granted; only the registry's agent uses the key.
    readers = registry.resources("google_artifact_registry_repository_iam_member").values()
    assert sorted(r["repository"].split(".")[1] for r in readers) == sorted(
        f"{kind}-{n}" for kind, n in [("repository", "core-business"), ("repository", "platform"), ("remote", "docker-hub"),
                                      ("remote", "quay"), ("remote", "kubernetes")])
    assert {(r["role"], r["member"].split("outputs.")[0]) for r in readers} == {
        ("roles/artifactregistry.reader", "serviceAccount:${data.terraform_remote_state.cross-stack-reference-input-02-gke.")}
    (grant,) = registry.resources("google_kms_crypto_key_iam_member").values()
    assert grant["member"].endswith("@gcp-sa-artifactregistry.iam.gserviceaccount.com")


def test_the_vpn_server_is_the_aws_one_on_compute_engine(gcp, tmp_path):
    from tests.test_ec2_stack import cloud_init_schema

    vpn = gcp.stack("04-vpn")
    instance = one(vpn, "google_compute_instance")
    assert (instance["name"], instance["zone"], instance["machine_type"]) == ("gcp-vpn", "asia-southeast2-a", "e2-standard-2")
    assert instance["boot_disk"]["initialize_params"] == {
        "image": "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64", "size": 20, "type": "pd-balanced"}
    # Disks encrypted with the stack's own key, which only Compute Engine's agent may use.
    key = "${google_kms_crypto_key.key.id}"
    assert instance["boot_disk"]["kms_key_self_link"] == key
    assert instance["attached_disk"] == [{"source": "${google_compute_disk.data-disk.id}", "device_name": "data",
                                          "kms_key_self_link": key}]
    disk = one(vpn, "google_compute_disk")
    assert (disk["size"], disk["type"], disk["disk_encryption_key"]) == (20, "pd-balanced", {"kms_key_self_link": key})
    (grant,) = vpn.resources("google_kms_crypto_key_iam_member").values()
    assert grant["member"].endswith("@compute-system.iam.gserviceaccount.com")
    # A static external address; it routes its clients' packets; Shielded VM; OS Login, no project keys.
    (access,) = instance["network_interface"][0]["access_config"]
    assert access == {"nat_ip": "${google_compute_address.address.address}"}
    assert instance["network_interface"][0]["subnetwork"].startswith(VPC)
    assert instance["can_ip_forward"] is True
    assert instance["shielded_instance_config"] == {"enable_secure_boot": True, "enable_vtpm": True,
                                                    "enable_integrity_monitoring": True}
    assert (instance["metadata"]["enable-oslogin"], instance["metadata"]["block-project-ssh-keys"]) == ("TRUE", "TRUE")
    assert instance["lifecycle"] == {"ignore_changes": ["boot_disk[0].initialize_params[0].image", 'metadata["user-data"]']}
    # Its own account, which may write logs and metrics and nothing else.
    roles = sorted(m["role"] for m in vpn.resources("google_project_iam_member").values())
    assert roles == ["roles/logging.logWriter", "roles/monitoring.metricWriter"]
    assert instance["service_account"]["email"] == "${google_service_account.sa.email}"
    # The deployment guide's ports (config/gcp.yaml), to this VM only; 'vpc' is the subnet's nodes and pods;
    # SSH only from Identity-Aware Proxy.
    rules = {r["name"].removeprefix("gcp-vpn-"): (r["allow"], r["source_ranges"])
             for r in vpn.resources("google_compute_firewall").values()}
    assert rules == {
        "ssh": ([{"protocol": "tcp", "ports": ["22"]}], ["35.235.240.0/20"]),
        "openvpn": ([{"protocol": "udp", "ports": ["1194"]}], ["0.0.0.0/0"]),
        "http": ([{"protocol": "tcp", "ports": ["80"]}], ["0.0.0.0/0"]),
        "https": ([{"protocol": "tcp", "ports": ["443"]}], ["0.0.0.0/0"]),
        "jenkins-agent": ([{"protocol": "tcp", "ports": ["50000"]}], ["10.10.0.0/20", "10.16.0.0/14"]),
        "docker-registry": ([{"protocol": "tcp", "ports": ["5000"]}], ["10.10.0.0/20", "10.16.0.0/14"]),
        "wireguard": ([{"protocol": "udp", "ports": ["51820"]}], ["0.0.0.0/0"]),
    }
    assert all(r["target_tags"] == ["gcp-vpn"] for r in vpn.resources("google_compute_firewall").values())
    # The same cloud-init as on AWS: valid, the data disk found by its name, the Google Cloud CLI
    # and GKE's kubectl plugin instead of the AWS CLI.
    user_data = instance["metadata"]["user-data"]
    (tmp_path / "user-data.yaml").write_text(user_data)
    result = cloud_init_schema(tmp_path / "user-data.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'device="/dev/disk/by-id/google-$volume_id"' in user_data and 'volume_id="data"' in user_data
    assert 'apt-get install -y "google-cloud-cli=576.0.*" "google-cloud-cli-gke-gcloud-auth-plugin=576.0.*"' in user_data
    assert "awscli" not in user_data and "pritunl" in user_data and "mongodb-org" in user_data


def test_gke_allocatable_follows_googles_reservations():
    from officeless.config.gke import GKE_MINORS, MACHINE_TYPES

    # CPU: 6 % of the first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above; memory 25 % of
    # the first 4 GiB, 20 % of the next 4, 10 % of the next 8, 6 % of the next 112, and 100 MiB for
    # eviction (https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes).
    assert MACHINE_TYPES["e2-standard-2"].allocatable() == (2000 - 60 - 10, int(8192 - 1024 - 819.2 - 100))
    assert MACHINE_TYPES["e2-standard-4"].allocatable() == (4000 - 60 - 10 - 10, int(16384 - 1024 - 819.2 - 819.2 - 100))
    assert MACHINE_TYPES["e2-standard-8"].allocatable() == (
        int(8000 - 60 - 10 - 10 - 10), int(32768 - 1024 - 819.2 - 819.2 - 0.06 * 16 * 1024 - 100))
    # The GKE calendar (https://endoflife.date/google-kubernetes-engine, Google's release schedule):
    # 1.35 reached the Regular channel on 2026-02-11; standard support until 2027-04-11; extended until
    # 24 months after Regular availability (GKE versioning and support).
    minor = GKE_MINORS["1.35"]
    assert (minor.regular_available.isoformat(), minor.end_of_standard_support.isoformat(),
            minor.end_of_extended_support.isoformat()) == ("2026-02-11", "2027-04-11", "2028-02-11")


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
    ("      machine_type: e2-standard-4", "      machine_type: m5.large",
     "gke.node_pools.apps.machine_type: 'm5.large' is not in the machine type table; allowed: e2-standard-2, "),
    ('kubernetes_version: "1.35"', 'kubernetes_version: "1.29"',
     "gke.kubernetes_version: '1.29' is not in the GKE version table; allowed: 1.33, 1.34, 1.35 "
     "(officeless/config/gke.py)"),
    ('kubernetes_version: "1.35"', 'kubernetes_version: "1.34"',
     "gke.kubernetes_version: '1.34' left GKE's standard support on 2026-10-01 (release channel REGULAR); allowed on "
     "2026-11-23: 1.35, or release_channel EXTENDED"),
    ("      max_nodes: 12", "      max_nodes: 40",
     "gke.node_pools: the pools' max_nodes add up to 43, more than network.max_nodes 30 the ranges are sized for; "
     "allowed: at most that, or raise network.max_nodes"),
    ("master_cidr: 172.16.0.0/28", "master_cidr: 10.10.0.0/28",
     "gke.master_cidr: '10.10.0.0/28' overlaps network.subnet.cidr '10.10.0.0/20'; allowed: a /28 outside the subnet's "
     "ranges"),
    ("      max_nodes: 12\n", "      max_nodes: 12\n      system: true\n",
     "gke.node_pools: 2 pools have system: true (system, apps); allowed: exactly one, where the system components run"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=["region", "zone", "overlap", "pods", "foreign", "machine",
                                                      "minor", "past-support", "max-nodes", "master-cidr", "two-system"])
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
    ("  retention_days: 30", "  retention_days: 30\n  delete_lock_days: 40",
     "backup.delete_lock_days: 40 is longer than retention_days 30; allowed: at most retention_days"),
    ('  schedule: "0 3 * * *"', '  schedule: "daily"',
     "backup.schedule: 'daily' is not a unix cron expression of 5 fields, e.g. '0 3 * * *'"),
    ("remotes: [docker-hub, quay, kubernetes]", "remotes: [docker-hub, gcr]",
     "artifact_registry.remotes[1]: 'gcr' is not a remote repository upstream; allowed: docker-hub, github, quay, kubernetes"),
    ("repositories: [core-business, platform]", "repositories: [core-business, core-business]",
     "artifact_registry.repositories[1]: 'core-business' is listed twice; list each once"),
    ("    ssh: []", "    ssh: [0.0.0.0/0]",
     "vpn.ingress.ssh[0]: '0.0.0.0/0' opens SSH to the internet (it covers public addresses); allowed only with "
     "allow_public_ssh: true (prefer SSH through Identity-Aware Proxy: vpn.iap_ssh)"),
    ("    docker_registry: [vpc]", "    docker_registry: [0.0.0.0/1]",
     "vpn.ingress.docker_registry[0]: '0.0.0.0/1' covers public addresses, and docker_registry has no authentication of "
     "its own; allowed: vpc or private CIDRs (reach it over the VPN)"),
    ("    kubectl_series: v1.35", "    kubectl_series: v1.31",
     "vpn.software.kubectl_series: 'v1.31' with the cluster on 1.35; kubectl is supported within one minor of the API "
     "server; allowed: v1.34, v1.35, v1.36"),
    ("  machine_type: e2-standard-2\n  prevent_destroy", "  machine_type: t3.large\n  zone: asia-southeast2-a\n  prevent_destroy",
     "vpn.machine_type: 't3.large' is not in the machine type table; allowed: e2-standard-2, "),
], ids=["zone-twice", "small-subnet", "bucket-name", "backup-lock", "backup-cron", "remote", "repository-twice",
        "vpn-public-ssh", "vpn-public-registry", "vpn-kubectl", "vpn-machine"])
def test_more_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    line = load_error(write_config(tmp_path, old, new, ROOT / "config" / "gcp.yaml"), "gcp")
    assert line == f"config/gcp.yaml: {message}" or (message.endswith(", ") and line.startswith(f"config/gcp.yaml: {message}"))
