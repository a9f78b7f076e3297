"""Ephemeral resources: values Terraform uses during a run and never writes to state or plan.

cdktf 0.21 predates ephemeral resources (Terraform 1.10), so there is no generated class; the
block is added to the stack's JSON as an override, and its attributes are referenced as
``${ephemeral.<type>.<name>.<attribute>}``. Terraform accepts such a reference only in
write-only arguments (``*_wo``), provider settings and other ephemeral blocks:
https://developer.hashicorp.com/terraform/language/resources/ephemeral
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from officeless.tf import Construct, core


class EphemeralResource(Construct):
    """``ephemeral "<type_>" "<name>" { ...arguments }`` in the stack of ``scope``.

    :param type_: the resource type, e.g. ``aws_secretsmanager_random_password``.
    :param arguments: its arguments, in Terraform's snake_case.
    The block's name is derived from the construct path, so it is unique in the stack.
    """

    def __init__(self, scope: Construct, id_: str, *, type_: str, arguments: Mapping[str, Any]) -> None:
        super().__init__(scope, id_)
        self._type = type_
        self._name = re.sub(r"[^A-Za-z0-9_-]", "_", "_".join(self.node.path.split("/")[1:]))
        core.TerraformStack.of(self).add_override(f"ephemeral.{type_}.{self._name}", dict(arguments))

    def attribute(self, name: str) -> str:
        """A reference to attribute ``name``, for a write-only argument."""
        return f"${{ephemeral.{self._type}.{self._name}.{name}}}"
