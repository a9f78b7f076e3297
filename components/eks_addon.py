"""One EKS managed addon at a pinned version."""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from components.eks_cluster import EksCluster
from officeless.tf import Construct, aws, core


class EksAddon(Construct):
    """:param cluster: the cluster.
    :param name: addon name, e.g. ``vpc-cni``.
    :param version: pinned ``vX.Y.Z-eksbuild.N``.
    :param configuration: the addon's configuration values (its JSON schema:
        ``aws eks describe-addon-configuration``). Default: none.
    :param depends_on: what must exist first (ordering against the node group). Default: nothing.
    Conflicts: on create our version overwrites whatever EKS put there; on update, settings
    someone changed in the cluster are preserved rather than silently reverted.
    """

    def __init__(self, scope: Construct, id_: str, *, cluster: EksCluster, name: str, version: str,
                 configuration: Mapping[str, Any] | None = None,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        super().__init__(scope, id_)
        self._addon = aws.eks_addon.EksAddon(
            self, "addon", cluster_name=cluster.cluster_name, addon_name=name, addon_version=version,
            configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="PRESERVE",
            depends_on=list(depends_on) or None,
        )

    @property
    def resource(self) -> aws.eks_addon.EksAddon:
        return self._addon
