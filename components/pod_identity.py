"""EKS Pod Identity: an IAM role for one Kubernetes service account.

Trust policy from https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html,
narrowed with aws:SourceAccount and aws:SourceArn (the cluster) against the confused-deputy
problem.
"""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.eks_cluster import EksCluster
from components.iam import Condition, Statement, policy_document
from officeless.tf import Construct, aws


class PodIdentityRole(Construct):
    """:param cluster: cluster whose pod-identity agent hands out the credentials; the trust
        policy requires aws:SourceArn = this cluster.
    :param namespace: Kubernetes namespace of the service account.
    :param service_account: the service account's name; only its pods get the role.
    :param role_name: IAM role name.
    :param managed_policies: names of AWS-managed policies to attach. Default: none.
    :param statements: an inline policy, for permissions narrower than any managed policy.
        Default: none.
    :param cluster_arn: the cluster's ARN in the trust policy. Default: the cluster resource's
        attribute. Built from the name instead, the role no longer waits for the cluster (the
        rehearsal, on an emulator without EKS, can then create it); the value is the same.
    """

    def __init__(self, scope: Construct, id_: str, *, cluster: EksCluster, namespace: str, service_account: str,
                 role_name: str, managed_policies: Sequence[str] = (), statements: Sequence[Statement] = (),
                 cluster_arn: str | None = None) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        conditions = [Condition("StringEquals", "aws:SourceAccount", [ctx.account_id]),
                      Condition("ArnEquals", "aws:SourceArn", [cluster_arn or cluster.cluster_arn])]
        trust = policy_document(self, "trust", [
            Statement(actions=["sts:AssumeRole", "sts:TagSession"], principals={"Service": ["pods.eks.amazonaws.com"]},
                      conditions=conditions),
        ])
        self._role = aws.iam_role.IamRole(
            self, "role", name=role_name, assume_role_policy=trust.json,
            description=f"Pod Identity for {namespace}/{service_account} on {cluster.name}",
        )
        for policy in managed_policies:
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, f"attach-{policy}", role=self._role.name, policy_arn=ctx.managed_policy_arn(policy)
            )
        if statements:
            inline = policy_document(self, "policy", statements)
            aws.iam_role_policy.IamRolePolicy(self, "inline", role=self._role.id, name=role_name, policy=inline.json)
        self._association = aws.eks_pod_identity_association.EksPodIdentityAssociation(
            self, "association", cluster_name=cluster.cluster_name, namespace=namespace, service_account=service_account,
            role_arn=self._role.arn,
        )
        self.namespace = namespace
        self.service_account = service_account

    @property
    def role_arn(self) -> str:
        return self._role.arn

    @property
    def association(self) -> aws.eks_pod_identity_association.EksPodIdentityAssociation:
        return self._association
