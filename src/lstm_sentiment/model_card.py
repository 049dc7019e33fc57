"""The short model card (README.md) written into every bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lstm_sentiment.models.registry import describe

if TYPE_CHECKING:
    from lstm_sentiment.bundle import Bundle
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.ensemble.model import EnsembleModel
    from lstm_sentiment.linear.nbsvm import NbsvmModel


def _metric_lines(metrics: dict, split: str) -> list[str]:
    values = metrics.get(split)
    if not values:
        return [f"- {split}: not measured"]
    return [
        f"- {split} (n={values['n']:,}): accuracy {values['accuracy']:.4f}, "
        f"macro-F1 {values['macro_f1']:.4f}, log loss {values['log_loss']:.4f}"
    ]


def render_model_card(bundle: Bundle, environment: dict[str, str], notes: str = "") -> str:
    """Markdown describing what the model is, what it was trained on and how well it does."""
    cfg = bundle.config
    lines = [
        "# lstm-sentiment model",
        "",
        f"Architecture `{cfg.model.architecture}`: {describe(cfg.model)}; "
        f"{len(bundle.encoder.vocab):,} vocabulary tokens, "
        f"embeddings initialised from `{cfg.vectors.source}`.",
        "",
        f"Labels: {', '.join(bundle.labels)}.",
        "",
        "## Training data",
        *_training_data_lines(cfg),
        f"- text: tokenizer `{cfg.text.tokenizer}`, lowercase {cfg.text.lowercase}, max length "
        f"{cfg.text.max_length} tokens ({cfg.text.truncation} truncation)",
        "",
        "## Measured",
        *_metric_lines(bundle.metrics, "validation"),
        *_metric_lines(bundle.metrics, "test"),
        "",
        "## Limits",
        "- Trained on one domain: accuracy on other kinds of text (tweets, support tickets, short",
        "  sentences) is lower than the numbers above; measure on your data with",
        "  `lstm-sentiment evaluate`.",
        "- English only; words outside the vocabulary are read as one unknown token.",
        "",
        "## Environment",
        *[f"- {key}: {value}" for key, value in environment.items()],
    ]
    if notes:
        lines += ["", "## Notes", notes]
    return "\n".join(lines) + "\n"


def _training_data_lines(cfg: RunConfig) -> list[str]:
    groups = ""
    if cfg.data.group_validation:
        unit = f"`{cfg.data.group_column}`" if cfg.data.group_column else "movie"
        groups = f" (whole groups: no {unit} on both sides)"
    return [
        f"- source: `{cfg.data.source}` (split `{cfg.data.train_split}`, "
        f"{cfg.data.validation_fraction:.0%} held out for validation{groups}, "
        f"seed {cfg.validation_seed})",
    ]


def render_nbsvm_card(model: NbsvmModel, environment: dict[str, str]) -> str:
    """Markdown card of an NBSVM bundle: features, chosen settings, data and measurements."""
    cfg = model.config
    chosen = model.info.get("chosen", {})
    held_out = model.info.get("validation_held_out", True)
    lines = [
        "# lstm-sentiment model (NBSVM)",
        "",
        "NBSVM (Wang & Manning 2012): logistic regression on binary word 1.."
        f"{model.max_order}-grams scaled by their naive Bayes log-count ratio; "
        f"{len(model.vocabulary):,} n-grams (found in ≥ {cfg.nbsvm.min_df} training texts), "
        f"C = {chosen.get('c', '?')}, chosen on validation by {chosen.get('monitor', '?')}"
        + ("" if len(model.labels) == 2 else "; one classifier per class against the rest")
        + ".",
        "",
        f"Labels: {', '.join(model.labels)}.",
        "",
        "## Training data",
        *_training_data_lines(cfg),
        f"- text: tokenizer `{cfg.text.tokenizer}`, lowercase {cfg.text.lowercase}, whole texts",
        "- trained on the training part only: the validation split is held out"
        if held_out
        else "- refitted on train + validation after choosing (validation is not held out; its "
        "numbers below come from the model before the refit)",
        "",
        "## Measured",
        *_metric_lines(model.metrics, "validation"),
        *_metric_lines(model.metrics, "test"),
        "",
        "## Limits",
        "- A bag of n-grams: word order beyond the longest n-gram and negation scope are not",
        "  modelled; n-grams never seen in training are ignored.",
        "- Trained on one domain: measure on your data with `lstm-sentiment evaluate`.",
        "",
        "## Environment",
        *[f"- {key}: {value}" for key, value in environment.items()],
    ]
    return "\n".join(lines) + "\n"


def render_ensemble_card(model: EnsembleModel, environment: dict[str, str]) -> str:
    """Markdown card of an ensemble bundle: members, weights and validation measurements."""
    from lstm_sentiment.ensemble.model import COMBINATION

    weights = model.metrics.get("weights", {})
    validation = weights.get("validation", {})
    how = {
        "fit": "fitted on validation (non-negative, summing to 1, minimising the log loss)",
        "equal": "equal",
        "given": "given by the builder (normalised to sum to 1)",
    }.get(weights.get("method", ""), "?")
    rows = []
    for index, member in enumerate(model.members):
        recorded = model.metrics.get("members", [{}] * len(model.members))[index]
        own = recorded.get("validation") or {}
        accuracy = f"{own['accuracy']:.4f}" if "accuracy" in own else "-"
        rows.append(
            f"| `{member.path}` | {member.scorer.description} | {member.weight:.3f} | {accuracy} |"
        )
    if validation:
        where = f"`{validation.get('source')}` split `{validation.get('split')}`"
        if validation.get("carved"):
            where += (
                f", the {validation['validation_fraction']:.0%} validation part carved with seed "
                f"{validation['seed']} exactly as the members' training did (never trained on)"
            )
        else:
            where += " (held-out texts)"
        data_lines = [
            f"- validation: {where}; n = {validation.get('n', 0):,}",
            f"- log loss {validation.get('log_loss', float('nan')):.4f} with these weights, "
            f"{validation.get('log_loss_equal_weights', float('nan')):.4f} with equal weights",
        ]
    else:
        data_lines = ["- no validation data was given: weights not checked on held-out texts"]
    lines = [
        "# lstm-sentiment model (ensemble)",
        "",
        f"Ensemble of {len(model.members)} models: the {COMBINATION}; weights {how}. "
        "Each member reads the raw text with its own tokenizer.",
        "",
        f"Labels: {', '.join(model.labels)}.",
        "",
        "## Members",
        "| bundle | model | weight | validation accuracy |",
        "| --- | --- | ---: | ---: |",
        *rows,
        "",
        "## Measured",
        *data_lines,
        *_metric_lines(model.metrics, "validation"),
        "- test: measure with `lstm-sentiment evaluate --model <this folder> --data <test data>`",
        "",
        "## Limits",
        "- As slow as all its members together, and as domain-bound as they are.",
        "",
        "## Environment",
        *[f"- {key}: {value}" for key, value in environment.items()],
    ]
    return "\n".join(lines) + "\n"
