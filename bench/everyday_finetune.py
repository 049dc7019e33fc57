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
4. human-rated snippets (``everyday_snippets.py``), product and restaurant texts
   (``everyday_products.py``), negation counterfactuals of the training
   sentences and snippets (``everyday_counterfactual.py``; at quantifiers, opening articles
   and universal subjects: ``everyday_quantifiers.py``), intensity triplets
   (``everyday_intensity.py``), contrast pairs (``everyday_contrast.py``), negated
   comparatives ("couldn't be happier": ``everyday_comparatives.py``), negating frames ("I
   can't say I enjoyed it": ``everyday_frames.py``), negated subjects ("None of the actors
   were convincing": ``everyday_subjects.py``), short sentences beside a neutral one
   (``everyday_context.py``: neutral sentences of the training reviews, read near one half by
   the base model) and, to score arms on, counterfactuals, triplets, comparatives, frames,
   negated subjects and neutral context of the validation sentences (and of the held-out
   snippets and product texts);
5. one fine-tune per arm (``everyday_arms.ARMS``), each scored on the validation reviews
   (accuracy, log loss), the validation sentences (all, negated, other), the held-out tweets
   and snippets (all, negated), the validation sentences' negated copies (at auxiliaries; at
   verbs too; at quantifiers), their intensity triplets (does the adverb move the
   probability the right way, as the suite's DIR cases are scored), their negated
   comparatives (read on the source's side), their framed copies, their negated subjects,
   the held-out product and restaurant texts, and how often a sentence keeps its predicted
   label when a neutral sentence is put beside it (the suite's invariance).

Choices are made on those validation numbers; the behavioural suite, GOP and IMDB test are
then measured once by ``bench/everyday.py --model NAME=WORK/ARM/model`` (printed at the end).
``train`` also prints each arm's test accuracy: those exploratory numbers are recorded too.

    python bench/everyday_finetune.py --data ../shared/data/aclImdb.tar.gz --reuse

A second round fine-tunes a new base on the same data (labelled by the first base):
``--base NEW --data-from runs/everyday_finetune --work runs/everyday_round2``.

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
from everyday_comparatives import comparative_accuracy
from everyday_context import context_accuracy
from everyday_counterfactual import counterfactual_accuracy
from everyday_intensity import intensity_accuracy
from everyday_recipe import sentence_accuracy
from everyday_snippets import snippet_accuracy
from everyday_study_data import LABELLED_BY_BASE, study_data
from everyday_tweets import neutral_scores, tweet_accuracy
from imdb_best_steps import Steps, run_record, run_train

NAME = "everyday_finetune"
CONFIG = benchlib.ROOT / "configs" / "everyday_finetune.toml"
LAST_SCORE = "validation_neutral_tweets"
"""The newest validation score: an arm recorded without it is scored again."""
SHIPPED = benchlib.ROOT / "src" / "lstm_sentiment" / "pretrained" / "default"


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
        if LAST_SCORE in record:
            return record
        return steps.save(step, {**record, **held_out_scores(record["model_dir"], validation)})
    run_dir = work / "arms" / name
    settings = ["data.extra_train=" + json.dumps(files), *overrides]
    command, cost, metrics = run_train(CONFIG, data, run_dir, settings, resume=True)
    record = run_record(name, command, cost, metrics, run_dir)
    record["validation_log_loss"] = metrics["validation"]["log_loss"]
    return steps.save(step, {**record, **held_out_scores(record["model_dir"], validation)})


def arm_settings(
    name: str, files: dict[str, str], base: Path | None
) -> tuple[list[str], list[str]]:
    """An arm's extra training files and its config overrides, ``{key}`` in an override read
    as the study's file of that key; with ``base``, the arms fine-tune it."""
    extra, overrides = ARMS[name]
    settings = [setting.format(**files) for setting in overrides]
    if base is not None:
        settings = [f"train.init_from={base}", *settings]
    return [files[key] for key in extra], settings


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
        "validation_quantifiers_articles": counterfactual_accuracy(
            model_dir, validation["quantifiers_articles"]
        ),
        "validation_intensity": intensity_accuracy(model_dir, validation["intensity"]),
        "validation_comparatives": comparative_accuracy(model_dir, validation["comparatives"]),
        "validation_frames": counterfactual_accuracy(model_dir, validation["frames"]),
        "validation_subjects": counterfactual_accuracy(model_dir, validation["subjects"]),
        "validation_products": snippet_accuracy(model_dir, validation["products"]),
        "validation_context": context_accuracy(model_dir, validation["context"]),
        "validation_context_short": context_accuracy(model_dir, validation["context_short"]),
        "validation_review_sentences": sentence_accuracy(model_dir, validation["review_sentences"]),
        "validation_names": context_accuracy(model_dir, validation["names"]),
        "validation_neutral_tweets": neutral_scores(model_dir, validation["tweets_neutral"]),
    }


def table(shipped: dict[str, Any], arms: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| model | val acc | val log loss | val sentences | negated | other | val tweets F1 "
        "| val snippets | negated | val negated copies | with verbs | at quantifiers "
        "| and articles | intensity | comparatives | frames | subjects | products "
        "| context kept | short texts' context kept | review sentences | names swapped: kept "
        "| neutral tweets: mean p(positive) | test acc (printed) |",
        "|---" * 24 + "|",
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
        late = (
            "validation_quantifiers",
            "validation_quantifiers_articles",
            "validation_intensity",
            "validation_comparatives",
            "validation_frames",
            "validation_subjects",
            "validation_products",
        )
        (
            quantifiers_acc,
            articles_acc,
            intensity_acc,
            comparatives_acc,
            frames_acc,
            subjects_acc,
            products_acc,
        ) = (f"{arm[key]['accuracy']:.4f}" if key in arm else "-" for key in late)
        context_kept, short_kept, names_kept = (
            f"{arm[key]['kept_label']:.4f}" if key in arm else "-"
            for key in ("validation_context", "validation_context_short", "validation_names")
        )
        review = arm.get("validation_review_sentences")
        review_acc = f"{review['accuracy']:.4f}" if review else "-"
        neutral = arm.get("validation_neutral_tweets")
        neutral_lean = f"{neutral['mean_positive']:.3f}" if neutral else "-"
        lines.append(
            f"| {name} | {arm['validation_accuracy']:.4f} | {arm['validation_log_loss']:.4f} | "
            f"{sentences['accuracy']:.4f} | {sentences['negated_accuracy']:.4f} | "
            f"{sentences['other_accuracy']:.4f} | {tweets_f1} | {snippets_acc} | "
            f"{snippets_negated} | {copies_acc} | {verbs_acc} | {quantifiers_acc} | "
            f"{articles_acc} | {intensity_acc} | {comparatives_acc} | {frames_acc} | "
            f"{subjects_acc} | {products_acc} | {context_kept} | {short_kept} | {review_acc} | "
            f"{names_kept} | {neutral_lean} | {arm['test_accuracy']:.4f} |"
        )
    return lines


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
    parser.add_argument(
        "--data-from",
        help="take the data (and its labels) from an earlier study's work folder, so a new --base "
        "fine-tunes on the same data (a second round); arms still go to --work",
    )
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
    if args.data_from and not all(
        (Path(args.data_from) / "steps" / f"{name}.json").is_file() for name in LABELLED_BY_BASE
    ):
        parser.error(
            f"{args.data_from} holds no finished study data (steps/teacher.json and "
            "steps/sentences.json): run the study there first, or leave out --data-from"
        )
    work = Path(args.work)
    steps = Steps(work, args.reuse)
    base = Path(args.base) if args.base else SHIPPED
    data_work = Path(args.data_from) if args.data_from else work
    data_steps = Steps(data_work, args.reuse or bool(args.data_from))
    files, validation, records = study_data(
        args.data, base, data_work, data_steps, args.snippets_sdist
    )
    shipped_metrics = json.loads((base / "metrics.json").read_text())
    shipped = {
        "validation_accuracy": shipped_metrics["validation"]["accuracy"],
        "validation_log_loss": shipped_metrics["validation"]["log_loss"],
        "test_accuracy": shipped_metrics["test"]["accuracy"],
        **held_out_scores(str(base), validation),
    }
    arms = {}
    for name in names:
        extra, settings = arm_settings(name, files, base if args.base else None)
        arms[name] = fine_tune(name, args.data, extra, settings, work, steps, validation)
    result = {
        **benchlib.header(args.results),
        "command": shlex.join([sys.executable, *sys.argv]),
        "config": str(CONFIG.relative_to(benchlib.ROOT)),
        "data": records,
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
