"""Issue #19: AWS Backup of every data-holding volume and file system, VPC endpoints, ECR, SSH.

The emulator has no backup selections, pull-through cache rules or repository creation
templates: those are asserted here, in the JSON, and only here (tests/test_rehearsal.py applies
the vault, plan, endpoints and repositories).
"""

from __future__ import annotations

import json
import re

import pytest

from officeless.config.loader import load_environment
from officeless.tf import core
from tests.test_config_errors import assert_cli_refuses, write_config
from tests.test_refusals import F, in_project_root, load_error  # noqa: F401 (fixture)

TAG = "backup-plan"
# Resource types that hold data on a volume or a file system, and how each is tagged for the plan.
# Anything else whose type looks like storage fails test_no_storage_type_is_left_unexamined.
STORAGE_TYPE = re.compile(r"ebs|efs|fsx|volume|storage_class|db_instance|rds_cluster|launch_template")
# Node disks (launch templates of managed groups; Karpenter's EC2NodeClass) hold images and pods'
# scratch space, rebuilt with every node: not data, not backed up. Mount targets, policies and
# attachments point at storage examined above.
NOT_DATA = {"aws_launch_template", "aws_efs_mount_target", "aws_efs_backup_policy", "aws_volume_attachment"}


def selection(synth) -> tuple[str, list[str]]:
    """(the tag value the plan selects, the ARN patterns it covers)."""
    (body,) = synth.stack("09-backup").resources("aws_backup_selection").values()
    ((condition,),) = [c["string_equals"] for c in body["condition"]]
    assert condition["key"] == f"aws:ResourceTag/{TAG}"
    return condition["value"], body["resources"]


def test_every_data_volume_and_file_system_is_selected_by_the_backup_plan(synth):
    value, resources = selection(synth)
    assert value == f"officeless-{synth.environment}"
    partition = "${data.aws_partition.aws-context_partition_9ECE3875.partition}"
    assert resources == [f"arn:{partition}:ec2:*:*:volume/*", f"arn:{partition}:elasticfilesystem:*:*:file-system/*"]
    covered = []
    for stack in synth.manifest["stacks"]:
        json_ = synth.stack(stack)
        for logical, volume in json_.resources("aws_ebs_volume").items():
            assert volume["tags"].get(TAG) == value, f"{stack} {logical}"
            covered.append("aws_ebs_volume")
        for logical, instance in json_.resources("aws_instance").items():
            assert instance["root_block_device"]["tags"].get(TAG) == value, f"{stack} {logical} root volume"
            assert not instance.get("ebs_block_device"), f"{stack} {logical}: attach volumes as aws_ebs_volume"
            covered.append("aws_instance")
        for logical, fs in json_.resources("aws_efs_file_system").items():
            assert fs["tags"].get(TAG) == value, f"{stack} {logical}"
            covered.append("aws_efs_file_system")
        for logical, backup in json_.resources("aws_efs_backup_policy").items():
            assert backup["backup_policy"] == {"status": "DISABLED"}, f"{stack} {logical}: two backups of one file system"
        for type_ in ("kubernetes_storage_class_v1", "kubernetes_storage_class"):
            for logical, storage_class in json_.resources(type_).items():
                if storage_class["storage_provisioner"] == "ebs.csi.aws.com":
                    tags = [v for k, v in storage_class["parameters"].items() if k.startswith("tagSpecification_")]
                    assert f"{TAG}={value}" in tags, f"{stack} {logical}"
                    covered.append("ebs storage class")
                else:
                    # EFS access points live on the file system the plan covers.
                    assert storage_class["storage_provisioner"] == "efs.csi.aws.com", f"{stack} {logical}"
    assert sorted(set(covered)) == ["aws_ebs_volume", "aws_efs_file_system", "aws_instance", "ebs storage class"]


def test_no_storage_type_is_left_unexamined(synthesized):
    examined = {"aws_ebs_volume", "aws_instance", "aws_efs_file_system", "kubernetes_storage_class_v1",
                "kubernetes_storage_class", *NOT_DATA}
    for synth in synthesized.values():
        for stack in synth.manifest["stacks"]:
            types = json.loads(synth.stack(stack).text).get("resource", {})
            unexamined = [t for t in types if STORAGE_TYPE.search(t) and t not in examined]
            assert unexamined == [], f"{synth.environment}/{stack}: add these to the backup walk or NOT_DATA"


def test_production_backup_plan(synthesized):
    backup = synthesized["production"].stack("09-backup")
    (plan,) = backup.resources("aws_backup_plan").values()
    (rule,) = plan["rule"]
    # The microservices guide: daily backups kept 30 days.
    assert rule["schedule"] == "cron(0 5 ? * * *)"
    assert rule["lifecycle"] == {"delete_after": 30}
    assert (rule["start_window"], rule["completion_window"]) == (60, 480)
    vault_logical, vault = backup.one("aws_backup_vault")
    assert rule["target_vault_name"] == backup.ref("aws_backup_vault", vault_logical, "name")
    key_logical, key = backup.one("aws_kms_key")
    assert vault["kms_key_arn"] == backup.ref("aws_kms_key", key_logical, "arn")
    assert vault["lifecycle"] == {"prevent_destroy": True} and key["lifecycle"] == {"prevent_destroy": True}
    assert vault["force_destroy"] is False
    assert not backup.resources("aws_backup_vault_lock_configuration")
    role_logical, role = backup.one("aws_iam_role")
    assert role["name"] == "officeless-production-backup"
    (trust,) = [d for n, d in backup.data_sources("aws_iam_policy_document").items() if n.startswith("backup_trust")]
    assert trust["statement"][0]["principals"] == [{"type": "Service", "identifiers": ["backup.amazonaws.com"]}]
    attached = sorted(a["policy_arn"].split(":policy/")[1] for a in backup.resources("aws_iam_role_policy_attachment").values())
    assert attached == ["service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores"]
    (selection_,) = backup.resources("aws_backup_selection").values()
    assert selection_["iam_role_arn"] == backup.ref("aws_iam_role", role_logical, "arn")
    assert synthesized["dev"].stack("09-backup").one("aws_backup_vault")[1].get("lifecycle") is None


def synth_backup_stack(tmp_path, **backup) -> dict:
    """09-backup alone, from production's config with ``backup`` settings."""
    from stacks.backup import BackupStack

    config = load_environment("production")
    config = config.model_copy(update={"backup": config.backup.model_validate({**config.backup.model_dump(), **backup})})
    app = core.App(outdir=str(tmp_path), stack_traces=False)
    BackupStack(app, config=config)
    app.synth()
    return json.loads((tmp_path / "stacks" / "09-backup" / "cdk.tf.json").read_text())


def test_copy_to_a_second_region_and_vault_lock(tmp_path):
    stack = synth_backup_stack(tmp_path, copy_to_region="us-west-2",
                               vault_lock={"min_retention_days": 7, "max_retention_days": 365, "changeable_for_days": 3})
    providers = stack["provider"]["aws"]
    assert [p.get("alias") for p in providers] == [None, "copy"]
    assert providers[1]["region"] == "us-west-2"
    vaults = stack["resource"]["aws_backup_vault"]
    (copy_logical,) = [n for n, v in vaults.items() if v.get("provider") == "aws.copy"]
    keys = stack["resource"]["aws_kms_key"]
    (copy_key,) = [n for n, k in keys.items() if k.get("provider") == "aws.copy"]
    assert vaults[copy_logical]["kms_key_arn"] == f"${{aws_kms_key.{copy_key}.arn}}"
    (plan,) = stack["resource"]["aws_backup_plan"].values()
    assert plan["rule"][0]["copy_action"] == [{"destination_vault_arn": f"${{aws_backup_vault.{copy_logical}.arn}}",
                                                "lifecycle": {"delete_after": 30}}]
    (lock,) = stack["resource"]["aws_backup_vault_lock_configuration"].values()
    assert (lock["min_retention_days"], lock["max_retention_days"], lock["changeable_for_days"]) == (7, 365, 3)


def test_s3_gateway_endpoint_on_both_route_tables(synth):
    vpc = synth.stack("01-vpc")
    (endpoint,) = vpc.resources("aws_vpc_endpoint").values()
    assert endpoint["vpc_endpoint_type"] == "Gateway"
    assert endpoint["service_name"] == "com.amazonaws.us-east-1.s3"
    tables = vpc.resources("aws_route_table")
    assert sorted(endpoint["route_table_ids"]) == sorted(vpc.ref("aws_route_table", n) for n in tables)
    assert len(tables) == 2  # public and private


def test_interface_endpoints_in_the_private_subnets_with_https_from_the_vpc(tmp_path):
    from stacks.vpc import VpcStack

    config = load_environment("dev")
    vpc_config = config.vpc.model_copy(update={"endpoints": config.vpc.endpoints.model_validate({"interface": ["ecr.api", "sts"]})})
    app = core.App(outdir=str(tmp_path), stack_traces=False)  # 01-vpc alone: one small synth
    VpcStack(app, config=config.model_copy(update={"vpc": vpc_config}))
    app.synth()
    stack = json.loads((tmp_path / "stacks" / "01-vpc" / "cdk.tf.json").read_text())["resource"]
    interface = {e["service_name"]: e for e in stack["aws_vpc_endpoint"].values() if e["vpc_endpoint_type"] == "Interface"}
    assert sorted(interface) == ["com.amazonaws.us-east-1.ecr.api", "com.amazonaws.us-east-1.sts"]
    private = sorted(f"${{aws_subnet.{n}.id}}" for n in stack["aws_subnet"] if "private" in n)
    (group,) = stack["aws_security_group"]
    for endpoint in interface.values():
        assert endpoint["private_dns_enabled"] is True
        assert sorted(endpoint["subnet_ids"]) == private
        assert endpoint["security_group_ids"] == [f"${{aws_security_group.{group}.id}}"]
    (rule,) = [r for r in stack["aws_vpc_security_group_ingress_rule"].values()
               if r["security_group_id"] == f"${{aws_security_group.{group}.id}}"]
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443)
    assert rule["cidr_ipv4"] == "${aws_vpc.network_vpc_4E8F0223.cidr_block}"
    assert not [r for r in stack.get("aws_vpc_security_group_egress_rule", {}).values()
                if r["security_group_id"] == f"${{aws_security_group.{group}.id}}"]


def test_ecr_repositories(synth):
    ecr = synth.stack("10-ecr")
    repositories = {r["name"]: (n, r) for n, r in ecr.resources("aws_ecr_repository").items()}
    assert sorted(repositories) == ["officeless/core-business", "officeless/platform"]
    key_logical, _ = ecr.one("aws_kms_key")
    policies = {p["repository"]: json.loads(p["policy"]) for p in ecr.resources("aws_ecr_lifecycle_policy").values()}
    for name, (logical, repository) in repositories.items():
        assert repository["image_tag_mutability"] == "IMMUTABLE"
        assert repository["image_scanning_configuration"] == {"scan_on_push": True}
        assert repository["encryption_configuration"] == [{"encryption_type": "KMS",
                                                           "kms_key": ecr.ref("aws_kms_key", key_logical, "arn")}]
        assert repository["force_delete"] is False
        rules = policies[ecr.ref("aws_ecr_repository", logical, "name")]["rules"]
        assert [r["selection"] for r in rules] == [
            {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
            {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}]


def test_pull_through_caches_keep_credentials_out_of_the_json_and_state(synthesized):
    dev = synthesized["dev"]
    ecr = dev.stack("10-ecr")
    rules = {r["ecr_repository_prefix"]: r for r in ecr.resources("aws_ecr_pull_through_cache_rule").values()}
    assert {p: r["upstream_registry_url"] for p, r in rules.items()} == {
        "docker-hub": "registry-1.docker.io", "quay": "quay.io", "kubernetes": "registry.k8s.io"}
    (secret_logical, secret) = ecr.data_sources("aws_secretsmanager_secret").popitem()
    assert secret == {"//": secret["//"], "name": "ecr-pullthroughcache/docker-hub"}
    assert rules["docker-hub"]["credential_arn"] == f"${{data.aws_secretsmanager_secret.{secret_logical}.arn}}"
    assert "credential_arn" not in rules["quay"]
    # Only the secret's metadata is read: no version (value) data source anywhere.
    assert not ecr.data_sources("aws_secretsmanager_secret_version")
    templates = {t["prefix"]: t for t in ecr.resources("aws_ecr_repository_creation_template").values()}
    assert sorted(templates) == sorted(rules)
    for template in templates.values():
        assert template["applied_for"] == ["PULL_THROUGH_CACHE"]
        assert json.loads(template["lifecycle_policy"])["rules"][1]["selection"]["countNumber"] == 30
    # Nodes may import images under the caches' prefixes, nowhere else.
    eks = dev.stack("02-eks")
    policy_logical, policy = eks.one("aws_iam_policy")
    document = eks.data_sources("aws_iam_policy_document")[policy["policy"].split(".")[2]]
    (statement,) = document["statement"]
    assert statement["actions"] == ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
    assert [r.rsplit(":", 1)[1] for r in statement["resources"]] == [
        "repository/docker-hub/*", "repository/quay/*", "repository/kubernetes/*"]
    attached_to = sorted(a["role"] for a in eks.resources("aws_iam_role_policy_attachment").values()
                         if a["policy_arn"] == eks.ref("aws_iam_policy", policy_logical, "arn"))
    roles = {r["name"]: n for n, r in eks.resources("aws_iam_role").items()}
    assert attached_to == sorted(eks.ref("aws_iam_role", roles[name], "name")
                                 for name in ("dev-cluster-system-node", "dev-cluster-karpenter-node"))
    assert not synthesized["production"].stack("02-eks").resources("aws_iam_policy")


def test_ssh_from_the_vpc_in_production(synthesized):
    ec2 = synthesized["production"].stack("04-ec2")
    (ssh,) = [r for r in ec2.resources("aws_vpc_security_group_ingress_rule").values() if r["from_port"] == 22]
    assert ssh["cidr_ipv4"].endswith("cidr_block}")  # 01-vpc's CIDR, a cross-stack reference


# --- bad input: one line each, exit 2, previous output intact -----------------------------------

# production.yaml leaves the backup section to the schema's defaults: each case adds one before vpc.
VPC = "\nvpc:\n"


def backup(setting: str) -> str:
    return f"\nbackup:\n  retention_days: 30\n  {setting}\n{VPC}"


CASES = [
    ("vault-lock-longer-than-retention", VPC, backup("vault_lock: {min_retention_days: 35}"),
     "backup.vault_lock.min_retention_days: 35 days is longer than retention_days (30): the vault would refuse every "
     "recovery point of the plan; allowed: at most 30"),
    ("cron-five-fields", VPC, backup('schedule: "cron(0 5 * * ?)"'),
     "backup.schedule: 'cron(0 5 * * ?)' has 5 fields; AWS cron has 6: minutes hours day-of-month month day-of-week "
     "year; e.g. cron(0 5 ? * * *) for daily at 05:00 UTC"),
    ("cron-every-minute", VPC, backup('schedule: "cron(* 5 ? * * *)"'),
     "backup.schedule: 'cron(* 5 ? * * *)' minutes '*' runs more than once an hour; AWS Backup runs at most hourly: give "
     "one minute, e.g. 0; e.g. cron(0 5 ? * * *) for daily at 05:00 UTC"),
    ("cron-hour-25", VPC, backup('schedule: "cron(0 25 ? * * *)"'),
     "backup.schedule: 'cron(0 25 ? * * *)' hours '25': allowed values 0-23; e.g. cron(0 5 ? * * *) for daily at 05:00 UTC"),
    ("cron-both-days", VPC, backup('schedule: "cron(0 5 * * MON *)"'),
     "backup.schedule: 'cron(0 5 * * MON *)' exactly one of day-of-month and day-of-week must be '?'; e.g. "
     "cron(0 5 ? * * *) for daily at 05:00 UTC"),
    ("cron-rate", VPC, backup('schedule: "rate(1 day)"'),
     "backup.schedule: 'rate(1 day)' not of the form cron(minutes hours day-of-month month day-of-week year); e.g. "
     "cron(0 5 ? * * *) for daily at 05:00 UTC"),
    ("completion-window-too-short", VPC, backup("completion_window_minutes: 90"),
     "backup.completion_window_minutes: 90 with start_window_minutes 60; AWS Backup needs the completion window at least "
     "60 minutes longer: allowed: 120 or more"),
    ("copy-to-own-region", VPC, backup("copy_to_region: us-east-1"),
     "backup.copy_to_region: 'us-east-1' is the environment's own region; allowed: another region, or unset"),
    ("efs-backed-up-twice", "    transition_to_primary_on_access: true\n",
     "    transition_to_primary_on_access: true\n    automatic_backups: true\n",
     "eks.efs.automatic_backups: true while the backup plan (section backup) covers the file system: two backups of the "
     "same data; allowed: false, or unset"),
    ("unknown-endpoint-service", "  restrict_default_security_group: true\n",
     "  restrict_default_security_group: true\n  endpoints: {interface: [ecr.api, ecr-dkr]}\n",
     "vpc.endpoints.interface[1]: 'ecr-dkr' is not an interface endpoint service; allowed: ecr.api, ecr.dkr, sts, logs, "
     "ec2, elasticloadbalancing, autoscaling, ssm, ssmmessages, ec2messages, secretsmanager, kms, sqs, eks, eks-auth, "
     "monitoring"),
    ("ecr-upper-case", "  repositories: [officeless/core-business, officeless/platform]",
     "  repositories: [officeless/Core-Business, officeless/platform]",
     "ecr.repositories[0]: 'officeless/Core-Business' is not an ECR repository name; allowed: 2-256 characters, "
     "lower-case letters and digits, components separated by '/' with '.', '_' or '-' inside, e.g. officeless/core-business"),
    ("docker-hub-without-credentials", "  repositories: [officeless/core-business, officeless/platform]",
     "  repositories: [officeless/core-business, officeless/platform]\n  pull_through_cache: [{upstream: docker-hub}]",
     "ecr.pull_through_cache[0].credential_secret: missing; docker-hub needs credentials: allowed: the name of a secret "
     "under ecr-pullthroughcache/ (README \"Container images\")"),
    ("credentials-outside-the-prefix", "  repositories: [officeless/core-business, officeless/platform]",
     "  repositories: [officeless/core-business, officeless/platform]\n"
     "  pull_through_cache: [{upstream: github, credential_secret: production/ghcr}]",
     "ecr.pull_through_cache[0].credential_secret: 'production/ghcr'; ECR reads upstream credentials only from secrets "
     "named ecr-pullthroughcache/<name>"),
    ("ssh-from-anywhere-in-production", "    ssh: [vpc]", "    ssh: [vpc, 0.0.0.0/0]",
     "ec2.ingress.ssh[1]: '0.0.0.0/0' opens SSH to the internet, never allowed in production; allowed: vpc or private "
     "CIDRs such as the VPN client network (SSM Session Manager from outside)"),
]


@pytest.mark.parametrize("case,old,new,message", CASES, ids=[c[0] for c in CASES])
def test_refused_with_one_line(tmp_path, in_project_root, case, old, new, message):
    assert load_error(write_config(tmp_path / "config", old, new)) == f"{F}: {message}"


@pytest.mark.parametrize("case,old,new,message", [c for c in CASES if c[0] in ("vault-lock-longer-than-retention",
                                                                              "ecr-upper-case")],
                         ids=["vault-lock-longer-than-retention", "ecr-upper-case"])
def test_cli_exits_2_with_one_line_and_keeps_output(tmp_path, case, old, new, message):
    assert_cli_refuses(tmp_path, write_config(tmp_path / "config", old, new), f"error: {F}: {message}")


@pytest.mark.parametrize("schedule", ["cron(0 5 ? * * *)", "cron(30 */6 ? * * *)", "cron(0 3 ? * SUN *)",
                                      "cron(0 2 1 * ? *)", "cron(15 1 ? * MON-FRI *)", "cron(0 4 L * ? 2027)",
                                      "cron(0 5 ? * 6#3 *)"])
def test_schedules_aws_backup_accepts(schedule):
    from officeless.config.backup import BackupConfig

    assert BackupConfig(schedule=schedule).schedule == schedule
