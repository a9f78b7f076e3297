"""04-ec2: the Pritunl VPN server, which also hosts the Jenkins agent and a Docker registry."""

from __future__ import annotations

from components.network import Network
from components.vpn_server import VpnServer
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "04-ec2"


class Ec2Stack(PlatformStack):
    """:param network: 01-vpc's network (subnet, VPC CIDR); cross-stack references."""

    def __init__(self, scope: Construct, *, config: PlatformConfig, network: Network) -> None:
        super().__init__(scope, NAME, config=config)
        subnet = next(s for s in config.vpc.public_subnets if s.name == config.ec2.subnet)
        self.server = VpnServer(
            self, "vpn", config=config.ec2, vpc_id=network.vpc_id, vpc_cidr_block=network.vpc_cidr_block,
            subnet_id=network.public_subnet_ids_by_name[subnet.name], availability_zone=subnet.availability_zone,
            backup_plan=config.backup_plan_name,
        )
        s = self.server
        self.output("instance_id", s.instance_id, "ID of the VPN server instance")
        self.output("public_ip", s.public_ip, "Elastic IP of the VPN server (VPN clients connect here)")
        self.output("private_ip", s.private_ip, "Private IP of the VPN server")
        self.output("security_group_id", s.security_group_id, "Security group of the VPN server")
