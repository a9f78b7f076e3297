"""The stacks of an Azure environment (``cloud: azure``, issue #32), in the same numbered style as AWS's
and GCP's: 00-state (the state's storage account and container), 01-vnet (the network), 02-aks (the
cluster), 03-blob (Blob Storage for the observability stack), 04-vpn (the VPN server), 07-redis
(Azure Managed Redis), 09-backup (Backup for AKS) and 10-acr (the container registry); the Kubernetes
layer's 05-helm, 06-access and 08-platform are in stacks/aks.py. Load balancing follows.

Every stack but 00-state keeps its state in the container under ``<environment>/<stack>.tfstate``
(blob leases lock it), signing in with Entra ID, never an account key; 00-state's own state is a local
file first, as on AWS and GCP (README "Azure"). Only these stacks import the azurerm bindings
(officeless/tf.py). The azurerm provider has no default tags: every taggable resource gets the
config's ``tags``.
"""

from __future__ import annotations

import base64

from typing import Sequence

from components.private_endpoint import private_endpoint
from officeless.config.azure import AzureCloudBackendConfig, AzureConfig, AzurermBackendConfig
from officeless.config.backend import LocalBackendConfig
from officeless.tf import Construct, azurerm, core
from stacks.state import LOCAL_STATE_DIRECTORY, cloud_backend, local_state_path

STATE, NETWORK, CLUSTER, STORAGE, VPN, CACHE, BACKUP, REGISTRY = ("00-state", "01-vnet", "02-aks", "03-blob", "04-vpn",
                                                                  "07-redis", "09-backup", "10-acr")
# Azure's udev rules name a data disk after its LUN, whatever its sd* letter (SCSI sizes such as Dsv5):
# https://learn.microsoft.com/troubleshoot/azure/virtual-machines/linux/troubleshoot-device-names-problems
DATA_DEVICE = "/dev/disk/azure/scsi1/lun$volume_id"
DATA_LUN = 0
ZONES = ["1", "2", "3"]
# Azure creates one Network Watcher per region and subscription, here, with a VNet's first deployment:
# https://learn.microsoft.com/azure/network-watcher/network-watcher-create
WATCHER_GROUP = "NetworkWatcherRG"


class AzureStack(core.TerraformStack):
    """The azurerm provider on the environment's subscription (storage data planes through Entra ID),
    and the stack's own state. :param local_state: 00-state's first state, a local file. Default False."""

    def __init__(self, scope: Construct, stack_name: str, *, config: AzureConfig, local_state: bool = False) -> None:
        super().__init__(scope, stack_name)
        self.config = config
        azurerm.provider.AzurermProvider(self, "azurerm", features=[azurerm.provider.AzurermProviderFeatures()],
                                         subscription_id=config.subscription_id, storage_use_azuread=True)
        backend = config.backend
        if local_state or isinstance(backend, LocalBackendConfig):
            directory = backend.directory if isinstance(backend, LocalBackendConfig) else LOCAL_STATE_DIRECTORY
            core.LocalBackend(self, path=local_state_path(directory, config.environment, stack_name))
        elif isinstance(backend, AzurermBackendConfig):
            core.AzurermBackend(self, resource_group_name=backend.resource_group, storage_account_name=backend.storage_account,
                                container_name=backend.container, key=f"{config.environment}/{stack_name}.tfstate",
                                subscription_id=config.subscription_id, use_azuread_auth=True)
        elif isinstance(backend, AzureCloudBackendConfig):
            cloud_backend(self, backend, config.environment, stack_name)

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.config.tags)

    def output(self, name: str, value, description: str) -> core.TerraformOutput:
        return core.TerraformOutput(self, name, value=value, description=description)


def private_account(scope: Construct, id_: str, *, name: str, group: str, location: str, tags: dict[str, str],
                    soft_delete_days: int, prevent_destroy: bool, replication: str = "ZRS", network: str = "open",
                    instances: Sequence[str] = ()):
    """A storage account no one reaches anonymously or with its keys: TLS 1.2 and HTTPS only, no
    public blobs, no shared keys (Entra ID only), no cross-tenant copies, infrastructure encryption
    (a second layer of encryption at rest); blob versioning and soft delete of blobs and containers.
    :param replication: ZRS (three zones) or GZRS (and a second region). Default ZRS.
    :param network: ``open`` (Entra ID is the gate: the state, which operators reach from outside),
        ``trusted`` (only Azure's trusted services, e.g. Network Watcher's flow logs), ``instances``
        (as trusted, and the Azure resources ``instances`` names by resource instance rules)
        or ``private`` (no public endpoint at all: private endpoints only). Default open."""
    sa = azurerm.storage_account
    rules = None
    if network == "trusted":
        rules = sa.StorageAccountNetworkRules(default_action="Deny", bypass=["AzureServices"])
    elif network == "instances":
        rules = sa.StorageAccountNetworkRules(default_action="Deny", bypass=["AzureServices"], private_link_access=[
            sa.StorageAccountNetworkRulesPrivateLinkAccess(endpoint_resource_id=i) for i in instances])
    return sa.StorageAccount(
        scope, id_, name=name, resource_group_name=group, location=location, account_kind="StorageV2",
        account_tier="Standard", account_replication_type=replication, min_tls_version="TLS1_2",
        https_traffic_only_enabled=True, public_network_access_enabled=network != "private",
        allow_nested_items_to_be_public=False, shared_access_key_enabled=False, default_to_oauth_authentication=True,
        cross_tenant_replication_enabled=False, infrastructure_encryption_enabled=True, network_rules=rules,
        blob_properties=sa.StorageAccountBlobProperties(
            versioning_enabled=True,
            delete_retention_policy=sa.StorageAccountBlobPropertiesDeleteRetentionPolicy(days=soft_delete_days),
            container_delete_retention_policy=sa.StorageAccountBlobPropertiesContainerDeleteRetentionPolicy(
                days=soft_delete_days)),
        tags=tags, lifecycle=core.TerraformResourceLifecycle(prevent_destroy=prevent_destroy))


class AzureStateStack(AzureStack):
    """00-state: the state's resource group, storage account (private_account) and private container."""

    def __init__(self, scope: Construct, *, config: AzureConfig) -> None:
        super().__init__(scope, STATE, config=config, local_state=True)
        backend, state = config.backend, config.state
        assert isinstance(backend, AzurermBackendConfig), "00-state exists only with an azurerm backend"
        group = azurerm.resource_group.ResourceGroup(self, "group", name=backend.resource_group, location=config.location,
                                                     tags=self.tags)
        # Geo-zone-redundant: the state outlives a region's loss.
        account = private_account(self, "account", name=backend.storage_account, group=group.name,
                                  location=config.location, tags=self.tags, soft_delete_days=state.soft_delete_days,
                                  prevent_destroy=state.prevent_destroy, replication="GZRS")
        azurerm.storage_container.StorageContainer(self, "container", name=backend.container, storage_account_id=account.id,
                                                   container_access_type="private")
        self.output("storage_account_name", account.name, "The state's storage account")
        self.output("container_name", backend.container, "The state's container")


class AzureNetworkStack(AzureStack):
    """01-vnet: the environment's resource group; a VNet with the nodes' subnet and a private
    endpoints subnet, neither with Azure's implicit outbound access; a network security group on
    both keeping Azure's default rules (inbound from the VNet and Azure's load balancer only, nothing
    from the internet); a zone-redundant NAT gateway with a static address for the nodes' way out;
    VNet flow logs (version 2) to a storage account of its own. Outputs named like
    Azure/terraform-azurerm-avm-res-network-virtualnetwork's."""

    def __init__(self, scope: Construct, *, config: AzureConfig) -> None:
        super().__init__(scope, NETWORK, config=config)
        net, location = config.network, config.location
        group = azurerm.resource_group.ResourceGroup(self, "group", name=config.resource_group, location=location,
                                                     tags=self.tags)
        vnet = azurerm.virtual_network.VirtualNetwork(self, "vnet", name=net.name, resource_group_name=group.name,
                                                      location=location, address_space=[net.cidr], tags=self.tags)
        nodes = azurerm.subnet.Subnet(self, "nodes", name=f"{net.name}-nodes", resource_group_name=group.name,
                                      virtual_network_name=vnet.name, address_prefixes=[net.nodes_cidr],
                                      default_outbound_access_enabled=False)
        endpoints = azurerm.subnet.Subnet(self, "endpoints", name=f"{net.name}-endpoints", resource_group_name=group.name,
                                          virtual_network_name=vnet.name, address_prefixes=[net.endpoints_cidr],
                                          default_outbound_access_enabled=False,
                                          private_endpoint_network_policies="Enabled")
        nsg = azurerm.network_security_group.NetworkSecurityGroup(self, "nsg", name=f"{net.name}-nsg",
                                                                  resource_group_name=group.name, location=location,
                                                                  tags=self.tags)
        for id_, subnet in (("nodes", nodes), ("endpoints", endpoints)):
            azurerm.subnet_network_security_group_association.SubnetNetworkSecurityGroupAssociation(
                self, f"{id_}-nsg", subnet_id=subnet.id, network_security_group_id=nsg.id)
        ip = azurerm.public_ip.PublicIp(self, "nat-ip", name=f"{net.name}-nat", resource_group_name=group.name,
                                        location=location, allocation_method="Static", sku="Standard", zones=ZONES,
                                        tags=self.tags)
        nat = azurerm.nat_gateway.NatGateway(self, "nat", name=f"{net.name}-nat", resource_group_name=group.name,
                                             location=location, sku_name="Standard", idle_timeout_in_minutes=4,
                                             tags=self.tags)
        azurerm.nat_gateway_public_ip_association.NatGatewayPublicIpAssociation(
            self, "nat-ip-association", nat_gateway_id=nat.id, public_ip_address_id=ip.id)
        azurerm.subnet_nat_gateway_association.SubnetNatGatewayAssociation(self, "nodes-nat", subnet_id=nodes.id,
                                                                           nat_gateway_id=nat.id)
        logs = private_account(self, "flow-logs-account", name=config.flow_log_account, group=group.name,
                               location=location, tags=self.tags, soft_delete_days=config.state.soft_delete_days,
                               prevent_destroy=False, network="trusted")
        fl = azurerm.network_watcher_flow_log
        fl.NetworkWatcherFlowLog(
            self, "flow-logs", name=f"{net.name}-flow-logs", network_watcher_name=f"NetworkWatcher_{location}",
            resource_group_name=WATCHER_GROUP, target_resource_id=vnet.id, storage_account_id=logs.id, enabled=True,
            version=2, retention_policy=fl.NetworkWatcherFlowLogRetentionPolicy(enabled=True, days=net.flow_log_days),
            tags=self.tags)
        # Read by 03-blob and 07-redis (cross-stack references: a remote state of this stack).
        self.group, self.vnet, self.nodes, self.endpoints = group, vnet, nodes, endpoints
        self.output("resource_group_name", group.name, "The environment's resource group")
        self.output("virtual_network_id", vnet.id, "The VNet")
        self.output("subnets", {"nodes": nodes.id, "endpoints": endpoints.id}, "The subnets' ids")
        self.output("nat_gateway_public_ip", ip.ip_address, "The nodes' address on the internet")


class AksClusterStack(AzureStack):
    """02-aks: AKS across the three zones, as 02-eks on AWS and 02-gke on Google Cloud.

    - A private cluster (its API server only on an address in the VNet, its name in a private zone
      AKS manages), Entra ID sign-in with Azure RBAC for Kubernetes authorization and local accounts
      off, the OIDC issuer and Workload Identity (pods sign in to Azure with no secret).
    - Azure CNI Overlay powered by Cilium (pods outside the VNet, network policy enforced), egress
      through 01-vnet's NAT gateway (userAssignedNATGateway: no outbound load balancer address).
    - etcd's Secrets encrypted with a key of a Key Vault of its own (KMS): Premium vault (HSM keys),
      Azure RBAC, purge protection. KMS needs a user-assigned control plane identity holding Key
      Vault Crypto User there; it also holds Network Contributor on the nodes' subnet, as a cluster
      in a VNet of one's own needs. The vault keeps its public endpoint with no firewall, the one
      network mode KMS supports without API Server VNet Integration (a private vault needs it, and
      Terraform could then create the key only from inside the VNet, before the VPN server exists):
      Entra ID is the gate. https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption#limitations
    - The system pool (AKS's default pool, tainted CriticalAddonsOnly) and the other pools, each
      autoscaled across the zones, encryption at host; Azure Disk and Azure Files CSI drivers and the
      snapshot controller (what AKS provides is not installed again by 05-helm).
    - Patch upgrades and node images in a weekly window; a CanNotDelete lock in production.
    Outputs named like Azure/terraform-azurerm-aks's."""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack) -> None:
        super().__init__(scope, CLUSTER, config=config)
        aks, net, location, group = config.aks, config.network, config.location, network.group.name
        client = azurerm.data_azurerm_client_config.DataAzurermClientConfig(self, "current")
        identity = azurerm.user_assigned_identity.UserAssignedIdentity(
            self, "control-plane", name=f"{aks.cluster_name}-control-plane", resource_group_name=group, location=location,
            tags=self.tags)
        vault = azurerm.key_vault.KeyVault(
            self, "kms-vault", name=config.key_vault_name, resource_group_name=group, location=location,
            tenant_id=client.tenant_id, sku_name="premium", rbac_authorization_enabled=True, purge_protection_enabled=True,
            soft_delete_retention_days=90, public_network_access_enabled=True, tags=self.tags)
        role = azurerm.role_assignment.RoleAssignment
        # Whoever runs Terraform creates the key: Key Vault Crypto Officer on this vault alone.
        officer = role(self, "deployer-crypto-officer", scope=vault.id, role_definition_name="Key Vault Crypto Officer",
                       principal_id=client.object_id)
        key = azurerm.key_vault_key.KeyVaultKey(
            self, "etcd-key", name="etcd", key_vault_id=vault.id, key_type="RSA-HSM", key_size=2048,
            key_opts=["encrypt", "decrypt", "wrapKey", "unwrapKey"], depends_on=[officer], tags=self.tags)
        grants = [role(self, "control-plane-crypto-user", scope=vault.id, role_definition_name="Key Vault Crypto User",
                       principal_id=identity.principal_id, principal_type="ServicePrincipal"),
                  role(self, "control-plane-network", scope=network.nodes.id, role_definition_name="Network Contributor",
                       principal_id=identity.principal_id, principal_type="ServicePrincipal")]
        kc = azurerm.kubernetes_cluster
        system_name, system = aks.system_pool
        window = dict(frequency="Weekly", interval=1, duration=4, day_of_week=aks.maintenance_day,
                      start_time=aks.maintenance_start, utc_offset="+00:00")
        cluster = kc.KubernetesCluster(
            self, "cluster", name=aks.cluster_name, resource_group_name=group, location=location,
            dns_prefix_private_cluster=aks.cluster_name, kubernetes_version=aks.kubernetes_version, sku_tier=aks.sku_tier,
            support_plan=aks.support_plan, private_cluster_enabled=True, private_dns_zone_id="System",
            private_cluster_public_fqdn_enabled=False,
            identity=kc.KubernetesClusterIdentity(type="UserAssigned", identity_ids=[identity.id]),
            azure_active_directory_role_based_access_control=kc.KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl(
                tenant_id=client.tenant_id, azure_rbac_enabled=True,
                admin_group_object_ids=list(aks.admin_group_object_ids) or None),
            local_account_disabled=True, role_based_access_control_enabled=True, oidc_issuer_enabled=True,
            workload_identity_enabled=True,
            key_management_service=kc.KubernetesClusterKeyManagementService(key_vault_key_id=key.id,
                                                                            key_vault_network_access="Public"),
            network_profile=kc.KubernetesClusterNetworkProfile(
                network_plugin="azure", network_plugin_mode="overlay", network_data_plane="cilium",
                network_policy="cilium", pod_cidr=net.pods_cidr, service_cidr=net.services_cidr,
                dns_service_ip=config.dns_service_ip, load_balancer_sku="standard", outbound_type="userAssignedNATGateway"),
            default_node_pool=kc.KubernetesClusterDefaultNodePool(
                name=system_name, temporary_name_for_rotation=f"{system_name[:9]}tmp", vm_size=system.vm_size,
                auto_scaling_enabled=True, min_count=system.min_nodes, max_count=system.max_nodes,
                max_pods=system.max_pods, os_disk_size_gb=system.os_disk_size_gb, zones=ZONES,
                vnet_subnet_id=network.nodes.id, only_critical_addons_enabled=True,
                host_encryption_enabled=system.host_encryption, orchestrator_version=aks.kubernetes_version,
                tags=self.tags),
            storage_profile=kc.KubernetesClusterStorageProfile(disk_driver_enabled=True, file_driver_enabled=True,
                                                               blob_driver_enabled=False, snapshot_controller_enabled=True),
            automatic_upgrade_channel="patch", node_os_upgrade_channel="NodeImage",
            maintenance_window_auto_upgrade=kc.KubernetesClusterMaintenanceWindowAutoUpgrade(**window),
            maintenance_window_node_os=kc.KubernetesClusterMaintenanceWindowNodeOs(**window),
            image_cleaner_enabled=True, image_cleaner_interval_hours=48, tags=self.tags, depends_on=grants,
            # The cluster autoscaler changes the pools' sizes.
            lifecycle=core.TerraformResourceLifecycle(ignore_changes=["default_node_pool[0].node_count"]))
        for name, pool in aks.node_pools.items():
            if pool.system:
                continue
            azurerm.kubernetes_cluster_node_pool.KubernetesClusterNodePool(
                self, f"pool-{name}", name=name, kubernetes_cluster_id=cluster.id, mode="User", vm_size=pool.vm_size,
                auto_scaling_enabled=True, min_count=pool.min_nodes, max_count=pool.max_nodes, max_pods=pool.max_pods,
                os_disk_size_gb=pool.os_disk_size_gb, zones=ZONES, vnet_subnet_id=network.nodes.id,
                host_encryption_enabled=pool.host_encryption, orchestrator_version=aks.kubernetes_version,
                temporary_name_for_rotation=f"{name[:9]}tmp", tags=self.tags,
                lifecycle=core.TerraformResourceLifecycle(ignore_changes=["node_count"]))
        if aks.protected(config.is_production):
            azurerm.management_lock.ManagementLock(self, "cluster-lock", name=f"{aks.cluster_name}-no-delete",
                                                   scope=cluster.id, lock_level="CanNotDelete",
                                                   notes="Production cluster (officeless aks.deletion_protection)")
        self.cluster, self.identity = cluster, identity
        self.output("cluster_name", cluster.name, "The AKS cluster")
        self.output("cluster_id", cluster.id, "Its resource id")
        self.output("cluster_private_fqdn", cluster.private_fqdn, "The API server's name, resolved in the VNet")
        self.output("oidc_issuer_url", cluster.oidc_issuer_url, "Issuer of the service account tokens (Workload Identity)")
        self.output("kubelet_identity_object_id", cluster.kubelet_identity.object_id,
                    "The nodes' identity (image pulls from the registry)")
        self.output("node_resource_group", cluster.node_resource_group, "AKS's own resource group of the nodes")
        self.output("key_vault_id", vault.id, "The vault of etcd's encryption key")


class AzureVpnStack(AzureStack):
    """04-vpn: the Pritunl VPN server, which is also the Jenkins agent and a Docker registry, as 04-ec2
    on AWS, from the same cloud-init (templates/vpn-server.cloud-init.yaml, with the Azure CLI and
    kubelogin instead of the AWS CLI).

    Ubuntu 24.04 LTS in a subnet of its own (``network.vpn_cidr``) whose network security group admits
    only ``vpn.ingress``'s services (each from its sources; 'vpc' is the VNet) besides Azure's defaults;
    a static zonal public address; IP forwarding on its interface (it routes its clients' packets);
    Trusted Launch (secure boot, vTPM); encryption at host (OS and data disks, caches and temporary
    disk); SSH keys only; a system-assigned identity granted nothing (it needs no Azure API);
    boot diagnostics in Azure's managed storage (the serial console). The image and the custom data
    never replace the running server (cloud-init runs on the first boot only)."""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack) -> None:
        from components.vpn_server import DATA_MOUNT_POINT, cloud_init, ingress_rules

        super().__init__(scope, VPN, config=config)
        vpn, net, location, group = config.vpn, config.network, config.location, network.group.name
        assert vpn is not None and net.vpn_cidr is not None
        name = f"{config.environment}-{vpn.name}"
        nsg_ = azurerm.network_security_group
        rules: dict[str, tuple[int, str, list[str]]] = {}
        for service, port, protocol, source in ingress_rules(vpn):
            rules.setdefault(service, (port, protocol, []))[2].append(net.cidr if source == "vpc" else source)
        nsg = nsg_.NetworkSecurityGroup(
            self, "nsg", name=f"{name}-nsg", resource_group_name=group, location=location, tags=self.tags,
            security_rule=[nsg_.NetworkSecurityGroupSecurityRule(
                name=f"allow-{service.replace('_', '-')}", priority=100 + 10 * i, direction="Inbound", access="Allow",
                protocol=protocol.capitalize(), source_port_range="*", destination_port_range=str(port),
                source_address_prefixes=sorted(set(sources)), destination_address_prefix=net.vpn_cidr,
                description=f"{service} to the VPN server (vpn.ingress.{service})")
                for i, (service, (port, protocol, sources)) in enumerate(rules.items())])
        subnet = azurerm.subnet.Subnet(self, "subnet", name=f"{net.name}-vpn", resource_group_name=group,
                                       virtual_network_name=network.vnet.name, address_prefixes=[net.vpn_cidr],
                                       default_outbound_access_enabled=False)
        azurerm.subnet_network_security_group_association.SubnetNetworkSecurityGroupAssociation(
            self, "subnet-nsg", subnet_id=subnet.id, network_security_group_id=nsg.id)
        ip = azurerm.public_ip.PublicIp(self, "public-ip", name=name, resource_group_name=group, location=location,
                                        allocation_method="Static", sku="Standard", zones=[vpn.zone], tags=self.tags)
        ni = azurerm.network_interface
        nic = ni.NetworkInterface(
            self, "nic", name=name, resource_group_name=group, location=location, ip_forwarding_enabled=True,
            ip_configuration=[ni.NetworkInterfaceIpConfiguration(
                name="primary", subnet_id=subnet.id, private_ip_address_allocation="Dynamic", public_ip_address_id=ip.id)],
            tags=self.tags)
        data = azurerm.managed_disk.ManagedDisk(
            self, "data-disk", name=f"{name}-data", resource_group_name=group, location=location, zone=vpn.zone,
            storage_account_type="Premium_LRS", create_option="Empty", disk_size_gb=vpn.data_volume_gb,
            # No export or import of the disk's contents over the network (SAS URLs).
            public_network_access_enabled=False, network_access_policy="DenyAll", tags=self.tags,
            lifecycle=core.TerraformResourceLifecycle(prevent_destroy=vpn.prevent_destroy))
        software = vpn.software
        user_data = cloud_init(software, jenkins_user=vpn.jenkins_agent_user, data_volume_id=str(DATA_LUN),
                               data_device=DATA_DEVICE,
                               data_volume_note="its LUN:\n      # Azure's udev rules name it /dev/disk/azure/scsi1/"
                                                "lun<LUN>, whatever its sd* letter.",
                               cloud_cli="azure", cli_values={"azure_cli_version": software.azure_cli,
                                                              "kubelogin_version": software.kubelogin})
        lvm = azurerm.linux_virtual_machine
        vm = lvm.LinuxVirtualMachine(
            self, "vm", name=name, resource_group_name=group, location=location, size=vpn.vm_size, zone=vpn.zone,
            admin_username="azureuser", disable_password_authentication=True,
            admin_ssh_key=[lvm.LinuxVirtualMachineAdminSshKey(username="azureuser", public_key=vpn.admin_ssh_public_key)],
            network_interface_ids=[nic.id],
            os_disk=lvm.LinuxVirtualMachineOsDisk(caching="ReadWrite", storage_account_type="Premium_LRS",
                                                  disk_size_gb=vpn.root_volume_gb),
            source_image_reference=lvm.LinuxVirtualMachineSourceImageReference(
                publisher="Canonical", offer="ubuntu-24_04-lts", sku="server", version="latest"),
            encryption_at_host_enabled=True, secure_boot_enabled=True, vtpm_enabled=True,
            identity=lvm.LinuxVirtualMachineIdentity(type="SystemAssigned"),
            boot_diagnostics=lvm.LinuxVirtualMachineBootDiagnostics(), allow_extension_operations=False,
            custom_data=base64.b64encode(user_data.encode()).decode(), tags=self.tags,
            lifecycle=core.TerraformResourceLifecycle(ignore_changes=["custom_data", "source_image_reference"]))
        azurerm.virtual_machine_data_disk_attachment.VirtualMachineDataDiskAttachment(
            self, "data-disk-attachment", managed_disk_id=data.id, virtual_machine_id=vm.id, lun=DATA_LUN, caching="None")
        if vpn.deletion_protection if vpn.deletion_protection is not None else config.is_production:
            azurerm.management_lock.ManagementLock(self, "vm-lock", name=f"{name}-no-delete", scope=vm.id,
                                                   lock_level="CanNotDelete",
                                                   notes="Production VPN server (officeless vpn.deletion_protection)")
        self.output("vm_id", vm.id, "The VPN server")
        self.output("public_ip", ip.ip_address, "The VPN server's static public address")
        self.output("private_ip", nic.private_ip_address, "The VPN server's address in its subnet")
        self.output("data_mount_point", DATA_MOUNT_POINT, "Where Pritunl's MongoDB keeps its data")


class AzureStorageStack(AzureStack):
    """03-blob: Blob Storage for Mimir, Loki and Tempo (and applications'), as 03-s3 on AWS: one private
    account (private_account) with no public endpoint, reached through a private endpoint in the VNet
    (Terraform manages its containers and policy through Azure Resource Manager), a container per purpose, old
    versions deleted after ``storage.noncurrent_version_days``, the tenant's blobs deleted
    ``observability.retention.backstop_days`` after retention (the compactors delete first)."""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack) -> None:
        from officeless.config.observability import RETAINED_BUCKETS

        super().__init__(scope, STORAGE, config=config)
        storage, retention = config.storage, config.observability.retention
        account = private_account(self, "account", name=storage.account, group=network.group.name,
                                  location=config.location, tags=self.tags, soft_delete_days=config.state.soft_delete_days,
                                  prevent_destroy=storage.prevent_destroy, network="private")
        # The VNet's blob zone: 09-backup's account registers its endpoint here too.
        self.blob_zone = private_endpoint(self, "endpoint", name=f"{storage.account}-blob", group=network.group.name,
                                          location=config.location, network=network, target_id=account.id,
                                          subresource="blob", dns_zone="privatelink.blob.core.windows.net", tags=self.tags)
        for purpose in config.containers:
            azurerm.storage_container.StorageContainer(self, f"container-{purpose}", name=purpose,
                                                       storage_account_id=account.id, container_access_type="private")
        mp = azurerm.storage_management_policy
        rules = [mp.StorageManagementPolicyRule(
            name="old-versions", enabled=True, filters=mp.StorageManagementPolicyRuleFilters(blob_types=["blockBlob"]),
            actions=mp.StorageManagementPolicyRuleActions(version=mp.StorageManagementPolicyRuleActionsVersion(
                delete_after_days_since_creation=storage.noncurrent_version_days)))]
        for purpose in config.containers:
            kind = RETAINED_BUCKETS.get(purpose)
            if kind is None:
                continue
            rules.append(mp.StorageManagementPolicyRule(
                name=f"retention-{purpose}", enabled=True,
                filters=mp.StorageManagementPolicyRuleFilters(
                    blob_types=["blockBlob"], prefix_match=[f"{purpose}/{config.observability_tenant}/"]),
                actions=mp.StorageManagementPolicyRuleActions(base_blob=mp.StorageManagementPolicyRuleActionsBaseBlob(
                    delete_after_days_since_modification_greater_than=retention.days(kind) + retention.backstop_days))))
        mp.StorageManagementPolicy(self, "lifecycle", storage_account_id=account.id, rule=rules)
        self.account = account
        self.output("storage_account_name", account.name, "The observability stack's storage account")
        self.output("container_names", list(config.containers), "Container per purpose (mimir-metrics, loki-chunks, ...)")


class AzureCacheStack(AzureStack):
    """07-redis: Azure Managed Redis (the successor of Azure Cache for Redis, whose tiers retire:
    officeless/config/azure.py), highly available across zones, TLS only, Entra ID authentication
    (access keys off), append-only persistence every second; no public network access: a private
    endpoint in the endpoints subnet and a private DNS zone linked to the VNet resolve it there."""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack) -> None:
        super().__init__(scope, CACHE, config=config)
        cache, group = config.cache, network.group.name
        mr = azurerm.managed_redis
        redis = mr.ManagedRedis(
            self, "redis", name=f"{config.project}-{config.environment}-{cache.name}", resource_group_name=group,
            location=config.location, sku_name=cache.sku, high_availability_enabled=True, public_network_access="Disabled",
            default_database=mr.ManagedRedisDefaultDatabase(
                client_protocol="Encrypted", access_keys_authentication_enabled=False,
                persistence_append_only_file_backup_frequency="1s" if cache.persistence else None),
            tags=self.tags)
        private_endpoint(self, "endpoint", name=f"{config.project}-{config.environment}-{cache.name}", group=group,
                         location=config.location, network=network, target_id=redis.id, subresource="redisEnterprise",
                         dns_zone="privatelink.redis.azure.net", tags=self.tags)
        self.output("redis_id", redis.id, "The Azure Managed Redis instance")
        self.output("redis_hostname", redis.hostname, "Its host name (resolved to the private endpoint in the VNet)")


class AksBackupStack(AzureStack):
    """09-backup: Azure Backup for AKS, as 09-backup on AWS and Backup for GKE: a zone-redundant Backup
    vault (soft delete on), a policy backing the cluster up daily at ``backup.start`` UTC and keeping
    each backup ``backup.retention_days`` (operational tier: disk snapshots in a resource group of
    their own, the cluster's objects in a blob container), the backup extension in the cluster, the
    vault's trusted access to the cluster, and one backup instance (every namespace, cluster-scoped
    resources and volume snapshots).

    The extension writes to a storage account of this stack with no shared keys (Entra ID:
    ``useAAD``), reached from the cluster through a private endpoint named in 03-blob's
    ``privatelink.blob.core.windows.net`` zone (the VNet links one zone of a name), and from the
    Backup vault by a resource instance rule (beside Azure's trusted services, each still needing a
    role); no other network reaches it. The roles are those Azure's
    guide lists: the vault reads the cluster and the snapshot group and writes snapshots and blobs;
    the cluster's identity manages the snapshot group; the extension writes its container's blobs.
    https://learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-backup"""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack, cluster: AksClusterStack,
                 storage: AzureStorageStack) -> None:
        super().__init__(scope, BACKUP, config=config)
        backup, group, location = config.backup, network.group.name, config.location
        assert backup is not None
        client = azurerm.data_azurerm_client_config.DataAzurermClientConfig(self, "current")
        snapshots = azurerm.resource_group.ResourceGroup(self, "snapshots", name=f"{config.resource_group}-aks-snapshots",
                                                         location=location, tags=self.tags)
        vault = azurerm.data_protection_backup_vault.DataProtectionBackupVault(
            self, "vault", name=f"{config.project}-{config.environment}-backup", resource_group_name=group,
            location=location, datastore_type="VaultStore", redundancy="ZoneRedundant", soft_delete="On",
            retention_duration_in_days=14,
            identity=azurerm.data_protection_backup_vault.DataProtectionBackupVaultIdentity(type="SystemAssigned"),
            tags=self.tags)
        account = private_account(self, "account", name=config.backup_account, group=group, location=location,
                                  tags=self.tags, soft_delete_days=config.state.soft_delete_days, prevent_destroy=False,
                                  network="instances", instances=[vault.id])
        private_endpoint(self, "endpoint", name=f"{config.backup_account}-blob", group=group, location=location,
                         network=network, target_id=account.id, subresource="blob", dns_zone_id=storage.blob_zone.id,
                         tags=self.tags)
        container = azurerm.storage_container.StorageContainer(self, "container", name="aks-backup",
                                                               storage_account_id=account.id, container_access_type="private")
        extension = azurerm.kubernetes_cluster_extension.KubernetesClusterExtension(
            self, "extension", name="azure-aks-backup", cluster_id=cluster.cluster.id,
            extension_type="Microsoft.DataProtection.Kubernetes", release_train="stable",
            release_namespace="dataprotection-microsoft",
            configuration_settings={
                "configuration.backupStorageLocation.bucket": container.name,
                "configuration.backupStorageLocation.config.resourceGroup": group,
                "configuration.backupStorageLocation.config.storageAccount": account.name,
                "configuration.backupStorageLocation.config.subscriptionId": config.subscription_id,
                "credentials.tenantId": client.tenant_id,
                # Entra ID, not the account's keys (they are off).
                "configuration.backupStorageLocation.config.useAAD": "true",
                "configuration.backupStorageLocation.config.storageAccountURI": account.primary_blob_endpoint})
        access = azurerm.kubernetes_cluster_trusted_access_role_binding.KubernetesClusterTrustedAccessRoleBinding(
            self, "trusted-access", name="backup-vault", kubernetes_cluster_id=cluster.cluster.id,
            roles=["Microsoft.DataProtection/backupVaults/backup-operator"], source_resource_id=vault.id)
        role = azurerm.role_assignment.RoleAssignment
        vault_principal = vault.identity.principal_id
        grants = [
            role(self, "extension-writes-blobs", scope=account.id, role_definition_name="Storage Blob Data Contributor",
                 principal_id=extension.aks_assigned_identity.get(0).principal_id, principal_type="ServicePrincipal"),
            role(self, "vault-reads-cluster", scope=cluster.cluster.id, role_definition_name="Reader",
                 principal_id=vault_principal, principal_type="ServicePrincipal"),
            role(self, "vault-reads-snapshots", scope=snapshots.id, role_definition_name="Reader",
                 principal_id=vault_principal, principal_type="ServicePrincipal"),
            role(self, "vault-takes-snapshots", scope=snapshots.id, role_definition_name="Disk Snapshot Contributor",
                 principal_id=vault_principal, principal_type="ServicePrincipal"),
            role(self, "vault-operates-disks", scope=snapshots.id, role_definition_name="Data Operator for Managed Disks",
                 principal_id=vault_principal, principal_type="ServicePrincipal"),
            role(self, "vault-writes-blobs", scope=account.id, role_definition_name="Storage Blob Data Contributor",
                 principal_id=vault_principal, principal_type="ServicePrincipal"),
            role(self, "cluster-manages-snapshots", scope=snapshots.id, role_definition_name="Contributor",
                 principal_id=cluster.identity.principal_id, principal_type="ServicePrincipal"),
        ]
        bp = azurerm.data_protection_backup_policy_kubernetes_cluster
        policy = bp.DataProtectionBackupPolicyKubernetesCluster(
            self, "policy", name="daily", resource_group_name=group, vault_name=vault.name,
            backup_repeating_time_intervals=[f"R/2026-01-01T{backup.start}:00+00:00/P1D"], time_zone="UTC",
            default_retention_rule=bp.DataProtectionBackupPolicyKubernetesClusterDefaultRetentionRule(
                life_cycle=[bp.DataProtectionBackupPolicyKubernetesClusterDefaultRetentionRuleLifeCycle(
                    duration=f"P{backup.retention_days}D", data_store_type="OperationalStore")]))
        bi = azurerm.data_protection_backup_instance_kubernetes_cluster
        instance = bi.DataProtectionBackupInstanceKubernetesCluster(
            self, "instance", name=config.aks.cluster_name, location=location, vault_id=vault.id,
            kubernetes_cluster_id=cluster.cluster.id, snapshot_resource_group_name=snapshots.name,
            backup_policy_id=policy.id,
            backup_datasource_parameters=bi.DataProtectionBackupInstanceKubernetesClusterBackupDatasourceParameters(
                cluster_scoped_resources_enabled=True, volume_snapshot_enabled=True),
            depends_on=[access, *grants])
        self.output("backup_vault_id", vault.id, "The Backup vault")
        self.output("backup_instance_id", instance.id, "The cluster's backup instance")
        self.output("snapshot_resource_group_name", snapshots.name, "Where the volumes' snapshots are kept")


class AzureRegistryStack(AzureStack):
    """10-acr: as 10-ecr on AWS. A Premium Azure Container Registry (``registry.name``) reached only
    through a private endpoint in the VNet (``privatelink.azurecr.io`` linked to it; the VPN server and
    CI inside push there), zone-redundant, no admin user, no anonymous pulls, no exports, untagged
    manifests deleted after ``registry.untagged_days``; a cache rule per ``registry.caches`` upstream
    (nodes pull ``<name>.azurecr.io/<upstream>/<image>``, fetched once from the upstream). The nodes'
    kubelet identity (02-aks) may pull, nothing more."""

    def __init__(self, scope: Construct, *, config: AzureConfig, network: AzureNetworkStack,
                 cluster: AksClusterStack) -> None:
        from officeless.config.azure import CACHE_UPSTREAMS

        super().__init__(scope, REGISTRY, config=config)
        registry, group = config.registry, network.group.name
        assert registry is not None
        acr = azurerm.container_registry.ContainerRegistry(
            self, "registry", name=registry.name, resource_group_name=group, location=config.location, sku="Premium",
            admin_enabled=False, anonymous_pull_enabled=False, public_network_access_enabled=False,
            export_policy_enabled=False, zone_redundancy_enabled=True, data_endpoint_enabled=True,
            network_rule_bypass_option="None", retention_policy_in_days=registry.untagged_days, tags=self.tags)
        private_endpoint(self, "endpoint", name=f"{registry.name}-registry", group=group, location=config.location,
                         network=network, target_id=acr.id, subresource="registry", dns_zone="privatelink.azurecr.io",
                         tags=self.tags)
        for upstream in registry.caches:
            azurerm.container_registry_cache_rule.ContainerRegistryCacheRule(
                self, f"cache-{upstream}", name=upstream, container_registry_id=acr.id,
                source_repo=f"{CACHE_UPSTREAMS[upstream]}/*", target_repo=f"{upstream}/*")
        azurerm.role_assignment.RoleAssignment(
            self, "nodes-pull", scope=acr.id, role_definition_name="AcrPull", principal_type="ServicePrincipal",
            principal_id=cluster.cluster.kubelet_identity.object_id)
        self.output("registry_login_server", acr.login_server, "Where images are pushed and pulled")
        self.output("registry_id", acr.id, "The registry")


def build_azure_app(config: AzureConfig, outdir: str) -> core.App:
    """Every stack of an Azure environment, in deploy order; the capacity check on AKS's pools first."""
    from components.addons import catalog

    catalog.check_capacity(config)
    app = core.App(outdir=outdir, stack_traces=False)
    if isinstance(config.backend, AzurermBackendConfig):
        AzureStateStack(app, config=config)
    network = AzureNetworkStack(app, config=config)
    cluster = AksClusterStack(app, config=config, network=network)
    if config.vpn is not None:
        AzureVpnStack(app, config=config, network=network)
    storage = AzureStorageStack(app, config=config, network=network)
    AzureCacheStack(app, config=config, network=network)
    if config.backup is not None:
        AksBackupStack(app, config=config, network=network, cluster=cluster, storage=storage)
    if config.registry is not None:
        AzureRegistryStack(app, config=config, network=network, cluster=cluster)
    from stacks.aks import AksAccessStack, AksHelmStack, AksPlatformStack  # the Kubernetes layer

    access = AksAccessStack(app, config=config, cluster=cluster)
    if catalog.entries(config, catalog.HELM):
        AksHelmStack(app, config=config, cluster=cluster, storage=storage)
    if config.external_secrets.enabled:
        platform = AksPlatformStack(app, config=config, network=network, cluster=cluster)
        platform.add_dependency(access)  # the tenants' namespaces hold their stores
    if isinstance(config.backend, AzureCloudBackendConfig):
        from officeless.app import add_terraform_cloud
        from stacks.tfc import TfcAzureIdentityStack

        add_terraform_cloud(app, config, lambda stacks: TfcAzureIdentityStack(app, config=config, stacks=stacks))
    return app
