"""The models a service serves: where they come from (``--model [NAME=]PATH``), checking them
before the server starts, and what ``GET /v1/models/{name}`` says about each."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_sentiment.bundle import CARD_FILE, MANIFEST_FILE, read_header
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.kinds import KIND_NEURAL, get_kind
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.service.settings import Settings
from lstm_sentiment.shipped import DEFAULT_MODEL, default_model_path

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class ModelSpec:
    """A model to serve: its name and bundle folder, or an already loaded model (tests)."""

    name: str
    path: Path | None = None
    model: Any = None
    """A loaded :class:`SentimentModel` (or anything with its methods); loaded from ``path``
    at start-up when ``None``."""


@dataclass
class ServedModel:
    """A loaded model and what the service says about it."""

    name: str
    model: Any
    checksum: str | None = None
    card: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return list(self.model.labels)

    @property
    def kind(self) -> str:
        return str(getattr(self.model, "kind", "unknown"))

    @property
    def description(self) -> str:
        scorer = getattr(self.model, "scorer", None)
        return str(getattr(scorer, "description", "") or "")

    @property
    def metrics(self) -> dict[str, Any]:
        scorer = getattr(self.model, "scorer", None)
        return json_safe(dict(getattr(scorer, "metrics", None) or {}))


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None`` (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def parse_model_option(text: str) -> ModelSpec:
    """``NAME=PATH`` or a bare ``PATH`` (named after its folder)."""
    name, sep, path = text.partition("=")
    if not sep or not NAME_PATTERN.match(name):
        name, path = Path(text).resolve().name or DEFAULT_MODEL, text
        name = re.sub(r"[^A-Za-z0-9._-]", "-", name).lstrip("._-")[:64] or "model"
    if not path:
        raise ConfigError(f"--model {text!r}: give a bundle folder, e.g. --model name=runs/x/model")
    return ModelSpec(name, Path(path))


def resolve_specs(options: list[str] | None) -> list[ModelSpec]:
    """The models ``--model`` names (first = default), or the shipped model named ``default``;
    names must be unique."""
    specs = [parse_model_option(o) for o in options or []]
    if not specs:
        specs = [ModelSpec(DEFAULT_MODEL, default_model_path())]
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ConfigError(
                f"two models are named {spec.name!r}: name them, e.g. --model a=PATH --model b=PATH"
            )
        seen.add(spec.name)
    return specs


def check_bundle(spec: ModelSpec) -> None:
    """Fail fast (a one-line error) on a missing, corrupt or foreign bundle, before the server
    starts: header, format version, manifest checksums and kind."""
    if spec.path is None:
        return
    header = read_header(spec.path)
    get_kind(str(header.get("kind", KIND_NEURAL)))


def bundle_checksum(path: Path) -> str | None:
    """SHA-256 of the bundle's ``manifest.json`` (which holds every file's SHA-256), or of its
    ``config.json`` for old bundles without a manifest."""
    for name in (MANIFEST_FILE, "config.json"):
        file = path / name
        if file.is_file():
            return "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()
    return None


def load_served(spec: ModelSpec, settings: Settings | None = None) -> ServedModel:
    """Load one model (blocking: run it in a worker thread) on the settings' runtime, with its
    card and checksum."""
    settings = settings or Settings()
    if spec.model is not None:
        model = spec.model
    elif spec.path is not None:
        model = SentimentModel.load(
            spec.path, settings.runtime, precision=settings.precision, threads=settings.threads
        )
    else:
        raise ConfigError(f"model {spec.name!r} has neither a path nor a loaded model")
    checksum = card = None
    if spec.path is not None:
        checksum = bundle_checksum(spec.path)
        card_file = spec.path / CARD_FILE
        card = card_file.read_text(encoding="utf-8") if card_file.is_file() else None
    return ServedModel(spec.name, model, checksum, card or "")
