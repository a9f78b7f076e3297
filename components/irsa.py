"""IAM roles for service accounts (IRSA): a role only one Kubernetes service account can assume.

External Secrets stores authenticate this way (``auth.jwt.serviceAccountRef``): the controller asks
the API server for a token of the named service account and exchanges it with STS
(AssumeRoleWithWebIdentity). EKS Pod Identity cannot serve them: it hands credentials to the pods
that run as a service account, and the stores' service accounts run no pods; the controller's
own identity is what a store without ``auth`` uses, so the controller has none (08-platform).

Trust policy after https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html:
the cluster's OIDC provider as the only principal, ``sub`` equal to
``system:serviceaccount:<namespace>:<name>`` and ``aud`` equal to ``sts.amazonaws.com``
(StringEquals: no wildcard can widen it to another namespace).
"""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.iam import Condition, Statement, policy_document
from officeless.tf import Construct, aws, core

AUDIENCE = "sts.amazonaws.com"
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


def subject(namespace: str, service_account: str) -> str:
    return f"system:serviceaccount:{namespace}:{service_account}"


class ClusterIssuer(Construct):
    """The cluster's OIDC issuer, read from the cluster by name, so the stack adds no output to
    02-eks. One per stack: :meth:`of`."""

    _ID = "cluster-oidc-issuer"

    def __init__(self, scope: Construct, id_: str, *, cluster_name: str) -> None:
        super().__init__(scope, id_)
        cluster = aws.data_aws_eks_cluster.DataAwsEksCluster(self, "cluster", name=cluster_name)
        self.host = core.Fn.replace(cluster.identity.get(0).oidc.get(0).issuer, "https://", "")
        ctx = AwsContext.of(scope)
        # 02-eks's aws_iam_openid_connect_provider for this issuer.
        self.provider_arn = f"arn:{ctx.partition}:iam::{ctx.account_id}:oidc-provider/{self.host}"

    @classmethod
    def of(cls, scope: Construct, *, cluster_name: str) -> "ClusterIssuer":
        stack = core.TerraformStack.of(scope)
        found = stack.node.try_find_child(cls._ID)
        return found if isinstance(found, ClusterIssuer) else ClusterIssuer(stack, cls._ID, cluster_name=cluster_name)


class ServiceAccountRole(Construct):
    """:param cluster_name: the cluster whose OIDC provider vouches for the service account.
    :param namespace: the service account's namespace. :param service_account: its name.
    :param role_name: the IAM role's name. :param statements: its inline policy (required: a
        role with nothing to do is not created).
    """

    def __init__(self, scope: Construct, id_: str, *, cluster_name: str, namespace: str, service_account: str,
                 role_name: str, statements: Sequence[Statement]) -> None:
        super().__init__(scope, id_)
        issuer = ClusterIssuer.of(self, cluster_name=cluster_name)
        trust = policy_document(self, "trust", [Statement(
            actions=["sts:AssumeRoleWithWebIdentity"], principals={"Federated": [issuer.provider_arn]},
            conditions=[Condition("StringEquals", f"{issuer.host}:sub", [subject(namespace, service_account)]),
                        Condition("StringEquals", f"{issuer.host}:aud", [AUDIENCE])])])
        self._role = aws.iam_role.IamRole(self, "role", name=role_name, assume_role_policy=trust.json,
                                          description=f"IRSA for {namespace}/{service_account} on {cluster_name}")
        inline = policy_document(self, "policy", statements)
        aws.iam_role_policy.IamRolePolicy(self, "inline", role=self._role.id, name=role_name, policy=inline.json)
        self.namespace = namespace
        self.service_account = service_account

    @property
    def role_arn(self) -> str:
        return self._role.arn

    def annotations(self) -> dict[str, str]:
        """The service account's annotation naming the role (what External Secrets reads)."""
        return {ROLE_ANNOTATION: self.role_arn}
