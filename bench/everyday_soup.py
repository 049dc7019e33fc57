"""Weight soups of everyday fine-tunes: the arms' weights averaged, scored on validation.

Fine-tunes that start from one model (seeds, or mixes of data) often stay in one basin of the
loss, where the average of their weights scores better than each of them at no cost at
inference (Wortsman et al. 2022, "Model soups"). Each soup here is the uniform average of its
members' tensors (every float tensor; any other tensor must be equal in all of them), its
softmax temperature fitted again on the validation reviews, written as a neural bundle. The
members and the soups are scored side by side in one run on the validation reviews (the
members' own held-out split of IMDB train) and on the everyday study's validation sets
(``everyday_finetune.held_out_scores``). Choices are made on these numbers; ``--test`` reads
IMDB test once for the soups (a printed test number, listed in the results).

    python bench/everyday_soup.py --data ../shared/data/aclImdb.tar.gz \\
        --study runs/everyday_finetune --soup x3=ARM,ARM_seed17,ARM_seed18 [--test]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

import benchlib
from everyday_finetune import held_out_scores
from everyday_study_data import study_data
from everyday_typos import validation_reviews
from imdb_best_steps import Steps

NAME = "everyday_soup"
SOUPS_FOLDER = "soups"
"""Where the soups' bundles go inside the study's work folder."""


class SoupError(ValueError):
    """The members cannot be averaged (a user error: exit 2 with the message)."""


def average_tensors(states: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """The uniform average of ``states`` (state dicts of one architecture); tensors that are not
    floating point must be equal in every member."""
    import torch

    first = states[0]
    for state, name in zip(states[1:], names[1:], strict=True):
        if state.keys() != first.keys():
            missing = sorted(first.keys() ^ state.keys())[0]
            raise SoupError(
                f"{name} and {names[0]} differ in their tensors ({missing}): "
                "a soup needs models of one architecture"
            )
        for key, tensor in state.items():
            if tensor.shape != first[key].shape:
                raise SoupError(
                    f"{key} is {tuple(tensor.shape)} in {name} but {tuple(first[key].shape)} in "
                    f"{names[0]}: a soup needs fine-tunes of one base model"
                )
    averaged = {}
    for key, tensor in first.items():
        if not tensor.is_floating_point():
            if any(not torch.equal(state[key], tensor) for state in states[1:]):
                raise SoupError(f"{key} (not a float tensor) differs between the members")
            averaged[key] = tensor.clone()
            continue
        total = torch.zeros_like(tensor, dtype=torch.float64)
        for state in states:
            total += state[key].to(torch.float64)
        averaged[key] = (total / len(states)).to(tensor.dtype)
    return averaged


def make_soup(members: list[Path], out: Path, reviews: list[Any]) -> Path:
    """Average ``members`` (neural bundles) into the bundle ``out``, its temperature fitted on
    ``reviews`` (the validation split) and its validation metrics in ``metrics.json``."""
    import numpy as np

    from lstm_sentiment.errors import BundleError
    from lstm_sentiment.inference.metrics import classification_metrics
    from lstm_sentiment.inference.probabilities import softmax
    from lstm_sentiment.kinds.neural_model import load_bundle, save_bundle
    from lstm_sentiment.training.calibration import fit_temperature

    try:
        bundles = [load_bundle(path) for path in members]
    except BundleError as exc:
        raise SoupError(str(exc)) from None
    labels = bundles[0].labels
    if any(bundle.labels != labels for bundle in bundles[1:]):
        raise SoupError(f"the members' labels differ ({[b.labels for b in bundles]})")
    states = [bundle.model.state_dict() for bundle in bundles]
    soup = bundles[0]
    soup.model.load_state_dict(average_tensors(states, [str(path) for path in members]))
    soup.model.eval()
    truth = np.array([labels.index(str(ex.label)) for ex in reviews])
    logits = soup.logits([ex.text for ex in reviews])
    soup.temperature = fit_temperature(logits, truth)
    soup.metrics = {
        "validation": classification_metrics(truth, softmax(logits, soup.temperature), labels),
        "soup_of": [str(path) for path in members],
    }
    soup.info = {**soup.info, "soup_of": [path.parent.name for path in members]}
    return save_bundle(out, soup)


def split_metrics(model: Any, examples: list[Any]) -> dict[str, Any]:
    """The toolkit's classification metrics of a loaded ``SentimentModel`` on ``examples``."""
    import numpy as np

    from lstm_sentiment.inference.metrics import classification_metrics

    labels = list(model.labels)
    truth = np.array([labels.index(str(ex.label)) for ex in examples])
    probabilities = np.asarray(model.predict_proba([ex.text for ex in examples]))
    return classification_metrics(truth, probabilities, labels)


def parse_soup(spec: str, study: Path) -> tuple[str, list[Path]]:
    """``NAME=ARM,ARM,...`` → the name and the arms' model folders (an arm may be a path)."""
    name, _, arms = spec.partition("=")
    members = [a for a in arms.split(",") if a]
    if not name or len(members) < 2:
        raise SoupError(f"--soup {spec!r}: write NAME=ARM,ARM[,...] (two members or more)")
    paths = []
    for arm in members:
        path = Path(arm) if Path(arm).is_dir() else study / "arms" / arm / "model"
        if not (path / "model.safetensors").is_file():
            raise SoupError(f"--soup {name}: {arm} is neither an arm of {study} nor a bundle")
        paths.append(path)
    return name, paths


def scores(model_dir: Path, reviews: list[Any], validation: dict[str, str]) -> dict[str, Any]:
    """Validation reviews (accuracy, log loss, ECE) and the study's validation sets."""
    from lstm_sentiment.predict import SentimentModel

    metrics = split_metrics(SentimentModel.load(model_dir), reviews)
    keep = ("accuracy", "log_loss", "ece")
    return {
        "validation_reviews": {k: metrics[k] for k in keep},
        **held_out_scores(str(model_dir), validation),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--study", required=True, help="everyday_finetune.py's work folder")
    parser.add_argument("--soup", action="append", required=True, help="NAME=ARM,ARM[,...]")
    parser.add_argument("--test", action="store_true", help="read IMDB test once per soup")
    args = parser.parse_args()
    from everyday import load_imdb
    from lstm_sentiment.predict import SentimentModel

    study = Path(args.study)
    if not (study / "steps" / "sentences.json").is_file():
        parser.error(f"{study} holds no finished everyday study: run everyday_finetune.py first")
    try:
        soups = dict(parse_soup(spec, study) for spec in args.soup)
    except SoupError as exc:
        parser.error(str(exc))
    first = next(iter(soups.values()))[0]
    _, validation, _ = study_data(args.data, first, study, Steps(study, True), None)
    reviews = validation_reviews(first, args.data)
    test = load_imdb(args.data, 0)[2] if args.test else None
    models: dict[str, Any] = {}
    for name, members in soups.items():
        for member in members:
            if member.parent.name not in models:
                print(f"scoring {member.parent.name}", flush=True)
                models[member.parent.name] = {
                    "path": str(member),
                    **scores(member, reviews, validation),
                }
        print(f"making and scoring soup {name}", flush=True)
        try:
            path = make_soup(members, study / SOUPS_FOLDER / name, reviews)
        except SoupError as exc:
            parser.error(str(exc))
        models[f"soup:{name}"] = {
            "path": str(path),
            "members": [m.parent.name for m in members],
            **scores(path, reviews, validation),
        }
        if test is not None:
            models[f"soup:{name}"]["test"] = split_metrics(SentimentModel.load(path), test)
    result = {
        **benchlib.header(NAME),
        "command": shlex.join([sys.executable, *sys.argv]),
        "models": models,
    }
    for name, record in models.items():
        reviews_scores = record["validation_reviews"]
        print(
            f"{name}: val acc {reviews_scores['accuracy']:.4f}, log loss "
            f"{reviews_scores['log_loss']:.4f}, review sentences "
            f"{record['validation_review_sentences']['accuracy']:.4f}"
        )
    print(f"results: {benchlib.write_results(NAME, result)}")


if __name__ == "__main__":
    main()
