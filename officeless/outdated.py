"""``make outdated``: every version pin of every environment against the version table, with its
support status on the day (issue #33, item 2).

    python -m officeless.outdated [--json]

What is compared, and against what (``officeless/config/versions.py``): the Kubernetes minor (its
EKS calendar), each EKS addon pin (the table's version for the minor; an unpinned addon runs it),
Karpenter (the oldest release that supports the minor), the cluster-autoscaler image (built per
minor). Chart pins and provider packages are listed with what pins them; the table has no current
releases of charts yet (issue #30 adds them), so their status says so instead of guessing.

Exit 1 when a pin is past its standard support on the day: a Kubernetes minor on extended support
(EKS bills $0.60 instead of $0.10 per cluster hour) or past it; 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from datetime import date

from officeless.config import versions
from officeless.config import aks, charts, gke
from officeless.config.loader import PROJECT_ROOT, config_dir, load_environment
from officeless.config.platform import PlatformConfig



@dataclass(frozen=True)
class Row:
    environment: str
    kind: str  # kubernetes, addon, karpenter, image, chart, provider
    name: str
    pinned: str
    newest_known: str
    status: str
    past_support: bool = False


def _kubernetes(env: str, config: PlatformConfig, day: date) -> Row:
    minor = config.eks.minor
    status = minor.support_status(day)
    newest = max(versions.MINORS, key=lambda m: tuple(int(p) for p in m.split(".")))
    text = {"standard": f"standard support until {minor.end_of_standard_support}",
            "extended": (f"extended support since {minor.end_of_standard_support} ({versions.EXTENDED_SUPPORT_PRICE} "
                         f"instead of {versions.STANDARD_SUPPORT_PRICE} per cluster hour) until "
                         f"{minor.end_of_extended_support}"),
            "ended": f"no longer run by EKS since {minor.end_of_extended_support}"}[status]
    return Row(env, "kubernetes", config.eks.cluster_name, minor.version, newest, text, past_support=status != "standard")


def _managed(env: str, cluster_name: str, minor, table, day: date, texts: dict[str, str]) -> Row:
    """A managed Kubernetes minor (GKE's, AKS's) against its table: ``texts`` says each status
    (validation already refuses one past the support config asks for)."""
    newest = max(table, key=lambda m: tuple(int(p) for p in m.split(".")))
    status = minor.support_status(day)
    return Row(env, "kubernetes", cluster_name, minor.version, newest, texts[status], past_support=status != "standard")


def _gke(env: str, config, day: date) -> Row:
    """A GCP environment's GKE minor against officeless/config/gke.py."""
    minor = config.gke.minor
    return _managed(env, config.gke.cluster_name, minor, gke.GKE_MINORS, day, {
        "standard": f"GKE standard support until {minor.end_of_standard_support}",
        "extended": f"GKE extended support (EXTENDED channel) until {minor.end_of_extended_support}",
        "ended": f"no longer run by GKE since {minor.end_of_extended_support}"})


def _aks(env: str, config, day: date) -> Row:
    """An Azure environment's AKS minor against officeless/config/aks.py."""
    minor = config.aks.minor
    return _managed(env, config.aks.cluster_name, minor, aks.AKS_MINORS, day, {
        "standard": f"AKS community support until {minor.end_of_life}",
        "lts": f"AKS long-term support (Premium tier) until {minor.end_of_lts}",
        "ended": f"no longer run by AKS since {minor.end_of_lts}"})


def _addons(env: str, config: PlatformConfig) -> list[Row]:
    minor = config.eks.minor
    out = []
    for name, default in minor.addons.items():
        pin = config.eks.addons.get(name)
        if pin is None:
            out.append(Row(env, "addon", name, f"{default} (unpinned: the table's)", default, "current"))
        else:
            behind = versions.addon_behind(name, pin, minor.version)
            out.append(Row(env, "addon", name, pin, default, "behind the table" if behind else "current or newer"))
    return out


def _karpenter(env: str, config: PlatformConfig) -> list[Row]:
    if not config.karpenter.enabled:
        return []
    minimum = config.eks.minor.karpenter_minimum
    return [Row(env, "karpenter", "karpenter", config.karpenter.version, f">= {minimum} on {config.eks.minor.version}",
                "supports the minor")]


def _image(env: str, config: PlatformConfig) -> list[Row]:
    if not config.helm.cluster_autoscaler.enabled:
        return []
    table = config.eks.minor.cluster_autoscaler_image
    tag = config.cluster_autoscaler_image_tag
    return [Row(env, "image", "cluster-autoscaler", tag, table, "current" if tag == table else "differs from the table")]


def _chart(env: str, name: str, pinned: str) -> Row:
    """A chart pin against the chart table (officeless/config/charts.py)."""
    newest, text = charts.status(name, pinned)
    return Row(env, "chart", name, pinned, newest, text)


def _pins(env: str, config) -> list[Row]:
    """Every chart pin of the environment's target (officeless/config/charts.py's pins)."""
    return [_chart(env, chart, version) for _, chart, version in charts.pins(config)]


def _existing(env: str, config) -> list[Row]:
    """An existing cluster: its version is the user's; the chart pins of its target."""
    out = _pins(env, config)
    out.append(_chart(env, "kubernetes-ingress", config.ingress_controller.version))
    if not config.object_storage.external:
        out.append(_chart(env, "seaweedfs", config.object_storage.in_cluster.version))
    if config.valkey.enabled:
        out.append(_chart(env, "valkey", config.valkey.version))
    return out


def _charts(env: str, config: PlatformConfig) -> list[Row]:
    out = _pins(env, config)
    if config.karpenter.enabled:
        out.append(Row(env, "chart", "karpenter", config.karpenter.version, "unknown", "the release above"))
    return out


def _providers() -> list[Row]:
    """The Pipfile's exact pins of cdktf and its provider packages (built for cdktf 0.21; CDKTF is archived)."""
    text = (PROJECT_ROOT / "Pipfile").read_text()
    return [Row("all", "provider", name, version, "unknown", "prebuilt bindings end with cdktf 0.21 (archived)")
            for name, version in re.findall(r'^(cdktf[\w-]*)\s*=\s*"==([^"]+)"', text, flags=re.M)]


def rows(environments: list[str], day: date) -> list[Row]:
    out: list[Row] = []
    for env in environments:
        config = load_environment(env, on=day)
        if config.cloud == "existing":
            out += _existing(env, config)
            continue
        if config.cloud in ("gcp", "azure"):
            out.append((_gke if config.cloud == "gcp" else _aks)(env, config, day))
            out += _pins(env, config)
            continue
        out += [_kubernetes(env, config, day), *_addons(env, config), *_karpenter(env, config), *_image(env, config),
                *_charts(env, config)]
    return out + _providers()


def environments() -> list[str]:
    return sorted(p.stem for p in config_dir().glob("*.yaml"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON document instead of the table")
    parser.add_argument("--env", action="append", help="an environment (default: every file in config/)")
    args = parser.parse_args(argv)
    day = versions.today()
    found = rows(args.env or environments(), day)
    if args.json:
        print(json.dumps({"day": day.isoformat(), "rows": [asdict(r) for r in found]}, indent=1))
    else:
        widths = [max(len(str(getattr(r, f))) for r in found) for f in ("environment", "kind", "name", "pinned", "newest_known")]
        print(f"pins on {day} (officeless/config/versions.py)")
        for r in found:
            cells = [r.environment, r.kind, r.name, r.pinned, r.newest_known]
            mark = "PAST STANDARD SUPPORT: " if r.past_support else ""
            print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + f"  {mark}{r.status}")
    past = [r for r in found if r.past_support]
    for r in past:
        print(f"error: {r.environment}: {r.kind} {r.name} {r.pinned} is past standard support: {r.status}", file=sys.stderr)
    return 1 if past else 0


if __name__ == "__main__":
    sys.exit(main())
