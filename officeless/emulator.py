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
        from moto.server import ThreadedMotoServer

        _read_backup_tags_without_trailing_slash()

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

        self._server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


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
    with Emulator(config.emulator) as emulator:
        exports = " ".join(f"{k}={v}" for k, v in EMULATOR_ENV.items())
        print(f"moto listening on {emulator.endpoint}; in another shell: export {exports} OFFICELESS_ENV=local",
              file=sys.stderr)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
