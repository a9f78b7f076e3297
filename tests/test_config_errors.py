"""Bad config: one line naming file, field, value and what is allowed; non-zero exit; output intact."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from officeless.config.loader import load_environment
from officeless.errors import ConfigError

PRODUCTION = Path(__file__).resolve().parents[1] / "config" / "production.yaml"
F = "config/production.yaml"
# The line after "  cidr: 10.1.0.0/16" (the VPC CIDR), where the YAML cases insert a line.
VPC_CIDR_NEXT_LINE = PRODUCTION.read_text().splitlines().index("  cidr: 10.1.0.0/16") + 2
ENVIRONMENTS = "azure, dev, gcp, local, onprem, production"

# (case id, text to replace in production.yaml, replacement, expected error line)
CASES = [
    (
        "malformed-cidr",
        "cidr: 10.1.0.0/16",
        "cidr: 10.1.0.0/33",
        f"{F}: vpc.cidr: '10.1.0.0/33' is not a valid IPv4 CIDR block ('33' is not a valid netmask); "
        "expected network/prefix with host bits zero, e.g. 10.1.0.0/16",
    ),
    (
        "cidr-host-bits",
        "cidr: 10.1.0.0/16",
        "cidr: 10.1.0.1/16",
        f"{F}: vpc.cidr: '10.1.0.1/16' is not a valid IPv4 CIDR block (10.1.0.1/16 has host bits set); "
        "expected network/prefix with host bits zero, e.g. 10.1.0.0/16",
    ),
    (
        "overlap",
        "cidr: 10.1.48.0/20",
        "cidr: 10.1.40.0/21",
        f"{F}: vpc.private_subnets[1].cidr: '10.1.40.0/21' overlaps private_subnets[0] (10.1.32.0/20); subnets must not overlap",
    ),
    (
        "outside-vpc",
        "cidr: 10.1.64.0/20",
        "cidr: 10.2.64.0/20",
        f"{F}: vpc.private_subnets[2].cidr: '10.2.64.0/20' lies outside the VPC 10.1.0.0/16; every subnet must be inside vpc.cidr",
    ),
    (
        "unknown-key",
        "  enable_dns_hostnames: true\n",
        "  enable_dns_hostnames: true\n  enable_ipv6: true\n",
        f"{F}: vpc.enable_ipv6: unknown key; allowed keys here: name, cidr, enable_dns_support, enable_dns_hostnames, "
        "public_subnets, private_subnets, nat_gateway_subnet, flow_logs, restrict_default_security_group, endpoints",
    ),
    (
        "unknown-key-in-list-item",
        "{name: private-subnet-1b, cidr: 10.1.48.0/20,",
        "{name: private-subnet-1b, zone: x, cidr: 10.1.48.0/20,",
        f"{F}: vpc.private_subnets[1].zone: unknown key; allowed keys here: name, cidr, availability_zone",
    ),
    (
        "unknown-key-in-backend",
        "  use_lockfile: false\n",
        "  use_lockfile: false\n  profile: admin\n",
        f"{F}: backend.profile: unknown key; allowed keys here: type, bucket, region, dynamodb_table, use_lockfile, "
        "encryption, prevent_destroy, tls_only_policy, restrict_state_readers, state_readers, bootstrap_state_in_bucket",
    ),
    (
        "yaml-syntax",
        "  cidr: 10.1.0.0/16\n",
        "  cidr: 10.1.0.0/16\n    oops: [\n",
        f"{F}: line {VPC_CIDR_NEXT_LINE}, column 9: YAML syntax error: mapping values are not allowed here",
    ),
    (
        "duplicate-yaml-key",
        "  cidr: 10.1.0.0/16\n",
        "  cidr: 10.1.0.0/16\n  cidr: 10.9.0.0/16\n",
        f"{F}: line {VPC_CIDR_NEXT_LINE}, column 3: YAML syntax error: duplicate key 'cidr'",
    ),
    (
        "az-outside-region",
        "availability_zone: us-east-1c}\n  private",
        "availability_zone: eu-west-1c}\n  private",
        f"{F}: vpc.public_subnets[2].availability_zone: 'eu-west-1c' is not an availability zone of region us-east-1; "
        "allowed: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f",
    ),
    (
        "two-public-subnets-one-az",
        "cidr: 10.1.16.0/20, availability_zone: us-east-1b",
        "cidr: 10.1.16.0/20, availability_zone: us-east-1a",
        f"{F}: vpc.public_subnets[1].availability_zone: 'us-east-1a' already has public_subnets[0]; "
        "allowed: one public and one private subnet per AZ",
    ),
    (
        "private-subnet-without-public-peer",
        "{name: private-subnet-1c, cidr: 10.1.64.0/20, availability_zone: us-east-1c}",
        "{name: private-subnet-1c, cidr: 10.1.64.0/20, availability_zone: us-east-1d}",
        f"{F}: vpc.private_subnets[2].availability_zone: 'us-east-1d' has no public subnet; allowed: one public and one "
        "private subnet per AZ (us-east-1a, us-east-1b, us-east-1c)",
    ),
    (
        "tag-not-a-string",
        "managed-by: cdktf",
        "managed-by: 1",
        f"{F}: tags.managed-by: got 1; input should be a valid string",
    ),
    (
        "nat-in-private-subnet",
        "nat_gateway_subnet: public-subnet-1a",
        "nat_gateway_subnet: private-subnet-1a",
        f"{F}: vpc.nat_gateway_subnet: 'private-subnet-1a' is not a public subnet; allowed: public-subnet-1a, public-subnet-1b, public-subnet-1c",
    ),
    (
        "no-state-lock",
        "  dynamodb_table: officeless-terraform-locks\n",
        "",
        f"{F}: backend.dynamodb_table: no state locking configured; set dynamodb_table, use_lockfile: true, or both",
    ),
    (
        "bad-retention",
        "retention_days: 365",
        "retention_days: 10",
        f"{F}: vpc.flow_logs.retention_days: 10 is not a CloudWatch Logs retention period; allowed: "
        "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
    ),
    (
        "missing-setting",
        "region: us-east-1\n\n",
        "\n",
        f"{F}: region: required setting is missing",
    ),
    (
        "node-group-min-above-desired",
        "min_size: 3",
        "min_size: 4",
        f"{F}: eks.node_groups.worker-nodes.desired_size: 3 is below min_size 4; allowed: min_size <= desired_size <= max_size",
    ),
    (
        "node-group-desired-above-max",
        "desired_size: 3",
        "desired_size: 7",
        f"{F}: eks.node_groups.worker-nodes.desired_size: 7 is above max_size 6; allowed: min_size <= desired_size <= max_size",
    ),
    (
        "unknown-ami-type",
        "ami_type: BOTTLEROCKET_x86_64",
        "ami_type: UBUNTU_22",
        f"{F}: eks.node_groups.worker-nodes.ami_type: 'UBUNTU_22' is not an EKS AMI type; allowed: AL2023_x86_64_STANDARD, "
        "AL2023_ARM_64_STANDARD, AL2023_x86_64_NVIDIA, AL2023_x86_64_NEURON, BOTTLEROCKET_x86_64, BOTTLEROCKET_ARM_64, "
        "BOTTLEROCKET_x86_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA",
    ),
    (
        "malformed-kubernetes-version",
        'kubernetes_version: "1.33"',
        'kubernetes_version: "1.33.2"',
        f"{F}: eks.kubernetes_version: '1.33.2' is not a Kubernetes minor version of the version table "
        "(officeless/config/versions.py); allowed: 1.33, 1.34, 1.35, 1.36",
    ),
    (
        # The whole value must match: a trailing newline is not the version.
        "kubernetes-version-with-newline",
        'kubernetes_version: "1.33"',
        'kubernetes_version: "1.33\\n"',
        f"{F}: eks.kubernetes_version: '1.33\\n' is not a Kubernetes minor version of the version table "
        "(officeless/config/versions.py); allowed: 1.33, 1.34, 1.35, 1.36",
    ),
    (
        "kubernetes-version-eks-does-not-offer",
        'kubernetes_version: "1.33"',
        'kubernetes_version: "1.28"',
        f"{F}: eks.kubernetes_version: '1.28' is not a Kubernetes minor version of the version table "
        "(officeless/config/versions.py); allowed: 1.33, 1.34, 1.35, 1.36",
    ),
    (
        # issue #12: kube-proxy is built per minor
        "kube-proxy-of-another-minor",
        "kube-proxy: v1.33.0-eksbuild.2",
        "kube-proxy: v1.32.3-eksbuild.7",
        f"{F}: eks.addons.kube-proxy: 'v1.32.3-eksbuild.7' does not fit Kubernetes 1.33: kube-proxy is built per "
        "Kubernetes minor; allowed on 1.33: v1.33.x-eksbuild.N, e.g. v1.33.10-eksbuild.2",
    ),
    (
        "coredns-outside-its-range",
        "coredns: v1.12.1-eksbuild.2",
        "coredns: v1.11.4-eksbuild.24",
        f"{F}: eks.addons.coredns: 'v1.11.4-eksbuild.24' does not fit Kubernetes 1.33: CoreDNS 1.11 is not offered on "
        "1.33; allowed on 1.33: v1.12.x, v1.13.x, e.g. v1.13.2-eksbuild.4",
    ),
    (
        "vpc-cni-older-than-known",
        "vpc-cni: v1.19.5-eksbuild.1",
        "vpc-cni: v1.18.3-eksbuild.1",
        f"{F}: eks.addons.vpc-cni: 'v1.18.3-eksbuild.1' does not fit Kubernetes 1.33: older than the oldest version "
        "known to run on 1.33; allowed: v1.19.5-eksbuild.1 or newer (default v1.22.3-eksbuild.1)",
    ),
    (
        # 1.33 left standard support on 2026-07-29; the tests judge on 2026-11-23.
        "standard-support-past-its-end",
        "  endpoint_private_access: true\n",
        "  endpoint_private_access: true\n  support_type: STANDARD\n",
        f"{F}: eks.support_type: 'STANDARD' for Kubernetes 1.33, which left standard support on 2026-07-29: EKS would "
        "upgrade the cluster at once; allowed: EXTENDED, or a kubernetes_version in standard support (1.34, 1.35, 1.36)",
    ),
    (
        "nodes-two-minors-behind",
        "      max_unavailable: 1\n",
        '      max_unavailable: 1\n      kubernetes_version: "1.31"\n',
        f"{F}: eks.node_groups.worker-nodes.kubernetes_version: '1.31' with the control plane on 1.33; allowed: 1.32 (during an "
        "upgrade) or 1.33, or unset (the cluster's)",
    ),
    (
        "cluster-autoscaler-image-of-another-minor",
        'cluster_autoscaler: {version: "9.45.0"}',
        'cluster_autoscaler: {version: "9.45.0", image_tag: v1.32.0}',
        f"{F}: helm.cluster_autoscaler.image_tag: 'v1.32.0' on Kubernetes 1.33: cluster-autoscaler's minor must equal "
        "the cluster's (1.33); allowed: v1.33.x, e.g. v1.33.5",
    ),
    (
        "kubectl-two-minors-away",
        "kubectl_series: v1.33",
        "kubectl_series: v1.31",
        f"{F}: ec2.software.kubectl_series: 'v1.31' with the cluster on 1.33; kubectl is supported within one minor "
        "of the API server; allowed: v1.32, v1.33, v1.34",
    ),
    (
        "unquoted-kubernetes-version",
        'kubernetes_version: "1.33"',
        "kubernetes_version: 1.30",
        f'{F}: eks.kubernetes_version: 1.3 was read as a number; quote the version, e.g. "1.33"',
    ),
    (
        "malformed-addon-version",
        "coredns: v1.12.1-eksbuild.2",
        "coredns: 1.12.1",
        f"{F}: eks.addons.coredns: '1.12.1' is not an EKS addon version; expected vX.Y.Z-eksbuild.N, e.g. v1.3.5-eksbuild.2",
    ),
    (
        "empty-instance-types",
        "instance_types: [t3.xlarge, m6i.large]",
        "instance_types: []",
        f"{F}: eks.node_groups.worker-nodes.instance_types: got []; at least 1 item(s) required",
    ),
    (
        # issue #14: an ARN where a role name is expected
        "admin-role-given-as-an-arn",
        "admin_role_names: []",
        "admin_role_names: [arn:aws:iam::123456789012:role/platform-admin]",
        f"{F}: eks.admin_role_names[0]: 'arn:aws:iam::123456789012:role/platform-admin' is an ARN; give the role's name, "
        "e.g. 'platform-admin'",
    ),
    (
        "invalid-bucket-prefix",
        "bucket_prefix: officeless-production",
        "bucket_prefix: Officeless_Production",
        f"{F}: s3.bucket_prefix: 'Officeless_Production' is not a bucket name prefix; allowed: up to 50 lowercase letters, "
        "digits and '-', starting and ending with a letter or digit (S3 bucket naming rules)",
    ),
    (
        "bucket-name-too-long",
        "application_buckets: []",
        "application_buckets: [customer-uploads-and-exports-long-term-archive]",
        f"{F}: s3.application_buckets[0]: 'customer-uploads-and-exports-long-term-archive' makes the bucket name "
        "'officeless-production-customer-uploads-and-exports-long-term-archive', which breaks S3 naming rules; allowed: 3-63 "
        "lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
    ),
    (
        "duplicate-bucket-purpose",
        "application_buckets: []",
        "application_buckets: [loki-chunks]",
        f"{F}: s3.application_buckets[0]: 'loki-chunks' duplicates observability_buckets[3]; every bucket purpose must be unique",
    ),
    (
        "unknown-valkey-engine-version",
        'engine_version: "8.0"',
        'engine_version: "6.2"',
        f"{F}: valkey.engine_version: '6.2' is not a Valkey engine version ElastiCache offers; allowed: 7.2, 8.0, 8.1",
    ),
    (
        "valkey-failover-with-one-node",
        "num_cache_clusters: 2",
        "num_cache_clusters: 1",
        f"{F}: valkey.num_cache_clusters: 1 node(s) with automatic_failover on; allowed: at least 2 (a primary and a replica)",
    ),
    (
        "port-rule-malformed-cidr",
        "    jenkins_agent: [vpc]",
        "    jenkins_agent: [10.1.0.0/8]",
        f"{F}: ec2.ingress.jenkins_agent[0]: '10.1.0.0/8' is not a valid IPv4 CIDR block (10.1.0.0/8 has host bits set); "
        "allowed: a CIDR like 203.0.113.0/24, or 'vpc'",
    ),
    (
        "public-ssh-without-acknowledgement",
        "    ssh: [vpc]",
        "    ssh: [10.20.0.0/16, 0.0.0.0/0]",
        f"{F}: ec2.ingress.ssh[1]: '0.0.0.0/0' opens SSH to the internet, never allowed in production; allowed: vpc or "
        "private CIDRs such as the VPN client network (SSM Session Manager from outside)",
    ),
    (
        "volume-below-8-gb",
        "data_volume_gb: 20",
        "data_volume_gb: 4",
        f"{F}: ec2.data_volume_gb: 4 GB is too small; allowed: at least 8 GB",
    ),
    (
        "vpn-in-private-subnet",
        "  subnet: public-subnet-1a",
        "  subnet: private-subnet-1a",
        f"{F}: ec2.subnet: 'private-subnet-1a' is not a public subnet; allowed: public-subnet-1a, public-subnet-1b, public-subnet-1c",
    ),
    (
        "unpinned-chart-version",
        'cluster_autoscaler: {version: "9.45.0"}',
        'cluster_autoscaler: {version: "latest"}',
        f"{F}: helm.cluster_autoscaler.version: 'latest' is not a pinned chart version; allowed: an exact "
        "MAJOR.MINOR.PATCH such as 1.12.0 (no ranges, 'latest' or v-prefix)",
    ),
    (
        "chart-version-range",
        'loki: {enabled: true, version: "6.30.1"}',
        'loki: {enabled: true, version: "^6.30"}',
        f"{F}: helm.loki.version: '^6.30' is not a pinned chart version; allowed: an exact MAJOR.MINOR.PATCH such "
        "as 1.12.0 (no ranges, 'latest' or v-prefix)",
    ),
    (
        # tempo-distributed's UPGRADE.md, "v2.x -> v3.0": the write path goes through Kafka from 3.0.
        "tempo-3-needs-kafka",
        'tempo: {enabled: true, version: "1.42.0"}',
        'tempo: {enabled: true, version: "3.3.0"}',
        f"{F}: helm.tempo.version: '3.3.0': tempo-distributed 3.x writes through a Kafka-compatible broker, which "
        "this platform does not run; allowed: a release before 3.0.0, e.g. 2.26.2 (the last 2.x, Tempo 2.10)",
    ),
    (
        "chart-version-read-as-number",
        'metrics_server: {version: "3.12.2"}',
        "metrics_server: {version: 3.12}",
        f'{F}: helm.metrics_server.version: 3.12 was read as a number; pin an exact chart version as a string, e.g. "1.12.0"',
    ),
    (
        "observability-without-its-bucket",
        "observability_buckets: [mimir-metrics, mimir-alertmanager, mimir-ruler, loki-chunks, loki-ruler, tempo-traces]",
        "observability_buckets: [mimir-metrics, mimir-alertmanager, mimir-ruler, loki-chunks, tempo-traces]",
        f"{F}: helm.loki.enabled: true needs the bucket 'loki-ruler', which 03-s3 does not create; add it to "
        "s3.observability_buckets or set helm.loki.enabled: false",
    ),
    (
        # issue #13: sizes name only what the profile deploys
        "size-of-an-unknown-release",
        "  timeout_seconds: 900\n",
        "  timeout_seconds: 900\n  sizes:\n    ingress-nginx:\n      controller: {replicas: 2}\n",
        f"{F}: helm.sizes.ingress-nginx: unknown release for profile 'standard'; allowed: aws-load-balancer-controller, "
        "cluster-autoscaler, aws-efs-csi-driver, secrets-store-csi-driver, secrets-store-csi-driver-provider-aws, "
        "karpenter, external-secrets, argo-cd, metrics-server, alloy, alloy-singleton, kube-state-metrics, prometheus-node-exporter, grafana, mimir, loki, tempo",
    ),
    (
        "size-of-an-unknown-container",
        "  timeout_seconds: 900\n",
        "  timeout_seconds: 900\n  sizes:\n    mimir:\n      ingester:\n        containers:\n          sidecar: {cpu: 10m}\n",
        f"{F}: helm.sizes.mimir.ingester.containers.sidecar: unknown container; allowed: ingester",
    ),
    (
        "memory-limit-below-request",
        "  timeout_seconds: 900\n",
        "  timeout_seconds: 900\n  sizes:\n    mimir:\n      ingester:\n        containers:\n          ingester: {memory: 2Gi}\n",
        f"{F}: helm.sizes.mimir.ingester.containers.ingester.memory_limit: 1024Mi is below the memory request 2048Mi; "
        "allowed: at least the request",
    ),
    (
        "cpu-quantity-malformed",
        "  timeout_seconds: 900\n",
        "  timeout_seconds: 900\n  sizes:\n    mimir:\n      ingester:\n        containers:\n          ingester: {cpu: 100x}\n",
        f"{F}: helm.sizes.mimir.ingester.containers.ingester.cpu: '100x' is not a CPU quantity; expected millicores "
        "like '250m' or cores like '0.5'",
    ),
    (
        "replicas-of-a-daemonset",
        "  timeout_seconds: 900\n",
        "  timeout_seconds: 900\n  sizes:\n    alloy:\n      agent: {replicas: 3}\n",
        f"{F}: helm.sizes.alloy.agent.replicas: this component's replicas are not sized here (a DaemonSet, or a setting of its own)",
    ),
    (
        "instance-type-without-known-capacity",
        "instance_types: [t3.xlarge, m6i.large]",
        "instance_types: [t3.xlarge, x9.huge]",
        f"{F}: eks.node_groups.worker-nodes.instance_types[1]: 'x9.huge' is not an instance type of officeless/config/instances.py (the "
        "capacity check needs its size and pod limit); allowed: one of its 28 types, of the families t3, t3a, t2, m5, m6i, "
        "c5, m7g, t4g, e.g. m6i.large; add a type there with its sources",
    ),
    (
        "alert-receiver-without-its-secret",
        "helm:\n",
        "observability:\n  alerting: {type: slack, channel: '#alerts'}\n\nhelm:\n",
        f"{F}: observability.alerting.secret_name: required with type 'slack': the Secrets Manager secret holding its credential",
    ),
    (
        "alert-receiver-secret-of-another-environment",
        "helm:\n",
        "observability:\n  alerting: {type: pagerduty, secret_name: dev/alerting/pagerduty}\n\nhelm:\n",
        f"{F}: observability.alerting.secret_name: 'dev/alerting/pagerduty' lies outside this environment's secrets; "
        "allowed: a name under 'production/'",
    ),
    (
        # issue #14: tenancy
        "tenant-namespace-not-a-dns-label",
        "    - name: platform-prod\n",
        "    - name: Platform_Prod\n",
        f"{F}: tenancy.tenants[1].name: 'Platform_Prod' is not a valid name; allowed: 1-63 lowercase letters, digits and "
        "'-', starting and ending with a letter or digit",
    ),
    (
        "duplicate-tenant",
        "    - name: platform-prod\n",
        "    - name: core-business-prod\n",
        f"{F}: tenancy.tenants[1].name: 'core-business-prod' duplicates tenants[0]; every tenant namespace is listed once",
    ),
    (
        "quota-below-one-pod-of-defaults",
        "      quota: {cpu: 30, memory: 60Gi}\n",
        "      quota: {cpu: 400m, memory: 60Gi}\n",
        f"{F}: tenancy.tenants[1].quota: 400m CPU / 61440Mi cannot hold one pod with the container defaults (limits "
        "500m / 1024Mi); allowed: at least the defaults' limits",
    ),
    (
        "policy-names-an-unknown-namespace",
        "        - {namespace: platform-prod, ports: [8000, 9000]}\n",
        "        - {namespace: payments-prod, ports: [8000, 9000]}\n",
        f"{F}: tenancy.tenants[0].ingress_from[1].namespace: 'payments-prod' is not a tenant namespace; allowed: "
        "core-business-prod, platform-prod, infrastructure, kube-system, monitoring",
    ),
    (
        "team-in-an-unknown-namespace",
        "  teams: []\n",
        "  teams:\n    - {role_name: core-team, namespaces: {core-business-dev: edit}}\n",
        f"{F}: access.teams[0].namespaces.core-business-dev: not a tenant namespace; allowed: core-business-prod, "
        "platform-prod, infrastructure",
    ),
    (
        "team-role-given-as-an-arn",
        "  teams: []\n",
        "  teams:\n    - {role_name: 'arn:aws:iam::123456789012:role/core-team', namespaces: {platform-prod: view}}\n",
        f"{F}: access.teams[0].role_name: 'arn:aws:iam::123456789012:role/core-team' is an ARN; give the role's name, "
        "e.g. 'core-team'",
    ),
    (
        "environment-mismatch",
        "environment: production",
        "environment: dev",
        f"{F}: environment: 'dev' does not match the file name; expected 'production'",
    ),
]


def write_config(directory: Path, old: str, new: str, source: Path = PRODUCTION) -> Path:
    """``directory``/<source's name>: ``source`` (default production.yaml) with ``old`` replaced once."""
    text = source.read_text()
    assert old in text, f"test setup: {old!r} not in {source.name}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / source.name).write_text(text.replace(old, new, 1))
    return directory


@pytest.fixture
def in_project_root(monkeypatch):
    # Messages name files relative to the working directory, as a user runs from the root.
    monkeypatch.chdir(PRODUCTION.parents[1])


@pytest.mark.parametrize("case,old,new,message", CASES, ids=[c[0] for c in CASES])
def test_bad_config_message(tmp_path, in_project_root, case, old, new, message):
    directory = write_config(tmp_path / "config", old, new)
    with pytest.raises(ConfigError) as info:
        load_environment("production", directory)
    # The file is shown relative to the cwd when it lies below it, else absolute.
    assert str(info.value).replace(str(directory) + "/", "config/") == message
    assert "\n" not in str(info.value)


def test_unknown_environment(in_project_root):
    with pytest.raises(ConfigError) as info:
        load_environment("staging")
    assert str(info.value) == f"OFFICELESS_ENV: unknown environment 'staging'; allowed: {ENVIRONMENTS} (one per config/<name>.yaml)"


def test_environment_name_that_is_not_a_name(in_project_root):
    with pytest.raises(ConfigError) as info:
        load_environment("../etc/passwd")
    assert str(info.value) == f"OFFICELESS_ENV: '../etc/passwd' is not an environment name; allowed: {ENVIRONMENTS}"


def test_missing_file(tmp_path, in_project_root):
    with pytest.raises(ConfigError) as info:
        load_environment("production", tmp_path / "nowhere")
    assert str(info.value) == (
        f"{tmp_path}/nowhere/production.yaml: file not found; create it or set OFFICELESS_CONFIG_DIR to the folder "
        "holding <environment>.yaml"
    )


def test_committed_environments_load():
    assert load_environment("production").vpc.cidr == "10.1.0.0/16"
    assert load_environment("dev").vpc.cidr == "10.0.0.0/16"


# --- the CLI: exit code, one line on stderr, previous output untouched -----------------------


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()
    }


def previous_output(tmp_path: Path) -> Path:
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "01-vpc").mkdir(parents=True)
    (outdir / "manifest.json").write_text('{"previous": true}')
    (outdir / "stacks" / "01-vpc" / "cdk.tf.json").write_text('{"previous": true}')
    return outdir


def assert_cli_refuses(tmp_path: Path, directory: Path, line: str, environment: str = "production") -> None:
    """main.py with ``environment``'s config from ``directory``: exit 2, ``line`` alone on stderr,
    and the previous output (and everything else under ``tmp_path``) untouched."""
    outdir = previous_output(tmp_path)
    before = tree_digest(tmp_path)
    result = run_main({"OFFICELESS_CONFIG_DIR": str(directory), "CDKTF_OUTDIR": str(outdir), "OFFICELESS_ENV": environment},
                      tmp_path)
    assert result.returncode == 2
    assert errors_only(result.stderr) == [line]
    assert tree_digest(tmp_path) == before


def errors_only(stderr: str) -> list[str]:
    """stderr's lines but the warnings every synth of a config prints before it gets to its work (the
    operator UIs on plain HTTP, issue #27; extended support, issue #12): what a failure says."""
    return [line for line in stderr.splitlines() if not line.startswith("warning: ")]


def run_main(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PRODUCTION.parents[1] / "main.py")],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


CLI_CASES = [c for c in CASES if c[0] in {
    "malformed-cidr", "overlap", "outside-vpc", "unknown-key", "yaml-syntax",  # issue #2
    "node-group-desired-above-max", "unknown-ami-type", "malformed-addon-version", "empty-instance-types",  # issue #3
    "invalid-bucket-prefix", "duplicate-bucket-purpose", "unknown-valkey-engine-version", "valkey-failover-with-one-node",  # issue #4
    "port-rule-malformed-cidr", "public-ssh-without-acknowledgement", "volume-below-8-gb",  # issue #5
    "unpinned-chart-version", "observability-without-its-bucket",  # issue #6
    "kube-proxy-of-another-minor", "standard-support-past-its-end",  # issue #12
    "size-of-an-unknown-release", "alert-receiver-without-its-secret",  # issue #13
    "tenant-namespace-not-a-dns-label", "quota-below-one-pod-of-defaults", "policy-names-an-unknown-namespace",
    "duplicate-tenant", "admin-role-given-as-an-arn",  # issue #14
}]


@pytest.mark.parametrize("case,old,new,message", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_config_exits_with_one_line_and_keeps_output(tmp_path, case, old, new, message):
    assert_cli_refuses(tmp_path, write_config(tmp_path / "config", old, new), f"error: {message}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "config"]  # no staging left behind


@pytest.mark.parametrize(
    "env,message",
    [
        ({"OFFICELESS_ENV": "staging", "OFFICELESS_CONFIG_DIR": "config"}, f"error: OFFICELESS_ENV: unknown environment 'staging'; allowed: {ENVIRONMENTS} (one per config/<name>.yaml)"),
        ({"OFFICELESS_ENV": "production", "OFFICELESS_CONFIG_DIR": "empty"}, "error: empty/production.yaml: file not found; create it or set OFFICELESS_CONFIG_DIR to the folder holding <environment>.yaml"),
    ],
    ids=["unknown-environment", "missing-file"],
)
def test_cli_unknown_environment_and_missing_file(tmp_path, env, message):
    outdir = previous_output(tmp_path)
    (tmp_path / "empty").mkdir()
    shutil.copytree(PRODUCTION.parent, tmp_path / "config")
    before = tree_digest(tmp_path)
    result = run_main({"CDKTF_OUTDIR": str(outdir), **env}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]
    assert tree_digest(tmp_path) == before


def test_public_ssh_is_allowed_once_acknowledged_outside_production_with_a_warning(tmp_path):
    from officeless.config.loader import warnings

    dev = PRODUCTION.parent / "dev.yaml"
    text = dev.read_text().replace("    ssh: [vpc]", "    ssh: [0.0.0.0/0]", 1)
    assert text != dev.read_text()
    (tmp_path / "dev.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"allowed only with allow_public_ssh: true"):
        load_environment("dev", tmp_path)
    (tmp_path / "dev.yaml").write_text(text.replace("allow_public_ssh: false", "allow_public_ssh: true"))
    config = load_environment("dev", tmp_path)
    assert config.ec2.ingress.ssh == ["0.0.0.0/0"]
    assert [w for w in warnings(config, tmp_path) if "ec2.ingress.ssh" in w] == [
        f"{tmp_path / 'dev.yaml'}: ec2.ingress.ssh[0]: '0.0.0.0/0' opens SSH on the VPN server to the internet "
        "(allow_public_ssh: true); prefer SSM Session Manager, or the VPC and the VPN client network"]


def test_public_ssh_is_refused_in_production_even_when_acknowledged(tmp_path):
    text = PRODUCTION.read_text().replace("    ssh: [vpc]", "    ssh: [0.0.0.0/0]").replace(
        "allow_public_ssh: false", "allow_public_ssh: true")
    (tmp_path / "production.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"ec2.ingress.ssh\[0\]: '0.0.0.0/0' opens SSH to the internet, never allowed in "
                                          r"production"):
        load_environment("production", tmp_path)
