"""Where each stack keeps its Terraform state."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictStr, model_validator

from officeless.config.aws_limits import DYNAMODB_TABLE_NAME
from officeless.config.eks import RoleName
from officeless.config.types import Hostname, Model, Region, Text, matching
from officeless.errors import FieldError

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


BUCKET_RULES = "allowed: 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"


def is_valid_bucket_name(value: str) -> bool:
    return bool(_BUCKET.match(value)) and ".." not in value and not re.match(r"^\d+\.\d+\.\d+\.\d+$", value)


def check_bucket_name(value: str) -> str:
    if not is_valid_bucket_name(value):
        raise ValueError(f"{value!r} is not a valid S3 bucket name; {BUCKET_RULES}")
    return value


BucketName = Annotated[StrictStr, AfterValidator(check_bucket_name)]


class S3BackendConfig(Model):
    """Remote state in S3; the key is always ``<environment>/<stack>/terraform.tfstate``."""

    type: Literal["s3"]
    bucket: BucketName
    region: Region
    # DynamoDB table with a ``LockID`` string hash key. None: no DynamoDB locking. An empty name
    # would write "dynamodb_table": "" into every backend, which Terraform reads as no locking.
    dynamodb_table: Annotated[StrictStr, matching(DYNAMODB_TABLE_NAME.pattern, "a DynamoDB table name; allowed: 3-255 of "
                                                  "letters, digits, '_', '-' and '.'")] | None = None
    # S3-native locking (Terraform >= 1.10), alone or beside DynamoDB. Default off.
    use_lockfile: StrictBool = False
    # 00-state, which creates the bucket and table: their encryption (kms: a key of its own),
    # and whether Terraform refuses to destroy them (on in production).
    encryption: Literal["kms", "s3"] = "kms"
    prevent_destroy: StrictBool = True
    # The state bucket's policy denying non-TLS requests. Default on. Only config/local.yaml turns
    # it off: moto ignores policy conditions, so the Deny would deny every request there.
    tls_only_policy: StrictBool = True
    # Reads of state objects (s3:GetObject, s3:GetObjectVersion) are denied to every principal but
    # the identity applying 00-state, eks.admin_role_names, access.deployer_role_name and
    # state_readers, by aws:PrincipalArn (which matches every session of a role). Default on; off
    # only in config/local.yaml (moto ignores policy conditions).
    restrict_state_readers: StrictBool = True
    # Role names in this account, besides those, that run stacks and so read state: e.g. the role
    # of CI or of Terraform Cloud's workspaces. Default none.
    state_readers: list[RoleName] = []
    # Where 00-state keeps its own state: False (bootstrap) a local file under
    # terraform-state/; True, once migrated, the bucket it created (README, "State bootstrap").
    bootstrap_state_in_bucket: StrictBool = False

    @model_validator(mode="after")
    def _some_lock(self) -> "S3BackendConfig":
        if self.dynamodb_table is None and not self.use_lockfile:
            raise FieldError(
                "dynamodb_table",
                "no state locking configured; set dynamodb_table, use_lockfile: true, or both",
            )
        return self


class LocalBackendConfig(Model):
    """State files on this machine, for trying the app without AWS."""

    type: Literal["local"]
    # Folder, relative to the project root, holding ``<environment>/<stack>.tfstate``.
    # It lies outside cdktf.out/ so a fresh synth never touches state. Git-ignored.
    directory: StrictStr = "terraform-state"

    @model_validator(mode="after")
    def _relative(self) -> "LocalBackendConfig":
        if self.directory.startswith("/") or ".." in self.directory.split("/") or not self.directory:
            raise FieldError("directory", f"{self.directory!r} must be a relative folder inside the project")
        return self


# Terraform Cloud's naming rules (the tfe provider's validation, 0.71): organizations and
# workspaces letters, digits, '-' and '_' (workspaces at most 90); projects 3-40 of those and spaces.
OrganizationName = Annotated[StrictStr, matching(r"[A-Za-z0-9_-]{1,255}", "a Terraform Cloud organization name; allowed: "
                                                 "letters, digits, '-' and '_'")]
ProjectName = Annotated[StrictStr, matching(r"[\w-][\w -]{1,38}[\w-]", "a Terraform Cloud project name; allowed: 3-40 "
                                            "letters, digits, spaces, '-' and '_', not starting or ending with a space")]
AccountId = Annotated[StrictStr, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v),
                      matching(r"\d{12}", "an AWS account id; allowed: 12 digits (quote it in YAML)")]
WORKSPACE_NAME = re.compile(r"[A-Za-z0-9_-]{1,90}")


AgentPool = Annotated[StrictStr, matching(r"[A-Za-z0-9_-]{1,90}", "an agent pool name; allowed: letters, digits, "
                                         "'-' and '_'")]


class TerraformCloudConfig(Model):
    """Terraform Cloud / HCP Terraform, on any target: one workspace per stack in a project of the
    environment, set up by the bootstrap stacks (00-tfc-workspaces and the target's identity stack)."""

    type: Literal["cloud"]
    organization: OrganizationName
    # The project holding the environment's workspaces (00-tfc-workspaces creates it). Default:
    # officeless-<environment>.
    project: ProjectName | None = None
    # Workspace name; {environment} and {stack} are replaced. Default officeless-{environment}-{stack}.
    workspace_pattern: Text = "officeless-{environment}-{stack}"
    hostname: Hostname = "app.terraform.io"

    @model_validator(mode="after")
    def _pattern(self) -> "TerraformCloudConfig":
        if "{stack}" not in self.workspace_pattern:
            raise FieldError("workspace_pattern", f"{self.workspace_pattern!r} lacks {{stack}}; every stack needs its own workspace")
        if "{environment}" not in self.workspace_pattern:
            raise FieldError("workspace_pattern", f"{self.workspace_pattern!r} lacks {{environment}}; the environments of "
                                                  "one organization would share (and overwrite) each other's workspaces")
        try:
            name = self.workspace_name("production", "01-vpc")
        except (KeyError, IndexError, ValueError):
            raise FieldError("workspace_pattern", f"{self.workspace_pattern!r} may only use {{environment}} and {{stack}}") from None
        if not WORKSPACE_NAME.fullmatch(name):
            raise FieldError("workspace_pattern", f"{self.workspace_pattern!r} gives {name!r}; workspace names allow letters, "
                                                  "digits, '-' and '_', at most 90")
        return self

    def workspace_name(self, environment: str, stack: str) -> str:
        return self.workspace_pattern.format(environment=environment, stack=stack)

    def project_name(self, environment: str) -> str:
        return self.project or f"officeless-{environment}"

    def agent_pool_name(self, environment: str) -> str:
        return getattr(self, "agent_pool", None) or f"officeless-{environment}"


class CloudBackendConfig(TerraformCloudConfig):
    """Terraform Cloud / HCP Terraform: one workspace per stack, set up by the bootstrap stacks
    00-tfc-iam (AWS: OIDC provider, plan and apply roles) and 00-tfc-workspaces (tfe)."""

    # The AWS account the environment lives in: the OIDC provider exists once per account.
    aws_account_id: AccountId
    # This environment creates the account's OIDC provider for the Terraform Cloud host; the other
    # environments of the account look it up. Exactly one per account. Default True.
    owns_oidc_provider: StrictBool = True
    # The agent pool for the workspaces that reach the private cluster endpoint. Default
    # officeless-<environment>. Its agent token is created outside Terraform (README).
    agent_pool: AgentPool | None = None


BackendConfig = Annotated[Union[S3BackendConfig, LocalBackendConfig, CloudBackendConfig], Field(discriminator="type")]
