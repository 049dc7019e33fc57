"""The results of ``imdb_best.py``: goals met, the bench/README.md section and the shipped
model's card."""

from __future__ import annotations

import shutil
from typing import Any

import benchlib
from imdb_best_recipe import NAME, PSEUDO_MIN_CONFIDENCE, SHIPPED, THREADS

TITLE = "IMDB: best single model, ensemble and shipped model"
GOALS = {
    "single_model_accuracy": 0.915,
    "ensemble_accuracy": 0.925,
    "total_train_minutes": 60,
    "shipped_accuracy": 0.910,
    "shipped_megabytes": 25,
    "shipped_reviews_per_second": 1000,
}
PUBLISHED = [
    ("LSTM tutorials (Keras examples, blog posts)", "80-88%"),
    ("Dai & Le 2015: LSTM from scratch", "86.5%"),
    ("Wang & Manning 2012: NBSVM (word bigrams)", "91.2%"),
    ("Johnson & Zhang 2016: supervised BiLSTM with pooling", "91.9%"),
    ("Dai & Le 2015: sequence-autoencoder pretraining on unlabelled reviews", "92.8%"),
    ("Johnson & Zhang 2016: with unlabelled data", "94.1%"),
    ("Miyato et al. 2017: adversarial training", "94.1%"),
    ("Howard & Ruder 2018: ULMFiT (pretrained language model)", "95.4%"),
]


def bar_status(result: dict[str, Any]) -> dict[str, Any]:
    """Each goal of the issue against what was measured."""
    shipped = result["shipped"]
    checks = {
        "single_model_accuracy": result["single"]["test_accuracy"]
        >= GOALS["single_model_accuracy"],
        "ensemble_accuracy": result["ensemble"]["test"]["accuracy"] >= GOALS["ensemble_accuracy"],
        "total_train_minutes": result["total_train_minutes"] <= GOALS["total_train_minutes"],
        "shipped_accuracy": shipped["evaluate"]["accuracy"] >= GOALS["shipped_accuracy"],
        "shipped_megabytes": shipped["megabytes"] <= GOALS["shipped_megabytes"],
        "shipped_reviews_per_second": shipped["speed"]["reviews_per_second"]
        >= GOALS["shipped_reviews_per_second"],
    }
    return {"goals": GOALS, "checks": checks, "met": all(checks.values())}


def write_readme_table(result: dict[str, Any]) -> None:
    """Replace this benchmark's section of bench/README.md."""
    machine = result["machine"]
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {machine['cpu']} ({machine['cores']} cores); "
        f"torch {machine.get('torch')}, Python {machine['python']}.  ",
        f"Validation: 10% of train ({result.get('validation_split', 'random')}, the same for "
        "every model). "
        f"Own word2vec ({result['w2v']['dim']}-d) on train + unsup: "
        f"{result['w2v']['wall_seconds']:.0f} s. Everything trained in this run: "
        f"{result['total_train_minutes']:.1f} min (goal ≤ {GOALS['total_train_minutes']}).",
        "",
        "| system | val accuracy | test accuracy | test macro-F1 | wall time (s) | size (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for run in [*result["linear"].values(), *result["members"].values()]:
        lines.append(
            f"| {run['description']} | {run['validation_accuracy']:.4f} | "
            f"{run['test_accuracy']:.4f} | {run['test_macro_f1']:.4f} | "
            f"{run['wall_seconds']:.0f} | {run['megabytes']:.1f} |"
        )
    ensembles = [
        ("labeller of the unsup reviews", result["labeller"]),
        ("final", result["ensemble"]),
        ("final, for comparison", result["ensemble_fitted"]),
    ]
    for name, run in ensembles:
        method = "fitted on validation" if run["method"] == "fit" else run["method"]
        weights = ", ".join(f"{member} {w:.2f}" for member, w in run["weights"].items())
        lines.append(
            f"| ensemble, {name} (weights {method}: {weights}) | "
            f"{run['validation_accuracy']:.4f} | {run['test']['accuracy']:.4f} | "
            f"{run['test']['macro_f1']:.4f} | {run['wall_seconds']:.0f} | - |"
        )
    tfidf = result["tfidf"]
    lines += [
        f"| TF-IDF + LR baseline (C={tfidf['C']:g}) | {tfidf['validation_accuracy']:.4f} | "
        f"{tfidf['test_accuracy']:.4f} | {tfidf['test_macro_f1']:.4f} | "
        f"{tfidf['train_seconds']:.0f} | - |",
        "",
    ]
    labels = result["pseudo_labels"]
    labelled = ", ".join(f"{label} {k:,}" for label, k in labels["labelled"].items())
    lines += [
        f"- Labels for the {labels['texts']:,} unsup reviews: {labelled}; "
        f"{labels['abstained']:,} below {PSEUDO_MIN_CONFIDENCE} confidence left out "
        f"({labels['wall_seconds']:.0f} s).",
        f"- The single model (`configs/imdb_single.toml`): test accuracy "
        f"{result['single']['test_accuracy']:.4f}. The recurrent model with the best validation "
        f"accuracy: `{result['validation_pick']['name']}` (test accuracy "
        f"{result['validation_pick']['test_accuracy']:.4f}).",
        *single_spread_lines(result.get("single_repeats")),
        "- Validation accuracy of an ensemble is measured on the split its members chose their "
        "epochs on (and, when fitted, its weights): optimistic.",
        *(
            [
                "- `--reuse`: the training steps are those an earlier run of this script left in "
                "the same work folder (each step's command and cost are in the JSON); the "
                "measurements below were taken again."
            ]
            if "--reuse" in result["command"]
            else []
        ),
        "",
    ]
    shipped = result["shipped"]
    short = result["short_texts"]
    lines += [
        f"Shipped model (`{SHIPPED}`): `lstm-sentiment evaluate` from its bundle: accuracy "
        f"{shipped['evaluate']['accuracy']:.4f} on {shipped['evaluate']['n']:,} test reviews; "
        f"{shipped['megabytes']:.1f} MB; {shipped['speed']['reviews_per_second']:,.0f} reviews/s "
        f"(batch prediction from raw text, {THREADS} threads, median of 3 passes over the test "
        "reviews).",
        "",
        f"Single sentences cut from the test reviews ({short['n']:,}, one per review, 6-40 "
        "words, labelled with their review's label, so a noisy label: for comparing models only): "
        + ", ".join(f"{name} {acc:.4f}" for name, acc in short["accuracy"].items())
        + ".",
        "",
        "| goal | needed | measured | met |",
        "|---|---|---|---|",
    ]
    measured = {
        "single_model_accuracy": result["single"]["test_accuracy"],
        "ensemble_accuracy": result["ensemble"]["test"]["accuracy"],
        "total_train_minutes": result["total_train_minutes"],
        "shipped_accuracy": shipped["evaluate"]["accuracy"],
        "shipped_megabytes": shipped["megabytes"],
        "shipped_reviews_per_second": shipped["speed"]["reviews_per_second"],
    }
    for goal, needed in GOALS.items():
        relation = "≤" if goal in ("total_train_minutes", "shipped_megabytes") else "≥"
        lines.append(
            f"| {goal.replace('_', ' ')} | {relation} {needed:g} | {measured[goal]:,.4g} | "
            f"{'yes' if result['bar']['checks'][goal] else 'no'} |"
        )
    lines += ["", "Published IMDB results, for reference (not measured here):", ""]
    lines += ["| system | IMDB test accuracy |", "|---|---|"]
    lines += [f"| {system} | {accuracy} |" for system, accuracy in PUBLISHED]
    benchlib.replace_readme_section(NAME, TITLE, lines)


def single_spread_lines(spread: dict[str, Any] | None) -> list[str]:
    """README lines for the single model's config repeated over seeds (when it was)."""
    if not spread or len(spread["runs"]) < 2:
        return []
    runs = ", ".join(
        f"{run['validation_accuracy']:.4f} / {run['test_accuracy']:.4f}"
        for run in spread["runs"].values()
    )
    return [
        f"- The single model's config over {len(spread['runs'])} training seeds (val / test): "
        f"{runs}; test median {spread['test_median']:.4f}, range {spread['test_min']:.4f}-"
        f"{spread['test_max']:.4f} (the repeats are a robustness check: not in the ensemble, "
        "not in the training time)."
    ]


def ship_default(result: dict[str, Any]) -> None:
    """Copy the shipped member into the package, with its measured numbers in its card."""
    from lstm_sentiment.predict import default_model_path

    shipped = result["shipped"]
    target = default_model_path()
    staging = target.with_name(target.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(shipped["model_dir"], staging)
    probes = "\n".join(
        f'- "{p["text"]}" → {p["label"]} ({p["confidence"]:.2f})' for p in shipped["probes"]
    )
    short = result["short_texts"]["accuracy"]
    card = staging / "README.md"
    card.write_text(
        card.read_text()
        + "\n## Benchmark\n"
        + f"Trained by `{result['command']}` on {result['date']} ({result['machine']['cpu']}, "
        f"{result['machine']['cores']} cores), on IMDB train plus the unsup reviews labelled by "
        "an ensemble of models trained on train (own word2vec vectors from IMDB train + "
        "unsup; never test text). "
        "Re-measured from this bundle by `lstm-sentiment evaluate`: IMDB "
        f"test accuracy {shipped['evaluate']['accuracy']:.4f}; {shipped['megabytes']:.1f} MB; "
        f"{shipped['speed']['reviews_per_second']:,.0f} reviews/s batch prediction on "
        f"{THREADS} CPU threads. See bench/README.md.\n"
        + "\n## Known weaknesses (measured)\n"
        + f"Single sentences cut from IMDB test reviews (labelled with their review's label): "
        f"accuracy {short[SHIPPED]:.4f}, against {shipped['evaluate']['accuracy']:.4f} on whole "
        "reviews; it was trained on random crops of reviews as well as whole ones to keep it "
        "usable on short texts, but short, out-of-context, ironic or domain-specific texts "
        "(tweets, product support) remain its weakest ground. Its predictions on a few "
        f"non-review texts:\n{probes}\n"
    )
    if target.exists():
        shutil.rmtree(target)
    staging.replace(target)
