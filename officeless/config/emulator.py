"""The optional ``emulator`` section: point every AWS call at a local AWS API emulator.

Only for config/local.yaml (the deploy rehearsal against moto). Loopback addresses only:
nothing in this project may send emulator traffic anywhere else.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import urlparse

from pydantic import AfterValidator, StrictStr

from officeless.config.types import Model


def _check_loopback_url(value: str) -> str:
    url = urlparse(value)
    host = url.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if url.scheme not in ("http", "https") or not loopback or url.port is None:
        raise ValueError(f"{value!r} is not a loopback emulator URL; allowed: http://127.0.0.1:<port> (or localhost, [::1])")
    return value


# moto's account (its default, MOTO_ACCOUNT_ID unset: docs.getmoto.org "Multi-Account support"). The
# AWS providers of config/local.yaml refuse every other account (stacks/base.py).
EMULATOR_ACCOUNT_ID = "123456789012"


class EmulatorConfig(Model):
    # e.g. http://127.0.0.1:4599: the S3 backends' endpoints, and AWS_ENDPOINT_URL for the providers
    # (officeless/emulator.py).
    endpoint: Annotated[StrictStr, AfterValidator(_check_loopback_url)]
