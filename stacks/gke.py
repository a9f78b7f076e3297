"""The Kubernetes layer of a Google Cloud environment (``cloud: gcp``, issue #31), on 02-gke's cluster:
05-helm (the observability stack on Cloud Storage), 06-access (the tenant namespaces) and 08-platform
(External Secrets with Google Secret Manager, each tenant reading only its own secrets). Argo CD follows.

The Kubernetes and Helm providers reach the cluster's private endpoint (run them from the network:
the VPN server, or CI inside it) and authenticate with ``gke-gcloud-auth-plugin``, GKE's exec
credential plugin (installed on the VPN server, templates/vpn-server.cli-gcp.sh): no token is ever
written into the JSON or the state, as with ``aws eks get-token`` on EKS.
https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
"""

from __future__ import annotations

from components.addons import catalog
from components.tenant import tenants
from officeless.targets import principal
from officeless.config.gcp import GcpConfig
from officeless.tf import Construct, core, google, helm, kubernetes
from stacks.gcp import GcpClusterStack, GcpStack

HELM, ACCESS, PLATFORM = "05-helm", "06-access", "08-platform"
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
AUTH_PLUGIN = "gke-gcloud-auth-plugin"


class GkeLayerStack(GcpStack):
    """A stack of the Kubernetes layer: the Google provider and its state as every GCP stack, and the
    Kubernetes (and Helm) providers on 02-gke's private endpoint. :param with_helm: the Helm provider
    too. Default True."""

    def __init__(self, scope: Construct, stack_name: str, *, config: GcpConfig, cluster: GcpClusterStack,
                 with_helm: bool = True) -> None:
        super().__init__(scope, stack_name, config=config)
        host = f"https://{cluster.cluster.endpoint}"
        ca = core.Fn.base64decode(cluster.cluster.master_auth.cluster_ca_certificate)
        if with_helm:
            helm.provider.HelmProvider(self, "helm", kubernetes=helm.provider.HelmProviderKubernetes(
                host=host, cluster_ca_certificate=ca,
                exec=helm.provider.HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command=AUTH_PLUGIN)))
        kubernetes.provider.KubernetesProvider(
            self, "kubernetes", host=host, cluster_ca_certificate=ca,
            exec=[kubernetes.provider.KubernetesProviderExec(api_version=EXEC_API_VERSION, command=AUTH_PLUGIN)])


class GkeHelmStack(GkeLayerStack):
    """05-helm: the catalog's entries for GKE (components/addons/catalog.py): the monitoring namespace,
    Mimir, Loki and Tempo on 03-gcs's buckets, the collector and Grafana. Each backend's Kubernetes
    service account may read and write its own buckets and no other: a bucket-level grant to the
    account's federated identity in the cluster's Workload Identity pool (no Google service account,
    no key; the pods' Cloud Storage clients sign in through the GKE metadata server). The buckets'
    Cloud KMS key is Cloud Storage's to use, not theirs."""

    def __init__(self, scope: Construct, *, config: GcpConfig, cluster: GcpClusterStack) -> None:
        from components.addons import loki, mimir, tempo
        from components.addons.endpoints import MONITORING
        from officeless.config.helm import COMPONENT_BUCKETS

        super().__init__(scope, HELM, config=config, cluster=cluster)
        wiring = catalog.Wiring(self, config, None, None)
        for entry in catalog.entries(config, catalog.HELM):
            entry.build(wiring)
        project = google.data_google_project.DataGoogleProject(self, "project")
        accounts = {"mimir": mimir.Mimir.service_account, "loki": loki.Loki.service_account,
                    "tempo": tempo.Tempo.service_account}
        for component in config.helm.enabled_observability():
            member = principal(project.number, config.gcp_project, MONITORING, accounts[component])
            for purpose in COMPONENT_BUCKETS[component]:
                google.storage_bucket_iam_member.StorageBucketIamMember(
                    self, f"{component}-uses-{purpose}", bucket=config.bucket(purpose), role="roles/storage.objectAdmin",
                    member=member)


class GkeAccessStack(GkeLayerStack):
    """06-access: the tenant namespaces exactly as on EKS (quotas, container defaults, Pod Security,
    default-deny network policies that Dataplane V2 enforces, RBAC groups ``<namespace>:<level>``),
    without EKS's Pod Identity agent egress; 'vpc' in a tenant's rules is the cluster subnet."""

    def __init__(self, scope: Construct, *, config: GcpConfig, cluster: GcpClusterStack) -> None:
        super().__init__(scope, ACCESS, config=config, cluster=cluster, with_helm=False)
        self.tenants = tenants(self, config.tenancy, vpc_cidr=config.network.subnet.cidr, pod_identity_agent=False)
        core.TerraformOutput(self, "tenant_namespaces", value=[t.name for t in self.tenants],
                             description="Tenant namespaces, in config order")


class GkePlatformStack(GkeLayerStack):
    """08-platform: the catalog's entries for GKE (components/addons/catalog.py): External Secrets with
    Google Secret Manager (external_secrets.GkeSecretStores): the operator without an identity of its
    own, the platform's ClusterSecretStore and one SecretStore per tenant, each reading only its own
    prefix of secret ids."""

    def __init__(self, scope: Construct, *, config: GcpConfig, cluster: GcpClusterStack) -> None:
        super().__init__(scope, PLATFORM, config=config, cluster=cluster)
        wiring = catalog.Wiring(self, config, None, None)
        for entry in catalog.entries(config, catalog.PLATFORM):
            entry.build(wiring)
