"""External Secrets Operator (08-platform): Secrets Manager secrets as Kubernetes Secrets.

The controller reads through a Pod Identity role limited to the environment's name prefixes
(``external_secrets.secret_prefixes``; dev: ``dev/*`` and ``staging/*``, production
``production/*``), plus KMS decrypt through Secrets Manager for those secrets only. One
ClusterSecretStore, ``aws-secrets-manager``, serves every namespace (the ``external-secrets.io/v1``
API). The store is a custom resource: it comes in a release of its own after the operator's
(the project's manifests chart), as Karpenter's NodePool does, never through a plan-time CRD lookup.
"""

from __future__ import annotations

from typing import Sequence

from components.addon_policies import read_secrets
from components.addons.base import Addon
from components.addons.common import Values, containers, resources
from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource
from components.iam import Statement
from components.manifests import ManifestsRelease
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.platform_services import ExternalSecretsConfig
from officeless.tf import Construct, core

RELEASE = "external-secrets"
NAMESPACE = "external-secrets"
STORE = "aws-secrets-manager"
# Deployment component -> (values key, container) in chart 2.9.0.
COMPONENTS = {"controller": (None, "external-secrets"), "webhook": ("webhook", "webhook"),
              "cert-controller": ("certController", "cert-controller")}


def policy(ctx: AwsContext, prefixes: Sequence[str]) -> list[Statement]:
    """Read (GetSecretValue, DescribeSecret) and decrypt via Secrets Manager only the secrets
    under ``prefixes``; one pair of statements per prefix."""
    out: list[Statement] = []
    for i, prefix in enumerate(prefixes):
        out += read_secrets(ctx, prefix, sids=(f"ReadSecretsUnderPrefix{i}", f"DecryptThemViaSecretsManager{i}"))
    return out


def values(helm: HelmConfig) -> Values:
    out: Values = {
        "installCRDs": True,  # templates in this chart: upgraded with every version bump
        "serviceAccount": {"create": True, "name": RELEASE},
        "webhook": {}, "certController": {},
    }
    for component, (key, container) in COMPONENTS.items():
        size = helm.size(RELEASE, component)
        target = out if key is None else out[key]
        target["resources"] = resources(size.containers[container])
        target["replicaCount"] = size.replicas
    return out


def store(region: str) -> Values:
    """The ClusterSecretStore: Secrets Manager of this region, with the controller's own (Pod
    Identity) credentials; no auth block, so no access key anywhere."""
    return {"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore", "metadata": {"name": STORE},
            "spec": {"provider": {"aws": {"service": "SecretsManager", "region": region}}}}


def workloads(helm: HelmConfig) -> list[Workload]:
    return [Workload(f"external-secrets {component}", f"helm.sizes.{RELEASE}.{component}", "Deployment",
                     containers(helm.size(RELEASE, component)), replicas=helm.size(RELEASE, component).replicas or 1)
            for component in COMPONENTS]


class ExternalSecretsOperator(Addon):
    """:param config: the validated ``external_secrets`` section.
    :param environment: whose prefixes apply when ``secret_prefixes`` is unset.
    :param region: the store's region. :param helm: sizes. :param timeout_seconds: Helm wait.
    :param depends_on: what must exist first (the namespace). Default: nothing.
    """

    source = ChartSource("https://charts.external-secrets.io", "external-secrets")
    namespace = NAMESPACE
    service_account = RELEASE

    def __init__(self, scope: Construct, id_: str = RELEASE, *, cluster: EksCluster, config: ExternalSecretsConfig,
                 environment: str, region: str, helm: HelmConfig, timeout_seconds: int,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        super().__init__(scope, id_, cluster=cluster, version=config.version, timeout_seconds=timeout_seconds,
                         depends_on=depends_on, values=values(helm),
                         statements=policy(AwsContext.of(scope), config.prefixes(environment)))
        self.store = ManifestsRelease(scope, f"{id_}-store", release_name=f"{RELEASE}-store", namespace=NAMESPACE,
                                      manifests=[store(region)], timeout_seconds=timeout_seconds,
                                      depends_on=[self.resource])
