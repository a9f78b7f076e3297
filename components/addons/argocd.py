"""Argo CD (08-platform): GitOps delivery of the applications, after the EKS architecture overview.

Three releases, each after the one before:

1. ``argo-cd`` (chart 10.1.1, Argo CD v3.4.4): the application controller, server, repo server,
   ApplicationSet controller and Redis, sized per environment; CRDs as chart templates (upgraded
   with it); no Dex, no notifications. The UI/API is reachable only through the internal ALB
   class (``alb-internal``): TLS ends at the ALB, the server speaks HTTP behind it. The chart
   creates ``argocd-secret`` with no admin password in it: values land in the JSON and in state.
2. ``argocd-secrets`` (the project's manifests chart): two ExternalSecrets from the
   ``aws-secrets-manager`` store: the repository's credentials (a Secret labelled
   ``argocd.argoproj.io/secret-type: repository``) and the admin password, merged into
   ``argocd-secret`` (``admin.password``, a bcrypt hash, and ``admin.passwordMtime``). Until the
   Secrets Manager secret exists, Argo CD's generated initial password (in the Secret
   ``argocd-initial-admin-secret``) is the way in.
3. ``argocd-apps`` (chart 2.0.5): the AppProjects and one ApplicationSet per application, whose
   list generator yields one Application per environment this cluster hosts. Automated sync
   (prune + self-heal) only for environments config marks automated, added by a ``templatePatch``
   so that manual environments (production) carry no ``automated`` block at all.
"""

from __future__ import annotations

from typing import Sequence

from components.addons.base import Addon
from components.addons.common import Values, containers, disruption_budget, resources
from components.addons.external_secrets import STORE
from components.addons.ingress_classes import INTERNAL, listen_annotations
from components.eks_cluster import EksCluster
from components.helm_chart import ChartSource, HelmChart
from components.manifests import ManifestsRelease
from officeless.capacity import Workload
from officeless.config.helm import HelmConfig
from officeless.config.platform_services import ArgoCdConfig, InternalIngressConfig
from officeless.tf import Construct, core

RELEASE = "argo-cd"
APPS_RELEASE = "argocd-apps"
SECRETS_RELEASE = "argocd-secrets"
NAMESPACE = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
REPOSITORY_SECRET = "argocd-repository"
# Size component -> (values key, container, kind) in chart 10.1.1.
COMPONENTS = {
    "controller": ("controller", "application-controller", "StatefulSet"),
    "server": ("server", "server", "Deployment"),
    "repo-server": ("repoServer", "repo-server", "Deployment"),
    "applicationset": ("applicationSet", "applicationset-controller", "Deployment"),
    "redis": ("redis", "redis", "Deployment"),
}
# What the platform owns in tenant namespaces, which applications may not replace: 06-access's
# quotas, limit ranges and network policies, and 08-platform's SecretStore (the tenant's only
# way to its secrets, bound to its own identity).
TENANCY_OWNED = [{"group": "", "kind": "ResourceQuota"}, {"group": "", "kind": "LimitRange"},
                 {"group": "networking.k8s.io", "kind": "NetworkPolicy"},
                 {"group": "external-secrets.io", "kind": "SecretStore"}]
AUTOMATED_PATCH = """{{- if .automated }}
spec:
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
{{- end }}
"""


def server_ingress(*, hostname: str | None, internal: InternalIngressConfig | None,
                   ingress_class: str | None = None, annotations: dict[str, str] | None = None,
                   exposed: bool = True) -> Values:
    """The UI's Ingress on the internal class: HTTPS with the class's certificates when config gives
    some or a zone to validate one (HTTP then only redirects), else plain HTTP (config warns at
    every synth). ``ingress_class``: a target's own class instead (no ALB annotations). Not ``exposed``:
    no Ingress (GKE: an HTTPRoute on the internal Gateway, gateways.UiRoute)."""
    if not exposed:
        return {"enabled": False}
    if ingress_class is not None:
        return {"enabled": True, "ingressClassName": ingress_class, "hostname": hostname or "", "path": "/",
                "pathType": "Prefix", **({"annotations": annotations} if annotations else {})}
    assert internal is not None
    return {
        "enabled": True, "ingressClassName": INTERNAL, "hostname": hostname or "", "path": "/", "pathType": "Prefix",
        "annotations": {**listen_annotations(https=internal.tls),
                        "alb.ingress.kubernetes.io/backend-protocol": "HTTP",
                        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz"},
    }


def values(*, helm: HelmConfig, config: ArgoCdConfig, internal: InternalIngressConfig | None,
           ingress_class: str | None = None, annotations: dict[str, str] | None = None, exposed: bool = True,
           service: Values | None = None) -> Values:
    """``service``: the server's Service settings (a target's internal load balancer); default ClusterIP."""
    out: Values = {
        # Objects named argocd-server, argocd-repo-server, ... as in Argo CD's own manifests.
        "fullnameOverride": "argocd",
        # The domain only names the UI's host; empty: the Ingress rule matches any host.
        "global": {"domain": config.hostname or ""},
        "crds": {"install": True, "keep": True},
        "configs": {
            "params": {"server.insecure": True},  # TLS ends at the internal ALB
            "cm": {"admin.enabled": True, "users.anonymous.enabled": False, "exec.enabled": False},
            # The chart creates argocd-secret without an admin password; External Secrets merges one in.
            "secret": {"createSecret": True},
        },
        "dex": {"enabled": False},
        "notifications": {"enabled": False},
        "redis-ha": {"enabled": False},
    }
    for component, (key, container, _) in COMPONENTS.items():
        size = helm.size(RELEASE, component)
        section: Values = {"resources": resources(size.containers[container])}
        if component != "redis":
            section["replicas"] = size.replicas
            budget = disruption_budget(size.replicas or 1)
            if budget:
                section["pdb"] = {"enabled": True, **budget}
        out[key] = section
    out["repoServer"]["copyutil"] = {"resources": resources(helm.size(RELEASE, "repo-server").containers["copyutil"])}
    out["redisSecretInit"] = {"resources": resources(helm.size(RELEASE, "redis-secret-init").containers["secret-init"])}
    out["server"]["ingress"] = server_ingress(hostname=config.hostname, internal=internal, ingress_class=ingress_class,
                                              annotations=annotations, exposed=exposed)
    if service:
        out["server"]["service"] = dict(service)
    return out


def apps_values(config: ArgoCdConfig) -> Values:
    """AppProjects and ApplicationSets for the argocd-apps chart."""
    projects: Values = {}
    for name, project in config.projects.items():
        namespaces = [env.namespace_of(app) for env in config.environments if env.project == name for app in config.applications]
        projects[name] = {
            "namespace": NAMESPACE,
            **({"description": project.description} if project.description else {}),
            "sourceRepos": [config.repository],
            "destinations": [{"server": IN_CLUSTER, "namespace": ns} for ns in namespaces],
            # No cluster-scoped objects (an empty whitelist is the default: nothing), any namespaced
            # kind but what 06-access owns in the tenants' namespaces.
            "namespaceResourceWhitelist": [{"group": "*", "kind": "*"}],
            "namespaceResourceBlacklist": TENANCY_OWNED,
        }
    applicationsets: Values = {}
    for app in config.applications:
        path = config.path.replace("{application}", app).replace("{environment}", "{{.environment}}")
        automated = any(env.sync == "automated" for env in config.environments)
        elements = [{"environment": env.name, "namespace": env.namespace_of(app), "project": env.project,
                     **({"automated": env.sync == "automated"} if automated else {})} for env in config.environments]
        appset: Values = {
            "namespace": NAMESPACE,
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {"name": f"{app}-{{{{.environment}}}}"},
                "spec": {
                    "project": "{{.project}}",
                    "source": {"repoURL": config.repository, "targetRevision": config.target_revision, "path": path},
                    "destination": {"server": IN_CLUSTER, "namespace": "{{.namespace}}"},
                    # 06-access creates the tenant namespaces; Argo CD must not.
                    "syncPolicy": {"syncOptions": ["CreateNamespace=false"]},
                },
            },
        }
        if automated:  # only then: a manual-only cluster's ApplicationSets never mention automated sync
            appset["templatePatch"] = AUTOMATED_PATCH
        applicationsets[app] = appset
    return {"projects": projects, "applicationsets": applicationsets}


def external_secrets(*, config: ArgoCdConfig, environment: str, refresh_interval: str, store_name: str = STORE,
                     secret_names: tuple[str, str] | None = None) -> list[Values]:
    """The repository's credentials and the admin password, from the platform's store: Secrets
    Manager's names by default; ``secret_names`` (repository, admin) where the store names them
    otherwise (the Secrets of namespace platform-secrets on an existing cluster)."""
    store = {"kind": "ClusterSecretStore", "name": store_name}
    repository_key, admin_key = secret_names or (config.repository_secret_name(environment),
                                                 config.admin_password_secret_name(environment))
    credentials = ({"sshPrivateKey": "{{ .sshPrivateKey }}"} if config.ssh
                   else {"username": "{{ .username }}", "password": "{{ .password }}"})
    repository = {
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": REPOSITORY_SECRET, "namespace": NAMESPACE},
        "spec": {
            "refreshInterval": refresh_interval, "secretStoreRef": store,
            "target": {"name": REPOSITORY_SECRET, "creationPolicy": "Owner", "template": {
                "metadata": {"labels": {"argocd.argoproj.io/secret-type": "repository"}},
                "data": {"type": "git", "url": config.repository, **credentials},
            }},
            "dataFrom": [{"extract": {"key": repository_key}}],
        },
    }
    admin = {
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "argocd-admin-password", "namespace": NAMESPACE},
        "spec": {
            "refreshInterval": refresh_interval, "secretStoreRef": store,
            # Merge: the chart owns argocd-secret; only these two keys come from Secrets Manager.
            "target": {"name": "argocd-secret", "creationPolicy": "Merge"},
            "data": [{"secretKey": "admin.password", "remoteRef": {"key": admin_key, "property": "password"}},
                     {"secretKey": "admin.passwordMtime", "remoteRef": {"key": admin_key, "property": "mtime"}}],
        },
    }
    return [repository, admin]


def workloads(helm: HelmConfig) -> list[Workload]:
    out = []
    for component, (_, container, kind) in COMPONENTS.items():
        size = helm.size(RELEASE, component)
        # The repo server's copyutil is an init container (it copies the argocd binary first).
        init = containers(size, "copyutil") if component == "repo-server" else ()
        out.append(Workload(f"argo-cd {component}", f"helm.sizes.{RELEASE}.{component}", kind, containers(size, container),
                            replicas=size.replicas or 1, init_containers=init))
    return out


class ArgoCd(Construct):
    """:param config: the validated ``argocd`` section. :param environment: whose secret names apply.
    :param internal: the internal ingress class's settings (HTTPS when it has certificates).
    :param refresh_interval: how often its ExternalSecrets re-read Secrets Manager.
    :param helm: sizes. :param timeout_seconds: Helm's wait.
    :param depends_on: what must exist first (the namespace, External Secrets' store). Default: nothing.
    :param ingress_class: the UI's class on a target without the internal ALB. Default: the internal ALB's.
    :param annotations: the UI Ingress's annotations on that class. Default: none.
    :param store_name: the platform's ClusterSecretStore. Default: Secrets Manager's.
    :param secret_names: (repository, admin password) as that store names them. Default: the config's
        Secrets Manager names.
    :param exposed: an Ingress at all. Default True.
    :param service: the server's Service type and annotations (an internal load balancer). Default: ClusterIP.
    """

    def __init__(self, scope: Construct, id_: str, *, cluster: EksCluster | None, config: ArgoCdConfig, environment: str,
                 internal: InternalIngressConfig | None, refresh_interval: str, helm: HelmConfig, timeout_seconds: int,
                 depends_on: Sequence[core.ITerraformDependable] = (), ingress_class: str | None = None,
                 store_name: str = STORE, secret_names: tuple[str, str] | None = None,
                 annotations: dict[str, str] | None = None, exposed: bool = True, service: Values | None = None) -> None:
        super().__init__(scope, id_)
        self.server = _ArgoCdRelease(self, RELEASE, cluster=cluster, version=config.version, timeout_seconds=timeout_seconds,
                                     values=values(helm=helm, config=config, internal=internal, ingress_class=ingress_class,
                                                   annotations=annotations, exposed=exposed, service=service),
                                     depends_on=depends_on)
        self.secrets = ManifestsRelease(self, SECRETS_RELEASE, release_name=SECRETS_RELEASE, namespace=NAMESPACE,
                                        manifests=external_secrets(config=config, environment=environment,
                                                                   refresh_interval=refresh_interval, store_name=store_name,
                                                                   secret_names=secret_names),
                                        timeout_seconds=timeout_seconds, depends_on=[self.server.resource, *depends_on])
        self.apps = HelmChart(self, APPS_RELEASE, release_name=APPS_RELEASE,
                              source=ChartSource("https://argoproj.github.io/argo-helm", APPS_RELEASE),
                              version=config.apps_version, namespace=NAMESPACE, values=apps_values(config),
                              timeout_seconds=timeout_seconds, depends_on=[self.secrets.resource])


class _ArgoCdRelease(Addon):
    source = ChartSource("https://argoproj.github.io/argo-helm", "argo-cd")
    namespace = NAMESPACE
