"""Custom resources deployed in the same run as the release that installs their CRDs.

A ``kubernetes_manifest`` needs its CRD at plan time, which on a new cluster does not exist yet;
a Helm release is rendered only at apply time. So custom resources the project writes
(Karpenter's NodePool and EC2NodeClass, External Secrets' store and ExternalSecrets, the load
balancer controller's IngressClassParams) go through ``charts/manifests``: a chart of one
template that renders the objects passed in its values, as they are. It ships with each stack
that uses it as one asset (copied into the stack's folder, so Terraform Cloud runs have it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from components.helm_chart import ChartSource, HelmChart
from officeless.tf import Construct, core

CHART = Path(__file__).resolve().parents[1] / "charts" / "manifests"
_ASSET_ID = "manifests-chart"


def chart_path(scope: Construct) -> str:
    """The manifests chart's path inside ``scope``'s stack folder (one asset per stack)."""
    stack = core.TerraformStack.of(scope)
    asset = stack.node.try_find_child(_ASSET_ID)
    if not isinstance(asset, core.TerraformAsset):
        asset = core.TerraformAsset(stack, _ASSET_ID, path=str(CHART), type=core.AssetType.DIRECTORY)
    return asset.path


class ManifestsRelease(HelmChart):
    """A release of ``charts/manifests`` applying ``manifests``.

    :param release_name: the Helm release name. :param namespace: the release's namespace (and
        that of namespaced objects that name none).
    :param manifests: complete Kubernetes objects (apiVersion, kind, metadata, spec).
    :param timeout_seconds: Helm's wait. :param depends_on: what must exist first, usually the
        release installing the CRDs. Default: nothing.
    """

    def __init__(self, scope: Construct, id_: str, *, release_name: str, namespace: str,
                 manifests: Sequence[Mapping[str, Any]], timeout_seconds: int,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        super().__init__(scope, id_, release_name=release_name, source=ChartSource(None, chart_path(scope)), version=None,
                         namespace=namespace, values={"manifests": [dict(m) for m in manifests]},
                         timeout_seconds=timeout_seconds, depends_on=depends_on)
