"""The table of ``bench/imdb_semisup.py``'s results (arms, ensembles, teachers, pretraining)
for bench/README.md."""

from __future__ import annotations

from typing import Any

LM_STEP = "lm_pretrain"
REGION_STEP = "region_pretrain"
"""Step names of the language-model and region pretraining (a region step may carry a tag)."""


def table(result: dict[str, Any]) -> str:
    """The ablation as a Markdown table."""
    lines = [
        "| arm | validation acc | test acc | best epoch | training (s) | tokens/s |",
        "|---|---|---|---|---|---|",
    ]
    for name, arm in result["arms"].items():
        lines.append(
            f"| {name} | {arm['validation_accuracy']:.4f} | {arm['test_accuracy']:.4f} | "
            f"{arm['best_epoch']} | {arm['train_seconds']:.0f} | "
            f"{arm['tokens_per_second'] or 0:,.0f} |"
        )
    if "ensemble" in result:
        ensemble = result["ensemble"]
        lines.append(
            f"\nEnsemble ({', '.join(ensemble['weights'])}, equal weights): validation "
            f"{ensemble['validation_accuracy']:.4f}, test {ensemble['test']['accuracy']:.4f}."
        )
    for name, ensemble in result.get("ensembles", {}).items():
        lines.append(
            f"\nEnsemble {name} ({', '.join(ensemble['weights'])}, equal weights): validation "
            f"{ensemble['validation_accuracy']:.4f}, test {ensemble['test']['accuracy']:.4f}."
        )
    for name, teacher in result.get("teachers", {}).items():
        labelled = teacher["pseudo"]
        lines.append(
            f"\nTeacher {name} ({', '.join(teacher['weights'])}, equal weights): validation "
            f"{teacher['validation_accuracy']:.4f}, test {teacher['test']['accuracy']:.4f}; "
            f"labelled {sum(labelled['labelled'].values()):,} of {labelled['texts']:,} unsup "
            "reviews."
        )
    if LM_STEP in result:
        lm = result[LM_STEP]
        last = lm["history"][-1]
        lines.append(
            f"\nLanguage-model pretraining: {lm['train_seconds']:.0f} s, "
            f"{lm['corpus']['tokens']:,} tokens, "
            f"validation perplexity {last['val_perplexity']:.1f}."
        )
    for step in (key for key in result if key.startswith(REGION_STEP)):
        region = result[step]
        lines.append(
            f"\nRegion-embedding pretraining `{step}`: {region['train_seconds']:.0f} s, "
            f"{region['corpus']['tokens']:,} tokens, validation loss per predicted word "
            f"{region['history'][-1]['val_loss']:.3f} (epoch 1: "
            f"{region['history'][0]['val_loss']:.3f})."
        )
    return "\n".join(lines)
