"""Declarative TOML configuration: typed options, defaults, secrets, errors that name the key.

Both ``edge.toml`` and ``sink.toml`` are described as a list of :class:`Option` and
loaded by :func:`load_config`. Unknown keys are refused (a typo must not silently
fall back to a default). A secret option ``password`` may instead be given as
``password_file = "/path"`` or through the environment variable
``CYGNO_<SECTION>_<KEY>`` (e.g. ``CYGNO_S3_SECRET_ACCESS_KEY``), which wins.
"""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError

__all__ = ["REQUIRED", "Option", "load_config", "parse_config"]

REQUIRED = object()


@dataclass(frozen=True)
class Option:
    """One ``[section] key`` of a config file."""

    section: str
    key: str
    type: type | tuple
    default: Any = REQUIRED
    check: Callable[[Any], str | None] | None = None  # returns a complaint, or None
    secret: bool = False
    help: str = ""

    @property
    def name(self) -> str:
        return f"[{self.section}] {self.key}"


def load_config(path, options: list[Option]) -> dict:
    """Read a TOML file and return ``{section: {key: value}}`` validated against ``options``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {str(path)!r}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    return parse_config(data, options, source=str(path))


def parse_config(data: dict, options: list[Option], source: str = "<config>") -> dict:
    """Validate an already-parsed TOML mapping (see :func:`load_config`)."""
    _refuse_unknown(data, options, source)
    config: dict = {}
    for option in options:
        config.setdefault(option.section, {})[option.key] = _value(data, option, source)
    return config


def _refuse_unknown(data: dict, options: list[Option], source: str) -> None:
    known: dict[str, set] = {}
    for option in options:
        names = known.setdefault(option.section, set())
        names.add(option.key)
        if option.secret:
            names.add(option.key + "_file")
    for section, table in data.items():
        if section not in known:
            raise ConfigError(f"{source}: unknown section [{section}] (known: {', '.join(sorted(known))})")
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{section}] must be a table, got {table!r}")
        for key in table:
            if key not in known[section]:
                raise ConfigError(f"{source}: unknown key [{section}] {key} = {table[key]!r}")


def _value(data: dict, option: Option, source: str):
    table = data.get(option.section, {})
    value = _secret_value(table, option, source) if option.secret else None
    if value is None:
        value = table.get(option.key, option.default)
    if value is REQUIRED:
        raise ConfigError(f"{source}: missing required key [{option.section}] {option.key}")
    if value is None:
        return None
    if isinstance(value, bool) and option.type is not bool or not isinstance(value, option.type):
        expected = getattr(option.type, "__name__", None) or "/".join(t.__name__ for t in option.type)
        raise ConfigError(f"{source}: {option.name} must be {expected}, got {value!r}")
    complaint = option.check(value) if option.check else None
    if complaint:
        shown = "<secret>" if option.secret else repr(value)
        raise ConfigError(f"{source}: {option.name} = {shown}: {complaint}")
    return value


def _secret_value(table: dict, option: Option, source: str):
    env_name = f"CYGNO_{option.section}_{option.key}".upper()
    if os.environ.get(env_name):
        return os.environ[env_name]
    file_key = option.key + "_file"
    if file_key in table:
        try:
            return Path(table[file_key]).read_text(encoding="utf-8").strip()
        except (OSError, TypeError) as exc:
            raise ConfigError(f"{source}: [{option.section}] {file_key} = {table[file_key]!r}: "
                              f"cannot read secret ({exc})") from None
    return None


def positive(value) -> str | None:
    return None if value > 0 else "must be > 0"


def port_number(value) -> str | None:
    return None if 0 < value < 65536 else "must be a TCP port 1-65535"


def identifier(value) -> str | None:
    ok = value and all(c.isalnum() or c in "-_" for c in value)
    return None if ok else "must be letters, digits, '-' or '_' (it becomes an MQTT topic level and S3 key part)"
