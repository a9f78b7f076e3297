"""A security group whose rules are separate resources, one per port and source.

Separate ``aws_vpc_security_group_ingress_rule``/``egress_rule`` resources (not inline
blocks) give each rule its own id, description and tags, and let checkov see every open
port: it reads the explicit nulls of inline rules as "set".
"""

from __future__ import annotations

from officeless.tf import Construct, aws


class SecurityGroup(Construct):
    """:param name: the group's name (also its Name tag).
    :param description: required by AWS; say what uses the group.
    :param vpc_id: the VPC the group belongs to.
    Starts with no rules: no ingress, and no egress until ``allow_egress`` adds some.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, description: str, vpc_id: str) -> None:
        super().__init__(scope, id_)
        self._group = aws.security_group.SecurityGroup(
            self, "group", name=name, description=description, vpc_id=vpc_id, tags={"Name": name}
        )
        # Terraform removes the allow-all egress rule AWS adds to new groups, so only the
        # rules declared here apply. No inline ingress/egress: they would fight the rule resources.
        self._name = name

    @property
    def security_group_id(self) -> str:
        return self._group.id

    def allow_ingress(self, id_: str, *, description: str, protocol: str, port: int | None = None,
                      to_port: int | None = None, cidr: str | None = None, source_security_group_id: str | None = None) -> None:
        """One ingress rule from exactly one source: a CIDR or a security group."""
        self._rule(aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule, f"ingress-{id_}", description,
                   protocol, port, to_port, cidr, source_security_group_id)

    def allow_egress(self, id_: str, *, description: str, protocol: str, port: int | None = None,
                     to_port: int | None = None, cidr: str | None = None, destination_security_group_id: str | None = None) -> None:
        """One egress rule to exactly one destination: a CIDR or a security group."""
        self._rule(aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule, f"egress-{id_}", description,
                   protocol, port, to_port, cidr, destination_security_group_id)

    def _rule(self, cls, id_, description, protocol, port, to_port, cidr, peer_group) -> None:
        if (cidr is None) == (peer_group is None):
            raise ValueError(f"security group rule {id_}: give exactly one of a CIDR or a security group")
        all_traffic = protocol == "-1"
        cls(
            self,
            id_,
            security_group_id=self._group.id,
            description=description,
            ip_protocol=protocol,
            from_port=None if all_traffic else port,
            to_port=None if all_traffic else (to_port if to_port is not None else port),
            cidr_ipv4=cidr,
            referenced_security_group_id=peer_group,
            tags={"Name": f"{self._name}-{id_}"},
        )
