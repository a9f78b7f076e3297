"""The 05-helm section: cluster addons and the observability stack, chart versions pinned."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aws_limits import MAX_PODS
from officeless.config.charts import at_least, current
from officeless.config.quantities import Cpu, Memory
from officeless.config.secrets import SecretPrefix
from officeless.config.sizes import EXISTING_ONLY_RELEASES, SIZES, ComponentSize, Res
from officeless.config.types import Model, Name, matching, not_a_yaml_number
from officeless.errors import FieldError

# The 03-s3 bucket purposes each observability component stores into.
COMPONENT_BUCKETS = {
    "mimir": ("mimir-metrics", "mimir-alertmanager", "mimir-ruler"),
    "loki": ("loki-chunks", "loki-ruler"),
    "tempo": ("tempo-traces",),
}

# Sections that must say whether they are on: left out, they stay a missing setting.
OBSERVABILITY_FIELDS = ("mimir", "loki", "tempo", "grafana")

ChartVersion = Annotated[
    StrictStr,
    BeforeValidator(not_a_yaml_number('pin an exact chart version as a string, e.g. "1.12.0"')),
    matching(r"\d+\.\d+\.\d+", "a pinned chart version; allowed: an exact MAJOR.MINOR.PATCH such as 1.12.0 (no ranges, 'latest' or v-prefix)"),
]


class Chart(Model):
    version: ChartVersion


class ClusterAutoscalerChart(Chart):
    # Install cluster-autoscaler, which scales the managed node groups tagged for it. On by default
    # (production, as documented); off where Karpenter provides the nodes: never both.
    enabled: StrictBool = True
    # registry.k8s.io/autoscaling/cluster-autoscaler tag; its minor must be the cluster's.
    # Default: the version table's image for eks.kubernetes_version (the chart's own default
    # follows the chart release, not the cluster: 9.45.0 ships v1.32.0).
    image_tag: StrictStr | None = None


class LoadBalancerControllerChart(Chart):
    replicas: Annotated[StrictInt, Field(ge=1, le=MAX_PODS)] = 2


class ObservabilityChart(Chart):
    # Install this component. On in production, off in dev.
    enabled: StrictBool


class TempoChart(ObservabilityChart):
    @model_validator(mode="after")
    def _no_kafka_write_path(self) -> "TempoChart":
        # tempo-distributed 3.0 replaces the ingesters with a write path through a Kafka-compatible
        # broker the chart does not bundle (its UPGRADE.md, "v2.x -> v3.0"); nothing here runs one.
        if at_least(self.version, "3.0.0"):
            raise FieldError("version", f"{self.version!r}: tempo-distributed 3.x writes through a Kafka-compatible "
                             "broker, which this platform does not run; allowed: a release before 3.0.0, e.g. 2.26.2 "
                             "(the last 2.x, Tempo 2.10)")
        return self


class ContainerSizeOverride(Model):
    cpu: Cpu | None = None  # request, e.g. 100m
    memory: Memory | None = None  # request, e.g. 256Mi
    memory_limit: Memory | None = None  # e.g. 512Mi


class ComponentSizeOverride(Model):
    replicas: Annotated[StrictInt, Field(ge=1, le=MAX_PODS)] | None = None
    containers: dict[StrictStr, ContainerSizeOverride] = {}


class ServiceAccountRef(Model):
    namespace: Name
    name: Name
    # What it may read, ``<prefix>/*``. Default: its tenant's secret_prefix when the namespace is
    # a tenant, else ``<environment>/<namespace>/*``; never another tenant's or the platform's.
    secret_prefix: SecretPrefix | None = None


class ClusterHelmConfig(Model):
    """What every target's 05-helm has: the observability stack, metrics-server, the sizes. Each
    target's section adds its own charts (:class:`HelmConfig` on AWS)."""

    # Releases sized in officeless/config/sizes.py that this target does not deploy (helm.sizes refuses them).
    foreign_releases: ClassVar[tuple[str, ...]] = ()
    # Fields of charts this target never deploys (its cluster provides them): no current version is filled in.
    provided: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _current_where_unpinned(cls, data: Any) -> Any:
        """A chart whose version config leaves out runs its current release (officeless/config/charts.py).
        Observability charts still say whether they are on (``enabled``)."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name in cls.model_fields:
            version = None if name in cls.provided else current(name)
            section = out.get(name, {} if name not in OBSERVABILITY_FIELDS else None)
            if version is None or not isinstance(section, dict) or "version" in section:
                continue
            out[name] = {**section, "version": version}
        return out
    # Seconds Helm waits for each release to become ready before rolling it back (atomic).
    timeout_seconds: Annotated[StrictInt, Field(ge=60, le=3600)] = 900
    metrics_server: Chart
    mimir: ObservabilityChart
    loki: ObservabilityChart
    tempo: TempoChart
    # The collector (an Alloy DaemonSet plus one Alloy for events and cluster metrics),
    # kube-state-metrics and node-exporter run whenever Mimir, Loki or Tempo does.
    alloy: Chart
    kube_state_metrics: Chart
    prometheus_node_exporter: Chart
    grafana: ObservabilityChart
    # Requests, limits and replicas of every container: the profile's defaults
    # (officeless/config/sizes.py), standard (production) or small (dev).
    profile: Literal["standard", "small"] = "standard"
    # Overrides: helm.sizes.<release>.<component>: {replicas, containers: {<name>: {cpu, memory, memory_limit}}}
    sizes: dict[StrictStr, dict[StrictStr, ComponentSizeOverride]] = {}

    @model_validator(mode="after")
    def _sizes_name_what_exists(self) -> "ClusterHelmConfig":
        defaults = {r: c for r, c in SIZES[self.profile].items() if r not in self.foreign_releases}
        for release, components in self.sizes.items():
            if release not in defaults:
                raise FieldError(f"sizes.{release}", f"unknown release for profile {self.profile!r}; allowed: {', '.join(defaults)}")
            for component, override in components.items():
                known = defaults[release]
                if component not in known:
                    raise FieldError(f"sizes.{release}.{component}", f"unknown component; allowed: {', '.join(known)}")
                if override.replicas is not None and known[component].replicas is None:
                    raise FieldError(f"sizes.{release}.{component}.replicas",
                                     "this component's replicas are not sized here (a DaemonSet, or a setting of its own)")
                for container in override.containers:
                    if container not in known[component].containers:
                        raise FieldError(f"sizes.{release}.{component}.containers.{container}",
                                         f"unknown container; allowed: {', '.join(known[component].containers)}")
                for name, res in self.size(release, component).containers.items():
                    if res.memory_limit < res.memory:
                        raise FieldError(f"sizes.{release}.{component}.containers.{name}.memory_limit",
                                         f"{res.memory_limit}Mi is below the memory request {res.memory}Mi; allowed: at least the request")
        return self

    def enabled_observability(self) -> list[str]:
        return [name for name in COMPONENT_BUCKETS if getattr(self, name).enabled]

    @property
    def collects(self) -> bool:
        return bool(self.enabled_observability())

    def size_components(self, release: str) -> list[str]:
        """The components the profile sizes for ``release`` (what it deploys of that release)."""
        return list(SIZES[self.profile][release])

    def size(self, release: str, component: str) -> ComponentSize:
        """The profile's size of ``component`` of ``release`` with this config's overrides applied."""
        default = SIZES[self.profile][release][component]
        override = self.sizes.get(release, {}).get(component)
        if override is None:
            return default
        containers = {}
        for name, res in default.containers.items():
            o = override.containers.get(name)
            containers[name] = Res(o.cpu or res.cpu, o.memory or res.memory, o.memory_limit or res.memory_limit) if o else res
        return ComponentSize(containers, override.replicas or default.replicas)


class HelmConfig(ClusterHelmConfig):
    """EKS's 05-helm: the shared charts plus AWS's own."""

    foreign_releases: ClassVar[tuple[str, ...]] = EXISTING_ONLY_RELEASES
    aws_load_balancer_controller: LoadBalancerControllerChart
    cluster_autoscaler: ClusterAutoscalerChart
    aws_efs_csi_driver: Chart
    secrets_store_csi_driver: Chart
    secrets_store_csi_driver_provider_aws: Chart
    # Application service accounts that may read secrets through the Secrets Store CSI driver
    # (one Pod Identity association each), each only its own prefix. Default: none.
    secrets_reader_service_accounts: list[ServiceAccountRef] = []

    @model_validator(mode="after")
    def _service_accounts_once(self) -> "HelmConfig":
        seen: dict[tuple[str, str], int] = {}
        for i, ref in enumerate(self.secrets_reader_service_accounts):
            key = (ref.namespace, ref.name)
            if key in seen:
                raise FieldError(f"secrets_reader_service_accounts[{i}]", f"{ref.namespace}/{ref.name} duplicates "
                                                                         f"secrets_reader_service_accounts[{seen[key]}]; list each once")
            seen[key] = i
        return self
