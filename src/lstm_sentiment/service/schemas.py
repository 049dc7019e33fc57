"""The versioned JSON of the HTTP API (``/v1``), as pydantic models: FastAPI validates requests
with them and documents both directions in the OpenAPI schema at ``/docs``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. too_many_texts")
    message: str = Field(description="what went wrong and what to change")


class ErrorResponse(BaseModel):
    """Every error answer."""

    error: ErrorDetail


class PredictRequest(BaseModel):
    """Texts to classify."""

    model_config = ConfigDict(extra="forbid")

    texts: list[str] = Field(
        min_length=1,
        description="texts to classify (at least one; each non-empty)",
        examples=[["An unforgettable, moving film.", "A dull, predictable mess."]],
    )
    model: str | None = Field(
        default=None, description="name of a served model (default: the first one)"
    )
    min_confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="abstain (label null, with a reason) when the top probability is below this",
    )


class ExplainRequest(BaseModel):
    """Texts to explain."""

    model_config = ConfigDict(extra="forbid")

    texts: list[str] = Field(min_length=1, description="texts to explain")
    model: str | None = Field(default=None, description="name of a served model")
    steps: int | None = Field(
        default=None, ge=1, le=512, description="attribution steps (default: the model's)"
    )


class PredictionOut(BaseModel):
    label: str | None = Field(description="the predicted class, or null when abstaining")
    probabilities: dict[str, float] = Field(description="calibrated probability of each class")
    abstained: bool
    reason: str | None = Field(description="why the model abstained (null otherwise)")


class PredictResponse(BaseModel):
    model: str = Field(description="the model that answered")
    predictions: list[PredictionOut] = Field(description="one per text, in the request's order")


class TokenAttribution(BaseModel):
    token: str
    start: int = Field(description="character offset of the token in the text")
    end: int = Field(description="character offset just after the token")
    scores: dict[str, float] = Field(description="attribution of the token to each class")


class ExplanationOut(BaseModel):
    text: str
    label: str | None
    probabilities: dict[str, float]
    tokens: list[TokenAttribution]
    completeness_gap: float | None = None
    adds_up: bool = Field(
        default=True,
        description="whether the scores add up to the prediction within a tenth of what they "
        "share out (when not, read them as a ranking)",
    )
    method: str


class ExplainResponse(BaseModel):
    model: str
    explanations: list[ExplanationOut]


class ModelSummary(BaseModel):
    name: str
    kind: str = Field(description="neural, nbsvm or ensemble")
    labels: list[str]
    description: str
    default: bool = Field(description="whether requests without a model use it")


class Limits(BaseModel):
    max_texts: int = Field(description="texts per request")
    max_explain_texts: int = Field(description="texts per explain request")
    max_text_chars: int = Field(description="characters per text")
    max_body_bytes: int = Field(description="bytes per request body")


class ModelsResponse(BaseModel):
    default: str
    models: list[ModelSummary]
    limits: Limits


class ModelDetail(ModelSummary):
    metrics: dict[str, Any] = Field(description="what was measured when it was made")
    card: str = Field(description="the model card (Markdown)")
    checksum: str | None = Field(
        description="sha256 of the bundle's manifest.json (which lists every file's sha256)"
    )
    explain: bool = Field(description="whether /v1/explain works with this model")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    models: list[str]
