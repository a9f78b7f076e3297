"""The observability section: tenant, retention, alerting and Grafana access.

Chart versions and sizes live under ``helm``; this section says what the stack does with data.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.platform_services import CertificateArn
from officeless.config.types import Hostname, Model, Name, matching
from officeless.errors import FieldError

# 03-s3 purposes whose objects the compactors delete at the end of retention, and which retention
# applies. The other observability buckets (ruler rules, Alertmanager state) hold long-lived objects.
RETAINED_BUCKETS = {"mimir-metrics": "metrics", "loki-chunks": "logs", "tempo-traces": "traces"}

SecretName = Annotated[StrictStr, matching(
    r"[A-Za-z0-9/_+=.@-]{1,512}", "a Secrets Manager secret name; allowed: 1-512 of letters, digits and /_+=.@-",
)]


class RetentionConfig(Model):
    """Days data is kept; the compactors enforce it (Mimir, Loki, Tempo)."""

    logs_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 30  # microservices guide: 30 days of logs
    metrics_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 15  # microservices guide: Prometheus retention 15 days
    traces_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 14  # stated here: two weeks of traces
    # The S3 lifecycle backstop expires objects this long after retention, in case a compactor
    # stopped; never earlier than the compactors would.
    backstop_days: Annotated[StrictInt, Field(ge=1, le=365)] = 7

    def days(self, kind: str) -> int:
        return {"logs": self.logs_days, "metrics": self.metrics_days, "traces": self.traces_days}[kind]


class AlertReceiverConfig(Model):
    """Where Mimir's Alertmanager sends alerts. ``none``: a null route (alerts are visible in
    Grafana and the Alertmanager UI, nobody is paged). The credential (Slack webhook URL,
    PagerDuty routing key, webhook URL) is the value of a Secrets Manager secret created outside
    Terraform (README), mounted into the Alertmanager pods; it never enters the JSON or state."""

    type: Literal["none", "slack", "pagerduty", "webhook"] = "none"
    # The Secrets Manager secret holding the credential; must lie under "<environment>/".
    secret_name: SecretName | None = None
    # Slack only: the channel, e.g. "#platform-alerts" (Slack's names: lowercase letters, digits,
    # '-' and '_', at most 80).
    channel: Annotated[StrictStr, matching(r"#?[a-z0-9][a-z0-9_-]{0,79}", "a Slack channel name, e.g. #platform-alerts")] | None = None

    @model_validator(mode="after")
    def _secret_when_needed(self) -> "AlertReceiverConfig":
        if self.type == "none" and (self.secret_name or self.channel):
            raise FieldError("type", "'none' takes no secret_name or channel; allowed: slack, pagerduty or webhook with them")
        if self.type != "none" and not self.secret_name:
            raise FieldError("secret_name", f"required with type {self.type!r}: the Secrets Manager secret holding its credential")
        if self.channel is not None and self.type != "slack":
            raise FieldError("channel", f"only for type 'slack', not {self.type!r}")
        return self


class GrafanaAccessConfig(Model):
    """Grafana is reachable only inside the VPC (an internal ALB); never internet-facing."""

    # Host name for the Ingress rule (an internal DNS name you point at the ALB). Default: any host.
    hostname: Hostname | None = None
    # ACM certificate for HTTPS on the internal ALB. Default: none (HTTP inside the VPC).
    # Default: none; then the internal class's (ingress.internal.certificate_arns), else plain HTTP.
    certificate_arn: CertificateArn | None = None


class ObservabilityConfig(Model):
    # The X-Scope-OrgID every writer and every Grafana data source sends; Mimir, Loki and Tempo
    # run multi-tenant and keep each tenant's data apart. Default: the project name.
    tenant: Name | None = None
    retention: RetentionConfig = RetentionConfig()
    # Tempo's metrics-generator writes span metrics and service graphs to Mimir. Default on.
    tempo_metrics_generator: StrictBool = True
    alerting: AlertReceiverConfig = AlertReceiverConfig()
    grafana: GrafanaAccessConfig = GrafanaAccessConfig()

    def tenant_of(self, project: str) -> str:
        """The tenant every writer and data source sends: ``tenant``, else the project's name."""
        return self.tenant or project
