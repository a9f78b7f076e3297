"""The 10-ecr section: the environment's container image repositories and pull-through caches."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aws_limits import ECR_REPOSITORY_NAME, PULL_THROUGH_SECRET_PREFIX, PULL_THROUGH_UPSTREAMS
from officeless.config.types import Model, one_of
from officeless.errors import FieldError


def _check_repository_name(value: str) -> str:
    if not ECR_REPOSITORY_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not an ECR repository name; allowed: 2-256 characters, lower-case letters and "
                         "digits, components separated by '/' with '.', '_' or '-' inside, e.g. officeless/core-business")
    return value


RepositoryName = Annotated[StrictStr, AfterValidator(_check_repository_name)]
KeepImages = Annotated[StrictInt, Field(ge=1, le=10000)]


class PullThroughCacheConfig(Model):
    """Images of ``upstream`` pulled as ``<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<image>``."""

    upstream: Annotated[StrictStr, one_of(tuple(PULL_THROUGH_UPSTREAMS), "a pull-through cache upstream")]
    # Repository prefix of the cached images. Default: the upstream's name.
    prefix: RepositoryName | None = None
    # Secrets Manager secret (name) with {"username", "accessToken"} of the upstream, created outside
    # Terraform (README "Container images"). Required by docker-hub and github; optional for quay.
    credential_secret: StrictStr | None = None

    @property
    def repository_prefix(self) -> str:
        return self.prefix or self.upstream

    @property
    def upstream_url(self) -> str:
        return PULL_THROUGH_UPSTREAMS[self.upstream][0]

    @model_validator(mode="after")
    def _credentials(self) -> "PullThroughCacheConfig":
        required = PULL_THROUGH_UPSTREAMS[self.upstream][1]
        secret = self.credential_secret
        if secret is None and required:
            raise FieldError("credential_secret", f"missing; {self.upstream} needs credentials: allowed: the name of a secret "
                                                  f"under {PULL_THROUGH_SECRET_PREFIX} (README \"Container images\")")
        if secret is not None and (not secret.startswith(PULL_THROUGH_SECRET_PREFIX) or secret == PULL_THROUGH_SECRET_PREFIX):
            raise FieldError("credential_secret", f"{secret!r}; ECR reads upstream credentials only from secrets named "
                                                  f"{PULL_THROUGH_SECRET_PREFIX}<name>")
        return self


class EcrConfig(Model):
    """Private repositories (scan on push, immutable tags, KMS) and pull-through cache rules."""

    # Repository names (e.g. officeless/core-business). Default: none.
    repositories: list[RepositoryName] = []
    # Lifecycle: keep the newest this many images per repository; untagged ones go after a day.
    # Default 30.
    keep_images: KeepImages = 30
    pull_through_cache: list[PullThroughCacheConfig] = []
    # Terraform refuses to destroy the repositories and their KMS key (lifecycle.prevent_destroy).
    # Default on; dev and local turn it off.
    prevent_destroy: StrictBool = True

    @property
    def enabled(self) -> bool:
        return bool(self.repositories or self.pull_through_cache)

    @model_validator(mode="after")
    def _distinct(self) -> "EcrConfig":
        for i, name in enumerate(self.repositories):
            if name in self.repositories[:i]:
                raise FieldError(f"repositories[{i}]", f"{name!r} is listed twice; list each repository once")
        prefixes = [rule.repository_prefix for rule in self.pull_through_cache]
        for i, prefix in enumerate(prefixes):
            if len(prefix) > 30:  # API_CreatePullThroughCacheRule: ecrRepositoryPrefix is 2-30 characters
                raise FieldError(f"pull_through_cache[{i}].prefix", f"{prefix!r} has {len(prefix)} characters; allowed: at most 30")
            if prefix in prefixes[:i]:
                raise FieldError(f"pull_through_cache[{i}].prefix", f"{prefix!r} is used by another rule; allowed: one rule "
                                                                    "per prefix")
            clash = next((name for name in self.repositories if name == prefix or name.startswith(f"{prefix}/")), None)
            if clash:
                raise FieldError(f"pull_through_cache[{i}].prefix", f"{prefix!r} would cache into repository {clash!r}; "
                                                                    "allowed: a prefix no repository starts with")
        return self
