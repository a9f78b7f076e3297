"""An EKS control plane: IAM role, security group, logs, secrets encryption, access, OIDC.

Shape after terraform-aws-modules/eks: the control-plane log group is created by us
before the cluster (otherwise EKS creates it with infinite retention and Terraform never
manages it), and the cluster role may use the KMS key for envelope encryption.
"""

from __future__ import annotations

from typing import Sequence

from components.aws_context import AwsContext
from components.iam import Statement, policy_document, service_trust
from components.kms import CustomerKey
from components.protection import lifecycle
from components.security_group import SecurityGroup
from officeless import names
from officeless.config import versions
from officeless.config.eks import EksConfig
from officeless.tf import Construct, aws, core

_eks = aws.eks_cluster


class EksCluster(Construct):
    """:param config: the validated ``eks`` config section.
    :param vpc_id: VPC of the cluster's security group.
    :param vpc_cidr_block: the only source allowed to reach the API on 443.
    :param subnet_ids: subnets for the control plane's network interfaces (the private ones).
    """

    def __init__(self, scope: Construct, id_: str, *, config: EksConfig, vpc_id: str, vpc_cidr_block: str,
                 subnet_ids: Sequence[str]) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        name = config.cluster_name
        self.name = name  # plain string, for names and tag keys (a token cannot be a map key)
        log_group_name = f"/aws/eks/{name}/cluster"

        self.kms_key: CustomerKey | None = None
        if config.secrets_encryption:
            self.kms_key = CustomerKey(self, "kms", alias=f"{name}-eks", description=f"Encrypts secrets, logs and EFS of EKS cluster {name}",
                                       log_group_names=[log_group_name], prevent_destroy=config.prevent_destroy)
        log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "log-group", name=log_group_name, retention_in_days=config.log_retention_days,
            kms_key_id=self.kms_key.key_arn if self.kms_key else None,
        )

        trust = service_trust(self, "role-trust", "eks.amazonaws.com", account_id=ctx.account_id)
        role = aws.iam_role.IamRole(self, "role", name=names.cluster_role(name), assume_role_policy=trust.json,
                                    description=f"EKS control plane of {name}")
        attachments = [aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self, "role-cluster-policy", role=role.name, policy_arn=ctx.managed_policy_arn("AmazonEKSClusterPolicy"))]
        if self.kms_key:
            # https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
            kms_use = policy_document(self, "role-kms-policy", [Statement(
                sid="EnvelopeEncryption", actions=["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                resources=[self.kms_key.key_arn])])
            attachments.append(aws.iam_role_policy.IamRolePolicy(self, "role-kms", role=role.id, name="secrets-encryption",
                                                                 policy=kms_use.json))

        self.security_group = SecurityGroup(self, "sg", name=f"{name}-cluster", vpc_id=vpc_id,
                                            description=f"EKS {name} control plane: API reachable from the VPC only")
        self.security_group.allow_ingress("https-from-vpc", description="Kubernetes API from inside the VPC",
                                          protocol="tcp", port=443, cidr=vpc_cidr_block)
        self.security_group.allow_egress("all-to-vpc", description="Control plane to nodes and webhooks in the VPC",
                                         protocol="-1", cidr=vpc_cidr_block)

        self._cluster = _eks.EksCluster(
            self,
            "cluster",
            name=name,
            version=config.kubernetes_version,
            role_arn=role.arn,
            vpc_config=_eks.EksClusterVpcConfig(
                subnet_ids=list(subnet_ids),
                endpoint_private_access=config.endpoint_private_access,
                endpoint_public_access=config.endpoint_public_access,
                public_access_cidrs=list(config.public_access_cidrs) or None,
                security_group_ids=[self.security_group.security_group_id],
            ),
            enabled_cluster_log_types=list(config.log_types),
            encryption_config=_eks.EksClusterEncryptionConfig(
                resources=["secrets"], provider=_eks.EksClusterEncryptionConfigProvider(key_arn=self.kms_key.key_arn)
            ) if self.kms_key else None,
            access_config=_eks.EksClusterAccessConfig(
                authentication_mode=config.authentication_mode, bootstrap_cluster_creator_admin_permissions=True
            ),
            # vpc-cni, kube-proxy and coredns come as managed addons (pinned in config), not
            # as the unmanaged copies EKS would otherwise install first.
            bootstrap_self_managed_addons=False,
            # EXTENDED (AWS's default) or STANDARD; config refuses STANDARD on a minor already
            # past standard support, where EKS would upgrade the cluster straight away.
            upgrade_policy=_eks.EksClusterUpgradePolicy(support_type=config.support_type),
            lifecycle=lifecycle(prevent_destroy=config.prevent_destroy,
                                precondition=[self._one_minor_at_a_time(name, config.kubernetes_version)]),
            depends_on=[log_group, *attachments],
        )

        if config.uses_access_entries:
            for role_name in config.admin_role_names:
                entry = aws.eks_access_entry.EksAccessEntry(
                    self, f"admin-{role_name}", cluster_name=self._cluster.name, type="STANDARD",
                    principal_arn=ctx.arn("iam", f"role/{role_name}", region=False),
                )
                aws.eks_access_policy_association.EksAccessPolicyAssociation(
                    self, f"admin-{role_name}-policy", cluster_name=self._cluster.name, principal_arn=entry.principal_arn,
                    policy_arn=f"arn:{ctx.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    access_scope=aws.eks_access_policy_association.EksAccessPolicyAssociationAccessScope(type="cluster"),
                )

        # IRSA. EKS's issuer is one of the providers for which IAM ignores thumbprints, so
        # none is pinned (no tls provider needed):
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html
        self._oidc = aws.iam_openid_connect_provider.IamOpenidConnectProvider(
            self, "oidc-provider", url=self.oidc_issuer_url, client_id_list=["sts.amazonaws.com"],
            tags={"Name": f"{name}-irsa"},
        )

    def _one_minor_at_a_time(self, name: str, target: str) -> core.Precondition:
        """A plan-time check against the running cluster: EKS upgrades one minor per update and
        never downgrades, so ``target`` must equal the running minor or the next one.

        Synth stays offline, so the check is Terraform's: it reads the cluster only when the
        region lists it (``count`` 0 on the first deploy, when no cluster exists yet, so the
        first plan passes), and falls back to ``target`` itself when there is none.
        """
        listed = aws.data_aws_eks_clusters.DataAwsEksClusters(self, "existing-clusters")
        running = aws.data_aws_eks_cluster.DataAwsEksCluster(
            self, "running-cluster", name=name,
            count=core.Token.as_number(core.Fn.conditional(core.Fn.contains(listed.names, name), 1, 0)),
        )
        allowed = [versions.previous_minor(target), target]
        allowed_hcl = ", ".join(f'"{v}"' for v in allowed)
        return core.Precondition(
            condition=f'${{contains([{allowed_hcl}], try({running.fqn}[0].version, "{target}"))}}',
            error_message=(f"eks.kubernetes_version {target} needs the running cluster {name} on {' or '.join(allowed)}: "
                           f"EKS upgrades one minor at a time and never downgrades. Set kubernetes_version to the minor "
                           f"after the running one and upgrade step by step (README \"Upgrading Kubernetes\")."),
        )

    @property
    def resource(self) -> _eks.EksCluster:
        return self._cluster

    @property
    def cluster_name(self) -> str:
        return self._cluster.name

    @property
    def cluster_arn(self) -> str:
        return self._cluster.arn

    @property
    def cluster_endpoint(self) -> str:
        return self._cluster.endpoint

    @property
    def cluster_certificate_authority_data(self) -> str:
        return self._cluster.certificate_authority.get(0).data

    @property
    def cluster_security_group_id(self) -> str:
        """The additional security group this construct creates (API on 443 from the VPC)."""
        return self.security_group.security_group_id

    @property
    def cluster_primary_security_group_id(self) -> str:
        """The security group EKS creates; managed nodes without their own groups use it."""
        return self._cluster.vpc_config.cluster_security_group_id

    @property
    def vpc_id(self) -> str:
        return self._cluster.vpc_config.vpc_id

    @property
    def oidc_issuer_url(self) -> str:
        return self._cluster.identity.get(0).oidc.get(0).issuer

    @property
    def oidc_provider_arn(self) -> str:
        return self._oidc.arn
