"""Builds the CDKTF app: every stack of one environment, in deploy order."""

from __future__ import annotations

from officeless.config.platform import PlatformConfig
from officeless.tf import core
from stacks.eks import EksStack
from stacks.vpc import VpcStack


def build_app(config: PlatformConfig, outdir: str) -> core.App:
    # stack_traces=False keeps machine-specific file paths out of the synthesized JSON.
    app = core.App(outdir=outdir, stack_traces=False)
    vpc = VpcStack(app, config=config)
    EksStack(app, config=config, network=vpc.network)
    return app
