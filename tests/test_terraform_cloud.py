"""Terraform Cloud as code (issue #18): the bootstrap stacks derived from the stack graph.

The fixture is production's config with the cloud backend (tests/conftest.py ``cloud``), synthesized
once per session. Expected edges are derived from that synth's manifest.json, so the test fails
whenever the workspaces, run triggers or remote-state consumers drift from the graph.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from officeless.config.loader import load_environment
from officeless.errors import ConfigError
from tests.conftest import CLOUD_BACKEND, PROJECT_ROOT, cloud_config_dir
from tests.test_config_errors import assert_cli_refuses

ORG, ACCOUNT, HOST = "officeless", "123456789012", "app.terraform.io"
BOOTSTRAP = {"00-tfc-iam", "00-tfc-workspaces"}


@pytest.fixture(scope="module")
def graph(cloud) -> dict[str, list[str]]:
    """stack -> its dependencies, from manifest.json, without the bootstrap stacks."""
    return {name: sorted(s["dependencies"]) for name, s in cloud.manifest["stacks"].items() if name not in BOOTSTRAP}


@pytest.fixture(scope="module")
def workspaces(cloud):
    return cloud.stack("00-tfc-workspaces")


@pytest.fixture(scope="module")
def iam(cloud):
    return cloud.stack("00-tfc-iam")


def workspace_of(stack_json, ref: str) -> str:
    """The stack a ``${tfe_workspace.workspace-<stack>.id}`` reference names."""
    return ref.split(".")[1].removeprefix("workspace-")


def test_the_bootstrap_stacks_exist_only_with_the_cloud_backend(cloud, synthesized):
    assert BOOTSTRAP <= set(cloud.manifest["stacks"])
    assert "00-state" not in cloud.manifest["stacks"]  # Terraform Cloud keeps the state
    assert cloud.manifest["stacks"]["00-tfc-workspaces"]["dependencies"] == ["00-tfc-iam"]
    for synth in synthesized.values():
        assert not BOOTSTRAP & set(synth.manifest["stacks"])


def test_bootstrap_state_is_local(iam, workspaces):
    assert iam.backend == {"local": {"path": "../../../terraform-state/production/00-tfc-iam.tfstate"}}
    assert workspaces.backend == {"local": {"path": "../../../terraform-state/production/00-tfc-workspaces.tfstate"}}


def test_one_workspace_per_stack_in_the_environment_project(workspaces, graph):
    (project_logical, project), = workspaces.resources("tfe_project").items()
    assert project["name"] == "officeless-production" and project["organization"] == ORG
    found = {body["name"]: body for body in workspaces.resources("tfe_workspace").values()}
    assert set(found) == {f"officeless-production-{stack}" for stack in graph}
    assert all(w["project_id"] == workspaces.ref("tfe_project", project_logical) for w in found.values())
    assert all(w["organization"] == ORG for w in found.values())


def test_run_triggers_and_remote_state_consumers_match_the_manifest(workspaces, graph):
    triggers = {(workspace_of(workspaces, t["sourceable_id"]), workspace_of(workspaces, t["workspace_id"]))
                for t in workspaces.resources("tfe_run_trigger").values()}
    edges = {(dependency, stack) for stack, needs in graph.items() for dependency in needs}
    assert triggers == edges  # one trigger from each stack to each of its dependents, no other
    settings = {workspace_of(workspaces, s["workspace_id"]): s for s in workspaces.resources("tfe_workspace_settings").values()}
    assert set(settings) == set(graph)
    for stack, s in settings.items():
        assert s["global_remote_state"] is False
        consumers = sorted(workspace_of(workspaces, ref) for ref in s["remote_state_consumer_ids"])
        assert consumers == sorted(d for d, needs in graph.items() if stack in needs), stack


def test_agent_execution_only_for_the_stacks_that_reach_the_cluster(workspaces, graph):
    settings = {workspace_of(workspaces, s["workspace_id"]): s for s in workspaces.resources("tfe_workspace_settings").values()}
    agent = {stack for stack, s in settings.items() if s["execution_mode"] == "agent"}
    assert agent == {"05-helm", "06-access", "08-platform"}  # the stacks with Kubernetes providers
    (pool_logical, pool), = workspaces.resources("tfe_agent_pool").items()
    assert pool["organization_scoped"] is False and pool["name"] == "officeless-production"
    (allowed,) = workspaces.resources("tfe_agent_pool_allowed_workspaces").values()
    assert sorted(workspace_of(workspaces, r) for r in allowed["allowed_workspace_ids"]) == sorted(agent)
    for stack, s in settings.items():
        if stack in agent:
            assert s["agent_pool_id"] == workspaces.ref("tfe_agent_pool", pool_logical)
        else:
            assert s["execution_mode"] == "remote" and "agent_pool_id" not in s
    assert not workspaces.resources("tfe_agent_token")  # its token would be in state: created outside Terraform


def test_dynamic_credentials_variables(workspaces, graph):
    variables = {}
    for v in workspaces.resources("tfe_variable").values():
        variables.setdefault(workspace_of(workspaces, v["workspace_id"]), {})[v["key"]] = (v["value"], v["category"])
    assert set(variables) == set(graph)
    for stack, found in variables.items():
        assert found == {
            "TFC_AWS_PROVIDER_AUTH": ("true", "env"),
            "TFC_AWS_PLAN_ROLE_ARN": (f"arn:aws:iam::{ACCOUNT}:role/officeless-production-tfc-plan", "env"),
            "TFC_AWS_APPLY_ROLE_ARN": (f"arn:aws:iam::{ACCOUNT}:role/officeless-production-tfc-apply", "env"),
        }, stack
    # No organization token in the JSON: the provider reads TFE_TOKEN.
    (provider,) = workspaces.data["provider"]["tfe"]
    assert provider == {"hostname": HOST, "organization": ORG}
    assert workspaces.data["terraform"]["required_providers"]["tfe"]["version"] == "0.71.0"


def test_trust_policies_scoped_per_workspace_and_run_phase(iam, graph):
    (oidc_logical, oidc), = iam.resources("aws_iam_openid_connect_provider").items()
    assert oidc["url"] == f"https://{HOST}" and oidc["client_id_list"] == ["aws.workload.identity"]
    docs = iam.data_sources("aws_iam_policy_document")
    roles = {r["name"]: r for r in iam.resources("aws_iam_role").values()}
    for phase in ("plan", "apply"):
        role = roles[f"officeless-production-tfc-{phase}"]
        (statement,) = docs[role["assume_role_policy"].split(".")[2]]["statement"]
        assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
        assert statement["principals"] == [{"type": "Federated", "identifiers": [iam.ref(
            "aws_iam_openid_connect_provider", oidc_logical, "arn")]}]
        conditions = {c["variable"]: (c["test"], c["values"]) for c in statement["condition"]}
        assert conditions[f"{HOST}:aud"] == ("StringEquals", ["aws.workload.identity"])
        test, subjects = conditions[f"{HOST}:sub"]
        assert test == "StringEquals"  # pinned: no wildcard, no StringLike
        assert sorted(subjects) == sorted(
            f"organization:{ORG}:project:officeless-production:workspace:officeless-production-{stack}:run_phase:{phase}"
            for stack in graph)


def test_plan_reads_and_does_exactly_what_plans_need(iam):
    roles = {r["name"]: n for n, r in iam.resources("aws_iam_role").items()}
    attached = {iam.resources("aws_iam_role")[n]["name"]: [] for n in roles.values()}
    for a in iam.resources("aws_iam_role_policy_attachment").values():
        name = next(r for r, n in roles.items() if iam.ref("aws_iam_role", n, "name") == a["role"])
        attached[name].append(a["policy_arn"])
    assert attached["officeless-production-tfc-plan"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert attached["officeless-production-tfc-apply"] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    (inline,) = iam.resources("aws_iam_role_policy").values()
    statements = {s["sid"]: s for s in iam.data_sources("aws_iam_policy_document")[inline["policy"].split(".")[2]]["statement"]}
    assert statements["ValkeyTokenGenerator"]["actions"] == ["secretsmanager:GetRandomPassword"]  # 07-valkey's plan
    assert statements["ValkeyTokenRead"]["resources"] == [
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:production/valkey/production-valkey/auth-token-??????"]
    assert set(statements) == {"ValkeyTokenGenerator", "ValkeyTokenRead", "ValkeyTokenDecrypt"}


def test_roles_mapped_into_the_cluster(cloud):
    """The apply role deploys the Kubernetes-side stacks (platform-admins); the plan role reads
    (platform-planners), and no Secret anywhere (issue #27): plans are what pull requests trigger."""
    access = cloud.stack("06-access")
    (aws_auth,) = access.resources("kubernetes_config_map_v1_data").values()
    mappings = aws_auth["data"]["mapRoles"]
    assert "role/officeless-production-tfc-apply" in mappings and "platform-admins" in mappings
    assert "role/officeless-production-tfc-plan" in mappings and "platform-planners" in mappings
    (role,) = [r for r in access.resources("kubernetes_cluster_role_v1").values() if r["metadata"]["name"] == "platform-planners"]
    for rule in role["rule"]:
        assert rule["verbs"] == ["get", "list", "watch"]
        assert "secrets" not in rule["resources"] and (rule["api_groups"] != [""] or "*" not in rule["resources"])
        assert "*" not in rule["verbs"]
    assert "configmaps" in [r for rule in role["rule"] if rule["api_groups"] == [""] for r in rule["resources"]]
    # No other grant to the planners: no Role, no RoleBinding naming them, in any stack.
    for name in cloud.stack_names():
        stack = cloud.stack(name)
        assert not stack.resources("kubernetes_role_v1"), name
        for binding in stack.resources("kubernetes_role_binding_v1").values():
            assert all(s["name"] != "platform-planners" for s in binding["subject"]), name


def test_plans_read_release_records_from_config_maps(cloud, synth):
    """The Helm provider of every stack with releases keeps Helm's records in ConfigMaps, which the
    planners read; as Secrets they could be granted only with every other Secret of the namespace."""
    stacks = [n for n in cloud.stack_names() if cloud.stack(n).resources("helm_release")]
    assert sorted(stacks) == ["05-helm", "08-platform"]
    for name in stacks:
        (provider,) = cloud.stack(name).data["provider"]["helm"]
        assert provider["helm_driver"] == "configmap", name
    # The S3 backend has no planners: Helm's default (Secrets) stays, and the JSON is unchanged.
    for name in ("05-helm", "08-platform"):
        (provider,) = synth.stack(name).data["provider"]["helm"]
        assert "helm_driver" not in provider


# --- bad input --------------------------------------------------------------------------------------

BAD = [
    ("organization-name", "organization: officeless", "organization: office less",
     "backend.organization: 'office less' is not a Terraform Cloud organization name; allowed: letters, digits, '-' and '_'"),
    ("workspace-name", "aws_account_id:", "workspace_pattern: \"officeless.{environment}.{stack}\"\n  aws_account_id:",
     "backend.workspace_pattern: 'officeless.{environment}.{stack}' gives 'officeless.production.01-vpc'; workspace names "
     "allow letters, digits, '-' and '_', at most 90"),
    ("pattern-collides-across-environments", "aws_account_id:", "workspace_pattern: \"officeless-{stack}\"\n  aws_account_id:",
     "backend.workspace_pattern: 'officeless-{stack}' lacks {environment}; the environments of one organization would "
     "share (and overwrite) each other's workspaces"),
    ("pattern-collides-across-stacks", "aws_account_id:", "workspace_pattern: \"officeless-{environment}\"\n  aws_account_id:",
     "backend.workspace_pattern: 'officeless-{environment}' lacks {stack}; every stack needs its own workspace"),
    ("workspace-name-too-long", "aws_account_id:", f"workspace_pattern: \"{'x' * 70}-{{environment}}-{{stack}}\"\n  aws_account_id:",
     f"backend.workspace_pattern: '{'x' * 70}-{{environment}}-{{stack}}' gives '{'x' * 70}-production-00-tfc-iam' for "
     "00-tfc-iam; workspace names allow letters, digits, '-' and '_', at most 90"),
    ("no-organization", "  organization: officeless\n", "", "backend.organization: required setting is missing"),
    ("project-name", "aws_account_id:", "project: \"x\"\n  aws_account_id:",
     "backend.project: 'x' is not a Terraform Cloud project name; allowed: 3-40 letters, digits, spaces, '-' and '_', "
     "not starting or ending with a space"),
    ("account-id", 'aws_account_id: "123456789012"', "aws_account_id: 1234",
     "backend.aws_account_id: '1234' is not an AWS account id; allowed: 12 digits (quote it in YAML)"),
]


@pytest.mark.parametrize("case,old,new,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line(tmp_path, monkeypatch, case, old, new, message):
    monkeypatch.chdir(PROJECT_ROOT)
    assert old in CLOUD_BACKEND, case
    directory = cloud_config_dir(tmp_path / "config", CLOUD_BACKEND.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_environment("production", directory)
    assert str(info.value).replace(str(directory) + "/", "config/") == f"config/production.yaml: {message}"


def test_two_environments_of_one_account_must_not_both_own_the_oidc_provider(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    directory = cloud_config_dir(tmp_path / "config")
    cloud_config_dir(directory, name="staging")
    with pytest.raises(ConfigError) as info:
        load_environment("production", directory)
    assert str(info.value).replace(str(directory) + "/", "config/") == (
        "config/production.yaml: backend.owns_oidc_provider: true here and in config/staging.yaml for account "
        "123456789012; allowed: one environment per account creates the Terraform Cloud OIDC provider, the others set "
        "owns_oidc_provider: false")
    # The other looks it up instead: both load, and only one creates it.
    cloud_config_dir(directory, CLOUD_BACKEND + "  owns_oidc_provider: false\n", name="staging")
    assert load_environment("production", directory).backend.owns_oidc_provider is True
    assert load_environment("staging", directory).backend.owns_oidc_provider is False


def test_cli_refuses_and_keeps_the_previous_output(tmp_path):
    (old, new, message), = [b[1:] for b in BAD if b[0] == "no-organization"]
    directory = cloud_config_dir(tmp_path / "config", CLOUD_BACKEND.replace(old, new, 1))
    assert_cli_refuses(tmp_path, directory, f"error: config/production.yaml: {message}")


def test_other_environments_never_load_the_tfe_provider(synthesized):
    """The tfe bindings are imported on first use only: building every stack of an environment
    without the cloud backend (a fresh process, production) never imports them (the benchmark
    shows the time, README)."""
    code = ("import sys, tempfile; from officeless.config.loader import load_environment; "
            "from officeless.app import build_app; build_app(load_environment('production'), tempfile.mkdtemp()); "
            "print(any(m.startswith('cdktf_cdktf_provider_tfe') for m in sys.modules), "
            "any(m.startswith('cdktf_cdktf_provider_google') for m in sys.modules), "
            "any(m.startswith('cdktf_cdktf_provider_azurerm') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ})
    # Neither the tfe bindings nor the Google ones (issue #31: only GCP environments import them) nor
    # Azure's (issue #32).
    assert result.stdout.strip().splitlines()[-1] == "False False False", result.stdout + result.stderr


def test_every_stack_the_app_builds_is_named_in_one_place(cloud, synthesized):
    """officeless/names.py STACK_NAMES (config checks each stack's workspace name) = what the app builds."""
    from officeless import names

    built = set(cloud.manifest["stacks"]) | set(synthesized["production"].manifest["stacks"])
    assert set(names.STACK_NAMES) == built
