"""Builds the CDKTF app: every stack of one environment, in deploy order."""

from __future__ import annotations

from typing import Callable

from officeless.config.backend import CloudBackendConfig, S3BackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import core
from stacks.access import AccessStack
from stacks.backup import BackupStack
from stacks.bootstrap import StateBootstrapStack
from stacks.ec2 import Ec2Stack
from stacks.ecr import EcrStack
from stacks.eks import EksStack
from stacks.helm import HelmStack
from stacks.platform import PlatformServicesStack
from stacks.tfc import TfcIamStack, TfcWorkspacesStack
from stacks.s3 import S3Stack
from stacks.valkey import ValkeyStack
from stacks.vpc import VpcStack


def build_app(config: PlatformConfig, outdir: str) -> core.App:
    if config.cloud == "existing":
        from stacks.existing import build_existing_app

        return build_existing_app(config, outdir)
    if config.cloud == "gcp":
        from stacks.gcp import build_gcp_app

        return build_gcp_app(config, outdir)
    if config.cloud == "azure":
        from stacks.azure import build_azure_app

        return build_azure_app(config, outdir)
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
    if config.backup.enabled:
        BackupStack(app, config=config)
    if config.ecr.enabled:
        EcrStack(app, config=config)
    if isinstance(config.backend, CloudBackendConfig):
        add_terraform_cloud(app, config)
    return app


def stack_graph(app: core.App) -> tuple[dict[str, list[str]], list[str]]:
    """(stack -> the stacks it depends on, the stacks that talk to the Kubernetes API) of the
    stacks built so far. Cross-stack references register their dependencies while a stack is
    prepared for synthesis, so each is prepared here first (synthesis prepares it again, to the
    same result); the edges are then exactly manifest.json's."""
    stacks = [c for c in app.node.children if isinstance(c, core.TerraformStack)]
    for stack in stacks:
        stack.prepare_stack()
    graph = {s.node.id: sorted(d.node.id for d in s.dependencies) for s in stacks}
    # configure_cluster_providers names its Kubernetes provider "kubernetes".
    kubernetes = [s.node.id for s in stacks if s.node.try_find_child("kubernetes") is not None]
    return graph, kubernetes


def add_terraform_cloud(app: core.App, config, identity: Callable[[list[str]], core.TerraformStack] | None = None) -> None:
    """The target's identity stack and 00-tfc-workspaces, from the graph of the stacks already in ``app``.
    ``identity`` builds the target's from the stacks' names (default: AWS's 00-tfc-iam); its
    ``credentials()`` are the workspaces' dynamic-credential variables, which name what it creates."""
    graph, kubernetes = stack_graph(app)
    bootstrap = identity(list(graph)) if identity else TfcIamStack(app, config=config, stacks=list(graph))
    workspaces = TfcWorkspacesStack(app, config=config, graph=graph, agent_stacks=kubernetes,
                                    credentials=bootstrap.credentials())
    workspaces.add_dependency(bootstrap)
