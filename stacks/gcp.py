"""The stacks of a Google Cloud environment (``cloud: gcp``, issue #31), in the same numbered style
as AWS's: 00-state (the state bucket and its Cloud KMS key), 01-vpc (the network), 02-gke (the
cluster, its node pools and Filestore), 03-gcs (Cloud Storage for the observability stack), 04-vpn
(the VPN server), 07-memorystore (Valkey), 09-backup (Backup for GKE) and 10-artifact-registry (images
and pull-through caches). The Kubernetes layer follows.

Every stack but 00-state keeps its state in the bucket under ``<environment>/<stack>`` (the gcs
backend locks natively); 00-state's own state is a local file first, as on AWS (README "Google
Cloud"). Only these stacks import the Google provider bindings (officeless/tf.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from officeless.config.backend import LocalBackendConfig
from officeless.config.gcp import GcpCloudBackendConfig, GcpConfig, GcsBackendConfig
from officeless.tf import Construct, core, google
from stacks.state import LOCAL_STATE_DIRECTORY, cloud_backend, local_state_path

STATE, NETWORK, CLUSTER, STORAGE, VPN, CACHE, BACKUP, REGISTRY = (
    "00-state", "01-vpc", "02-gke", "03-gcs", "04-vpn", "07-memorystore", "09-backup", "10-artifact-registry")
# Google Cloud load balancers' health checkers: https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges
HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"]
# Identity-Aware Proxy's TCP forwarding reaches VMs from this range only:
# https://cloud.google.com/iap/docs/using-tcp-forwarding#create-firewall-rule
IAP_RANGE = "35.235.240.0/20"
DAY_SECONDS = 86400


class GcpStack(core.TerraformStack):
    """The Google provider on the environment's project and region, with its labels on every
    resource that takes them; the stack's own state. :param local_state: 00-state's first state,
    a local file. Default False."""

    def __init__(self, scope: Construct, stack_name: str, *, config: GcpConfig, local_state: bool = False) -> None:
        super().__init__(scope, stack_name)
        self.config = config
        provider = google.provider.GoogleProvider(self, "google", project=config.gcp_project, region=config.region)
        if config.labels:
            # Set as written: through the binding, cdktf turns the map's keys to snake case (managed-by
            # became managed_by), and labels are matched by exact key.
            provider.add_override("default_labels", dict(config.labels))
        backend = config.backend
        if local_state or isinstance(backend, LocalBackendConfig):
            directory = backend.directory if isinstance(backend, LocalBackendConfig) else LOCAL_STATE_DIRECTORY
            core.LocalBackend(self, path=local_state_path(directory, config.environment, stack_name))
        elif isinstance(backend, GcsBackendConfig):
            core.GcsBackend(self, bucket=backend.bucket, prefix=f"{config.environment}/{stack_name}")
        elif isinstance(backend, GcpCloudBackendConfig):
            cloud_backend(self, backend, config.environment, stack_name)

    def output(self, name: str, value, description: str) -> core.TerraformOutput:
        return core.TerraformOutput(self, name, value=value, description=description)


@dataclass
class StorageKey:
    key: object  # the Cloud KMS key
    grant: object  # the storage service agent's use of it, which buckets wait for


def kms_key(scope: Construct, id_: str, *, name: str, region: str, rotation_days: int, prevent_destroy: bool = True,
            ring: str | None = None):
    """A Cloud KMS key of its own (rotated every ``rotation_days``), in a key ring of the region named
    ``ring`` (default ``<name>-keys``); ids ``<id_>``, ``<id_>-ring``. Cloud KMS never deletes key
    rings and keys (README "Google Cloud")."""
    ring_ = google.kms_key_ring.KmsKeyRing(scope, f"{id_}-ring", name=ring or f"{name}-keys", location=region)
    return google.kms_crypto_key.KmsCryptoKey(
        scope, id_, name=name, key_ring=ring_.id, rotation_period=f"{rotation_days * DAY_SECONDS}s",
        purpose="ENCRYPT_DECRYPT", lifecycle=core.TerraformResourceLifecycle(prevent_destroy=prevent_destroy))


def key_user(scope: Construct, id_: str, *, key, member: str):
    """``member`` (a service agent) may encrypt and decrypt with ``key``; nothing else is granted."""
    return google.kms_crypto_key_iam_member.KmsCryptoKeyIamMember(
        scope, id_, crypto_key_id=key.id, role="roles/cloudkms.cryptoKeyEncrypterDecrypter", member=member)


def service_agent(project_number: str, domain: str) -> str:
    """A Google service agent of the project, e.g. ``container-engine-robot.iam.gserviceaccount.com``."""
    return f"serviceAccount:service-{project_number}@{domain}"


def storage_key(scope: Construct, id_: str, *, name: str, region: str, rotation_days: int,
                prevent_destroy: bool) -> StorageKey:
    """A Cloud KMS key of its own that only the project's Cloud Storage service agent may use (ids
    ``<id_>``, ``<id_>-ring``, ``storage-agent``, ``storage-agent-uses-the-<id_>`` in ``scope``)."""
    key = kms_key(scope, id_, name=name, region=region, rotation_days=rotation_days, prevent_destroy=prevent_destroy)
    agent = google.data_google_storage_project_service_account.DataGoogleStorageProjectServiceAccount(scope, "storage-agent")
    grant = key_user(scope, f"storage-agent-uses-the-{id_}", key=key, member=f"serviceAccount:{agent.email_address}")
    return StorageKey(key, grant)


def secure_bucket(scope: Construct, id_: str, *, name: str, region: str, key: StorageKey, prevent_destroy: bool,
                  lifecycle_rules: list | None = None, soft_delete_days: int | None = None):
    """A private bucket: uniform bucket-level access, public access prevention enforced, versioned,
    encrypted with ``key``."""
    sb = google.storage_bucket
    return sb.StorageBucket(
        scope, id_, name=name, location=region, force_destroy=False, uniform_bucket_level_access=True,
        public_access_prevention="enforced", versioning=sb.StorageBucketVersioning(enabled=True),
        soft_delete_policy=(sb.StorageBucketSoftDeletePolicy(retention_duration_seconds=soft_delete_days * DAY_SECONDS)
                            if soft_delete_days else None),
        encryption=sb.StorageBucketEncryption(default_kms_key_name=key.key.id), lifecycle_rule=lifecycle_rules,
        lifecycle=core.TerraformResourceLifecycle(prevent_destroy=prevent_destroy), depends_on=[key.grant])


class GcpStateStack(GcpStack):
    """The state bucket: uniform bucket-level access, public access prevention enforced, versioning,
    soft delete, encrypted with a Cloud KMS key of its own (rotated), which the project's Cloud
    Storage service agent alone may use; the bucket and the key refuse destruction in production."""

    def __init__(self, scope: Construct, *, config: GcpConfig) -> None:
        super().__init__(scope, STATE, config=config, local_state=True)
        assert isinstance(config.backend, GcsBackendConfig), "00-state exists only with a gcs backend"
        bucket_name, state = config.backend.bucket, config.state
        key = storage_key(self, "key", name=bucket_name, region=config.region, rotation_days=state.key_rotation_days,
                          prevent_destroy=state.prevent_destroy)
        bucket = secure_bucket(self, "bucket", name=bucket_name, region=config.region, key=key,
                               prevent_destroy=state.prevent_destroy, soft_delete_days=state.soft_delete_days)
        self.output("bucket_name", bucket.name, "The state bucket")
        self.output("kms_key_id", key.key.id, "The state bucket's Cloud KMS key")


class GcpNetworkStack(GcpStack):
    """A custom-mode VPC with one regional subnet for the cluster: its pods' and Services' secondary
    ranges, Private Google Access (nodes without public addresses reach Google's APIs), flow logs;
    an explicit, logged deny-all ingress rule at the lowest priority; Cloud Router and Cloud NAT for
    the nodes' way out, logging its errors. Outputs named like
    terraform-google-modules/network's."""

    def __init__(self, scope: Construct, *, config: GcpConfig) -> None:
        super().__init__(scope, NETWORK, config=config)
        net, subnet = config.network, config.network.subnet
        network = google.compute_network.ComputeNetwork(
            self, "network", name=net.name, auto_create_subnetworks=False, routing_mode="REGIONAL")
        cs = google.compute_subnetwork
        log = cs.ComputeSubnetworkLogConfig(aggregation_interval="INTERVAL_5_SEC", flow_sampling=0.5,
                                            metadata="INCLUDE_ALL_METADATA") if net.flow_logs else None
        sub = cs.ComputeSubnetwork(
            self, "subnet", name=subnet.name, network=network.id, region=config.region, ip_cidr_range=subnet.cidr,
            private_ip_google_access=True, log_config=log,
            secondary_ip_range=[cs.ComputeSubnetworkSecondaryIpRange(range_name=f"{subnet.name}-pods", ip_cidr_range=subnet.pods_cidr),
                                cs.ComputeSubnetworkSecondaryIpRange(range_name=f"{subnet.name}-services",
                                                                     ip_cidr_range=subnet.services_cidr)])
        # Google's implied rule already denies ingress; this one says so where it can be seen and logs
        # what it drops. Rules of higher priority (GKE's, the VPN server's) open what they need.
        fw = google.compute_firewall
        fw.ComputeFirewall(self, "deny-all-ingress", name=f"{net.name}-deny-all-ingress", network=network.id,
                           direction="INGRESS", priority=65534, source_ranges=["0.0.0.0/0"],
                           deny=[fw.ComputeFirewallDeny(protocol="all")],
                           log_config=fw.ComputeFirewallLogConfig(metadata="INCLUDE_ALL_METADATA"))
        # The proxy-only subnet of the internal Gateway's regional load balancer, and what its proxies and
        # Google's health checkers may reach: the pods (container-native load balancing), TCP only.
        cs.ComputeSubnetwork(self, "proxy-only", name=f"{net.name}-proxy-only", network=network.id, region=config.region,
                             ip_cidr_range=subnet.proxy_cidr, purpose="REGIONAL_MANAGED_PROXY", role="ACTIVE")
        for name, sources in (("load-balancer-proxies", [subnet.proxy_cidr]), ("health-checks", HEALTH_CHECK_RANGES)):
            fw.ComputeFirewall(self, f"allow-{name}", name=f"{net.name}-allow-{name}", network=network.id,
                               direction="INGRESS", priority=1000, source_ranges=sources,
                               destination_ranges=[subnet.pods_cidr], allow=[fw.ComputeFirewallAllow(protocol="tcp")],
                               log_config=fw.ComputeFirewallLogConfig(metadata="INCLUDE_ALL_METADATA"))
        router = google.compute_router.ComputeRouter(self, "router", name=f"{net.name}-router", region=config.region,
                                                     network=network.id)
        nat = google.compute_router_nat
        nat.ComputeRouterNat(
            self, "nat", name=f"{net.name}-nat", router=router.name, region=config.region,
            nat_ip_allocate_option="AUTO_ONLY", source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config=nat.ComputeRouterNatLogConfig(enable=True, filter="ERRORS_ONLY"))
        # Read by 07-memorystore (cross-stack references: a remote state of this stack).
        self.network, self.subnet = network, sub
        self.output("network_name", network.name, "The VPC network")
        self.output("network_self_link", network.self_link, "The VPC network's self link")
        self.output("subnets_self_links", [sub.self_link], "The subnets' self links")
        self.output("subnets_secondary_ranges", {"pods": f"{subnet.name}-pods", "services": f"{subnet.name}-services"},
                    "The names of the cluster subnet's secondary ranges (pods, Services)")


class GcpClusterStack(GcpStack):
    """02-gke: regional GKE Standard across the environment's zones, as 02-eks on AWS.

    - Private nodes and a private endpoint only, reached from the cluster's subnet and
      ``gke.authorized_networks`` (GKE's own public ranges refused).
    - Workload Identity (the Kubernetes layer's service accounts act as Google service accounts, no
      keys); nodes on the GKE metadata server, so pods never see the node's credentials.
    - Dataplane V2 (eBPF; enforces Kubernetes NetworkPolicy without a separate add-on).
    - Shielded nodes (secure boot, integrity monitoring), Container-Optimized OS.
    - Kubernetes Secrets encrypted at the application layer with a Cloud KMS key of the stack's own
      (rotated) that only GKE's service agent may use.
    - Node pools from ``gke.node_pools``: a system pool tainted CriticalAddonsOnly=true:NoSchedule
      and the others, sized by GKE's autoscaler between totals across the zones (GKE scales nodes
      itself: no Cluster Autoscaler release), auto-repaired and auto-upgraded, 110 pods a node
      (a /24 of the pod range each, which 01-vpc's range is sized for). Nodes run as a service
      account of their own with GKE's node role only, not Compute Engine's default account.
    - Persistent Disk and Filestore CSI drivers, the Gateway API (standard channel) and GKE's
      HTTP load balancing; managed Prometheus off (the platform runs its own Mimir).
    - The release channel and the minor from ``gke`` (the GKE version table), a daily 4-hour
      maintenance window; GKE's deletion protection in production.
    - Filestore (``gke.filestore``) on the network, for shared files.
    https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_cluster
    """

    def __init__(self, scope: Construct, *, config: GcpConfig, network: GcpNetworkStack) -> None:
        super().__init__(scope, CLUSTER, config=config)
        gke, subnet = config.gke, config.network.subnet
        project = google.data_google_project.DataGoogleProject(self, "project")
        # Always protected: destroying the key's versions would leave the cluster's Secrets unreadable.
        key = kms_key(self, "secrets-key", name=f"{gke.cluster_name}-secrets", ring=f"{gke.cluster_name}-keys",
                      region=config.region, rotation_days=config.state.key_rotation_days)
        # GKE's service agent encrypts and decrypts the Secrets; nothing else may use the key.
        grant = key_user(self, "gke-agent-uses-the-secrets-key", key=key,
                         member=service_agent(project.number, "container-engine-robot.iam.gserviceaccount.com"))
        nodes_sa = google.service_account.ServiceAccount(
            self, "nodes-sa", account_id=f"{gke.cluster_name}-nodes"[:30], display_name=f"Nodes of {gke.cluster_name}")
        google.project_iam_member.ProjectIamMember(
            self, "nodes-sa-role", project=config.gcp_project, role="roles/container.defaultNodeServiceAccount",
            member=nodes_sa.member)
        cc = google.container_cluster
        authorized = [cc.ContainerClusterMasterAuthorizedNetworksConfigCidrBlocks(cidr_block=subnet.cidr,
                                                                                  display_name=f"{subnet.name} (nodes)")]
        authorized += [cc.ContainerClusterMasterAuthorizedNetworksConfigCidrBlocks(cidr_block=cidr, display_name=f"authorized-{i}")
                       for i, cidr in enumerate(gke.authorized_networks)]
        start = gke.maintenance_start
        cluster = cc.ContainerCluster(
            self, "cluster", name=gke.cluster_name, location=config.region, node_locations=list(config.zones),
            network=network.network.id, subnetwork=network.subnet.id, networking_mode="VPC_NATIVE",
            ip_allocation_policy=cc.ContainerClusterIpAllocationPolicy(
                cluster_secondary_range_name=f"{subnet.name}-pods", services_secondary_range_name=f"{subnet.name}-services"),
            default_max_pods_per_node=110,
            private_cluster_config=cc.ContainerClusterPrivateClusterConfig(
                enable_private_nodes=True, enable_private_endpoint=True, master_ipv4_cidr_block=gke.master_cidr),
            master_authorized_networks_config=cc.ContainerClusterMasterAuthorizedNetworksConfig(
                cidr_blocks=authorized, gcp_public_cidrs_access_enabled=False),
            master_auth=cc.ContainerClusterMasterAuth(
                client_certificate_config=cc.ContainerClusterMasterAuthClientCertificateConfig(issue_client_certificate=False)),
            workload_identity_config=cc.ContainerClusterWorkloadIdentityConfig(workload_pool=f"{config.gcp_project}.svc.id.goog"),
            datapath_provider="ADVANCED_DATAPATH", enable_shielded_nodes=True, enable_legacy_abac=False,
            enable_intranode_visibility=True,
            database_encryption=cc.ContainerClusterDatabaseEncryption(state="ENCRYPTED", key_name=key.id),
            release_channel=cc.ContainerClusterReleaseChannel(channel=gke.release_channel),
            min_master_version=gke.kubernetes_version,
            maintenance_policy=cc.ContainerClusterMaintenancePolicy(
                daily_maintenance_window=cc.ContainerClusterMaintenancePolicyDailyMaintenanceWindow(start_time=start)),
            addons_config=cc.ContainerClusterAddonsConfig(
                gce_persistent_disk_csi_driver_config=cc.ContainerClusterAddonsConfigGcePersistentDiskCsiDriverConfig(enabled=True),
                gcp_filestore_csi_driver_config=cc.ContainerClusterAddonsConfigGcpFilestoreCsiDriverConfig(enabled=True),
                http_load_balancing=cc.ContainerClusterAddonsConfigHttpLoadBalancing(disabled=False),
                horizontal_pod_autoscaling=cc.ContainerClusterAddonsConfigHorizontalPodAutoscaling(disabled=False),
                # Backup for GKE's agent, which 09-backup's plan needs.
                gke_backup_agent_config=cc.ContainerClusterAddonsConfigGkeBackupAgentConfig(enabled=True)
                if config.backup.enabled else None),
            gateway_api_config=cc.ContainerClusterGatewayApiConfig(channel="CHANNEL_STANDARD"),
            monitoring_config=cc.ContainerClusterMonitoringConfig(
                enable_components=["SYSTEM_COMPONENTS"],
                managed_prometheus=cc.ContainerClusterMonitoringConfigManagedPrometheus(enabled=False)),
            logging_config=cc.ContainerClusterLoggingConfig(enable_components=["SYSTEM_COMPONENTS", "WORKLOADS"]),
            security_posture_config=cc.ContainerClusterSecurityPostureConfig(mode="BASIC", vulnerability_mode="VULNERABILITY_BASIC"),
            resource_labels=dict(config.labels) or None,
            # GKE creates a default pool with the cluster; it is removed at once (the pools below
            # replace it), and runs meanwhile as the nodes' own account, shielded.
            remove_default_node_pool=True, initial_node_count=1,
            node_config=cc.ContainerClusterNodeConfig(
                service_account=nodes_sa.email, oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                shielded_instance_config=cc.ContainerClusterNodeConfigShieldedInstanceConfig(
                    enable_secure_boot=True, enable_integrity_monitoring=True),
                workload_metadata_config=cc.ContainerClusterNodeConfigWorkloadMetadataConfig(mode="GKE_METADATA")),
            deletion_protection=gke.protected(config.is_production),
            lifecycle=core.TerraformResourceLifecycle(ignore_changes=["node_config"]), depends_on=[grant])
        np = google.container_node_pool
        for name, pool in gke.node_pools.items():
            taints = [np.ContainerNodePoolNodeConfigTaint(key="CriticalAddonsOnly", value="true", effect="NO_SCHEDULE")] \
                if pool.system else None
            np.ContainerNodePool(
                self, f"pool-{name}", name=name, cluster=cluster.id, location=config.region,
                node_locations=list(config.zones), max_pods_per_node=pool.machine.max_pods,
                initial_node_count=max(pool.min_nodes // len(config.zones), 1),
                autoscaling=np.ContainerNodePoolAutoscaling(total_min_node_count=pool.min_nodes,
                                                            total_max_node_count=pool.max_nodes, location_policy="BALANCED"),
                management=np.ContainerNodePoolManagement(auto_repair=True, auto_upgrade=True),
                upgrade_settings=np.ContainerNodePoolUpgradeSettings(strategy="SURGE", max_surge=1, max_unavailable=0),
                node_config=np.ContainerNodePoolNodeConfig(
                    machine_type=pool.machine_type, image_type="COS_CONTAINERD", disk_type="pd-balanced",
                    disk_size_gb=pool.disk_size_gb, spot=pool.spot, service_account=nodes_sa.email,
                    oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                    labels={"pool": name, "workload": "system" if pool.system else "application"}, taint=taints,
                    shielded_instance_config=np.ContainerNodePoolNodeConfigShieldedInstanceConfig(
                        enable_secure_boot=True, enable_integrity_monitoring=True),
                    workload_metadata_config=np.ContainerNodePoolNodeConfigWorkloadMetadataConfig(mode="GKE_METADATA"),
                    metadata={"disable-legacy-endpoints": "true"}))
        store = gke.filestore
        if store.enabled:
            fs = google.filestore_instance
            # BASIC and ZONAL tiers live in one zone; REGIONAL in the region.
            filestore = fs.FilestoreInstance(
                self, "filestore", name=f"{gke.cluster_name}-{store.name}", tier=store.tier,
                location=config.region if store.tier == "REGIONAL" else config.zones[0],
                file_shares=fs.FilestoreInstanceFileShares(name=store.name.replace("-", "_"), capacity_gb=store.capacity_gb),
                networks=[fs.FilestoreInstanceNetworks(network=network.network.name, modes=["MODE_IPV4"],
                                                       connect_mode="DIRECT_PEERING")],
                lifecycle=core.TerraformResourceLifecycle(prevent_destroy=gke.protected(config.is_production)))
            self.output("filestore_ip", filestore.networks.get(0).ip_addresses, "Filestore's addresses (NFS)")
        # 09-backup's plan names the cluster, 10-artifact-registry grants the nodes (cross-stack references).
        self.cluster, self.nodes_sa = cluster, nodes_sa
        self.output("cluster_name", cluster.name, "The GKE cluster")
        self.output("cluster_endpoint", cluster.endpoint, "The control plane's private endpoint")
        self.output("cluster_ca_certificate", cluster.master_auth.cluster_ca_certificate,
                    "The cluster's CA certificate (base64)")
        self.output("workload_identity_pool", f"{config.gcp_project}.svc.id.goog", "The Workload Identity pool")
        self.output("node_service_account", nodes_sa.email, "The nodes' service account")


class GcpStorageStack(GcpStack):
    """03-gcs: Cloud Storage for Mimir, Loki and Tempo (and the applications' buckets), as 03-s3 on AWS:
    each private, versioned (old versions deleted after ``storage.noncurrent_version_days``),
    encrypted with the stack's own Cloud KMS key. The observability stack's compactors delete data at
    the end of retention; the bucket only backs that up, deleting the tenant's objects
    ``observability.retention.backstop_days`` later."""

    def __init__(self, scope: Construct, *, config: GcpConfig) -> None:
        from officeless.config.observability import RETAINED_BUCKETS

        super().__init__(scope, STORAGE, config=config)
        storage, retention = config.storage, config.observability.retention
        key = storage_key(self, "key", name=f"{config.project}-{config.environment}-buckets", region=config.region,
                          rotation_days=config.state.key_rotation_days, prevent_destroy=storage.prevent_destroy)
        sb = google.storage_bucket
        names = {}
        for purpose in config.bucket_purposes:
            rules = [sb.StorageBucketLifecycleRule(
                action=sb.StorageBucketLifecycleRuleAction(type="Delete"),
                condition=sb.StorageBucketLifecycleRuleCondition(days_since_noncurrent_time=storage.noncurrent_version_days))]
            kind = RETAINED_BUCKETS.get(purpose)
            if kind is not None:
                rules.append(sb.StorageBucketLifecycleRule(
                    action=sb.StorageBucketLifecycleRuleAction(type="Delete"),
                    condition=sb.StorageBucketLifecycleRuleCondition(
                        age=retention.days(kind) + retention.backstop_days,
                        matches_prefix=[f"{config.observability_tenant}/"])))
            bucket = secure_bucket(self, f"bucket-{purpose}", name=storage.bucket_name(config.project, config.environment,
                                                                                      purpose),
                                   region=config.region, key=key, prevent_destroy=storage.prevent_destroy,
                                   lifecycle_rules=rules)
            names[purpose] = bucket.name
        self.output("bucket_names", names, "Bucket per purpose (mimir-metrics, loki-chunks, ...)")
        self.output("kms_key_id", key.key.id, "The buckets' Cloud KMS key")


class GcpVpnStack(GcpStack):
    """04-vpn: the Pritunl VPN server, which is also the Jenkins agent and a Docker registry, as 04-ec2
    on AWS, from the same cloud-init (templates/vpn-server.cloud-init.yaml, with the Google Cloud CLI
    and GKE's kubectl plugin instead of the AWS CLI).

    Ubuntu 24.04 LTS on the cluster's subnet with a static external address; IP forwarding on (it
    routes its clients' packets); Shielded VM (secure boot, vTPM, integrity monitoring); boot and data
    disks encrypted with the stack's own Cloud KMS key, which only Compute Engine's service agent may
    use; OS Login (no project-wide SSH keys); a service account of its own that may only write logs
    and metrics. Firewall rules per service from ``vpn.ingress`` ('vpc': the subnet's node and pod
    ranges) to this VM only, logged; SSH from Identity-Aware Proxy when ``vpn.iap_ssh``. The image and
    the user data never replace the running server (cloud-init runs on the first boot only)."""

    def __init__(self, scope: Construct, *, config: GcpConfig, network: GcpNetworkStack) -> None:
        from components.vpn_server import DATA_MOUNT_POINT, cloud_init, ingress_rules

        super().__init__(scope, VPN, config=config)
        vpn, subnet = config.vpn, config.network.subnet
        zone = vpn.zone or config.zones[0]
        protected = vpn.deletion_protection if vpn.deletion_protection is not None else config.is_production
        project = google.data_google_project.DataGoogleProject(self, "project")
        key = kms_key(self, "key", name=f"{config.environment}-{vpn.name}-disks", region=config.region,
                      rotation_days=config.state.key_rotation_days)
        grant = key_user(self, "compute-agent-uses-the-key", key=key,
                         member=service_agent(project.number, "compute-system.iam.gserviceaccount.com"))
        account = google.service_account.ServiceAccount(self, "sa", account_id=f"{config.environment}-{vpn.name}"[:30],
                                                        display_name=f"VPN server {vpn.name}")
        for role in ("roles/logging.logWriter", "roles/monitoring.metricWriter"):
            google.project_iam_member.ProjectIamMember(self, f"sa-{role.split('/')[1].replace('.', '-')}",
                                                       project=config.gcp_project, role=role, member=account.member)
        address = google.compute_address.ComputeAddress(self, "address", name=f"{config.environment}-{vpn.name}",
                                                        region=config.region, address_type="EXTERNAL")
        data = google.compute_disk.ComputeDisk(
            self, "data-disk", name=f"{config.environment}-{vpn.name}-data", zone=zone, size=vpn.data_volume_gb,
            type="pd-balanced", disk_encryption_key=google.compute_disk.ComputeDiskDiskEncryptionKey(kms_key_self_link=key.id),
            lifecycle=core.TerraformResourceLifecycle(prevent_destroy=vpn.prevent_destroy), depends_on=[grant])
        software = vpn.software
        user_data = cloud_init(software, jenkins_user=vpn.jenkins_agent_user, data_volume_id="data",
                               data_device="/dev/disk/by-id/google-$volume_id",
                               data_volume_note="the name it is attached under (device_name):\n      # Compute Engine "
                                                "shows it as /dev/disk/by-id/google-<name>, whatever its sd* letter.",
                               cloud_cli="gcp", cli_values={"gcloud_version": software.gcloud})
        ci = google.compute_instance
        instance = ci.ComputeInstance(
            self, "instance", name=f"{config.environment}-{vpn.name}", zone=zone, machine_type=vpn.machine_type,
            can_ip_forward=True, deletion_protection=protected, tags=[f"{config.environment}-{vpn.name}"],
            boot_disk=ci.ComputeInstanceBootDisk(
                kms_key_self_link=key.id, initialize_params=ci.ComputeInstanceBootDiskInitializeParams(
                    image=vpn.image, size=vpn.root_volume_gb, type="pd-balanced")),
            attached_disk=[ci.ComputeInstanceAttachedDisk(source=data.id, device_name="data", kms_key_self_link=key.id)],
            network_interface=[ci.ComputeInstanceNetworkInterface(
                subnetwork=network.subnet.id,
                access_config=[ci.ComputeInstanceNetworkInterfaceAccessConfig(nat_ip=address.address)])],
            service_account=ci.ComputeInstanceServiceAccount(
                email=account.email, scopes=["https://www.googleapis.com/auth/cloud-platform"]),
            shielded_instance_config=ci.ComputeInstanceShieldedInstanceConfig(
                enable_secure_boot=True, enable_vtpm=True, enable_integrity_monitoring=True),
            metadata={"enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE", "user-data": user_data},
            lifecycle=core.TerraformResourceLifecycle(
                ignore_changes=["boot_disk[0].initialize_params[0].image", 'metadata["user-data"]']),
            depends_on=[grant])
        fw = google.compute_firewall
        rules: dict[str, tuple[int, str, list[str]]] = {}
        for service, port, protocol, source in ingress_rules(vpn):
            ranges = [subnet.cidr, subnet.pods_cidr] if source == "vpc" else [source]
            rules.setdefault(service, (port, protocol, []))[2].extend(r for r in ranges if r not in rules[service][2])
        if vpn.iap_ssh:
            rules.setdefault("ssh", (22, "tcp", []))[2].append(IAP_RANGE)
        for service, (port, protocol, ranges) in rules.items():
            fw.ComputeFirewall(
                self, f"allow-{service}", name=f"{config.environment}-{vpn.name}-{service.replace('_', '-')}",
                network=network.network.id, direction="INGRESS", priority=1000, source_ranges=ranges,
                target_tags=[f"{config.environment}-{vpn.name}"],
                allow=[fw.ComputeFirewallAllow(protocol=protocol, ports=[str(port)])],
                log_config=fw.ComputeFirewallLogConfig(metadata="INCLUDE_ALL_METADATA"))
        self.output("instance_name", instance.name, "The VPN server")
        self.output("public_ip", address.address, "The VPN server's static external address")
        self.output("private_ip", instance.network_interface.get(0).network_ip, "The VPN server's address in the subnet")
        self.output("data_mount_point", DATA_MOUNT_POINT, "Where Pritunl's MongoDB keeps its data")


class GcpCacheStack(GcpStack):
    """07-memorystore: Memorystore for Valkey in the network's region, reached only through Private
    Service Connect endpoints Memorystore creates in the cluster's subnet (a service connection
    policy allows it there, for the class gcp-memorystore and nothing else); IAM authentication (no
    password to store) and in-transit encryption; replicas in other zones; AOF persistence.
    https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/memorystore_instance"""

    def __init__(self, scope: Construct, *, config: GcpConfig, network: GcpNetworkStack) -> None:
        super().__init__(scope, CACHE, config=config)
        cache = config.cache
        policy = google.network_connectivity_service_connection_policy
        psc = policy.NetworkConnectivityServiceConnectionPolicy(
            self, "psc-policy", name=f"{config.network.name}-memorystore", location=config.region,
            service_class="gcp-memorystore", network=network.network.id,
            description="Memorystore endpoints in the cluster's subnet",
            psc_config=policy.NetworkConnectivityServiceConnectionPolicyPscConfig(subnetworks=[network.subnet.id]))
        m = google.memorystore_instance
        instance = m.MemorystoreInstance(
            self, "valkey", instance_id=cache.name, location=config.region, shard_count=cache.shard_count,
            replica_count=cache.replica_count, node_type=cache.node_type, engine_version=cache.engine_version,
            authorization_mode="IAM_AUTH", transit_encryption_mode="SERVER_AUTHENTICATION",
            desired_auto_created_endpoints=[m.MemorystoreInstanceDesiredAutoCreatedEndpoints(
                network=network.network.id, project_id=config.gcp_project)],
            zone_distribution_config=m.MemorystoreInstanceZoneDistributionConfig(
                mode="MULTI_ZONE" if cache.replica_count else "SINGLE_ZONE",
                zone=None if cache.replica_count else config.zones[0]),
            persistence_config=m.MemorystoreInstancePersistenceConfig(
                mode="AOF", aof_config=m.MemorystoreInstancePersistenceConfigAofConfig(append_fsync="EVERY_SEC")),
            deletion_protection_enabled=cache.deletion_protection, depends_on=[psc])
        self.output("instance_id", instance.instance_id, "The Memorystore for Valkey instance")


class GcpBackupStack(GcpStack):
    """09-backup: Backup for GKE, as AWS Backup on AWS: a plan that backs up every namespace's
    resources, Secrets and volume data on ``backup.schedule`` (daily) and keeps each backup
    ``backup.retention_days`` (30), optionally locked against deletion; encrypted with the stack's own
    Cloud KMS key, which the Backup for GKE and Compute Engine service agents (config and volume
    backups) alone may use.
    https://cloud.google.com/kubernetes-engine/docs/add-on/backup-for-gke/concepts/about-cmek"""

    def __init__(self, scope: Construct, *, config: GcpConfig, cluster: GcpClusterStack) -> None:
        super().__init__(scope, BACKUP, config=config)
        backup, name = config.backup, config.gke.cluster_name
        project = google.data_google_project.DataGoogleProject(self, "project")
        key = kms_key(self, "key", name=f"{name}-backups", region=config.region,
                      rotation_days=config.state.key_rotation_days)
        grants = [key_user(self, f"{agent}-uses-the-key", key=key, member=service_agent(project.number, domain))
                  for agent, domain in (("gke-backup-agent", "gcp-sa-gkebackup.iam.gserviceaccount.com"),
                                        ("compute-agent", "compute-system.iam.gserviceaccount.com"))]
        b = google.gke_backup_backup_plan
        plan = b.GkeBackupBackupPlan(
            self, "plan", name=f"{name}-daily", cluster=cluster.cluster.id, location=config.region,
            backup_schedule=b.GkeBackupBackupPlanBackupSchedule(cron_schedule=backup.schedule),
            retention_policy=b.GkeBackupBackupPlanRetentionPolicy(backup_retain_days=backup.retention_days,
                                                                  backup_delete_lock_days=backup.delete_lock_days),
            backup_config=b.GkeBackupBackupPlanBackupConfig(
                all_namespaces=True, include_secrets=True, include_volume_data=True,
                encryption_key=b.GkeBackupBackupPlanBackupConfigEncryptionKey(gcp_kms_encryption_key=key.id)),
            depends_on=grants)
        self.output("backup_plan_id", plan.id, "The Backup for GKE plan")


class GcpRegistryStack(GcpStack):
    """10-artifact-registry: as 10-ecr on AWS. Docker repositories for the applications' images
    (immutable tags, the stack's own Cloud KMS key for Artifact Registry's service agent only,
    untagged images deleted after ``artifact_registry.untagged_days``) and remote repositories caching
    public registries (``artifact_registry.remotes``: nodes pull ``<region>-docker.pkg.dev/<project>/
    <upstream>/<image>``). Vulnerability scanning is Artifact Analysis's, on by default when its API is.
    https://cloud.google.com/artifact-registry/docs/repositories/remote-overview"""

    def __init__(self, scope: Construct, *, config: GcpConfig, cluster: GcpClusterStack) -> None:
        from officeless.config.gcp import REMOTE_UPSTREAMS

        super().__init__(scope, REGISTRY, config=config)
        registry = config.artifact_registry
        project = google.data_google_project.DataGoogleProject(self, "project")
        key = kms_key(self, "key", name=f"{config.project}-{config.environment}-images", region=config.region,
                      rotation_days=config.state.key_rotation_days)
        grant = key_user(self, "registry-agent-uses-the-key", key=key,
                         member=service_agent(project.number, "gcp-sa-artifactregistry.iam.gserviceaccount.com"))
        ar = google.artifact_registry_repository
        lifecycle = core.TerraformResourceLifecycle(prevent_destroy=registry.prevent_destroy)
        names = {}
        for repo in registry.repositories:
            r = ar.ArtifactRegistryRepository(
                self, f"repository-{repo}", repository_id=repo, location=config.region, format="DOCKER",
                mode="STANDARD_REPOSITORY", kms_key_name=key.id,
                docker_config=ar.ArtifactRegistryRepositoryDockerConfig(immutable_tags=True),
                cleanup_policies=[ar.ArtifactRegistryRepositoryCleanupPolicies(
                    id="delete-old-untagged", action="DELETE", condition=ar.ArtifactRegistryRepositoryCleanupPoliciesCondition(
                        tag_state="UNTAGGED", older_than=f"{registry.untagged_days * DAY_SECONDS}s"))],
                lifecycle=lifecycle, depends_on=[grant])
            names[repo] = r.name
        for upstream in registry.remotes:
            source = REMOTE_UPSTREAMS[upstream]
            docker = (ar.ArtifactRegistryRepositoryRemoteRepositoryConfigDockerRepository(public_repository=source)
                      if not source.startswith("https://") else
                      ar.ArtifactRegistryRepositoryRemoteRepositoryConfigDockerRepository(
                          custom_repository=ar.ArtifactRegistryRepositoryRemoteRepositoryConfigDockerRepositoryCustomRepository(
                              uri=source)))
            r = ar.ArtifactRegistryRepository(
                self, f"remote-{upstream}", repository_id=upstream, location=config.region, format="DOCKER",
                mode="REMOTE_REPOSITORY", kms_key_name=key.id, description=f"Pull-through cache of {upstream}",
                remote_repository_config=ar.ArtifactRegistryRepositoryRemoteRepositoryConfig(docker_repository=docker),
                cleanup_policies=[ar.ArtifactRegistryRepositoryCleanupPolicies(
                    id="delete-unused-cache", action="DELETE", condition=ar.ArtifactRegistryRepositoryCleanupPoliciesCondition(
                        older_than=f"{registry.untagged_days * DAY_SECONDS}s"))],
                lifecycle=lifecycle, depends_on=[grant])
            names[upstream] = r.name
        # The nodes pull from every repository (their account's GKE role has no Artifact Registry read);
        # nothing else is granted here.
        for repo_id, name in names.items():
            google.artifact_registry_repository_iam_member.ArtifactRegistryRepositoryIamMember(
                self, f"nodes-read-{repo_id}", repository=name, location=config.region,
                role="roles/artifactregistry.reader", member=f"serviceAccount:{cluster.nodes_sa.email}")
        self.output("repository_names", names, "Repository per id (applications' and remote caches)")


def build_gcp_app(config: GcpConfig, outdir: str) -> core.App:
    """Every stack of a GCP environment, in deploy order; the capacity check on GKE's pools first."""
    from components.addons import catalog

    catalog.check_capacity(config)
    app = core.App(outdir=outdir, stack_traces=False)
    if isinstance(config.backend, GcsBackendConfig):
        GcpStateStack(app, config=config)
    network = GcpNetworkStack(app, config=config)
    cluster = GcpClusterStack(app, config=config, network=network)
    storage = GcpStorageStack(app, config=config)
    if config.vpn is not None:
        GcpVpnStack(app, config=config, network=network)
    GcpCacheStack(app, config=config, network=network)
    if config.backup.enabled:
        GcpBackupStack(app, config=config, cluster=cluster)
    if config.artifact_registry.repositories or config.artifact_registry.remotes:
        GcpRegistryStack(app, config=config, cluster=cluster)
    from stacks.gke import GkeAccessStack, GkeHelmStack, GkePlatformStack  # the Kubernetes layer

    access = GkeAccessStack(app, config=config, cluster=cluster)
    if catalog.entries(config, catalog.HELM):
        helm = GkeHelmStack(app, config=config, cluster=cluster)
        helm.add_dependency(storage)  # the backends' buckets
    if config.external_secrets.enabled:
        platform = GkePlatformStack(app, config=config, cluster=cluster)
        platform.add_dependency(access)  # the tenants' namespaces hold their stores
    if isinstance(config.backend, GcpCloudBackendConfig):
        from officeless.app import add_terraform_cloud
        from stacks.tfc import TfcGcpIdentityStack

        # The pool's provider admits the project's runs: no per-workspace subject to list.
        add_terraform_cloud(app, config, lambda _stacks: TfcGcpIdentityStack(app, config=config))
    return app
