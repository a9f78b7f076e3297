"""Issue #15: values AWS would refuse halfway through an apply, unsafe values, and files that
crashed the loader all become one clear line (field, value, allowed) and a non-zero exit.

Each case edits config/production.yaml once; its message is the contract. The AWS limits the
messages cite live in officeless/config/aws_limits.py (regions, instance families, name
lengths, window rules), the Kubernetes versions in officeless/config/versions.py.
"""

from __future__ import annotations

import os

import pytest

from officeless.config.loader import MAX_DEPTH, MAX_EXPANDED_NODES, MAX_FILE_BYTES, load_environment
from officeless.errors import MAX_LINE, ConfigError
from tests.test_config_errors import PRODUCTION, assert_cli_refuses, write_config

F = "config/production.yaml"

# (case, text in production.yaml, replacement, message after "config/production.yaml: ")
CASES = [
    ('empty-lock-table', 'dynamodb_table: officeless-terraform-locks',
     'dynamodb_table: ""',
     "backend.dynamodb_table: '' is not a DynamoDB table name; allowed: 3-255 of letters, digits, '_', '-' and '.'"),
    # Issue #19: production never opens SSH to the internet, acknowledged or not.
    ('ssh-halves', '    ssh: [vpc]',
     '    ssh: [0.0.0.0/1, 128.0.0.0/1]',
     "ec2.ingress.ssh[0]: '0.0.0.0/1' opens SSH to the internet, never allowed in production; allowed: vpc or private CIDRs such as the VPN client network (SSM Session Manager from outside)"),
    ('ssh-public-block', '    ssh: [vpc]',
     '    ssh: [8.8.8.0/24]',
     "ec2.ingress.ssh[0]: '8.8.8.0/24' opens SSH to the internet, never allowed in production; allowed: vpc or private CIDRs such as the VPN client network (SSM Session Manager from outside)"),

    ('docker-public', '    docker_registry: [vpc]',
     '    docker_registry: [0.0.0.0/1]',
     "ec2.ingress.docker_registry[0]: '0.0.0.0/1' covers public addresses, and docker_registry has no authentication of its own; allowed: vpc or private CIDRs (reach it over the VPN)"),
    ('wg-1194', 'wireguard_port: 51820',
     'wireguard_port: 1194',
     "ec2.wireguard_port: 1194 is openvpn's port (1194/udp); allowed: a free UDP port from 1024, e.g. 51820"),
    ('wg-443', 'wireguard_port: 51820',
     'wireguard_port: 443',
     'ec2.wireguard_port: got 443; input should be greater than or equal to 1024'),
    ('jenkins-root', 'jenkins_agent_user: jenkins',
     'jenkins_agent_user: root',
     "ec2.jenkins_agent_user: 'root' is root or a system account (and joins the docker group); allowed: a dedicated user such as 'jenkins'"),
    ('dup-ingress', '    http: [0.0.0.0/0]',
     '    http: [0.0.0.0/0, 0.0.0.0/0]',
     "ec2.ingress.http[1]: '0.0.0.0/0' duplicates ingress.http[0]; list each source once"),
    ('snap-overlap2', 'maintenance_window: "sun:05:00-sun:06:00"',
     'maintenance_window: "sun:03:30-sun:04:30"',
     "valkey.snapshot_window: '03:00-04:00' overlaps the maintenance window 'sun:03:30-sun:04:30'; allowed: a daily window outside it"),
    ('snap-short', 'snapshot_window: "03:00-04:00"',
     'snapshot_window: "03:00-03:30"',
     "valkey.snapshot_window: '03:00-03:30' lasts 30 minutes; allowed: at least 60"),
    ('maint-short', 'maintenance_window: "sun:05:00-sun:06:00"',
     'maintenance_window: "sun:05:00-sun:05:30"',
     "valkey.maintenance_window: 'sun:05:00-sun:05:30' lasts 30 minutes; allowed: at least 60"),
    ('rg-id-long', 'name: production-valkey',
     'name: production-valkey-with-a-very-long-name-x',
     "valkey.name: 'production-valkey-with-a-very-long-name-x' has 41 characters; allowed: at most 40 (ElastiCache replication group ids)"),
    ('rg-id-bad', 'name: production-valkey',
     'name: production--valkey',
     "valkey.name: 'production--valkey' is not an ElastiCache replication group id; allowed: 1-40 lowercase letters, digits and '-', a letter first, no '--' and no '-' at the end"),
    ('param-unknown', 'maxmemory-policy: allkeys-lru',
     'maxmemory-policy: allkeys-lru\n    max-memory: 1gb',
     'valkey.parameters.max-memory: not a Valkey parameter ElastiCache lets a parameter group set; allowed: VALKEY_PARAMETERS in officeless/config/aws_limits.py, e.g. maxmemory-policy, maxmemory-samples, timeout'),
    ('param-bad-policy', 'maxmemory-policy: allkeys-lru',
     'maxmemory-policy: lru',
     "valkey.parameters.maxmemory-policy: 'lru' is not an eviction policy; allowed: volatile-lru, allkeys-lru, volatile-lfu, allkeys-lfu, volatile-random, allkeys-random, volatile-ttl, noeviction"),
    ('node-type', 'node_type: cache.r7g.large',
     'node_type: cache.r7g.huge',
     "valkey.node_type: 'cache.r7g.huge' is not an ElastiCache node type; allowed: cache.<family>.<size> for families m5, m6g, m7g, r5, r6g, r7g, t3, t4g (sizes in officeless/config/aws_limits.py), e.g. cache.r7g.large"),
    ('cluster-name-long', 'cluster_name: production-cluster',
     'cluster_name: production-cluster-for-the-officeless-platform-eu',
     "eks.cluster_name: makes the IAM role name 'production-cluster-for-the-officeless-platform-eu-aws-load-balancer-controller' (78 characters); allowed: at most 64: shorten it"),
    ('sa-name-long', '{namespace: officeless, name: officeless-app}',
     '{namespace: officeless, name: officeless-app-with-a-really-long-service-account-name}',
     "helm.secrets_reader_service_accounts[0]: makes the IAM role name 'production-cluster-secrets-officeless-officeless-app-with-a-really-long-service-account-name' (92 characters); allowed: at most 64: shorten it"),
    ('dup-sa', '    - {namespace: officeless, name: officeless-app}',
     '    - {namespace: officeless, name: officeless-app}\n    - {namespace: officeless, name: officeless-app}',
     'helm.secrets_reader_service_accounts[1]: officeless/officeless-app duplicates secrets_reader_service_accounts[0]; list each once'),
    ('region', 'region: us-east-1\n\ntags', 'region: us-east-9\n\ntags',
     "region: 'us-east-9' is not an AWS region; allowed: one of the 33 regions in officeless/config/aws_limits.py, "
     "e.g. us-east-1, us-east-2, us-west-1, us-west-2"),
    ('az', 'availability_zone: us-east-1c}\n  private',
     'availability_zone: us-east-1z}\n  private',
     "vpc.public_subnets[2].availability_zone: 'us-east-1z' is not an availability zone of region us-east-1; allowed: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f"),
    ('vpc-/8', 'cidr: 10.1.0.0/16',
     'cidr: 10.0.0.0/8',
     "vpc.cidr: '10.0.0.0/8' is a /8; allowed: /16 to /28 (AWS's VPC and subnet sizes)"),
    ('subnet-/29', 'cidr: 10.1.64.0/20',
     'cidr: 10.1.64.0/29',
     "vpc.private_subnets[2].cidr: '10.1.64.0/29' is a /29; allowed: /16 to /28 (AWS's VPC and subnet sizes)"),
    ('arm-x86', 'instance_types: [t3.xlarge, m6i.large]',
     'instance_types: [m7g.large]',
     "eks.node_groups.worker-nodes.instance_types[0]: 'm7g.large' is arm64, but ami_type BOTTLEROCKET_x86_64 boots x86_64 instances; allowed: x86_64 instance types, or an ami_type for that architecture"),
    ('x86-arm', 'ami_type: BOTTLEROCKET_x86_64',
     'ami_type: BOTTLEROCKET_ARM_64',
     "eks.node_groups.worker-nodes.instance_types[0]: 't3.xlarge' is x86_64, but ami_type BOTTLEROCKET_ARM_64 boots arm64 instances; allowed: arm64 instance types, or an ami_type for that architecture"),
    ('node-type-missing', 'instance_types: [t3.xlarge, m6i.large]',
     'instance_types: [t3.xlarge, m6i.enormous]',
     "eks.node_groups.worker-nodes.instance_types[1]: 'm6i.enormous' is not an instance type of officeless/config/instances.py (the capacity check needs its size and pod limit); allowed: one of its 28 types, of the families t3, t3a, t2, m5, m6i, c5, m7g, t4g, e.g. m6i.large; add a type there with its sources"),
    ('ec2-type-missing', 'instance_type: t3.large',
     'instance_type: t3.giant',
     "ec2.instance_type: 't3.giant' is not an EC2 instance type; allowed: <family>.<size> of the families in officeless/config/aws_limits.py (t2, t3, t3a, t4g, m5, m5a, m6i, m6a, m7i, m7a, c5, c5a, c6i, c6a, c7i, c7a, r5, r5a, r6i, r6a, r7i, r7a, m6g, m7g, c6g, c7g, r6g, r7g)"),
    ('ec2-arm', 'instance_type: t3.large',
     'instance_type: t4g.large',
     "ec2.instance_type: 't4g.large' is arm64; the VPN server's AMI is Ubuntu amd64; allowed: an x86_64 type"),
    ('tags-51', '  managed-by: cdktf\n',
     '  managed-by: cdktf\n' + ''.join(f'  t{i}: v\n' for i in range(48)),
     'tags: 51 tags; allowed: at most 46 (AWS allows 50 per resource and the stacks add up to 4 of their own)'),
    ('tag-long', 'managed-by: cdktf',
     'managed-by: ' + 'x' * 300,
     "tags: the value of tag 'managed-by' has 300 characters; allowed: at most 256"),
    ('k8s-version', 'kubernetes_version: "1.33"',
     'kubernetes_version: "1.29"',
     "eks.kubernetes_version: '1.29' is not a Kubernetes minor version of the version table (officeless/config/versions.py); allowed: 1.33, 1.34, 1.35, 1.36"),
    ('k8s-version2', 'kubernetes_version: "1.33"',
     'kubernetes_version: "1.40"',
     "eks.kubernetes_version: '1.40' is not a Kubernetes minor version of the version table (officeless/config/versions.py); allowed: 1.33, 1.34, 1.35, 1.36"),
    ('empty-vpc-name', 'name: production-vpc',
     'name: ""',
     "vpc.name: got ''; string should have at least 1 character"),
    ('empty-cluster', 'cluster_name: production-cluster',
     'cluster_name: ""',
     "eks.cluster_name: '' is not a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    ('empty-efs', 'name: eks-shared-storage',
     'name: ""',
     "eks.efs.name: got ''; string should have at least 1 character"),
    ('empty-ec2', 'name: production-vpn',
     'name: ""',
     "ec2.name: '' is not a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    ('empty-valkey', 'name: production-valkey',
     'name: ""',
     "valkey.name: '' is not a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    ('empty-bucket', 'bucket: officeless-terraform-state',
     'bucket: ""',
     "backend.bucket: '' is not a valid S3 bucket name; allowed: 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"),
    ('empty-prefix', 'bucket_prefix: officeless-production',
     'bucket_prefix: ""',
     "s3.bucket_prefix: '' is not a bucket name prefix; allowed: up to 50 lowercase letters, digits and '-', starting and ending with a letter or digit (S3 bucket naming rules)"),
    ('empty-project', 'project: officeless',
     'project: ""',
     "project: '' is not a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    ('empty-ng', '    worker-nodes:\n',
     '    "":\n',
     "eks.node_groups: key '' is not a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    ('empty-subnet-name', 'name: public-subnet-1a,',
     'name: "",',
     "vpc.public_subnets[0].name: got ''; string should have at least 1 character"),
    ('empty-label', 'workload: application',
     'workload: ""',
     "eks.node_groups.worker-nodes.labels.workload: '' is not a Kubernetes label value; allowed: 1-63 letters, digits, "
     "'-', '_' or '.', starting and ending with a letter or digit"),
    ('empty-tenant', '- name: platform-prod',
     '- name: ""',
     "tenancy.tenants[1].name: '' is not a valid name; allowed: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    ('extra-cidr-public', 'extra_allowed_cidrs: []',
     'extra_allowed_cidrs: [0.0.0.0/0]',
     "valkey.extra_allowed_cidrs[0]: '0.0.0.0/0' is not a private range; the cache stays private: allowed: CIDRs within 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10"),
    ('windows-bad-format', 'snapshot_window: "03:00-04:00"',
     'snapshot_window: "3-4"',
     "valkey.snapshot_window: '3-4' is not a snapshot window; expected hh:mm-hh:mm (UTC), e.g. 03:00-04:00"),
]


def load_error(directory, environment: str = "production") -> str:
    """The one line loading ``environment`` from ``directory`` fails with, files named as from the
    project root."""
    with pytest.raises(ConfigError) as info:
        load_environment(environment, directory)
    text = str(info.value)
    assert "\n" not in text and len(text) <= MAX_LINE + 40
    return text.replace(str(directory) + "/", "config/")


@pytest.fixture
def in_project_root(monkeypatch):
    monkeypatch.chdir(PRODUCTION.parents[1])


@pytest.mark.parametrize("case,old,new,message", CASES, ids=[c[0] for c in CASES])
def test_refused_with_one_line(tmp_path, in_project_root, case, old, new, message):
    assert load_error(write_config(tmp_path / "config", old, new)) == f"{F}: {message}"


@pytest.mark.parametrize("old,new", [
    ("    ssh: [vpc]", "    ssh: [vpc, 192.168.0.0/16, 10.0.0.0/8]"),  # private sources need no acknowledgement
    ("    docker_registry: [vpc]", "    docker_registry: [vpc, 172.16.0.0/12]"),
    ("managed-by: cdktf", 'managed-by: ""'),  # AWS allows empty tag values
    ("wireguard_port: 51820", "wireguard_port: 5000"),  # 5000/tcp is the registry's; WireGuard is UDP
], ids=["private-ssh", "private-registry", "empty-tag-value", "wireguard-on-a-tcp-port"])
def test_accepted(tmp_path, old, new):
    load_environment("production", write_config(tmp_path / "config", old, new))


# --- files that crashed the loader (traceback, 312 MB "one line", wrong message) ------------

def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


FILES = [
    ("non-utf8-byte", b"environment: production\nvpc: \xff\xfe\n",
     "line 2, column 6: byte 0xff is not UTF-8; config files must be UTF-8 text"),
    ("binary", bytes(range(256)) * 4, "line 2, column 118: byte 0x80 is not UTF-8; config files must be UTF-8 text"),
    ("nul-bytes", b"environment: production\x00\n",
     "line 1, column 24: YAML syntax error: character #x0000 is not allowed in YAML (binary content?)"),
    ("complex-key", b"? [a, b]\n: 1\n", "line 1, column 3: YAML syntax error: a key must be a plain name, not a list or mapping"),
    ("deep-nesting", b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
     f"line 1, column {MAX_DEPTH + 3}: YAML syntax error: nested deeper than {MAX_DEPTH} levels"),
    ("alias-bomb", alias_bomb().encode(),
     f"line 1, column 1: YAML syntax error: aliases expand to more than {MAX_EXPANDED_NODES} values"),
    ("5-mb-value", ("vpc:\n  name: " + "x" * 5_000_000 + "\n").encode(),
     f"file is 5000014 bytes; config files are limited to {MAX_FILE_BYTES} bytes"),
]


@pytest.mark.parametrize("case,content,message", FILES, ids=[c[0] for c in FILES])
def test_file_that_is_not_a_config(tmp_path, in_project_root, case, content, message):
    directory = tmp_path / "config"
    directory.mkdir()
    (directory / "production.yaml").write_bytes(content)
    assert load_error(directory) == f"{F}: {message}"


def test_a_long_value_is_clipped_not_echoed(tmp_path, in_project_root):
    directory = write_config(tmp_path / "config", "name: production-vpc", "name: " + "x" * 900_000)
    assert load_error(directory) == f"{F}: vpc.name: got '{'x' * 80}... (900000 characters)'; string should have at most 256 characters"


def test_a_huge_list_is_described_not_echoed(tmp_path, in_project_root):
    directory = write_config(tmp_path / "config", "  name: production-vpc", "  name: [" + ", ".join(["abcdefgh"] * 90_000) + "]")
    assert load_error(directory) == f"{F}: vpc.name: got a list of 90000 items; input should be a valid string"


def test_config_path_that_is_a_directory(tmp_path, in_project_root):
    (tmp_path / "config" / "production.yaml").mkdir(parents=True)
    assert load_error(tmp_path / "config") == f"{F}: is a directory, not a file; expected a YAML config file"


def test_config_path_that_is_a_dangling_symlink(tmp_path, in_project_root):
    (tmp_path / "config").mkdir()
    os.symlink(tmp_path / "nowhere.yaml", tmp_path / "config" / "production.yaml")
    assert load_error(tmp_path / "config") == (
        f"{F}: is a symlink to '{tmp_path}/nowhere.yaml', which does not exist; point it at a config file")


# --- the same through main.py: exit 2, one line, previous output untouched -------------------

CLI = ["empty-lock-table", "ssh-halves", "snap-overlap2", "rg-id-long", "cluster-name-long", "x86-arm", "dup-sa"]


@pytest.mark.parametrize("case,old,new,message", [c for c in CASES if c[0] in CLI], ids=CLI)
def test_cli_exits_2_with_one_line_and_keeps_output(tmp_path, case, old, new, message):
    assert_cli_refuses(tmp_path, write_config(tmp_path / "config", old, new), f"error: {F}: {message}")
