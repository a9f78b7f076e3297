"""The pods of the EKS managed addons 02-eks installs, as the capacity check counts them.

Not Helm releases of ours: their requests are the addons' defaults, taken from the upstream
charts and manifests EKS packages (a container without a memory request counts as 0 MiB there,
which is what the scheduler counts too):
- CoreDNS: 2 replicas, 100m CPU, 70Mi memory, 170Mi limit (EKS's coredns Deployment).
- kube-proxy: 100m CPU (DaemonSet).
- vpc-cni (aws-node): 25m CPU on aws-node; the node agent and init container request nothing
  (https://github.com/aws/eks-charts/blob/master/stable/aws-vpc-cni/values.yaml).
- eks-pod-identity-agent: no requests (https://github.com/aws/eks-pod-identity-agent, chart values).
- aws-ebs-csi-driver: every container 10m CPU, 40Mi memory, 256Mi limit; controller x2 with the
  driver, provisioner, attacher, resizer and liveness probe; node with driver, registrar and
  liveness probe (https://github.com/kubernetes-sigs/aws-ebs-csi-driver, chart values).

All of them tolerate a system node group's CriticalAddonsOnly taint as shipped (``system=True``):
the DaemonSets tolerate every taint; CoreDNS's Deployment carries the CriticalAddonsOnly toleration
of the upstream manifest (kubernetes/kubernetes cluster/addons/dns/coredns); the EBS CSI controller's
chart default tolerations start with ``{key: CriticalAddonsOnly, operator: Exists}``.
"""

from __future__ import annotations

from officeless.capacity import Container, Workload

_EBS = Container("ebs", 10, 40, 256)
FIELD = "eks.addons"


def workloads() -> list[Workload]:
    managed = dict(system=True, external=True)
    return [
        Workload("coredns", FIELD, "Deployment", (Container("coredns", 100, 70, 170),), replicas=2, **managed),
        Workload("kube-proxy", FIELD, "DaemonSet", (Container("kube-proxy", 100, 0, 0),), **managed),
        Workload("aws-node", FIELD, "DaemonSet", (Container("aws-node", 25, 0, 0), Container("aws-eks-nodeagent", 0, 0, 0)),
                 **managed),
        Workload("eks-pod-identity-agent", FIELD, "DaemonSet", (Container("eks-pod-identity-agent", 0, 0, 0),), **managed),
        Workload("ebs-csi-controller", FIELD, "Deployment", (_EBS,) * 5, replicas=2, **managed),
        Workload("ebs-csi-node", FIELD, "DaemonSet", (_EBS,) * 3, **managed),
    ]
