"""Builds the CDKTF app: every stack of one environment, in deploy order."""

from __future__ import annotations

from officeless.config.backend import S3BackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import core
from stacks.access import AccessStack
from stacks.bootstrap import StateBootstrapStack
from stacks.ec2 import Ec2Stack
from stacks.eks import EksStack
from stacks.helm import HelmStack
from stacks.platform import PlatformServicesStack
from stacks.s3 import S3Stack
from stacks.valkey import ValkeyStack
from stacks.vpc import VpcStack


def build_app(config: PlatformConfig, outdir: str) -> core.App:
    # stack_traces=False keeps machine-specific file paths out of the synthesized JSON.
    app = core.App(outdir=outdir, stack_traces=False)
    if isinstance(config.backend, S3BackendConfig):
        StateBootstrapStack(app, config=config)
    vpc = VpcStack(app, config=config)
    eks = EksStack(app, config=config, network=vpc.network)
    s3 = S3Stack(app, config=config)
    Ec2Stack(app, config=config, network=vpc.network)
    access = AccessStack(app, config=config, eks=eks)
    helm = HelmStack(app, config=config, eks=eks, s3=s3)
    # Mapped before it runs: 05-helm deploys as an identity 06-access grants.
    helm.add_dependency(access)
    if config.external_secrets.enabled or config.argocd is not None:
        PlatformServicesStack(app, config=config, eks=eks, helm=helm, access=access)
    ValkeyStack(app, config=config, network=vpc.network, cluster=eks.cluster)
    return app
