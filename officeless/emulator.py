"""moto's AWS API emulator on the loopback endpoint of config/local.yaml.

    pipenv run python -m officeless.emulator    # serve until Ctrl-C (for trying by hand)

The rehearsal test (tests/test_rehearsal.py) starts and stops it itself. moto is a dev
dependency; the endpoint must be loopback (the config validates it).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
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


def _one_request_at_a_time():
    """moto's threaded server, serving one request at a time. Its backends are plain dicts shared by
    the request threads, without locks. With four Terraforms at once (the rehearsal, issue #20) a
    DynamoDB PutItem of a state lock failed its condition on a lock that was its own, written half a
    second before: most likely a first answer lost and the request retried by the AWS SDK. Served
    one at a time, each request sees what the one before left; moto's handlers are short."""
    import threading

    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class OneRequestAtATime(ThreadedMotoServer):
        def _server_entry(self) -> None:  # ThreadedMotoServer's, with the app behind one lock
            app, lock = DomainDispatcherApplication(create_backend_app), threading.Lock()

            def serialized(environ, start_response):
                with lock:
                    return list(app(environ, start_response))

            self._server = make_server(self._ip_address, self._port, serialized, True, request_handler=MotoRequestHandler)
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
