"""An ElastiCache replication group running Valkey, encrypted at rest and in transit.

The AUTH token is generated inside Terraform and kept out of state wherever AWS 5.100 allows:
an ephemeral ``aws_secretsmanager_random_password`` (never stored) is written into the secret
through the write-only ``secret_string_wo`` (never stored), where applications read it (05-helm's
Secrets Store CSI role may read ``<environment>/*``). The replication group has no write-only
token argument, so it reads the secret with a data source: the token is in 07-valkey's state
twice, in that read and in the group's ``auth_token``, and nowhere else (before: three times,
plus a fresh password read on every plan). IAM authentication would remove it, at the price of
15-minute signed tokens in every client. README "Secrets in state" says who can read state.

``valkey.auth_token_version`` (default 1) is the write-only version: bumping it writes a new
token, and the group rotates to it (``auth_token_update_strategy`` ROTATE).
"""

from __future__ import annotations

from typing import Sequence

from components.ephemeral import EphemeralResource
from components.kms import CustomerKey
from components.protection import lifecycle
from components.security_group import SecurityGroup
from officeless.config.valkey import ValkeyConfig
from officeless.tf import Construct, aws

PORT = 6379
_rg = aws.elasticache_replication_group


class ValkeyCache(Construct):
    """:param config: the validated ``valkey`` section.
    :param environment: prefix of the auth-token secret's name (``<environment>/valkey/...``).
    :param vpc_id: VPC of the cache's security group.
    :param subnet_ids: subnets of the subnet group (the private ones, one per AZ).
    :param client_security_group_id: the group allowed to connect on 6379 (the EKS nodes').
    """

    def __init__(self, scope: Construct, id_: str, *, config: ValkeyConfig, environment: str, vpc_id: str,
                 subnet_ids: Sequence[str], client_security_group_id: str) -> None:
        super().__init__(scope, id_)
        name = config.name
        log_group_name = f"/aws/elasticache/{name}/slow-log"
        key = CustomerKey(self, "kms", alias=name, description=f"Encrypts the {name} cache, its auth token and slow log",
                          log_group_names=[log_group_name], prevent_destroy=config.prevent_destroy)
        slow_log = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "slow-log", name=log_group_name, retention_in_days=config.slow_log_retention_days, kms_key_id=key.key_arn)

        subnet_group = aws.elasticache_subnet_group.ElasticacheSubnetGroup(
            self, "subnet-group", name=name, description=f"Private subnets of {name}", subnet_ids=list(subnet_ids))
        parameter_group = aws.elasticache_parameter_group.ElasticacheParameterGroup(
            self, "parameter-group", name=f"{name}-{config.parameter_group_family}", family=config.parameter_group_family,
            description=f"Engine parameters of {name}",
            parameter=[aws.elasticache_parameter_group.ElasticacheParameterGroupParameter(name=k, value=v)
                       for k, v in sorted(config.parameters.items())] or None,
        )

        self.security_group = SecurityGroup(self, "sg", name=name, vpc_id=vpc_id,
                                            description=f"{name}: Valkey on {PORT} from the EKS nodes only")
        self.security_group.allow_ingress("valkey-from-eks-nodes", description="Valkey from EKS nodes", protocol="tcp",
                                          port=PORT, source_security_group_id=client_security_group_id)
        for index, cidr in enumerate(config.extra_allowed_cidrs):
            self.security_group.allow_ingress(f"valkey-from-cidr-{index}", description=f"Valkey from {cidr} (config)",
                                              protocol="tcp", port=PORT, cidr=cidr)

        self._secret = aws.secretsmanager_secret.SecretsmanagerSecret(
            self, "auth-token", name=f"{environment}/valkey/{name}/auth-token", kms_key_id=key.key_arn,
            description=f"AUTH token of the {name} Valkey cache", recovery_window_in_days=7,
        )
        generated = EphemeralResource(
            # ElastiCache tokens: 16-128 printable characters without / " @ or spaces.
            self, "auth-token-generator", type_="aws_secretsmanager_random_password",
            arguments={"password_length": 64, "exclude_punctuation": True},
        )
        version = aws.secretsmanager_secret_version.SecretsmanagerSecretVersion(
            self, "auth-token-value", secret_id=self._secret.id, secret_string_wo=generated.attribute("random_password"),
            secret_string_wo_version=config.auth_token_version,
        )
        current = aws.data_aws_secretsmanager_secret_version.DataAwsSecretsmanagerSecretVersion(
            self, "auth-token-current", secret_id=self._secret.id, depends_on=[version],
        )

        self._group = _rg.ElasticacheReplicationGroup(
            self,
            "replication-group",
            replication_group_id=name,
            description=f"Valkey cache {name}",
            engine="valkey",
            engine_version=config.engine_version,
            node_type=config.node_type,
            num_cache_clusters=config.num_cache_clusters,
            port=PORT,
            parameter_group_name=parameter_group.name,
            subnet_group_name=subnet_group.name,
            security_group_ids=[self.security_group.security_group_id],
            automatic_failover_enabled=config.automatic_failover,
            multi_az_enabled=config.multi_az,
            at_rest_encryption_enabled="true",
            kms_key_id=key.key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=current.secret_string,
            auth_token_update_strategy="ROTATE",
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=config.snapshot_window,
            maintenance_window=config.maintenance_window,
            auto_minor_version_upgrade="true",
            apply_immediately=False,
            log_delivery_configuration=[_rg.ElasticacheReplicationGroupLogDeliveryConfiguration(
                destination=slow_log.name, destination_type="cloudwatch-logs", log_format="json", log_type="slow-log")],
            # A protected cache keeps its data even when protection is lifted: destroy snapshots first.
            final_snapshot_identifier=f"{name}-final" if config.prevent_destroy else None,
            lifecycle=lifecycle(prevent_destroy=config.prevent_destroy),
        )

    @property
    def primary_endpoint_address(self) -> str:
        return self._group.primary_endpoint_address

    @property
    def reader_endpoint_address(self) -> str:
        return self._group.reader_endpoint_address

    @property
    def port(self) -> int:
        return PORT

    @property
    def auth_token_secret_arn(self) -> str:
        return self._secret.arn

    @property
    def security_group_id(self) -> str:
        return self.security_group.security_group_id
