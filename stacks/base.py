"""What every platform stack has: the AWS provider with default tags, and its own state."""

from __future__ import annotations

from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, aws, core
from stacks.state import configure_state


class PlatformStack(core.TerraformStack):
    """:param stack_name: the module name (``01-vpc`` ...), also the stack id and state key part."""

    def __init__(self, scope: Construct, stack_name: str, *, config: PlatformConfig) -> None:
        super().__init__(scope, stack_name)
        self.config = config
        aws.provider.AwsProvider(
            self,
            "aws",
            region=config.region,
            default_tags=[aws.provider.AwsProviderDefaultTags(tags=dict(config.tags))],
        )
        configure_state(self, stack_name, config)

    def output(self, name: str, value, description: str, *, sensitive: bool = False) -> core.TerraformOutput:
        return core.TerraformOutput(self, name, value=value, description=description, sensitive=sensitive)
