"""What the VPN server's section holds on every cloud but AWS (``vpn`` on Google Cloud and Azure; AWS's
``ec2`` predates it and keeps its own shape): the same Pritunl server, Jenkins agent and Docker registry
from templates/vpn-server.cloud-init.yaml. Each cloud's section adds its machine, image and way in."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt

from officeless.config import versions
from officeless.config.ec2 import IngressConfig, Version, check_public_exposure
from officeless.config.types import Model, Name
from officeless.errors import FieldError


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


def check_vpn_fits(vpn: VpnServerBase, *, network_cidr: str, production: bool, way_in: str, cluster_minor: str) -> None:
    """The ``vpn`` section against the environment (check_public_exposure: nothing public that must not
    be, SSH from the internet never in production, ``way_in`` named instead), and kubectl within one
    minor of the cluster's API server; one line naming ``vpn.<field>`` otherwise."""
    try:
        check_public_exposure(vpn, network_cidr, production=production, way_in=way_in)
    except FieldError as exc:
        raise FieldError(f"vpn.{exc.subpath}", str(exc)) from None
    series = vpn.software.kubectl_series  # type: ignore[attr-defined]
    allowed = [f"v{versions.previous_minor(cluster_minor)}", f"v{cluster_minor}", f"v{versions.next_minor(cluster_minor)}"]
    if series not in allowed:
        raise FieldError("vpn.software.kubectl_series", f"{series!r} with the cluster on {cluster_minor}; kubectl is supported "
                                                        f"within one minor of the API server; allowed: {', '.join(allowed)}")
