"""Capacity proven at synth (issue #13): the allocatable formula, the committed environments
fitting their minimum nodes, and each refusal in one line naming the component."""

from __future__ import annotations

import pytest

from officeless import capacity
from officeless.capacity import CapacityError, Container, NodePool, Workload
from officeless.config.instances import INSTANCE_TYPES, allocatable
from officeless.config.loader import load_environment
from components.addons.catalog import check_capacity, node_pools, replication_zones, workloads
from tests.test_config_errors import PRODUCTION, write_config

M6I, T3M = INSTANCE_TYPES["m6i.large"], INSTANCE_TYPES["t3.medium"]


@pytest.mark.parametrize("name,pods", [("t3.xlarge", 58), ("t3.large", 35), ("m6i.large", 29), ("t3.medium", 17)])
def test_max_pods_with_the_vpc_cni(name, pods):
    # The numbers the issue cites (ENIs x (IPs per ENI - 1) + 2).
    assert INSTANCE_TYPES[name].max_pods == pods


def test_allocatable_of_m6i_large():
    # 2 vCPU: 2000m - (60m + 10m); 8 GiB: 8192 - (11 x 29 + 255) - 100 = 7518 MiB (~7.3 GiB, as the issue says).
    assert allocatable(M6I) == (1930, 7518)


def test_production_fits_its_minimum_nodes():
    usage = check_capacity(load_environment("production"))
    assert list(usage) == ["worker-nodes"]
    assert usage["worker-nodes"]["nodes"] == 3
    for used, total in (usage["worker-nodes"]["cpu"], usage["worker-nodes"]["memory"]):
        assert used <= 0.75 * total
    assert usage["worker-nodes"]["pods"][0] <= usage["worker-nodes"]["pods"][1]


def test_dev_fits_its_system_group_and_what_karpenter_may_launch():
    """Issue #16: the system components on 2 x t3.medium (EKS architecture overview), the rest on
    the nodes Karpenter's 20 vCPU allow: 2 x 8 vCPU (t3.2xlarge, the pool's largest type)."""
    usage = check_capacity(load_environment("dev"))
    assert list(usage) == ["system", "karpenter"]
    assert usage["system"]["nodes"] == 2
    assert usage["system"]["pods"][1] == 2 * 17  # t3.medium: 17 pods each, DaemonSets included
    assert usage["karpenter"]["nodes"] == 20 // 8
    for pool in usage.values():
        for used, total in (pool["cpu"], pool["memory"]):
            assert used <= 0.75 * total


def test_system_components_only_on_the_system_group_where_it_is_the_only_place():
    """Karpenter's controller must run on the system group; what else lands there is what
    tolerates the taint, and no DaemonSet that does not (the Secrets Store AWS provider)."""
    config = load_environment("dev")
    pools = node_pools(config, "t3.2xlarge")
    system = next(p for p in pools if p.name == "system")
    assert system.tainted
    by_name = {w.component: w for w in workloads(config)}
    assert by_name["karpenter"].system_only and by_name["karpenter"].one_per_node
    assert not system.accepts(by_name["secrets-store-csi-driver-provider-aws"])
    assert system.accepts(by_name["aws-load-balancer-controller"])
    assert not system.accepts(by_name["mimir ingester"]) and not system.accepts(by_name["grafana"])


def test_zone_aware_replication_only_with_three_zones_of_nodes():
    assert replication_zones(load_environment("production")) == ("us-east-1a", "us-east-1b", "us-east-1c")
    assert replication_zones(load_environment("dev")) is None  # one ingester: nothing to spread


def _pool(nodes: int, instance=M6I, tainted=False, zones=("a", "b", "c")) -> NodePool:
    return NodePool("workers", "eks.node_group", (instance,), nodes, zones, tainted)


def _w(name, memory=100, cpu=10, **kw) -> Workload:
    return Workload(name, f"helm.sizes.{name}", kw.pop("kind", "Deployment"), (Container(name, cpu, memory, memory),), **kw)


def test_largest_pod_must_fit_the_smallest_type():
    # Loki 6.30.1's default chunks cache: 8192 x 1.2 = 9830Mi as request and limit.
    with pytest.raises(CapacityError) as info:
        capacity.check([_w("loki chunks-cache", memory=9830, cpu=500)], [_pool(3)])
    assert str(info.value) == (
        "helm.sizes.loki chunks-cache: loki chunks-cache: one pod requests 500m CPU and 9.6 GiB memory; a node of workers "
        "(m6i.large) may offer only 1930m and 7.3 GiB; lower the requests or use larger instance types")


def test_a_node_group_counts_as_its_smallest_type_in_each_dimension():
    pool = NodePool("workers", "eks.node_group", (INSTANCE_TYPES["t3.xlarge"], M6I), 3, ("a", "b", "c"))
    assert (pool.cpu, pool.memory, pool.max_pods) == (1930, 7518, 29)


def test_less_than_a_quarter_free_is_refused():
    with pytest.raises(CapacityError) as info:
        capacity.check([_w("big", memory=6000, replicas=3)], [_pool(3)])
    assert str(info.value) == (
        "eks.node_group: the platform's pods request 17.6 GiB of the 22.0 GiB memory that 3 x m6i.large (min_size of "
        "workers) offer, leaving 20 %; allowed: at least 25% free; raise min_size, use larger instance types or lower requests")


def test_pod_count_beyond_max_pods_is_refused():
    daemonsets = [_w(f"ds{i}", kind="DaemonSet", memory=1, cpu=1) for i in range(9)]
    many = _w("app", memory=1, cpu=1, replicas=9)
    with pytest.raises(CapacityError) as info:
        capacity.check([*daemonsets, many], [_pool(1, T3M)])  # 17 pods per t3.medium
    assert str(info.value) == (
        "helm.sizes.app: app: replica 9 of 9 does not fit on the minimum nodes (1 x t3.medium (workers)) beside the rest of "
        "the platform: every node is at its max pods (17); raise the node group's min_size or lower requests")


def test_one_replica_per_node_needs_as_many_nodes():
    with pytest.raises(CapacityError) as info:
        capacity.check([_w("loki write", replicas=3, one_per_node=True)], [_pool(2)])
    assert str(info.value) == (
        "helm.sizes.loki write: loki write: replica 3 of 3 does not fit on the minimum nodes (2 x m6i.large (workers)) "
        "beside the rest of the platform: one replica per node, and there are fewer nodes; raise the node group's "
        "min_size or lower requests")


def test_zone_pinned_replicas_need_a_node_in_their_zone():
    with pytest.raises(CapacityError) as info:
        capacity.check([_w("mimir ingester", replicas=3, zones=("a", "b", "c"))], [_pool(2)])
    assert str(info.value).startswith("helm.sizes.mimir ingester: mimir ingester: replica 3 of 3 does not fit in c on the "
                                      "minimum nodes (2 x m6i.large (workers)) beside the rest of the platform: no node there")


def test_a_container_without_requests_is_refused():
    with pytest.raises(CapacityError) as info:
        capacity.check([Workload("x", "helm.sizes.x", "Deployment", (Container("x", 0, 64, 64),))], [_pool(1)])
    assert "must request CPU and memory and set a memory limit" in str(info.value)


def test_system_only_workloads_need_a_tainted_group():
    with pytest.raises(CapacityError) as info:
        capacity.check([_w("karpenter", system=True, system_only=True)], [_pool(2)])
    assert str(info.value) == "helm.sizes.karpenter: karpenter: no node group can run it (it needs the system taint)"


DEV = (PRODUCTION.parent / "dev.yaml").read_text()
ONE_SYSTEM_NODE = ("      min_size: 2\n      desired_size: 2\n", "      min_size: 1\n      desired_size: 1\n")
ONE_SYSTEM_NODE_MESSAGE = (
    "karpenter.replicas: karpenter: replica 2 of 2 does not fit on the nodes (1 x t3.medium (system)) beside the rest "
    "of the platform: one replica per node, and there are fewer nodes; raise the node group's min_size or lower requests")


def test_dev_with_one_system_node_is_refused(tmp_path, monkeypatch):
    """Karpenter's two replicas need two system nodes (one per node, never on nodes it manages)."""
    monkeypatch.chdir(PRODUCTION.parents[1])
    (tmp_path / "dev.yaml").write_text(DEV.replace(*ONE_SYSTEM_NODE))
    with pytest.raises(CapacityError) as info:
        check_capacity(load_environment("dev", tmp_path))
    assert str(info.value) == ONE_SYSTEM_NODE_MESSAGE


@pytest.mark.parametrize("limit,message", [
    (1, "karpenter.node_pool.cpu_limit: 1 vCPU holds no node of the pool (the smallest, t3.medium, has 2); raise it"),
    (2, "helm.sizes.tempo.compactor: tempo compactor: replica 1 of 1 does not fit on the nodes (1 x t3.medium (karpenter)) "
        "beside the rest of the platform: every node is at its max pods (17); raise karpenter.node_pool.cpu_limit or "
        "lower requests"),
])
def test_a_karpenter_limit_too_small_for_the_platform_is_refused(tmp_path, limit, message):
    (tmp_path / "dev.yaml").write_text(DEV.replace("    cpu_limit: 20\n", f"    cpu_limit: {limit}\n"))
    with pytest.raises(CapacityError) as info:
        check_capacity(load_environment("dev", tmp_path))
    assert str(info.value) == message


def test_a_size_override_is_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(PRODUCTION.parents[1])
    directory = write_config(tmp_path / "config", "  timeout_seconds: 900\n",
                             "  timeout_seconds: 900\n  sizes:\n    loki:\n      write:\n        containers:\n"
                             "          loki: {memory: 8Gi, memory_limit: 8Gi}\n")
    config = load_environment("production", directory)
    with pytest.raises(CapacityError) as info:
        check_capacity(config)
    assert str(info.value).startswith("helm.sizes.loki.write: loki write: one pod requests 50m CPU and 8.0 GiB memory")


def test_cli_refuses_a_platform_that_does_not_fit(tmp_path):
    """One line naming the component, exit 2, the previous output untouched, no staging left."""
    from tests.test_config_errors import assert_cli_refuses

    config = tmp_path / "config"
    config.mkdir()
    (config / "dev.yaml").write_text(DEV.replace(*ONE_SYSTEM_NODE))
    assert_cli_refuses(tmp_path, config, f"error: config/dev.yaml: {ONE_SYSTEM_NODE_MESSAGE}", "dev")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "config"]
