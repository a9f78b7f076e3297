"""What every platform stack has: the AWS provider with default tags, and its own state."""

from __future__ import annotations

from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, aws, core
from stacks.state import configure_state


_EMULATED_SERVICES = ("autoscaling", "backup", "cloudwatch", "dynamodb", "ec2", "ecr", "efs", "eks", "elasticache", "elbv2",
                      "events", "iam", "kms", "logs", "s3", "secretsmanager", "sqs", "ssm", "sts")


class PlatformStack(core.TerraformStack):
    """:param stack_name: the module name (``01-vpc`` ...), also the stack id and state key part.
    :param manage_state: False for 00-state, which chooses its own backend. Default True.
    :param region: the AWS provider's region. Default: config ``region``.
    """

    def __init__(self, scope: Construct, stack_name: str, *, config: PlatformConfig, manage_state: bool = True,
                 region: str | None = None) -> None:
        super().__init__(scope, stack_name)
        self.config = config
        self.aws_provider("aws", region=region or config.region)
        if manage_state:
            configure_state(self, stack_name, config)

    def aws_provider(self, id_: str, *, region: str, alias: str | None = None) -> aws.provider.AwsProvider:
        """An AWS provider with the config's default tags (and the emulator's endpoints, locally);
        ``alias`` for one in a second region."""
        config = self.config
        emulator = {}
        if config.emulator is not None:
            # The flags AWS API emulators need: no real STS/IMDS, path-style S3.
            url = config.emulator.endpoint
            emulator = dict(
                endpoints=[aws.provider.AwsProviderEndpoints(**{service: url for service in _EMULATED_SERVICES})],
                skip_credentials_validation=True, skip_requesting_account_id=True, skip_metadata_api_check="true",
                s3_use_path_style=True,
            )
        return aws.provider.AwsProvider(
            self, id_, region=region, alias=alias, default_tags=[aws.provider.AwsProviderDefaultTags(tags=dict(config.tags))],
            **emulator,
        )

    def output(self, name: str, value, description: str, *, sensitive: bool = False) -> core.TerraformOutput:
        return core.TerraformOutput(self, name, value=value, description=description, sensitive=sensitive)
