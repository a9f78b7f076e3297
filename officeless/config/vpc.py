"""The 01-vpc section: network layout and its production hardening switches."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictStr, model_validator

from officeless.config.aws_limits import INTERFACE_ENDPOINT_SERVICES
from officeless.config.types import Model, RetentionDays, Text, VpcBlock, one_of
from officeless.errors import FieldError


class SubnetConfig(Model):
    name: Text  # the Name tag, e.g. public-subnet-1a
    cidr: VpcBlock  # /16 to /28
    availability_zone: StrictStr  # must belong to the config's region

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.cidr)


class FlowLogsConfig(Model):
    """VPC flow logs into a CloudWatch log group (CIS AWS 3.9, checkov CKV2_AWS_11)."""

    enabled: StrictBool
    # Days CloudWatch keeps the logs. Default 365 (checkov CKV_AWS_338 asks for >= 1 year).
    retention_days: RetentionDays = 365
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"
    # Encrypt the log group with a customer-managed KMS key (rotation on). Default on.
    kms_encryption: StrictBool = True
    # Seconds over which packets are aggregated into one record: 60 or 600. Default 600.
    max_aggregation_interval: Literal[60, 600] = 600
    # Terraform refuses to destroy or replace the flow logs' KMS key (lifecycle.prevent_destroy):
    # without it the kept logs cannot be read. Lift it deliberately before a teardown (README "Data
    # protection"). Default on; dev and local turn it off.
    prevent_destroy: StrictBool = True


class EndpointsConfig(Model):
    """VPC endpoints, so AWS traffic of the private subnets bypasses the NAT gateway (billed per GB)."""

    # The S3 gateway endpoint on the private and public route tables: free, and it carries every
    # Mimir/Loki/Tempo block. Default on.
    s3_gateway: StrictBool = True
    # Interface endpoints (com.amazonaws.<region>.<name>) in the private subnets, private DNS on,
    # 443 from the VPC. Each costs per AZ per hour plus per GB (aws_limits.INTERFACE_ENDPOINT_HOURLY_USD;
    # README "VPC endpoints"). Default: none.
    interface: list[Annotated[StrictStr, one_of(INTERFACE_ENDPOINT_SERVICES, "an interface endpoint service")]] = []

    @model_validator(mode="after")
    def _once_each(self) -> "EndpointsConfig":
        for i, name in enumerate(self.interface):
            if name in self.interface[:i]:
                raise FieldError(f"interface[{i}]", f"{name!r} is listed twice; list each service once")
        return self


SubnetList = Annotated[list[SubnetConfig], Field(min_length=1)]


class VpcConfig(Model):
    name: Text  # Name tag of the VPC
    cidr: VpcBlock  # /16 to /28
    enable_dns_support: StrictBool = True
    enable_dns_hostnames: StrictBool = True
    public_subnets: SubnetList
    private_subnets: SubnetList
    # Name of the public subnet holding the single NAT gateway.
    nat_gateway_subnet: StrictStr
    flow_logs: FlowLogsConfig
    # Manage the VPC's default security group with no rules, so nothing can use it
    # by accident (CIS AWS 5.4, checkov CKV2_AWS_12). Default on.
    restrict_default_security_group: StrictBool = True
    endpoints: EndpointsConfig = EndpointsConfig()

    def all_subnets(self) -> list[tuple[str, SubnetConfig]]:
        """(field path, subnet) for every subnet, public first, in config order."""
        return [(f"public_subnets[{i}]", s) for i, s in enumerate(self.public_subnets)] + [
            (f"private_subnets[{i}]", s) for i, s in enumerate(self.private_subnets)
        ]

    @model_validator(mode="after")
    def _two_zones(self) -> "VpcConfig":
        # EKS needs subnets in at least two availability zones
        # (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html), and so does a
        # Multi-AZ Valkey replication group.
        zones = {s.availability_zone for s in self.private_subnets}
        if len(zones) < 2:
            raise FieldError("private_subnets", f"{len(self.private_subnets)} subnet(s) in {', '.join(sorted(zones))} only; "
                                                "allowed: subnets in at least two availability zones (EKS and a Multi-AZ "
                                                "Valkey need them)")
        return self

    @model_validator(mode="after")
    def _layout(self) -> "VpcConfig":
        vpc = ipaddress.IPv4Network(self.cidr)
        seen: list[tuple[str, SubnetConfig]] = []
        names: dict[str, str] = {}
        for path, subnet in self.all_subnets():
            if not subnet.network.subnet_of(vpc):
                raise FieldError(f"{path}.cidr", f"{subnet.cidr!r} lies outside the VPC {self.cidr}; every subnet must be inside vpc.cidr")
            for other_path, other in seen:
                if subnet.network.overlaps(other.network):
                    raise FieldError(f"{path}.cidr", f"{subnet.cidr!r} overlaps {other_path} ({other.cidr}); subnets must not overlap")
            if subnet.name in names:
                raise FieldError(f"{path}.name", f"{subnet.name!r} is already used by {names[subnet.name]}; subnet names must be unique")
            seen.append((path, subnet))
            names[subnet.name] = path
        for kind in ("public_subnets", "private_subnets"):
            azs: dict[str, int] = {}
            for i, subnet in enumerate(getattr(self, kind)):
                if subnet.availability_zone in azs:
                    raise FieldError(
                        f"{kind}[{i}].availability_zone",
                        f"{subnet.availability_zone!r} already has {kind}[{azs[subnet.availability_zone]}]; allowed: one public and one private subnet per AZ",
                    )
                azs[subnet.availability_zone] = i
        for kind, other in (("private", "public"), ("public", "private")):
            other_azs = [s.availability_zone for s in getattr(self, f"{other}_subnets")]
            for i, subnet in enumerate(getattr(self, f"{kind}_subnets")):
                if subnet.availability_zone not in other_azs:
                    raise FieldError(
                        f"{kind}_subnets[{i}].availability_zone",
                        f"{subnet.availability_zone!r} has no {other} subnet; allowed: one public and one private subnet per AZ ({', '.join(other_azs)})",
                    )
        public_names = [s.name for s in self.public_subnets]
        if self.nat_gateway_subnet not in public_names:
            raise FieldError("nat_gateway_subnet", f"{self.nat_gateway_subnet!r} is not a public subnet; allowed: {', '.join(public_names)}")
        return self

    @property
    def nat_subnet(self) -> SubnetConfig:
        return next(s for s in self.public_subnets if s.name == self.nat_gateway_subnet)
