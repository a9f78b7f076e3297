"""The one exception type users see: a single line naming file, field, value and rule."""

from __future__ import annotations


# Longest line an error may print. Values are clipped where they are quoted (types.clip);
# this is the backstop for anything that slips through, e.g. a huge list echoed by pydantic.
MAX_LINE = 600


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """``text`` on one line of at most about ``limit`` characters, saying how much was cut."""
    text = " ".join(text.split("\n"))
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text) - limit} more characters)"
    return text


class ConfigError(Exception):
    """Bad configuration. ``str(err)`` is the one line printed to the user."""

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source = source
        self.field = field
        self.message = message
        where = f"{source}: {field}" if field else source
        super().__init__(one_line(f"{where}: {message}"))


class FieldError(ValueError):
    """Raised inside model validators to point at a sub-field of the model being checked.

    Pydantic keeps the original exception in the error's ``ctx``; the loader appends
    ``subpath`` to the model's location so the user sees e.g.
    ``vpc.private_subnets[1].cidr`` instead of just ``vpc``.
    """

    def __init__(self, subpath: str, message: str) -> None:
        self.subpath = subpath
        super().__init__(message)
