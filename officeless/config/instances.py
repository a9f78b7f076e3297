"""EC2 instance types the platform's node groups use: size, architecture and pod capacity.

One small, cited table; the capacity check (officeless/capacity.py) reads it.

- vCPUs and memory: https://aws.amazon.com/ec2/instance-types/ (nominal GiB).
- Max pods with the VPC CNI in its default mode (no prefix delegation): ENIs x (IPv4 addresses
  per ENI - 1) + 2, as listed in amazon-eks-ami's eni-max-pods.txt
  (https://github.com/awslabs/amazon-eks-ami/blob/main/templates/shared/runtime/eni-max-pods.txt);
  the issue text cites the same numbers for t3.xlarge (58), t3.large (35), m6i.large (29), t3.medium (17).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_gib: float
    max_pods: int
    architecture: str  # x86_64 | arm64
    # (millicores, MiB) allocatable as measured on a running node; None: computed (allocatable()).
    measured: tuple[int, int] | None = None

    @property
    def cpu_millicores(self) -> int:
        return self.vcpus * 1000

    @property
    def memory_mib(self) -> int:
        return int(self.memory_gib * 1024)


INSTANCE_TYPES: dict[str, InstanceType] = {
    t.name: t
    for t in (
        InstanceType("t3.medium", 2, 4, 17, "x86_64"),
        InstanceType("t3.large", 2, 8, 35, "x86_64"),
        InstanceType("t3.xlarge", 4, 16, 58, "x86_64"),
        InstanceType("t3.2xlarge", 8, 32, 58, "x86_64"),
        InstanceType("t3a.medium", 2, 4, 17, "x86_64"),
        InstanceType("t3a.large", 2, 8, 35, "x86_64"),
        InstanceType("t3a.xlarge", 4, 16, 58, "x86_64"),
        InstanceType("t3a.2xlarge", 8, 32, 58, "x86_64"),
        # Previous generation (Xen), in the EKS architecture overview's dev Karpenter pool.
        InstanceType("t2.medium", 2, 4, 17, "x86_64"),
        InstanceType("t2.large", 2, 8, 35, "x86_64"),
        InstanceType("t2.xlarge", 4, 16, 44, "x86_64"),
        InstanceType("t2.2xlarge", 8, 32, 44, "x86_64"),
        InstanceType("m5.large", 2, 8, 29, "x86_64"),
        InstanceType("m5.xlarge", 4, 16, 58, "x86_64"),
        InstanceType("m5.2xlarge", 8, 32, 58, "x86_64"),
        InstanceType("m5.4xlarge", 16, 64, 234, "x86_64"),
        InstanceType("m6i.large", 2, 8, 29, "x86_64"),
        InstanceType("m6i.xlarge", 4, 16, 58, "x86_64"),
        InstanceType("m6i.2xlarge", 8, 32, 58, "x86_64"),
        InstanceType("m6i.4xlarge", 16, 64, 234, "x86_64"),
        InstanceType("c5.large", 2, 4, 29, "x86_64"),
        InstanceType("c5.xlarge", 4, 8, 58, "x86_64"),
        InstanceType("c5.2xlarge", 8, 16, 58, "x86_64"),
        InstanceType("c5.4xlarge", 16, 32, 234, "x86_64"),
        InstanceType("m7g.large", 2, 8, 29, "arm64"),
        InstanceType("m7g.xlarge", 4, 16, 58, "arm64"),
        InstanceType("t4g.medium", 2, 4, 17, "arm64"),
        InstanceType("t4g.large", 2, 8, 35, "arm64"),
    )
}


def kube_reserved_cpu_millicores(vcpus: int) -> int:
    """EKS AMIs' and Bottlerocket's kube-reserved CPU: 6 % of the first core, 1 % of the second,
    0.5 % of the third and fourth, 0.25 % of every further core
    (https://github.com/awslabs/amazon-eks-ami/blob/main/templates/al2/runtime/bootstrap.sh#L360,
    Bottlerocket's ``settings.kubernetes.kube-reserved`` default)."""
    shares = [60, 10, 5, 5]
    return int(sum(shares[i] if i < len(shares) else 2.5 for i in range(vcpus)))


def kube_reserved_memory_mib(max_pods: int) -> int:
    """11 MiB per pod plus 255 MiB (same sources as :func:`kube_reserved_cpu_millicores`)."""
    return 11 * max_pods + 255


EVICTION_HARD_MEMORY_MIB = 100  # kubelet's memory.available<100Mi


def measured_node(name: str, cpu_millicores: int, memory_mib: int, max_pods: int) -> InstanceType:
    """A node whose allocatable capacity config states (an existing cluster's, as ``kubectl get node``
    reports it): no table, no reservation to subtract."""
    return InstanceType(name, -(-cpu_millicores // 1000), memory_mib / 1024, max_pods, "any",
                        measured=(cpu_millicores, memory_mib))


def allocatable(instance: InstanceType) -> tuple[int, int]:
    """(millicores, MiB) a node of ``instance`` offers pods:

        cpu    = vCPUs x 1000 - kube-reserved cpu
        memory = nominal MiB - (11 x max pods + 255) - 100 (eviction threshold)

    The kernel and hypervisor take a little more memory than nominal (m6i.large reports about
    7.6 GiB); the capacity check's 25 % headroom covers that difference.
    """
    if instance.measured is not None:
        return instance.measured
    cpu = instance.cpu_millicores - kube_reserved_cpu_millicores(instance.vcpus)
    memory = instance.memory_mib - kube_reserved_memory_mib(instance.max_pods) - EVICTION_HARD_MEMORY_MIB
    return cpu, memory
