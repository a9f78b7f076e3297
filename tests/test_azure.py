"""The Azure target's stacks so far (issue #32): 00-state, 01-vnet, 02-aks, 03-blob and 07-redis of
config/azure.yaml, asserted on the JSON (no azurerm provider binary here: the typed bindings and the
provider's docs), and its bad input as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_config_errors import write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
VNET = "${data.terraform_remote_state.cross-stack-reference-input-01-vnet.outputs."
TAGS = {"environment": "azure", "project": "officeless", "managed-by": "cdktf"}  # config/azure.yaml


def one(stack, kind: str) -> dict:
    (item,) = stack.resources(kind).values()
    return item


def test_stacks_provider_and_state(azure):
    assert azure.stack_names() == ["00-state", "01-vnet", "02-aks", "03-blob", "04-vpn", "05-helm", "06-access",
                                   "07-redis", "08-platform", "09-backup", "10-acr"]
    assert sorted(azure.manifest["stacks"]["09-backup"]["dependencies"]) == ["01-vnet", "02-aks", "03-blob"]
    assert azure.manifest["stacks"]["10-acr"]["dependencies"] == ["01-vnet", "02-aks"]
    for stack in ("02-aks", "04-vpn"):
        assert azure.manifest["stacks"][stack]["dependencies"] == ["01-vnet"]
    assert azure.manifest["stacks"]["03-blob"]["dependencies"] == ["01-vnet"]
    assert azure.manifest["stacks"]["07-redis"]["dependencies"] == ["01-vnet"]
    layer = {"05-helm": ("helm", "kubernetes"), "06-access": ("kubernetes",),  # tests/test_aks_layer.py
             "08-platform": ("helm", "kubernetes")}
    for name in azure.stack_names():
        data = json.loads(azure.stack(name).text)
        assert data["provider"]["azurerm"] == [{"features": [{}], "storage_use_azuread": True,
                                                "subscription_id": "00000000-0000-0000-0000-000000000000"}]
        assert set(data["provider"]) == {"azurerm", *layer.get(name, ())}
        kinds = ("azurerm_", *layer.get(name, ()))
        assert not [t for t in data.get("resource", {}) if not t.startswith(kinds)]
    assert json.loads(azure.stack("00-state").text)["terraform"]["backend"] == {
        "local": {"path": "../../../terraform-state/azure/00-state.tfstate"}}
    # Blob leases lock; Entra ID, never an account key.
    assert json.loads(azure.stack("01-vnet").text)["terraform"]["backend"] == {"azurerm": {
        "resource_group_name": "officeless-azure-tfstate", "storage_account_name": "officelessazuretfstate",
        "container_name": "tfstate", "key": "azure/01-vnet.tfstate",
        "subscription_id": "00000000-0000-0000-0000-000000000000", "use_azuread_auth": True}}


def assert_private_account(account: dict, *, replication: str) -> None:
    assert (account["min_tls_version"], account["https_traffic_only_enabled"]) == ("TLS1_2", True)
    assert account["allow_nested_items_to_be_public"] is False and account["shared_access_key_enabled"] is False
    assert account["cross_tenant_replication_enabled"] is False and account["infrastructure_encryption_enabled"] is True
    assert account["account_replication_type"] == replication
    assert account["blob_properties"] == {"versioning_enabled": True, "delete_retention_policy": {"days": 7},
                                          "container_delete_retention_policy": {"days": 7}}
    assert account["tags"] == TAGS


def test_the_state_account_is_private_versioned_and_geo_redundant(azure):
    state = azure.stack("00-state")
    account = one(state, "azurerm_storage_account")
    assert (account["name"], account["location"]) == ("officelessazuretfstate", "southeastasia")
    assert_private_account(account, replication="GZRS")
    assert account["lifecycle"] == {"prevent_destroy": True}
    container = one(state, "azurerm_storage_container")
    assert (container["name"], container["container_access_type"]) == ("tfstate", "private")


def test_the_vnet_holds_the_cluster_and_reaches_out_through_nat(azure):
    vnet = azure.stack("01-vnet")
    assert one(vnet, "azurerm_virtual_network")["address_space"] == ["10.30.0.0/16"]
    subnets = {s["name"]: s for s in vnet.resources("azurerm_subnet").values()}
    assert subnets["azure-vnet-nodes"]["address_prefixes"] == ["10.30.0.0/20"]
    assert subnets["azure-vnet-endpoints"]["address_prefixes"] == ["10.30.16.0/24"]
    # No implicit outbound access: the nodes leave through the NAT gateway, its address static.
    assert all(s["default_outbound_access_enabled"] is False for s in subnets.values())
    ip = one(vnet, "azurerm_public_ip")
    assert (ip["sku"], ip["allocation_method"], ip["zones"]) == ("Standard", "Static", ["1", "2", "3"])
    assert one(vnet, "azurerm_subnet_nat_gateway_association")["subnet_id"] == "${azurerm_subnet.nodes.id}"
    # One network security group on both subnets with Azure's default rules only: nothing from the internet.
    nsg = one(vnet, "azurerm_network_security_group")
    assert "security_rule" not in nsg
    assert len(vnet.resources("azurerm_subnet_network_security_group_association")) == 2
    flow = one(vnet, "azurerm_network_watcher_flow_log")
    assert (flow["target_resource_id"], flow["version"], flow["retention_policy"]) == (
        "${azurerm_virtual_network.vnet.id}", 2, {"enabled": True, "days": 90})
    logs = vnet.resources("azurerm_storage_account")["flow-logs-account"]
    assert_private_account(logs, replication="ZRS")
    # Only Azure's trusted services (Network Watcher) write there.
    assert logs["network_rules"] == {"default_action": "Deny", "bypass": ["AzureServices"]}


def test_observability_containers_are_private_and_expire_after_retention(azure):
    blob = azure.stack("03-blob")
    account = one(blob, "azurerm_storage_account")
    assert account["name"] == "officelessazureobs" and account["public_network_access_enabled"] is False
    assert_private_account(account, replication="ZRS")
    containers = {c["name"]: c for c in blob.resources("azurerm_storage_container").values()}
    assert set(containers) == {"mimir-metrics", "mimir-alertmanager", "mimir-ruler", "loki-chunks", "loki-ruler",
                               "tempo-traces"}
    assert all(c["container_access_type"] == "private" for c in containers.values())
    # Reached only through a private endpoint in the VNet, resolved by a private zone linked to it.
    endpoint = one(blob, "azurerm_private_endpoint")
    assert endpoint["subnet_id"].startswith(VNET)
    assert endpoint["private_service_connection"]["subresource_names"] == ["blob"]
    assert one(blob, "azurerm_private_dns_zone")["name"] == "privatelink.blob.core.windows.net"
    # The compactors delete at the end of retention (metrics 15, logs 30, traces 14 days), the policy 7 days
    # later; old versions after 90 days.
    rules = {r["name"]: r for r in one(blob, "azurerm_storage_management_policy")["rule"]}
    assert rules["old-versions"]["actions"] == {"version": {"delete_after_days_since_creation": 90}}
    for purpose, days in (("mimir-metrics", 22), ("loki-chunks", 37), ("tempo-traces", 21)):
        rule = rules[f"retention-{purpose}"]
        assert rule["filters"]["prefix_match"] == [f"{purpose}/officeless/"]
        assert rule["actions"] == {"base_blob": {"delete_after_days_since_modification_greater_than": days}}


def test_managed_redis_is_private_tls_only_and_without_keys(azure):
    cache = azure.stack("07-redis")
    redis = one(cache, "azurerm_managed_redis")
    assert (redis["sku_name"], redis["high_availability_enabled"], redis["public_network_access"]) == (
        "Balanced_B1", True, "Disabled")
    assert redis["default_database"] == {"client_protocol": "Encrypted", "access_keys_authentication_enabled": False,
                                         "persistence_append_only_file_backup_frequency": "1s"}
    endpoint = one(cache, "azurerm_private_endpoint")
    assert endpoint["private_service_connection"]["subresource_names"] == ["redisEnterprise"]
    assert endpoint["private_service_connection"]["private_connection_resource_id"] == "${azurerm_managed_redis.redis.id}"
    assert one(cache, "azurerm_private_dns_zone")["name"] == "privatelink.redis.azure.net"
    assert not cache.resources("azurerm_redis_cache")  # the retiring service (officeless/config/azure.py)


def test_aks_is_private_zonal_and_entra_only(azure):
    aks = azure.stack("02-aks")
    cluster = one(aks, "azurerm_kubernetes_cluster")
    assert (cluster["name"], cluster["kubernetes_version"], cluster["sku_tier"], cluster["support_plan"]) == (
        "azure-aks", "1.35", "Standard", "KubernetesOfficial")
    # Private: the API server only on an address in the VNet, its name in a zone AKS manages.
    assert cluster["private_cluster_enabled"] is True and cluster["private_cluster_public_fqdn_enabled"] is False
    assert cluster["private_dns_zone_id"] == "System"
    # Entra ID sign-in, Azure RBAC for Kubernetes, no local accounts; Workload Identity.
    assert cluster["local_account_disabled"] is True and cluster["role_based_access_control_enabled"] is True
    assert cluster["azure_active_directory_role_based_access_control"]["azure_rbac_enabled"] is True
    assert (cluster["oidc_issuer_enabled"], cluster["workload_identity_enabled"]) == (True, True)
    # Azure CNI Overlay with Cilium enforcing network policy, on config's ranges; out through 01-vnet's NAT.
    assert cluster["network_profile"] == {
        "network_plugin": "azure", "network_plugin_mode": "overlay", "network_data_plane": "cilium",
        "network_policy": "cilium", "pod_cidr": "10.244.0.0/16", "service_cidr": "10.40.0.0/16",
        "dns_service_ip": "10.40.0.10", "load_balancer_sku": "standard", "outbound_type": "userAssignedNATGateway"}
    # Azure Disk and Azure Files CSI from AKS (05-helm installs neither).
    assert cluster["storage_profile"] == {"disk_driver_enabled": True, "file_driver_enabled": True,
                                          "blob_driver_enabled": False, "snapshot_controller_enabled": True}
    assert (cluster["automatic_upgrade_channel"], cluster["node_os_upgrade_channel"]) == ("patch", "NodeImage")
    assert cluster["maintenance_window_auto_upgrade"] == {"frequency": "Weekly", "interval": 1, "duration": 4,
                                                          "day_of_week": "Sunday", "start_time": "03:00",
                                                          "utc_offset": "+00:00"}
    assert cluster["tags"] == TAGS
    assert not aks.resources("azurerm_management_lock")  # not production, deletion_protection unset


def test_aks_pools_span_the_zones_system_pool_tainted(azure):
    aks = azure.stack("02-aks")
    cluster = one(aks, "azurerm_kubernetes_cluster")
    system = cluster["default_node_pool"]
    assert (system["name"], system["vm_size"], system["min_count"], system["max_count"]) == (
        "system", "Standard_D4s_v5", 3, 6)
    # CriticalAddonsOnly=true:NoSchedule (AKS's only_critical_addons_enabled).
    assert system["only_critical_addons_enabled"] is True and system["auto_scaling_enabled"] is True
    assert system["zones"] == ["1", "2", "3"] and system["vnet_subnet_id"] == VNET + "cross-stack-output-azurerm_subnetnodesid}"
    assert system["host_encryption_enabled"] is True and system["max_pods"] == 110
    apps = one(aks, "azurerm_kubernetes_cluster_node_pool")
    assert (apps["name"], apps["mode"], apps["min_count"], apps["max_count"], apps["zones"]) == (
        "apps", "User", 3, 12, ["1", "2", "3"])
    assert apps["orchestrator_version"] == system["orchestrator_version"] == "1.35"
    assert apps["lifecycle"] == {"ignore_changes": ["node_count"]}


def test_etcd_is_encrypted_with_a_key_of_its_own_vault(azure):
    aks = azure.stack("02-aks")
    cluster = one(aks, "azurerm_kubernetes_cluster")
    assert cluster["key_management_service"] == {"key_vault_key_id": "${azurerm_key_vault_key.etcd-key.id}",
                                                 "key_vault_network_access": "Public"}
    vault = one(aks, "azurerm_key_vault")
    assert (vault["name"], vault["sku_name"], vault["rbac_authorization_enabled"], vault["purge_protection_enabled"]) == (
        "officeless-azure-kms", "premium", True, True)
    key = one(aks, "azurerm_key_vault_key")
    assert (key["key_type"], key["key_size"]) == ("RSA-HSM", 2048)
    # KMS needs a user-assigned identity, granted before the cluster exists.
    assert cluster["identity"] == {"type": "UserAssigned",
                                   "identity_ids": ["${azurerm_user_assigned_identity.control-plane.id}"]}
    grants = {(r["role_definition_name"], r["scope"], r["principal_id"])
              for r in aks.resources("azurerm_role_assignment").values()}
    identity = "${azurerm_user_assigned_identity.control-plane.principal_id}"
    assert grants == {("Key Vault Crypto User", "${azurerm_key_vault.kms-vault.id}", identity),
                      ("Network Contributor", VNET + "cross-stack-output-azurerm_subnetnodesid}", identity),
                      ("Key Vault Crypto Officer", "${azurerm_key_vault.kms-vault.id}",
                       "${data.azurerm_client_config.current.object_id}")}
    assert set(cluster["depends_on"]) == {"azurerm_role_assignment.control-plane-crypto-user",
                                          "azurerm_role_assignment.control-plane-network"}
    assert key["depends_on"] == ["azurerm_role_assignment.deployer-crypto-officer"]


def test_aks_outputs_are_named_like_the_module(azure):
    outputs = json.loads(azure.stack("02-aks").text)["output"]
    assert {name for name in outputs if not name.startswith("cross-stack-output-")} == {
        "cluster_name", "cluster_id", "cluster_private_fqdn", "oidc_issuer_url", "kubelet_identity_object_id",
        "node_resource_group", "key_vault_id"}


def test_the_vpn_server_is_the_aws_one_on_an_azure_vm(azure, tmp_path):
    import base64

    from tests.test_ec2_stack import cloud_init_schema

    vpn = azure.stack("04-vpn")
    vm = one(vpn, "azurerm_linux_virtual_machine")
    assert (vm["name"], vm["size"], vm["zone"]) == ("azure-vpn", "Standard_D2s_v5", "1")
    assert vm["source_image_reference"] == {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server",
                                            "version": "latest"}
    # Encrypted disks (at host too), Trusted Launch, SSH keys only, no extensions.
    assert (vm["encryption_at_host_enabled"], vm["secure_boot_enabled"], vm["vtpm_enabled"]) == (True, True, True)
    assert vm["disable_password_authentication"] is True and vm["allow_extension_operations"] is False
    assert vm["os_disk"] == {"caching": "ReadWrite", "storage_account_type": "Premium_LRS", "disk_size_gb": 30}
    assert vm["lifecycle"] == {"ignore_changes": ["custom_data", "source_image_reference"]}
    # A managed identity granted nothing: no role assignment in the stack.
    assert vm["identity"] == {"type": "SystemAssigned"} and not vpn.resources("azurerm_role_assignment")
    disk = one(vpn, "azurerm_managed_disk")
    assert (disk["disk_size_gb"], disk["zone"], disk["network_access_policy"], disk["public_network_access_enabled"]) == (
        20, "1", "DenyAll", False)
    assert one(vpn, "azurerm_virtual_machine_data_disk_attachment")["lun"] == 0
    # A static zonal address; it routes its clients' packets.
    ip = one(vpn, "azurerm_public_ip")
    assert (ip["sku"], ip["allocation_method"], ip["zones"]) == ("Standard", "Static", ["1"])
    nic = one(vpn, "azurerm_network_interface")
    assert nic["ip_forwarding_enabled"] is True
    assert nic["ip_configuration"][0]["public_ip_address_id"] == "${azurerm_public_ip.public-ip.id}"
    # A subnet of its own, whose security group admits the deployment guide's ports (config/azure.yaml),
    # 'vpc' being the VNet, and no SSH.
    subnet = one(vpn, "azurerm_subnet")
    assert subnet["address_prefixes"] == ["10.30.17.0/27"] and subnet["default_outbound_access_enabled"] is False
    rules = {r["name"]: (r["protocol"], r["destination_port_range"], r["source_address_prefixes"], r["access"],
                         r["destination_address_prefix"])
             for r in one(vpn, "azurerm_network_security_group")["security_rule"]}
    assert rules == {
        "allow-openvpn": ("Udp", "1194", ["0.0.0.0/0"], "Allow", "10.30.17.0/27"),
        "allow-http": ("Tcp", "80", ["0.0.0.0/0"], "Allow", "10.30.17.0/27"),
        "allow-https": ("Tcp", "443", ["0.0.0.0/0"], "Allow", "10.30.17.0/27"),
        "allow-jenkins-agent": ("Tcp", "50000", ["10.30.0.0/16"], "Allow", "10.30.17.0/27"),
        "allow-docker-registry": ("Tcp", "5000", ["10.30.0.0/16"], "Allow", "10.30.17.0/27"),
        "allow-wireguard": ("Udp", "51820", ["0.0.0.0/0"], "Allow", "10.30.17.0/27"),
    }
    # The same cloud-init as on AWS: valid, the data disk found by its LUN, the Azure CLI and
    # kubelogin (checked against its published SHA-256) instead of the AWS CLI.
    user_data = base64.b64decode(vm["custom_data"]).decode()
    (tmp_path / "user-data.yaml").write_text(user_data)
    result = cloud_init_schema(tmp_path / "user-data.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'device="/dev/disk/azure/scsi1/lun$volume_id"' in user_data and 'volume_id="0"' in user_data
    assert 'apt-get install -y "azure-cli=2.79.*"' in user_data
    assert "https://github.com/Azure/kubelogin/releases/download/v0.2.19" in user_data and "sha256sum -c -" in user_data
    assert "awscli" not in user_data and "pritunl" in user_data and "mongodb-org" in user_data


def test_the_registry_is_private_caches_upstreams_and_lets_nodes_pull(azure):
    acr = azure.stack("10-acr")
    registry = one(acr, "azurerm_container_registry")
    assert (registry["name"], registry["sku"], registry["zone_redundancy_enabled"]) == (
        "officelessazureimages", "Premium", True)
    assert registry["public_network_access_enabled"] is False and registry["network_rule_bypass_option"] == "None"
    assert (registry["admin_enabled"], registry["anonymous_pull_enabled"], registry["export_policy_enabled"]) == (
        False, False, False)
    assert registry["retention_policy_in_days"] == 30
    endpoint = one(acr, "azurerm_private_endpoint")
    assert endpoint["private_service_connection"]["subresource_names"] == ["registry"]
    assert one(acr, "azurerm_private_dns_zone")["name"] == "privatelink.azurecr.io"
    # config/azure.yaml's caches: <upstream>/* in the registry maps to the upstream's /*.
    rules = {r["name"]: (r["target_repo"], r["source_repo"]) for r in acr.resources("azurerm_container_registry_cache_rule").values()}
    assert rules == {"docker-hub": ("docker-hub/*", "docker.io/*"), "quay": ("quay/*", "quay.io/*"),
                     "kubernetes": ("kubernetes/*", "registry.k8s.io/*")}
    (grant,) = acr.resources("azurerm_role_assignment").values()
    assert (grant["role_definition_name"], grant["scope"]) == ("AcrPull", "${azurerm_container_registry.registry.id}")
    assert "kubelet_identity0object_id" in grant["principal_id"]


def test_aks_is_backed_up_daily_for_30_days(azure):
    backup = azure.stack("09-backup")
    vault = one(backup, "azurerm_data_protection_backup_vault")
    assert (vault["redundancy"], vault["soft_delete"], vault["identity"]) == ("ZoneRedundant", "On",
                                                                             {"type": "SystemAssigned"})
    # config/azure.yaml: daily at 03:00 UTC, kept 30 days (issue #32: "daily, 30 days").
    policy = one(backup, "azurerm_data_protection_backup_policy_kubernetes_cluster")
    assert policy["backup_repeating_time_intervals"] == ["R/2026-01-01T03:00:00+00:00/P1D"]
    assert policy["default_retention_rule"] == {"life_cycle": [{"duration": "P30D", "data_store_type": "OperationalStore"}]}
    instance = one(backup, "azurerm_data_protection_backup_instance_kubernetes_cluster")
    assert instance["backup_datasource_parameters"] == {"cluster_scoped_resources_enabled": True,
                                                        "volume_snapshot_enabled": True}
    assert instance["kubernetes_cluster_id"].endswith("cross-stack-output-azurerm_kubernetes_clusterclusterid}")
    # The extension signs in with Entra ID (the account has no shared keys).
    extension = one(backup, "azurerm_kubernetes_cluster_extension")
    assert extension["extension_type"] == "Microsoft.DataProtection.Kubernetes"
    assert extension["configuration_settings"]["configuration.backupStorageLocation.config.useAAD"] == "true"
    account = one(backup, "azurerm_storage_account")
    assert_private_account(account, replication="ZRS")
    assert account["network_rules"] == {"default_action": "Deny", "bypass": ["AzureServices"], "private_link_access": [
        {"endpoint_resource_id": "${azurerm_data_protection_backup_vault.vault.id}"}]}
    # The cluster reaches it through a private endpoint named in 03-blob's zone (one zone of a name per VNet).
    endpoint = one(backup, "azurerm_private_endpoint")
    assert endpoint["private_dns_zone_group"]["private_dns_zone_ids"][0].endswith("endpoint-dnsid}")
    assert not backup.resources("azurerm_private_dns_zone")
    assert one(backup, "azurerm_kubernetes_cluster_trusted_access_role_binding")["roles"] == [
        "Microsoft.DataProtection/backupVaults/backup-operator"]
    vault_id = "${azurerm_data_protection_backup_vault.vault.identity[0].principal_id}"
    snapshots, blobs = "${azurerm_resource_group.snapshots.id}", "${azurerm_storage_account.account.id}"
    grants = {(r["role_definition_name"], r["scope"], r["principal_id"]) for r in backup.resources("azurerm_role_assignment").values()}
    assert {g for g in grants if g[2] == vault_id} == {
        ("Reader", snapshots, vault_id), ("Disk Snapshot Contributor", snapshots, vault_id),
        ("Data Operator for Managed Disks", snapshots, vault_id), ("Storage Blob Data Contributor", blobs, vault_id),
        ("Reader", instance["kubernetes_cluster_id"], vault_id)}
    assert ("Storage Blob Data Contributor", blobs,
            "${azurerm_kubernetes_cluster_extension.extension.aks_assigned_identity[0].principal_id}") in grants
    assert len(grants) == 7


BAD = [
    ("location: southeastasia", "location: moonbase",
     "location: 'moonbase' is not a region with availability zones this project knows; allowed: southeastasia, "),
    ("  pods_cidr: 10.244.0.0/16", "  pods_cidr: 10.30.128.0/17",
     "network.pods_cidr: '10.30.128.0/17' overlaps cidr '10.30.0.0/16'; allowed: a private range that overlaps no other"),
    ("  pods_cidr: 10.244.0.0/16", "  pods_cidr: 10.244.0.0/24",
     "network.pods_cidr: '10.244.0.0/24' holds 1 nodes' pod ranges (a /24 each); network.max_nodes is 30; allowed: a "
     "/19 or larger, or fewer nodes"),
    ("  endpoints_cidr: 10.30.16.0/24", "  endpoints_cidr: 10.31.0.0/24",
     "network.endpoints_cidr: '10.31.0.0/24' is not inside the VNet '10.30.0.0/16'; allowed: a subnet of network.cidr"),
    ("  account: officelessazureobs", "  account: Officeless-Obs",
     "storage.account: 'Officeless-Obs' is not a storage account name; allowed: 3-24 lower-case letters and digits"),
    ("project: officeless\n", "project: officeless\ngke: {cluster_name: x}\n",
     "gke: a section of another target (AWS, GCP or an existing cluster); cloud: azure builds on Azure"),
    ('kubernetes_version: "1.35"', 'kubernetes_version: "1.29"',
     "aks.kubernetes_version: '1.29' is not in the AKS version table; allowed: 1.32, 1.33, 1.34, 1.35, 1.36, 1.37"),
    ('kubernetes_version: "1.35"', 'kubernetes_version: "1.33"',
     "aks.kubernetes_version: '1.33' reached AKS's end of life on 2026-07-31; allowed on 2026-11-23: 1.34, 1.35, 1.36, "
     "1.37, or support_plan AKSLongTermSupport (sku_tier Premium)"),
    ('kubernetes_version: "1.35"', 'kubernetes_version: "1.35"\n  support_plan: AKSLongTermSupport',
     "aks.support_plan: 'AKSLongTermSupport' with sku_tier 'Standard'; long-term support needs the Premium tier"),
    ("      vm_size: Standard_D4s_v5\n      min_nodes: 3\n      max_nodes: 12",
     "      vm_size: Standard_D3_v2\n      min_nodes: 3\n      max_nodes: 12",
     "aks.node_pools.apps.vm_size: 'Standard_D3_v2' is not in the VM size table; allowed: Standard_D2s_v5, "),
    ("      max_nodes: 12", "      max_nodes: 40",
     "aks.node_pools: the pools' max_nodes add up to 46, more than network.max_nodes 30 the ranges are sized for"),
    ("      max_nodes: 6\n      system: true", "      max_nodes: 6",
     "aks.node_pools: 0 pools have system: true (none); allowed: exactly one, AKS's system pool"),
    ("    apps:", "    Apps:", "aks.node_pools: key 'Apps' is not a node pool name; allowed: 1-12 lower-case letters and digits, "
     "starting with a letter"),
    ("  services_cidr: 10.40.0.0/16", "  services_cidr: 10.32.0.0/11",
     "network.services_cidr: '10.32.0.0/11' is larger than AKS takes; allowed: a /12 or smaller"),
    ("  cluster_name: azure-aks", "  cluster_name: azure-aks\n  key_vault: 1vault",
     "aks.key_vault: '1vault' is not a Key Vault name; allowed: 3-24 letters, digits and single '-', starting with a "
     "letter"),
    ("  vpn_cidr: 10.30.17.0/27\n", "",
     "network.vpn_cidr: is not set, and the vpn section needs a subnet of its own; allowed: a range inside network.cidr"),
    ("  vpn_cidr: 10.30.17.0/27", "  vpn_cidr: 10.30.16.0/27",
     "network.vpn_cidr: '10.30.16.0/27' overlaps endpoints_cidr '10.30.16.0/24'; allowed: another part of network.cidr"),
    ("    ssh: []", "    ssh: [0.0.0.0/0]",
     "vpn.ingress.ssh[0]: '0.0.0.0/0' opens SSH to the internet (it covers public addresses); allowed only with "
     "allow_public_ssh: true (prefer the VPN itself or Azure's serial console)"),
    ("    kubectl_series: v1.35", "    kubectl_series: v1.32",
     "vpn.software.kubectl_series: 'v1.32' with the cluster on 1.35; kubectl is supported within one minor of the API "
     "server; allowed: v1.34, v1.35, v1.36"),
    ("  vm_size: Standard_D2s_v5", "  vm_size: Standard_B2s",
     "vpn.vm_size: 'Standard_B2s' is not in the VM size table; allowed: Standard_D2s_v5"),
    ("  admin_ssh_public_key: ssh-ed25519", "  admin_ssh_public_key: ssh-dss",
     "vpn.admin_ssh_public_key: 'ssh-dss AAAAC3"),
    ("  name: officelessazureimages", "  name: officeless-images",
     "registry.name: 'officeless-images' is not a container registry name; allowed: 5-50 letters and digits"),
    ("  caches: [docker-hub, quay, kubernetes]", "  caches: [docker-hub, quay, docker-hub]",
     "registry.caches[2]: 'docker-hub' is listed twice; list each once"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=["region", "overlap", "pods", "endpoints", "account", "foreign",
                                                      "minor", "end-of-life", "lts-tier", "vm-size", "pool-sum",
                                                      "no-system-pool", "pool-name", "services", "vault", "vpn-subnet",
                                                      "vpn-overlap", "vpn-ssh", "kubectl", "vpn-size", "ssh-key",
                                                      "registry-name", "cache-twice"])
def test_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    assert message in load_error(write_config(tmp_path, old, new, ROOT / "config" / "azure.yaml"), "azure")


def test_a_production_cluster_is_locked_against_deletion(in_project_root, tmp_path):  # noqa: F811
    from officeless.config.loader import load_environment
    from officeless.tf import core
    from stacks.azure import AksClusterStack, AzureNetworkStack
    from tests.conftest import Synth

    # config/azure.yaml as the environment "production" (its file named so); 02-aks alone (and the
    # network it reads): the rest is as the azure fixture's.
    text = (ROOT / "config" / "azure.yaml").read_text()
    assert "environment: azure\n" in text
    (tmp_path / "production.yaml").write_text(text.replace("environment: azure\n", "environment: production\n"))
    config, outdir = load_environment("production", tmp_path), tmp_path / "out"
    app = core.App(outdir=str(outdir), stack_traces=False)
    AksClusterStack(app, config=config, network=AzureNetworkStack(app, config=config))
    app.synth()
    lock = one(Synth("production", outdir).stack("02-aks"), "azurerm_management_lock")
    assert (lock["scope"], lock["lock_level"]) == ("${azurerm_kubernetes_cluster.cluster.id}", "CanNotDelete")


def test_vm_allocatable_follows_aks_reservations():
    from officeless.config.aks import VM_SIZES, VmSize

    # https://learn.microsoft.com/azure/aks/node-resource-reservations: 2 cores keep 100m; "If the VM
    # provides 8 GB of memory and the node supports up to 30 pods, AKS reserves 20 MB * 30 Max Pods + 50 MB
    # = 650 MB", and 100 Mi more for eviction.
    assert VmSize("example", 2, 8).allocatable(30) == (2000 - 100, 8 * 1024 - 650 - 100)
    # "If the VM provides 4 GB of memory and the node supports up to 70 pods, AKS reserves 25% * 4 GB".
    assert VmSize("example", 1, 4).allocatable(70) == (1000 - 60, 4 * 1024 - 1024 - 100)
    # config/azure.yaml's pools: 4 cores keep 140m; 110 pods keep 2,250 MB of 16 GiB.
    assert VM_SIZES["Standard_D4s_v5"].allocatable(110) == (3860, 16384 - 2250 - 100)
