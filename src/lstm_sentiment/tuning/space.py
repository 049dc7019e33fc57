"""Search spaces: a TOML/JSON file of dotted config keys → Optuna suggestions.

    "train.lr" = { type = "float", low = 1e-4, high = 1e-2, log = true }
    "model.hidden_size" = { type = "int", low = 32, high = 256, step = 32 }
    "train.optimizer" = { choices = ["adam", "rmsprop"] }
    "train.batch_size" = { values = [10, 20, 40] }
    "model.architecture" = { choices = ["lstm", "gru", "cnn"] }

    [model.num_layers]                      # a table per parameter works too
    type = "int"
    low = 1
    high = 3
    condition = { "model.architecture" = ["lstm", "gru"] }

Keys may also be nested (``[train]`` then ``lr = {...}``, or TOML's bare ``train.lr = {...}``).
Every key and every value a parameter can take is checked against :class:`RunConfig` when the
file is read, so a typo fails before the first trial. A parameter with a ``condition`` is only
suggested when the named keys (tuned in the same trial, or fixed in the base config) take one of
the listed values; otherwise the base config's value stays.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_sentiment.config import RunConfig, read_config_file
from lstm_sentiment.errors import ConfigError

if TYPE_CHECKING:
    import optuna

KINDS = ("float", "int", "categorical")
SPEC_KEYS = ("type", "low", "high", "step", "log", "choices", "values", "condition")
FIXED_KEYS = {
    "train.seed": "every trial shares the seed (set it in the base config)",
    "train.threads": "threads are set per worker (--workers)",
    "train.monitor": "the monitored score follows --metric",
}
"""Config keys a search space may not tune, and why."""
FIXED_SECTIONS = {"data": "every trial must see the same data and validation split"}
GRID_FLOAT_DECIMALS = 12
"""Grid points of a float range with a step are rounded to this many decimals."""

Choice = str | int | float | bool


@dataclass(frozen=True)
class ParamSpec:
    """One tuned config key: a float or int range, or a list of choices."""

    name: str
    """The dotted config key (``train.lr``), also the Optuna parameter name."""
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    log: bool = False
    choices: tuple[Choice, ...] = ()
    condition: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]

    def suggest(self, trial: optuna.Trial) -> Any:
        """Ask ``trial`` for a value of this parameter."""
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(
                self.name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log
            )
        return trial.suggest_float(
            self.name, float(self.low), float(self.high), step=self.step, log=self.log
        )

    def grid_values(self) -> list[Choice]:
        """The values a grid search visits (choices, or a range with a step)."""
        if self.kind == "categorical":
            return list(self.choices)
        if self.kind == "int" and not self.log:
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        if self.kind == "float" and self.step:
            count = math.floor((self.high - self.low) / self.step + 1e-9) + 1
            return [round(self.low + i * self.step, GRID_FLOAT_DECIMALS) for i in range(count)]
        raise ConfigError(
            f"search space {self.name}: a grid needs explicit values; give values = [...] "
            "or a step (ints without log scale, floats with step)"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form, stored with the study to detect a changed space on resume."""
        out: dict[str, Any] = {"type": self.kind}
        if self.kind == "categorical":
            out["choices"] = list(self.choices)
        else:
            out.update(low=self.low, high=self.high, step=self.step, log=self.log)
        if self.condition:
            out["condition"] = {key: list(values) for key, values in self.condition.items()}
        return out


@dataclass(frozen=True)
class SearchSpace:
    """Parameters in suggestion order (a parameter after those its condition names)."""

    params: tuple[ParamSpec, ...]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def suggest(self, trial: optuna.Trial, base: RunConfig) -> dict[str, Any]:
        """Suggest every active parameter; returns ``{dotted key: value}``."""
        values: dict[str, Any] = {}
        for spec in self.params:
            if all(
                _current(key, values, base) in allowed for key, allowed in spec.condition.items()
            ):
                values[spec.name] = spec.suggest(trial)
        return values

    def grid(self) -> dict[str, list[Choice]]:
        """The search space of Optuna's ``GridSampler``."""
        return {spec.name: spec.grid_values() for spec in self.params}

    def grid_size(self) -> int:
        return math.prod(len(values) for values in self.grid().values())

    def max_value(self, name: str, default: int) -> int:
        """Largest value ``name`` can take (e.g. ``train.epochs`` for Hyperband)."""
        for spec in self.params:
            if spec.name == name:
                if spec.kind == "categorical":
                    return max(int(v) for v in spec.choices)
                return int(spec.high)
        return default

    @property
    def has_conditions(self) -> bool:
        return any(spec.condition for spec in self.params)

    def to_dict(self) -> dict[str, Any]:
        return {spec.name: spec.to_dict() for spec in self.params}


def apply_params(base: RunConfig, params: Mapping[str, Any]) -> RunConfig:
    """``base`` with ``{dotted key: value}`` set (list fields take ``"a,b"`` strings)."""
    raw = base.to_dict()
    for name, value in params.items():
        section, key = name.split(".", 1)
        raw[section][key] = value
    return RunConfig.from_dict(raw)


def _current(key: str, values: Mapping[str, Any], base: RunConfig) -> Any:
    if key in values:
        return values[key]
    section, name = key.split(".", 1)
    value = getattr(getattr(base, section), name)
    return ",".join(str(item) for item in value) if isinstance(value, list) else value


def load_search_space(path: str | Path, base: RunConfig) -> SearchSpace:
    """Read and check a search-space file against ``base`` (see the module docstring)."""
    return parse_search_space(read_config_file(path), base, where=str(path))


def parse_search_space(
    raw: Mapping[str, Any], base: RunConfig, where: str = "search space"
) -> SearchSpace:
    """Build a :class:`SearchSpace` from a parsed file; every problem is a :class:`ConfigError`."""
    specs = {name: _parse_spec(name, spec, base, where) for name, spec in _flatten(raw, where)}
    if not specs:
        raise ConfigError(f'{where}: no parameters to tune; add e.g. "train.lr" = {{...}}')
    for spec in specs.values():
        _check_values(spec, base, where)
    return SearchSpace(tuple(_ordered(specs, where)))


def _flatten(raw: Mapping[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """``{"train.lr": spec}`` and ``{"train": {"lr": spec}}`` → ``[("train.lr", spec)]``."""
    out: list[tuple[str, dict[str, Any]]] = []
    for key, value in raw.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {key} must be a table such as {{ low = 1, high = 8 }}")
        if "." in key or _is_spec(value):
            out.append((key, value))
            continue
        for name, spec in value.items():
            if not isinstance(spec, dict) or not _is_spec(spec):
                raise ConfigError(f"{where}: {key}.{name} must be a parameter table with a type")
            out.append((f"{key}.{name}", spec))
    return out


def _is_spec(value: dict[str, Any]) -> bool:
    return any(key in value for key in ("type", "low", "high", "choices", "values"))


def _check_key(name: str, base: RunConfig, where: str) -> None:
    sections = base.to_dict()
    section, _, key = name.partition(".")
    if section not in sections:
        raise ConfigError(
            f"{where}: unknown config section {section!r} in {name!r}; valid: "
            + ", ".join(sections)
        )
    if key not in sections[section]:
        raise ConfigError(
            f"{where}: unknown config key {name!r}; valid in [{section}]: "
            + ", ".join(sections[section])
        )


def _parse_spec(name: str, raw: dict[str, Any], base: RunConfig, where: str) -> ParamSpec:
    _check_key(name, base, where)
    section = name.split(".", 1)[0]
    if name in FIXED_KEYS or section in FIXED_SECTIONS:
        reason = FIXED_KEYS.get(name) or FIXED_SECTIONS[section]
        raise ConfigError(f"{where}: {name} cannot be tuned: {reason}")
    unknown = sorted(set(raw) - set(SPEC_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: {name} has unknown field {unknown[0]!r}; valid: {', '.join(SPEC_KEYS)}"
        )
    condition = _parse_condition(name, raw.get("condition", {}), base, where)
    listed = raw.get("choices", raw.get("values"))
    kind = raw.get("type", "categorical" if listed is not None else None)
    if kind not in KINDS:
        raise ConfigError(f"{where}: {name} type must be one of {', '.join(KINDS)}; got {kind!r}")
    if listed is not None:
        if not isinstance(listed, list) or not listed:
            raise ConfigError(f"{where}: {name} choices/values must be a non-empty list")
        choices = tuple(_choice(name, value, kind, where) for value in listed)
        if len(set(choices)) != len(choices):
            raise ConfigError(f"{where}: {name} lists a value twice")
        return ParamSpec(name, "categorical", choices=choices, condition=condition)
    if kind == "categorical":
        raise ConfigError(f"{where}: {name} needs choices = [...] (or values = [...])")
    return _range_spec(name, raw, kind, condition, where)


def _range_spec(
    name: str, raw: dict[str, Any], kind: str, condition: dict[str, tuple[Any, ...]], where: str
) -> ParamSpec:
    number = int if kind == "int" else (int, float)
    bounds = {key: raw.get(key) for key in ("low", "high")}
    for key, value in bounds.items():
        if isinstance(value, bool) or not isinstance(value, number):
            raise ConfigError(f"{where}: {name} needs a numeric {key} ({kind}); got {value!r}")
    low, high = bounds["low"], bounds["high"]
    step, log = raw.get("step"), raw.get("log", False)
    if not isinstance(log, bool):
        raise ConfigError(f"{where}: {name} log must be true or false")
    if not low < high:
        raise ConfigError(f"{where}: {name} needs low < high; got {low} and {high}")
    if step is not None and (isinstance(step, bool) or not isinstance(step, number) or step <= 0):
        raise ConfigError(f"{where}: {name} step must be a positive {kind}; got {step!r}")
    if log and (low <= 0 or (step is not None and (kind == "float" or step != 1))):
        raise ConfigError(f"{where}: {name} on a log scale needs low > 0 and no step")
    if kind == "float":
        low, high = float(low), float(high)
        step = float(step) if step is not None else None
    return ParamSpec(name, kind, low, high, step, log, condition=condition)


def _choice(name: str, value: Any, kind: str, where: str) -> Choice:
    """A choice as Optuna stores it: lists (``["max", "mean"]``) become ``"max,mean"``."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{where}: {name} values must be integers; got {value!r}")
    if kind == "float" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ConfigError(f"{where}: {name} values must be numbers; got {value!r}")
    if not isinstance(value, str | int | float | bool):
        raise ConfigError(f"{where}: {name} choices must be strings, numbers, booleans or lists")
    return float(value) if kind == "float" else value


def _parse_condition(
    name: str, raw: Any, base: RunConfig, where: str
) -> dict[str, tuple[Any, ...]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: {name} condition must be a table of key = [values]")
    condition: dict[str, tuple[Any, ...]] = {}
    for key, allowed in raw.items():
        _check_key(key, base, f"{where}: condition of {name}")
        if key == name:
            raise ConfigError(f"{where}: {name} cannot be conditioned on itself")
        values = allowed if isinstance(allowed, list) else [allowed]
        condition[key] = tuple(_choice(key, value, "categorical", where) for value in values)
    return condition


def _check_values(spec: ParamSpec, base: RunConfig, where: str) -> None:
    """Every value the parameter can take must make a valid config on top of ``base``."""
    candidates = list(spec.choices) or [spec.low, spec.high]
    for value in candidates:
        try:
            apply_params(base, {spec.name: value})
        except ConfigError as exc:
            raise ConfigError(f"{where}: {spec.name} = {value!r} is not valid: {exc}") from None


def _ordered(specs: dict[str, ParamSpec], where: str) -> list[ParamSpec]:
    """Parameters after the tuned parameters their conditions name; cycles fail."""
    ordered: list[ParamSpec] = []
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise ConfigError(f"{where}: conditions form a cycle through {name}")
        visiting.add(name)
        for key in specs[name].condition:
            if key in specs:
                visit(key)
        visiting.discard(name)
        done.add(name)
        ordered.append(specs[name])

    for name in specs:
        visit(name)
    return ordered


def space_fingerprint(space: SearchSpace) -> str:
    """Canonical JSON of the space, stored with a study."""
    return json.dumps(space.to_dict(), sort_keys=True)
