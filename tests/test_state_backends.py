"""Remote state options: S3 with DynamoDB and/or S3-native locking, and the local backend."""

from __future__ import annotations

import pytest

from officeless.config.backend import CloudBackendConfig, LocalBackendConfig, S3BackendConfig
from officeless.config.loader import load_environment
from tests.stackjson import StackJson


def synth_backend(tmp_path, backend):
    from officeless.app import build_app

    config = load_environment("dev").model_copy(update={"backend": backend})
    build_app(config, str(tmp_path)).synth()
    return tmp_path


def synth_with_backend(tmp_path, backend) -> StackJson:
    return StackJson(synth_backend(tmp_path, backend) / "stacks" / "01-vpc" / "cdk.tf.json")


def test_s3_native_lock_beside_dynamodb(tmp_path):
    backend = S3BackendConfig(type="s3", bucket="b-state", region="eu-west-1", dynamodb_table="locks", use_lockfile=True)

    assert synth_with_backend(tmp_path, backend).backend == {
        "s3": {
            "bucket": "b-state",
            "key": "dev/01-vpc/terraform.tfstate",
            "region": "eu-west-1",
            "encrypt": True,
            "dynamodb_table": "locks",
            "use_lockfile": True,
        }
    }


def test_s3_native_lock_instead_of_dynamodb(tmp_path):
    backend = S3BackendConfig(type="s3", bucket="b-state", region="us-east-1", use_lockfile=True)
    s3 = synth_with_backend(tmp_path, backend).backend["s3"]
    assert "dynamodb_table" not in s3
    assert s3["use_lockfile"] is True


def test_local_backend_keeps_state_outside_cdktf_out(tmp_path):
    stack = synth_with_backend(tmp_path, LocalBackendConfig(type="local"))
    # Terraform runs in cdktf.out/stacks/01-vpc/, so ../../../ is the project root.
    assert stack.backend == {"local": {"path": "../../../terraform-state/dev/01-vpc.tfstate"}}


@pytest.mark.parametrize("directory", ["/abs/path", "../outside", ""])
def test_local_backend_directory_must_stay_in_project(directory):
    with pytest.raises(ValueError, match="must be a relative folder inside the project"):
        LocalBackendConfig(type="local", directory=directory)


def test_terraform_cloud_workspace_per_stack_and_cross_stack_references(cloud):
    """The session's cloud-backend synth (tests/conftest.py): production, project by default
    officeless-production (00-tfc-workspaces creates it, tests/test_terraform_cloud.py)."""
    assert "00-state" not in cloud.manifest["stacks"]  # Terraform Cloud keeps the state
    for name in cloud.manifest["stacks"]:
        if name.startswith("00-tfc-"):
            continue  # the bootstrap stacks keep local state
        assert cloud.stack(name).data["terraform"]["cloud"] == {
            "organization": "officeless", "hostname": "app.terraform.io",
            "workspaces": {"name": f"officeless-production-{name}", "project": "officeless-production"},
        }
    remote = cloud.stack("02-eks").data_sources("terraform_remote_state")["cross-stack-reference-input-01-vpc"]
    assert remote["backend"] == "remote"
    assert remote["config"]["organization"] == "officeless"
    assert remote["config"]["workspaces"] == {"name": "officeless-production-01-vpc"}


def test_bootstrap_stack_state_local_then_in_its_bucket(tmp_path):
    backend = S3BackendConfig(type="s3", bucket="b-state", region="us-east-1", dynamodb_table="locks")
    state = StackJson(synth_backend(tmp_path / "local", backend) / "stacks" / "00-state" / "cdk.tf.json")
    assert state.backend == {"local": {"path": "../../../terraform-state/dev/00-state.tfstate"}}
    moved = backend.model_copy(update={"bootstrap_state_in_bucket": True})
    state = StackJson(synth_backend(tmp_path / "moved", moved) / "stacks" / "00-state" / "cdk.tf.json")
    assert state.backend["s3"]["key"] == "dev/00-state/terraform.tfstate"
    assert state.backend["s3"]["bucket"] == "b-state"


@pytest.mark.parametrize("pattern,message", [
    ("officeless-{environment}", "lacks {stack}"),
    ("ws-{environment}-{stack}-{region}", "may only use {environment} and {stack}"),
    ("ws {environment} {stack}", "workspace names allow letters, digits"),
])
def test_cloud_workspace_pattern_is_checked(pattern, message):
    with pytest.raises(ValueError, match=message):
        CloudBackendConfig(type="cloud", organization="o", aws_account_id="123456789012", workspace_pattern=pattern)
