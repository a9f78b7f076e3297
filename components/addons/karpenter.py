"""Karpenter in the cluster (05-helm): its CRDs, the controller, and the NodePool and EC2NodeClass.

Three releases, in this order, so one ``cdktf deploy`` installs everything and later ones upgrade it:

1. ``karpenter-crd``: the CRDs as a release of their own. Helm installs a chart's ``crds/`` only on
   first install and never upgrades them (https://helm.sh/docs/chart_best_practices/custom_resource_definitions/);
   in this chart they are templates, so every upgrade of the pinned version upgrades them too.
2. ``karpenter``: the controller, with ``skip_crds`` (the CRDs belong to release 1). It runs on the
   system node group only (the CriticalAddonsOnly toleration, node affinity to the system groups
   and, as upstream, never on a node of a NodePool: Karpenter must not run on nodes it manages).
3. ``karpenter-node-pool``: the NodePool and EC2NodeClass, through the project's manifests chart
   (components/manifests.py). A ``kubernetes_manifest`` would need the CRDs at plan time, before
   release 1 exists; a Helm release is only rendered at apply time, after release 2.

The AWS side (roles, interruption queue, discovery tags) is 02-eks's (components/karpenter.py).
"""

from __future__ import annotations

from typing import Sequence

from components.addons.common import SYSTEM_TOLERATION, Values, container, disruption_budget, resources
from components.helm_chart import ChartSource, HelmChart
from components.karpenter import DISCOVERY_TAG, NAMESPACE, SERVICE_ACCOUNT
from components.manifests import ManifestsRelease
from officeless.capacity import Workload
from officeless.config.karpenter import KarpenterConfig
from officeless.config.sizes import ComponentSize
from officeless.tf import Construct, core

RELEASE = "karpenter"
CRD_RELEASE = "karpenter-crd"
POOL_RELEASE = "karpenter-node-pool"
# Karpenter publishes its charts to an OCI registry only: https://karpenter.sh/docs/getting-started/
SOURCE = ChartSource("oci://public.ecr.aws/karpenter", "karpenter")
CRD_SOURCE = ChartSource("oci://public.ecr.aws/karpenter", "karpenter-crd")
NODE_POOL = "default"
NODE_CLASS = "default"
# Bottlerocket's OS volume; its data volume (/dev/xvdb) holds images and containers.
BOTTLEROCKET_OS_VOLUME = ("/dev/xvda", "4Gi")


def controller_values(*, cluster_name: str, queue_name: str, replicas: int, size: ComponentSize,
                      system_node_groups: Sequence[str]) -> Values:
    return {
        "replicas": replicas,
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
        "settings": {"clusterName": cluster_name, "interruptionQueue": queue_name},
        "controller": {"resources": resources(size.containers["controller"])},
        "podDisruptionBudget": {"name": RELEASE, **(disruption_budget(replicas) or {"maxUnavailable": 1})},
        "tolerations": [SYSTEM_TOLERATION],
        # Upstream's affinity (never on a NodePool's node, one replica per node) plus: only on
        # the system node groups, which cluster capacity never scales away.
        "affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "karpenter.sh/nodepool", "operator": "DoesNotExist"},
                {"key": "eks.amazonaws.com/nodegroup", "operator": "In", "values": list(system_node_groups)},
            ]}]}},
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname"}]},
        },
    }


def node_class(*, cluster_name: str, node_role_name: str, karpenter: KarpenterConfig, tags: dict[str, str]) -> Values:
    """The EC2NodeClass: Bottlerocket pinned, encrypted gp3 volumes, IMDSv2 with hop limit 1 (pods
    cannot reach the node role, as on the managed node groups), subnets and security groups by
    the discovery tag. https://karpenter.sh/docs/concepts/nodeclasses/"""
    def discovery() -> list[Values]:  # a fresh list each time: no YAML anchor in the values
        return [{"tags": {DISCOVERY_TAG: cluster_name}}]

    os_device, os_size = BOTTLEROCKET_OS_VOLUME

    def volume(device: str, size: str) -> Values:
        return {"deviceName": device, "ebs": {"volumeSize": size, "volumeType": "gp3", "encrypted": True,
                                               "deleteOnTermination": True}}

    return {
        "apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": NODE_CLASS},
        "spec": {
            "role": node_role_name,
            "amiSelectorTerms": [{"alias": karpenter.node_class.ami_alias}],
            "subnetSelectorTerms": discovery(),
            "securityGroupSelectorTerms": discovery(),
            "metadataOptions": {"httpEndpoint": "enabled", "httpProtocolIPv6": "disabled", "httpPutResponseHopLimit": 1,
                                "httpTokens": "required"},
            "blockDeviceMappings": [volume(os_device, os_size), volume("/dev/xvdb", f"{karpenter.node_class.data_volume_gb}Gi")],
            # Instances Karpenter launches do not get the provider's default tags: the project's here.
            "tags": dict(tags),
        },
    }


def node_pool(karpenter: KarpenterConfig, labels: dict[str, str]) -> Values:
    """The NodePool: families, capacity types, a CPU limit, consolidation and expiry.
    https://karpenter.sh/docs/concepts/nodepools/"""
    pool = karpenter.node_pool
    return {
        "apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": NODE_POOL},
        "spec": {
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": NODE_CLASS},
                    "requirements": [
                        {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": list(pool.instance_families)},
                        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": list(pool.capacity_types)},
                        {"key": "kubernetes.io/arch", "operator": "In", "values": [pool.architecture]},
                        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                    ],
                    "expireAfter": pool.expire_after,
                },
            },
            "limits": {"cpu": str(pool.cpu_limit)},
            "disruption": {"consolidationPolicy": pool.consolidation_policy, "consolidateAfter": pool.consolidate_after},
        },
    }


def workloads(karpenter: KarpenterConfig, size: ComponentSize) -> list[Workload]:
    return [Workload("karpenter", "karpenter.replicas", "Deployment", (container("controller", size.containers["controller"]),),
                     replicas=karpenter.replicas, system=True, system_only=True, one_per_node=True)]


class Karpenter(Construct):
    """:param karpenter: the validated ``karpenter`` section.
    :param cluster_name: the cluster (Karpenter's ``settings.clusterName`` and discovery tag value).
    :param queue_name: the interruption queue (02-eks).
    :param node_role_name: the role of the nodes it launches (02-eks).
    :param system_node_groups: where the controller runs.
    :param size: the controller's requests.
    :param tags: tags of the instances and volumes it launches (the project's default tags).
    :param labels: labels of its nodes.
    :param timeout_seconds: Helm's wait.
    :param depends_on: what must exist first (the load balancer controller's webhook). Default: nothing.
    The Pod Identity association is 02-eks's, created before this stack runs.
    """

    def __init__(self, scope: Construct, id_: str, *, karpenter: KarpenterConfig, cluster_name: str, queue_name: str,
                 node_role_name: str, system_node_groups: Sequence[str], size: ComponentSize, tags: dict[str, str],
                 labels: dict[str, str], timeout_seconds: int, depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        super().__init__(scope, id_)
        common = dict(namespace=NAMESPACE, timeout_seconds=timeout_seconds)
        self.crds = HelmChart(self, "crds", release_name=CRD_RELEASE, source=CRD_SOURCE, version=karpenter.version,
                              values={}, depends_on=depends_on, **common)
        self.controller = HelmChart(
            self, "controller", release_name=RELEASE, source=SOURCE, version=karpenter.version, skip_crds=True,
            values=controller_values(cluster_name=cluster_name, queue_name=queue_name, replicas=karpenter.replicas,
                                     size=size, system_node_groups=system_node_groups),
            depends_on=[self.crds.resource], **common)
        self.node_pool = ManifestsRelease(
            self, "node-pool", release_name=POOL_RELEASE,
            manifests=[node_class(cluster_name=cluster_name, node_role_name=node_role_name, karpenter=karpenter, tags=tags),
                       node_pool(karpenter, labels)],
            depends_on=[self.controller.resource], **common)

    @property
    def resource(self) -> core.ITerraformDependable:
        """The last release: once it exists, Karpenter can launch nodes for pending pods."""
        return self.node_pool.resource
