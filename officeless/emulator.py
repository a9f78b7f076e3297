"""moto's AWS API emulator on the loopback endpoint of config/local.yaml.

    pipenv run python -m officeless.emulator    # serve until Ctrl-C (for trying by hand)

The rehearsal test (tests/test_rehearsal.py) starts and stops it itself. moto is a dev
dependency; the endpoint must be loopback (the config validates it).
"""

from __future__ import annotations

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

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

        self._server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


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
