"""VPC endpoints: S3 through a gateway endpoint, other AWS APIs through interface endpoints.

The gateway endpoint is free and carries every request to S3 of this region (Mimir, Loki and
Tempo blocks, ECR image layers) past the NAT gateway, which bills per GB:
https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html. Interface endpoints
bill per AZ-hour (README "VPC endpoints"); with private DNS on, the service's usual name resolves
to the endpoint inside the VPC, so no client changes:
https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
"""

from __future__ import annotations

from typing import Mapping, Sequence

from components.security_group import SecurityGroup
from officeless.tf import Construct, aws


class VpcEndpoints(Construct):
    """:param name: prefix of the endpoints' Name tags and of their security group.
    :param vpc_id: the VPC.
    :param vpc_cidr_block: the only source the interface endpoints accept (443).
    :param region: the region of the services (``com.amazonaws.<region>.<service>``).
    :param route_table_ids: route tables (by kind) that get the S3 gateway endpoint's prefix-list
        route. Default: none (no gateway endpoint).
    :param interface_services: services that get an interface endpoint. Default: none.
    :param subnet_ids: one subnet per AZ for the interface endpoints (the private ones).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, vpc_id: str, vpc_cidr_block: str, region: str,
                 route_table_ids: Mapping[str, str] | None = None, interface_services: Sequence[str] = (),
                 subnet_ids: Sequence[str] = ()) -> None:
        super().__init__(scope, id_)
        if route_table_ids:
            aws.vpc_endpoint.VpcEndpoint(
                self, "s3", vpc_id=vpc_id, service_name=f"com.amazonaws.{region}.s3", vpc_endpoint_type="Gateway",
                route_table_ids=list(route_table_ids.values()), tags={"Name": f"{name}-s3"},
            )
        if not interface_services:
            return
        group = SecurityGroup(self, "sg", name=f"{name}-endpoints", vpc_id=vpc_id,
                              description=f"Interface endpoints of {name}: HTTPS from the VPC")
        group.allow_ingress("https-from-vpc", description="HTTPS to the AWS APIs from the VPC", protocol="tcp", port=443,
                            cidr=vpc_cidr_block)
        for service in interface_services:
            aws.vpc_endpoint.VpcEndpoint(
                self, service.replace(".", "-"), vpc_id=vpc_id, service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface", private_dns_enabled=True, subnet_ids=list(subnet_ids),
                security_group_ids=[group.security_group_id], tags={"Name": f"{name}-{service}"},
            )
