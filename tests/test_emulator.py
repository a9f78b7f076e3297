"""config/local.yaml's way to the emulator (issue #20): the S3 backends name its endpoint, the AWS
providers get it from AWS_ENDPOINT_URL and refuse every account but moto's."""

from __future__ import annotations

import pytest

from officeless.config.loader import load_environment
from officeless.emulator import emulator_environment
from tests.stackjson import StackJson

ENDPOINT = "http://127.0.0.1:5055"  # config/local.yaml emulator.endpoint


@pytest.fixture(scope="module")
def local_vpc(tmp_path_factory) -> StackJson:
    from officeless.tf import core
    from stacks.vpc import VpcStack

    outdir = tmp_path_factory.mktemp("local")
    app = core.App(outdir=str(outdir), stack_traces=False)
    VpcStack(app, config=load_environment("local"))
    app.synth()
    return StackJson(outdir / "stacks" / "01-vpc" / "cdk.tf.json")


def test_the_provider_has_no_endpoints_and_only_the_emulators_account(local_vpc):
    (provider,) = local_vpc.data["provider"]["aws"]
    # No endpoints block: validating it cost ~2.3 CPU-s per provider process (stacks/base.py).
    assert "endpoints" not in provider
    # moto's default account (docs.getmoto.org, "Multi-Account support"); the provider asks STS for
    # the account id, so no skip_requesting_account_id.
    assert provider["allowed_account_ids"] == ["123456789012"]
    assert "skip_requesting_account_id" not in provider
    assert provider["s3_use_path_style"] is True


def test_the_backend_names_the_emulator(local_vpc):
    endpoints = local_vpc.backend["s3"]["endpoints"]
    assert set(endpoints.values()) == {ENDPOINT}
    assert {"s3", "dynamodb"} <= set(endpoints)


def test_terraform_runs_get_the_endpoint_from_aws_endpoint_url(monkeypatch):
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", raising=False)
    emulator = load_environment("local").emulator
    environment = emulator_environment(emulator)
    assert environment["AWS_ENDPOINT_URL"] == ENDPOINT
    assert (environment["AWS_ACCESS_KEY_ID"], environment["AWS_SECRET_ACCESS_KEY"]) == ("test", "test")
    # A service's own variable outranks AWS_ENDPOINT_URL: inherited, it would send that service elsewhere.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.amazonaws.com")
    with pytest.raises(RuntimeError, match=r"^unset AWS_ENDPOINT_URL_S3: the emulator's runs send every AWS call to "
                                           r"http://127\.0\.0\.1:5055$"):
        emulator_environment(emulator)
