"""03-s3: every bucket hardened as documented (issue #4), for production and dev."""

from __future__ import annotations

import pytest

PURPOSES = ["mimir-metrics", "mimir-alertmanager", "mimir-ruler", "loki-chunks", "loki-ruler", "tempo-traces"]
EXPECTED = {
    "production": {"prefix": "officeless-production", "noncurrent_days": 90, "prevent_destroy": True},
    "dev": {"prefix": "officeless-dev", "noncurrent_days": 30, "prevent_destroy": False},
}


@pytest.fixture
def s3(synth):
    return synth.stack("03-s3")


@pytest.fixture
def expected(synth):
    return EXPECTED[synth.environment]


def buckets_by_name(s3):
    return {b["bucket"]: (n, b) for n, b in s3.resources("aws_s3_bucket").items()}


def for_bucket(s3, type_, logical):
    found = [r for r in s3.resources(type_).values() if r["bucket"] == s3.ref("aws_s3_bucket", logical)]
    assert len(found) == 1, (type_, logical, len(found))
    return found[0]


def test_no_dependencies(synth):
    assert synth.manifest["stacks"]["03-s3"]["dependencies"] == []


def test_bucket_names(s3, expected):
    names = set(buckets_by_name(s3))
    assert names == {f"{expected['prefix']}-{p}" for p in [*PURPOSES, "access-logs"]}


def test_every_bucket_hardened(s3, expected):
    key_logical, key = s3.one("aws_kms_key")
    assert key["enable_key_rotation"] is True
    for name, (logical, bucket) in buckets_by_name(s3).items():
        assert bucket["force_destroy"] is False
        assert bucket.get("lifecycle", {}).get("prevent_destroy", False) is expected["prevent_destroy"]
        assert for_bucket(s3, "aws_s3_bucket_versioning", logical)["versioning_configuration"] == {"status": "Enabled"}
        block = for_bucket(s3, "aws_s3_bucket_public_access_block", logical)
        assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
        assert for_bucket(s3, "aws_s3_bucket_ownership_controls", logical)["rule"] == {"object_ownership": "BucketOwnerEnforced"}
        (rule,) = for_bucket(s3, "aws_s3_bucket_server_side_encryption_configuration", logical)["rule"]
        if name.endswith("-access-logs"):
            assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
        else:
            assert rule["apply_server_side_encryption_by_default"] == {
                "sse_algorithm": "aws:kms", "kms_master_key_id": s3.ref("aws_kms_key", key_logical, "arn")}
            assert rule["bucket_key_enabled"] is True


def test_tls_only_policy(s3):
    docs = s3.data_sources("aws_iam_policy_document")
    for logical, _ in buckets_by_name(s3).values():
        policy = for_bucket(s3, "aws_s3_bucket_policy", logical)
        doc = docs[policy["policy"].split(".")[2]]
        deny = next(s for s in doc["statement"] if s.get("sid") == "DenyInsecureTransport")
        arn = s3.ref("aws_s3_bucket", logical, "arn")
        assert deny["effect"] == "Deny" and deny["actions"] == ["s3:*"]
        assert deny["resources"] == [arn, arn + "/*"]
        assert deny["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


# Issue #13: retention is the compactors' (logs 30, metrics 15, traces 14 days, microservices guide
# and README); S3 expires the tenant's objects 7 days later only as a backstop, and none of these
# data lives long enough for Infrequent Access (30 days minimum charge after the 30-day transition).
BACKSTOP_EXPIRY_DAYS = {"loki-chunks": 30 + 7, "mimir-metrics": 15 + 7, "tempo-traces": 14 + 7}


def test_lifecycle_rules(s3, expected):
    for name, (logical, _) in buckets_by_name(s3).items():
        rules = {r["id"]: r for r in for_bucket(s3, "aws_s3_bucket_lifecycle_configuration", logical)["rule"]}
        assert rules["abort-incomplete-multipart-uploads"]["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
        assert rules["expire-noncurrent-versions"]["noncurrent_version_expiration"] == [{"noncurrent_days": expected["noncurrent_days"]}]
        purpose = name.removeprefix(expected["prefix"] + "-")
        if purpose == "access-logs":
            assert rules["expire-current-objects"]["expiration"] == [{"days": 365}]
            assert "transition-current-objects" not in rules
        elif purpose in BACKSTOP_EXPIRY_DAYS:
            expire = rules["expire-current-objects"]
            assert expire["expiration"] == [{"days": BACKSTOP_EXPIRY_DAYS[purpose]}]
            assert expire["filter"] == [{"prefix": "officeless/"}]  # the tenant's objects, not Loki's index
            assert "transition-current-objects" not in rules
        else:  # ruler and Alertmanager state: small, long-lived, read often
            assert set(rules) == {"abort-incomplete-multipart-uploads", "expire-noncurrent-versions"}


def test_access_logging_into_the_log_bucket(s3, expected):
    log_bucket = f"{expected['prefix']}-access-logs"
    for name, (logical, _) in buckets_by_name(s3).items():
        logging = [r for r in s3.resources("aws_s3_bucket_logging").values() if r["bucket"] == s3.ref("aws_s3_bucket", logical)]
        if name == log_bucket:
            assert logging == []
        else:
            assert logging[0]["target_prefix"] == f"{name}/"


def test_outputs(s3, expected):
    names = s3.outputs["bucket_names"]["value"]
    arns = s3.outputs["bucket_arns"]["value"]
    assert sorted(names) == sorted(PURPOSES) == sorted(arns)
    by_name = buckets_by_name(s3)
    for purpose in PURPOSES:
        logical, _ = by_name[f"{expected['prefix']}-{purpose}"]
        assert names[purpose] == s3.ref("aws_s3_bucket", logical, "bucket")
        assert arns[purpose] == s3.ref("aws_s3_bucket", logical, "arn")
    key_logical, _ = s3.one("aws_kms_key")
    assert s3.outputs["kms_key_arn"]["value"] == s3.ref("aws_kms_key", key_logical, "arn")


def test_logging_waits_for_the_log_bucket_policy(s3, expected):
    # S3 rejects a logging target whose policy does not yet let the logging service write.
    by_name = buckets_by_name(s3)
    log_logical, _ = by_name[f"{expected['prefix']}-access-logs"]
    (policy_logical,) = [n for n, p in s3.resources("aws_s3_bucket_policy").items()
                         if p["bucket"] == s3.ref("aws_s3_bucket", log_logical)]
    loggings = list(s3.resources("aws_s3_bucket_logging").values())
    assert len(loggings) == len(PURPOSES)
    assert all(f"aws_s3_bucket_policy.{policy_logical}" in l["depends_on"] for l in loggings)


def test_transition_kept_where_data_outlives_infrequent_access_minimum():
    """Application buckets keep s3.transition; an observability bucket keeps it only when its
    retention exceeds the transition by IA's 30-day minimum (e.g. logs kept 90 days)."""
    from officeless.config.loader import load_environment
    from stacks.s3 import lifecycle

    config = load_environment("production")
    longer = config.model_copy(update={
        "s3": config.s3.model_copy(update={"application_buckets": ["uploads"]}),
        "observability": config.observability.model_copy(update={
            "retention": config.observability.retention.model_copy(update={"logs_days": 90})})})
    assert lifecycle(longer, "uploads") == {"transition": config.s3.transition}
    assert lifecycle(longer, "loki-chunks") == {"transition": config.s3.transition, "expiration_days": 97,
                                                "expiration_prefix": "officeless/"}
    assert lifecycle(config, "loki-chunks")["transition"] is None  # 30 days: gone before IA pays off
    assert lifecycle(config, "mimir-ruler") == {"transition": None}
