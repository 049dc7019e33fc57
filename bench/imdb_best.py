"""IMDB: the best single model, an ensemble and the shipped default model (a script, not a test).

Everything is trained here, in this run, on IMDB train + unsup only (the test split is read for
measurement alone), each step in its own process and one at a time:

1. own skip-gram word2vec vectors (100-d) on train + unsup (``lstm-sentiment vectors train``);
2. the NBSVM baseline (``configs/imdb_nbsvm.toml``) and a BiGRU with an NB-weighted n-gram
   path (``configs/imdb_best.toml`` with a GRU encoder): the models trained on train alone;
3. their ensemble (``lstm-sentiment ensemble``) labels the 50,000 unlabelled reviews
   (``lstm-sentiment predict --split unsup --min-confidence``): self-training data;
4. trained on train plus those labels (``data.extra_train``): NBSVM again, the shipped student
   (``configs/imdb_ship.toml``: a small BiLSTM, also trained on random crops so that it reads
   single sentences) and the single model (``configs/imdb_single.toml``: the same network
   with 128 units);
5. the final ensemble of every model above, re-measured by ``lstm-sentiment evaluate``;
6. the shipped model re-measured by ``evaluate`` from its bundle; its size, its batch prediction
   speed and its accuracy on single sentences cut from the (held-out) test reviews;
7. a TF-IDF + logistic regression baseline tuned on the same validation split.

Ensembles average their members with equal weights (:data:`imdb_best_recipe.ENSEMBLE_WEIGHTS`);
the ensemble with weights fitted on validation is measured beside the final one. The single model
the issue measures is ``configs/imdb_single.toml``; which recurrent model validation would pick is
reported beside it.

    python bench/imdb_best.py --data ../shared/data/aclImdb.tar.gz [--ship-default] [--reuse] \
        [--single-seeds 18,19] [--group-validation]

``--reuse`` keeps the steps a killed run finished (each step's record is saved when it ends).
``--single-seeds`` trains the single model's config again with other training seeds and reports
the spread (a robustness check, outside the ensemble and the training time).
Writes ``bench/results/imdb_best.json`` and its table in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import benchlib
from imdb_best_measure import (
    evaluate_bundle,
    probe_predictions,
    short_text_accuracy,
    single_spread,
)
from imdb_best_recipe import (
    BEST_CONFIG,
    NAME,
    NBSVM_CONFIG,
    SHIP,
    SHIPPED,
    SHORT_TEXT_SEED,
    SINGLE,
    SPLIT_SEED,
    SUPERVISED,
    THREADS,
    Member,
)
from imdb_best_report import PUBLISHED, bar_status, ship_default, write_readme_table
from imdb_best_steps import Steps, build_ensemble, pseudo_label, train_run, train_vectors


def parse_seeds(text: str) -> list[int]:
    """``"18,19"`` → ``[18, 19]``; empty → no repeats."""
    try:
        return [int(seed) for seed in text.split(",") if seed.strip()]
    except ValueError:
        message = f"expected comma-separated integers, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder, or 'imdb'")
    parser.add_argument("--work", default=str(benchlib.ROOT / "bench" / "work" / NAME))
    parser.add_argument("--reuse", action="store_true", help="keep the finished steps")
    parser.add_argument("--ship-default", action="store_true", help="ship the shipped member")
    parser.add_argument("--limit", type=int, default=0, help="smoke test: N reviews per split")
    parser.add_argument(
        "--group-validation",
        action="store_true",
        help="carve validation from whole movies (data.group_validation) in every step",
    )
    parser.add_argument(
        "--single-seeds",
        type=parse_seeds,
        default=[],
        help="robustness check: also train the single model's config with these seeds "
        "(comma-separated); reported beside it, not in the ensemble or the training time",
    )
    parser.add_argument(
        "--output-dir", help="smoke test: write the results JSON and README.md here, not in bench/"
    )
    args = parser.parse_args()
    if args.output_dir:
        benchlib.RESULTS_DIR = Path(args.output_dir)
        benchlib.BENCH_README = Path(args.output_dir) / "README.md"
    shared = [f"data.limit={args.limit}", "train.epochs=1"] if args.limit else []
    if args.group_validation:
        shared.append("data.group_validation=true")

    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import stratified_split
    from lstm_sentiment.predict import default_model_path
    from lstm_sentiment.preparation import load_training_data

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    steps = Steps(work, args.reuse)
    w2v = train_vectors(args.data, work, steps, args.limit)
    pseudo: dict[str, Any] = {}

    def train_member(member: Member) -> dict[str, Any]:
        overrides = [f"vectors.source={w2v['file']}", *shared, *member.overrides]
        if member.self_trained:
            overrides.append(f'data.extra_train=["{pseudo["file"]}"]')
        run = train_run(member.name, member.config, args.data, overrides, work, steps)
        return {**run, "description": member.description}

    linear = {"nbsvm": train_run("nbsvm", NBSVM_CONFIG, args.data, shared, work, steps)}
    linear["nbsvm"]["description"] = "NBSVM on train (configs/imdb_nbsvm.toml)"
    members = {SUPERVISED.name: train_member(SUPERVISED)}
    bundles = {"nbsvm": linear["nbsvm"]["model_dir"], "bigru": members["bigru"]["model_dir"]}
    labeller = build_ensemble("labeller", bundles, args.data, work, steps)
    pseudo |= pseudo_label("pseudo", labeller["model_dir"], args.data, work, steps)

    extra = [f'data.extra_train=["{pseudo["file"]}"]', *shared]
    linear["nbsvm_pseudo"] = train_run("nbsvm_pseudo", NBSVM_CONFIG, args.data, extra, work, steps)
    linear["nbsvm_pseudo"]["description"] = (
        "NBSVM on train + unsup labels (configs/imdb_nbsvm.toml)"
    )
    bundles |= {"nbsvm_pseudo": linear["nbsvm_pseudo"]["model_dir"]}
    for member in (SHIP, SINGLE):
        members[member.name] = train_member(member)
        bundles |= {member.name: members[member.name]["model_dir"]}
    repeats = [
        train_member(replace(SINGLE, name=f"single_seed{seed}", overrides=[f"train.seed={seed}"]))
        for seed in args.single_seeds
    ]
    ensemble = build_ensemble("ensemble", bundles, args.data, work, steps)
    fitted = build_ensemble("ensemble_fitted", bundles, args.data, work, steps, weights="fit")
    validation_pick = max(members, key=lambda name: members[name]["validation_accuracy"])

    config = RunConfig.from_file(BEST_CONFIG).with_overrides(
        [f"data.source={args.data}", f"data.split_seed={SPLIT_SEED}", *shared]
    )
    train_examples, test_examples = load_training_data(config)
    fit, validation = stratified_split(
        train_examples,
        config.data.validation_fraction,
        config.validation_seed,
        by_group=config.data.group_validation,
    )
    tfidf = benchlib.tfidf_baseline(fit, validation, test_examples)

    shipped = dict(members[SHIPPED])
    shipped["evaluate"] = evaluate_bundle(shipped["model_dir"], args.data)
    shipped["speed"] = benchlib.prediction_speed(
        shipped["model_dir"], [ex.text for ex in test_examples], THREADS
    )
    shipped["probes"] = probe_predictions(shipped["model_dir"])
    pairs = benchlib.short_texts(test_examples, SHORT_TEXT_SEED)
    compared = {name: run["model_dir"] for name, run in members.items()}
    compared |= {name: run["model_dir"] for name, run in linear.items()}
    compared |= {"previous default": str(default_model_path())}
    short = {"n": len(pairs), "accuracy": short_text_accuracy(compared, pairs)}

    trained = [w2v, *linear.values(), *members.values(), labeller, pseudo, ensemble]
    result = {
        **benchlib.header(NAME),
        "notes": "all choices made on validation carved from train; test read only to measure",
        "validation_split": "whole movies" if args.group_validation else "random",
        "w2v": w2v,
        "linear": linear,
        "members": members,
        "single": {"name": SINGLE.name, **members[SINGLE.name]},
        "single_repeats": single_spread(members[SINGLE.name], repeats),
        "validation_pick": {"name": validation_pick, **members[validation_pick]},
        "labeller": labeller,
        "pseudo_labels": pseudo,
        "ensemble": ensemble,
        "ensemble_fitted": fitted,
        "tfidf": tfidf,
        "shipped": shipped,
        "short_texts": short,
        "total_train_minutes": sum(step["wall_seconds"] for step in trained) / 60,
        "published": dict(PUBLISHED),
    }
    result["bar"] = bar_status(result)
    benchlib.write_results(NAME, result)
    write_readme_table(result)
    if args.ship_default:
        ship_default(result)
    print(json.dumps(result["bar"], indent=2))


if __name__ == "__main__":
    main()
