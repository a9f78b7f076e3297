"""What the VPN server's section holds on every cloud but AWS (``vpn`` on Google Cloud and Azure; AWS's
``ec2`` predates it and keeps its own shape): the same Pritunl server, Jenkins agent and Docker registry
from templates/vpn-server.cloud-init.yaml. Each cloud's section adds its machine, image and way in."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt

from officeless.config.ec2 import IngressConfig, Version
from officeless.config.types import Model, Name


class VpnSoftwareBase(Model):
    """What the cloud-init installs beside the cloud's own CLI (each cloud adds its pins). Apt pins
    accept globs."""

    pritunl: Version
    mongodb_series: Version
    mongodb: Version
    kubectl_series: Version  # pkgs.k8s.io minor, e.g. v1.35 (within one minor of the cluster)
    java: Annotated[StrictInt, Field(ge=17)]
    yq: Version
    docker_registry: Version


class VpnServerBase(Model):
    """04-vpn's fields every cloud shares (check_vpn_server checks them)."""

    name: Name = "vpn"
    root_volume_gb: Annotated[StrictInt, Field(le=65536)] = 20
    data_volume_gb: Annotated[StrictInt, Field(le=65536)] = 20
    allow_public_ssh: StrictBool = False
    wireguard_enabled: StrictBool = True
    wireguard_port: Annotated[StrictInt, Field(ge=1024, le=65535)] = 51820
    # Sources per service ('vpc': the cluster network's node and pod ranges).
    ingress: IngressConfig = IngressConfig()
    jenkins_agent_user: Name = "jenkins"
    prevent_destroy: StrictBool = True  # the data disk (and its key, where it has one)
