"""Terraform Cloud as code: 00-tfc-iam (AWS) and 00-tfc-workspaces (tfe), for the ``cloud`` backend.

Both are derived from the stack graph the app builds (``graph``: stack -> the stacks it depends on,
the same edges manifest.json records), not from a second list:

- **00-tfc-iam**: the IAM OIDC provider for the Terraform Cloud host (audience
  ``aws.workload.identity``; once per account, so only the environment that owns it creates it and
  the others look it up) and the environment's plan and apply roles, each trusted only by the runs
  of this environment's workspaces in that phase (the ``sub`` claim pinned to
  ``organization:<org>:project:<project>:workspace:<workspace>:run_phase:<plan|apply>``).
  https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
- **00-tfc-workspaces**: the environment's project, one workspace per stack with its settings
  (``tfe_workspace_settings``: the workspace-level ``execution_mode``, ``agent_pool_id``,
  ``global_remote_state`` and ``remote_state_consumer_ids`` are deprecated), remote state shared
  only with the stacks that read it, a run trigger from each stack to each of its dependents, agent
  execution (an agent pool allowed to exactly those workspaces) for the stacks that talk to the
  private Kubernetes API and remote execution for the rest, and the dynamic-credential variables.

Neither can keep its state in the workspaces it creates: both keep it in local files
(``terraform-state/<environment>/``, git-ignored), like 00-state's bootstrap (README).
"""

from __future__ import annotations

from typing import Mapping, Sequence

from components.iam import Condition, Statement, policy_document
from officeless import names
from officeless.config.backend import CloudBackendConfig
from officeless.config.platform import PlatformConfig
from officeless.tf import Construct, aws, core, tfe
from stacks.base import PlatformStack
from stacks.state import LOCAL_STATE_DIRECTORY, local_state_path

IAM = "00-tfc-iam"
WORKSPACES = "00-tfc-workspaces"
AUDIENCE = "aws.workload.identity"
PHASES = ("plan", "apply")


def dependents(graph: Mapping[str, Sequence[str]], stack: str) -> list[str]:
    """The stacks that depend on ``stack`` (read its outputs or must deploy after it)."""
    return sorted(name for name, needs in graph.items() if stack in needs)


def subjects(backend: CloudBackendConfig, environment: str, stacks: Sequence[str], phase: str) -> list[str]:
    project = backend.project_name(environment)
    return [f"organization:{backend.organization}:project:{project}:workspace:{backend.workspace_name(environment, s)}"
            f":run_phase:{phase}" for s in stacks]


def role_arn(backend: CloudBackendConfig, name: str) -> str:
    return f"arn:aws:iam::{backend.aws_account_id}:role/{name}"


def plan_extras(config: PlatformConfig) -> list[Statement]:
    """What a plan must do beyond reading (ReadOnlyAccess): 07-valkey's ephemeral password
    generator and the read of the token it wrote (components/valkey.py). Kubernetes-side reads
    are RBAC, granted in the cluster (components/cluster_access.py)."""
    secret = (f"arn:aws:secretsmanager:{config.region}:{config.backend.aws_account_id}:secret:"  # type: ignore[union-attr]
              f"{config.environment}/valkey/{config.valkey.name}/auth-token-??????")
    return [
        Statement(sid="ValkeyTokenGenerator", actions=["secretsmanager:GetRandomPassword"], resources=["*"]),
        Statement(sid="ValkeyTokenRead", actions=["secretsmanager:GetSecretValue"], resources=[secret]),
        Statement(sid="ValkeyTokenDecrypt", actions=["kms:Decrypt"], resources=["*"],
                  conditions=[Condition("StringEquals", "kms:ViaService", [f"secretsmanager.{config.region}.amazonaws.com"]),
                              Condition("ArnLike", "kms:EncryptionContext:SecretARN", [secret])]),
    ]


class TfcIamStack(PlatformStack):
    """:param stacks: the stacks whose workspaces' runs may assume the roles."""

    def __init__(self, scope: Construct, *, config: PlatformConfig, stacks: Sequence[str]) -> None:
        backend = config.backend
        assert isinstance(backend, CloudBackendConfig)
        super().__init__(scope, IAM, config=config, manage_state=False)
        core.LocalBackend(self, path=local_state_path(LOCAL_STATE_DIRECTORY, config.environment, IAM))
        url = f"https://{backend.hostname}"
        if backend.owns_oidc_provider:
            provider_arn = aws.iam_openid_connect_provider.IamOpenidConnectProvider(
                self, "oidc-provider", url=url, client_id_list=[AUDIENCE]).arn
        else:
            provider_arn = aws.data_aws_iam_openid_connect_provider.DataAwsIamOpenidConnectProvider(
                self, "oidc-provider", url=url).arn
        host = backend.hostname
        self.roles = {}
        for phase in PHASES:
            trust = policy_document(self, f"{phase}-trust", [Statement(
                actions=["sts:AssumeRoleWithWebIdentity"], principals={"Federated": [provider_arn]},
                conditions=[Condition("StringEquals", f"{host}:aud", [AUDIENCE]),
                            Condition("StringEquals", f"{host}:sub", subjects(backend, config.environment, stacks, phase))])])
            role = aws.iam_role.IamRole(
                self, f"{phase}-role", name=names.tfc_role(config.project, config.environment, phase),
                assume_role_policy=trust.json, max_session_duration=7200,
                description=f"Terraform Cloud {phase} runs of the {config.environment} workspaces")
            self.roles[phase] = role
        # Plans read; applies change everything the stacks hold (IAM roles, KMS keys, the cluster).
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self, "plan-read-only", role=self.roles["plan"].name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        extras = policy_document(self, "plan-extras-document", plan_extras(config))
        aws.iam_role_policy.IamRolePolicy(self, "plan-extras", role=self.roles["plan"].id, name="plan-extras",
                                          policy=extras.json)
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self, "apply-admin", role=self.roles["apply"].name, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
        self.output("oidc_provider_arn", provider_arn, "IAM OIDC provider of the Terraform Cloud host")
        self.output("plan_role_arn", self.roles["plan"].arn, "Role of the environment's plan runs")
        self.output("apply_role_arn", self.roles["apply"].arn, "Role of the environment's apply runs")

    def credentials(self) -> tuple[dict[str, str], str]:
        """The workspaces' variables for dynamic AWS credentials (these roles)."""
        return aws_credentials(self.config)


def aws_credentials(config: PlatformConfig) -> tuple[dict[str, str], str]:
    """The workspaces' variables for dynamic AWS credentials (00-tfc-iam's roles), and their description."""
    backend = config.backend
    assert isinstance(backend, CloudBackendConfig)
    roles = {phase: role_arn(backend, names.tfc_role(config.project, config.environment, phase)) for phase in PHASES}
    return ({"TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_PLAN_ROLE_ARN": roles["plan"],
             "TFC_AWS_APPLY_ROLE_ARN": roles["apply"]}, "Dynamic AWS credentials (00-tfc-iam)")


class TfcWorkspacesStack(core.TerraformStack):
    """:param graph: stack -> the stacks it depends on (the app's, as in manifest.json).
    :param agent_stacks: the stacks whose runs reach the private Kubernetes API: agent execution.
    :param credentials: (environment variables of every workspace, their description): how runs sign
        in to the cloud, as the target's identity stack gives them.
    """

    def __init__(self, scope: Construct, *, config, graph: Mapping[str, Sequence[str]], agent_stacks: Sequence[str],
                 credentials: tuple[Mapping[str, str], str]) -> None:
        backend = config.backend
        super().__init__(scope, WORKSPACES)
        variables, why = credentials
        core.LocalBackend(self, path=local_state_path(LOCAL_STATE_DIRECTORY, config.environment, WORKSPACES))
        env = config.environment
        org = backend.organization
        # The token comes from TFE_TOKEN (or `terraform login`), never from config.
        tfe.provider.TfeProvider(self, "tfe", hostname=backend.hostname, organization=org)
        project = tfe.project.Project(self, "project", name=backend.project_name(env), organization=org,
                                      description=f"Officeless {env}: one workspace per stack")
        pool = tfe.agent_pool.AgentPool(self, "agent-pool", name=backend.agent_pool_name(env), organization=org,
                                        organization_scoped=False)
        workspaces = {
            stack: tfe.workspace.Workspace(
                self, f"workspace-{stack}", name=backend.workspace_name(env, stack), organization=org,
                project_id=project.id, description=f"Officeless {env}: stack {stack} (cdktf.out/stacks/{stack})",
                queue_all_runs=False)
            for stack in graph
        }
        allowed = tfe.agent_pool_allowed_workspaces.AgentPoolAllowedWorkspaces(
            self, "agent-pool-workspaces", agent_pool_id=pool.id,
            allowed_workspace_ids=[workspaces[s].id for s in sorted(agent_stacks)])
        for stack, workspace in workspaces.items():
            agent = stack in agent_stacks
            tfe.workspace_settings.WorkspaceSettings(
                self, f"settings-{stack}", workspace_id=workspace.id,
                execution_mode="agent" if agent else "remote", agent_pool_id=pool.id if agent else None,
                global_remote_state=False,
                remote_state_consumer_ids=[workspaces[d].id for d in dependents(graph, stack)],
                depends_on=[allowed] if agent else None)
            for dependency in graph[stack]:
                tfe.run_trigger.RunTrigger(self, f"trigger-{dependency}-{stack}", workspace_id=workspace.id,
                                           sourceable_id=workspaces[dependency].id)
            for key, value in variables.items():
                tfe.variable.Variable(self, f"{stack}-{key}", key=key, value=value, category="env",
                                      workspace_id=workspace.id, description=why)
        core.TerraformOutput(self, "project_id", value=project.id, description="Terraform Cloud project of the environment")
        core.TerraformOutput(self, "agent_pool_id", value=pool.id,
                             description="Agent pool of the workspaces that reach the private cluster endpoint")


# --- Google Cloud (issue #31): workload identity federation instead of an OIDC provider and roles ----
WIF = "00-tfc-wif"


class TfcGcpIdentityStack(core.TerraformStack):
    """00-tfc-wif: Terraform Cloud's runs sign in to Google Cloud without a key: a workload identity pool
    with an OIDC provider for the Terraform Cloud host that admits only tokens of this environment's
    project in the organization, and two service accounts, plan (reads: viewer, security reviewer) and
    apply (owner, as the apply role is administrator on AWS), each impersonable only by the runs of
    its phase. Its state is a local file, as 00-tfc-workspaces'.
    https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/gcp-configuration
    """

    def __init__(self, scope: Construct, *, config) -> None:
        from officeless.tf import google

        backend = config.backend
        super().__init__(scope, WIF)
        core.LocalBackend(self, path=local_state_path(LOCAL_STATE_DIRECTORY, config.environment, WIF))
        google.provider.GoogleProvider(self, "google", project=config.gcp_project, region=config.region)
        project = google.data_google_project.DataGoogleProject(self, "project")
        pool = google.iam_workload_identity_pool.IamWorkloadIdentityPool(
            self, "pool", workload_identity_pool_id=f"tfc-{config.environment}"[:32],
            display_name=f"Terraform Cloud {config.environment}"[:32],
            description=f"Runs of the {backend.project_name(config.environment)} workspaces")
        claims = ("terraform_run_phase", "terraform_project_name", "terraform_workspace_name",
                  "terraform_organization_name", "terraform_run_id", "terraform_full_workspace")
        wip = google.iam_workload_identity_pool_provider
        provider = wip.IamWorkloadIdentityPoolProvider(
            self, "provider", workload_identity_pool_id=pool.workload_identity_pool_id,
            workload_identity_pool_provider_id="terraform-cloud", display_name="Terraform Cloud",
            oidc=wip.IamWorkloadIdentityPoolProviderOidc(issuer_uri=f"https://{backend.hostname}"),
            attribute_mapping={"google.subject": "assertion.sub", "attribute.aud": "assertion.aud",
                               **{f"attribute.{claim}": f"assertion.{claim}" for claim in claims}},
            attribute_condition=(f'assertion.terraform_organization_name == "{backend.organization}" && '
                                 f'assertion.terraform_project_name == "{backend.project_name(config.environment)}"'))
        roles = {"plan": ("roles/viewer", "roles/iam.securityReviewer"), "apply": ("roles/owner",)}
        self.accounts = {}
        for phase in PHASES:
            account = google.service_account.ServiceAccount(
                self, f"{phase}-sa", account_id=f"tfc-{config.environment}-{phase}"[:30],
                display_name=f"Terraform Cloud {phase} runs of {config.environment}")
            for role in roles[phase]:
                google.project_iam_member.ProjectIamMember(self, f"{phase}-{role.split('/')[1].replace('.', '-')}",
                                                           project=config.gcp_project, role=role, member=account.member)
            google.service_account_iam_member.ServiceAccountIamMember(
                self, f"{phase}-runs-impersonate", service_account_id=account.name, role="roles/iam.workloadIdentityUser",
                member=(f"principalSet://iam.googleapis.com/projects/{project.number}/locations/global/"
                        f"workloadIdentityPools/{pool.workload_identity_pool_id}/attribute.terraform_run_phase/{phase}"))
            self.accounts[phase] = account
        self.provider_name = provider.name
        core.TerraformOutput(self, "workload_provider_name", value=provider.name,
                             description="The pool's provider, as TFC_GCP_WORKLOAD_PROVIDER_NAME names it")
        for phase, account in self.accounts.items():
            core.TerraformOutput(self, f"{phase}_service_account", value=account.email,
                                 description=f"The service account of {phase} runs")

    def credentials(self) -> tuple[dict[str, str], str]:
        """The workspaces' variables for dynamic Google Cloud credentials."""
        return ({"TFC_GCP_PROVIDER_AUTH": "true", "TFC_GCP_WORKLOAD_PROVIDER_NAME": self.provider_name,
                 "TFC_GCP_PLAN_SERVICE_ACCOUNT_EMAIL": self.accounts["plan"].email,
                 "TFC_GCP_APPLY_SERVICE_ACCOUNT_EMAIL": self.accounts["apply"].email},
                "Dynamic Google Cloud credentials (00-tfc-wif)")


# --- Azure (issue #32): managed identities with federated credentials -------------------------------
IDENTITY = "00-tfc-identity"
# The audience Terraform Cloud's Azure tokens carry by default, the one Entra ID exchanges:
# https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/azure-configuration
AZURE_AUDIENCE = "api://AzureADTokenExchange"
# Entra ID takes at most 20 federated credentials per managed identity:
# https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations#general-federated-identity-credential-considerations
FEDERATED_CREDENTIALS_MAX = 20


class TfcAzureIdentityStack(core.TerraformStack):
    """00-tfc-identity: Terraform Cloud's runs sign in to Azure without a secret: two user-assigned managed
    identities in a resource group of their own, plan (Reader and Key Vault Reader on the subscription)
    and apply (Owner, as the apply role is administrator on AWS), each federated with exactly the runs
    of its phase in each of this environment's workspaces (an Entra ID federated credential matches one
    subject exactly: ``organization:<org>:project:<project>:workspace:<workspace>:run_phase:<phase>``).
    Its state is a local file, as 00-tfc-workspaces'.
    https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/azure-configuration

    :param stacks: the environment's stacks (one workspace each)."""

    def __init__(self, scope: Construct, *, config, stacks: Sequence[str]) -> None:
        from officeless.tf import azurerm

        backend = config.backend
        super().__init__(scope, IDENTITY)
        assert len(stacks) <= FEDERATED_CREDENTIALS_MAX, "more workspaces than an identity takes federated credentials"
        core.LocalBackend(self, path=local_state_path(LOCAL_STATE_DIRECTORY, config.environment, IDENTITY))
        azurerm.provider.AzurermProvider(self, "azurerm", features=[azurerm.provider.AzurermProviderFeatures()],
                                         subscription_id=config.subscription_id, storage_use_azuread=True)
        client = azurerm.data_azurerm_client_config.DataAzurermClientConfig(self, "current")
        group = azurerm.resource_group.ResourceGroup(self, "group", name=f"{config.resource_group}-tfc",
                                                     location=config.location, tags=dict(config.tags))
        subscription = f"/subscriptions/{config.subscription_id}"
        roles = {"plan": ("Reader", "Key Vault Reader"), "apply": ("Owner",)}
        self.identities = {}
        for phase in PHASES:
            identity = azurerm.user_assigned_identity.UserAssignedIdentity(
                self, f"{phase}-identity", name=f"tfc-{config.environment}-{phase}", resource_group_name=group.name,
                location=config.location, tags=dict(config.tags))
            for role in roles[phase]:
                azurerm.role_assignment.RoleAssignment(
                    self, f"{phase}-{role.lower().replace(' ', '-')}", scope=subscription, role_definition_name=role,
                    principal_id=identity.principal_id, principal_type="ServicePrincipal")
            for stack, subject in zip(stacks, subjects(backend, config.environment, stacks, phase)):
                azurerm.federated_identity_credential.FederatedIdentityCredential(
                    self, f"{phase}-{stack}", name=f"{stack}-{phase}", resource_group_name=group.name,
                    parent_id=identity.id, audience=[AZURE_AUDIENCE], issuer=f"https://{backend.hostname}",
                    subject=subject)
            self.identities[phase] = identity
            core.TerraformOutput(self, f"{phase}_client_id", value=identity.client_id,
                                 description=f"The managed identity of {phase} runs")
        self.tenant_id = client.tenant_id

    def credentials(self) -> tuple[dict[str, str], str]:
        """The workspaces' variables for dynamic Azure credentials."""
        return ({"TFC_AZURE_PROVIDER_AUTH": "true", "TFC_AZURE_PLAN_CLIENT_ID": self.identities["plan"].client_id,
                 "TFC_AZURE_APPLY_CLIENT_ID": self.identities["apply"].client_id, "ARM_TENANT_ID": self.tenant_id},
                "Dynamic Azure credentials (00-tfc-identity)")
