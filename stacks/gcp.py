"""The stacks of a Google Cloud environment (``cloud: gcp``, issue #31), in the same numbered style
as AWS's: 00-state (the state bucket and its Cloud KMS key), 01-vpc (the network), 03-gcs (Cloud
Storage for the observability stack) and 07-memorystore (Valkey). GKE, the VPN server and the
Kubernetes layer follow.

Every stack but 00-state keeps its state in the bucket under ``<environment>/<stack>`` (the gcs
backend locks natively); 00-state's own state is a local file first, as on AWS (README "Google
Cloud"). Only these stacks import the Google provider bindings (officeless/tf.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from officeless.config.backend import LocalBackendConfig
from officeless.config.gcp import GcpConfig, GcsBackendConfig
from officeless.tf import Construct, core, google
from stacks.state import LOCAL_STATE_DIRECTORY, local_state_path

STATE, NETWORK, STORAGE, CACHE = "00-state", "01-vpc", "03-gcs", "07-memorystore"
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

    def output(self, name: str, value, description: str) -> core.TerraformOutput:
        return core.TerraformOutput(self, name, value=value, description=description)


@dataclass
class StorageKey:
    key: object  # the Cloud KMS key
    grant: object  # the storage service agent's use of it, which buckets wait for


def storage_key(scope: Construct, id_: str, *, name: str, region: str, rotation_days: int,
                prevent_destroy: bool) -> StorageKey:
    """A Cloud KMS key of its own (rotated), in a key ring of the region, that only the project's Cloud
    Storage service agent may use (ids ``<id_>``, ``<id_>-ring``, ``storage-agent``,
    ``storage-agent-uses-the-<id_>`` in ``scope``)."""
    ring = google.kms_key_ring.KmsKeyRing(scope, f"{id_}-ring", name=f"{name}-keys", location=region)
    key = google.kms_crypto_key.KmsCryptoKey(
        scope, id_, name=name, key_ring=ring.id, rotation_period=f"{rotation_days * DAY_SECONDS}s",
        purpose="ENCRYPT_DECRYPT", lifecycle=core.TerraformResourceLifecycle(prevent_destroy=prevent_destroy))
    agent = google.data_google_storage_project_service_account.DataGoogleStorageProjectServiceAccount(scope, "storage-agent")
    grant = google.kms_crypto_key_iam_member.KmsCryptoKeyIamMember(
        scope, f"storage-agent-uses-the-{id_}", crypto_key_id=key.id, role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member=f"serviceAccount:{agent.email_address}")
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


def build_gcp_app(config: GcpConfig, outdir: str) -> core.App:
    app = core.App(outdir=outdir, stack_traces=False)
    if isinstance(config.backend, GcsBackendConfig):
        GcpStateStack(app, config=config)
    network = GcpNetworkStack(app, config=config)
    GcpStorageStack(app, config=config)
    GcpCacheStack(app, config=config, network=network)
    return app
