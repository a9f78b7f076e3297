"""Read config/<environment>.yaml into a PlatformConfig, or fail with one clear line."""

from __future__ import annotations

import os
import re
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from officeless.config import versions
from officeless.config.backend import CloudBackendConfig
from officeless.config.platform import PlatformConfig
from officeless.config.types import clip
from officeless.envvars import CONFIG_DIR, ENVIRONMENT, TODAY
from officeless.errors import ConfigError, FieldError

DEFAULT_ENVIRONMENT = "production"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def config_dir() -> Path:
    return Path(os.environ.get(CONFIG_DIR) or PROJECT_ROOT / "config")


def known_environments(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def today() -> date:
    """The day EKS support status is judged on ($OFFICELESS_TODAY or today), or a ConfigError."""
    try:
        return versions.today()
    except ValueError:
        raise ConfigError(TODAY, "", f"{os.environ.get(TODAY)!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-23") from None


def config_file(environment: str, directory: Path | None = None) -> Path:
    return (directory or config_dir()) / f"{environment}.yaml"


def load_environment(environment: str | None = None, directory: Path | None = None,
                     on: date | None = None) -> PlatformConfig:
    """Load the environment named by ``environment`` or $OFFICELESS_ENV (default production).

    ``on``: the day support status is judged on (default: :func:`today`).
    """
    env = environment if environment is not None else os.environ.get(ENVIRONMENT) or DEFAULT_ENVIRONMENT
    directory = directory or config_dir()
    known = known_environments(directory)
    allowed = ", ".join(known) or "none found"
    if not _ENV_NAME.match(env):
        raise ConfigError(ENVIRONMENT, "", f"{env!r} is not an environment name; allowed: {allowed}")
    path = config_file(env, directory)
    if path.is_symlink() and not path.exists():
        raise ConfigError(display(path), "", f"is a symlink to {os.readlink(path)!r}, which does not exist; point it at a config file")
    if path.exists() and not path.is_file():
        raise ConfigError(display(path), "", "is a directory, not a file; expected a YAML config file")
    if not path.is_file():
        if known:
            raise ConfigError(ENVIRONMENT, "", f"unknown environment {env!r}; allowed: {allowed} (one per {display(directory)}/<name>.yaml)")
        raise ConfigError(display(path), "", "file not found; create it or set OFFICELESS_CONFIG_DIR to the folder holding <environment>.yaml")
    config = load_file(path, on, environment=env)
    if config.environment != env:
        raise ConfigError(display(path), "environment", f"{config.environment!r} does not match the file name; expected {env!r}")
    _one_oidc_provider_per_account(config, path)
    return config


def _one_oidc_provider_per_account(config: PlatformConfig, path: Path) -> None:
    """Two environments of one AWS account must not both create its Terraform Cloud OIDC provider
    (IAM allows one per URL and account): read the other environment files' backends for it."""
    backend = config.backend
    if not isinstance(backend, CloudBackendConfig) or not backend.owns_oidc_provider:
        return
    for other in sorted(path.parent.glob("*.yaml")):
        if other.resolve() == path.resolve():
            continue
        try:
            data = _parse(_read(other, display(other)))
        except (ConfigError, yaml.YAMLError):
            continue  # a broken file is reported when that environment is loaded
        theirs = data.get("backend") if isinstance(data, dict) else None
        if (isinstance(theirs, dict) and theirs.get("type") == "cloud" and theirs.get("owns_oidc_provider", True) is True
                and str(theirs.get("aws_account_id")) == backend.aws_account_id and theirs.get("hostname", "app.terraform.io")
                == backend.hostname):
            raise ConfigError(display(path), "backend.owns_oidc_provider", (
                f"true here and in {display(other)} for account {backend.aws_account_id}; allowed: one environment per "
                "account creates the Terraform Cloud OIDC provider, the others set owns_oidc_provider: false"))


# Bounds on what a config file may ask of the parser. The committed files are ~20 KB and
# nest 7 levels; these stop a hostile or broken file from exhausting the stack (deep
# brackets) or memory (an alias "billion laughs": a few hundred bytes that expand to GBs).
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 100_000


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate and unhashable keys and bounds depth.

    Duplicate keys would otherwise silently keep the last value; an unhashable key
    (``? [a, b]``) would raise a TypeError instead of a YAML error.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or mapping", key_node.start_mark)
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {clip(key)!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many nodes ``node`` becomes once every alias is expanded (memoized per node)."""
    key = id(node)
    if key not in memo:
        memo[key] = 0  # a recursive alias counts once; the constructor refuses it later anyway
        children: list = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        total = 1
        for child in children:
            total += _expanded_size(child, memo)
            if total > MAX_EXPANDED_NODES:
                break
        memo[key] = total
    return memo[key]


def _parse(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"aliases expand to more than {MAX_EXPANDED_NODES} values", node.start_mark)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _code(character: str | int) -> int:
    return ord(character) if isinstance(character, str) else character


def _read(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(source, "", f"cannot read file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(source, "", f"file is {len(raw)} bytes; config files are limited to {MAX_FILE_BYTES} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(source, "", f"line {line}, column {column}: byte 0x{raw[exc.start]:02x} is not UTF-8; "
                          "config files must be UTF-8 text") from None


def load_file(path: Path, on: date | None = None, environment: str | None = None) -> PlatformConfig:
    """The validated config in ``path``; with ``environment``, a file naming another environment is
    refused before anything else (every other rule depends on the environment's name)."""
    source = display(path)
    text = _read(path, source)
    try:
        data = _parse(text)
    except yaml.reader.ReaderError as exc:
        # A control character (binary content); ReaderError has a position, not a mark.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigError(source, "", f"line {line}, column {column}: YAML syntax error: character #x{_code(exc.character):04x} is "
                                      "not allowed in YAML (binary content?)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(source, "", f"{where}YAML syntax error: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(source, "", f"expected a mapping of settings at the top level, got {type(data).__name__}")
    named = data.get("environment")
    if environment is not None and isinstance(named, str) and named != environment:
        raise ConfigError(source, "environment", f"{clip(named)!r} does not match the file name; expected {environment!r}")
    root = root_model(data)
    context = {"today": on or today()}
    if hasattr(root, "peer_namespaces"):
        from officeless.config.tenancy import PEER_NAMESPACES

        context[PEER_NAMESPACES] = root.peer_namespaces(data)
    try:
        config = root.model_validate(data, context=context)
    except ValidationError as exc:
        errors = exc.errors()
        field, message = describe_error(errors[0], data, root)
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
        raise ConfigError(source, field, message) from None
    _charts_admit_the_cluster(config, source)
    return config


def _charts_admit_the_cluster(config, source: str) -> None:
    """Helm refuses to install a chart whose Chart.yaml kubeVersion excludes the cluster's version;
    refuse the pin at synth instead, with the chart table's reading (officeless/config/charts.py)."""
    from officeless.config import charts

    minor = charts.cluster_minor(config)
    if minor is None:
        return
    for field, chart, version in charts.pins(config):
        problem = charts.kube_version_refuses(chart, version, minor)
        if problem:
            raise ConfigError(source, field, f"{version!r}: {problem}; allowed: a release of {chart} that admits {minor} "
                                             "(officeless/config/charts.py)")


def warnings(config: PlatformConfig, directory: Path | None = None, on: date | None = None) -> list[str]:
    """``file: field: message`` for each legal but costly setting of ``config`` (printed, not fatal)."""
    source = display(config_file(config.environment, directory))
    return [f"{source}: {field}: {message}" for field, message in config.warnings(on or today())]


def root_model(data: dict) -> type[BaseModel]:
    """The schema of a config file: its ``cloud`` picks it (officeless/targets.py); AWS's by default,
    which also refuses a ``cloud`` no target has."""
    from officeless.config.azure import AzureConfig
    from officeless.config.existing import ExistingConfig
    from officeless.config.gcp import GcpConfig

    return {"existing": ExistingConfig, "gcp": GcpConfig, "azure": AzureConfig}.get(data.get("cloud"), PlatformConfig)


def describe_error(error: dict[str, Any], data: Any, root: type[BaseModel] = PlatformConfig) -> tuple[str, str]:
    """(field path, message) for one pydantic error, in the words the user needs."""
    loc = _strip_union_tags(error["loc"], data)
    key = bool(loc) and loc[-1] == "[key]"  # the key of a mapping, not its value, is wrong
    if key:
        loc = loc[:-2]
    cause = (error.get("ctx") or {}).get("error")
    subpath = cause.subpath if isinstance(cause, FieldError) else ""
    field = _join([*loc, *([subpath] if subpath else [])])
    kind = error["type"]
    if kind == "value_error":
        return field, ("key " if key else "") + (str(cause) if cause is not None else error["msg"])
    if kind == "extra_forbidden":
        allowed = _allowed_keys(root, loc[:-1], data)
        return field, f"unknown key; allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return field, "required setting is missing"
    if kind == "too_short":
        return field, f"got {clip(error['input'])!r}; at least {error['ctx']['min_length']} item(s) required"
    message = error["msg"]
    return field, f"got {clip(error['input'])!r}; {message[0].lower()}{message[1:]}"


def _join(loc: list) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _strip_union_tags(loc: tuple, data: Any) -> list:
    """Drop the discriminator value pydantic inserts into locations inside tagged unions."""
    out: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node and node.get("type") == part:
            continue
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out


def _allowed_keys(model: type[BaseModel], loc: list, data: Any) -> list[str]:
    """Field names of the model reached by walking ``loc`` from ``model`` through ``data``."""
    target: Any = model
    node = data
    for part in loc:
        target = _unwrap(target, node)
        args = typing.get_args(target)
        if _is_model(target):
            field = target.model_fields.get(part)
            target = field.annotation if field else None
        elif isinstance(part, int):
            target = args[0] if args else None
        else:
            target = args[1] if len(args) == 2 else None
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    target = _unwrap(target, node)
    return list(target.model_fields) if _is_model(target) else []


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Annotated/Optional and pick the member of a tagged union that ``node`` is."""
    while True:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            tag = node.get("type") if isinstance(node, dict) else None
            tagged = [m for m in members if _is_model(m) and "type" in m.model_fields and tag in typing.get_args(m.model_fields["type"].annotation)]
            annotation = (tagged or members)[0]
        else:
            return annotation
