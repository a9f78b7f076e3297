"""07-valkey: the Valkey (Redis-compatible) cache the applications use."""

from __future__ import annotations

from components.eks_cluster import EksCluster
from components.network import Network
from components.valkey import ValkeyCache
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "07-valkey"


class ValkeyStack(PlatformStack):
    """:param network: 01-vpc's network (private subnets); :param cluster: 02-eks's cluster
    (its node security group may connect). Both become cross-stack references."""

    def __init__(self, scope: Construct, *, config: PlatformConfig, network: Network, cluster: EksCluster) -> None:
        super().__init__(scope, NAME, config=config)
        self.cache = ValkeyCache(
            self, "valkey", config=config.valkey, environment=config.environment, vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids, client_security_group_id=cluster.cluster_primary_security_group_id,
        )
        c = self.cache
        self.output("primary_endpoint_address", c.primary_endpoint_address, "Primary (read/write) endpoint")
        self.output("reader_endpoint_address", c.reader_endpoint_address, "Reader endpoint (all replicas)")
        self.output("port", c.port, "Port of both endpoints (TLS required)")
        self.output("auth_token_secret_arn", c.auth_token_secret_arn, "Secrets Manager secret holding the AUTH token")
        self.output("security_group_id", c.security_group_id, "Security group of the cache")
