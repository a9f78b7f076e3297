"""Deploy rehearsal (issue #7): real Terraform, the local provider mirror, moto on 127.0.0.1.

Steps run in order (one class, numbered tests sharing one emulator): bootstrap 00-state,
deploy in manifest order, check state objects and locking, check a second plan is empty,
destroy in reverse and check the emulated account is back to its starting inventory.

What moto cannot do, and so what is not rehearsed (README lists the same):
- 02-eks: moto's EKS does not return a cluster's access_config (Terraform would replace the
  cluster on every plan), has no CreateAddon, CreateAccessEntry or
  CreatePodIdentityAssociation (404), never settles aws_efs_backup_policy, and creates no
  EKS cluster security group; and it echoes the provider's default tags back as an extra
  "launch-template" tag specification, so the node launch template would change on every plan.
  Only 02-eks's other resources are deployed (KMS key, log group, IAM roles, security groups,
  EFS + mount targets, and Karpenter's node and controller roles, interruption queue and
  EventBridge rules; not its access entry, Pod Identity association or security-group tag).
- 07-valkey: needs 02-eks's cluster security group, so it cannot be planned here. Only the AUTH
  token's path is applied (its KMS key, the secret, the ephemeral generator, the write-only
  version and the read), to count the token's copies in state (step 2c).
- 05-helm, 06-access and 08-platform: need a Kubernetes API; there is none.
config/local.yaml also differs from dev where moto forces it (each line marked "emulator:").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from officeless.config.loader import load_environment
from officeless.config.versions import previous_minor
from officeless.emulator import EMULATOR_ENV, Emulator
from officeless.graph import ROOT, dependencies, deploy_order
from officeless.terraform_cli import write_cli_config
from stacks.s3 import ACCESS_LOGS

ENVIRONMENT = "local"
FULLY_REHEARSED = ["01-vpc", "03-s3", "04-ec2"]
PARTLY_REHEARSED = {"02-eks"}
NOT_REHEARSED = {"05-helm", "06-access", "07-valkey", "08-platform"}
# 02-eks resources moto cannot hold (see the module docstring), and what depends on them.
EKS_API_TYPES = {"aws_eks_cluster", "aws_eks_addon", "aws_eks_access_entry", "aws_eks_access_policy_association",
                 "aws_eks_pod_identity_association", "aws_eks_node_group", "aws_iam_openid_connect_provider",
                 "aws_efs_backup_policy", "aws_launch_template"}
TIMEOUT = 900  # seconds for any one terraform command


class Rehearsal:
    def __init__(self, root: Path) -> None:
        from officeless.app import build_app

        self.config = load_environment(ENVIRONMENT)
        self.root = root
        self.outdir = root / "cdktf.out"
        build_app(self.config, str(self.outdir)).synth()
        self.manifest = json.loads((self.outdir / "manifest.json").read_text())
        cli = write_cli_config(root / "cli.tfrc", plugin_cache_dir=root / "plugin-cache")
        self.env = {**os.environ, **EMULATOR_ENV, "TF_CLI_CONFIG_FILE": str(cli), "TF_IN_AUTOMATION": "1",
                    "CHECKPOINT_DISABLE": "1"}
        self.env.pop("AWS_PROFILE", None)
        self.deployed: list[str] = []

    def stack_dir(self, stack: str) -> Path:
        return self.outdir / "stacks" / stack

    def targets(self, stack: str) -> list[str]:
        """-target flags limiting 02-eks to what moto supports; none for other stacks.

        Terraform also applies whatever a target references, so every resource that reaches
        an EKS-API resource through references or depends_on is left out too.
        """
        if stack not in PARTLY_REHEARSED:
            return []
        synthesized = json.loads((self.stack_dir(stack) / "cdk.tf.json").read_text())
        nodes = {f"{t}.{n}": b for t, items in synthesized["resource"].items() for n, b in items.items()}
        nodes |= {f"data.{t}.{n}": b for t, items in synthesized.get("data", {}).items() for n, b in items.items()}
        reference = re.compile(r"\$\{(data\.)?([a-z0-9_]+\.[A-Za-z0-9_-]+)")
        edges = {
            address: {(m.group(1) or "") + m.group(2) for m in reference.finditer(json.dumps(body))}
            | set(body.get("depends_on", []))
            for address, body in nodes.items()
        }
        blocked = {a for a in nodes if a.split(".")[0] in EKS_API_TYPES}
        while True:
            more = {a for a, refs in edges.items() if a not in blocked and refs & blocked}
            if not more:
                break
            blocked |= more
        return [f"-target={a}" for a in sorted(nodes) if not a.startswith("data.") and a not in blocked]

    def terraform(self, stack: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(["terraform", *args, "-no-color"], cwd=self.stack_dir(stack), env=self.env,
                                capture_output=True, text=True, timeout=TIMEOUT)
        if check:
            assert result.returncode == 0, f"terraform {args[0]} {stack}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        return result

    def init(self, stack: str) -> None:
        self.terraform(stack, "init", "-input=false")

    def apply(self, stack: str) -> None:
        self.terraform(stack, "apply", "-auto-approve", "-input=false", *self.targets(stack))

    def plan_exit_code(self, stack: str) -> subprocess.CompletedProcess:
        return self.terraform(stack, "plan", "-detailed-exitcode", "-input=false", *self.targets(stack), check=False)

    def destroy(self, stack: str, *only: str) -> None:
        targets = [f"-target={a}" for a in only] or self.targets(stack)
        self.terraform(stack, "destroy", "-auto-approve", "-input=false", *targets)

    def addresses(self, stack: str, type_: str) -> list[str]:
        resources = json.loads((self.stack_dir(stack) / "cdk.tf.json").read_text())["resource"]
        return [f"{type_}.{name}" for name in resources.get(type_, {})]

    def client(self, service: str):
        import boto3

        return boto3.client(service, endpoint_url=self.config.emulator.endpoint, region_name=self.config.region,
                            aws_access_key_id="test", aws_secret_access_key="test")

    def empty_buckets(self, names: list[str]) -> None:
        """Delete every object version in these buckets: force_destroy is off on purpose, so
        Terraform never deletes a bucket that still holds data (README, destroying)."""
        s3 = self.client("s3")
        for bucket in names:
            # moto ignores policy conditions, so the TLS-only Deny would refuse these deletes;
            # over real AWS they are TLS calls and allowed. Terraform destroys the policy anyway.
            s3.delete_bucket_policy(Bucket=bucket)
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    s3.delete_object(Bucket=bucket, Key=entry["Key"], VersionId=entry["VersionId"])

    def inventory(self) -> dict[str, set[str]]:
        """What exists in the emulated account, by kind (ids)."""
        ec2, s3, iam = self.client("ec2"), self.client("s3"), self.client("iam")
        kms, logs, efs, ddb = self.client("kms"), self.client("logs"), self.client("efs"), self.client("dynamodb")
        sqs, events = self.client("sqs"), self.client("events")
        live_instances = [i["InstanceId"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
                          if i["State"]["Name"] not in ("terminated", "shutting-down")]
        keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
        # Customer-managed only: AWS creates its managed keys (alias/aws/ebs, ...) on first use, for
        # good. moto labels those CUSTOMER, so they are recognised by their reserved alias.
        aws_managed = {a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]
                       if a["AliasName"].startswith("alias/aws/") and "TargetKeyId" in a}
        enabled_keys = [f'{k["KeyId"]} ({k["Description"]})' for k in keys
                        if k["KeyState"] == "Enabled" and k.get("KeyManager") == "CUSTOMER" and k["KeyId"] not in aws_managed]
        return {
            "vpcs": {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]},
            "subnets": {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]},
            "security_groups": {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]},
            "internet_gateways": {g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]},
            "nat_gateways": {g["NatGatewayId"] for g in ec2.describe_nat_gateways()["NatGateways"] if g["State"] != "deleted"},
            "addresses": {a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]},
            "instances": set(live_instances),
            "volumes": {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]},
            "launch_templates": {t["LaunchTemplateId"] for t in ec2.describe_launch_templates()["LaunchTemplates"]},
            "flow_logs": {f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]},
            "buckets": {b["Name"] for b in s3.list_buckets()["Buckets"]},
            "tables": set(ddb.list_tables()["TableNames"]),
            "kms_keys": set(enabled_keys),
            "roles": {r["RoleName"] for r in iam.list_roles()["Roles"]},
            "instance_profiles": {p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]},
            "log_groups": {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]},
            "file_systems": {f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]},
            "queues": {u.rsplit("/", 1)[-1] for u in sqs.list_queues().get("QueueUrls", [])},
            "event_rules": {r["Name"] for r in events.list_rules()["Rules"]},
        }


@pytest.fixture(scope="class")
def rehearsal(tmp_path_factory):
    config = load_environment(ENVIRONMENT)
    assert config.emulator is not None
    with Emulator(config.emulator):
        r = Rehearsal(tmp_path_factory.mktemp("rehearsal"))
        r.baseline = r.inventory()
        yield r


class TestRehearsalAgainstMoto:
    def test_1_bootstrap_state_with_local_state_file(self, rehearsal):
        rehearsal.init("00-state")
        rehearsal.apply("00-state")
        backend = rehearsal.config.backend
        assert (rehearsal.root / "terraform-state" / ENVIRONMENT / "00-state.tfstate").is_file()
        inventory = rehearsal.inventory()
        assert backend.bucket in inventory["buckets"]
        table = rehearsal.client("dynamodb").describe_table(TableName=backend.dynamodb_table)["Table"]
        assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]

    def test_2_deploy_in_manifest_order(self, rehearsal):
        order = [s for s in deploy_order(dependencies(rehearsal.manifest)) if s != "00-state"]
        assert set(order) == set(FULLY_REHEARSED) | PARTLY_REHEARSED | NOT_REHEARSED
        for stack in order:
            if stack in NOT_REHEARSED:
                continue
            missing = [d for d in rehearsal.manifest["stacks"][stack]["dependencies"] if d not in rehearsal.deployed]
            assert missing == [], f"{stack} before its dependencies {missing}"
            rehearsal.init(stack)
            rehearsal.apply(stack)
            rehearsal.deployed.append(stack)
        assert rehearsal.deployed == ["01-vpc", "02-eks", "03-s3", "04-ec2"]
        inventory = rehearsal.inventory()
        assert len(inventory["vpcs"] - rehearsal.baseline["vpcs"]) == 1
        assert len(inventory["instances"]) == 1
        assert {f"officeless-local-{p}" for p in ("loki-chunks", "tempo-traces", ACCESS_LOGS)} <= inventory["buckets"]
        assert len(inventory["file_systems"]) == 1
        # Issue #16: Karpenter's AWS side (local.yaml runs Karpenter, like dev).
        cluster = rehearsal.config.eks.cluster_name
        assert inventory["queues"] - rehearsal.baseline["queues"] == {f"{cluster}-karpenter"}
        assert inventory["event_rules"] - rehearsal.baseline["event_rules"] == {
            f"{cluster}-karpenter-{r}" for r in ("scheduled-change", "spot-interruption", "rebalance",
                                                 "instance-state-change", "capacity-reservation-interruption")}
        assert {f"{cluster}-karpenter-node", f"{cluster}-karpenter"} <= inventory["roles"]
        events = rehearsal.client("events")
        for rule in inventory["event_rules"] - rehearsal.baseline["event_rules"]:
            (target,) = events.list_targets_by_rule(Rule=rule)["Targets"]
            assert target["Arn"].endswith(f":{cluster}-karpenter")
        attributes = rehearsal.client("sqs").get_queue_attributes(
            QueueUrl=rehearsal.client("sqs").get_queue_url(QueueName=f"{cluster}-karpenter")["QueueUrl"],
            AttributeNames=["All"])["Attributes"]
        assert attributes["MessageRetentionPeriod"] == "300"
        assert json.loads(attributes["Policy"])["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}

    def test_2b_plan_refuses_a_kubernetes_version_two_minors_ahead_of_the_running_cluster(self, rehearsal):
        """Issue #12: the precondition on the cluster reads the running cluster at plan time. moto
        cannot hold our cluster (module docstring), so a stand-in with the same name is created
        through the API, as a cluster deployed earlier would be, and only the cluster is planned."""
        eks_config = rehearsal.config.eks
        target = eks_config.kubernetes_version
        cluster = next(iter(json.loads((rehearsal.stack_dir("02-eks") / "cdk.tf.json").read_text())["resource"]["aws_eks_cluster"]))
        eks, ec2 = rehearsal.client("eks"), rehearsal.client("ec2")
        subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]

        def plan_with_running(version: str) -> subprocess.CompletedProcess:
            eks.create_cluster(name=eks_config.cluster_name, version=version, roleArn="arn:aws:iam::123456789012:role/stand-in",
                               resourcesVpcConfig={"subnetIds": subnets})
            try:
                return rehearsal.terraform("02-eks", "plan", "-input=false", "-lock=false", f"-target=aws_eks_cluster.{cluster}",
                                           check=False)
            finally:
                eks.delete_cluster(name=eks_config.cluster_name)

        two_behind = plan_with_running(previous_minor(previous_minor(target)))
        assert two_behind.returncode != 0
        output = " ".join((two_behind.stdout + two_behind.stderr).split())
        assert "Resource precondition failed" in output
        assert f"needs the running cluster {eks_config.cluster_name} on {previous_minor(target)} or {target}" in output
        one_behind = plan_with_running(previous_minor(target))
        assert one_behind.returncode == 0, one_behind.stdout[-3000:] + one_behind.stderr[-3000:]
        assert "Resource precondition failed" not in one_behind.stdout + one_behind.stderr

    def test_2c_the_valkey_token_is_in_state_only_where_the_replication_group_reads_it(self, rehearsal):
        """Issue #15: generated ephemeral, written write-only: the secret holds the token, and
        state holds it once (the read the replication group takes it from; the group itself,
        not deployable here, would be the second and last copy)."""
        stack = "07-valkey"
        synthesized = json.loads((rehearsal.stack_dir(stack) / "cdk.tf.json").read_text())
        (read,) = synthesized["data"]["aws_secretsmanager_secret_version"]
        rehearsal.init(stack)
        rehearsal.terraform(stack, "apply", "-auto-approve", "-input=false", f"-target=data.aws_secretsmanager_secret_version.{read}")
        try:
            (secret,) = rehearsal.client("secretsmanager").list_secrets()["SecretList"]
            token = rehearsal.client("secretsmanager").get_secret_value(SecretId=secret["ARN"])["SecretString"]
            assert len(token) == 64
            state = rehearsal.terraform(stack, "state", "pull").stdout
            assert state.count(token) == 1
            (version,) = [r for r in json.loads(state)["resources"] if r["type"] == "aws_secretsmanager_secret_version"
                          and r["mode"] == "managed"]
            attributes = version["instances"][0]["attributes"]
            assert attributes["secret_string"] == "" and attributes["secret_string_wo"] is None
            assert attributes["has_secret_string_wo"] is True and attributes["secret_string_wo_version"] == 1
            # A second plan of the same targets changes nothing: no new token per plan.
            again = rehearsal.terraform(stack, "plan", "-detailed-exitcode", "-input=false",
                                        f"-target=data.aws_secretsmanager_secret_version.{read}", check=False)
            assert again.returncode == 0, again.stdout[-3000:]
        finally:
            # Destroying the key destroys all that uses it: alias, secret, version.
            (key,) = synthesized["resource"]["aws_kms_key"]
            rehearsal.terraform(stack, "destroy", "-auto-approve", "-input=false", f"-target=aws_kms_key.{key}")

    def test_2d_terraform_cloud_roles_and_oidc_provider(self, rehearsal):
        """Issue #18: 00-tfc-iam of the same environment with the cloud backend, applied against
        the emulator with its local state, checked, and destroyed."""
        from officeless.app import build_app
        from officeless.config.backend import CloudBackendConfig

        backend = CloudBackendConfig(type="cloud", organization="officeless", aws_account_id="123456789012")
        outdir = rehearsal.root / "cloud"
        build_app(rehearsal.config.model_copy(update={"backend": backend}), str(outdir)).synth()
        workdir = outdir / "stacks" / "00-tfc-iam"

        def terraform(*args: str) -> subprocess.CompletedProcess:
            result = subprocess.run(["terraform", *args, "-no-color"], cwd=workdir, env=rehearsal.env, capture_output=True,
                                    text=True, timeout=TIMEOUT)
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
            return result

        terraform("init", "-input=false")
        terraform("apply", "-auto-approve", "-input=false")
        try:
            iam = rehearsal.client("iam")
            (provider,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
            assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])["ClientIDList"] == [
                "aws.workload.identity"]
            for phase, policy in (("plan", "ReadOnlyAccess"), ("apply", "AdministratorAccess")):
                name = f"officeless-{ENVIRONMENT}-tfc-{phase}"
                trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
                (statement,) = trust["Statement"]
                subjects = statement["Condition"]["StringEquals"]["app.terraform.io:sub"]
                assert all(s.endswith(f":run_phase:{phase}") for s in subjects)
                attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
                assert [p["PolicyName"] for p in attached] == [policy]
            again = subprocess.run(["terraform", "plan", "-detailed-exitcode", "-input=false", "-no-color"], cwd=workdir,
                                   env=rehearsal.env, capture_output=True, text=True, timeout=TIMEOUT)
            assert again.returncode == 0, again.stdout[-3000:]
        finally:
            terraform("destroy", "-auto-approve", "-input=false")
        assert not rehearsal.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]

    def test_3_every_stack_state_is_in_the_bucket_under_its_key(self, rehearsal):
        objects = rehearsal.client("s3").list_objects_v2(Bucket=rehearsal.config.backend.bucket).get("Contents", [])
        keys = {o["Key"] for o in objects}
        # 07-valkey's too: step 2c applied (and destroyed) its token path.
        assert keys == {f"{ENVIRONMENT}/{stack}/terraform.tfstate" for stack in [*rehearsal.deployed, "07-valkey"]}

    def test_4_a_second_apply_fails_while_another_holds_the_dynamodb_lock(self, rehearsal):
        stack = "01-vpc"
        backend = rehearsal.config.backend
        # A real second Terraform: an apply with a pending change waits at its prompt, lock held.
        resources = json.loads((rehearsal.stack_dir(stack) / "cdk.tf.json").read_text())["resource"]
        route_table = next(iter(resources["aws_route_table"]))
        holder = subprocess.Popen(
            ["terraform", "apply", "-input=true", "-no-color", f"-replace=aws_route_table.{route_table}"],
            cwd=rehearsal.stack_dir(stack), env=rehearsal.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(iter(lambda: holder.stdout.read(1), "")), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 300
            while "Enter a value:" not in "".join(output):
                assert holder.poll() is None and time.monotonic() < deadline, f"lock holder never prompted:\n{''.join(output)}"
                time.sleep(0.5)
            lock_id = f"{backend.bucket}/{ENVIRONMENT}/{stack}/terraform.tfstate"
            item = rehearsal.client("dynamodb").get_item(TableName=backend.dynamodb_table, Key={"LockID": {"S": lock_id}})
            assert "Info" in item.get("Item", {}), "the lock holder's lock is not in DynamoDB"

            second = rehearsal.terraform(stack, "apply", "-auto-approve", "-input=false", "-lock-timeout=2s", check=False)
            assert second.returncode != 0
            assert "Error acquiring the state lock" in second.stdout + second.stderr
            assert "ConditionalCheckFailedException" in second.stdout + second.stderr  # the DynamoDB conditional put
        finally:
            if holder.poll() is None:
                holder.stdin.write("no\n")
                holder.stdin.close()
            holder.wait(timeout=120)
            reader.join(timeout=10)
        assert holder.returncode != 0  # answered "no": nothing applied
        after = rehearsal.client("dynamodb").get_item(TableName=backend.dynamodb_table, Key={"LockID": {"S": lock_id}})
        assert "Info" not in after.get("Item", {}), "lock not released"

    def test_5_a_second_plan_of_every_deployed_stack_shows_no_changes(self, rehearsal):
        for stack in ["00-state", *rehearsal.deployed]:
            result = rehearsal.plan_exit_code(stack)
            assert result.returncode == 0, f"{stack} plan is not empty (exit {result.returncode}):\n{result.stdout[-4000:]}"

    def test_5b_cdktf_diff_of_each_stack_shows_no_changes(self, rehearsal):
        npx = shutil.which("npx")
        assert npx, "Node.js/npx must be on PATH"
        for stack in FULLY_REHEARSED:
            # --skip-provider-lock: the lock step asks the Terraform registry, unreachable here.
            result = subprocess.run(
                [npx, "cdktf", "diff", stack, "--output", str(rehearsal.outdir), "--skip-synth", "--skip-provider-lock",
                 "--no-color"],
                cwd=ROOT, env={**rehearsal.env, "OFFICELESS_ENV": ENVIRONMENT, "CI": "1"},
                capture_output=True, text=True, timeout=TIMEOUT,
            )
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            assert "No changes. Your infrastructure matches the configuration." in result.stdout, result.stdout[-3000:]

    def test_6_destroy_in_reverse_order_leaves_the_account_as_it_was(self, rehearsal):
        for stack in reversed(rehearsal.deployed):
            if stack == "03-s3":
                # As README tells an operator: stop access logging, empty the buckets, destroy.
                # (moto really delivers access logs, so the log bucket does hold objects.)
                rehearsal.destroy(stack, *rehearsal.addresses(stack, "aws_s3_bucket_logging"))
                s3 = rehearsal.config.s3
                rehearsal.empty_buckets([s3.bucket_name(p) for p in [*s3.purposes, ACCESS_LOGS]])
            rehearsal.destroy(stack)
        # 00-state last; its bucket keeps every state version.
        rehearsal.empty_buckets([rehearsal.config.backend.bucket])
        rehearsal.destroy("00-state")
        assert rehearsal.inventory() == rehearsal.baseline

    def test_7_no_terraform_process_left_behind(self, rehearsal):
        me = str(os.getpid())
        leftovers = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().split()
            except OSError:
                continue
            if fields[3] == me and "terraform" in fields[1]:
                leftovers.append(fields[1])
        assert leftovers == []
