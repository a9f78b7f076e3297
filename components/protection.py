"""``lifecycle`` blocks for resources that hold data: ``prevent_destroy`` only when asked.

Terraform's ``prevent_destroy`` refuses any plan that would destroy the resource, including a
replacement forced by a changed argument. It lives in the configuration, so a teardown lifts
it in config first (README "Data protection"): a deliberate, reviewed change.
"""

from __future__ import annotations

from officeless.tf import core


def lifecycle(*, prevent_destroy: bool, **others) -> core.TerraformResourceLifecycle | None:
    """A lifecycle with ``prevent_destroy`` when it is on, plus ``others`` (e.g. ignore_changes);
    None when there is nothing to say."""
    if prevent_destroy:
        others["prevent_destroy"] = True
    return core.TerraformResourceLifecycle(**others) if others else None
