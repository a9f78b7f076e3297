"""The 04-ec2 section: the Pritunl VPN server that is also the CI agent."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aws_limits import INSTANCE_FAMILIES, instance_architecture
from officeless.config.types import Model, Name, Text, check_cidr, matching
from officeless.errors import FieldError

VPC = "vpc"  # a source meaning "the VPC's CIDR" (read from 01-vpc)
ANYWHERE = "0.0.0.0/0"


def _check_source(value: str) -> str:
    return value if value == VPC else check_cidr(value, "allowed: a CIDR like 203.0.113.0/24, or 'vpc'")


Source = Annotated[StrictStr, AfterValidator(_check_source)]
Version = Annotated[StrictStr, matching(r"[A-Za-z0-9.*~+:-]+", "a version; allowed: letters, digits and . * ~ + : -")]


class IngressConfig(Model):
    """Sources allowed per service; one security group rule per (port, source). 'vpc' = the VPC CIDR."""

    ssh: list[Source] = []  # 22/tcp. Default: closed (use SSM Session Manager).
    openvpn: list[Source] = [ANYWHERE]  # 1194/udp
    http: list[Source] = [ANYWHERE]  # 80/tcp: Pritunl redirect and ACME HTTP-01
    https: list[Source] = [ANYWHERE]  # 443/tcp: Pritunl web console
    jenkins_agent: list[Source] = [VPC]  # 50000/tcp (JNLP)
    docker_registry: list[Source] = [VPC]  # 5000/tcp
    wireguard: list[Source] = [ANYWHERE]  # wireguard_port/udp, only when wireguard_enabled


class SoftwareConfig(Model):
    """Versions installed by the user data. Apt pins accept globs (``1.32.*``)."""

    pritunl: Version  # apt pin of the pritunl package
    mongodb_series: Version  # repository series, e.g. 8.0
    mongodb: Version  # apt pin of mongodb-org, e.g. 8.0.*
    kubectl_series: Version  # pkgs.k8s.io minor, e.g. v1.33 (match the cluster)
    java: Annotated[StrictInt, Field(ge=17)]  # OpenJDK major, 21
    awscli: Version  # AWS CLI v2 release, e.g. 2.27.50
    yq: Version  # mikefarah/yq release tag, e.g. v4.45.4
    docker_registry: Version  # tag of the registry image, e.g. 2.8.3


def _check_instance_type(value: str) -> str:
    architecture = instance_architecture(value)
    if architecture is None:
        raise ValueError(f"{value!r} is not an EC2 instance type; allowed: <family>.<size> of the families in "
                         f"officeless/config/aws_limits.py ({', '.join(INSTANCE_FAMILIES)})")
    if architecture != "x86_64":
        raise ValueError(f"{value!r} is {architecture}; the VPN server's AMI is Ubuntu amd64; allowed: an x86_64 type")
    return value


# Users the Jenkins agent must not run as: root, or a system account (uid < 1000 on Ubuntu).
SYSTEM_USERS = ("root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
                "www-data", "backup", "list", "irc", "nobody", "systemd-network", "systemd-resolve", "messagebus",
                "sshd", "syslog", "ubuntu", "mongodb", "pritunl", "docker")
# Ranges that are not the internet: RFC 1918 private networks and carrier-grade NAT (VPN clients).
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
# Services that must never face the internet (no authentication of their own).
INTERNAL_SERVICES = ("jenkins_agent", "docker_registry")
# Fixed ports of the services (wireguard's is configurable): (port, protocol).
PORTS = {"ssh": (22, "tcp"), "openvpn": (1194, "udp"), "http": (80, "tcp"), "https": (443, "tcp"),
         "jenkins_agent": (50000, "tcp"), "docker_registry": (5000, "tcp")}


def is_public(source: str, vpc_cidr: str) -> bool:
    """True when ``source`` covers any address outside the VPC and the private ranges."""
    if source == VPC:
        return False
    network = ipaddress.IPv4Network(source)
    inside = [ipaddress.IPv4Network(vpc_cidr), *PRIVATE_RANGES]
    remaining = [network]
    for block in inside:
        remaining = [part for net in remaining for part in (net.address_exclude(block) if block.subnet_of(net) else
                                                              ([] if net.subnet_of(block) else [net]))]
    return bool(remaining)


class Ec2Config(Model):
    name: Name  # Name tag of the instance and prefix of its resources
    instance_type: Annotated[StrictStr, AfterValidator(_check_instance_type)]
    subnet: StrictStr  # name of a public subnet of vpc
    # Latest AMI matching owner + name pattern (Canonical's Ubuntu 24.04 LTS amd64).
    ami_owner: Annotated[StrictStr, Field(pattern=r"^\d{12}$")]
    # One wildcard at most, in the last '/'-segment after a literal stem: the newest image of one
    # family. A broader pattern ('*', 'ubuntu/*') takes whatever the owner published last, of any
    # release or architecture.
    ami_name_pattern: Annotated[Text, matching(r"[^*?]+/[^*?/]+(\*[^*?/]*)?",
                                               "an image family's name pattern; allowed: one '*' at most, in the last "
                                               "'/'-segment after a literal stem, e.g. ubuntu/images/hvm-ssd-gp3/"
                                               "ubuntu-noble-24.04-amd64-server-*")]
    termination_protection: StrictBool  # on in production
    # CloudWatch detailed (1-minute) monitoring. Default on.
    detailed_monitoring: StrictBool = True
    root_volume_gb: Annotated[StrictInt, Field(le=16384)]
    data_volume_gb: Annotated[StrictInt, Field(le=16384)]
    # Opening SSH to 0.0.0.0/0 needs this explicit acknowledgement. Default false.
    allow_public_ssh: StrictBool = False
    wireguard_enabled: StrictBool = True
    wireguard_port: Annotated[StrictInt, Field(ge=1024, le=65535)] = 51820
    ingress: IngressConfig = IngressConfig()
    jenkins_agent_user: Name = "jenkins"
    # Terraform refuses to destroy or replace the data volume (Pritunl's MongoDB) and the volumes'
    # KMS key (lifecycle.prevent_destroy). Lift it deliberately before a teardown (README "Data
    # protection"). Default on; dev and local turn it off.
    prevent_destroy: StrictBool = True
    software: SoftwareConfig

    @model_validator(mode="after")
    def _checks(self) -> "Ec2Config":
        check_vpn_server(self)
        return self

    def public_sources(self, service: str, vpc_cidr: str) -> list[str]:
        """The sources of ``ingress.<service>`` that reach public addresses."""
        return [source for source in getattr(self.ingress, service) if is_public(source, vpc_cidr)]

    def public_ssh(self, vpc_cidr: str) -> list[tuple[int, str]]:
        """(index, source) of the SSH sources that reach public addresses."""
        return [(i, source) for i, source in enumerate(self.ingress.ssh) if is_public(source, vpc_cidr)]

    def check_public(self, vpc_cidr: str, *, production: bool = False) -> None:
        check_public_exposure(self, vpc_cidr, production=production)


def check_vpn_server(server) -> None:
    """What a VPN server section must hold on any cloud (``ec2`` on AWS, ``vpn`` on Google Cloud):
    volumes of at least 8 GB, each ingress source once, a dedicated Jenkins agent user, WireGuard off
    the other services' UDP ports."""
    for field in ("root_volume_gb", "data_volume_gb"):
        size = getattr(server, field)
        if size < 8:
            raise FieldError(field, f"{size} GB is too small; allowed: at least 8 GB")
    for service in IngressConfig.model_fields:
        seen: dict[str, int] = {}
        for i, source in enumerate(getattr(server.ingress, service)):
            if source in seen:
                raise FieldError(f"ingress.{service}[{i}]", f"{source!r} duplicates ingress.{service}[{seen[source]}]; "
                                                            "list each source once")
            seen[source] = i
    if server.jenkins_agent_user in SYSTEM_USERS:
        raise FieldError("jenkins_agent_user", f"{server.jenkins_agent_user!r} is root or a system account (and joins the "
                                               "docker group); allowed: a dedicated user such as 'jenkins'")
    if server.wireguard_enabled:
        for service, (port, protocol) in PORTS.items():
            if protocol == "udp" and port == server.wireguard_port:
                raise FieldError("wireguard_port", f"{server.wireguard_port} is {service}'s port ({port}/udp); allowed: a "
                                                   "free UDP port from 1024, e.g. 51820")


def check_public_exposure(server, vpc_cidr: str, *, production: bool = False, way_in: str = "SSM Session Manager") -> None:
    """Public exposure judged by coverage, not by the literal 0.0.0.0/0: a source counts as public
    when it reaches any address outside the network (``vpc_cidr``) and the private ranges
    (0.0.0.0/1 + 128.0.0.0/1 is the whole internet too).

    SSH from the internet needs ``allow_public_ssh`` and is never allowed in production (the
    deployment guide documents SSH from inside; SSM Session Manager, or IAP on Google Cloud, is the
    way in from outside); the Docker registry (no authentication, templates/vpn-server.cloud-init.yaml)
    and the Jenkins agent port are never public.
    """
    for i, source in enumerate(server.ingress.ssh):
        if not is_public(source, vpc_cidr):
            continue
        if production:
            raise FieldError(f"ingress.ssh[{i}]", f"{source!r} opens SSH to the internet, never allowed in production; "
                                                  "allowed: vpc or private CIDRs such as the VPN client network "
                                                  f"({way_in} from outside)")
        if not server.allow_public_ssh:
            raise FieldError(f"ingress.ssh[{i}]", f"{source!r} opens SSH to the internet (it covers public addresses); "
                                                  f"allowed only with allow_public_ssh: true (prefer {way_in})")
    for service in INTERNAL_SERVICES:
        for i, source in enumerate(getattr(server.ingress, service)):
            if is_public(source, vpc_cidr):
                raise FieldError(f"ingress.{service}[{i}]", f"{source!r} covers public addresses, and {service} has no "
                                                            "authentication of its own; allowed: vpc or private CIDRs "
                                                            "(reach it over the VPN)")
