"""05-helm: cluster controllers, storage classes, and Mimir/Loki/Tempo on the 03-s3 buckets."""

from __future__ import annotations

from components import addon_policies as policies
from components import chart_values as values
from components.aws_context import AwsContext
from components.cluster_providers import configure_cluster_providers
from components.helm_chart import ChartSource, HelmChart
from components.pod_identity import PodIdentityRole
from officeless.config.helm import COMPONENT_BUCKETS
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, kubernetes
from stacks.base import PlatformStack
from stacks.eks import EksStack
from stacks.s3 import S3Stack

NAME = "05-helm"
KUBE_SYSTEM = "kube-system"
MONITORING = "monitoring"

EKS_CHARTS = "https://aws.github.io/eks-charts"
GRAFANA = "https://grafana.github.io/helm-charts"
CHARTS = {
    "aws-load-balancer-controller": ChartSource(EKS_CHARTS, "aws-load-balancer-controller"),
    "cluster-autoscaler": ChartSource("https://kubernetes.github.io/autoscaler", "cluster-autoscaler"),
    "metrics-server": ChartSource("https://kubernetes-sigs.github.io/metrics-server/", "metrics-server"),
    "aws-efs-csi-driver": ChartSource("https://kubernetes-sigs.github.io/aws-efs-csi-driver/", "aws-efs-csi-driver"),
    "secrets-store-csi-driver": ChartSource("https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts",
                                            "secrets-store-csi-driver"),
    "secrets-store-csi-driver-provider-aws": ChartSource("https://aws.github.io/secrets-store-csi-driver-provider-aws",
                                                         "secrets-store-csi-driver-provider-aws"),
    "mimir": ChartSource(GRAFANA, "mimir-distributed"),
    "loki": ChartSource(GRAFANA, "loki"),
    "tempo": ChartSource(GRAFANA, "tempo-distributed"),
}
SERVICE_ACCOUNTS = {
    "aws-load-balancer-controller": "aws-load-balancer-controller",
    "cluster-autoscaler": "cluster-autoscaler",
    "aws-efs-csi-driver": "efs-csi-controller-sa",
    "mimir": "mimir",
    "loki": "loki",
    "tempo": "tempo",
}


class HelmStack(PlatformStack):
    """:param eks: 02-eks (cluster endpoint, CA, name, VPC, EFS); :param s3: 03-s3 (buckets and
    their key). Their attributes become cross-stack references."""

    def __init__(self, scope: Construct, *, config: PlatformConfig, eks: EksStack, s3: S3Stack) -> None:
        super().__init__(scope, NAME, config=config)
        # Declared, not only inferred: with observability off (dev) nothing references 03-s3,
        # yet the deploy order must not change with a feature switch.
        self.add_dependency(s3)
        cluster = eks.cluster
        buckets = s3.buckets
        bucket_kms_key_arn = s3.kms_key.key_arn if s3.kms_key else None
        configure_cluster_providers(self, cluster=cluster, region=config.region)
        ctx = AwsContext.of(self)
        h = config.helm
        timeout = h.timeout_seconds

        def identity(component: str, namespace: str, **policy) -> PodIdentityRole:
            return PodIdentityRole(self, f"{component}-identity", cluster=cluster, namespace=namespace,
                                   service_account=SERVICE_ACCOUNTS[component], role_name=f"{cluster.name}-{component}",
                                   **policy)

        def chart(component: str, namespace: str, version: str, chart_values: dict, depends_on=()) -> HelmChart:
            return HelmChart(self, component, release_name=component, source=CHARTS[component], version=version,
                             namespace=namespace, values=chart_values, timeout_seconds=timeout, depends_on=depends_on)

        # The controller first: its webhook must answer before anything creates a Service.
        lbc_identity = identity("aws-load-balancer-controller", KUBE_SYSTEM,
                                statements=policies.load_balancer_controller(ctx))
        lbc = chart("aws-load-balancer-controller", KUBE_SYSTEM, h.aws_load_balancer_controller.version,
                    values.load_balancer_controller(cluster_name=cluster.name, region=config.region, vpc_id=cluster.vpc_id,
                                                    replicas=h.aws_load_balancer_controller.replicas,
                                                    sa=SERVICE_ACCOUNTS["aws-load-balancer-controller"]),
                    depends_on=[lbc_identity.association])
        after_lbc = [lbc.resource]

        gp3 = kubernetes.storage_class_v1.StorageClassV1(
            self, "storage-class-gp3",
            metadata=kubernetes.storage_class_v1.StorageClassV1Metadata(
                name="gp3", annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
            storage_provisioner="ebs.csi.aws.com", parameters={"type": "gp3", "encrypted": "true"},
            volume_binding_mode="WaitForFirstConsumer", allow_volume_expansion=True, reclaim_policy="Delete",
        )

        ca_identity = identity("cluster-autoscaler", KUBE_SYSTEM, statements=policies.cluster_autoscaler(ctx, cluster.name))
        chart("cluster-autoscaler", KUBE_SYSTEM, h.cluster_autoscaler.version,
              values.cluster_autoscaler(cluster_name=cluster.name, region=config.region,
                                        sa=SERVICE_ACCOUNTS["cluster-autoscaler"],
                                        image_tag=config.cluster_autoscaler_image_tag),
              depends_on=[*after_lbc, ca_identity.association])
        chart("metrics-server", KUBE_SYSTEM, h.metrics_server.version, values.metrics_server(), depends_on=after_lbc)

        efs_identity = identity("aws-efs-csi-driver", KUBE_SYSTEM, managed_policies=["service-role/AmazonEFSCSIDriverPolicy"])
        efs = chart("aws-efs-csi-driver", KUBE_SYSTEM, h.aws_efs_csi_driver.version,
                    values.efs_csi_driver(controller_sa=SERVICE_ACCOUNTS["aws-efs-csi-driver"]),
                    depends_on=[*after_lbc, efs_identity.association])
        kubernetes.storage_class_v1.StorageClassV1(
            self, "storage-class-efs", metadata=kubernetes.storage_class_v1.StorageClassV1Metadata(name="efs"),
            storage_provisioner="efs.csi.aws.com",
            parameters={"provisioningMode": "efs-ap", "fileSystemId": eks.efs.file_system_id, "directoryPerms": "700"},
            depends_on=[efs.resource],
        )

        sscsi = chart("secrets-store-csi-driver", KUBE_SYSTEM, h.secrets_store_csi_driver.version,
                      values.secrets_store_csi_driver(), depends_on=after_lbc)
        chart("secrets-store-csi-driver-provider-aws", KUBE_SYSTEM, h.secrets_store_csi_driver_provider_aws.version,
              values.secrets_store_provider_aws(), depends_on=[sscsi.resource])
        for ref in h.secrets_reader_service_accounts:
            PodIdentityRole(self, f"secrets-reader-{ref.namespace}-{ref.name}", cluster=cluster, namespace=ref.namespace,
                            service_account=ref.name, role_name=f"{cluster.name}-secrets-{ref.namespace}-{ref.name}",
                            statements=policies.secrets_reader(ctx, config.environment))

        enabled = h.enabled_observability()
        if enabled:
            namespace = kubernetes.namespace_v1.NamespaceV1(
                self, "namespace-monitoring", metadata=kubernetes.namespace_v1.NamespaceV1Metadata(name=MONITORING))
            storage = {p: buckets[p].bucket_name for c in enabled for p in COMPONENT_BUCKETS[c]}
            builders = {
                "mimir": lambda sa: values.mimir(region=config.region, sa=sa, metrics_bucket=storage["mimir-metrics"],
                                                 alertmanager_bucket=storage["mimir-alertmanager"],
                                                 ruler_bucket=storage["mimir-ruler"]),
                "loki": lambda sa: values.loki(region=config.region, sa=sa, chunks_bucket=storage["loki-chunks"],
                                               ruler_bucket=storage["loki-ruler"]),
                "tempo": lambda sa: values.tempo(region=config.region, sa=sa, traces_bucket=storage["tempo-traces"]),
            }
            for component in enabled:
                role = identity(component, MONITORING, statements=policies.bucket_access(
                    [buckets[p].bucket_arn for p in COMPONENT_BUCKETS[component]], bucket_kms_key_arn))
                chart(component, MONITORING, getattr(h, component).version, builders[component](SERVICE_ACCOUNTS[component]),
                      depends_on=[*after_lbc, namespace, gp3, role.association])
