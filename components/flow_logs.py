"""VPC flow logs delivered to a CloudWatch log group, optionally KMS-encrypted.

Role policy after https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
"""

from __future__ import annotations

from components.aws_context import AwsContext
from components.iam import Statement, policy_document, service_trust
from components.kms import CustomerKey
from officeless import names
from officeless.config.vpc import FlowLogsConfig
from officeless.tf import Construct, aws


class VpcFlowLogs(Construct):
    """Log group ``/aws/vpc/<name>/flow-logs``, its delivery role and the flow log itself.

    :param vpc_id: the VPC whose traffic is logged.
    :param name: the VPC's name, used in the log group, role and key alias names.
    :param config: retention, traffic type, aggregation interval, and whether the log
        group is encrypted with a customer-managed key (rotation on) created here.
    """

    def __init__(self, scope: Construct, id_: str, *, vpc_id: str, name: str, config: FlowLogsConfig) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        log_group_name = f"/aws/vpc/{name}/flow-logs"

        kms_key_id = None
        if config.kms_encryption:
            key = CustomerKey(self, "kms", alias=f"{name}-flow-logs", description=f"Encrypts the VPC flow logs of {name}",
                              log_group_names=[log_group_name], prevent_destroy=config.prevent_destroy)
            kms_key_id = key.key_arn

        log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "log-group", name=log_group_name, retention_in_days=config.retention_days, kms_key_id=kms_key_id
        )

        trust = service_trust(self, "trust", "vpc-flow-logs.amazonaws.com", account_id=ctx.account_id)
        role = aws.iam_role.IamRole(
            self, "role", name=names.flow_logs_role(name), assume_role_policy=trust.json, description=f"Delivers {name} flow logs"
        )
        delivery = policy_document(
            self,
            "delivery-policy",
            [
                Statement(
                    sid="WriteThisLogGroup",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    resources=[log_group.arn, f"{log_group.arn}:*"],
                ),
                Statement(
                    sid="FindTheLogGroup",
                    actions=["logs:DescribeLogGroups"],
                    resources=[ctx.arn("logs", "log-group:*")],
                ),
            ],
        )
        aws.iam_role_policy.IamRolePolicy(self, "delivery", role=role.id, name="deliver-flow-logs", policy=delivery.json)

        self._flow_log = aws.flow_log.FlowLog(
            self,
            "flow-log",
            vpc_id=vpc_id,
            traffic_type=config.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=config.max_aggregation_interval,
            tags={"Name": f"{name}-flow-logs"},
        )
        self._log_group = log_group

    @property
    def flow_log_id(self) -> str:
        return self._flow_log.id

    @property
    def log_group_name(self) -> str:
        return self._log_group.name
