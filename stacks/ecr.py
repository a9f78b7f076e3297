"""10-ecr: the environment's container image repositories and pull-through caches.

Its own stack: images outlive clusters, and CI pushes to the repositories whatever state the
platform is in. Built only when config lists repositories or caches.
"""

from __future__ import annotations

from components.ecr import ImageRepositories
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct
from stacks.base import PlatformStack

NAME = "10-ecr"


class EcrStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, NAME, config=config)
        ecr = config.ecr
        images = ImageRepositories(self, "ecr", key_alias=f"{config.project}-{config.environment}-ecr",
                                   repositories=ecr.repositories, keep_images=ecr.keep_images,
                                   pull_through_cache=ecr.pull_through_cache, prevent_destroy=ecr.prevent_destroy)
        self.output("repository_urls", {name: r.repository_url for name, r in images.repositories.items()},
                    "Repository URL by name")
