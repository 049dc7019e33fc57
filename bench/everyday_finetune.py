"""Fine-tuning the shipped model for everyday texts (issue 18): what extra data a short
fine-tune (``train.init_from = "default"``, ``configs/everyday_finetune.toml``) can take
without giving back accuracy on whole reviews.

Steps (each recorded in ``WORK/steps`` and skipped by ``--reuse``; a cut-off training resumes
from its checkpoint):

1. the shipped model labels the unsup reviews (``predict --min-confidence 0.8``);
2. ``everyday_data.py --vader-negation`` cuts the training and unsup reviews into sentences:
   the shipped model labels them, negated sentences take VADER's label when VADER is sure; the
   sentences of the validation reviews are written too;
3. the negated training sentences alone, and a sample of them as large as the training reviews;
4. human-rated snippets (``everyday_snippets.py``), negation counterfactuals of the training
   sentences and snippets (``everyday_counterfactual.py``; at quantifiers, opening articles
   and universal subjects: ``everyday_quantifiers.py``), intensity triplets
   (``everyday_intensity.py``), contrast pairs (``everyday_contrast.py``) and, to score arms
   on, counterfactuals and triplets of the validation sentences;
5. one fine-tune per arm (``everyday_arms.ARMS``), each scored on the validation reviews
   (accuracy, log loss), the validation sentences (all, negated, other), the held-out tweets
   and snippets (all, negated), the validation sentences' negated copies (at auxiliaries; at
   verbs too; at quantifiers) and their intensity triplets (does the adverb move the
   probability the right way, as the suite's DIR cases are scored).

Choices are made on those validation numbers; the behavioural suite, GOP and IMDB test are
then measured once by ``bench/everyday.py --model NAME=WORK/ARM/model`` (printed at the end).
``train`` also prints each arm's test accuracy: those exploratory numbers are recorded too.

    python bench/everyday_finetune.py --data ../shared/data/aclImdb.tar.gz --reuse

The ``wide_*`` arms start from the 128-unit student of ``everyday_recipe.py --work
runs/everyday128 --set model.hidden_size=128`` and are refused until it exists.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import benchlib
from everyday_arms import ARMS, WIDE, WIDE_STUDENT
from everyday_contrast import contrast_data
from everyday_counterfactual import counterfactual_accuracy, counterfactual_data
from everyday_data import NEGATION
from everyday_intensity import intensity_accuracy, intensity_data
from everyday_quantifiers import quantifier_data
from everyday_recipe import sentence_accuracy, sentence_data
from everyday_snippets import snippet_accuracy, snippet_data
from everyday_tweets import tweet_accuracy, tweet_data
from imdb_best_steps import Steps, pseudo_label, run_record, run_train

NAME = "everyday_finetune"
CONFIG = benchlib.ROOT / "configs" / "everyday_finetune.toml"
SHIPPED = benchlib.ROOT / "src" / "lstm_sentiment" / "pretrained" / "default"
VADER_NEGATION = ["--vader-negation"]
"""everyday_data.py: negated sentences take VADER's label when VADER is sure."""
SAMPLE_SEED = 0
TRAINING_REVIEWS = 22_500
"""IMDB train less the validation split: the negated sample is as large."""


def negated_files(train_csv: str, reviews: int, work: Path, steps: Steps) -> dict[str, Any]:
    """The negated training sentences, and a sample of ``reviews`` of them."""
    if record := steps.done("negated"):
        return record
    import pandas as pd

    rows = pd.read_csv(train_csv, keep_default_na=False)
    negated = rows[rows["text"].map(lambda text: bool(NEGATION.search(text)))]
    sample = negated.sample(n=min(reviews, len(negated)), random_state=SAMPLE_SEED)
    files = {"negated": work / "negated_train.csv", "negated_sample": work / "negated_sample.csv"}
    for key, frame in (("negated", negated), ("negated_sample", sample)):
        frame.to_csv(files[key].with_suffix(".tmp"), index=False)
        files[key].with_suffix(".tmp").replace(files[key])
    record = {
        "negated": str(files["negated"]),
        "negated_rows": len(negated),
        "negated_sample": str(files["negated_sample"]),
        "negated_sample_rows": len(sample),
        "sentences_rows": len(rows),
    }
    return steps.save("negated", record)


def soft_labels(step: str, train_csv: str, work: Path, steps: Steps) -> dict[str, Any]:
    """The rows of ``train_csv`` with ``p_<label>`` columns: the label at its recorded
    confidence (at least one half, so no row contradicts its label; none recorded counts as
    sure), the rest to the other label. Written to ``work/<step>.csv``."""
    if record := steps.done(step):
        return record
    import pandas as pd

    rows = pd.read_csv(train_csv, keep_default_na=False)  # a text "NA" stays a text
    confidence = pd.to_numeric(rows["confidence"], errors="coerce")  # "" → NaN
    sure = confidence.fillna(1.0).clip(lower=0.5, upper=1.0)
    positive = sure.where(rows["label"] == "positive", 1 - sure)
    soft = pd.DataFrame(
        {
            "text": rows["text"],
            "label": rows["label"],
            "p_negative": (1 - positive).round(4),
            "p_positive": positive.round(4),
        }
    )
    path = work / f"{step}.csv"
    soft.to_csv(path.with_suffix(".tmp"), index=False)
    path.with_suffix(".tmp").replace(path)
    record = {
        "file": str(path),
        "rows": len(soft),
        "raised_to_one_half": int((confidence < 0.5).sum()),
        "without_confidence": int(confidence.isna().sum()),
        "median_label_probability": float(sure.median()),
    }
    return steps.save(step, record)


def fine_tune(
    name: str,
    data: str,
    files: list[str],
    overrides: list[str],
    work: Path,
    steps: Steps,
    validation: dict[str, str],
) -> dict[str, Any]:
    """One arm: the fine-tune, its validation numbers and its exploratory test accuracy."""
    step = f"arm_{name}"  # arms and data steps share the steps folder
    if record := steps.done(step):
        if "validation_intensity" in record:
            return record
        return steps.save(step, {**record, **held_out_scores(record["model_dir"], validation)})
    run_dir = work / "arms" / name
    settings = ["data.extra_train=" + json.dumps(files), *overrides]
    command, cost, metrics = run_train(CONFIG, data, run_dir, settings, resume=True)
    record = run_record(name, command, cost, metrics, run_dir)
    record["validation_log_loss"] = metrics["validation"]["log_loss"]
    return steps.save(step, {**record, **held_out_scores(record["model_dir"], validation)})


def held_out_scores(model_dir: str, validation: dict[str, str]) -> dict[str, Any]:
    """A model on the held-out sentences, tweets and snippets."""
    return {
        "validation_sentences": sentence_accuracy(model_dir, validation["sentences"]),
        "validation_tweets": tweet_accuracy(model_dir, validation["tweets"]),
        "validation_snippets": snippet_accuracy(model_dir, validation["snippets"]),
        "validation_counterfactual": counterfactual_accuracy(
            model_dir, validation["counterfactual"]
        ),
        "validation_counterfactual_verbs": counterfactual_accuracy(
            model_dir, validation["counterfactual_verbs"]
        ),
        "validation_quantifiers": counterfactual_accuracy(model_dir, validation["quantifiers"]),
        "validation_intensity": intensity_accuracy(model_dir, validation["intensity"]),
    }


def table(shipped: dict[str, Any], arms: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| model | val acc | val log loss | val sentences | negated | other | val tweets F1 "
        "| val snippets | negated | val negated copies | with verbs | at quantifiers "
        "| intensity | test acc (printed) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, arm in {"shipped": shipped, **arms}.items():
        sentences = arm["validation_sentences"]
        tweets = arm.get("validation_tweets")
        tweets_f1 = f"{tweets['macro_f1']:.4f}" if tweets else "-"
        snippets = arm.get("validation_snippets")
        snippets_acc = f"{snippets['accuracy']:.4f}" if snippets else "-"
        negated = snippets.get("negated_accuracy") if snippets else None
        snippets_negated = f"{negated:.4f}" if negated is not None else "-"
        copies = arm.get("validation_counterfactual")
        copies_acc = f"{copies['accuracy']:.4f}" if copies else "-"
        verbs = arm.get("validation_counterfactual_verbs")
        verbs_acc = f"{verbs['accuracy']:.4f}" if verbs else "-"
        late = [arm.get(key) for key in ("validation_quantifiers", "validation_intensity")]
        quantifiers_acc, intensity_acc = (f"{x['accuracy']:.4f}" if x else "-" for x in late)
        lines.append(
            f"| {name} | {arm['validation_accuracy']:.4f} | {arm['validation_log_loss']:.4f} | "
            f"{sentences['accuracy']:.4f} | {sentences['negated_accuracy']:.4f} | "
            f"{sentences['other_accuracy']:.4f} | {tweets_f1} | {snippets_acc} | "
            f"{snippets_negated} | {copies_acc} | {verbs_acc} | {quantifiers_acc} | "
            f"{intensity_acc} | "
            f"{arm['test_accuracy']:.4f} |"
        )
    return lines


def sdist_path(given: str | None) -> Path | None:
    return Path(given) if given else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--work", default=str(benchlib.ROOT / "runs" / NAME))
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated arms to run")
    parser.add_argument("--reuse", action="store_true", help="keep the finished steps")
    parser.add_argument(
        "--results", default=NAME, help="bench/results/<RESULTS>.json (one per study round)"
    )
    parser.add_argument(
        "--base",
        help="the model that labels the data and that the arms fine-tune (default: the shipped "
        "one); the results' 'shipped' row is this model",
    )
    parser.add_argument("--snippets-sdist", help="vaderSentiment's sdist (default: download)")
    args = parser.parse_args()
    names = args.arms.split(",")
    if unknown := sorted(set(names) - set(ARMS)):
        parser.error(f"unknown arm(s) {', '.join(unknown)}: choose from {', '.join(ARMS)}")
    wide = [name for name in names if WIDE in ARMS[name][1]]
    if wide and not (Path(WIDE_STUDENT) / "config.json").is_file():
        parser.error(
            f"the arm(s) {', '.join(wide)} fine-tune {WIDE_STUDENT}, which is missing: run "
            "bench/everyday_recipe.py --work runs/everyday128 --set model.hidden_size=128 "
            "first, or leave them out of --arms"
        )
    work = Path(args.work)
    steps = Steps(work, args.reuse)
    base = Path(args.base) if args.base else SHIPPED
    unsup = pseudo_label("teacher", str(base), args.data, work, steps)
    sentences = sentence_data("sentences", args.data, base, work, steps, VADER_NEGATION)
    shipped_metrics = json.loads((base / "metrics.json").read_text())
    negated = negated_files(sentences["train"], TRAINING_REVIEWS, work, steps)
    tweets = steps.done("tweets") or steps.save("tweets", tweet_data(work / "tweets"))
    soft = soft_labels("sentences_soft", sentences["train"], work, steps)
    soft_tweets = soft_labels("tweets_soft", tweets["train"], work, steps)
    snippets = steps.done("snippets") or steps.save(
        "snippets", snippet_data(work / "snippets", sdist_path(args.snippets_sdist), args.data)
    )
    counterfactual = steps.done("counterfactual") or steps.save(
        "counterfactual",
        counterfactual_data(
            [Path(soft["file"]), Path(snippets["train"])], work / "counterfactual.csv"
        ),
    )
    counterfactual_verbs = steps.done("counterfactual_verbs") or steps.save(
        "counterfactual_verbs",
        counterfactual_data(
            [Path(soft["file"]), Path(snippets["train"])],
            work / "counterfactual_verbs.csv",
            verbs=True,
        ),
    )
    contrast = steps.done("contrast") or steps.save(
        "contrast",
        contrast_data([Path(soft["file"]), Path(snippets["train"])], work / "contrast.csv"),
    )
    soft_validation = soft_labels("sentences_validation_soft", sentences["validation"], work, steps)
    counterfactual_validation = steps.done("counterfactual_validation") or steps.save(
        "counterfactual_validation",
        counterfactual_data(
            [Path(soft_validation["file"])], work / "counterfactual_validation.csv"
        ),
    )
    verbs_validation = steps.done("counterfactual_verbs_validation") or steps.save(
        "counterfactual_verbs_validation",
        counterfactual_data(
            [Path(soft_validation["file"])],
            work / "counterfactual_verbs_validation.csv",
            verbs=True,
        ),
    )
    sources = [Path(soft["file"]), Path(snippets["train"])]
    quantifiers = steps.done("quantifiers") or steps.save(
        "quantifiers", quantifier_data(sources, work / "quantifiers.csv")
    )
    intensity = steps.done("intensity") or steps.save(
        "intensity", intensity_data(sources, work / "intensity.csv")
    )
    validation_sources = [Path(soft_validation["file"])]
    quantifiers_validation = steps.done("quantifiers_validation") or steps.save(
        "quantifiers_validation",
        quantifier_data(validation_sources, work / "quantifiers_validation.csv"),
    )
    intensity_validation = steps.done("intensity_validation") or steps.save(
        "intensity_validation",
        intensity_data(validation_sources, work / "intensity_validation.csv"),
    )
    validation = {
        "quantifiers": quantifiers_validation["negated_file"],
        "intensity": intensity_validation["file"],
        "counterfactual": counterfactual_validation["negated_file"],
        "counterfactual_verbs": verbs_validation["negated_file"],
        "sentences": sentences["validation"],
        "tweets": tweets["validation"],
        "snippets": snippets["validation"],
    }
    files = {
        "unsup": unsup["file"],
        "sentences": sentences["train"],
        "negated": negated["negated"],
        "negated_sample": negated["negated_sample"],
        "tweets": tweets["train"],
        "sentences_soft": soft["file"],
        "tweets_soft": soft_tweets["file"],
        "snippets": snippets["train"],
        "counterfactual": counterfactual["file"],
        "counterfactual_negated": counterfactual["negated_file"],
        "counterfactual_verbs": counterfactual_verbs["file"],
        "contrast": contrast["file"],
        "quantifiers": quantifiers["file"],
        "intensity": intensity["file"],
    }
    shipped = {
        "validation_accuracy": shipped_metrics["validation"]["accuracy"],
        "validation_log_loss": shipped_metrics["validation"]["log_loss"],
        "test_accuracy": shipped_metrics["test"]["accuracy"],
        **held_out_scores(str(base), validation),
    }
    arms = {}
    for name in names:
        extra, overrides = ARMS[name]
        arms[name] = fine_tune(
            name,
            args.data,
            [files[key] for key in extra],
            [f"train.init_from={base}", *overrides] if args.base else overrides,
            work,
            steps,
            validation,
        )
    result = {
        **benchlib.header(args.results),
        "command": shlex.join([sys.executable, *sys.argv]),
        "config": str(CONFIG.relative_to(benchlib.ROOT)),
        "data": {
            "unsup": unsup,
            "sentences": sentences,
            "negated": negated,
            "tweets": tweets,
            "sentences_soft": soft,
            "tweets_soft": soft_tweets,
            "snippets": snippets,
            "counterfactual": counterfactual,
            "counterfactual_validation": counterfactual_validation,
            "counterfactual_verbs": counterfactual_verbs,
            "counterfactual_verbs_validation": verbs_validation,
            "contrast": contrast,
            "quantifiers": quantifiers,
            "quantifiers_validation": quantifiers_validation,
            "intensity": intensity,
            "intensity_validation": intensity_validation,
        },
        "shipped": shipped,
        "arms": arms,
        "table": table(shipped, arms),
    }
    path = benchlib.write_results(args.results, result)
    print("\n".join(result["table"]))
    print(f"results: {path}")
    models = " ".join(f"--model {name}={arm['model_dir']}" for name, arm in arms.items())
    print(
        f"next: python bench/everyday.py --data {args.data} --gop GOP_CSV {models} "
        "--output-dir bench/results/everyday_finetune_suite"
    )


if __name__ == "__main__":
    main()
