"""The contract between a target's infrastructure and the Kubernetes layer (issue #29, item 2).

The Kubernetes layer (05-helm's addons and observability, 06-access's tenancy, 08-platform's
GitOps and secrets) takes what differs between clouds from a :class:`Target`, in one place: the
storage classes it provisions volumes with, how object storage is reached and how pods get its
credentials, the ingress classes, the External Secrets provider, and the machine table the
capacity check sizes nodes with. Config's ``cloud`` picks the target: ``aws`` (EKS, the default),
``existing`` (a cluster the user brings, officeless/config/existing.py), ``gcp`` (GKE,
officeless/config/gcp.py) or ``azure`` (AKS, officeless/config/azure.py). How each target reaches its cluster lives with its
stacks (components/cluster_providers.py for EKS's exec tokens, stacks/existing.py for a kubeconfig).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Callable, Literal, Mapping

from pydantic import StrictStr

from officeless import names
from officeless.config.instances import INSTANCE_TYPES, InstanceType, measured_node
from officeless.config.types import one_of

CLOUDS = ("aws", "existing", "gcp", "azure")
Cloud = Annotated[StrictStr, one_of(CLOUDS, "a target this project builds")]


@dataclass(frozen=True)
class StorageClass:
    """A StorageClass the target's CSI driver provisions."""

    name: str
    provisioner: str
    parameters: Mapping[str, str]
    default: bool = False  # the cluster's default class
    volume_binding_mode: str = "WaitForFirstConsumer"
    allow_volume_expansion: bool = True
    reclaim_policy: str = "Delete"


@dataclass(frozen=True)
class ObjectStore:
    """Where Mimir, Loki and Tempo keep their blocks, chunks and traces, and how they sign in.

    ``credentials_secret``: a Secret in ``monitoring`` whose AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY the pods take as environment variables (every S3 client of the three reads
    them: minio-go's and the AWS SDK's default chains); None where pods have an identity instead (Pod
    Identity on EKS) and nothing is added to their values.
    """

    endpoint: str  # host[:port], no scheme
    region: str
    insecure: bool = False  # plain HTTP
    path_style: bool = False  # http://endpoint/bucket, as S3-compatible stores without bucket DNS need
    credentials_secret: str | None = None
    # The backends' client: ``s3`` (an S3 API), ``gcs`` (Cloud Storage's own, signing in through the
    # pod's Workload Identity: no endpoint, region or keys to give) or ``azure`` (Blob Storage of
    # ``account``, signing in with the federated token AKS's Workload Identity projects into the pod).
    kind: Literal["s3", "gcs", "azure"] = "s3"
    account: str | None = None  # azure: the storage account

    @property
    def gcs(self) -> bool:
        return self.kind == "gcs"

    @property
    def azure(self) -> bool:
        return self.kind == "azure"

    @classmethod
    def from_url(cls, url: str, *, region: str, credentials_secret: str) -> "ObjectStore":
        scheme, _, host = url.partition("://")
        return cls(host, region, insecure=scheme == "http", path_style=True, credentials_secret=credentials_secret)

    def env_from(self) -> list[dict]:
        return [{"secretRef": {"name": self.credentials_secret}}] if self.credentials_secret else []


@dataclass(frozen=True)
class Target:
    cloud: str
    # Block volumes (the default class: Mimir, Loki, Tempo, Grafana, applications) and shared files.
    block_storage: StorageClass
    file_storage_class: str
    # Object storage for Mimir, Loki and Tempo: the backend type and how pods get credentials.
    object_storage: Literal["s3", "gcs", "azure"]
    pod_credentials: Literal["pod-identity", "secret", "workload-identity"]
    # Ingress classes: internet-facing (applications) and internal (operator tools).
    public_ingress_class: str
    internal_ingress_class: str
    # The External Secrets provider block of a store, by region.
    secret_store_provider: Callable[[str], dict]
    # Instance types the capacity check knows: allocatable CPU and memory, max pods, each with its source.
    machines: Mapping[str, InstanceType] = field(default_factory=lambda: MappingProxyType(INSTANCE_TYPES))
    # Where the observability backends' data lives; None: S3 of the region, through Pod Identity.
    object_store: ObjectStore | None = None
    # The operator UIs' Service where no internal ingress or Gateway serves them (type and annotations);
    # None: ClusterIP (port-forward).
    internal_service: Mapping[str, object] | None = None

    @property
    def volume_class(self) -> str | None:
        """The class volumes must name: the block storage class, unless it is the cluster's default."""
        return None if self.block_storage.default else self.block_storage.name


def _ebs_block_storage(backup_plan: str | None) -> StorageClass:
    """Encrypted gp3 through the EBS CSI driver, and the ``backup-plan`` tag on every volume it
    creates, so 09-backup's plan selects it (tagSpecification_<n>:
    https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/tagging.md)."""
    parameters = {"type": "gp3", "encrypted": "true"}
    if backup_plan:
        parameters["tagSpecification_1"] = f"{names.BACKUP_TAG}={backup_plan}"
    return StorageClass("gp3", "ebs.csi.aws.com", parameters, default=True)


def aws(*, backup_plan: str | None) -> Target:
    """EKS: EBS and EFS CSI drivers, S3 with Pod Identity, the ALB classes, Secrets Manager."""
    return Target(
        cloud="aws", block_storage=_ebs_block_storage(backup_plan), file_storage_class="efs",
        object_storage="s3", pod_credentials="pod-identity", public_ingress_class="alb",
        internal_ingress_class="alb-internal",
        secret_store_provider=lambda region: {"service": "SecretsManager", "region": region},
    )


def existing(config) -> Target:
    """A cluster the user brings: its own storage classes (none created), an S3-compatible endpoint or
    the in-cluster SeaweedFS with keys from a Secret, the HAProxy class for both kinds of Ingress,
    External Secrets' Kubernetes provider, and the nodes config measures."""
    storage = config.object_storage
    if storage.external:
        store = ObjectStore.from_url(storage.endpoint, region=storage.region, credentials_secret=storage.credentials_secret)
    else:  # SeaweedFS's S3 gateway in monitoring (components/addons/seaweedfs.py)
        from components.addons.seaweedfs import S3_ENDPOINT

        store = ObjectStore(S3_ENDPOINT, storage.region, insecure=True, path_style=True,
                            credentials_secret=storage.credentials_secret)
    classes = config.storage_classes
    machines = {name: measured_node(name, pool.cpu, pool.memory, pool.max_pods) for name, pool in config.nodes.items()}
    ingress = config.ingress_controller.class_name
    return Target(
        cloud="existing", block_storage=StorageClass(classes.block, "", {}, default=False),
        file_storage_class=classes.file or "", object_storage="s3", pod_credentials="secret",
        public_ingress_class=ingress, internal_ingress_class=ingress,
        secret_store_provider=lambda _region: {}, machines=MappingProxyType(machines), object_store=store,
    )


def principal(project_number: str, project: str, namespace: str, account: str) -> str:
    """GKE: the federated identity of Kubernetes service account ``namespace/account`` in the cluster's
    Workload Identity pool, as IAM grants name it (no Google service account, no key):
    https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#configure-authz-principals"""
    return (f"principal://iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/"
            f"{project}.svc.id.goog/subject/ns/{namespace}/sa/{account}")


def gcp(config) -> Target:
    """GKE: the classes GKE creates itself (``standard-rwo``, balanced Persistent Disk, the default;
    ``standard-rwx``, Filestore), Cloud Storage through Workload Identity, GKE's Ingress classes
    (``gce``, ``gce-internal``), Secret Manager (components/addons/external_secrets.py, GkeSecretStores),
    and the machine types of officeless/config/gke.py at GKE's allocatable.
    https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver"""
    from officeless.config.gke import MACHINE_TYPES

    machines = {name: measured_node(name, *machine.allocatable(), machine.max_pods) for name, machine in MACHINE_TYPES.items()}
    return Target(
        cloud="gcp", block_storage=StorageClass("standard-rwo", "pd.csi.storage.gke.io", {"type": "pd-balanced"},
                                                default=True),
        file_storage_class="standard-rwx", object_storage="gcs", pod_credentials="workload-identity",
        public_ingress_class="gce", internal_ingress_class="gce-internal", secret_store_provider=lambda _region: {},
        machines=MappingProxyType(machines), object_store=ObjectStore("storage.googleapis.com", config.region, kind="gcs"))


def azure(config) -> Target:
    """AKS: the classes AKS creates itself (``managed-csi``, Azure Disk StandardSSD, the default;
    ``azurefile-csi``, Azure Files), 03-blob's account through Workload Identity, Key Vault per owner
    (components/addons/external_secrets.py, AksSecretStores), the operator UIs on an internal load
    balancer, and the VM sizes of officeless/config/aks.py at AKS's allocatable with 110 pods (each
    pool counts its own max_pods).
    https://learn.microsoft.com/azure/aks/azure-csi-driver-storage-classes"""
    from officeless.config.aks import VM_SIZES

    machines = {name: measured_node(name, *size.allocatable(110), 110) for name, size in VM_SIZES.items()}
    return Target(
        cloud="azure", block_storage=StorageClass("managed-csi", "disk.csi.azure.com", {"skuName": "StandardSSD_LRS"},
                                                  default=True),
        file_storage_class="azurefile-csi", object_storage="azure", pod_credentials="workload-identity",
        public_ingress_class="", internal_ingress_class="", secret_store_provider=lambda _region: {},
        machines=MappingProxyType(machines),
        object_store=ObjectStore(f"{config.storage.account}.blob.core.windows.net", config.location, kind="azure",
                                 account=config.storage.account),
        # Grafana and Argo CD on an internal Azure load balancer in the nodes' subnet: reached from the VNet
        # (the VPN) only. https://learn.microsoft.com/azure/aks/internal-lb
        internal_service=MappingProxyType({"type": "LoadBalancer", "annotations": {
            "service.beta.kubernetes.io/azure-load-balancer-internal": "true"}}))


def of(config) -> Target:
    """The target of a validated config (its ``cloud``)."""
    return {"aws": lambda: aws(backup_plan=config.backup_plan_name), "existing": lambda: existing(config),
            "gcp": lambda: gcp(config), "azure": lambda: azure(config)}[config.cloud]()
