"""Account id, partition and region of the stack a construct lives in, looked up once per stack."""

from __future__ import annotations

from officeless.tf import Construct, aws, core

_ID = "aws-context"


class AwsContext(Construct):
    """Data sources every ARN-building component needs; use ``AwsContext.of(scope)``."""

    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        self._identity = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "identity")
        self._partition = aws.data_aws_partition.DataAwsPartition(self, "partition")
        self._region = aws.data_aws_region.DataAwsRegion(self, "region")

    @staticmethod
    def of(scope: Construct) -> "AwsContext":
        stack = core.TerraformStack.of(scope)
        found = stack.node.try_find_child(_ID)
        return found if isinstance(found, AwsContext) else AwsContext(stack, _ID)

    @property
    def account_id(self) -> str:
        return self._identity.account_id

    @property
    def caller_arn(self) -> str:
        """ARN of the identity running Terraform (for a role: its assumed-role session)."""
        return self._identity.arn

    @property
    def partition(self) -> str:
        return self._partition.partition

    @property
    def region(self) -> str:
        return self._region.name

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        return ":".join(
            ["arn", self.partition, service, self.region if region else "", self.account_id if account else "", resource]
        )

    def managed_policy_arn(self, name: str) -> str:
        """ARN of an AWS-managed IAM policy, e.g. ``AmazonEKSClusterPolicy``."""
        return f"arn:{self.partition}:iam::aws:policy/{name}"
