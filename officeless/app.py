"""Builds the CDKTF app: every stack of one environment, in deploy order."""

from __future__ import annotations

from officeless.config.platform import PlatformConfig
from officeless.tf import core
from stacks.vpc import VpcStack


def build_app(config: PlatformConfig, outdir: str) -> core.App:
    # stack_traces=False keeps machine-specific file paths out of the synthesized JSON.
    app = core.App(outdir=outdir, stack_traces=False)
    VpcStack(app, config=config)
    return app
