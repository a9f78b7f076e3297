"""An addon: a Helm release plus the Pod Identity role of its service account."""

from __future__ import annotations

from typing import ClassVar, Sequence

from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource, HelmChart
from components.iam import Statement
from components.pod_identity import PodIdentityRole
from officeless import names
from officeless.config.charts import at_least
from officeless.tf import Construct, core


class Addon(HelmChart):
    """A Helm release whose name is the construct id.

    Subclasses set ``source`` (and ``moved``, when the chart moved repository at some release),
    ``namespace`` and, when the addon calls AWS, ``service_account``:
    then a Pod Identity role ``<cluster>-<id>`` for it is created first, beside the release
    (``<id>-identity`` in the stack, the id it has always had: a new id would recreate the
    role), and the release waits for its association.

    :param cluster: the EKS cluster; None on a target whose pods get no cloud identity (an existing
        cluster: credentials come from Secrets), and then no role is created.
    :param version: the pinned chart version.
    :param values: chart values.
    :param timeout_seconds: Helm's wait before an atomic rollback.
    :param depends_on: what must exist first. Default: nothing.
    :param statements: the role's inline policy. Default: none.
    :param managed_policies: AWS-managed policies for the role. Default: none.
    """

    source: ClassVar[ChartSource]
    namespace: ClassVar[str]
    service_account: ClassVar[str | None] = None
    # (first release published elsewhere, where): releases from it on come from there. Default: never moved.
    moved: ClassVar[tuple[str, ChartSource] | None] = None

    @classmethod
    def source_for(cls, version: str) -> ChartSource:
        """Where chart ``version`` is published: ``source``, or ``moved``'s from its first release on."""
        if cls.moved is not None and at_least(version, cls.moved[0]):
            return cls.moved[1]
        return cls.source

    def __init__(self, scope: Construct, id_: str, *, cluster: EksCluster | None, version: str, values: dict,
                 timeout_seconds: int, depends_on: Sequence[core.ITerraformDependable] = (),
                 statements: Sequence[Statement] = (), managed_policies: Sequence[str] = ()) -> None:
        identity = None
        if self.service_account is not None and cluster is not None:
            identity = PodIdentityRole(scope, f"{id_}-identity", cluster=cluster, namespace=self.namespace,
                                       service_account=self.service_account, role_name=names.addon_role(cluster.name, id_),
                                       statements=statements, managed_policies=managed_policies)
        super().__init__(scope, id_, release_name=id_, source=self.source_for(version), version=version, namespace=self.namespace,
                         values=values, timeout_seconds=timeout_seconds,
                         depends_on=[*depends_on, *([identity.association] if identity else [])])
        self.identity = identity
