"""ECR: private repositories and pull-through caches of public registries.

Repositories scan on push, refuse to overwrite a tag (a deployed tag always means the same
image), encrypt with a customer-managed key and keep the newest N images:
https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html. Pull-through cache
rules create their repositories on first pull from a creation template (mutable tags there: the
cache follows the upstream's moving tags). Upstream credentials stay in Secrets Manager, read
here by name for their ARN only, so no registry password enters the JSON or the state:
https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-secret.html
"""

from __future__ import annotations

import json
from typing import Mapping, Sequence

from components.aws_context import AwsContext
from components.iam import Statement, policy_document
from components.kms import CustomerKey
from components.protection import lifecycle
from officeless.config.ecr import PullThroughCacheConfig
from officeless.tf import Construct, aws


def lifecycle_policy(keep_images: int) -> str:
    """Untagged images go after a day; of the rest, the newest ``keep_images`` stay."""
    return json.dumps({"rules": [
        {"rulePriority": 1, "description": "untagged images after 1 day", "action": {"type": "expire"},
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}},
        {"rulePriority": 2, "description": f"keep the newest {keep_images} images", "action": {"type": "expire"},
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_images}},
    ]}, sort_keys=True)


class ImageRepositories(Construct):
    """:param key_alias: alias of the KMS key encrypting the repositories.
    :param repositories: repository names. Default: none.
    :param keep_images: images kept per repository (and per cached repository).
    :param pull_through_cache: one rule (and creation template) per entry. Default: none.
    :param prevent_destroy: Terraform refuses to destroy the repositories and their key. Default False.
    """

    def __init__(self, scope: Construct, id_: str, *, key_alias: str, repositories: Sequence[str] = (), keep_images: int,
                 pull_through_cache: Sequence[PullThroughCacheConfig] = (), prevent_destroy: bool = False) -> None:
        super().__init__(scope, id_)
        policy = lifecycle_policy(keep_images)
        self.repositories: dict[str, aws.ecr_repository.EcrRepository] = {}
        if repositories:
            key = CustomerKey(self, "kms", alias=key_alias, description="Encrypts the container images of the ECR repositories",
                              prevent_destroy=prevent_destroy)
            for name in repositories:
                repository = aws.ecr_repository.EcrRepository(
                    self, f"repository-{name}", name=name, image_tag_mutability="IMMUTABLE", force_delete=False,
                    image_scanning_configuration=aws.ecr_repository.EcrRepositoryImageScanningConfiguration(scan_on_push=True),
                    encryption_configuration=[aws.ecr_repository.EcrRepositoryEncryptionConfiguration(
                        encryption_type="KMS", kms_key=key.key_arn)],
                    lifecycle=lifecycle(prevent_destroy=prevent_destroy),
                )
                aws.ecr_lifecycle_policy.EcrLifecyclePolicy(self, f"lifecycle-{name}", repository=repository.name, policy=policy)
                self.repositories[name] = repository
        for rule in pull_through_cache:
            prefix = rule.repository_prefix
            credential = None
            if rule.credential_secret:
                # Metadata only (name -> ARN): this data source never reads the secret's value.
                credential = aws.data_aws_secretsmanager_secret.DataAwsSecretsmanagerSecret(
                    self, f"credential-{prefix}", name=rule.credential_secret).arn
            aws.ecr_pull_through_cache_rule.EcrPullThroughCacheRule(
                self, f"pull-through-{prefix}", ecr_repository_prefix=prefix, upstream_registry_url=rule.upstream_url,
                credential_arn=credential)
            # AES256 keeps the template free of a custom role (KMS or tags in a template need one);
            # the cached images are public ones.
            aws.ecr_repository_creation_template.EcrRepositoryCreationTemplate(
                self, f"template-{prefix}", prefix=prefix, applied_for=["PULL_THROUGH_CACHE"],
                description=f"Repositories of the {rule.upstream} pull-through cache",
                image_tag_mutability="MUTABLE", lifecycle_policy=policy,
                encryption_configuration=[aws.ecr_repository_creation_template.EcrRepositoryCreationTemplateEncryptionConfiguration(
                    encryption_type="AES256")],
            )


class PullThroughCacheAccess(Construct):
    """Lets nodes pull through the caches: the first pull of an image imports it and creates its
    repository (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html),
    which the nodes' managed read-only ECR policies do not allow. Only under the caches' prefixes.

    :param name: the IAM policy's name.
    :param prefixes: the caches' repository prefixes.
    :param role_names: the node roles that get the policy, by a stable key (the node group's name).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, prefixes: Sequence[str],
                 role_names: Mapping[str, str]) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        document = policy_document(self, "document", [Statement(
            sid="ImportThroughPullThroughCache", actions=["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
            resources=[ctx.arn("ecr", f"repository/{prefix}/*") for prefix in prefixes])])
        policy = aws.iam_policy.IamPolicy(self, "policy", name=name, policy=document.json,
                                          description="Nodes import images through the ECR pull-through caches")
        for key, role in role_names.items():
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(self, f"attachment-{key}", role=role, policy_arn=policy.arn)
