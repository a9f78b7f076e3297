"""Remote state options: S3 with DynamoDB and/or S3-native locking, and the local backend."""

from __future__ import annotations

import pytest

from officeless.config.backend import LocalBackendConfig, S3BackendConfig
from officeless.config.loader import load_environment
from tests.stackjson import StackJson


def synth_with_backend(tmp_path, backend) -> StackJson:
    from officeless.app import build_app

    config = load_environment("dev").model_copy(update={"backend": backend})
    build_app(config, str(tmp_path)).synth()
    return StackJson(tmp_path / "stacks" / "01-vpc" / "cdk.tf.json")


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
