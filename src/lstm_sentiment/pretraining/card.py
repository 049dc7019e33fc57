"""The card (README) of a ``pretrain`` folder: what was learned, from how much text, how well,
and how a classifier uses it."""

from __future__ import annotations

from typing import Any

from lstm_sentiment.config import RunConfig
from lstm_sentiment.pretraining.artefact import OBJECTIVE_LSTM_REGION, OBJECTIVE_REGION

_SKIPPED_NOTE = {"all": "", "content": " but function words"}
"""How the card names ``pretrain.region_targets``."""


def _corpus_lines(summary: dict[str, Any], history: list[dict[str, float]]) -> list[str]:
    return [
        f"- Trained on {summary['tokens']:,} tokens ({summary['texts']:,} texts, "
        f"{summary['unlabelled_texts']:,} of them unlabelled) for {len(history)} epoch(s).",
    ]


def _region_card(
    config: RunConfig, summary: dict[str, Any], history: list[dict[str, float]]
) -> list[str]:
    settings = config.pretrain
    last = history[-1] if history else {}
    sampling = (
        f"{_SKIPPED_NOTE[settings.region_targets]} (negative sampling, {settings.negatives} "
        f"noise words per word) over {summary['vocabulary']:,} tokens."
    )
    if settings.objective == OBJECTIVE_LSTM_REGION:
        title = "# LSTM region embeddings (lstm-sentiment pretrain, two-view objective)"
        what = (
            f"- A forward and a backward LSTM of {settings.region_dim} units each over a learned "
            f"word table; each state predicts the {settings.region_size} words after (forward) "
            f"or before (backward) the token it has just read{sampling}"
        )
        if settings.region_vectors:
            what += f"\n- The word table started from the vectors ({config.vectors.source})."
        use = "model.lstm_region_init"
    else:
        title = "# Region embeddings (lstm-sentiment pretrain, two-view objective)"
        what = (
            f"- {settings.region_dim} dimensions per region of {settings.region_size} words, "
            f"trained to predict the {settings.region_size} words on each side{sampling}"
        )
        use = "model.region_init"
    return [
        title,
        "",
        what,
        *_corpus_lines(summary, history),
        f"- Validation loss per predicted word: {last.get('val_loss', float('nan')):.3f}.",
        f"- Use: `lstm-sentiment train --set {use}=PATH` with the same text settings; it does "
        "not predict labels itself.",
        "",
    ]


def pretrain_card(
    config: RunConfig, summary: dict[str, Any], history: list[dict[str, float]]
) -> str:
    """The card of a pretrained folder of ``config.pretrain.objective``."""
    if config.pretrain.objective in (OBJECTIVE_REGION, OBJECTIVE_LSTM_REGION):
        return "\n".join(_region_card(config, summary, history))
    last = history[-1] if history else {}
    model = config.model
    return "\n".join(
        [
            "# Pretrained language model (lstm-sentiment pretrain)",
            "",
            f"- {model.architecture.upper()}, {model.hidden_size} units per direction, "
            f"bidirectional {model.bidirectional}; adaptive softmax over "
            f"{summary['vocabulary']:,} tokens.",
            *_corpus_lines(summary, history),
            f"- Validation perplexity: {last.get('val_perplexity', float('nan')):.1f}.",
            "- Use: `lstm-sentiment train --set model.encoder_init=PATH` with the same text and "
            "model settings; it does not predict labels itself.",
            "",
        ]
    )
