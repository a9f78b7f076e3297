"""The root of one environment's config file (config/<environment>.yaml)."""

from __future__ import annotations

from pydantic import model_validator

from officeless.config.backend import BackendConfig
from officeless.config.types import Model, Name, Region, Tags
from officeless.config.vpc import VpcConfig
from officeless.errors import FieldError


class EksConfig(Model):
    # The cluster's name; 01-vpc tags subnets with kubernetes.io/cluster/<name>.
    cluster_name: Name


class PlatformConfig(Model):
    environment: Name  # must equal the file name, e.g. production for production.yaml
    project: Name
    region: Region
    # Provider default_tags: every taggable resource of every stack gets them.
    tags: Tags
    backend: BackendConfig
    vpc: VpcConfig
    eks: EksConfig

    @model_validator(mode="after")
    def _azs_in_region(self) -> "PlatformConfig":
        for path, subnet in self.vpc.all_subnets():
            az = subnet.availability_zone
            if not (az.startswith(self.region) and len(az) == len(self.region) + 1 and az[-1].isalpha() and az[-1].islower()):
                raise FieldError(
                    f"vpc.{path}.availability_zone",
                    f"{az!r} is not an availability zone of region {self.region}; expected {self.region} plus a letter, e.g. {self.region}a",
                )
        return self
