"""Each stack's own Terraform state: S3 (+ DynamoDB and/or S3-native lock), Terraform Cloud, or local files."""

from __future__ import annotations

from officeless.config.backend import CloudBackendConfig, LocalBackendConfig, S3BackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import core

# Terraform runs each stack in cdktf.out/stacks/<stack>/; local state lives outside
# cdktf.out/ (three levels up is the project root) so a synth never touches it.
_PROJECT_ROOT_FROM_STACK_DIR = "../../.."
LOCAL_STATE_DIRECTORY = "terraform-state"


def state_key(environment: str, stack_name: str) -> str:
    return f"{environment}/{stack_name}/terraform.tfstate"


def local_state_path(directory: str, environment: str, stack_name: str) -> str:
    return f"{_PROJECT_ROOT_FROM_STACK_DIR}/{directory}/{environment}/{stack_name}.tfstate"


def configure_state(stack: core.TerraformStack, stack_name: str, config: PlatformConfig) -> None:
    backend = config.backend
    if isinstance(backend, S3BackendConfig):
        emulator = {}
        if config.emulator is not None:
            url = config.emulator.endpoint
            emulator = dict(
                endpoints=core.S3BackendEndpointConfig(s3=url, dynamodb=url, sts=url, iam=url),
                use_path_style=True, skip_credentials_validation=True, skip_requesting_account_id=True,
                skip_metadata_api_check=True, skip_region_validation=True,
            )
        core.S3Backend(
            stack,
            bucket=backend.bucket,
            key=state_key(config.environment, stack_name),
            region=backend.region,
            encrypt=True,
            dynamodb_table=backend.dynamodb_table,
            **emulator,
        )
        if backend.use_lockfile:
            # cdktf 0.21's S3BackendConfig predates use_lockfile (Terraform >= 1.10).
            stack.add_override("terraform.backend.s3.use_lockfile", True)
    elif isinstance(backend, LocalBackendConfig):
        core.LocalBackend(stack, path=local_state_path(backend.directory, config.environment, stack_name))
    elif isinstance(backend, CloudBackendConfig):
        cloud_backend(stack, backend, config.environment, stack_name)
    else:  # pragma: no cover - the config union has no other member
        raise TypeError(f"unsupported backend {type(backend).__name__}")


def cloud_backend(stack: core.TerraformStack, backend, environment: str, stack_name: str) -> None:
    """``stack``'s workspace in the environment's Terraform Cloud project (any target's ``cloud`` backend)."""
    core.CloudBackend(
        stack,
        organization=backend.organization,
        hostname=backend.hostname,
        workspaces=core.NamedCloudWorkspace(backend.workspace_name(environment, stack_name),
                                            backend.project_name(environment)),
    )
