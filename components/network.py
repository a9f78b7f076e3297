"""A VPC with one public and one private subnet per AZ and a single NAT gateway.

Layout after terraform-aws-modules/vpc with ``single_nat_gateway = true``: one public route
table to the internet gateway, one private route table to the NAT gateway, every subnet
associated. Subnets carry the tags the AWS Load Balancer Controller uses to discover them:
https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html#_subnet_tagging
"""

from __future__ import annotations

from officeless.config.vpc import SubnetConfig, VpcConfig
from officeless.tf import Construct, aws


class Network(Construct):
    """Construct ids are keyed by AZ (``public-us-east-1a``): renaming one recreates the subnet.

    :param vpc: the validated ``vpc`` config section (CIDRs, subnets, switches).
    :param cluster_name: EKS cluster whose subnet-discovery tag
        ``kubernetes.io/cluster/<name> = shared`` every subnet carries.
    :param karpenter_discovery: tag the private subnets ``karpenter.sh/discovery = <cluster>``,
        where the EC2NodeClass looks for subnets to launch nodes in. Default False.
    """

    def __init__(self, scope: Construct, id_: str, *, vpc: VpcConfig, cluster_name: str,
                 karpenter_discovery: bool = False) -> None:
        super().__init__(scope, id_)
        self._vpc = aws.vpc.Vpc(
            self,
            "vpc",
            cidr_block=vpc.cidr,
            enable_dns_support=vpc.enable_dns_support,
            enable_dns_hostnames=vpc.enable_dns_hostnames,
            tags={"Name": vpc.name},
        )
        cluster_tag = {f"kubernetes.io/cluster/{cluster_name}": "shared"}
        self._public = [
            self._subnet("public", s, {"kubernetes.io/role/elb": "1", **cluster_tag}) for s in vpc.public_subnets
        ]
        self._private = [
            self._subnet("private", s, {"kubernetes.io/role/internal-elb": "1", **cluster_tag,
                                        **({"karpenter.sh/discovery": cluster_name} if karpenter_discovery else {})})
            for s in vpc.private_subnets
        ]

        self._private_azs = [s.availability_zone for s in vpc.private_subnets]

        igw = aws.internet_gateway.InternetGateway(
            self, "igw", vpc_id=self._vpc.id, tags={"Name": f"{vpc.name}-igw"}
        )
        # The EIP and NAT need the IGW attached first (AWS: "NAT gateway ... requires an
        # internet gateway"); Terraform cannot infer that from attribute references.
        self._nat_eip = aws.eip.Eip(
            self, "nat-eip", domain="vpc", tags={"Name": f"{vpc.name}-nat-eip"}, depends_on=[igw]
        )
        nat_subnet = self._public[[s.name for s in vpc.public_subnets].index(vpc.nat_gateway_subnet)]
        nat = aws.nat_gateway.NatGateway(
            self,
            "nat",
            allocation_id=self._nat_eip.id,
            subnet_id=nat_subnet.id,
            tags={"Name": f"{vpc.name}-nat"},
            depends_on=[igw],
        )

        self._route_tables = {
            "public": self._route_table("public", vpc.name, self._public, vpc.public_subnets, gateway_id=igw.id),
            "private": self._route_table("private", vpc.name, self._private, vpc.private_subnets, nat_gateway_id=nat.id),
        }

        if vpc.restrict_default_security_group:
            # Adopting the default SG with no rule blocks removes all of its rules.
            aws.default_security_group.DefaultSecurityGroup(
                self, "default-sg", vpc_id=self._vpc.id, tags={"Name": f"{vpc.name}-default-unused"}
            )

    def _subnet(self, kind: str, subnet: SubnetConfig, tags: dict[str, str]) -> aws.subnet.Subnet:
        return aws.subnet.Subnet(
            self,
            f"{kind}-{subnet.availability_zone}",
            vpc_id=self._vpc.id,
            cidr_block=subnet.cidr,
            availability_zone=subnet.availability_zone,
            # Nothing launched here gets a public IP by accident; the VPN server uses an EIP.
            map_public_ip_on_launch=False,
            tags={"Name": subnet.name, **tags},
        )

    def _route_table(self, kind, vpc_name, subnets, configs, **target) -> aws.route_table.RouteTable:
        table = aws.route_table.RouteTable(self, f"{kind}-rt", vpc_id=self._vpc.id, tags={"Name": f"{vpc_name}-{kind}-rt"})
        aws.route.Route(self, f"{kind}-default-route", route_table_id=table.id, destination_cidr_block="0.0.0.0/0", **target)
        for subnet, config in zip(subnets, configs):
            aws.route_table_association.RouteTableAssociation(
                self, f"{kind}-rta-{config.availability_zone}", subnet_id=subnet.id, route_table_id=table.id
            )
        return table

    @property
    def vpc_id(self) -> str:
        return self._vpc.id

    @property
    def vpc_cidr_block(self) -> str:
        return self._vpc.cidr_block

    @property
    def public_subnet_ids(self) -> list[str]:
        return [s.id for s in self._public]

    @property
    def private_subnet_ids(self) -> list[str]:
        return [s.id for s in self._private]

    @property
    def public_subnet_ids_by_name(self) -> dict[str, str]:
        return {s.tags_input["Name"]: s.id for s in self._public}

    @property
    def private_subnet_ids_by_az(self) -> dict[str, str]:
        return {az: s.id for az, s in zip(self._private_azs, self._private)}

    @property
    def route_table_ids(self) -> dict[str, str]:
        """Route table id by kind (private, public)."""
        return {kind: table.id for kind, table in self._route_tables.items()}

    @property
    def nat_public_ip(self) -> str:
        return self._nat_eip.public_ip
