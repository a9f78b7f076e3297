"""The root of one environment's config file (config/<environment>.yaml)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import model_validator

from officeless.config.backend import BackendConfig
from officeless.config.ec2 import Ec2Config
from officeless.config.eks import EksConfig
from officeless.config.emulator import EmulatorConfig
from officeless.config.helm import COMPONENT_BUCKETS, HelmConfig
from officeless.config.s3 import S3Config
from officeless.config.types import Model, Name, Region, Tags
from officeless.config.valkey import ValkeyConfig
from officeless.config.vpc import VpcConfig
from officeless.errors import FieldError


class PlatformConfig(Model):
    environment: Name  # must equal the file name, e.g. production for production.yaml
    project: Name
    region: Region
    # Provider default_tags: every taggable resource of every stack gets them.
    tags: Tags
    backend: BackendConfig
    vpc: VpcConfig
    eks: EksConfig
    s3: S3Config
    valkey: ValkeyConfig
    ec2: Ec2Config
    helm: HelmConfig
    # Only in config/local.yaml: every AWS endpoint on a local emulator. Default: none (real AWS).
    emulator: EmulatorConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _azs_in_region(cls, data: Any) -> Any:
        # Runs on the raw mapping, before the vpc section's own checks, so a zone in the
        # wrong region is reported as such rather than as a missing public/private pair.
        region = data.get("region") if isinstance(data, dict) else None
        vpc = data.get("vpc") if isinstance(data, dict) else None
        if not isinstance(region, str) or not isinstance(vpc, dict):
            return data
        for kind in ("public_subnets", "private_subnets"):
            subnets = vpc.get(kind)
            for i, subnet in enumerate(subnets if isinstance(subnets, list) else []):
                az = subnet.get("availability_zone") if isinstance(subnet, dict) else None
                if isinstance(az, str) and not re.fullmatch(re.escape(region) + "[a-z]", az):
                    raise FieldError(
                        f"vpc.{kind}[{i}].availability_zone",
                        f"{az!r} is not an availability zone of region {region}; expected {region} plus a letter, e.g. {region}a",
                    )
        return data

    @model_validator(mode="after")
    def _ec2_in_a_public_subnet(self) -> "PlatformConfig":
        public = [s.name for s in self.vpc.public_subnets]
        if self.ec2.subnet not in public:
            raise FieldError("ec2.subnet", f"{self.ec2.subnet!r} is not a public subnet; allowed: {', '.join(public)}")
        return self

    @model_validator(mode="after")
    def _observability_buckets_exist(self) -> "PlatformConfig":
        for component in self.helm.enabled_observability():
            for purpose in COMPONENT_BUCKETS[component]:
                if purpose not in self.s3.purposes:
                    raise FieldError(
                        f"helm.{component}.enabled",
                        f"true needs the bucket {purpose!r}, which 03-s3 does not create; add it to "
                        f"s3.observability_buckets or set helm.{component}.enabled: false",
                    )
        return self
