"""Settings that weaken the platform: refused in production unless config names the accepted risk,
told at every synth everywhere else (issue #28).

One table, :data:`WEAKENINGS`: each entry is a key (the config field), what it costs in one
phrase, what is safe, and a test over the validated config returning the weak value to quote (or
None). ``accepted_risks: {<key>: <reason>}`` in an environment's file accepts one: production then
synthesizes, and every synth prints the risk with its reason. An accepted risk whose setting is safe
again is refused, so the list never outlives what it accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

# ELB policies admitting TLS 1.0 or 1.1, by AWS's names (the numbers after TLS-/TLS13-/FS- are the
# oldest protocol; 2015-05, 2016-08 and FS-2018-06 admit 1.0):
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
_OLD_TLS = re.compile(r"ELBSecurityPolicy-(2015-05|2016-08|TLS-1-0-|TLS-1-1-|TLS13-1-0-|TLS13-1-1-|FS-2018-06|FS-1-1-)")
# The control-plane logs whose absence hides who did what (the deployment guide enables all five).
_AUDIT_LOGS = ("api", "audit", "authenticator")


@dataclass(frozen=True)
class Weakening:
    key: str  # the config field, also the key in accepted_risks
    costs: str  # what the weak setting costs, as a phrase
    safe: str  # what production should have instead
    weak: Callable[[Any], str | None]  # the weak value to quote, or None when the setting is safe


def _public_endpoint(config) -> str | None:
    eks = config.eks
    if not eks.endpoint_public_access:
        return None
    cidrs = eks.public_access_cidrs or ["0.0.0.0/0"]
    return f"true (from {', '.join(cidrs)})"


def _tls_policy(kind: str) -> Callable[[Any], str | None]:
    def weak(config) -> str | None:
        policy = getattr(config.ingress, kind).ssl_policy
        return repr(policy) if _OLD_TLS.match(policy) else None
    return weak


def _missing_logs(config) -> str | None:
    missing = [t for t in _AUDIT_LOGS if t not in config.eks.log_types]
    return f"{config.eks.log_types} (without {', '.join(missing)})" if missing else None


def _s3_backend(attribute: str) -> Callable[[Any], str | None]:
    def weak(config) -> str | None:
        backend = config.backend
        return "false" if getattr(backend, "type", None) == "s3" and not getattr(backend, attribute) else None
    return weak


WEAKENINGS = (
    Weakening("eks.endpoint_public_access", "the cluster's API answers on the internet", "false (reach it over the VPN)",
              _public_endpoint),
    Weakening("eks.secrets_encryption", "Kubernetes Secrets are stored without envelope encryption by the cluster's KMS "
              "key", "true", lambda c: None if c.eks.secrets_encryption else "false"),
    Weakening("eks.network_policy", "NetworkPolicies are not enforced: every tenant's default-deny does nothing", "true",
              lambda c: None if c.eks.network_policy else "false"),
    Weakening("eks.log_types", "the control plane's API, audit or authenticator log is off: who did what is lost",
              "all of api, audit, authenticator (the deployment guide enables all five)", _missing_logs),
    Weakening("vpc.flow_logs.enabled", "no VPC flow logs: no record of traffic", "true",
              lambda c: None if c.vpc.flow_logs.enabled else "false"),
    Weakening("backend.tls_only_policy", "the state bucket accepts requests without TLS", "true", _s3_backend("tls_only_policy")),
    Weakening("backend.restrict_state_readers", "any principal with S3 read access reads the state (secrets in it)", "true",
              _s3_backend("restrict_state_readers")),
    Weakening("ingress.public.ssl_policy", "the public ALB accepts TLS 1.0 or 1.1", "a TLS 1.2+ policy, e.g. "
              "ELBSecurityPolicy-TLS13-1-2-2021-06", _tls_policy("public")),
    Weakening("ingress.internal.ssl_policy", "the internal ALB accepts TLS 1.0 or 1.1", "a TLS 1.2+ policy, e.g. "
              "ELBSecurityPolicy-TLS13-1-2-2021-06", _tls_policy("internal")),
)
KEYS = tuple(w.key for w in WEAKENINGS)


def found(config) -> list[tuple[Weakening, str]]:
    """(weakening, the weak value) of each weak setting of ``config``."""
    return [(w, value) for w in WEAKENINGS if (value := w.weak(config)) is not None]
