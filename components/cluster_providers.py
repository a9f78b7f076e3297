"""Helm and Kubernetes providers that talk to an EKS cluster with short-lived tokens.

Authentication is exec-based (``aws eks get-token``), so no token is ever written into the
synthesized JSON or the state; whoever runs Terraform needs the AWS CLI and IAM access to
the cluster. The API endpoint is private: the stack must run from inside the VPC.

Where Terraform Cloud's plan runs read the cluster (``planners``), Helm keeps its release records
in ConfigMaps (the provider's ``helm_driver``), not Secrets: a plan reads every release's record,
and Kubernetes RBAC cannot grant the Secrets Helm writes without every other Secret of their
namespaces (``list`` takes no names; the records' names change with each revision). The records
are the same text either way (Helm's storage drivers share one encoding).
"""

from __future__ import annotations

from components.eks_cluster import EksCluster
from officeless.tf import Construct, core, helm, kubernetes

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
RELEASE_RECORDS_FOR_PLANNERS = "configmap"


def configure_cluster_providers(scope: Construct, *, cluster: EksCluster, region: str, with_helm: bool = True,
                                planners: bool = False) -> None:
    """The Kubernetes provider (and, unless ``with_helm`` is False, the Helm provider) for ``cluster``;
    with ``planners``, release records in ConfigMaps. Default: Helm's own default, Secrets."""
    ca_certificate = core.Fn.base64decode(cluster.cluster_certificate_authority_data)
    args = ["eks", "get-token", "--cluster-name", cluster.cluster_name, "--region", region, "--output", "json"]
    if with_helm:
        helm.provider.HelmProvider(
            scope, "helm",
            kubernetes=helm.provider.HelmProviderKubernetes(
                host=cluster.cluster_endpoint, cluster_ca_certificate=ca_certificate,
                exec=helm.provider.HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command="aws", args=args),
            ),
            helm_driver=RELEASE_RECORDS_FOR_PLANNERS if planners else None,
        )
    kubernetes.provider.KubernetesProvider(
        scope, "kubernetes", host=cluster.cluster_endpoint, cluster_ca_certificate=ca_certificate,
        exec=[kubernetes.provider.KubernetesProviderExec(api_version=EXEC_API_VERSION, command="aws", args=args)],
    )
