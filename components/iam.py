"""IAM policy documents from plain Python data, as aws_iam_policy_document data sources.

Data sources (rather than jsonencode'd strings) keep every statement visible to checkov
and to reviewers of the synthesized JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from officeless.tf import Construct, aws

_doc = aws.data_aws_iam_policy_document


@dataclass(frozen=True)
class Condition:
    test: str  # e.g. StringEquals, ArnLike
    variable: str  # e.g. aws:SourceAccount
    values: Sequence[str]


@dataclass(frozen=True)
class Statement:
    actions: Sequence[str]
    resources: Sequence[str] = ()
    effect: str = "Allow"
    sid: str | None = None
    # {"Service": ["logs.amazonaws.com"]}; only for trust and resource policies.
    principals: dict[str, Sequence[str]] = field(default_factory=dict)
    conditions: Sequence[Condition] = ()


def policy_document(scope: Construct, id_: str, statements: Sequence[Statement]) -> _doc.DataAwsIamPolicyDocument:
    return _doc.DataAwsIamPolicyDocument(
        scope,
        id_,
        statement=[
            _doc.DataAwsIamPolicyDocumentStatement(
                sid=s.sid,
                effect=s.effect,
                actions=list(s.actions),
                resources=list(s.resources) or None,
                principals=[
                    _doc.DataAwsIamPolicyDocumentStatementPrincipals(type=kind, identifiers=list(ids))
                    for kind, ids in s.principals.items()
                ]
                or None,
                condition=[
                    _doc.DataAwsIamPolicyDocumentStatementCondition(test=c.test, variable=c.variable, values=list(c.values))
                    for c in s.conditions
                ]
                or None,
            )
            for s in statements
        ],
    )


def service_trust(scope: Construct, id_: str, service: str, *, account_id: str | None = None) -> _doc.DataAwsIamPolicyDocument:
    """Trust policy letting one AWS service assume a role, optionally only for this account
    (the confused-deputy guard AWS recommends: aws:SourceAccount)."""
    conditions = [Condition("StringEquals", "aws:SourceAccount", [account_id])] if account_id else []
    return policy_document(
        scope,
        id_,
        [Statement(actions=["sts:AssumeRole"], principals={"Service": [service]}, conditions=conditions)],
    )
