"""The Azure target's first stacks (issue #32): 00-state, 01-vnet, 03-blob and 07-redis of
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
    assert azure.stack_names() == ["00-state", "01-vnet", "03-blob", "07-redis"]
    assert azure.manifest["stacks"]["03-blob"]["dependencies"] == ["01-vnet"]
    assert azure.manifest["stacks"]["07-redis"]["dependencies"] == ["01-vnet"]
    for name in azure.stack_names():
        data = json.loads(azure.stack(name).text)
        assert data["provider"] == {"azurerm": [{"features": [{}], "storage_use_azuread": True,
                                                 "subscription_id": "00000000-0000-0000-0000-000000000000"}]}
        assert not [t for t in data.get("resource", {}) if not t.startswith("azurerm_")]
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
]


@pytest.mark.parametrize("old,new,message", BAD, ids=["region", "overlap", "pods", "endpoints", "account", "foreign"])
def test_bad_input_is_one_line(in_project_root, tmp_path, old, new, message):  # noqa: F811
    assert message in load_error(write_config(tmp_path, old, new, ROOT / "config" / "azure.yaml"), "azure")
