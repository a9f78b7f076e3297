"""``make upgrade-plan ENV=production [TO=1.36]``: the steps from an environment's Kubernetes minor
to the nearest minor of the version table in standard support, or to ``--to`` (issue #30, item 4).

The default target is the nearest, not the newest: leaving extended support (six times the cluster
hour) is what cannot wait, and every further minor is another control plane update and node roll.
An environment already in standard support needs nothing unless ``--to`` names a newer minor.

EKS upgrades the control plane one minor per update
(https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html), so the plan is one step per
minor. For each step it names, from config, officeless/config/versions.py and the chart table's
kubeVersion readings (officeless/config/charts.py):

- what must be deployed first: Karpenter, which must support the next minor before the cluster runs
  it, and any chart whose kubeVersion excludes the next minor (Helm would refuse it there);
- the one config change of the step: the minor, and every pin that would not fit it (config refuses
  a pin that does not fit the minor it names);
- what the deploy changes by itself: managed node groups roll after the control plane; unpinned
  addons and the cluster-autoscaler image follow the table.

Read-only: it changes no file. Exit 0 with a plan, 0 when nothing is needed, 2 on a config error.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import date

from officeless.config import charts, versions
from officeless.config.loader import load_environment
from officeless.errors import ConfigError


@dataclass
class Step:
    source: str
    target: str
    before: list[str] = field(default_factory=list)  # deploys that must land first
    change: list[str] = field(default_factory=list)  # the config change of the step, in one commit
    edits: dict[str, str] = field(default_factory=dict)  # the same change: field path -> new value
    unstage: list[str] = field(default_factory=list)  # the second commit: fields to remove
    follows: list[str] = field(default_factory=list)  # what its deploy changes by itself


def target_minor(current: str, day: date, to: str | None = None) -> str | None:
    """``to`` when given (checked: a minor of the table, newer than ``current``); else, while
    ``current`` is out of standard support on ``day``, the nearest newer minor of the table in it."""
    if to is not None:
        if to not in versions.MINORS:
            raise ConfigError("--to", "", f"{to!r} is not a minor of the version table; allowed: "
                              f"{', '.join(versions.MINORS)} (officeless/config/versions.py)")
        if to not in _newer(current):
            raise ConfigError("--to", "", f"{to!r} is not newer than the running {current}; allowed: "
                              f"{', '.join(_newer(current)) or 'none'}")
        return to
    if versions.MINORS[current].support_status(day) == "standard":
        return None
    standard = versions.minors_supported_on(day, "standard")
    return min((m for m in _newer(current) if m in standard), key=lambda m: versions.minor_offset(current, m), default=None)


def _newer(minor: str) -> list[str]:
    """The minors of the version table newer than ``minor``, oldest first."""
    return [m for m in versions.MINORS if versions.minor_offset(minor, m) > 0]


def plan(config, day: date, to: str | None = None) -> list[Step]:
    """One step per minor from ``config``'s to the target; empty when already there. Pins are
    carried from step to step as the plan changes them."""
    eks = config.eks
    target = target_minor(eks.kubernetes_version, day, to)
    steps: list[Step] = []
    minor = eks.kubernetes_version
    pins = dict(eks.addons)
    kubectl = config.ec2.software.kubectl_series
    karpenter = config.karpenter.version if config.karpenter.enabled else None
    autoscaler = config.helm.cluster_autoscaler
    image_pin = autoscaler.image_tag if autoscaler.enabled else None
    chart_pins = {path: (chart, version) for path, chart, version in charts.pins(config)}
    while target is not None and minor != target:
        nxt = versions.next_minor(minor)
        table = versions.MINORS[nxt]
        step = Step(minor, nxt)
        if karpenter and versions.karpenter_fits(karpenter, nxt):
            step.before.append(f"karpenter.version: {karpenter} does not support {nxt}; upgrade Karpenter to "
                               f"{table.karpenter_minimum} or newer and deploy 05-helm")
            karpenter = step.edits["karpenter.version"] = table.karpenter_minimum
        # Helm refuses a chart whose kubeVersion excludes the cluster's version: such a pin moves first.
        for path, (chart, pin) in sorted(chart_pins.items()):
            problem = charts.kube_version_refuses(chart, pin, nxt)
            if not problem:
                continue
            newest = charts.runnable(chart)
            if charts.kube_version_refuses(chart, newest, nxt):
                step.before.append(f"{path}: {problem}, as does the chart table's {newest}: no release read here admits "
                                   f"{nxt}; find one before this step")
                continue
            stack = "05-helm" if path.startswith("helm.") else "08-platform"
            step.before.append(f"{path}: {problem}; upgrade it to {newest} (the chart table's) and deploy {stack}")
            chart_pins[path] = (chart, newest)
            step.edits[path] = newest
        for group, settings in eks.node_groups.items():
            if minor == eks.kubernetes_version and settings.kubernetes_version is not None:
                step.before.append(f"eks.node_groups.{group}.kubernetes_version: {settings.kubernetes_version} is staged; "
                                   "remove it and deploy 02-eks, so the group runs the control plane's minor")
        # Config checks every pin against the minor it names, so a pin that does not fit the next
        # minor changes in the same commit as the minor; 02-eks updates the addons after the cluster.
        step.change.append(f'eks.kubernetes_version: "{nxt}"')
        step.edits["eks.kubernetes_version"] = nxt
        for name, pin in sorted(pins.items()):
            if versions.addon_fits(name, pin, nxt):
                step.change.append(f"eks.addons.{name}: {table.addons[name]} (was {pin}, not known to run on {nxt}), "
                                   "or remove the pin")
                pins[name] = step.edits[f"eks.addons.{name}"] = table.addons[name]
        # kubectl is supported within one minor of the API server
        # (https://kubernetes.io/releases/version-skew-policy/#kubectl).
        if kubectl[1:] not in (minor, nxt, versions.next_minor(nxt)):
            step.change.append(f"ec2.software.kubectl_series: v{nxt} (was {kubectl}, more than one minor from {nxt})")
            kubectl = step.edits["ec2.software.kubectl_series"] = f"v{nxt}"
        # The nodes stay on the old minor while the control plane moves (README "Upgrading Kubernetes").
        for group in eks.node_groups:
            step.change.append(f'eks.node_groups.{group}.kubernetes_version: "{minor}" (the nodes stay behind)')
            step.edits[f"eks.node_groups.{group}.kubernetes_version"] = minor
            step.unstage.append(f"eks.node_groups.{group}.kubernetes_version")
        if image_pin:
            step.change.append(f"helm.cluster_autoscaler.image_tag: {table.cluster_autoscaler_image} (was {image_pin}, "
                               f"built for {minor})")
            image_pin = step.edits["helm.cluster_autoscaler.image_tag"] = table.cluster_autoscaler_image
        step.follows.append(f"make synth; deploy 02-eks: the control plane to {nxt}, then the addons (in place, "
                            "no replacement)")
        if step.unstage:
            step.follows.append(f"remove {', '.join(step.unstage)}; deploy 02-eks: the nodes roll to {nxt}, "
                                "max_unavailable at a time")
        unpinned = [n for n in versions.ADDON_NAMES if n not in pins]
        if unpinned:
            step.follows.append(f"addons without a pin move to the table's for {nxt} in that deploy: " + ", ".join(
                f"{n} {table.addons[n]}" for n in unpinned))
        image = (f" (cluster-autoscaler image {table.cluster_autoscaler_image}, the table's for {nxt})"
                 if autoscaler.enabled and not autoscaler.image_tag else "")
        step.follows.append(f"deploy 05-helm{image}, then the other Kubernetes-side stacks")
        steps.append(step)
        minor = nxt
    return steps


def render(environment: str, config, day: date, steps: list[Step]) -> str:
    minor = config.eks.minor
    status = minor.support_status(day)
    head = (f"{environment}: Kubernetes {minor.version} on {day} is in {status} support "
            f"(standard until {minor.end_of_standard_support}, extended until {minor.end_of_extended_support})")
    if not steps:
        newer = _newer(minor.version)
        further = f" (the table also knows {', '.join(newer)}: --to plans the way there)" if newer else ""
        return head + f"; nothing to do{further}"
    target = versions.MINORS[steps[-1].target]
    lines = [head, f"target: {target.version}, in standard support until {target.end_of_standard_support}; "
                   f"{len(steps)} step{'s' if len(steps) > 1 else ''}, one minor at a time:"]
    for i, step in enumerate(steps, 1):
        lines.append(f"step {i}: {step.source} -> {step.target}")
        lines += [f"  first:  {line}" for line in step.before]
        lines += [f"  change: {line}" for line in step.change]
        lines += [f"  then:   {line}" for line in step.follows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", help="the environment (default: $OFFICELESS_ENV, else production)")
    parser.add_argument("--to", help="the target minor (default: the nearest in standard support)")
    args = parser.parse_args(argv)
    day = versions.today()
    try:
        config = load_environment(args.env, on=day)
        steps = plan(config, day, args.to) if config.cloud == "aws" else []
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if config.cloud == "gcp":
        # GKE upgrades the control plane and auto-upgraded node pools itself on the release channel;
        # what is pinned here is the minor it may not fall below (officeless/config/gke.py).
        minor = config.gke.minor
        print(f"{config.environment}: GKE {minor.version} on the {config.gke.release_channel} channel, standard support "
              f"until {minor.end_of_standard_support}; GKE upgrades the cluster and its auto-upgraded node pools "
              "itself: raise gke.kubernetes_version to follow it, no step to run here")
        return 0
    if config.cloud != "aws":
        print(f"{config.environment}: cloud {config.cloud}: the cluster's version is not managed here", file=sys.stderr)
        return 0
    print(render(config.environment, config, day, steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
