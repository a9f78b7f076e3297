"""04-ec2: the VPN server as documented (issue #5), and its cloud-init user data."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from components.vpn_server import user_data
from officeless.config.loader import load_environment

EXPECTED = {
    "production": {"name": "production-vpn", "instance_type": "t3.large", "subnet": "public-subnet-1a", "protection": True},
    "dev": {"name": "dev-vpn", "instance_type": "t3.medium", "subnet": "dev-public-subnet-1a", "protection": False},
}
# (port, protocol) -> expected sources ("vpc" = the VPC CIDR from 01-vpc)
PORTS = {
    (22, "tcp"): ["vpc"],  # issue #19: the deployment guide's SSH, from inside the VPC only
    (1194, "udp"): ["0.0.0.0/0"],
    (80, "tcp"): ["0.0.0.0/0"],
    (443, "tcp"): ["0.0.0.0/0"],
    (50000, "tcp"): ["vpc"],
    (5000, "tcp"): ["vpc"],
    (51820, "udp"): ["0.0.0.0/0"],
}
TOOLS = ["pritunl", "mongodb-org", "openvpn", "wireguard", "docker-ce", "kubectl", "openjdk-21-jdk-headless",
         "awscli", "git", "build-essential", "jq", "yq", "tree", "htop"]


@pytest.fixture
def ec2(synth):
    return synth.stack("04-ec2")


@pytest.fixture
def expected(synth):
    return EXPECTED[synth.environment]


def test_depends_on_01_vpc(synth):
    assert synth.manifest["stacks"]["04-ec2"]["dependencies"] == ["01-vpc"]


def test_instance(ec2, expected):
    _, instance = ec2.one("aws_instance")
    assert instance["instance_type"] == expected["instance_type"]
    assert instance["source_dest_check"] is False
    assert instance["ebs_optimized"] is True
    assert instance["disable_api_termination"] is expected["protection"]
    assert instance["metadata_options"]["http_tokens"] == "required"
    assert instance["lifecycle"]["ignore_changes"] == ["ami", "user_data"]
    assert instance["subnet_id"].startswith("${data.terraform_remote_state.cross-stack-reference-input-01-vpc.outputs.")
    assert "network_public-us-east-1a" in instance["subnet_id"]
    assert instance["tags"]["Name"] == expected["name"]


def test_ubuntu_noble_ami_from_canonical(ec2):
    ami_logical, ami = ec2.data_sources("aws_ami").popitem()
    _, instance = ec2.one("aws_instance")
    assert instance["ami"] == "${data.aws_ami.%s.id}" % ami_logical
    assert ami["most_recent"] is True
    assert ami["owners"] == ["099720109477"]
    filters = {f["name"]: f["values"] for f in ami["filter"]}
    assert filters["name"] == ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
    assert filters["architecture"] == ["x86_64"]


def test_volumes_encrypted_gp3_20_gb(ec2):
    _, instance = ec2.one("aws_instance")
    key_logical, _ = ec2.one("aws_kms_key")
    root = instance["root_block_device"]
    assert (root["volume_size"], root["volume_type"], root["encrypted"]) == (20, "gp3", True)
    assert root["kms_key_id"] == ec2.ref("aws_kms_key", key_logical, "arn")
    volume_logical, volume = ec2.one("aws_ebs_volume")
    assert (volume["size"], volume["type"], volume["encrypted"]) == (20, "gp3", True)
    assert volume["availability_zone"] == "us-east-1a"
    _, attachment = ec2.one("aws_volume_attachment")
    assert attachment["volume_id"] == ec2.ref("aws_ebs_volume", volume_logical)
    # user data finds the volume by its id (stable), not by device name
    assert ec2.ref("aws_ebs_volume", volume_logical) in instance["user_data"]


def test_elastic_ip_and_ssm_profile(ec2, expected):
    instance_logical, instance = ec2.one("aws_instance")
    eip_logical, eip = ec2.one("aws_eip")
    _, association = ec2.one("aws_eip_association")
    assert eip["domain"] == "vpc"
    assert association["allocation_id"] == ec2.ref("aws_eip", eip_logical)
    assert association["instance_id"] == ec2.ref("aws_instance", instance_logical)
    _, attachment = ec2.one("aws_iam_role_policy_attachment")
    assert attachment["policy_arn"].endswith(":iam::aws:policy/AmazonSSMManagedInstanceCore")
    profile_logical, _ = ec2.one("aws_iam_instance_profile")
    assert instance["iam_instance_profile"] == ec2.ref("aws_iam_instance_profile", profile_logical, "name")


def test_one_rule_per_port_and_source(ec2):
    vpc_cidr = "${data.terraform_remote_state.cross-stack-reference-input-01-vpc.outputs.cross-stack-output-aws_vpcnetwork_vpc_4E8F0223cidr_block}"
    rules = {}
    for rule in ec2.resources("aws_vpc_security_group_ingress_rule").values():
        assert rule["from_port"] == rule["to_port"]
        rules.setdefault((rule["from_port"], rule["ip_protocol"]), []).append(rule["cidr_ipv4"])
    assert rules == {port: [vpc_cidr if s == "vpc" else s for s in sources] for port, sources in PORTS.items()}
    assert "0.0.0.0/0" not in rules[(22, "tcp")]
    (egress,) = ec2.resources("aws_vpc_security_group_egress_rule").values()
    assert (egress["ip_protocol"], egress["cidr_ipv4"]) == ("-1", "0.0.0.0/0")


def test_outputs(ec2):
    instance_logical, _ = ec2.one("aws_instance")
    eip_logical, _ = ec2.one("aws_eip")
    assert set(ec2.outputs) == {"instance_id", "public_ip", "private_ip", "security_group_id"}
    assert ec2.outputs["public_ip"]["value"] == ec2.ref("aws_eip", eip_logical, "public_ip")
    assert ec2.outputs["private_ip"]["value"] == ec2.ref("aws_instance", instance_logical, "private_ip")


# --- user data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    text = user_data(load_environment("production").ec2, data_volume_id="vol-0123456789abcdef0")
    path = tmp_path_factory.mktemp("cloud-init") / "user-data.yaml"
    path.write_text(text)
    return path


def cloud_init_schema(path) -> subprocess.CompletedProcess:
    assert shutil.which("cloud-init"), "cloud-init must be installed (make deps / .ci/run install Debian's package)"
    return subprocess.run(["cloud-init", "schema", "--config-file", str(path)], capture_output=True, text=True, timeout=120)


def test_user_data_is_valid_cloud_config(rendered):
    result = cloud_init_schema(rendered)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid cloud-config" in result.stdout


def test_cloud_init_schema_rejects_a_broken_config(tmp_path, rendered):
    broken = tmp_path / "broken.yaml"
    broken.write_text(rendered.read_text().replace("package_update: true", "package_update: sometimes"))
    assert cloud_init_schema(broken).returncode != 0


@pytest.mark.parametrize("tool", TOOLS)
def test_user_data_installs(rendered, tool):
    assert tool in rendered.read_text()


def test_user_data_details(rendered):
    text = rendered.read_text()
    assert "net.ipv4.ip_forward = 1" in text
    assert "signed-by=/usr/share/keyrings/pritunl.gpg" in text
    assert "signed-by=/usr/share/keyrings/mongodb-server-8.0.gpg" in text
    assert "https://repo.mongodb.org/apt/ubuntu $codename/mongodb-org/8.0 multiverse" in text
    assert "Pin: version 1.32.*" in text and "Pin: version 8.0.*" in text
    assert "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" in text and "vol-0123456789abcdef0" in text
    assert "- name: jenkins" in text and "/var/lib/jenkins-agent" in text
    assert "awscli-exe-linux-x86_64-2.27.50.zip" in text
    assert "yq/releases/download/v4.45.4/" in text


def test_template_has_nothing_terraform_would_interpolate():
    from components.cloud_init import TEMPLATES

    text = (TEMPLATES / "vpn-server.cloud-init.yaml").read_text()
    assert "${" not in text and "%{" not in text
