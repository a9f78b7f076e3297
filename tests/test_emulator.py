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


class _CountingApp:
    """A WSGI app that answers each request with its own number."""

    def __init__(self, status: str = "200 OK") -> None:
        self.calls, self.status = 0, status

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response(self.status, [("x-amzn-requestid", str(self.calls))])
        return [b"answer ", str(self.calls).encode()]


def _request(app, invocation: str | None, sdk_request: str | None) -> tuple[str, bytes]:
    environ = {k: v for k, v in (("HTTP_AMZ_SDK_INVOCATION_ID", invocation), ("HTTP_AMZ_SDK_REQUEST", sdk_request)) if v}
    started = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: started.append(status)))
    return started[0], body


def test_a_retry_of_an_answered_request_gets_the_same_answer_without_a_second_run():
    """Stop 37's CI run: a state lock's PutItem ran, its answer was lost, and the SDK's retry failed on
    the lock the first attempt took. The retry is answered as the first attempt was."""
    from officeless.emulator import OneAtATimeAnsweringRetries

    moto = _CountingApp()
    app = OneAtATimeAnsweringRetries(moto)
    assert _request(app, "put-lock", "attempt=1; max=5") == ("200 OK", b"answer 1")
    assert _request(app, "put-lock", "attempt=2; max=5") == ("200 OK", b"answer 1")
    assert (moto.calls, len(app.replayed)) == (1, 1)
    # A first attempt always runs; so does a retry of a request moto never answered, and one
    # without the SDK's headers.
    assert _request(app, "other", "attempt=1") == ("200 OK", b"answer 2")
    assert _request(app, "never-answered", "attempt=2; max=5") == ("200 OK", b"answer 3")
    assert _request(app, None, None) == ("200 OK", b"answer 4")
    assert _request(app, "put-lock", None) == ("200 OK", b"answer 5")
    assert (moto.calls, len(app.replayed)) == (5, 1)


def test_a_retry_after_a_server_error_runs_again_and_old_answers_are_dropped():
    from officeless.emulator import OneAtATimeAnsweringRetries

    failing = _CountingApp("500 INTERNAL SERVER ERROR")
    app = OneAtATimeAnsweringRetries(failing)
    _request(app, "a", "attempt=1; max=5")
    assert _request(app, "a", "attempt=2; max=5") == ("500 INTERNAL SERVER ERROR", b"answer 2")
    moto = _CountingApp()
    app = OneAtATimeAnsweringRetries(moto, keep=2)
    for invocation in ("a", "b", "c"):
        _request(app, invocation, "attempt=1")
    assert _request(app, "a", "attempt=2") == ("200 OK", b"answer 4")  # "a" was the oldest: dropped
    assert _request(app, "c", "attempt=2") == ("200 OK", b"answer 3")


def test_the_running_emulator_answers_a_lock_puts_retry_as_it_answered_the_put(monkeypatch):
    """The same through moto's server: a state lock's conditional PutItem, answered, then sent again
    as the SDK's attempt 2 of the same invocation (as after a lost answer), gets the first answer; a
    new invocation still finds the lock taken."""
    import socket

    import boto3
    from botocore.exceptions import ClientError

    from officeless.config.emulator import EmulatorConfig
    from officeless.emulator import Emulator

    with socket.socket() as probe:  # not config/local.yaml's port: make test runs the rehearsal beside
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # Emulator sets it; restored after the test
    sdk_headers = {}

    def as_attempt(request, **_):
        request.headers.update(sdk_headers)

    with Emulator(EmulatorConfig(endpoint=f"http://127.0.0.1:{port}")) as emulator:
        dynamodb = boto3.session.Session().client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                                                  aws_access_key_id="test", aws_secret_access_key="test")
        dynamodb.create_table(TableName="locks", KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        dynamodb.meta.events.register("before-send.dynamodb.PutItem", as_attempt)

        def put_lock(invocation: str, attempt: int) -> None:
            sdk_headers.update({"amz-sdk-invocation-id": invocation, "amz-sdk-request": f"attempt={attempt}; max=5"})
            dynamodb.put_item(TableName="locks", Item={"LockID": {"S": "bucket/local/02-eks/terraform.tfstate"}},
                              ConditionExpression="attribute_not_exists(LockID)")

        put_lock("the-plan", 1)
        put_lock("the-plan", 2)  # a second run would fail its condition
        with pytest.raises(ClientError, match="ConditionalCheckFailedException"):
            put_lock("another-plan", 1)
        assert emulator.retries_answered == ["DynamoDB_20120810.PutItem"]
