"""The catalog of the platform's in-cluster addons (issue #29): for each, in one declaration, when it
runs, the pods it runs and how it is built.

05-helm and 08-platform build their entries in catalog order (each hands what later ones wait
for to the :class:`Wiring`), and the capacity check counts the pods of every entry that runs, 08-platform's
and EKS's own addons included, so an addon's condition is written once. A new addon is one module
in ``components/addons/`` plus one entry here (and its config section).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from components import addon_policies as policies
from components.addons import (alloy, argocd, cluster_autoscaler, efs_csi_driver, eks_managed, external_secrets, gateways,
                               grafana, haproxy_ingress, karpenter, kube_state_metrics, load_balancer_controller, loki,
                               metrics_server, mimir, node_exporter, seaweedfs, secrets_store, tempo, valkey)
from components.addons.endpoints import MONITORING
from components.aws_context import AwsContext
from components.certificate import ValidatedCertificate
from components.eks_cluster import EksCluster
from components.pod_identity import PodIdentityRole
from officeless import capacity, names, targets
from officeless.capacity import Workload
from officeless.config.helm import COMPONENT_BUCKETS
from officeless.config.instances import INSTANCE_TYPES
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, kubernetes

HELM = "05-helm"
PLATFORM = "08-platform"
EKS = "02-eks"
VALKEY = "07-valkey"
AWS, EXISTING, GCP, AZURE = ("aws",), ("existing",), ("gcp",), ("azure",)
EVERYWHERE = AWS + EXISTING


@dataclass
class Wiring:
    """What a stack's entries hand each other while it is built, in catalog order.

    :param scope: the stack. :param eks: 02-eks (the cluster, EFS, Karpenter's queue and role); None
    with ``cluster`` on a target without one (an existing cluster).
    :param s3: 03-s3 (the buckets and their key; 05-helm only). Default: none.
    :param system: system node groups exist (system components tolerate their taint). Default False.
    """

    scope: Construct
    config: Any  # PlatformConfig, or ExistingConfig for an existing cluster
    cluster: EksCluster | None
    eks: Any
    s3: Any = None
    system: bool = False
    # What every release after the load balancer controller waits for (then also Karpenter's nodes).
    after_lbc: list = field(default_factory=list)
    classes: Any = None  # the ingress classes' release
    gp3: Any = None  # the default storage class
    sscsi: Any = None  # the Secrets Store CSI driver's release
    namespace: Any = None  # monitoring
    backends: list = field(default_factory=list)  # Mimir, Loki, Tempo
    eso: Any = None  # 08-platform: External Secrets (its cluster store)
    gateway_crds: Any = None  # the Gateway API CRDs' release, before the load balancer controller
    internal_certificates: list = field(default_factory=list)  # a validated certificate of the internal ALB
    # Azure: the stacks whose resources the layer's Azure parts name (01-vnet's network, 02-aks's cluster).
    azure_network: Any = None
    azure_cluster: Any = None
    # Azure: component (mimir, loki, tempo) -> the client id of the managed identity its pods sign in as.
    client_ids: dict = field(default_factory=dict)

    @property
    def timeout(self) -> int:
        return self.config.helm.timeout_seconds

    @property
    def enabled(self) -> list[str]:
        return self.config.helm.enabled_observability()

    def buckets(self, component: str) -> dict[str, tuple[str, str | None]]:
        s3 = self.s3
        if s3 is None:  # an S3-compatible store: names from config, no ARNs
            return {p: (self.config.bucket(p), None) for p in COMPONENT_BUCKETS[component]}
        return {p: (s3.buckets[p].bucket_name, s3.buckets[p].bucket_arn) for p in COMPONENT_BUCKETS[component]}

    def backend(self) -> dict:
        """The arguments Mimir, Loki and Tempo share."""
        s3 = self.s3
        if s3 is None:
            target = targets.of(self.config)
            # On GKE, 05-helm creates monitoring (as on EKS); an existing cluster's 06-access did.
            first = [*self.after_lbc, *([self.namespace] if self.namespace else [])]
            return dict(cluster=None, helm=self.config.helm, region=target.object_store.region, bucket_kms_key_arn=None,
                        timeout_seconds=self.timeout, depends_on=first,
                        store=target.object_store, storage_class=target.volume_class)
        return dict(cluster=self.cluster, helm=self.config.helm, region=self.config.region,
                    bucket_kms_key_arn=s3.kms_key.key_arn if s3.kms_key else None, timeout_seconds=self.timeout,
                    depends_on=[*self.after_lbc, self.namespace, self.gp3])

    def identity(self, component: str) -> dict:
        """The ``client_id`` argument of a backend whose pods sign in through AKS's Workload Identity."""
        return {"client_id": self.client_ids[component]} if component in self.client_ids else {}

    def after_backends(self) -> list:
        return [*self.after_lbc, *([self.namespace] if self.namespace else []), *(b.resource for b in self.backends)]

    def wired(self) -> dict:
        return dict(metrics="mimir" in self.enabled, logs="loki" in self.enabled)


@dataclass(frozen=True)
class Entry:
    """One addon. ``name``: its release (or group of releases); ``stack``: where it is built;
    ``enabled``: when it runs; ``pods``: what the capacity check counts; ``build``: how its stack
    builds it (None: nothing here does, e.g. EKS's own addons)."""

    name: str
    stack: str
    enabled: Callable[[PlatformConfig], bool]
    pods: Callable[[PlatformConfig], list[Workload]] = lambda _config: []
    build: Callable[[Wiring], None] | None = None
    clouds: tuple[str, ...] = AWS  # the targets it runs on (officeless/targets.py)


def _always(_config: PlatformConfig) -> bool:
    return True


def observability_on(config: PlatformConfig) -> bool:
    """Whether anything of the observability stack runs (and so its namespace exists)."""
    return bool(config.helm.enabled_observability() or config.helm.grafana.enabled)


# --- how each of 05-helm's entries is built ------------------------------------------------------

def _load_balancer_controller(w: Wiring) -> None:
    # The controller first: its webhook must answer before anything creates a Service.
    lbc = load_balancer_controller.LoadBalancerController(
        w.scope, cluster=w.cluster, helm=w.config.helm, region=w.config.region, timeout_seconds=w.timeout,
        ingress=w.config.ingress, tolerate_system_taint=w.system,
        depends_on=[w.gateway_crds.resource] if w.gateway_crds else ())
    w.after_lbc = [lbc.resource]


def _ingress_classes(w: Wiring) -> None:
    # The internal ingress class, before anything that uses it (Grafana here, Argo CD in 08-platform).
    from components.addons.ingress_classes import IngressClasses

    config = w.config
    certificates = []
    if config.validated_hostnames:
        zone = config.ingress.internal.route53_zone
        certificates.append(ValidatedCertificate(w.scope, "internal-certificate", domains=config.validated_hostnames,
                                                 zone_id=zone.zone_id).certificate_arn)
    w.internal_certificates = certificates
    w.classes = IngressClasses(w.scope, cluster_name=w.cluster.name, config=config.ingress, timeout_seconds=w.timeout,
                               depends_on=w.after_lbc, certificates=certificates)


def _gateway_api_crds(w: Wiring) -> None:
    # Before the controller: it enables its Gateway controllers only when it finds these CRDs at start.
    w.gateway_crds = gateways.GatewayApiCrds(w.scope, version=w.config.ingress.gateway_api.crds_version, timeout_seconds=w.timeout)


def _alb_gateways(w: Wiring) -> None:
    gateways.AlbGateways(w.scope, ingress=w.config.ingress, timeout_seconds=w.timeout, depends_on=w.after_lbc,
                internal_certificates=w.internal_certificates)


def _karpenter(w: Wiring) -> None:
    # Karpenter next: where it provides the nodes, every other pod waits for its NodePool.
    config = w.config
    assert w.eks.karpenter is not None
    nodes = karpenter.Karpenter(
        w.scope, "karpenter", karpenter=config.karpenter, cluster_name=w.cluster.name,
        queue_name=w.eks.karpenter.queue_name, node_role_name=w.eks.karpenter.node_role_name,
        system_node_groups=config.eks.system_node_groups, size=config.helm.size(karpenter.RELEASE, "controller"),
        tags=config.tags, labels={"environment": config.environment, "workload": "application"},
        timeout_seconds=w.timeout, depends_on=w.after_lbc)
    w.after_lbc = [*w.after_lbc, nodes.resource]


def _storage_class_gp3(w: Wiring) -> None:
    # The target's block storage; the construct id ("storage-class-gp3") is the contract it has always had.
    block = targets.of(w.config).block_storage
    w.gp3 = kubernetes.storage_class_v1.StorageClassV1(
        w.scope, "storage-class-gp3",
        metadata=kubernetes.storage_class_v1.StorageClassV1Metadata(
            name=block.name, annotations={"storageclass.kubernetes.io/is-default-class": "true"} if block.default else None),
        storage_provisioner=block.provisioner, parameters=dict(block.parameters),
        volume_binding_mode=block.volume_binding_mode, allow_volume_expansion=block.allow_volume_expansion,
        reclaim_policy=block.reclaim_policy,
    )


def _cluster_autoscaler(w: Wiring) -> None:
    cluster_autoscaler.ClusterAutoscaler(
        w.scope, cluster=w.cluster, helm=w.config.helm, region=w.config.region,
        image_tag=w.config.cluster_autoscaler_image_tag, timeout_seconds=w.timeout, depends_on=w.after_lbc,
        tolerate_system_taint=w.system)


def _metrics_server(w: Wiring) -> None:
    metrics_server.MetricsServer(w.scope, cluster=w.cluster, helm=w.config.helm, timeout_seconds=w.timeout,
                                 depends_on=w.after_lbc, tolerate_system_taint=w.system)


def _efs_csi_driver(w: Wiring) -> None:
    efs_csi_driver.EfsCsiDriver(w.scope, cluster=w.cluster, helm=w.config.helm, file_system_id=w.eks.efs.file_system_id,
                                timeout_seconds=w.timeout, depends_on=w.after_lbc)


def _secrets_store(w: Wiring) -> None:
    h = w.config.helm
    w.sscsi = secrets_store.SecretsStoreCsiDriver(w.scope, cluster=w.cluster, helm=h, timeout_seconds=w.timeout,
                                                  depends_on=w.after_lbc)
    secrets_store.SecretsStoreProviderAws(w.scope, cluster=w.cluster, helm=h, timeout_seconds=w.timeout, driver=w.sscsi)
    ctx = AwsContext.of(w.scope)
    for ref in h.secrets_reader_service_accounts:
        PodIdentityRole(w.scope, f"secrets-reader-{ref.namespace}-{ref.name}", cluster=w.cluster, namespace=ref.namespace,
                        service_account=ref.name,
                        role_name=names.secrets_reader_role(w.cluster.name, ref.namespace, ref.name),
                        statements=policies.secrets_reader(ctx, w.config.secret_reader_prefix(ref)))


def _monitoring_namespace(w: Wiring) -> None:
    w.namespace = kubernetes.namespace_v1.NamespaceV1(
        w.scope, "namespace-monitoring", metadata=kubernetes.namespace_v1.NamespaceV1Metadata(name=MONITORING))


def _mimir(w: Wiring) -> None:
    backend, obs = w.backend(), w.config.observability
    # sscsi: its SecretProviderClass CRD carries the alert receiver's credential.
    w.backends.append(mimir.Mimir(
        w.scope, **{**backend, "depends_on": [*backend["depends_on"], *([w.sscsi.resource] if w.sscsi else [])]},
        tenant=w.config.observability_tenant, retention_days=obs.retention.metrics_days,
        zones=replication_zones(w.config), receiver=obs.alerting, buckets=w.buckets("mimir"), **w.identity("mimir")))


def _loki(w: Wiring) -> None:
    w.backends.append(loki.Loki(w.scope, **w.backend(), retention_days=w.config.observability.retention.logs_days,
                                buckets=w.buckets("loki"), **w.identity("loki")))


def _tempo(w: Wiring) -> None:
    obs = w.config.observability
    w.backends.append(tempo.Tempo(w.scope, **w.backend(), retention_days=obs.retention.traces_days,
                                  metrics_generator=obs.tempo_metrics_generator, buckets=w.buckets("tempo"),
                                  **w.identity("tempo")))


def _collector(w: Wiring) -> None:
    common = dict(cluster=w.cluster, helm=w.config.helm, timeout_seconds=w.timeout)
    tenant, after = w.config.observability_tenant, w.after_backends()
    # The cluster label of every series and log line: EKS's name, GKE's, AKS's or the existing cluster's.
    named = ({} if w.cluster is not None else {"cluster_name": cluster_name(w.config)})
    first = [*w.after_lbc, *([w.namespace] if w.namespace else [])]
    kube_state_metrics.KubeStateMetrics(w.scope, **common, depends_on=first)
    node_exporter.NodeExporter(w.scope, **common, depends_on=first)
    alloy.AlloyNode(w.scope, **common, tenant=tenant, traces="tempo" in w.enabled, depends_on=after, **named, **w.wired())
    alloy.AlloySingleton(w.scope, **common, tenant=tenant, depends_on=after, **named, **w.wired())


def cluster_name(config) -> str:
    """The cluster's name on a target without EKS."""
    return {"gcp": lambda: config.gke.cluster_name, "azure": lambda: config.aks.cluster_name,
            "existing": lambda: config.cluster.name}[config.cloud]()


def _gke_gateways(w: Wiring) -> None:
    # GKE's Gateways before the UIs whose routes attach to the internal one.
    g = w.config.gateways
    w.classes = gateways.GkeGateways(w.scope, timeout_seconds=w.timeout, certificate_map=g.certificate_map,
                                     internal_certificates=g.internal_certificates)


def _grafana(w: Wiring) -> None:
    config = w.config
    if config.cloud == "gcp":  # an HTTPRoute on the internal Gateway instead of an Ingress
        route = dict(depends_on=[*w.after_backends(), w.classes.resource], exposed=False)
        gateways.UiRoute(w.scope, "grafana-route", service=grafana.RELEASE, namespace=MONITORING, port=80,
                         health_path="/api/health", hostname=config.observability.grafana.hostname,
                         timeout_seconds=w.timeout, depends_on=[w.classes.resource])
    elif config.cloud == "azure":  # an internal load balancer in the VNet (the public path follows, issue #32)
        route = dict(depends_on=w.after_backends(), exposed=False, service=targets.of(config).internal_service)
    elif config.cloud == "existing":  # on the target's class, after its controller (in after_lbc)
        route = dict(depends_on=w.after_backends(), ingress_class=targets.of(config).internal_ingress_class,
                     class_tls=config.ingress_controller.tls_secret is not None, annotations=_ui_annotations(config))
    else:
        route = dict(depends_on=[*w.after_backends(), w.classes.resource], class_tls=config.ingress.internal.tls)
    grafana.Grafana(w.scope, cluster=w.cluster, helm=config.helm, tenant=config.observability_tenant,
                    access=config.observability.grafana, traces="tempo" in w.enabled, timeout_seconds=w.timeout,
                    **route, **w.wired())


# --- an existing cluster's own ------------------------------------------------------------------

def _ui_annotations(config) -> dict[str, str]:
    return haproxy_ingress.ui_annotations(config.ingress_controller.tls_secret is not None)


def _haproxy_ingress(w: Wiring) -> None:
    # The ingress controller first, as the ALB controller on EKS: Grafana's Ingress needs its class.
    ingress = w.config.ingress_controller
    controller = haproxy_ingress.HaproxyIngress(
        w.scope, helm=w.config.helm, version=ingress.version, class_name=ingress.class_name,
        service_type=ingress.service_type, timeout_seconds=w.timeout, tls_secret=ingress.tls_secret, depends_on=[])
    w.after_lbc = [controller.resource]


def _seaweedfs(w: Wiring) -> None:
    # The in-cluster object store, before the backends writing to it (monitoring exists by now).
    config = w.config
    buckets = [config.bucket(p) for c in config.helm.enabled_observability() for p in COMPONENT_BUCKETS[c]]
    store = seaweedfs.SeaweedFs(
        w.scope, helm=config.helm, version=config.object_storage.in_cluster.version,
        storage_class=config.storage_classes.block, volume_size_gb=config.object_storage.in_cluster.volume_size_gb,
        credentials_secret=config.object_storage.credentials_secret, buckets=buckets, timeout_seconds=w.timeout,
        depends_on=list(w.after_lbc))
    w.after_lbc = [*w.after_lbc, store.resource]


def _valkey(w: Wiring) -> None:
    config = w.config
    valkey.Valkey(w.scope, helm=config.helm, version=config.valkey.version, namespace=config.valkey.namespace,
                  storage_class=config.storage_classes.block, storage_gb=config.valkey.storage_gb,
                  password_secret=config.valkey.password_secret, timeout_seconds=w.timeout, depends_on=[])


# --- how each of 08-platform's entries is built ---------------------------------------------------

def namespace(scope: Construct, name: str) -> kubernetes.namespace_v1.NamespaceV1:
    return kubernetes.namespace_v1.NamespaceV1(scope, f"namespace-{name}",
                                               metadata=kubernetes.namespace_v1.NamespaceV1Metadata(name=name))


def _external_secrets(w: Wiring) -> None:
    config = w.config
    if config.cloud == "gcp":  # Secret Manager through Workload Identity, a store per tenant
        w.eso = external_secrets.GkeSecretStores(w.scope, config=config,
                                                 depends_on=[namespace(w.scope, external_secrets.NAMESPACE)])
        return
    if config.cloud == "azure":  # Key Vault through Workload Identity, a vault and a store per tenant
        w.eso = external_secrets.AksSecretStores(w.scope, config=config, network=w.azure_network, cluster=w.azure_cluster,
                                                 depends_on=[namespace(w.scope, external_secrets.NAMESPACE)])
        return
    if config.cloud == "existing":  # the Kubernetes provider or Vault, and stores of this target's own
        w.eso = external_secrets.ExistingClusterSecretStores(
            w.scope, config=config, helm=config.helm, timeout_seconds=w.timeout,
            depends_on=[namespace(w.scope, external_secrets.NAMESPACE)])
        return
    w.eso = external_secrets.ExternalSecretsOperator(
        w.scope, cluster=w.cluster, config=config.external_secrets, environment=config.environment,
        provider=targets.of(config).secret_store_provider(config.region), helm=config.helm, timeout_seconds=w.timeout,
        depends_on=[namespace(w.scope, external_secrets.NAMESPACE)])
    for tenant in config.tenancy.tenants:
        external_secrets.TenantSecretStore(w.scope, f"secret-store-{tenant.name}", cluster=w.cluster, operator=w.eso,
                                           tenant=tenant.name, prefix=tenant.secrets(config.environment),
                                           shared=tenant.shared_secrets)


def _argocd(w: Wiring) -> None:
    config = w.config
    assert w.eso is not None  # config requires External Secrets with Argo CD
    home = namespace(w.scope, argocd.NAMESPACE)
    if config.cloud == "gcp":  # Secret Manager's platform store; the UI on the internal Gateway (05-helm's)
        target = dict(internal=None, exposed=False, store_name=external_secrets.GCP_STORE,
                      secret_names=config.argocd_secret_names)
        gateways.UiRoute(w.scope, "argocd-route", service=f"{argocd.NAMESPACE}-server", namespace=argocd.NAMESPACE,
                         port=80, health_path="/healthz", hostname=config.argocd.hostname, timeout_seconds=w.timeout,
                         depends_on=[home])
    elif config.cloud == "azure":  # the platform's vault; the UI on an internal load balancer in the VNet
        target = dict(internal=None, exposed=False, store_name=external_secrets.AZURE_STORE,
                      secret_names=config.argocd_secret_names, service=targets.of(config).internal_service)
    elif config.cloud == "existing":  # the target's class, its store and the names that store knows
        target = dict(internal=None, ingress_class=targets.of(config).internal_ingress_class,
                      store_name=external_secrets.KUBERNETES_STORE, secret_names=config.argocd_secret_names,
                      annotations=_ui_annotations(config))
    else:
        target = dict(internal=config.ingress.internal)
    argocd.ArgoCd(w.scope, "argocd", cluster=w.cluster, config=config.argocd, environment=config.environment,
                  refresh_interval=config.external_secrets.refresh_interval, helm=config.helm, timeout_seconds=w.timeout,
                  depends_on=[home, w.eso.store.resource], **target)


def _existing_object_store(config) -> bool:
    return config.cloud == "existing" and not config.object_storage.external and bool(config.helm.enabled_observability())


CATALOG: tuple[Entry, ...] = (
    Entry(haproxy_ingress.RELEASE, HELM, _always, lambda c: haproxy_ingress.workloads(c.helm), _haproxy_ingress,
          clouds=EXISTING),
    Entry("eks-managed-addons", EKS, _always, lambda c: eks_managed.workloads()),
    Entry("gateway-api-crds", HELM, lambda c: c.ingress.gateway_api.enabled, build=_gateway_api_crds),
    Entry(load_balancer_controller.RELEASE, HELM, _always, lambda c: load_balancer_controller.workloads(c.helm),
          _load_balancer_controller),
    Entry("alb-ingress-classes", HELM, _always, build=_ingress_classes),
    Entry("alb-gateways", HELM, lambda c: c.ingress.gateway_api.enabled, build=_alb_gateways),
    Entry(karpenter.RELEASE, HELM, lambda c: c.karpenter.enabled,
          lambda c: karpenter.workloads(c.karpenter, c.helm.size(karpenter.RELEASE, "controller")), _karpenter),
    Entry("storage-class-gp3", HELM, _always, build=_storage_class_gp3),
    Entry("cluster-autoscaler", HELM, lambda c: c.helm.cluster_autoscaler.enabled,
          lambda c: cluster_autoscaler.workloads(c.helm), _cluster_autoscaler),
    # An existing cluster's distribution may ship its own (helm.metrics_server.enabled: false there).
    Entry("metrics-server", HELM, lambda c: c.cloud == "aws" or c.helm.metrics_server.enabled,
          lambda c: metrics_server.workloads(c.helm), _metrics_server, clouds=EVERYWHERE),
    Entry("aws-efs-csi-driver", HELM, _always, lambda c: efs_csi_driver.workloads(c.helm), _efs_csi_driver),
    Entry(secrets_store.DRIVER, HELM, _always, lambda c: secrets_store.workloads(c.helm), _secrets_store),
    # On an existing cluster 06-access creates it: the object store's Secret goes there before 05-helm.
    Entry("namespace-monitoring", HELM, observability_on, build=_monitoring_namespace, clouds=AWS + GCP + AZURE),
    Entry(gateways.GKE_RELEASE, HELM, _always, build=_gke_gateways, clouds=GCP),
    Entry(seaweedfs.RELEASE, HELM, _existing_object_store, lambda c: seaweedfs.workloads(c.helm), _seaweedfs,
          clouds=EXISTING),
    Entry("mimir", HELM, lambda c: "mimir" in c.helm.enabled_observability(),
          lambda c: mimir.workloads(c.helm, replication_zones(c)), _mimir, clouds=EVERYWHERE + GCP + AZURE),
    Entry("loki", HELM, lambda c: "loki" in c.helm.enabled_observability(), lambda c: loki.workloads(c.helm), _loki,
          clouds=EVERYWHERE + GCP + AZURE),
    Entry("tempo", HELM, lambda c: "tempo" in c.helm.enabled_observability(),
          lambda c: tempo.workloads(c.helm, c.observability.tempo_metrics_generator), _tempo, clouds=EVERYWHERE + GCP + AZURE),
    Entry("collector", HELM, lambda c: c.helm.collects,
          lambda c: [*alloy.workloads(c.helm), *kube_state_metrics.workloads(c.helm), *node_exporter.workloads(c.helm)],
          _collector, clouds=EVERYWHERE + GCP + AZURE),
    Entry(grafana.RELEASE, HELM, lambda c: c.helm.grafana.enabled, lambda c: grafana.workloads(c.helm), _grafana,
          clouds=EVERYWHERE + GCP + AZURE),
    # 07-valkey on an existing cluster: the cache runs on the same nodes.
    Entry(valkey.RELEASE, VALKEY, lambda c: c.valkey.enabled, lambda c: valkey.workloads(c.helm), _valkey,
          clouds=EXISTING),
    # 08-platform's, on the same nodes.
    Entry(external_secrets.RELEASE, PLATFORM, lambda c: c.external_secrets.enabled,
          lambda c: external_secrets.workloads(c.helm), _external_secrets, clouds=EVERYWHERE + GCP + AZURE),
    Entry(argocd.RELEASE, PLATFORM, lambda c: c.argocd is not None, lambda c: argocd.workloads(c.helm), _argocd,
          clouds=EVERYWHERE + GCP + AZURE),
)


def entries(config: PlatformConfig, stack: str | None = None) -> list[Entry]:
    """The entries that run in ``config`` (of ``stack`` only, when given), in catalog order."""
    return [e for e in CATALOG if config.cloud in e.clouds and (stack is None or e.stack == stack) and e.enabled(config)]


def workloads(config: PlatformConfig) -> list[Workload]:
    """Every pod the platform runs on the nodes: EKS's addons, 05-helm's and 08-platform's releases."""
    return [w for entry in entries(config) for w in entry.pods(config)]


# --- where the pods go: the node pools, zones and the capacity check -----------------------------

def node_pools(config: PlatformConfig, karpenter_type: str | None = None) -> list[capacity.NodePool]:
    """Each node group's minimum nodes over the private subnets' zones, and, with Karpenter, the
    nodes its NodePool may hold within its CPU limit: ``cpu_limit // vCPUs`` of ``karpenter_type``.
    On an existing cluster: the nodes config measures (``nodes``), each pool in its zone."""
    if config.cloud == "existing":
        machines = targets.of(config).machines
        return [capacity.NodePool(name, f"nodes.{name}", (machines[name],), pool.count, (pool.zone or "default",),
                                  counted_as="count", more=f"add nodes (nodes.{name}.count)")
                for name, pool in config.nodes.items()]
    if config.cloud == "azure":  # each pool's minimum nodes over the three zones, at its own max_pods
        from officeless.config.instances import measured_node

        # AKS labels a node's zone <region>-<zone> (topology.kubernetes.io/zone):
        # https://learn.microsoft.com/azure/aks/availability-zones#verify-node-distribution-across-zones
        zones = tuple(f"{config.location}-{z}" for z in ("1", "2", "3"))
        return [capacity.NodePool(name, f"aks.node_pools.{name}",
                                  (measured_node(pool.vm_size, *pool.size.allocatable(pool.max_pods), pool.max_pods),),
                                  pool.min_nodes, zones, tainted=pool.system, counted_as="min_nodes",
                                  more=f"raise aks.node_pools.{name}.min_nodes")
                for name, pool in config.aks.node_pools.items()]
    if config.cloud == "gcp":  # each pool's minimum nodes, spread over the cluster's zones
        machines = targets.of(config).machines
        return [capacity.NodePool(name, f"gke.node_pools.{name}", (machines[pool.machine_type],), pool.min_nodes,
                                  tuple(config.zones), tainted=pool.system, counted_as="min_nodes",
                                  more=f"raise gke.node_pools.{name}.min_nodes")
                for name, pool in config.gke.node_pools.items()]
    zones = tuple(s.availability_zone for s in config.vpc.private_subnets)
    machines = targets.of(config).machines
    pools = [capacity.NodePool(name, f"eks.node_groups.{name}", tuple(machines[t] for t in group.instance_types),
                               group.min_size, zones, tainted=group.is_system)
             for name, group in config.eks.node_groups.items()]
    if config.karpenter.enabled and karpenter_type is not None:
        instance = machines[karpenter_type]
        pools.append(capacity.NodePool("karpenter", "karpenter.node_pool.cpu_limit", (instance,),
                                       config.karpenter.node_pool.cpu_limit // instance.vcpus, zones,
                                       counted_as="cpu_limit", more="raise karpenter.node_pool.cpu_limit"))
    return pools


def check_capacity(config: PlatformConfig) -> dict[str, dict]:
    """capacity.check over the node groups; with Karpenter, over the node groups and a fleet the
    NodePool could launch within its CPU limit: each of its instance types in turn (largest first),
    the first that fits wins. The error of the largest type is the one reported: no fleet of one
    instance type of the pool fits, and the largest is the one with the least overhead."""
    pods = workloads(config)
    if config.cloud != "aws" or not config.karpenter.enabled:
        return capacity.check(pods, node_pools(config))
    candidates = sorted(config.karpenter.node_pool.instance_types, key=lambda t: -INSTANCE_TYPES[t].vcpus)
    first_error: capacity.CapacityError | None = None
    for instance_type in candidates:
        if config.karpenter.node_pool.cpu_limit // INSTANCE_TYPES[instance_type].vcpus < 1:
            continue
        try:
            return capacity.check(pods, node_pools(config, instance_type))
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
    if config.cloud == "aws" and config.karpenter.enabled:
        zones = sorted({s.availability_zone for s in config.vpc.private_subnets})
        per_zone = (config.helm.size("mimir", "ingester").replicas or 0) >= len(zones)
        return tuple(zones) if len(zones) >= 3 and per_zone else None
    pools = [p for p in node_pools(config) if not p.tainted]
    zones = sorted({z for p in pools for z in p.zones[:p.nodes]})
    # One ingester per zone at least (a small profile's single replica replicates nothing).
    per_zone = (config.helm.size("mimir", "ingester").replicas or 0) >= len(zones)
    return tuple(zones) if len(zones) >= 3 and per_zone else None
