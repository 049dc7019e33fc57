"""The ``## Everyday texts`` section of the shipped model's card, from ``bench/everyday.py``'s
results: the suite's results per category and type, the other measurements, and the weak spots
that remain, with failed cases as examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import behaviour_suite as suite
from behaviour_suite import TESTED_CATEGORIES
from everyday import pct

CARD_SECTION = "## Everyday texts"
WEAK_SPOT_EXAMPLES = 2
"""Failed cases quoted per weak category and type in the model card."""


def snippet_line(run: dict[str, Any], vader: dict[str, Any] | None) -> list[str]:
    """The human-rated snippets' accuracy, VADER's beside it, when they were measured."""
    if "snippets" not in run:
        return []
    snippets = run["snippets"]
    domains = ", ".join(f"{k} {v:.3f}" for k, v in snippets["per_domain"].items())
    peer = f"; VADER {vader['snippets']['accuracy']:.4f}" if vader and "snippets" in vader else ""
    return [
        f"- human-rated short texts (the held-out, clearly rated sentences of the VADER paper, "
        f"bench/everyday_snippets.py): accuracy {snippets['accuracy']:.4f} on "
        f"{snippets['clear']:,} ({domains}){peer}"
    ]


def card_section(result: dict[str, Any], name: str) -> str:
    """The model card's section: the suite's results per category and type, the other
    measurements, and the weak spots that remain, with failed cases as examples."""
    run = result["systems"][name]
    scored = run["suite"]
    # file names only: a card never names a path of the machine that measured it
    command = " ".join(Path(w).name if w.startswith("/") else w for w in result["command"].split())
    lines = [
        CARD_SECTION,
        f"Measured by `{command}` on {result['date'][:10]} "
        f"(bench/results/everyday.json): the behavioural suite `tests/behaviour/cases.jsonl` "
        f"({result['suite']['counts']['total']['cases']} CheckList-style cases).",
        "",
        f"- overall {pct(scored['overall']['rate'])}; "
        + "; ".join(f"{t} {pct(scored['by_type'][t]['rate'])}" for t in suite.TESTED_TYPES),
        f"- IMDB single sentences accuracy {run['imdb_sentences']['accuracy']:.4f}; GOP debate "
        f"tweets positive/negative zero-shot macro-F1 {run['gop']['macro_f1']:.4f}; IMDB test "
        f"accuracy {run['imdb_test']['accuracy']:.4f} (ECE {run['imdb_test']['ece']:.4f})",
        f"- neutral, factual texts: mean top probability "
        f"{scored['neutral']['mean_top_probability']:.3f}; `--min-confidence 0.7` abstains on "
        f"{scored['neutral']['abstained']} of {scored['neutral']['n']}",
        *snippet_line(run, result["systems"].get("VADER")),
        "",
        "| category | pass rate | MFT | INV | DIR |",
        "|---|---|---|---|---|",
    ]
    for category in TESTED_CATEGORIES:
        if category not in scored["by_category"]:
            continue
        per_type = scored["by_category_and_type"][category]
        cells = [
            pct(per_type[t]["rate"]) + f" ({per_type[t]['passed']}/{per_type[t]['total']})"
            if t in per_type
            else "–"
            for t in suite.TESTED_TYPES
        ]
        overall = pct(scored["by_category"][category]["rate"])
        lines.append(f"| {category.replace('_', ' ')} | {overall} | " + " | ".join(cells) + " |")
    weak = sorted(
        (
            (per["rate"], f"{category}/{kind}")
            for category, types in scored["by_category_and_type"].items()
            for kind, per in types.items()
            if per["rate"] < 1.0
        ),
    )
    lines += ["", "Weak spots (the lowest pass rates), with failed cases:"]
    examples = scored["failures"]["examples"]
    for rate, key in weak[:5]:
        quoted = [
            " → ".join(
                f"“{text}” {p:.2f}" for text, p in zip(f["texts"], f["p_positive"], strict=True)
            )
            + f" (expected {f.get('expected', 'the same label')})"
            for f in examples.get(key, [])[:WEAK_SPOT_EXAMPLES]
        ]
        lines.append(f"- {key} {pct(rate)}: " + "; ".join(quoted))
    lines.append("")
    lines.append("Scores are p(positive); a DIR case passes when it moves the expected way.")
    return "\n".join(lines)


def update_card(path: str, result: dict[str, Any], name: str) -> None:
    """Write :func:`card_section` into the bundle's model card (atomic re-write)."""
    from lstm_sentiment.export.card import record_card_section

    record_card_section(path, CARD_SECTION, card_section(result, name))
    print(f"wrote the {CARD_SECTION!r} section of {path}/README.md", flush=True)
