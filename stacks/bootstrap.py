"""00-state: the S3 bucket and DynamoDB table every other stack keeps its state in.

It cannot keep its own state there before they exist, so it starts with a local state
file (terraform-state/<environment>/00-state.tfstate, git-ignored) and can move into the
bucket afterwards (README, "State bootstrap"). Only synthesized with an ``s3`` backend.
"""

from __future__ import annotations

from components.aws_context import AwsContext
from components.bucket import SecureBucket
from components.iam import Condition, Statement
from components.kms import CustomerKey
from components.lock_table import LockTable
from officeless.config.backend import S3BackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, aws, core
from stacks.base import PlatformStack
from stacks.state import LOCAL_STATE_DIRECTORY, configure_state, local_state_path

NAME = "00-state"
# State history is what lets you recover from a bad apply: keep replaced versions a year.
NONCURRENT_STATE_VERSIONS_DAYS = 365


class StateBootstrapStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        backend = config.backend
        assert isinstance(backend, S3BackendConfig), "00-state exists only with an s3 backend"
        super().__init__(scope, NAME, config=config, manage_state=False, region=backend.region)
        if backend.bootstrap_state_in_bucket:
            configure_state(self, NAME, config)
        else:
            core.LocalBackend(self, path=local_state_path(LOCAL_STATE_DIRECTORY, config.environment, NAME))

        readers = self._state_readers(config) if backend.restrict_state_readers else []
        key = None
        if backend.encryption == "kms":
            key = CustomerKey(self, "kms", alias=f"{backend.bucket}", description="Encrypts Terraform state and its lock table",
                              prevent_destroy=backend.prevent_destroy)
        self.bucket = SecureBucket(
            self, "state-bucket", bucket_name=backend.bucket, kms_key_arn=key.key_arn if key else None,
            noncurrent_version_expiration_days=NONCURRENT_STATE_VERSIONS_DAYS, abort_incomplete_multipart_upload_days=7,
            prevent_destroy=backend.prevent_destroy, deny_insecure_transport=backend.tls_only_policy,
            policy_statements=[self._deny_reads_except(backend.bucket, readers)] if readers else (),
        )
        self.output("state_bucket", self.bucket.bucket_name, "S3 bucket holding every stack's state")
        if backend.dynamodb_table is not None:
            self.table = LockTable(self, "lock-table", table_name=backend.dynamodb_table,
                                   kms_key_arn=key.key_arn if key else None, prevent_destroy=backend.prevent_destroy)
            self.output("lock_table", self.table.table_name, "DynamoDB table holding state locks")
        if key is not None:
            self.output("state_kms_key_arn", key.key_arn, "KMS key encrypting the state bucket and lock table")

    def _state_readers(self, config: PlatformConfig) -> list[str]:
        """``aws:PrincipalArn`` patterns allowed to read state: the identity applying this stack
        (so nobody locks themselves out), platform admins, the deployer and ``state_readers``."""
        ctx = AwsContext.of(self)
        # An assumed-role session's issuer is its role ARN (path included); a user's is itself.
        applier = aws.data_aws_iam_session_context.DataAwsIamSessionContext(self, "applier", arn=ctx.caller_arn)
        names = [*config.eks.admin_role_names, *([config.access.deployer_role_name] if config.access.deployer_role_name else []),
                 *config.backend.state_readers]
        # A role's ARN carries its path (role/<path>/<name>): match both forms, never a prefix.
        roles = [ctx.arn("iam", pattern, region=False) for name in dict.fromkeys(names) for pattern in (f"role/{name}", f"role/*/{name}")]
        return [applier.issuer_arn, *roles]

    def _deny_reads_except(self, bucket: str, readers: list[str]) -> Statement:
        arn = AwsContext.of(self).arn("s3", bucket, region=False, account=False)
        return Statement(sid="DenyStateReadsExceptNamedPrincipals", effect="Deny",
                         actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[f"{arn}/*"], principals={"*": ["*"]},
                         conditions=[Condition("ArnNotLike", "aws:PrincipalArn", readers)])
