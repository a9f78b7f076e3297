"""What every platform stack has: the AWS provider with default tags, and its own state."""

from __future__ import annotations

from officeless.config.emulator import EMULATOR_ACCOUNT_ID
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, aws, core
from stacks.state import configure_state


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
        """An AWS provider with the config's default tags (and, locally, only the emulator's
        account); ``alias`` for one in a second region."""
        config = self.config
        emulator = {}
        if config.emulator is not None:
            # The flags AWS API emulators need (no IMDS, path-style S3), and no `endpoints` block: the
            # emulator's URL comes from AWS_ENDPOINT_URL, the SDK's variable for every service
            # (officeless/emulator.py sets it for the rehearsal). The block is a set of ~300 service
            # attributes, which the provider's plugin-framework half validates by printing the whole
            # set element for each attribute's path: ~2.3 CPU-s in every provider process, half of a
            # rehearsal plan's CPU (issue #20; hashicorp/terraform-plugin-framework#775,
            # pulumi/pulumi-aws#2880). The guard it gave: without the emulator, no call reached AWS.
            # allowed_account_ids keeps that: against any account but the emulator's, the provider
            # stops before its first change (so it asks STS for the account id).
            emulator = dict(
                allowed_account_ids=[EMULATOR_ACCOUNT_ID],
                skip_credentials_validation=True, skip_metadata_api_check="true", s3_use_path_style=True,
            )
        return aws.provider.AwsProvider(
            self, id_, region=region, alias=alias, default_tags=[aws.provider.AwsProviderDefaultTags(tags=dict(config.tags))],
            **emulator,
        )

    def output(self, name: str, value, description: str, *, sensitive: bool = False) -> core.TerraformOutput:
        return core.TerraformOutput(self, name, value=value, description=description, sensitive=sensitive)
