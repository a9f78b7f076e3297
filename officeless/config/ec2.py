"""The 04-ec2 section: the Pritunl VPN server that is also the CI agent."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.eks import InstanceType
from officeless.config.types import Model, Name, check_cidr, matching
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


class Ec2Config(Model):
    name: Name  # Name tag of the instance and prefix of its resources
    instance_type: InstanceType
    subnet: StrictStr  # name of a public subnet of vpc
    # Latest AMI matching owner + name pattern (Canonical's Ubuntu 24.04 LTS amd64).
    ami_owner: Annotated[StrictStr, Field(pattern=r"^\d{12}$")]
    ami_name_pattern: StrictStr
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
    software: SoftwareConfig

    @model_validator(mode="after")
    def _checks(self) -> "Ec2Config":
        for field in ("root_volume_gb", "data_volume_gb"):
            size = getattr(self, field)
            if size < 8:
                raise FieldError(field, f"{size} GB is too small; allowed: at least 8 GB")
        if ANYWHERE in self.ingress.ssh and not self.allow_public_ssh:
            index = self.ingress.ssh.index(ANYWHERE)
            raise FieldError(f"ingress.ssh[{index}]", "'0.0.0.0/0' opens SSH to the internet; allowed only with allow_public_ssh: true (prefer SSM Session Manager)")
        return self
