"""01-vpc: the values the platform documents, read from the synthesized JSON.

Expected values are typed in by hand from the platform documentation (issue #2),
not derived from config, so a config or code change that moves them fails here.
"""

from __future__ import annotations

import pytest

EXPECTED = {
    "production": {
        "vpc_name": "production-vpc",
        "cidr": "10.1.0.0/16",
        "cluster": "production-cluster",
        "public": {
            "public-subnet-1a": ("10.1.0.0/20", "us-east-1a"),
            "public-subnet-1b": ("10.1.16.0/20", "us-east-1b"),
            "public-subnet-1c": ("10.1.80.0/20", "us-east-1c"),
        },
        "private": {
            "private-subnet-1a": ("10.1.32.0/20", "us-east-1a"),
            "private-subnet-1b": ("10.1.48.0/20", "us-east-1b"),
            "private-subnet-1c": ("10.1.64.0/20", "us-east-1c"),
        },
        "nat_subnet": "public-subnet-1a",
    },
    "dev": {
        "vpc_name": "dev-vpc",
        "cidr": "10.0.0.0/16",
        "cluster": "dev-cluster",
        "public": {
            "dev-public-subnet-1a": ("10.0.0.0/20", "us-east-1a"),
            "dev-public-subnet-1b": ("10.0.16.0/20", "us-east-1b"),
            "dev-public-subnet-1c": ("10.0.80.0/20", "us-east-1c"),
        },
        "private": {
            "dev-private-subnet-1a": ("10.0.32.0/20", "us-east-1a"),
            "dev-private-subnet-1b": ("10.0.48.0/20", "us-east-1b"),
            "dev-private-subnet-1c": ("10.0.64.0/20", "us-east-1c"),
        },
        "nat_subnet": "dev-public-subnet-1a",
    },
}


@pytest.fixture
def vpc(synth):
    return synth.stack("01-vpc")


@pytest.fixture
def expected(synth):
    return EXPECTED[synth.environment]


def test_region_and_default_tags(vpc, synth):
    (provider,) = vpc.data["provider"]["aws"]
    assert provider["region"] == "us-east-1"
    assert provider["default_tags"] == [
        {"tags": {"environment": synth.environment, "project": "officeless", "managed-by": "cdktf"}}
    ]
    assert vpc.data["terraform"]["required_providers"]["aws"]["version"] == "5.100.0"


def test_vpc_cidr_dns_and_name(vpc, expected):
    _, body = vpc.one("aws_vpc")
    assert body["cidr_block"] == expected["cidr"]
    assert body["enable_dns_support"] is True
    assert body["enable_dns_hostnames"] is True
    assert body["tags"]["Name"] == expected["vpc_name"]


@pytest.mark.parametrize("kind,role_tag", [("public", "kubernetes.io/role/elb"), ("private", "kubernetes.io/role/internal-elb")])
def test_subnets_cidrs_azs_and_tags(vpc, expected, kind, role_tag):
    subnets = vpc.by_name_tag("aws_subnet")
    assert len(subnets) == 6
    vpc_logical, _ = vpc.one("aws_vpc")
    for name, (cidr, az) in expected[kind].items():
        _, body = subnets[name]
        assert body["cidr_block"] == cidr
        assert body["availability_zone"] == az
        assert body["vpc_id"] == vpc.ref("aws_vpc", vpc_logical)
        assert body["map_public_ip_on_launch"] is False
        assert body["tags"][role_tag] == "1"
        assert body["tags"][f"kubernetes.io/cluster/{expected['cluster']}"] == "shared"


def test_one_nat_gateway_in_the_first_public_subnet_with_its_own_eip(vpc, expected):
    subnets = vpc.by_name_tag("aws_subnet")
    nat_logical, nat = vpc.one("aws_nat_gateway")
    eip_logical, eip = vpc.one("aws_eip")
    igw_logical, _ = vpc.one("aws_internet_gateway")
    assert nat["subnet_id"] == vpc.ref("aws_subnet", subnets[expected["nat_subnet"]][0])
    assert nat["allocation_id"] == vpc.ref("aws_eip", eip_logical)
    assert eip["domain"] == "vpc"
    assert f"aws_internet_gateway.{igw_logical}" in eip["depends_on"]
    assert f"aws_internet_gateway.{igw_logical}" in nat["depends_on"]


def test_default_routes_and_every_subnet_associated(vpc, expected):
    igw_logical, _ = vpc.one("aws_internet_gateway")
    nat_logical, _ = vpc.one("aws_nat_gateway")
    tables = vpc.by_name_tag("aws_route_table")
    assert set(tables) == {f"{expected['vpc_name']}-public-rt", f"{expected['vpc_name']}-private-rt"}
    public_rt = vpc.ref("aws_route_table", tables[f"{expected['vpc_name']}-public-rt"][0])
    private_rt = vpc.ref("aws_route_table", tables[f"{expected['vpc_name']}-private-rt"][0])

    routes = {r["route_table_id"]: r for r in vpc.resources("aws_route").values()}
    assert len(routes) == 2
    assert routes[public_rt]["destination_cidr_block"] == "0.0.0.0/0"
    assert routes[public_rt]["gateway_id"] == vpc.ref("aws_internet_gateway", igw_logical)
    assert routes[private_rt]["destination_cidr_block"] == "0.0.0.0/0"
    assert routes[private_rt]["nat_gateway_id"] == vpc.ref("aws_nat_gateway", nat_logical)

    subnets = vpc.by_name_tag("aws_subnet")
    associations = [(a["subnet_id"], a["route_table_id"]) for a in vpc.resources("aws_route_table_association").values()]
    expected_pairs = [(vpc.ref("aws_subnet", subnets[n][0]), public_rt) for n in expected["public"]] + [
        (vpc.ref("aws_subnet", subnets[n][0]), private_rt) for n in expected["private"]
    ]
    assert sorted(associations) == sorted(expected_pairs)


def test_outputs(vpc):
    outputs = vpc.outputs
    assert {"vpc_id", "vpc_cidr_block", "public_subnet_ids", "private_subnet_ids", "nat_public_ip"} <= set(outputs)
    vpc_logical, _ = vpc.one("aws_vpc")
    eip_logical, _ = vpc.one("aws_eip")
    assert outputs["vpc_id"]["value"] == vpc.ref("aws_vpc", vpc_logical)
    assert outputs["vpc_cidr_block"]["value"] == vpc.ref("aws_vpc", vpc_logical, "cidr_block")
    assert outputs["nat_public_ip"]["value"] == vpc.ref("aws_eip", eip_logical, "public_ip")
    subnets = vpc.by_name_tag("aws_subnet")
    public = [vpc.ref("aws_subnet", logical) for name, (logical, _) in subnets.items() if "public" in name]
    private = [vpc.ref("aws_subnet", logical) for name, (logical, _) in subnets.items() if "private" in name]
    assert sorted(outputs["public_subnet_ids"]["value"]) == sorted(public)
    assert sorted(outputs["private_subnet_ids"]["value"]) == sorted(private)


def test_flow_logs_to_encrypted_log_group_with_retention(vpc, expected):
    vpc_logical, _ = vpc.one("aws_vpc")
    group_logical, group = vpc.one("aws_cloudwatch_log_group")
    key_logical, key = vpc.one("aws_kms_key")
    _, flow = vpc.one("aws_flow_log")
    role_logical, _ = vpc.one("aws_iam_role")
    assert group["name"] == f"/aws/vpc/{expected['vpc_name']}/flow-logs"
    assert group["retention_in_days"] == 365
    assert group["kms_key_id"] == vpc.ref("aws_kms_key", key_logical, "arn")
    assert key["enable_key_rotation"] is True
    assert flow["vpc_id"] == vpc.ref("aws_vpc", vpc_logical)
    assert flow["traffic_type"] == "ALL"
    assert flow["log_destination_type"] == "cloud-watch-logs"
    assert flow["log_destination"] == vpc.ref("aws_cloudwatch_log_group", group_logical, "arn")
    assert flow["iam_role_arn"] == vpc.ref("aws_iam_role", role_logical, "arn")


def test_flow_log_role_writes_only_its_log_group(vpc):
    group_logical, _ = vpc.one("aws_cloudwatch_log_group")
    docs = vpc.data_sources("aws_iam_policy_document")
    delivery = next(d for name, d in docs.items() if "delivery-policy" in name)
    write = next(s for s in delivery["statement"] if "logs:PutLogEvents" in s["actions"])
    arn = vpc.ref("aws_cloudwatch_log_group", group_logical, "arn")
    assert write["resources"] == [arn, arn + ":*"]
    trust = next(d for name, d in docs.items() if name.startswith("flow-logs_trust"))
    (statement,) = trust["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["vpc-flow-logs.amazonaws.com"]}]
    assert statement["condition"][0]["variable"] == "aws:SourceAccount"


def test_default_security_group_has_no_rules(vpc):
    vpc_logical, _ = vpc.one("aws_vpc")
    _, sg = vpc.one("aws_default_security_group")
    assert sg["vpc_id"] == vpc.ref("aws_vpc", vpc_logical)
    assert "ingress" not in sg and "egress" not in sg


STATE = {
    "production": ("officeless-terraform-state", "officeless-terraform-locks"),
    "dev": ("officeless-dev-terraform-state", "officeless-dev-terraform-locks"),
}


def test_remote_state(vpc, synth):
    bucket, table = STATE[synth.environment]
    assert vpc.backend == {
        "s3": {
            "bucket": bucket,
            "key": f"{synth.environment}/01-vpc/terraform.tfstate",
            "region": "us-east-1",
            "dynamodb_table": table,
            "encrypt": True,
        }
    }
