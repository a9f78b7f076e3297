"""Each stack's own Terraform state: S3 (+ DynamoDB and/or S3-native lock) or local files."""

from __future__ import annotations

from officeless.config.backend import LocalBackendConfig, S3BackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import core

# Terraform runs each stack in cdktf.out/stacks/<stack>/; local state lives outside
# cdktf.out/ (three levels up is the project root) so a synth never touches it.
_PROJECT_ROOT_FROM_STACK_DIR = "../../.."


def state_key(environment: str, stack_name: str) -> str:
    return f"{environment}/{stack_name}/terraform.tfstate"


def configure_state(stack: core.TerraformStack, stack_name: str, config: PlatformConfig) -> None:
    backend = config.backend
    if isinstance(backend, S3BackendConfig):
        core.S3Backend(
            stack,
            bucket=backend.bucket,
            key=state_key(config.environment, stack_name),
            region=backend.region,
            encrypt=True,
            dynamodb_table=backend.dynamodb_table,
        )
        if backend.use_lockfile:
            # cdktf 0.21's S3BackendConfig predates use_lockfile (Terraform >= 1.10).
            stack.add_override("terraform.backend.s3.use_lockfile", True)
    elif isinstance(backend, LocalBackendConfig):
        core.LocalBackend(
            stack,
            path=f"{_PROJECT_ROOT_FROM_STACK_DIR}/{backend.directory}/{config.environment}/{stack_name}.tfstate",
        )
    else:  # pragma: no cover - the config union has no other member
        raise TypeError(f"unsupported backend {type(backend).__name__}")
