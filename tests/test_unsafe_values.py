"""Issue #28: what is wrong or unsafe is refused in one line naming the field, the value and what is
allowed (exit 2, the previous output intact); what weakens production is refused there unless
``accepted_risks`` names the reason, and told at every synth everywhere."""

from __future__ import annotations

import time

import pytest

from officeless.config.loader import load_environment, warnings
from tests.test_config_errors import PRODUCTION, assert_cli_refuses, write_config
from tests.test_refusals import in_project_root, load_error  # noqa: F401 (fixture)

DEV = PRODUCTION.parent / "dev.yaml"
ANCHOR = "# 10-ecr: the applications' images"
S3_BACKEND = ("backend:\n  type: s3\n  bucket: officeless-terraform-state\n  region: us-east-1\n  dynamodb_table: "
              "officeless-terraform-locks\n  use_lockfile: false\n  # 00-state creates the bucket and table (README \"State "
              "bootstrap\")\n  encryption: kms\n  prevent_destroy: true\n  bootstrap_state_in_bucket: false\n  "
              "tls_only_policy: true\n")
CLOUD = "backend:\n  type: cloud\n  organization: officeless\n  aws_account_id: \"123456789012\"\n"
HOST = "allowed: lowercase labels of letters, digits and '-' separated by dots, e.g. argocd.internal.example.com (no scheme, port or path)"


def accepted(field: str) -> str:
    return f"or accepted_risks.{field}: '<the reason the risk is accepted>'"


BAD = [
    # Counts: Kubernetes' 5,000 nodes and 150,000 pods per cluster, EKS's 100 unavailable nodes.
    ("node-group-size", PRODUCTION, "      max_size: 6\n", "      max_size: 1000000000\n",
     "eks.node_groups.worker-nodes.max_size: got 1000000000; input should be less than or equal to 5000"),
    ("node-group-minimum", PRODUCTION, "      min_size: 3\n", "      min_size: 5001\n",
     "eks.node_groups.worker-nodes.min_size: got 5001; input should be less than or equal to 5000"),
    ("max-unavailable", PRODUCTION, "      max_unavailable: 1\n", "      max_unavailable: 101\n",
     "eks.node_groups.worker-nodes.max_unavailable: got 101; input should be less than or equal to 100"),
    ("karpenter-cpu-limit", DEV, "    cpu_limit: 20", "    cpu_limit: 1000000000",
     "karpenter.node_pool.cpu_limit: 1000000000 vCPU is more than 5000 nodes of the pool's largest type (8 vCPU) hold, "
     "and Kubernetes supports at most 5000 nodes per cluster; allowed: 1 to 40000"),
    ("replicas", PRODUCTION, 'replicas: 2}', 'replicas: 1000000000}',
     "helm.aws_load_balancer_controller.replicas: got 1000000000; input should be less than or equal to 150000"),
    ("quota-pods", PRODUCTION, "quota: {cpu: 20, memory: 40Gi}", "quota: {cpu: 20, memory: 40Gi, pods: 150001}",
     "tenancy.tenants[2].quota.pods: got 150001; input should be less than or equal to 150000"),
    # Empty or malformed strings.
    ("empty-duration", DEV, "    cpu_limit: 20\n", "    cpu_limit: 20\n    consolidate_after: ''\n",
     "karpenter.node_pool.consolidate_after: '' is not a duration; expected e.g. 720h, 30m, 1m30s, or Never"),
    ("empty-refresh-interval", DEV, 'secret_prefixes: ["dev/*", "staging/*"]',
     'secret_prefixes: ["dev/*", "staging/*"]\n  refresh_interval: ""',
     "external_secrets.refresh_interval: '' is not a duration; expected e.g. 720h, 30m, 1m30s, or Never"),
    ("label-key-with-a-space", PRODUCTION, "        workload: application", "        work load: application",
     "eks.node_groups.worker-nodes.labels: key 'work load' is not a Kubernetes label key; allowed: an optional DNS "
     "prefix and '/', then 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"),
    ("terraform-cloud-host-with-a-scheme", PRODUCTION, S3_BACKEND, CLOUD + "  hostname: https://app.terraform.io\n",
     f"backend.hostname: 'https://app.terraform.io' is not a DNS host name; {HOST}"),
    ("argocd-host-with-a-space", PRODUCTION, "  applications: [core-business, platform]\n",
     "  applications: [core-business, platform]\n  hostname: argo cd.example.com\n",
     f"argocd.hostname: 'argo cd.example.com' is not a DNS host name; {HOST}"),
    ("argocd-path-escaping", PRODUCTION, "  applications: [core-business, platform]\n",
     "  applications: [core-business, platform]\n  path: ../secrets/{application}\n",
     "argocd.path: '../secrets/{application}' leaves the repository ('..' or a leading '/'); allowed: a relative path "
     "inside it, e.g. {application}/overlays/{environment}"),
    ("ami-any-image", PRODUCTION, "ami_name_pattern: ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
     "ami_name_pattern: '*'",
     "ec2.ami_name_pattern: '*' is not an image family's name pattern; allowed: one '*' at most, in the last "
     "'/'-segment after a literal stem, e.g. ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"),
    ("git-revision-with-a-space", PRODUCTION, "  applications: [core-business, platform]\n",
     "  applications: [core-business, platform]\n  target_revision: 'my branch'\n",
     "argocd.target_revision: 'my branch' is not a Git branch, tag or commit; allowed: letters, digits and ._/- (no "
     "spaces or '..'), e.g. main"),
    ("empty-policy-reason", PRODUCTION, 'description: "Valkey (07-valkey) in the private subnets"', 'description: ""',
     "tenancy.egress[0].description: got ''; string should have at least 1 character"),
    ("slack-channel-with-a-space", PRODUCTION, ANCHOR,
     "observability:\n  alerting: {type: slack, secret_name: production/observability/slack, channel: 'platform alerts'}\n"
     + ANCHOR, "observability.alerting.channel: 'platform alerts' is not a Slack channel name, e.g. #platform-alerts"),
    ("cidr-or-vpc", PRODUCTION, "{cidr: vpc, ports: [6379]", "{cidr: 10.0.0.300/8, ports: [6379]",
     "tenancy.egress[0].cidr: '10.0.0.300/8' is not a valid IPv4 CIDR block (Octet 300 (> 255) not permitted in "
     "'10.0.0.300'); allowed: a CIDR like 203.0.113.0/24, or 'vpc'"),
    # Names the platform owns (more in tests/test_tenant_isolation.py).
    ("tenant-kube-system", PRODUCTION, "    - name: infrastructure\n", "    - name: kube-system\n",
     "tenancy.tenants[2].name: 'kube-system' is a namespace Kubernetes or the platform runs; allowed: any other name "
     "(not default, kube-system, kube-public, kube-node-lease, monitoring, argocd, external-secrets)"),
    # Credentials in config.
    ("repository-with-a-token", PRODUCTION, "repository: https://github.com/", "repository: https://ci-bot:ghp_abc123@github.com/",
     "argocd.repository: 'https://***@github.com/officeless/helm-charts.git' carries credentials in the URL (they would "
     "land in the JSON and the state); allowed: the URL without them, and the credentials in Secrets Manager "
     "(argocd.repository_secret)"),
    ("ssh-repository-with-a-password", PRODUCTION, "repository: https://github.com/officeless/helm-charts.git",
     "repository: ssh://git:hunter2@github.com/officeless/helm-charts.git",
     "argocd.repository: 'ssh://***@github.com/officeless/helm-charts.git' carries credentials in the URL (they would "
     "land in the JSON and the state); allowed: the URL without them, and the credentials in Secrets Manager "
     "(argocd.repository_secret)"),
    # Crossing environments.
    ("production-reads-dev", PRODUCTION, "\nargocd:\n", "\nexternal_secrets:\n  secret_prefixes: [production/*, dev/*]\nargocd:\n",
     "external_secrets.secret_prefixes[1]: 'dev/*' lies in environment 'dev', which this cluster does not host; "
     "allowed: prefixes under production/ (this environment and argocd.environments)"),
    # Weakening production without a word.
    ("public-endpoint", PRODUCTION, "  endpoint_public_access: false", "  endpoint_public_access: true",
     "eks.endpoint_public_access: true (from 0.0.0.0/0) weakens production: the cluster's API answers on the internet; "
     f"allowed: false (reach it over the VPN), {accepted('eks.endpoint_public_access')}"),
    ("secrets-encryption-off", PRODUCTION, "  secrets_encryption: true", "  secrets_encryption: false",
     "eks.secrets_encryption: false weakens production: Kubernetes Secrets are stored without envelope encryption by "
     f"the cluster's KMS key; allowed: true, {accepted('eks.secrets_encryption')}"),
    ("network-policy-off", PRODUCTION, "  secrets_encryption: true", "  secrets_encryption: true\n  network_policy: false",
     "eks.network_policy: false weakens production: NetworkPolicies are not enforced: every tenant's default-deny does "
     f"nothing; allowed: true, {accepted('eks.network_policy')}"),
    ("control-plane-logs-empty", PRODUCTION, "  log_types: [api, audit, authenticator, controllerManager, scheduler]",
     "  log_types: []",
     "eks.log_types: [] (without api, audit, authenticator) weakens production: the control plane's API, audit or "
     "authenticator log is off: who did what is lost; allowed: all of api, audit, authenticator (the deployment guide "
     f"enables all five), {accepted('eks.log_types')}"),
    ("flow-logs-off", PRODUCTION, "  flow_logs:\n    enabled: true", "  flow_logs:\n    enabled: false",
     "vpc.flow_logs.enabled: false weakens production: no VPC flow logs: no record of traffic; allowed: true, "
     f"{accepted('vpc.flow_logs.enabled')}"),
    ("tls-only-state-off", PRODUCTION, "  tls_only_policy: true", "  tls_only_policy: false",
     "backend.tls_only_policy: false weakens production: the state bucket accepts requests without TLS; allowed: true, "
     f"{accepted('backend.tls_only_policy')}"),
    ("state-readers-unrestricted", PRODUCTION, "  tls_only_policy: true", "  tls_only_policy: true\n  restrict_state_readers: false",
     "backend.restrict_state_readers: false weakens production: any principal with S3 read access reads the state "
     f"(secrets in it); allowed: true, {accepted('backend.restrict_state_readers')}"),
    ("tls-1-0-policy", PRODUCTION, ANCHOR, f"ingress:\n  public: {{ssl_policy: ELBSecurityPolicy-2016-08}}\n{ANCHOR}",
     "ingress.public.ssl_policy: 'ELBSecurityPolicy-2016-08' weakens production: the public ALB accepts TLS 1.0 or 1.1; "
     f"allowed: a TLS 1.2+ policy, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06, {accepted('ingress.public.ssl_policy')}"),
    ("tls-1-1-policy", PRODUCTION, ANCHOR, f"ingress:\n  internal: {{ssl_policy: ELBSecurityPolicy-TLS13-1-1-2021-06}}\n{ANCHOR}",
     "ingress.internal.ssl_policy: 'ELBSecurityPolicy-TLS13-1-1-2021-06' weakens production: the internal ALB accepts "
     f"TLS 1.0 or 1.1; allowed: a TLS 1.2+ policy, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06, "
     f"{accepted('ingress.internal.ssl_policy')}"),
    ("accepting-what-is-safe", PRODUCTION, ANCHOR, f"accepted_risks:\n  eks.secrets_encryption: because\n{ANCHOR}",
     "accepted_risks.eks.secrets_encryption: nothing to accept: eks.secrets_encryption is safe; allowed: remove the entry"),
    ("accepting-an-unknown-risk", PRODUCTION, ANCHOR, f"accepted_risks:\n  eks.whatever: because\n{ANCHOR}",
     "accepted_risks: key 'eks.whatever' is not a setting accepted_risks can accept; allowed: eks.endpoint_public_access, "
     "eks.secrets_encryption, eks.network_policy, eks.log_types, vpc.flow_logs.enabled, backend.tls_only_policy, "
     "backend.restrict_state_readers, ingress.public.ssl_policy, ingress.internal.ssl_policy"),
    ("accepting-without-a-reason", PRODUCTION, ANCHOR, f"accepted_risks:\n  eks.secrets_encryption: ''\n{ANCHOR}",
     "accepted_risks.eks.secrets_encryption: got ''; string should have at least 1 character"),
    # Impossible or wasteful shapes.
    ("backup-on-31-february", PRODUCTION, ANCHOR, f"backup:\n  schedule: cron(0 5 31 2 ? *)\n{ANCHOR}",
     "backup.schedule: 'cron(0 5 31 2 ? *)' never runs: day-of-month '31' is past the last day of every month it names "
     "('2'); give days that exist, or L for the last day; e.g. cron(0 5 ? * * *) for daily at 05:00 UTC"),
    ("backup-on-31-april-and-june", PRODUCTION, ANCHOR, f"backup:\n  schedule: cron(0 5 31 APR,JUN ? *)\n{ANCHOR}",
     "backup.schedule: 'cron(0 5 31 APR,JUN ? *)' never runs: day-of-month '31' is past the last day of every month it "
     "names ('APR,JUN'); give days that exist, or L for the last day; e.g. cron(0 5 ? * * *) for daily at 05:00 UTC"),
    ("one-availability-zone", DEV,
     "    - {name: dev-private-subnet-1b, cidr: 10.0.48.0/20, availability_zone: us-east-1b}\n"
     "    - {name: dev-private-subnet-1c, cidr: 10.0.64.0/20, availability_zone: us-east-1c}\n", "",
     "vpc.private_subnets: 1 subnet(s) in us-east-1a only; allowed: subnets in at least two availability zones (EKS "
     "and a Multi-AZ Valkey need them)"),
    ("subnets-too-small", PRODUCTION, "    - {name: private-subnet-1a, cidr: 10.1.32.0/20,",
     "    - {name: private-subnet-1a, cidr: 10.1.32.0/26,",
     "vpc.private_subnets[0].cidr: '10.1.32.0/26' has 59 usable addresses; the nodes and pods config allows in one zone "
     "need up to 129 (node groups' max_size, Karpenter's cpu_limit, one address per pod); allowed: a larger subnet, or "
     "fewer nodes"),
    # Messages that mislead: named at the field that is wrong, not at a chart's sizes.
    ("no-node-for-the-rest", DEV, "karpenter:\n  enabled: true", "karpenter:\n  enabled: false",
     "eks.node_groups: every group (system) is tainted CriticalAddonsOnly, and karpenter.enabled is false: no node runs "
     "the applications nor the platform's other pods; allowed: an untainted node group, or karpenter.enabled: true"),
]


@pytest.mark.parametrize("case,source,old,new,message", BAD, ids=[b[0] for b in BAD])
def test_refused_in_one_line(tmp_path, in_project_root, case, source, old, new, message):  # noqa: F811
    directory = write_config(tmp_path / "config", old, new, source)
    assert load_error(directory, source.stem) == f"config/{source.name}: {message}"


@pytest.mark.parametrize("case", ["karpenter-cpu-limit", "public-endpoint", "backup-on-31-february"])
def test_the_cli_refuses_and_keeps_the_previous_output(tmp_path, case):
    (source, old, new, message), = [b[1:] for b in BAD if b[0] == case]
    directory = write_config(tmp_path / "config", old, new, source)
    assert_cli_refuses(tmp_path, directory, f"error: config/{source.name}: {message}", source.stem)


def test_an_accepted_risk_synthesizes_and_is_told_at_every_synth(tmp_path, in_project_root):  # noqa: F811
    directory = write_config(tmp_path / "config", "  endpoint_public_access: false",
                             "  endpoint_public_access: true\n  public_access_cidrs: [203.0.113.0/24]")
    text = (directory / "production.yaml").read_text().replace(
        ANCHOR, "accepted_risks:\n  eks.endpoint_public_access: the vendor's support reaches the API from 203.0.113.0/24\n"
                + ANCHOR, 1)
    (directory / "production.yaml").write_text(text)
    config = load_environment("production", directory)
    assert config.eks.public_access_cidrs == ["203.0.113.0/24"]
    told = [w.split(": ", 1)[1] for w in warnings(config, directory) if "eks.endpoint_public_access" in w]
    assert told == ["eks.endpoint_public_access: true (from 203.0.113.0/24): the cluster's API answers on the internet "
                    "(accepted risk: the vendor's support reaches the API from 203.0.113.0/24)"]


def test_other_environments_are_told_not_refused(tmp_path, in_project_root):  # noqa: F811
    directory = write_config(tmp_path / "config", "  secrets_encryption: true", "  secrets_encryption: false", DEV)
    told = [w.split(": ", 1)[1] for w in warnings(load_environment("dev", directory), directory) if "secrets_encryption" in w]
    assert told == ["eks.secrets_encryption: false: Kubernetes Secrets are stored without envelope encryption by the "
                    "cluster's KMS key"]


def test_the_shipped_environments_weaken_nothing_but_the_emulators_state_bucket(in_project_root):  # noqa: F811
    from officeless.config import risks

    assert risks.found(load_environment("production")) == [] and risks.found(load_environment("dev")) == []
    # moto ignores policy conditions, so the rehearsal's bucket has neither (config/local.yaml): told.
    assert [w.key for w, _ in risks.found(load_environment("local"))] == ["backend.tls_only_policy",
                                                                           "backend.restrict_state_readers"]


def test_an_addon_pin_newer_than_the_table_is_told(tmp_path, in_project_root):  # noqa: F811
    directory = write_config(tmp_path / "config", "    vpc-cni: v1.19.5-eksbuild.1", "    vpc-cni: v1.91.5-eksbuild.1")
    told = [w.split(": ", 1)[1] for w in warnings(load_environment("production", directory), directory) if "vpc-cni" in w]
    assert told == ["eks.addons.vpc-cni: 'v1.91.5-eksbuild.1' is newer than any version officeless/config/versions.py "
                    "knows on 1.33 (v1.22.3-eksbuild.1); check that EKS offers it: aws eks describe-addon-versions "
                    "--kubernetes-version 1.33 --addon-name vpc-cni"]


def test_argo_cd_needs_tenants(tmp_path, in_project_root):  # noqa: F811
    import yaml

    data = yaml.safe_load(PRODUCTION.read_text())
    data["tenancy"]["tenants"] = []
    data["helm"]["secrets_reader_service_accounts"] = []
    (tmp_path / "production.yaml").write_text(yaml.safe_dump(data))
    assert load_error(tmp_path) == (
        "config/production.yaml: argocd.environments[0].namespace: 'core-business-prod' (application core-business) is "
        "not a tenant namespace; allowed: none: tenancy.tenants is empty, list the namespaces Argo CD deploys into there")


# --- the capacity check costs what the pods cost, not what the node counts allow ---------------

def test_maximal_counts_cost_the_capacity_check_nothing_more(tmp_path, in_project_root):  # noqa: F811
    """Production with as many nodes as /18 private subnets hold, dev with as much Karpenter CPU as
    its /20 subnets hold: the capacity check stays well under a second (the synth budget is 5 s)."""
    from components.addons.catalog import check_capacity

    big = write_config(tmp_path / "production", "      min_size: 3\n      desired_size: 3\n      max_size: 6\n",
                       "      min_size: 800\n      desired_size: 800\n      max_size: 800\n")
    text = (big / "production.yaml").read_text()
    # The public subnets in 10.1.0.0/18, the private ones a /18 each (16,379 addresses: 800 nodes of
    # up to 58 pods over three zones need 15,753 of them).
    for old, new in (("cidr: 10.1.80.0/20,", "cidr: 10.1.32.0/20,"), ("cidr: 10.1.32.0/20, availability_zone: us-east-1a}\n    - {name: private",
                                                                     "cidr: 10.1.64.0/18, availability_zone: us-east-1a}\n    - {name: private"),
                     ("cidr: 10.1.48.0/20,", "cidr: 10.1.128.0/18,"), ("cidr: 10.1.64.0/20,", "cidr: 10.1.192.0/18,")):
        assert old in text
        text = text.replace(old, new, 1)
    (big / "production.yaml").write_text(text)
    production = load_environment("production", big)
    dev = load_environment("dev", write_config(tmp_path / "dev", "    cpu_limit: 20", "    cpu_limit: 600", DEV))
    for config, nodes in ((production, 800), (dev, None)):
        start = time.perf_counter()
        usage = check_capacity(config)
        assert time.perf_counter() - start < 1.0
        if nodes:
            assert usage["worker-nodes"]["nodes"] == nodes


def test_too_many_replicas_are_told_at_the_replicas_field(tmp_path, in_project_root):  # noqa: F811
    """Not at helm.sizes.<chart> (the requests), which the user did not set."""
    from officeless.capacity import CapacityError
    from components.addons.catalog import check_capacity

    directory = write_config(tmp_path / "config", 'replicas: 2}', 'replicas: 100}')
    with pytest.raises(CapacityError) as info:
        check_capacity(load_environment("production", directory))
    assert info.value.field == "helm.aws_load_balancer_controller.replicas"
    assert info.value.message.startswith("aws-load-balancer-controller: replica ")
