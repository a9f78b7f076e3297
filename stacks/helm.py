"""05-helm: cluster addons, storage classes, and the observability stack on the 03-s3 buckets.

This stack only lists the addons (components/addons/, one module each) and wires them; before
it builds anything it proves that their pods fit the environment's minimum nodes
(officeless/capacity.py).
"""

from __future__ import annotations

from components import addon_policies as policies
from components.addons import alloy, eks_managed, grafana, kube_state_metrics, loki, metrics_server, mimir, node_exporter, tempo
from components.addons import argocd, cluster_autoscaler, efs_csi_driver, external_secrets, karpenter, load_balancer_controller
from components.addons import secrets_store
from components.addons.alloy import AlloyNode, AlloySingleton
from components.addons.cluster_autoscaler import ClusterAutoscaler
from components.addons.efs_csi_driver import EfsCsiDriver
from components.addons.endpoints import MONITORING
from components.addons.grafana import Grafana
from components.addons.ingress_classes import IngressClasses
from components.addons.karpenter import Karpenter
from components.addons.kube_state_metrics import KubeStateMetrics
from components.addons.load_balancer_controller import LoadBalancerController
from components.addons.loki import Loki
from components.addons.metrics_server import MetricsServer
from components.addons.mimir import Mimir
from components.addons.node_exporter import NodeExporter
from components.addons.secrets_store import SecretsStoreCsiDriver, SecretsStoreProviderAws
from components.addons.tempo import Tempo
from components.aws_context import AwsContext
from components.certificate import ValidatedCertificate
from components.cluster_providers import configure_cluster_providers
from components.pod_identity import PodIdentityRole
from officeless import capacity, names
from officeless.config.backend import CloudBackendConfig
from officeless.config.helm import COMPONENT_BUCKETS
from officeless.config.instances import INSTANCE_TYPES
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, kubernetes
from stacks.base import PlatformStack
from stacks.eks import EksStack
from stacks.s3 import S3Stack

NAME = "05-helm"


def node_pools(config: PlatformConfig, karpenter_type: str | None = None) -> list[capacity.NodePool]:
    """Each node group's minimum nodes over the private subnets' zones, and, with Karpenter, the
    nodes its NodePool may hold within its CPU limit: ``cpu_limit // vCPUs`` of ``karpenter_type``."""
    zones = tuple(s.availability_zone for s in config.vpc.private_subnets)
    pools = [capacity.NodePool(name, f"eks.node_groups.{name}", tuple(INSTANCE_TYPES[t] for t in group.instance_types),
                               group.min_size, zones, tainted=group.is_system)
             for name, group in config.eks.node_groups.items()]
    if config.karpenter.enabled and karpenter_type is not None:
        instance = INSTANCE_TYPES[karpenter_type]
        pools.append(capacity.NodePool("karpenter", "karpenter.node_pool.cpu_limit", (instance,),
                                       config.karpenter.node_pool.cpu_limit // instance.vcpus, zones,
                                       counted_as="cpu_limit", more="raise karpenter.node_pool.cpu_limit"))
    return pools


def check_capacity(config: PlatformConfig) -> dict[str, dict]:
    """capacity.check over the node groups; with Karpenter, over the node groups and a fleet the
    NodePool could launch within its CPU limit: each of its instance types in turn (largest first),
    the first that fits wins. The error of the largest type is the one reported: no fleet of one
    instance type of the pool fits, and the largest is the one with the least overhead."""
    if not config.karpenter.enabled:
        return capacity.check(workloads(config), node_pools(config))
    candidates = sorted(config.karpenter.node_pool.instance_types, key=lambda t: -INSTANCE_TYPES[t].vcpus)
    first_error: capacity.CapacityError | None = None
    for instance_type in candidates:
        if config.karpenter.node_pool.cpu_limit // INSTANCE_TYPES[instance_type].vcpus < 1:
            continue
        try:
            return capacity.check(workloads(config), node_pools(config, instance_type))
        except capacity.CapacityError as exc:
            first_error = first_error or exc
    if first_error is None:
        smallest = min(candidates, key=lambda t: INSTANCE_TYPES[t].vcpus)
        raise capacity.CapacityError("karpenter.node_pool.cpu_limit", (
            f"{config.karpenter.node_pool.cpu_limit} vCPU holds no node of the pool (the smallest, {smallest}, has "
            f"{INSTANCE_TYPES[smallest].vcpus}); raise it"))
    raise first_error


def replication_zones(config: PlatformConfig) -> tuple[str, ...] | None:
    """The availability zones for zone-aware replication, when the minimum nodes span three of them.
    Karpenter launches in every zone of the private subnets, so with it: those zones, when there
    are three and Mimir runs an ingester per zone."""
    if config.karpenter.enabled:
        zones = sorted({s.availability_zone for s in config.vpc.private_subnets})
        per_zone = (config.helm.size("mimir", "ingester").replicas or 0) >= len(zones)
        return tuple(zones) if len(zones) >= 3 and per_zone else None
    pools = [p for p in node_pools(config) if not p.tainted]
    zones = sorted({z for p in pools for z in p.zones[:p.nodes]})
    return tuple(zones) if len(zones) >= 3 else None


def workloads(config: PlatformConfig) -> list[capacity.Workload]:
    """Every pod the platform runs on the nodes: EKS's addons, each release of this stack and of 08-platform."""
    h = config.helm
    out = [*eks_managed.workloads(), *load_balancer_controller.workloads(h), *metrics_server.workloads(h),
           *efs_csi_driver.workloads(h), *secrets_store.workloads(h)]
    if h.cluster_autoscaler.enabled:
        out += cluster_autoscaler.workloads(h)
    if config.karpenter.enabled:
        out += karpenter.workloads(config.karpenter, h.size(karpenter.RELEASE, "controller"))
    enabled = h.enabled_observability()
    if "mimir" in enabled:
        out += mimir.workloads(h, replication_zones(config))
    if "loki" in enabled:
        out += loki.workloads(h)
    if "tempo" in enabled:
        out += tempo.workloads(h, config.observability.tempo_metrics_generator)
    if h.collects:
        out += [*alloy.workloads(h), *kube_state_metrics.workloads(h), *node_exporter.workloads(h)]
    if h.grafana.enabled:
        out += grafana.workloads(h)
    # 08-platform's pods run on the same nodes.
    if config.external_secrets.enabled:
        out += external_secrets.workloads(h)
    if config.argocd is not None:
        out += argocd.workloads(h)
    return out


def gp3_parameters(backup_plan: str | None) -> dict[str, str]:
    """The default storage class's parameters: encrypted gp3, and the ``backup-plan`` tag on every
    volume the EBS CSI driver creates, so 09-backup's plan selects it (tagSpecification_<n>:
    https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/tagging.md)."""
    parameters = {"type": "gp3", "encrypted": "true"}
    if backup_plan:
        parameters["tagSpecification_1"] = f"{names.BACKUP_TAG}={backup_plan}"
    return parameters


class HelmStack(PlatformStack):
    """:param eks: 02-eks (cluster endpoint, CA, name, VPC, EFS); :param s3: 03-s3 (buckets and
    their key). Their attributes become cross-stack references.

    Raises :class:`officeless.capacity.CapacityError` when the pods do not fit the minimum nodes.
    """

    def __init__(self, scope: Construct, *, config: PlatformConfig, eks: EksStack, s3: S3Stack) -> None:
        check_capacity(config)
        super().__init__(scope, NAME, config=config)
        # Declared, not only inferred: with observability off nothing references 03-s3, yet the
        # deploy order must not change with a feature switch.
        self.add_dependency(s3)
        cluster = eks.cluster
        configure_cluster_providers(self, cluster=cluster, region=config.region,
                                    planners=isinstance(config.backend, CloudBackendConfig))
        ctx = AwsContext.of(self)
        h = config.helm
        timeout = h.timeout_seconds

        system = bool(config.eks.system_node_groups)  # system components tolerate the system groups' taint
        # The controller first: its webhook must answer before anything creates a Service.
        lbc = LoadBalancerController(self, cluster=cluster, helm=h, region=config.region, timeout_seconds=timeout,
                                     ingress=config.ingress, tolerate_system_taint=system)
        after_lbc = [lbc.resource]
        # The internal ingress class, before anything that uses it (Grafana here, Argo CD in 08-platform).
        certificates = []
        if config.validated_hostnames:
            zone = config.ingress.internal.route53_zone
            certificates.append(ValidatedCertificate(self, "internal-certificate", domains=config.validated_hostnames,
                                                     zone_id=zone.zone_id).certificate_arn)
        classes = IngressClasses(self, cluster_name=cluster.name, config=config.ingress, timeout_seconds=timeout,
                                 depends_on=after_lbc, certificates=certificates)
        if config.karpenter.enabled:
            # Karpenter next: where it provides the nodes, every other pod waits for its NodePool.
            assert eks.karpenter is not None
            nodes = Karpenter(self, "karpenter", karpenter=config.karpenter, cluster_name=cluster.name,
                              queue_name=eks.karpenter.queue_name, node_role_name=eks.karpenter.node_role_name,
                              system_node_groups=config.eks.system_node_groups,
                              size=h.size(karpenter.RELEASE, "controller"), tags=config.tags,
                              labels={"environment": config.environment, "workload": "application"},
                              timeout_seconds=timeout, depends_on=after_lbc)
            after_lbc = [*after_lbc, nodes.resource]

        gp3 = kubernetes.storage_class_v1.StorageClassV1(
            self, "storage-class-gp3",
            metadata=kubernetes.storage_class_v1.StorageClassV1Metadata(
                name="gp3", annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
            storage_provisioner="ebs.csi.aws.com", parameters=gp3_parameters(config.backup_plan_name),
            volume_binding_mode="WaitForFirstConsumer", allow_volume_expansion=True, reclaim_policy="Delete",
        )

        if h.cluster_autoscaler.enabled:
            ClusterAutoscaler(self, cluster=cluster, helm=h, region=config.region,
                              image_tag=config.cluster_autoscaler_image_tag, timeout_seconds=timeout, depends_on=after_lbc,
                              tolerate_system_taint=system)
        MetricsServer(self, cluster=cluster, helm=h, timeout_seconds=timeout, depends_on=after_lbc,
                      tolerate_system_taint=system)
        EfsCsiDriver(self, cluster=cluster, helm=h, file_system_id=eks.efs.file_system_id, timeout_seconds=timeout,
                     depends_on=after_lbc)
        sscsi = SecretsStoreCsiDriver(self, cluster=cluster, helm=h, timeout_seconds=timeout, depends_on=after_lbc)
        SecretsStoreProviderAws(self, cluster=cluster, helm=h, timeout_seconds=timeout, driver=sscsi)
        for ref in h.secrets_reader_service_accounts:
            PodIdentityRole(self, f"secrets-reader-{ref.namespace}-{ref.name}", cluster=cluster, namespace=ref.namespace,
                            service_account=ref.name, role_name=names.secrets_reader_role(cluster.name, ref.namespace, ref.name),
                            statements=policies.secrets_reader(ctx, config.secret_reader_prefix(ref)))

        enabled = h.enabled_observability()
        if not (enabled or h.grafana.enabled):
            return
        obs = config.observability
        tenant = config.observability_tenant
        namespace = kubernetes.namespace_v1.NamespaceV1(
            self, "namespace-monitoring", metadata=kubernetes.namespace_v1.NamespaceV1Metadata(name=MONITORING))
        bucket_kms_key_arn = s3.kms_key.key_arn if s3.kms_key else None

        def buckets(component: str) -> dict[str, tuple[str, str]]:
            return {p: (s3.buckets[p].bucket_name, s3.buckets[p].bucket_arn) for p in COMPONENT_BUCKETS[component]}

        backend = dict(cluster=cluster, helm=h, region=config.region, bucket_kms_key_arn=bucket_kms_key_arn,
                       timeout_seconds=timeout, depends_on=[*after_lbc, namespace, gp3])
        backends = []
        if "mimir" in enabled:
            # sscsi: its SecretProviderClass CRD carries the alert receiver's credential.
            backends.append(Mimir(self, **{**backend, "depends_on": [*backend["depends_on"], sscsi.resource]},
                                  tenant=tenant, retention_days=obs.retention.metrics_days,
                                  zones=replication_zones(config), receiver=obs.alerting, buckets=buckets("mimir")))
        if "loki" in enabled:
            backends.append(Loki(self, **backend, retention_days=obs.retention.logs_days, buckets=buckets("loki")))
        if "tempo" in enabled:
            backends.append(Tempo(self, **backend, retention_days=obs.retention.traces_days,
                                  metrics_generator=obs.tempo_metrics_generator, buckets=buckets("tempo")))
        wired = dict(metrics="mimir" in enabled, logs="loki" in enabled)
        after_backends = [*after_lbc, namespace, *(b.resource for b in backends)]
        if h.collects:
            common = dict(cluster=cluster, helm=h, timeout_seconds=timeout)
            KubeStateMetrics(self, **common, depends_on=[*after_lbc, namespace])
            NodeExporter(self, **common, depends_on=[*after_lbc, namespace])
            AlloyNode(self, **common, tenant=tenant, traces="tempo" in enabled, depends_on=after_backends, **wired)
            AlloySingleton(self, **common, tenant=tenant, depends_on=after_backends, **wired)
        if h.grafana.enabled:
            Grafana(self, cluster=cluster, helm=h, tenant=tenant, access=obs.grafana, traces="tempo" in enabled,
                    timeout_seconds=timeout, depends_on=[*after_backends, classes.resource],
                    class_tls=config.ingress.internal.tls, **wired)
