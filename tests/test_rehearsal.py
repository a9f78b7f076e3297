"""Deploy rehearsal (issue #7): real Terraform, the local provider mirror, moto on 127.0.0.1.

Steps (one class, numbered tests sharing one emulator): bootstrap 00-state, deploy every stack
as soon as the stacks it needs are deployed, check state objects and locking, check a second
plan is empty, destroy in reverse and check the emulated account is back to its starting
inventory. All of it is one job graph (issue #20), started by test 1: each stack waits for its
dependencies from manifest.json (not for a whole level); the side checks 2b-2d, the checks of the
deployed account, the second plans, the lock check and each stack's destroy are jobs of the same
graph, each after what it needs, so they run while other stacks still deploy or plan; PARALLELISM
jobs at a time. A stack is destroyed once its own second plan is done and every stack that needs it
is destroyed. Each numbered test waits for its jobs and fails with their logs.

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
- 09-backup: moto has no backup selections; the vault, its key, the plan and the role are applied,
  the selection is asserted in JSON (tests/test_backup_network_images.py).
- 10-ecr: moto has no pull-through cache rules or repository creation templates; the repositories,
  their lifecycle policies and key are applied, the rest asserted in JSON (same file).
config/local.yaml also differs from dev where moto forces it (each line marked "emulator:").
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path

import pytest

from officeless.config.loader import load_environment
from officeless.config.versions import previous_minor
from officeless.emulator import Emulator, emulator_environment
from officeless.graph import ROOT, dependencies, levels
from officeless.terraform_cli import terraform_environment, write_cli_config
from stacks.s3 import ACCESS_LOGS
from tests.conftest import REHEARSAL_RETRIES_ANSWERED, REHEARSAL_TIMINGS

# Minutes: left out of make test-fast, and run beside the rest of the suite by make test (scripts/test-all).
pytestmark = [pytest.mark.slow, pytest.mark.rehearsal]

ENVIRONMENT = "local"
FULLY_REHEARSED = ["01-vpc", "03-s3", "04-ec2"]
NOT_REHEARSED = {"05-helm", "06-access", "07-valkey", "08-platform"}
# Resource types moto cannot hold, per partly rehearsed stack (see the module docstring); what
# depends on them is left out too.
UNSUPPORTED_TYPES = {
    "02-eks": {"aws_eks_cluster", "aws_eks_addon", "aws_eks_access_entry", "aws_eks_access_policy_association",
               "aws_eks_pod_identity_association", "aws_eks_node_group", "aws_iam_openid_connect_provider",
               "aws_efs_backup_policy", "aws_launch_template"},
    "09-backup": {"aws_backup_selection"},
    "10-ecr": {"aws_ecr_pull_through_cache_rule", "aws_ecr_repository_creation_template"},
}
PARTLY_REHEARSED = set(UNSUPPORTED_TYPES)
TIMEOUT = 900  # seconds for any one terraform command
# Jobs whose prerequisites are done run concurrently, this many at a time (issue #20). Default 4 on
# the 2-core CI machine, not 2: most of a job's time is the AWS provider's fixed waits (a bucket
# lifecycle's 55 s, ~12 s per KMS key, 10-20 s per EC2 instance, volume and attachment), not CPU.
# Measured in one sitting, `make test`'s two processes on one commit: 2 jobs, rehearsal 430 s, whole
# run 434 s; 4 jobs, 362 s and 367 s (ratio 0.85). Not more: moto serves one request at a time
# (officeless/emulator.py), so more Terraforms at once wait on it. The rehearsal alone, once the
# providers lost their endpoints block (stacks/base.py), one after the other: 4 jobs 262 s, 6 jobs 274 s.
PARALLELISM = int(os.environ.get("OFFICELESS_REHEARSAL_PARALLELISM", "4"))


class JobGraph:
    """Named jobs, each started once every job it comes ``after`` has succeeded, ``parallelism`` at
    a time, in the background, from ``start()`` on. Of the jobs ready together, the one with the
    longest chain of jobs still to come after it starts first (critical path first), then the one
    added first. A job whose prerequisite failed does not run; it fails naming it."""

    def __init__(self, parallelism: int) -> None:
        self._ready: queue.PriorityQueue = queue.PriorityQueue()
        self._jobs: dict[str, Future] = {}
        self._needs: dict[str, list[str]] = {}
        self._actions: dict[str, Callable[[], None]] = {}
        self._priority: dict[str, tuple[int, int]] = {}
        self._started = False
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(parallelism)]

    def _work(self) -> None:
        while True:
            _, _, name = self._ready.get()
            if not name:
                return
            try:
                self._actions[name]()
            except BaseException as error:  # noqa: BLE001 - reported by wait()
                self._jobs[name].set_exception(error)
            else:
                self._jobs[name].set_result(None)

    def _queue(self, name: str) -> None:
        self._ready.put((*self._priority[name], name))

    def add(self, name: str, action: Callable[[], None], after: Iterable[str] = ()) -> None:
        assert not self._started, "add every job before start()"
        needs = {n: self._jobs[n] for n in after}  # prerequisites are added first
        outcome: Future = Future()
        self._jobs[name], self._needs[name], self._actions[name] = outcome, list(needs), action
        remaining = [len(needs)]
        lock = threading.Lock()

        def one_done(_: Future) -> None:
            with lock:
                remaining[0] -= 1
                if remaining[0] > 0:
                    return
            failed = [n for n, f in needs.items() if f.exception() is not None]
            if failed:
                outcome.set_exception(RuntimeError(f"not run: {', '.join(failed)} failed"))
            else:
                self._queue(name)

        for future in needs.values():
            future.add_done_callback(one_done)

    def start(self) -> None:
        # A job's height: itself plus the longest chain of jobs that come after it. Tallest first,
        # then the one added first.
        height: dict[str, int] = {}
        for name in reversed(self._jobs):  # every job is added after its prerequisites
            height[name] = 1 + max((height[n] for n in self._jobs if name in self._needs[n]), default=0)
        self._priority = {name: (-height[name], order) for order, name in enumerate(self._jobs)}
        for name, needs in self._needs.items():
            if not needs:
                self._queue(name)
        self._started = True
        for worker in self._workers:
            worker.start()

    def wait(self, names: Iterable[str] | None = None) -> None:
        """Block until these jobs (default: all) are done; fail with the log of each that failed."""
        failures = []
        for name in list(self._jobs) if names is None else list(names):
            error = self._jobs[name].exception()
            if error is not None:
                failures.append(f"--- {name} ---\n{error}")
        assert not failures, "\n".join(failures)

    def close(self) -> None:
        """Wait for every job, then stop the workers (never started: fail every job)."""
        if not self._started:
            for name, future in self._jobs.items():
                if not future.done():
                    future.set_exception(RuntimeError(f"not run: the graph was never started ({name})"))
            return
        for future in self._jobs.values():
            future.exception()
        for i, _ in enumerate(self._workers):
            self._ready.put((0, len(self._jobs) + i, ""))
        for worker in self._workers:
            worker.join()


class Rehearsal:
    def __init__(self, root: Path) -> None:
        from officeless.app import build_app

        self.config = load_environment(ENVIRONMENT)
        self.root = root
        self.outdir = root / "cdktf.out"
        build_app(self.config, str(self.outdir)).synth()
        self.manifest = json.loads((self.outdir / "manifest.json").read_text())
        self.cloud_outdir = root / "cloud"
        # No plugin cache: concurrent inits must not share one (Terraform does not lock it); each
        # init links the provider from the read-only filesystem mirror instead of copying it.
        self.env = terraform_environment(write_cli_config(root / "cli.tfrc"),
                                         {**os.environ, **emulator_environment(self.config.emulator)})
        self.env.pop("AWS_PROFILE", None)
        deployable = [[s for s in level if s != "00-state" and s not in NOT_REHEARSED]
                      for level in levels(dependencies(self.manifest))]
        self._levels = [level for level in deployable if level]
        self.started_at: dict[str, float] = {}
        self.deployed_at: dict[str, float] = {}  # in the order they finished
        self.destroy_started_at: dict[str, float] = {}
        self.destroyed_at: dict[str, float] = {}
        self.timings: list[tuple[str, str, float]] = []  # (stack, command, seconds)
        self._references: dict[str, dict[str, set[str]]] = {}
        self.graph = JobGraph(PARALLELISM)

    def synth_cloud(self) -> None:
        """Step 2d's 00-tfc-iam: the same environment with the cloud backend, into ``cloud_outdir``."""
        from officeless.app import build_app
        from officeless.config.backend import CloudBackendConfig

        backend = CloudBackendConfig(type="cloud", organization="officeless", aws_account_id="123456789012")
        build_app(self.config.model_copy(update={"backend": backend}), str(self.cloud_outdir)).synth()

    def levels(self) -> list[list[str]]:
        """The deployable stacks (not 00-state, not NOT_REHEARSED) by dependency level."""
        return self._levels

    def stacks(self) -> list[str]:
        """The deployable stacks (not 00-state, not NOT_REHEARSED), in deploy order."""
        return [s for level in self.levels() for s in level]

    def needs(self, stack: str) -> list[str]:
        return [d for d in self.manifest["stacks"][stack]["dependencies"] if d in self.stacks()]

    def destroyed_first(self, stack: str) -> list[str]:
        """The stacks destroyed before ``stack``: those that need it; for 00-state, every other."""
        if stack == "00-state":
            return self.stacks()
        return [s for s in self.stacks() if stack in self.needs(s)]

    def stack_dir(self, stack: str) -> Path:
        return self.outdir / "stacks" / stack

    def references(self, stack: str) -> dict[str, set[str]]:
        """Each resource and data source of ``stack`` (``type.name``, ``data.type.name``) -> what it
        references or depends on. Read once per stack: the synthesized output does not change."""
        if stack not in self._references:
            synthesized = json.loads((self.stack_dir(stack) / "cdk.tf.json").read_text())
            nodes = {f"{t}.{n}": b for t, items in synthesized["resource"].items() for n, b in items.items()}
            nodes |= {f"data.{t}.{n}": b for t, items in synthesized.get("data", {}).items() for n, b in items.items()}
            reference = re.compile(r"\$\{(data\.)?([a-z0-9_]+\.[A-Za-z0-9_-]+)")
            self._references[stack] = {
                address: {(m.group(1) or "") + m.group(2) for m in reference.finditer(json.dumps(body))}
                | set(body.get("depends_on", []))
                for address, body in nodes.items()
            }
        return self._references[stack]

    def targeted(self, stack: str) -> list[str]:
        """The resources a partly rehearsed stack is limited to, what moto supports; none for others.

        Terraform also applies whatever a target references, so every resource that reaches
        an unsupported resource through references or depends_on is left out too.
        """
        if stack not in PARTLY_REHEARSED:
            return []
        edges = self.references(stack)
        blocked = {a for a in edges if a.split(".")[0] in UNSUPPORTED_TYPES[stack]}
        while True:
            more = {a for a, refs in edges.items() if a not in blocked and refs & blocked}
            if not more:
                break
            blocked |= more
        return [a for a in sorted(edges) if not a.startswith("data.") and a not in blocked]

    def targets(self, stack: str) -> list[str]:
        """``targeted(stack)`` as -target flags."""
        return [f"-target={a}" for a in self.targeted(stack)]

    def reached(self, stack: str) -> set[str]:
        """What a command of ``stack`` with its targets reads or changes: the targets and all they
        reference, transitively (every resource and data source of a fully rehearsed stack)."""
        edges = self.references(stack)
        seen, todo = set(), self.targeted(stack) or list(edges)
        while todo:
            address = todo.pop()
            if address in edges and address not in seen:
                seen.add(address)
                todo.extend(edges[address])
        return seen

    def run(self, stack: str, command: str, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        """``argv`` for ``stack``, its wall time kept under ``command`` (printed after the run)."""
        start = time.monotonic()
        result = subprocess.run(argv, env=kwargs.pop("env", self.env), capture_output=True, text=True, timeout=TIMEOUT,
                                **kwargs)
        self.timings.append((stack, command, time.monotonic() - start))
        return result

    def terraform(self, stack: str, *args: str, check: bool = True, workdir: Path | None = None) -> subprocess.CompletedProcess:
        result = self.run(stack, " ".join(a for a in args if not a.startswith("-target=")), ["terraform", *args, "-no-color"],
                          cwd=workdir or self.stack_dir(stack))
        if check:
            assert result.returncode == 0, f"terraform {args[0]} {stack}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        return result

    def init(self, stack: str) -> None:
        self.terraform(stack, "init", "-input=false")

    def deploy(self, stack: str) -> None:
        self.started_at[stack] = time.monotonic()
        self.init(stack)
        self.apply(stack)
        self.deployed_at[stack] = time.monotonic()

    @property
    def deployed(self) -> list[str]:
        """The stacks deployed so far (00-state included), in the order they finished."""
        return list(self.deployed_at)

    def apply(self, stack: str) -> None:
        self.terraform(stack, "apply", "-auto-approve", "-input=false", *self.targets(stack))

    def plan_exit_code(self, stack: str) -> subprocess.CompletedProcess:
        return self.terraform(stack, "plan", "-detailed-exitcode", "-input=false", *self.targets(stack), check=False)

    def teardown(self, stack: str) -> None:
        """Destroy ``stack`` as README tells an operator to."""
        self.destroy_started_at[stack] = time.monotonic()
        if stack == "03-s3":
            # Stop access logging, empty the buckets, destroy. (moto really delivers access logs,
            # so the log bucket does hold objects.)
            self.destroy(stack, *self.addresses(stack, "aws_s3_bucket_logging"))
            s3 = self.config.s3
            self.empty_buckets([s3.bucket_name(p) for p in [*s3.purposes, ACCESS_LOGS]])
        elif stack == "00-state":
            # Last; its bucket keeps every state version.
            self.empty_buckets([self.config.backend.bucket])
        self.destroy(stack)
        self.destroyed_at[stack] = time.monotonic()

    def destroy(self, stack: str, *only: str) -> None:
        targets = [f"-target={a}" for a in only] or self.targets(stack)
        self.terraform(stack, "destroy", "-auto-approve", "-input=false", *targets)

    def addresses(self, stack: str, type_: str) -> list[str]:
        resources = json.loads((self.stack_dir(stack) / "cdk.tf.json").read_text())["resource"]
        return [f"{type_}.{name}" for name in resources.get(type_, {})]

    def client(self, service: str):
        import boto3

        # A session per client: boto3's default session is not safe to share between the threads
        # of the job graph.
        return boto3.session.Session().client(
            service, endpoint_url=self.config.emulator.endpoint, region_name=self.config.region,
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
        sqs, events, backup, ecr = self.client("sqs"), self.client("events"), self.client("backup"), self.client("ecr")
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
            "backup_vaults": {v["BackupVaultName"] for v in backup.list_backup_vaults()["BackupVaultList"]},
            "backup_plans": {p["BackupPlanName"] for p in backup.list_backup_plans()["BackupPlansList"]},
            # A deleted endpoint stays listed for a while, as "deleted" (moto keeps it so).
            "vpc_endpoints": {e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
                              if e["State"].lower() != "deleted"},
            "repositories": {r["repositoryName"] for r in ecr.describe_repositories()["repositories"]},
        }


@pytest.fixture(scope="class")
def rehearsal(tmp_path_factory, request):
    config = load_environment(ENVIRONMENT)
    assert config.emulator is not None
    with Emulator(config.emulator) as emulator:
        r = Rehearsal(tmp_path_factory.mktemp("rehearsal"))
        r.baseline = r.inventory()
        try:
            yield r
        finally:
            r.graph.close()  # nothing may still run when the emulator stops
            # Every command's wall time, and the retries answered again, printed after the run
            # (tests/conftest.py).
            request.config.stash.setdefault(REHEARSAL_TIMINGS, []).extend(r.timings)
            request.config.stash[REHEARSAL_RETRIES_ANSWERED] = emulator.retries_answered


def check_plan_refuses_a_kubernetes_version_two_minors_ahead(rehearsal: Rehearsal) -> None:
    """Issue #12: the precondition on the cluster reads the running cluster at plan time. moto
    cannot hold our cluster (module docstring), so a stand-in with the same name is created
    through the API, as a cluster deployed earlier would be, and only the cluster is planned."""
    eks_config = rehearsal.config.eks
    target = eks_config.kubernetes_version
    cluster = next(iter(json.loads((rehearsal.stack_dir("02-eks") / "cdk.tf.json").read_text())["resource"]["aws_eks_cluster"]))
    # The stand-in is read only by the cluster's own lookups, which no other 02-eks command reaches
    # (moto cannot hold the cluster, so it is never a target): 02-eks's second plan may run meanwhile.
    lookups = {a for a in rehearsal.references("02-eks") if a.split(".")[1] in ("aws_eks_cluster", "aws_eks_clusters")}
    assert len(lookups) == 2 and all(a.startswith("data.") for a in lookups), lookups
    assert not lookups & rehearsal.reached("02-eks")
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


def check_valkey_token_in_state_once(rehearsal: Rehearsal) -> None:
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


def check_terraform_cloud_roles_and_oidc_provider(rehearsal: Rehearsal) -> None:
    """Issue #18: 00-tfc-iam of the same environment with the cloud backend, applied against
    the emulator with its local state, checked, and destroyed."""
    workdir = rehearsal.cloud_outdir / "stacks" / "00-tfc-iam"

    def terraform(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return rehearsal.terraform("00-tfc-iam", *args, check=check, workdir=workdir)

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
        again = terraform("plan", "-detailed-exitcode", "-input=false", check=False)
        assert again.returncode == 0, again.stdout[-3000:]
    finally:
        terraform("destroy", "-auto-approve", "-input=false")
    assert not rehearsal.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]


def check_a_second_apply_fails_while_another_holds_the_dynamodb_lock(rehearsal: Rehearsal) -> None:
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


def check_second_plan_shows_no_changes(rehearsal: Rehearsal, stack: str) -> None:
    """The fully rehearsed stacks are planned the operator's way, by `cdktf diff` (which runs
    terraform plan); the others by terraform plan with their targets. One plan per stack: a diff's
    "No changes." is a plan whose exit code would be 0 (no resource or output change)."""
    if stack not in FULLY_REHEARSED:
        result = rehearsal.plan_exit_code(stack)
        assert result.returncode == 0, (f"{stack} plan is not empty (exit {result.returncode}):\n"
                                        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return
    npx = shutil.which("npx")
    assert npx, "Node.js/npx must be on PATH"
    # --skip-provider-lock: the lock step asks the Terraform registry, unreachable here.
    result = rehearsal.run(
        stack, "cdktf diff",
        [npx, "cdktf", "diff", stack, "--output", str(rehearsal.outdir), "--skip-synth", "--skip-provider-lock", "--no-color"],
        cwd=ROOT, env={**rehearsal.env, "OFFICELESS_ENV": ENVIRONMENT, "CI": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "No changes. Your infrastructure matches the configuration." in result.stdout, result.stdout[-3000:]


def check_the_deployed_account(rehearsal: Rehearsal) -> None:
    """Step 2's checks of what the deploy created, through the emulator's API: a job after every
    stack is deployed and before any is destroyed."""
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
    # Issue #19: the vault and the plan, the endpoints, the repositories.
    plan_name = f"officeless-{ENVIRONMENT}"
    assert inventory["backup_vaults"] - rehearsal.baseline["backup_vaults"] == {plan_name}
    assert inventory["backup_plans"] - rehearsal.baseline["backup_plans"] == {plan_name}
    (plan,) = [p for p in rehearsal.client("backup").list_backup_plans()["BackupPlansList"]
               if p["BackupPlanName"] == plan_name]
    (rule,) = rehearsal.client("backup").get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]["Rules"]
    assert (rule["ScheduleExpression"], rule["Lifecycle"]["DeleteAfterDays"]) == ("cron(0 5 ? * * *)", 30)
    endpoints = [e for e in rehearsal.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
                 if e["State"].lower() != "deleted"]
    assert sorted(e["ServiceName"].removeprefix("com.amazonaws.us-east-1.") for e in endpoints) == [
        "ecr.api", "ecr.dkr", "s3", "sts"]
    assert {e["VpcEndpointType"] for e in endpoints} == {"Gateway", "Interface"}
    repositories = rehearsal.client("ecr").describe_repositories()["repositories"]
    assert sorted(r["repositoryName"] for r in repositories) == ["officeless/core-business", "officeless/platform"]
    for repository in repositories:
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"


def check_drift_finds_what_changed_out_of_band(rehearsal: Rehearsal) -> None:
    """Issue #33: ``make drift``'s read-only plan finds nothing on a stack as deployed, then exactly
    the resource changed outside Terraform (the VPC's Name tag, through the API), and nothing once
    it is put back."""
    from officeless.drift import Drift, plan_drift

    stack = "01-vpc"
    workdir = rehearsal.stack_dir(stack)

    def drift() -> list[Drift]:
        start = time.monotonic()
        try:
            return plan_drift(stack, workdir, env=rehearsal.env, targets=rehearsal.targeted(stack), timeout=TIMEOUT)
        finally:
            rehearsal.timings.append((stack, "plan (drift)", time.monotonic() - start))

    assert drift() == []
    ec2 = rehearsal.client("ec2")
    (vpc,) = [v for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] not in rehearsal.baseline["vpcs"]]
    name = next(t["Value"] for t in vpc["Tags"] if t["Key"] == "Name")
    ec2.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "Name", "Value": f"{name}-renamed-by-hand"}])
    try:
        (vpc_resource,) = rehearsal.addresses(stack, "aws_vpc")
        assert drift() == [Drift(stack, vpc_resource, "update")]
    finally:
        ec2.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "Name", "Value": name}])
    assert drift() == []


def check_every_stack_state_is_in_the_bucket(rehearsal: Rehearsal) -> None:
    objects = rehearsal.client("s3").list_objects_v2(Bucket=rehearsal.config.backend.bucket).get("Contents", [])
    keys = {o["Key"] for o in objects}
    # 07-valkey's too: step 2c applied (and destroyed) its token path.
    assert keys == {f"{ENVIRONMENT}/{stack}/terraform.tfstate" for stack in [*rehearsal.stacks(), "07-valkey"]}


class TestRehearsalAgainstMoto:
    def test_1_bootstrap_state_with_local_state_file(self, rehearsal):
        """Starts the job graph of all steps (module docstring), then checks the bootstrap.

        Second plans start once every stack is deployed (a stack may change what another reads), the
        lock check once 01-vpc's plan is done (it holds that stack's lock); 02-eks's plan beside step
        2b, whose stand-in cluster it does not read (asserted in 2b). A stack's destroy starts once
        its plan is done, the deployed account is checked, the side checks are done and every stack
        that needs it is destroyed (01-vpc's also after the lock check); 00-state's once every other
        is destroyed and the state objects are checked."""
        graph, stacks = rehearsal.graph, rehearsal.stacks()
        graph.add("00-state", lambda: rehearsal.deploy("00-state"))
        for stack in stacks:
            graph.add(stack, lambda stack=stack: rehearsal.deploy(stack), ["00-state", *rehearsal.needs(stack)])
        graph.add("2b", lambda: check_plan_refuses_a_kubernetes_version_two_minors_ahead(rehearsal), ["02-eks"])
        graph.add("2c", lambda: check_valkey_token_in_state_once(rehearsal), ["00-state"])
        graph.add("deployed account", lambda: check_the_deployed_account(rehearsal), stacks)
        graph.add("state objects", lambda: check_every_stack_state_is_in_the_bucket(rehearsal), [*stacks, "2c"])
        for stack in ["00-state", *stacks]:
            graph.add(f"plan {stack}", lambda stack=stack: check_second_plan_shows_no_changes(rehearsal, stack),
                      ["00-state", *stacks])
        graph.add("lock", lambda: check_a_second_apply_fails_while_another_holds_the_dynamodb_lock(rehearsal),
                  ["plan 01-vpc"])
        # After 01-vpc's second plan (it must not see the changed tag), before its destroy; beside the
        # other stacks' plans, which read 01-vpc's outputs, never the VPC's tags (off the critical path).
        graph.add("drift", lambda: check_drift_finds_what_changed_out_of_band(rehearsal), ["plan 01-vpc"])
        # Step 2d's 00-tfc-iam keeps local state and needs nothing deployed; synthesized once the
        # graph runs, while the bootstrap applies, in this thread (the jsii runtime behind build_app
        # is not for threads).
        cloud_synthesized = threading.Event()

        def check_terraform_cloud() -> None:
            cloud_synthesized.wait()
            assert (rehearsal.cloud_outdir / "manifest.json").is_file(), "the cloud-backend synth failed"
            check_terraform_cloud_roles_and_oidc_provider(rehearsal)

        graph.add("2d", check_terraform_cloud)
        checked = ["deployed account", "2b", "2c", "2d"]
        for stack in stacks[::-1]:
            graph.add(f"destroy {stack}", lambda stack=stack: rehearsal.teardown(stack),
                      [f"plan {stack}", *checked, *(f"destroy {s}" for s in rehearsal.destroyed_first(stack)),
                       *(["lock", "drift"] if stack == "01-vpc" else [])])
        graph.add("destroy 00-state", lambda: rehearsal.teardown("00-state"),
                  ["plan 00-state", *checked, "state objects", "lock",
                   *(f"destroy {s}" for s in rehearsal.destroyed_first("00-state"))])
        graph.start()
        try:
            rehearsal.synth_cloud()
        finally:
            cloud_synthesized.set()
        graph.wait(["00-state"])
        backend = rehearsal.config.backend
        assert (rehearsal.root / "terraform-state" / ENVIRONMENT / "00-state.tfstate").is_file()
        inventory = rehearsal.inventory()
        assert backend.bucket in inventory["buckets"]
        table = rehearsal.client("dynamodb").describe_table(TableName=backend.dynamodb_table)["Table"]
        assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]

    def test_2_deploy_each_stack_after_its_dependencies(self, rehearsal):
        stacks = {s for level in levels(dependencies(rehearsal.manifest)) for s in level} - {"00-state"}
        assert stacks == set(FULLY_REHEARSED) | PARTLY_REHEARSED | NOT_REHEARSED
        rehearsal.graph.wait(rehearsal.stacks())
        assert rehearsal.levels() == [["01-vpc", "03-s3", "09-backup", "10-ecr"], ["02-eks", "04-ec2"]]
        # Each started only once what it needs was deployed.
        for stack in rehearsal.stacks():
            for dependency in ["00-state", *rehearsal.needs(stack)]:
                assert rehearsal.deployed_at[dependency] <= rehearsal.started_at[stack], (stack, dependency)
        rehearsal.graph.wait(["deployed account"])

    def test_2b_plan_refuses_a_kubernetes_version_two_minors_ahead_of_the_running_cluster(self, rehearsal):
        rehearsal.graph.wait(["2b"])

    def test_2c_the_valkey_token_is_in_state_only_where_the_replication_group_reads_it(self, rehearsal):
        rehearsal.graph.wait(["2c"])

    def test_2d_terraform_cloud_roles_and_oidc_provider(self, rehearsal):
        rehearsal.graph.wait(["2d"])

    def test_3_every_stack_state_is_in_the_bucket_under_its_key(self, rehearsal):
        rehearsal.graph.wait(["state objects"])

    def test_4_a_second_apply_fails_while_another_holds_the_dynamodb_lock(self, rehearsal):
        rehearsal.graph.wait(["lock"])

    def test_5_a_second_plan_of_every_deployed_stack_shows_no_changes(self, rehearsal):
        assert set(FULLY_REHEARSED) < set(rehearsal.deployed)
        rehearsal.graph.wait([f"plan {stack}" for stack in rehearsal.deployed])

    def test_5b_drift_finds_exactly_the_resource_changed_out_of_band(self, rehearsal):
        rehearsal.graph.wait(["drift"])

    def test_6_destroy_in_reverse_leaves_the_account_as_it_was(self, rehearsal):
        """Each stack once every stack that needs it is gone, and after its own second plan; 00-state
        last."""
        rehearsal.graph.wait()
        order = [*rehearsal.stacks(), "00-state"]
        assert set(rehearsal.destroyed_at) == set(order)
        for stack in order:
            for first in rehearsal.destroyed_first(stack):
                assert rehearsal.destroyed_at[first] <= rehearsal.destroy_started_at[stack], (stack, first)
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
