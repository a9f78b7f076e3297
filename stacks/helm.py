"""05-helm: cluster addons, storage classes, and the observability stack on the 03-s3 buckets.

This stack builds the 05-helm entries of the addon catalog (components/addons/catalog.py: when
each runs, its pods, how it is built; one module per addon in components/addons/), in catalog
order; before it builds anything it proves that every running addon's pods fit the environment's
minimum nodes (officeless/capacity.py).
"""

from __future__ import annotations

from components.addons import catalog
from components.cluster_providers import configure_cluster_providers
from officeless.config.backend import CloudBackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack
from stacks.eks import EksStack
from stacks.s3 import S3Stack

NAME = "05-helm"


class HelmStack(PlatformStack):
    """:param eks: 02-eks (cluster endpoint, CA, name, VPC, EFS); :param s3: 03-s3 (buckets and
    their key). Their attributes become cross-stack references.

    Raises :class:`officeless.capacity.CapacityError` when the pods do not fit the minimum nodes.
    """

    def __init__(self, scope: Construct, *, config: PlatformConfig, eks: EksStack, s3: S3Stack) -> None:
        catalog.check_capacity(config)
        super().__init__(scope, NAME, config=config)
        # Declared, not only inferred: with observability off nothing references 03-s3, yet the
        # deploy order must not change with a feature switch.
        self.add_dependency(s3)
        configure_cluster_providers(self, cluster=eks.cluster, region=config.region,
                                    planners=isinstance(config.backend, CloudBackendConfig))
        wiring = catalog.Wiring(self, config, eks.cluster, eks, s3, system=bool(config.eks.system_node_groups))
        for entry in catalog.entries(config, catalog.HELM):
            entry.build(wiring)
