"""01-vpc: the platform network and its flow logs."""

from __future__ import annotations

from components.flow_logs import VpcFlowLogs
from components.network import Network
from components.vpc_endpoints import VpcEndpoints
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "01-vpc"


class VpcStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, NAME, config=config)
        self.network = Network(self, "network", vpc=config.vpc, cluster_name=config.eks.cluster_name,
                               karpenter_discovery=config.karpenter.enabled)
        if config.vpc.flow_logs.enabled:
            VpcFlowLogs(self, "flow-logs", vpc_id=self.network.vpc_id, name=config.vpc.name, config=config.vpc.flow_logs)
        endpoints = config.vpc.endpoints
        if endpoints.s3_gateway or endpoints.interface:
            VpcEndpoints(self, "endpoints", name=config.vpc.name, vpc_id=self.network.vpc_id,
                         vpc_cidr_block=self.network.vpc_cidr_block, region=config.region,
                         route_table_ids=self.network.route_table_ids if endpoints.s3_gateway else {},
                         interface_services=endpoints.interface, subnet_ids=self.network.private_subnet_ids)

        net = self.network
        self.output("vpc_id", net.vpc_id, "ID of the VPC")
        self.output("vpc_cidr_block", net.vpc_cidr_block, "CIDR block of the VPC")
        self.output("public_subnet_ids", net.public_subnet_ids, "IDs of the public subnets, in config order")
        self.output("private_subnet_ids", net.private_subnet_ids, "IDs of the private subnets, in config order")
        self.output("nat_public_ip", net.nat_public_ip, "Public IP of the NAT gateway (egress address of private subnets)")
