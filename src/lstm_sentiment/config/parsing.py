"""Reading configuration values: files, dotted-override values, typed coercion into dataclasses."""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, get_type_hints

from lstm_sentiment.config.choices import split_list, unknown_key
from lstm_sentiment.errors import ConfigError


def parse_class_weights(spec: str) -> str | dict[str, float]:
    """``none``, ``balanced`` or a ``label=weight,...`` mapping (weights > 0)."""
    text = spec.strip()
    if text in ("none", "balanced"):
        return text
    weights: dict[str, float] = {}
    for item in text.split(","):
        label, sep, value = item.rpartition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan
        if not sep or not label.strip() or not weight > 0 or math.isinf(weight):
            raise ConfigError(
                f"train.class_weights must be none, balanced or label=weight,... with "
                f"weights > 0; got {spec!r}"
            )
        weights[label.strip()] = weight
    return weights


def parse_value(text: str) -> Any:
    """Parse an override value: JSON when possible (numbers, booleans, lists), else a string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML or JSON config file into a dictionary."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no such config file: {path}")
    try:
        if path.suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot parse config file {path}: {exc}") from None


def build_dataclass(cls: type, raw: dict[str, Any], prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{prefix.rstrip('.')}] must be a table, got {type(raw).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            where = f"key in [{prefix.rstrip('.')}]" if prefix else "section"
            raise ConfigError(unknown_key(where, key, list(fields)))
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            kwargs[key] = build_dataclass(hint, value, prefix=f"{prefix}{key}.")
        else:
            kwargs[key] = _coerce(f"{prefix}{key}", value, hint)
    try:
        return cls(**kwargs)
    except TypeError as exc:  # pragma: no cover - guarded by the key check above
        raise ConfigError(str(exc)) from None


def _coerce(name: str, value: Any, hint: Any) -> Any:
    """Check a value against its field type; ints are accepted where floats are expected."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        hint = next(option for option in options if option is not type(None))
        origin = typing.get_origin(hint)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{name} must be a table of strings, got {value!r}")
        return {str(k): str(v) for k, v in value.items()}
    if origin is list:
        (item,) = typing.get_args(hint)
        if isinstance(value, str):
            value = split_list(value)  # "max,mean" or "64,32" from the command line
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{name} must be a list of {item.__name__}, got {value!r}")
        try:
            return [_coerce_item(v, item) for v in value]
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a list of {item.__name__}, got {value!r}") from None
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = {int: int, float: float, bool: bool, str: str}.get(hint)
    if expected is not None and (
        not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    ):
        raise ConfigError(f"{name} must be {expected.__name__}, got {value!r}")
    return value


def _coerce_item(value: Any, item: type) -> Any:
    if item is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(value)
        return int(value)
    if item is float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError(value)
        return float(value)
    if not isinstance(value, str):
        raise TypeError(value)
    return value
