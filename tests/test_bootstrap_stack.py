"""00-state: the state bucket and lock table, as issue #7 documents them."""

from __future__ import annotations

import pytest

EXPECTED = {
    "production": {"bucket": "officeless-terraform-state", "table": "officeless-terraform-locks", "protected": True},
    "dev": {"bucket": "officeless-dev-terraform-state", "table": "officeless-dev-terraform-locks", "protected": False},
}


@pytest.fixture
def state(synth):
    return synth.stack("00-state")


@pytest.fixture
def expected(synth):
    return EXPECTED[synth.environment]


def test_local_state_kept_out_of_git(state, synth, project_root):
    assert state.backend == {"local": {"path": f"../../../terraform-state/{synth.environment}/00-state.tfstate"}}
    assert "terraform-state/" in (project_root / ".gitignore").read_text().splitlines()


def test_state_bucket(state, expected):
    bucket_logical, bucket = state.one("aws_s3_bucket")
    key_logical, key = state.one("aws_kms_key")
    ref = state.ref("aws_s3_bucket", bucket_logical)
    assert bucket["bucket"] == expected["bucket"]
    assert bucket["force_destroy"] is False
    assert bucket.get("lifecycle", {}).get("prevent_destroy", False) is expected["protected"]
    assert key["enable_key_rotation"] is True

    def only(type_):
        (found,) = [r for r in state.resources(type_).values() if r["bucket"] == ref]
        return found

    assert only("aws_s3_bucket_versioning")["versioning_configuration"] == {"status": "Enabled"}
    block = only("aws_s3_bucket_public_access_block")
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
    (rule,) = only("aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert rule["apply_server_side_encryption_by_default"]["kms_master_key_id"] == state.ref("aws_kms_key", key_logical, "arn")
    policy_doc = only("aws_s3_bucket_policy")["policy"].split(".")[2]
    deny = next(s for s in state.data_sources("aws_iam_policy_document")[policy_doc]["statement"] if s.get("sid") == "DenyInsecureTransport")
    assert deny["effect"] == "Deny" and deny["condition"][0]["variable"] == "aws:SecureTransport"


def test_lock_table(state, expected):
    _, table = state.one("aws_dynamodb_table")
    key_logical, _ = state.one("aws_kms_key")
    assert table["name"] == expected["table"]
    assert table["hash_key"] == "LockID"
    assert table["attribute"] == [{"name": "LockID", "type": "S"}]
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": state.ref("aws_kms_key", key_logical, "arn")}
    assert table["deletion_protection_enabled"] is expected["protected"]
    assert table.get("lifecycle", {}).get("prevent_destroy", False) is expected["protected"]


def test_outputs(state):
    assert set(state.outputs) == {"state_bucket", "lock_table", "state_kms_key_arn"}


def test_state_reads_denied_to_all_but_named_principals(state, synth):
    """Issue #15: by aws:PrincipalArn, which every session of a role carries. The identity
    applying 00-state is always allowed (no lock-out); roles match with or without a path."""
    bucket_logical, _ = state.one("aws_s3_bucket")
    (policy,) = state.resources("aws_s3_bucket_policy").values()
    statements = state.data_sources("aws_iam_policy_document")[policy["policy"].split(".")[2]]["statement"]
    (deny,) = [s for s in statements if s.get("sid") == "DenyStateReadsExceptNamedPrincipals"]
    assert deny["effect"] == "Deny"
    assert deny["actions"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert deny["principals"] == [{"type": "*", "identifiers": ["*"]}]
    assert deny["resources"][0].endswith(f":s3:::{EXPECTED[synth.environment]['bucket']}/*")
    ((condition),) = deny["condition"]
    assert (condition["test"], condition["variable"]) == ("ArnNotLike", "aws:PrincipalArn")
    (applier_logical, applier), = state.data_sources("aws_iam_session_context").items()
    assert applier["arn"].endswith(".arn}") and "aws_caller_identity" in applier["arn"]
    roles = {"production": [], "dev": ["officeless-platform-admin"]}[synth.environment]  # eks.admin_role_names
    iam = "arn:${data.aws_partition.aws-context_partition_9ECE3875.partition}:iam::${data.aws_caller_identity.aws-context_identity_0B0B3495.account_id}:"
    assert condition["values"] == [f"${{data.aws_iam_session_context.{applier_logical}.issuer_arn}}",
                                   *[iam + p for r in roles for p in (f"role/{r}", f"role/*/{r}")]]
