"""moto's AWS API emulator on the loopback endpoint of config/local.yaml.

    pipenv run python -m officeless.emulator    # serve until Ctrl-C (for trying by hand)

The rehearsal test (tests/test_rehearsal.py) starts and stops it itself. moto is a dev
dependency; the endpoint must be loopback (the config validates it).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import sys
import threading
import time
from collections import OrderedDict
from urllib.parse import urlparse

from officeless.config.emulator import EmulatorConfig

# Credentials the emulator accepts; never real ones.
EMULATOR_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
    "CHECKPOINT_DISABLE": "1",  # Terraform/cdktf version checks call out to the internet
}


def emulator_environment(config: EmulatorConfig) -> dict[str, str]:
    """The variables a Terraform run against the emulator needs: ``EMULATOR_ENV`` and
    ``AWS_ENDPOINT_URL``, which sends every AWS provider call to it (the providers of
    config/local.yaml have no endpoints of their own, stacks/base.py says why)."""
    # AWS_ENDPOINT_URL_<SERVICE> outranks AWS_ENDPOINT_URL, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
    # turns both off (the provider's "Custom Service Endpoint Configuration" guide): one inherited from
    # the caller would send that service's calls elsewhere.
    inherited = sorted(k for k in os.environ if k.startswith("AWS_ENDPOINT_URL_") or k == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    if inherited:
        raise RuntimeError(f"unset {', '.join(inherited)}: the emulator's runs send every AWS call to {config.endpoint}")
    return {**EMULATOR_ENV, "AWS_ENDPOINT_URL": config.endpoint}


class Emulator:
    """Context manager: a moto server thread on ``config.endpoint`` for the duration."""

    def __init__(self, config: EmulatorConfig) -> None:
        url = urlparse(config.endpoint)
        self.host, self.port = url.hostname or "127.0.0.1", int(url.port or 0)
        self.endpoint = config.endpoint
        self._server = None

    @property
    def retries_answered(self) -> list[str]:
        """The operation of each SDK retry answered with a kept answer so far (``OneAtATimeAnsweringRetries``)."""
        return list(self._server.app.replayed) if self._server is not None and self._server.app is not None else []

    def __enter__(self) -> "Emulator":
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((self.host, self.port)) == 0:
                raise RuntimeError(f"{self.endpoint} is already in use; stop what listens there or change emulator.endpoint")
        # AWS-managed policies (AmazonSSMManagedInstanceCore, ...) exist in moto only with this.
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        _read_backup_tags_without_trailing_slash()

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

        self._server = _one_request_at_a_time()(ip_address=self.host, port=self.port, verbose=False)
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


# The AWS SDKs send these on every attempt of one operation (the SDKs' "Retry behavior" reference):
# the same invocation id, and the attempt's number.
INVOCATION_ID = "HTTP_AMZ_SDK_INVOCATION_ID"
SDK_REQUEST = "HTTP_AMZ_SDK_REQUEST"  # "attempt=2; max=5" (Go v2), "attempt=1" (botocore)
_ATTEMPT = re.compile(r"attempt=(\d+)")


class OneAtATimeAnsweringRetries:
    """A WSGI wrapper of moto's app: one request at a time, and an AWS SDK's retry of a request moto
    has already answered gets that answer again instead of a second run.

    One at a time: moto's backends are plain dicts shared by the request threads, without locks.

    Retries: now and then an answer moto sent does not reach the client, and the SDK sends the same
    invocation again. For a state lock's conditional PutItem the second run fails on the lock the first
    one took, and Terraform stops with "Error acquiring the state lock" (ConditionalCheckFailedException).
    Issue #20 saw it and made moto serve one request at a time; stop 37's CI run saw it again (02-eks's
    second plan). Reproduced here with every request journaled: moto ran 04-ec2's lock PutItem and
    answered 200 in 2 ms; Terraform's debug log has the request, no answer, and 0.65 s later "retrying
    request DynamoDB/PutItem, attempt 2", which moto answered 400. Where the answer is lost is not
    known: twice in a dozen journaled rehearsals (the other a lock's DeleteItem, harmless), too seldom
    to trace further. A service whose answers arrive never sees such a retry, so the emulator answers
    it as it answered the first attempt.

    Only answers below 500 are kept: a retry after a server error runs again, as on AWS. The last
    ``keep`` answers are kept (default 4096; a rehearsal makes about 3,400 requests in all, at most
    ~870 in 20 s, and an SDK retries within its 20 s backoff).
    """

    def __init__(self, app, keep: int = 4096) -> None:
        self._app, self._keep = app, keep
        self._lock = threading.Lock()
        self._answers: OrderedDict[str, tuple[str, list[tuple[str, str]], bytes]] = OrderedDict()
        self.replayed: list[str] = []  # each retry answered from a kept answer: its operation

    def __call__(self, environ, start_response):
        invocation = environ.get(INVOCATION_ID)
        attempt = _ATTEMPT.search(environ.get(SDK_REQUEST, ""))
        with self._lock:
            if invocation and attempt and int(attempt.group(1)) > 1 and invocation in self._answers:
                status, headers, body = self._answers[invocation]
                self.replayed.append(environ.get("HTTP_X_AMZ_TARGET") or f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}")
                start_response(status, headers)
                return [body]
            answered: list = []

            def keeping(status, headers, exc_info=None):
                answered[:] = [status, list(headers)]
                return start_response(status, headers, exc_info)

            body = b"".join(self._app(environ, keeping))
            if invocation and answered and int(answered[0].split(" ", 1)[0]) < 500:
                self._answers[invocation] = (answered[0], answered[1], body)
                while len(self._answers) > self._keep:
                    self._answers.popitem(last=False)
            return [body]


def _one_request_at_a_time():
    """moto's threaded server with its app behind ``OneAtATimeAnsweringRetries``."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class OneRequestAtATime(ThreadedMotoServer):
        app: OneAtATimeAnsweringRetries | None = None

        def _server_entry(self) -> None:  # ThreadedMotoServer's, with the app wrapped
            self.app = OneAtATimeAnsweringRetries(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, self.app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return OneRequestAtATime


def _read_backup_tags_without_trailing_slash() -> None:
    """moto 5.2's AWS Backup ListTags takes the resource ARN from the path's second-to-last
    segment, which is right only for the trailing slash boto3 sends (/tags/<arn>/). Terraform's
    provider (AWS SDK for Go v2) sends /tags/<arn>: moto answered with no tags, so every plan of
    09-backup showed the default tags as new. Read the segment after /tags/ in both forms."""
    from urllib.parse import unquote

    from moto.backup.responses import BackupResponse

    if getattr(BackupResponse.list_tags, "_officeless", False):
        return

    def list_tags(self) -> str:
        arn = unquote(self.path.split("?", 1)[0].split("/tags/", 1)[1].rstrip("/"))
        return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=arn)})

    list_tags._officeless = True
    BackupResponse.list_tags = list_tags


def main() -> int:
    from officeless.config.loader import load_environment

    config = load_environment("local")
    assert config.emulator is not None
    try:
        environment = emulator_environment(config.emulator)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with Emulator(config.emulator) as emulator:
        exports = " ".join(f"{k}={v}" for k, v in environment.items())
        print(f"moto listening on {emulator.endpoint}; in another shell: export {exports} OFFICELESS_ENV=local",
              file=sys.stderr)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
