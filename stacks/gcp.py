"""The stacks of a Google Cloud environment (``cloud: gcp``, issue #31), in the same numbered style
as AWS's: 00-state (the state bucket and its Cloud KMS key) and 01-vpc (the network). GKE, Cloud
Storage for the observability stack, the VPN server, Memorystore and the Kubernetes layer follow.

Every stack but 00-state keeps its state in the bucket under ``<environment>/<stack>`` (the gcs
backend locks natively); 00-state's own state is a local file first, as on AWS (README "Google
Cloud"). Only these stacks import the Google provider bindings (officeless/tf.py).
"""

from __future__ import annotations

from officeless.config.backend import LocalBackendConfig
from officeless.config.gcp import GcpConfig, GcsBackendConfig
from officeless.tf import Construct, core, google
from stacks.state import LOCAL_STATE_DIRECTORY, local_state_path

STATE, NETWORK = "00-state", "01-vpc"
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


class GcpStateStack(GcpStack):
    """The state bucket: uniform bucket-level access, public access prevention enforced, versioning,
    soft delete, encrypted with a Cloud KMS key of its own (rotated), which the project's Cloud
    Storage service agent alone may use; the bucket and the key refuse destruction in production."""

    def __init__(self, scope: Construct, *, config: GcpConfig) -> None:
        super().__init__(scope, STATE, config=config, local_state=True)
        assert isinstance(config.backend, GcsBackendConfig), "00-state exists only with a gcs backend"
        bucket_name, state = config.backend.bucket, config.state
        keep = core.TerraformResourceLifecycle(prevent_destroy=state.prevent_destroy)
        ring = google.kms_key_ring.KmsKeyRing(self, "key-ring", name=f"{bucket_name}-keys", location=config.region)
        key = google.kms_crypto_key.KmsCryptoKey(
            self, "key", name=bucket_name, key_ring=ring.id, rotation_period=f"{state.key_rotation_days * DAY_SECONDS}s",
            purpose="ENCRYPT_DECRYPT", lifecycle=keep)
        agent = google.data_google_storage_project_service_account.DataGoogleStorageProjectServiceAccount(
            self, "storage-agent")
        grant = google.kms_crypto_key_iam_member.KmsCryptoKeyIamMember(
            self, "storage-agent-uses-the-key", crypto_key_id=key.id, role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member=f"serviceAccount:{agent.email_address}")
        sb = google.storage_bucket
        bucket = sb.StorageBucket(
            self, "bucket", name=bucket_name, location=config.region, force_destroy=False,
            uniform_bucket_level_access=True, public_access_prevention="enforced",
            versioning=sb.StorageBucketVersioning(enabled=True),
            soft_delete_policy=sb.StorageBucketSoftDeletePolicy(retention_duration_seconds=state.soft_delete_days * DAY_SECONDS),
            encryption=sb.StorageBucketEncryption(default_kms_key_name=key.id),
            lifecycle=keep, depends_on=[grant])
        self.output("bucket_name", bucket.name, "The state bucket")
        self.output("kms_key_id", key.id, "The state bucket's Cloud KMS key")


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
        self.output("network_name", network.name, "The VPC network")
        self.output("network_self_link", network.self_link, "The VPC network's self link")
        self.output("subnets_self_links", [sub.self_link], "The subnets' self links")
        self.output("subnets_secondary_ranges", {"pods": f"{subnet.name}-pods", "services": f"{subnet.name}-services"},
                    "The names of the cluster subnet's secondary ranges (pods, Services)")


def build_gcp_app(config: GcpConfig, outdir: str) -> core.App:
    app = core.App(outdir=outdir, stack_traces=False)
    if isinstance(config.backend, GcsBackendConfig):
        GcpStateStack(app, config=config)
    GcpNetworkStack(app, config=config)
    return app
