"""05-helm's charts on a managed Kubernetes service that runs metrics-server and the CSI drivers itself
(GKE, AKS): every target's charts but metrics-server, the observability stack off unless config turns it on."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import model_validator

from officeless.config.charts import current
from officeless.config.helm import ClusterHelmConfig, ObservabilityChart
from officeless.config.sizes import AWS_ONLY_RELEASES, EXISTING_ONLY_RELEASES
from officeless.errors import FieldError


def _off(field: str) -> ObservabilityChart:
    return ObservabilityChart(version=current(field), enabled=False)


class ManagedHelmConfig(ClusterHelmConfig):
    """``service`` names the cloud's Kubernetes in the refusal of a metrics_server section."""

    service: ClassVar[str] = ""
    foreign_releases: ClassVar[tuple[str, ...]] = (*AWS_ONLY_RELEASES, *EXISTING_ONLY_RELEASES, "metrics-server")
    provided: ClassVar[tuple[str, ...]] = ("metrics_server",)
    metrics_server: None = None

    @model_validator(mode="before")
    @classmethod
    def _service_provides(cls, data: Any) -> Any:
        if isinstance(data, dict) and "metrics_server" in data:
            raise FieldError("metrics_server", f"{cls.service} runs metrics-server itself (and the CSI drivers); allowed: "
                                               "no metrics_server section here")
        return data
    mimir: ObservabilityChart = _off("mimir")
    loki: ObservabilityChart = _off("loki")
    tempo: ObservabilityChart = _off("tempo")
    grafana: ObservabilityChart = _off("grafana")
