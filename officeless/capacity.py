"""Capacity proven at synth: do the platform's pods fit the environment's minimum nodes?

Every addon describes its pods as :class:`Workload` s (the requests it sets in its chart values
come from the same numbers, so what is checked is what is deployed). :func:`check` then places
them on the node groups' minimum nodes of their smallest instance type and refuses, with one
line naming the component, when

- a container sets no CPU or memory request, or no memory limit;
- a pod is larger than the allocatable capacity of the smallest instance type it may run on;
- a pod cannot be placed at all: every DaemonSet pod goes to every node it tolerates, then the
  other pods, largest memory first, each to the node with the most free memory that satisfies
  its zone (zone-aware replication pins replicas to availability zones) and its required
  anti-affinity (one replica per node), within the node's CPU, memory and max pods;
- the platform's pods leave less than 25 % of a node group's CPU or memory free.

Allocatable capacity per node: see officeless.config.instances.allocatable; a node group with
several instance types counts as the smallest of them in CPU, memory and max pods each.
Karpenter's NodePool counts as the nodes of one of its instance types that its CPU limit allows
(stacks/helm.py tries each type of the pool).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Literal, Sequence

from officeless.config.instances import InstanceType, allocatable

HEADROOM = 0.25


class CapacityError(Exception):
    """One line: ``field`` (a config path) and ``message``."""

    def __init__(self, field_: str, message: str) -> None:
        self.field = field_
        self.message = message
        super().__init__(f"{field_}: {message}")


@dataclass(frozen=True)
class Container:
    name: str
    cpu: int  # request, millicores
    memory: int  # request, MiB
    memory_limit: int  # MiB

    def values(self) -> dict:
        """The ``resources`` block of a container in chart values."""
        return {"requests": {"cpu": f"{self.cpu}m", "memory": f"{self.memory}Mi"},
                "limits": {"memory": f"{self.memory_limit}Mi"}}


@dataclass(frozen=True)
class Workload:
    """The pods of one component. ``component`` names it in error lines ("mimir ingester"),
    ``field`` is the config path that sizes it."""

    component: str
    field: str
    kind: Literal["Deployment", "StatefulSet", "DaemonSet"]
    containers: tuple[Container, ...]
    replicas: int = 1  # ignored for DaemonSets
    init_containers: tuple[Container, ...] = ()
    # Availability zones the replicas are pinned to, round robin (zone-aware replication). None: any.
    zones: tuple[str, ...] | None = None
    # At most one replica per node (required pod anti-affinity on the hostname).
    one_per_node: bool = False
    # Tolerates the CriticalAddonsOnly taint of a system node group.
    system: bool = False
    # Only on tainted (system) node groups, e.g. a controller that must not run on nodes it manages.
    system_only: bool = False
    # Not deployed by 05-helm (EKS managed addons): counted with the requests upstream sets,
    # even where that is none.
    external: bool = False
    # The config path of the replica count, when another setting than ``field`` sets it: a replica
    # that does not fit is told there (a pod too large for any node, at ``field``).
    replicas_field: str | None = None

    @property
    def cpu(self) -> int:
        return max(sum(c.cpu for c in self.containers), max((c.cpu for c in self.init_containers), default=0))

    @property
    def memory(self) -> int:
        return max(sum(c.memory for c in self.containers), max((c.memory for c in self.init_containers), default=0))


@dataclass(frozen=True)
class NodePool:
    """The minimum nodes of one node group. A node may be of any of its instance types, so each
    is taken as the smallest of them in every dimension: CPU, memory and max pods."""

    name: str
    field: str  # config path, e.g. eks.node_group
    instance_types: tuple[InstanceType, ...]
    nodes: int
    zones: tuple[str, ...]
    tainted: bool = False  # CriticalAddonsOnly=true:NoSchedule
    # How these nodes are counted, and how to get more, for error lines. Default: a node group's
    # min_size. Karpenter's pool: the nodes its CPU limit allows.
    counted_as: str = "min_size"
    more: str = "raise the node group's min_size"

    def accepts(self, workload: Workload) -> bool:
        return workload.system if self.tainted else not workload.system_only

    @property
    def cpu(self) -> int:
        return min(allocatable(t)[0] for t in self.instance_types)

    @property
    def memory(self) -> int:
        return min(allocatable(t)[1] for t in self.instance_types)

    @property
    def max_pods(self) -> int:
        return min(t.max_pods for t in self.instance_types)

    @property
    def describe(self) -> str:
        return "/".join(t.name for t in self.instance_types)


@dataclass
class _Node:
    pool: NodePool
    zone: str
    cpu: int
    memory: int
    pods: int
    components: set[str] = field(default_factory=set)


def _mib(value: int) -> str:
    return f"{value / 1024:.1f} GiB" if value >= 1024 else f"{value} MiB"


def check(workloads: Sequence[Workload], pools: Sequence[NodePool], headroom: float = HEADROOM) -> dict[str, dict]:
    """Raise :class:`CapacityError` for the first problem; return per-pool usage when all fit."""
    for w in (w for w in workloads if not w.external):
        for c in (*w.init_containers, *w.containers):
            if c.cpu <= 0 or c.memory <= 0 or c.memory_limit < c.memory:
                raise CapacityError(w.field, f"{w.component}: container {c.name} must request CPU and memory and set a "
                                             f"memory limit at least its request (got {c.cpu}m, {c.memory}Mi, limit "
                                             f"{c.memory_limit}Mi)")
    # Simulated nodes: a pod goes to the fitting node with the most free memory, so while a pool has
    # an empty node in the pod's zone it takes one (an empty node has the most; every pod requests
    # memory) and the lowest-numbered one. A pool's pods thus never reach beyond its first
    # pods x zones nodes (round robin over the zones gives each zone that many): the placement on
    # those is the placement on all, and the rest carry only DaemonSets. So the check's cost is
    # that of the pods, whatever the node counts (issue #28).
    def simulated(pool: NodePool) -> int:
        pods = sum(w.replicas for w in workloads if w.kind != "DaemonSet" and pool.accepts(w))
        return min(pool.nodes, max(pods, 1) * len(pool.zones))

    nodes = [_Node(pool, pool.zones[i % len(pool.zones)], pool.cpu, pool.memory, pool.max_pods)
             for pool in pools for i in range(simulated(pool))]
    for w in workloads:
        eligible = [p for p in pools if p.accepts(w)]
        if not eligible:
            raise CapacityError(w.field, f"{w.component}: no node group can run it (it "
                                         f"{'needs' if w.system_only else 'does not tolerate'} the system taint)")
        if not any(w.cpu <= p.cpu and w.memory <= p.memory for p in eligible):
            smallest = max(eligible, key=lambda p: (p.memory, p.cpu))
            raise CapacityError(w.field, (
                f"{w.component}: one pod requests {w.cpu}m CPU and {_mib(w.memory)} memory; a node of {smallest.name} "
                f"({smallest.describe}) may offer only {smallest.cpu}m and {_mib(smallest.memory)}; lower the requests "
                f"or use larger instance types"))

    def place(w: Workload, node: _Node) -> None:
        node.cpu -= w.cpu
        node.memory -= w.memory
        node.pods -= 1
        node.components.add(w.component)

    for w in (w for w in workloads if w.kind == "DaemonSet"):
        for node in nodes:
            if node.pool.accepts(w):
                if node.cpu < w.cpu or node.memory < w.memory or node.pods < 1:
                    raise CapacityError(w.field, f"{w.component}: the DaemonSet pod does not fit on a node of {node.pool.name} "
                                                 f"({node.pool.describe}) beside the other DaemonSets")
                place(w, node)

    # Best fit by heaps, one per (pool, zone), ordered as the rule is: most free memory, then CPU,
    # then the lowest-numbered node (what max() over the node list returned).
    number = {id(pool): i for i, pool in enumerate(pools)}
    groups: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
    for index, node in enumerate(nodes):
        groups.setdefault((number[id(node.pool)], node.zone), []).append((-node.memory, -node.cpu, index))
    for heap in groups.values():
        heapq.heapify(heap)

    def take_best_fit(w: Workload, zone: str | None) -> int | None:
        """The node the pod goes to, its entry taken off its heap (None: no node fits)."""
        found: list[tuple[tuple[int, int, int], list]] = []  # each group's first fit
        for (pool_index, node_zone), heap in groups.items():
            if not pools[pool_index].accepts(w) or (zone is not None and node_zone != zone):
                continue
            skipped = []
            while heap and -heap[0][0] >= w.memory:
                entry = heapq.heappop(heap)
                node = nodes[entry[2]]
                if node.pods < 1:
                    continue  # full for good: no pod fits it again
                if node.cpu >= w.cpu and not (w.one_per_node and w.component in node.components):
                    found.append((entry, heap))
                    break
                skipped.append(entry)
            for entry in skipped:
                heapq.heappush(heap, entry)
        if not found:
            return None
        best = min(found, key=lambda item: item[0])
        for entry, heap in found:
            if entry is not best[0]:
                heapq.heappush(heap, entry)
        return best[0][2]

    ordered = sorted((w for w in workloads if w.kind != "DaemonSet"),
                     key=lambda w: (-w.memory, -w.cpu, w.component))
    for w in ordered:
        for i in range(w.replicas):
            zone = w.zones[i % len(w.zones)] if w.zones else None
            index = take_best_fit(w, zone)
            if index is None:
                candidates = [n for n in nodes if n.pool.accepts(w) and (zone is None or n.zone == zone)
                              and not (w.one_per_node and w.component in n.components)]
                where = f" in {zone}" if zone else ""
                pools_ = ", ".join(f"{p.nodes} x {p.describe} ({p.name})" for p in pools if p.accepts(w))
                if not candidates:
                    why = "one replica per node, and there are fewer nodes" if w.one_per_node else "no node there"
                elif all(n.pods < 1 for n in candidates):
                    why = f"every node is at its max pods ({candidates[0].pool.max_pods})"
                else:
                    why = (f"no node has {w.cpu}m CPU and {_mib(w.memory)} memory left (most free: "
                           f"{max(n.cpu for n in candidates)}m, {_mib(max(n.memory for n in candidates))})")
                raise CapacityError(w.replicas_field or w.field, (
                    f"{w.component}: replica {i + 1} of {w.replicas} does not fit{where} on the "
                    f"{'minimum ' if all(p.counted_as == 'min_size' for p in pools) else ''}nodes ({pools_}) "
                    f"beside the rest of the platform: {why}; "
                    f"{' or '.join(dict.fromkeys(p.more for p in pools if p.accepts(w)))} or lower requests"))
            node = nodes[index]
            place(w, node)
            heapq.heappush(groups[(number[id(node.pool)], node.zone)], (-node.memory, -node.cpu, index))

    usage = {}
    for pool in pools:
        mine = [n for n in nodes if n.pool is pool]
        # The nodes not simulated run the DaemonSets alone.
        rest = pool.nodes - len(mine)
        daemons = [w for w in workloads if w.kind == "DaemonSet" and pool.accepts(w)]
        used_cpu = sum(pool.cpu - n.cpu for n in mine) + rest * sum(w.cpu for w in daemons)
        used_memory = sum(pool.memory - n.memory for n in mine) + rest * sum(w.memory for w in daemons)
        total_cpu, total_memory = pool.cpu * pool.nodes, pool.memory * pool.nodes
        for what, used, total, unit in (("CPU", used_cpu, total_cpu, "m"), ("memory", used_memory, total_memory, "")):
            if used > (1 - headroom) * total:
                shown = (lambda v: f"{v}m") if unit else _mib
                raise CapacityError(pool.field, (
                    f"the platform's pods request {shown(used)} of the {shown(total)} {what} that {pool.nodes} x "
                    f"{pool.describe} ({pool.counted_as} of {pool.name}) offer, leaving {100 * (1 - used / total):.0f} %; "
                    f"allowed: at least {headroom:.0%} free; raise {pool.counted_as}, use larger instance types or lower requests"))
        usage[pool.name] = {"nodes": pool.nodes, "cpu": (used_cpu, total_cpu), "memory": (used_memory, total_memory),
                            "pods": (sum(pool.max_pods - n.pods for n in mine) + rest * len(daemons),
                                     pool.max_pods * pool.nodes)}
    return usage
