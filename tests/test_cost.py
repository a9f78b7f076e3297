"""``make cost`` (issue #33, item 1): the monthly estimate from the synthesized JSON.

Production's main items are computed here by hand, each price typed beside its page. The tests' day
is 2026-11-23 (tests/conftest.py): production's 1.33 is in extended support, dev's 1.35 in standard.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from officeless import cost, prices
from tests.conftest import PROJECT_ROOT

HOURS = 730  # AWS's month in its pricing examples


@pytest.fixture(scope="module")
def production(synthesized) -> cost.Estimate:
    return cost.estimate(synthesized["production"].outdir)


@pytest.fixture(scope="module")
def dev(synthesized) -> cost.Estimate:
    return cost.estimate(synthesized["dev"].outdir)


def lines(est: cost.Estimate, stack: str, address_start: str) -> list[cost.Line]:
    found = [line for line in est.lines if line.stack == stack and line.address.startswith(address_start)]
    assert found, (stack, address_start)
    return found


def monthly(est: cost.Estimate, stack: str, address_start: str, item_start: str = "") -> float:
    return sum(line.monthly_usd for line in lines(est, stack, address_start) if line.item.startswith(item_start))


def test_production_main_items_match_a_hand_computation(production):
    assert (production.environment, production.region, production.day) == ("production", "us-east-1", "2026-11-23")
    # EKS, https://aws.amazon.com/eks/pricing/: $0.60 per cluster hour in extended support (1.33 since 2026-07-29).
    assert monthly(production, "02-eks", "aws_eks_cluster.") == pytest.approx(0.60 * HOURS)  # 438.00
    # Nodes: worker-nodes' desired 3 of its first type, t3.xlarge, $0.1664 an hour
    # (https://aws.amazon.com/ec2/pricing/on-demand/), and each node's 200 GB gp3 data volume at
    # $0.08 per GB-month (https://aws.amazon.com/ebs/pricing/).
    assert monthly(production, "02-eks", "aws_eks_node_group.", "3 x t3.xlarge") == pytest.approx(3 * 0.1664 * HOURS)
    assert monthly(production, "02-eks", "aws_eks_node_group.", "3 x 200 GB gp3") == pytest.approx(3 * 200 * 0.08)
    # One NAT gateway, $0.045 an hour (https://aws.amazon.com/vpc/pricing/).
    assert monthly(production, "01-vpc", "aws_nat_gateway.", "NAT gateway hour") == pytest.approx(0.045 * HOURS)
    # The VPN server: t3.large at $0.0832 an hour, its 20 GB root and 20 GB data gp3 volumes, its
    # Elastic IP at $0.005 an hour (public IPv4, https://aws.amazon.com/vpc/pricing/), detailed
    # monitoring's 7 metrics at $0.30 (https://aws.amazon.com/cloudwatch/pricing/), its KMS key at $1.
    assert monthly(production, "04-ec2", "aws_instance.", "instance t3.large") == pytest.approx(0.0832 * HOURS)
    assert sum(line.monthly_usd for line in production.lines if line.stack == "04-ec2") == pytest.approx(
        0.0832 * HOURS + 2 * 20 * 0.08 + 0.005 * HOURS + 7 * 0.30 + 1.00)
    # The cache: 2 cache.r7g.large Valkey nodes at $0.1752 an hour
    # (https://aws.amazon.com/elasticache/pricing/: Redis OSS's $0.219 less Valkey's 20%).
    assert monthly(production, "07-valkey", "aws_elasticache_replication_group.") == pytest.approx(2 * 0.1752 * HOURS)
    # Load balancers the controller creates: the public and the internal ingress group's ALB at
    # $0.0225 an hour (https://aws.amazon.com/elasticloadbalancing/pricing/); the public one holds
    # a public IPv4 address in each of the 3 public subnets.
    helm = [line for line in production.lines if line.stack == "05-helm" and not line.usage]
    assert sorted((line.address.split("(")[1], line.item) for line in helm) == [
        ("ALB production-cluster-internal, internal)", "load balancer hour"),
        ("ALB production-cluster-public, internet-facing)", "load balancer hour"),
        ("ALB production-cluster-public, internet-facing)", "public IPv4 addresses, one per public subnet"),
    ]
    assert sum(line.monthly_usd for line in helm) == pytest.approx(2 * 0.0225 * HOURS + 3 * 0.005 * HOURS)
    # 8 customer managed KMS keys at $1 a month (https://aws.amazon.com/kms/pricing/).
    assert sum(line.monthly_usd for line in production.lines if line.price == "kms.key") == pytest.approx(8 * 1.00)


def test_the_totals_are_the_sum_of_the_lines_fixed_apart_from_assumed_usage(production):
    totals = production.totals()
    assert totals["fixed"] == pytest.approx(sum(line.monthly_usd for line in production.lines if not line.usage), abs=0.01)
    assert totals["usage"] == pytest.approx(sum(line.monthly_usd for line in production.lines if line.usage), abs=0.01)
    assert totals["total"] == pytest.approx(totals["fixed"] + totals["usage"], abs=0.01)
    assert sum(row["fixed"] + row["usage"] for row in production.stacks().values()) == pytest.approx(totals["total"],
                                                                                                    abs=0.05)
    # Usage-priced lines are the ones the assumptions drive, and say so.
    assert all("assumed" in line.item for line in production.lines if line.usage)
    # Nodes at max: 3 more t3.xlarge, outside the total.
    assert list(production.bounds.values()) == [pytest.approx(3 * 0.1664 * HOURS)]


def test_every_resource_of_production_and_dev_is_priced_or_known_free(production, dev):
    assert production.unpriced == [] and dev.unpriced == []


def test_dev_standard_support_gateways_and_karpenter_bound(dev):
    # 1.35 in standard support: $0.10 per cluster hour.
    assert monthly(dev, "02-eks", "aws_eks_cluster.") == pytest.approx(0.10 * HOURS)
    # Four ALBs: the two ingress groups' and one per Gateway (public, internal); the two
    # internet-facing ones with a public IPv4 address per public subnet.
    albs = [line for line in dev.lines if line.price == "alb.hour"]
    assert len(albs) == 4
    assert sorted(line.address.split("(")[1] for line in albs) == [
        "ALB dev-cluster-internal, internal)", "ALB dev-cluster-public, internet-facing)",
        "ALB gateway internal, internal)", "ALB gateway public, internet-facing)"]
    assert sum(line.quantity for line in dev.lines if line.price == "ipv4.hour" and "ALB" in line.address) == 2 * 3
    # Karpenter's 20 vCPU at the dearest per-vCPU rate of t3, t3a and t2: t2.medium's $0.0464 for 2 vCPUs.
    assert dev.bounds == {"karpenter default: up to 20 vCPU": pytest.approx(20 * 0.0464 / 2 * HOURS)}


def test_extended_support_is_judged_on_the_day(synthesized, monkeypatch):
    # The day before 1.33 left standard support, production's cluster hour was $0.10.
    monkeypatch.setenv("OFFICELESS_TODAY", "2026-07-28")
    before = cost.estimate(synthesized["production"].outdir)
    assert monthly(before, "02-eks", "aws_eks_cluster.") == pytest.approx(0.10 * HOURS)
    assert "standard support" in lines(before, "02-eks", "aws_eks_cluster.")[0].item


def test_assumptions_are_stated_and_can_be_changed(synthesized, production):
    changed = cost.estimate(synthesized["production"].outdir, assumptions={"nat_gb": 0})
    assert production.totals()["usage"] - changed.totals()["usage"] == pytest.approx(100 * 0.045, abs=0.01)
    assert production.totals()["fixed"] == changed.totals()["fixed"]
    text = cost.render(production)
    assert "nat_gb=100 (GB a month through each NAT gateway)" in text
    assert text.splitlines()[-1].startswith("assumptions (--assume NAME=VALUE): ")


def test_every_price_names_its_page_and_no_type_is_both_priced_and_free():
    for key, price in prices.US_EAST_1.items():
        assert price.source.startswith("https://aws.amazon.com/"), key
        assert price.usd > 0 and price.unit in ("hour", "GB-month", "month", "GB", "LCU-hour"), key
    assert not prices.FREE & set(cost._HANDLERS)


def test_a_stack_that_costs_more_shows_in_the_diff(synthesized, tmp_path):
    head = tmp_path / "head"
    shutil.copytree(synthesized["production"].outdir, head)
    path = head / "stacks" / "02-eks" / "cdk.tf.json"
    doc = json.loads(path.read_text())
    (group,) = doc["resource"]["aws_eks_node_group"].values()
    group["scaling_config"]["desired_size"] = 4
    path.write_text(json.dumps(doc))
    base = cost.estimate(synthesized["production"].outdir).as_json()
    after = cost.estimate(head).as_json()
    more = 0.1664 * HOURS + 200 * 0.08  # one more t3.xlarge and its data volume
    text = cost.diff(base, after)
    assert f"02-eks: {sum(base['stacks']['02-eks'].values()):,.2f} -> " in text
    assert f"(+{more:,.2f})" in text
    b, a = base["totals"]["total"], after["totals"]["total"]
    assert a - b == pytest.approx(more, abs=0.01)
    assert text.splitlines()[-1] == f"total: {b:,.2f} -> {a:,.2f} ({a - b:+,.2f})"
    assert cost.diff(base, base).splitlines()[1:] == [f"total: {base['totals']['total']:,.2f} (unchanged)"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "officeless.cost", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300)


def test_the_command_prints_json_and_refuses_what_it_cannot_price(synthesized, gcp):
    result = run("--out", str(synthesized["production"].outdir), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"] == cost.estimate(synthesized["production"].outdir).totals()
    refused = run("--out", str(gcp.outdir))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "error: gcp: no AWS provider in the synthesized stacks (providers: google); the price table prices AWS only "
        "(officeless/prices.py)"]
    unknown = run("--out", str(synthesized["production"].outdir), "--assume", "nat=1")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines()[-1].endswith(
        "argument --assume: unknown assumption 'nat'; known: nat_gb, alb_lcu, flow_logs_gb, eks_logs_gb, "
        "other_logs_gb, s3_gb, efs_gb, ecr_gb, tenant_secrets")


@pytest.mark.slow
def test_cost_diff_against_a_git_ref_synthesizes_it_in_a_worktree(synthesized):
    # HEAD against the session's production: the same infrastructure, so no stack changed.
    result = run("--base", "HEAD", "--env", "production", "--out", str(synthesized["production"].outdir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].endswith("(unchanged)")
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    assert "officeless-cost-" not in worktrees
