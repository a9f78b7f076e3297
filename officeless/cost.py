"""``make cost ENV=<env>``: the monthly on-demand estimate of an environment, per stack and in total
(issue #33, item 1).

    python -m officeless.cost [--out cdktf.out] [--json] [--assume NAME=VALUE ...]
    python -m officeless.cost --diff BASE.json HEAD.json

Read from the synthesized JSON alone (``cdktf.out/stacks/*/cdk.tf.json``), so two commits compare
by synthesizing each (``make cost-diff BASE=<ref>``): the region from the AWS provider block, the
cluster's Kubernetes minor (its support period on the day, ``versions.today()``, the clock of the
extended-support warning), node groups at min/desired/max, Karpenter's CPU limit as an upper bound,
NAT gateways, public IPv4 addresses (Elastic IPs and internet-facing load balancers' one per public
subnet), the load balancers the controller creates for the ingress classes' groups and the Gateways
(read from the releases' values), EBS volumes, the VPN server, cache nodes, interface endpoints,
KMS keys, Secrets Manager secrets. What depends on use (NAT and load balancer traffic, logs, S3,
EFS, backups, ECR, tenants' own secrets) is priced from stated assumptions (``ASSUMPTIONS``,
``--assume`` to change one) and totalled apart from the fixed part. Prices: ``officeless/prices.py``.

Exit 0; 2 with one line when the environment cannot be priced (a region or cloud the table lacks).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import yaml

from officeless import prices
from officeless.config import versions
from officeless.config.instances import INSTANCE_TYPES
from officeless.envvars import CDKTF_OUTDIR, ENVIRONMENT
from officeless.graph import dependencies, deploy_order

# Usage the JSON cannot know, each stated with the estimate (name -> (value, what it means)).
ASSUMPTIONS: Mapping[str, tuple[float, str]] = {
    "nat_gb": (100, "GB a month through each NAT gateway"),
    "alb_lcu": (1, "load balancer capacity units each ALB uses on average"),
    "flow_logs_gb": (50, "GB of VPC flow logs a month"),
    "eks_logs_gb": (20, "GB of EKS control plane logs a month (api, audit, ...)"),
    "other_logs_gb": (1, "GB a month into every other log group"),
    "s3_gb": (50, "GB stored in each S3 bucket"),
    "efs_gb": (20, "GB stored on each EFS file system (and in its backups)"),
    "ecr_gb": (5, "GB of images in each ECR repository"),
    "tenant_secrets": (5, "Secrets Manager secrets each tenant namespace keeps under its prefix"),
}
# EC2 detailed monitoring publishes these 7 metrics an instance at the custom-metric rate.
DETAILED_MONITORING_METRICS = 7
_REF = re.compile(r"\$\{aws_launch_template\.([^.]+)\.")


class CostError(Exception):
    """The environment cannot be priced: one line."""


@dataclass(frozen=True)
class Line:
    stack: str
    address: str
    item: str
    quantity: float
    unit: str
    unit_usd: float
    monthly_usd: float
    price: str  # the key in officeless/prices.py
    usage: bool = False  # priced from an assumption
    note: str = ""


@dataclass
class Estimate:
    environment: str
    region: str
    day: str
    lines: list[Line] = field(default_factory=list)
    # Not part of the totals: nodes at max, Karpenter's limit.
    bounds: dict[str, float] = field(default_factory=dict)
    unpriced: list[str] = field(default_factory=list)
    assumptions: dict[str, float] = field(default_factory=dict)

    def stacks(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for line in self.lines:
            row = out.setdefault(line.stack, {"fixed": 0.0, "usage": 0.0})
            row["usage" if line.usage else "fixed"] += line.monthly_usd
        return {k: {t: round(v, 2) for t, v in row.items()} for k, row in out.items()}

    def totals(self) -> dict[str, float]:
        fixed = sum(line.monthly_usd for line in self.lines if not line.usage)
        usage = sum(line.monthly_usd for line in self.lines if line.usage)
        return {"fixed": round(fixed, 2), "usage": round(usage, 2), "total": round(fixed + usage, 2)}

    def as_json(self) -> dict[str, Any]:
        return {"environment": self.environment, "region": self.region, "day": self.day,
                "hours_per_month": prices.HOURS_PER_MONTH, "prices_recorded": prices.RECORDED,
                "totals": self.totals(), "stacks": self.stacks(), "bounds": {k: round(v, 2) for k, v in self.bounds.items()},
                "assumptions": self.assumptions, "unpriced": self.unpriced, "lines": [asdict(line) for line in self.lines]}


class _Pricer:
    def __init__(self, table: Mapping[str, prices.Price], assumptions: Mapping[str, float], estimate: Estimate) -> None:
        self.table = table
        self.assume = assumptions
        self.estimate = estimate

    def add(self, stack: str, address: str, item: str, key: str, quantity: float, *, usage: bool = False,
            note: str = "") -> None:
        if key not in self.table:
            self.estimate.unpriced.append(f"{stack}: {address} ({item}: no price {key!r} in officeless/prices.py)")
            return
        price = self.table[key]
        self.estimate.lines.append(Line(stack, address, item, quantity, price.unit, price.usd, price.monthly(quantity),
                                        key, usage, note))


def _stacks(outdir: Path) -> Iterator[tuple[str, dict]]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    for name in deploy_order(dependencies(manifest)):
        yield name, json.loads((outdir / manifest["stacks"][name]["synthesizedStackPath"]).read_text())


def _values(resource: Mapping[str, Any]) -> Iterator[Any]:
    """Every mapping inside a release's values (YAML strings), depth first."""
    def walk(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
    for text in resource.get("values") or []:
        yield from walk(yaml.safe_load(text))


def _environment(stacks: list[tuple[str, dict]], outdir: Path) -> str:
    """The environment the output was synthesized for: its providers' default tag, else the folder's name."""
    for _, doc in stacks:
        for provider in doc.get("provider", {}).get("aws", []):
            for tags in provider.get("default_tags", []):
                if "environment" in tags.get("tags", {}):
                    return tags["tags"]["environment"]
    return outdir.name


def _region(stacks: list[tuple[str, dict]], environment: str) -> str:
    for _, doc in stacks:
        for provider in doc.get("provider", {}).get("aws", []):
            if "region" in provider:
                return provider["region"]
    other = sorted({p for _, doc in stacks for p in doc.get("provider", {})} - {"helm", "kubernetes"})
    raise CostError(f"{environment}: no AWS provider in the synthesized stacks (providers: {', '.join(other) or 'none'}); the price "
                    f"table prices AWS only (officeless/prices.py)")


def _karpenter_bound(pricer: _Pricer, stack: str, pool: Mapping[str, Any]) -> None:
    """Karpenter's most: its CPU limit at the dearest per-vCPU on-demand rate of the families it may launch."""
    cpu = float(pool["spec"]["limits"]["cpu"])
    families = next((r["values"] for r in pool["spec"]["template"]["spec"]["requirements"]
                     if r["key"] == "karpenter.k8s.aws/instance-family"), [])
    rates = []
    for family in families:
        key = next((k for k in pricer.table if k.startswith(f"ec2.{family}.")), None)
        if key is None:
            pricer.estimate.unpriced.append(f"{stack}: Karpenter NodePool {pool['metadata']['name']} (family {family}: "
                                            f"no ec2.{family}.* price in officeless/prices.py)")
            continue
        rates.append(pricer.table[key].usd / INSTANCE_TYPES[key.removeprefix("ec2.")].vcpus)
    if rates:
        pricer.estimate.bounds[f"karpenter {pool['metadata']['name']}: up to {cpu:g} vCPU"] = (
            max(rates) * cpu * prices.HOURS_PER_MONTH)


def _load_balancers(pricer: _Pricer, stack: str, address: str, release: Mapping[str, Any], public_subnets: int) -> None:
    """One ALB per ingress group (IngressClassParams' group) and per Gateway of an ALB GatewayClass; an
    internet-facing one holds a public IPv4 address in each public subnet."""
    schemes: dict[str, str] = {}
    configs: dict[str, str] = {}
    classes: dict[str, str] = {}
    gateways: list[tuple[str, str]] = []
    for node in _values(release):
        kind = node.get("kind") if "metadata" in node else None  # a Kubernetes object, not a values key
        spec = node.get("spec") if isinstance(node.get("spec"), dict) else {}
        if isinstance(node.get("group"), dict) and "name" in node["group"] and "scheme" in node:
            schemes[node["group"]["name"]] = node["scheme"]
        elif kind == "LoadBalancerConfiguration":
            configs[node["metadata"]["name"]] = spec.get("scheme", "internal")
        elif kind == "GatewayClass" and spec.get("controllerName") == "gateway.k8s.aws/alb":
            classes[node["metadata"]["name"]] = spec.get("parametersRef", {}).get("name", "")
        elif kind == "Gateway":
            gateways.append((node["metadata"]["name"], spec.get("gatewayClassName", "")))
        elif kind == "NodePool" and "limits" in spec:
            _karpenter_bound(pricer, stack, node)
    for name, class_name in gateways:
        if class_name in classes:
            schemes[f"gateway {name}"] = configs.get(classes[class_name], "internal")
    for group, scheme in sorted(schemes.items()):
        where = f"{address} (ALB {group}, {scheme})"
        pricer.add(stack, where, "load balancer hour", "alb.hour", 1)
        pricer.add(stack, where, "capacity units (assumed)", "alb.lcu", pricer.assume["alb_lcu"], usage=True)
        if scheme == "internet-facing":
            pricer.add(stack, where, "public IPv4 addresses, one per public subnet", "ipv4.hour", public_subnets)


def estimate(outdir: Path, *, assumptions: Mapping[str, float] | None = None) -> Estimate:
    stacks = list(_stacks(outdir))
    environment = _environment(stacks, outdir)
    region = _region(stacks, environment)
    if region not in prices.AWS:
        raise CostError(f"{environment}: region {region!r} has no prices in officeless/prices.py (priced: "
                        f"{', '.join(prices.AWS)})")
    assume = {name: value for name, (value, _) in ASSUMPTIONS.items()} | dict(assumptions or {})
    result = Estimate(environment, region, versions.today().isoformat(), assumptions=assume)
    pricer = _Pricer(prices.AWS[region], assume, result)
    resources = {name: doc.get("resource", {}) for name, doc in stacks}
    public_subnets = sum(1 for rs in resources.values() for subnet in rs.get("aws_subnet", {}).values()
                         if (subnet.get("tags") or {}).get("kubernetes.io/role/elb") == "1")
    tenants = sum(1 for rs in resources.values() for ns in rs.get("kubernetes_namespace_v1", {}).values()
                  if ns.get("metadata", {}).get("labels", {}).get("tenant") == "true")
    for stack, rs in resources.items():
        for rtype, named in rs.items():
            handler = _HANDLERS.get(rtype)
            for name, res in named.items():
                address = f"{rtype}.{name}"
                if handler is not None:
                    handler(pricer, stack, address, res, rs)
                elif rtype == "helm_release":
                    _load_balancers(pricer, stack, address, res, public_subnets)
                elif rtype not in prices.FREE:
                    result.unpriced.append(f"{stack}: {address} (type {rtype} is neither priced nor listed as free in "
                                           f"officeless/prices.py)")
        if stack == "06-access" and tenants:
            pricer.add(stack, f"{tenants} tenant namespaces", "their secrets in Secrets Manager (assumed)",
                       "secretsmanager.secret", tenants * assume["tenant_secrets"], usage=True)
    return result


def _eks_cluster(p: _Pricer, stack: str, address: str, res: dict, _: dict) -> None:
    minor = versions.MINORS.get(res["version"])
    if minor is None:
        p.estimate.unpriced.append(f"{stack}: {address} (Kubernetes {res['version']} is not in the version table)")
        return
    status = minor.support_status(versions.today())
    key = "eks.standard" if status == "standard" else "eks.extended"
    p.add(stack, address, f"cluster hour, Kubernetes {minor.version} in {status} support", key, 1)


def _node_group(p: _Pricer, stack: str, address: str, res: dict, rs: dict) -> None:
    scaling = res["scaling_config"]
    instance = res["instance_types"][0]
    # On-Demand managed node groups launch the first listed type (EKS's prioritized allocation);
    # Spot is priced at on-demand, its ceiling.
    note = f"min {scaling['min_size']}, max {scaling['max_size']}"
    if res.get("capacity_type") == "SPOT":
        note += "; Spot, priced at on-demand (its ceiling)"
    p.add(stack, address, f"{scaling['desired_size']} x {instance} (desired)", f"ec2.{instance}", scaling["desired_size"],
          note=note)
    if f"ec2.{instance}" in p.table and scaling["max_size"] > scaling["desired_size"]:
        p.estimate.bounds[f"{address} at max ({scaling['max_size']} nodes)"] = (
            p.table[f"ec2.{instance}"].monthly(scaling["max_size"] - scaling["desired_size"]))
    template = _REF.match(str(res.get("launch_template", {}).get("id", "")))
    volumes = ([m["ebs"] for m in rs["aws_launch_template"][template.group(1)].get("block_device_mappings", [])]
               if template else [{"volume_size": res.get("disk_size", 20), "volume_type": "gp2"}])
    for volume in volumes:
        size = float(volume["volume_size"]) * scaling["desired_size"]
        p.add(stack, address, f"{scaling['desired_size']} x {volume['volume_size']} GB {volume['volume_type']} node volume",
              f"ebs.{volume['volume_type']}", size)


def _instance(p: _Pricer, stack: str, address: str, res: dict, _: dict) -> None:
    p.add(stack, address, f"instance {res['instance_type']}", f"ec2.{res['instance_type']}", 1)
    root = res.get("root_block_device") or {}
    if root:
        p.add(stack, address, f"{root['volume_size']} GB {root.get('volume_type', 'gp3')} root volume",
              f"ebs.{root.get('volume_type', 'gp3')}", float(root["volume_size"]))
    if res.get("monitoring"):
        p.add(stack, address, "detailed monitoring metrics", "cloudwatch.metric", DETAILED_MONITORING_METRICS)


def _ebs_volume(p: _Pricer, stack: str, address: str, res: dict, _: dict) -> None:
    kind = res.get("type", "gp3")
    p.add(stack, address, f"{res['size']} GB {kind} volume", f"ebs.{kind}", float(res["size"]))


def _cache(p: _Pricer, stack: str, address: str, res: dict, _: dict) -> None:
    nodes = res.get("num_cache_clusters") or res.get("num_node_groups", 1) * (res.get("replicas_per_node_group", 0) + 1)
    p.add(stack, address, f"{nodes} x {res['node_type']} {res['engine']} nodes",
          f"elasticache.{res['engine']}.{res['node_type']}", nodes)


def _nat(p: _Pricer, stack: str, address: str, res: dict, _: dict) -> None:
    p.add(stack, address, "NAT gateway hour", "nat.hour", 1)
    p.add(stack, address, "data processed (assumed)", "nat.gb", p.assume["nat_gb"], usage=True)


def _endpoint(p: _Pricer, stack: str, address: str, res: dict, _: dict) -> None:
    if res.get("vpc_endpoint_type") == "Interface":  # gateway endpoints (S3, DynamoDB) are free
        zones = len(res.get("subnet_ids") or [])
        p.add(stack, address, f"interface endpoint in {zones} AZs", "endpoint.interface.hour", zones)


def _log_group(p: _Pricer, stack: str, address: str, res: dict, _: dict) -> None:
    name = res.get("name", "")
    assumption = ("flow_logs_gb" if name.startswith("/aws/vpc/") else
                  "eks_logs_gb" if name.startswith("/aws/eks/") else "other_logs_gb")
    gb = p.assume[assumption]
    p.add(stack, address, f"{name}: ingestion (assumed)", "logs.ingest", gb, usage=True)
    # Kept retention_in_days (0 = forever: a year's worth shown), at most a year of it.
    months = min((res.get("retention_in_days") or 365) / 30, 12)
    p.add(stack, address, f"{name}: {months:.1f} months kept (assumed)", "logs.store", gb * months, usage=True)


def _per_month(key: str, item: str) -> Callable[[_Pricer, str, str, dict, dict], None]:
    return lambda p, stack, address, res, _: p.add(stack, address, item, key, 1)


def _usage(key: str, assumption: str, item: str) -> Callable[[_Pricer, str, str, dict, dict], None]:
    return lambda p, stack, address, res, _: p.add(stack, address, item, key, p.assume[assumption], usage=True)


def _efs(p: _Pricer, stack: str, address: str, res: dict, rs: dict) -> None:
    p.add(stack, address, "stored (assumed)", "efs.standard", p.assume["efs_gb"], usage=True)
    if rs.get("aws_efs_backup_policy") or rs.get("aws_backup_selection"):
        p.add(stack, address, "backups (assumed the file system's size)", "backup.efs", p.assume["efs_gb"], usage=True)


_HANDLERS: Mapping[str, Callable[[_Pricer, str, str, dict, dict], None]] = {
    "aws_eks_cluster": _eks_cluster,
    "aws_eks_node_group": _node_group,
    "aws_instance": _instance,
    "aws_ebs_volume": _ebs_volume,
    "aws_elasticache_replication_group": _cache,
    "aws_nat_gateway": _nat,
    "aws_eip": _per_month("ipv4.hour", "public IPv4 address"),
    "aws_vpc_endpoint": _endpoint,
    "aws_kms_key": _per_month("kms.key", "KMS key"),
    "aws_secretsmanager_secret": _per_month("secretsmanager.secret", "secret"),
    "aws_cloudwatch_log_group": _log_group,
    "aws_s3_bucket": _usage("s3.standard", "s3_gb", "stored (assumed)"),
    "aws_efs_file_system": _efs,
    "aws_ecr_repository": _usage("ecr.storage", "ecr_gb", "images (assumed)"),
}


def render(est: Estimate) -> str:
    out = [f"{est.environment} ({est.region}): monthly on-demand estimate in USD on {est.day}, "
           f"{prices.HOURS_PER_MONTH} hours a month, prices of officeless/prices.py (recorded {prices.RECORDED})"]
    by_stack: dict[str, list[Line]] = defaultdict(list)
    for line in est.lines:
        by_stack[line.stack].append(line)
    for stack, row in est.stacks().items():
        usage = f" + {row['usage']:,.2f} assumed usage" if row["usage"] else ""
        out.append(f"{stack}: {row['fixed']:,.2f}{usage}")
        for line in by_stack[stack]:
            note = f" ({line.note})" if line.note else ""
            out.append(f"  {line.monthly_usd:>10,.2f}  {line.item}{note}: {line.quantity:g} x ${line.unit_usd:g}/{line.unit}"
                       f"  [{line.address}]")
    totals = est.totals()
    out.append(f"total: {totals['total']:,.2f} a month ({totals['fixed']:,.2f} fixed + {totals['usage']:,.2f} assumed usage)")
    for what, usd in est.bounds.items():
        out.append(f"  more at most: {usd:,.2f} for {what}")
    out.append("assumptions (--assume NAME=VALUE): " + "; ".join(
        f"{name}={est.assumptions[name]:g} ({ASSUMPTIONS[name][1]})" for name in ASSUMPTIONS))
    for item in est.unpriced:
        out.append(f"unpriced: {item}")
    return "\n".join(out)


def diff(base: Mapping[str, Any], head: Mapping[str, Any]) -> str:
    """Per stack and in total, what ``head`` costs more (+) or less (-) than ``base`` a month."""
    out = [f"{head['environment']}: monthly estimate, base -> head (USD)"]
    for stack in sorted(set(base["stacks"]) | set(head["stacks"])):
        before = sum(base["stacks"].get(stack, {}).values())
        after = sum(head["stacks"].get(stack, {}).values())
        if round(after - before, 2):
            out.append(f"{stack}: {before:,.2f} -> {after:,.2f} ({after - before:+,.2f})")
    b, h = base["totals"]["total"], head["totals"]["total"]
    out.append(f"total: {b:,.2f} -> {h:,.2f} ({h - b:+,.2f})" if round(h - b, 2) else f"total: {h:,.2f} (unchanged)")
    return "\n".join(out)


def _assumption(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in ASSUMPTIONS:
        raise argparse.ArgumentTypeError(f"unknown assumption {name!r}; known: {', '.join(ASSUMPTIONS)}")
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: {value!r} is not a number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{name}: {value!r} is negative; expected 0 or more")
    return name, number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m officeless.cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("cdktf.out"), help="the synthesized output (default cdktf.out)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--assume", type=_assumption, action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("BASE.json", "HEAD.json"),
                        help="compare two --json outputs instead")
    parser.add_argument("--base", metavar="REF", help="compare with the environment synthesized at git REF (a "
                        "temporary worktree; --env names the environment)")
    parser.add_argument("--env", default="production", help="with --base: the environment (default production)")
    args = parser.parse_args(argv)
    try:
        if args.diff:
            base, head = (json.loads(path.read_text()) for path in args.diff)
        elif args.base:
            base = _at_ref(args.base, args.env, dict(args.assume)).as_json()
            head = estimate(args.out, assumptions=dict(args.assume)).as_json()
        if args.diff or args.base:
            print(json.dumps({"base": base, "head": head}, indent=2) if args.json else diff(base, head))
            return 0
        est = estimate(args.out, assumptions=dict(args.assume))
    except CostError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(est.as_json(), indent=2) if args.json else render(est))
    return 0


def _at_ref(ref: str, environment: str, assumptions: Mapping[str, float]) -> Estimate:
    """The estimate of ``environment`` as synthesized from git ``ref`` (a detached worktree under a
    temporary folder, removed after), priced with today's table so only the infrastructure differs."""
    with tempfile.TemporaryDirectory(prefix="officeless-cost-") as tmp:
        tree = Path(tmp) / "tree"
        added = subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(tree), ref], capture_output=True,
                               text=True)
        if added.returncode:
            raise CostError(f"git worktree add {ref}: {added.stderr.strip().splitlines()[-1]}")
        try:
            env = {**os.environ, ENVIRONMENT: environment, CDKTF_OUTDIR: str(Path(tmp) / "out")}
            synth = subprocess.run([sys.executable, "main.py"], cwd=tree, env=env, capture_output=True, text=True)
            if synth.returncode:
                raise CostError(f"{environment} at {ref} does not synthesize: {synth.stderr.strip()[-300:]}")
            return estimate(Path(tmp) / "out", assumptions=assumptions)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
