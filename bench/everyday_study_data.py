"""The data of the everyday fine-tuning study (``everyday_finetune.py``): each step recorded in
``WORK/steps`` and skipped when it is done.

The base model labels the unsup reviews and the sentences of the training and validation
reviews; the rest derives from those labels and from public corpora: the negated sentences,
soft labels, human-labelled tweets, snippets and product and restaurant texts, negation
counterfactuals (at auxiliaries, at verbs, at quantifiers, at subjects), contrast pairs,
intensity triplets, negated comparatives, frames, sentences beside neutral ones, review
sentences at their review's label and name swaps — for training, and of the validation
sentences to score arms on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from everyday_comparatives import comparative_data
from everyday_context import context_data, neutral_data
from everyday_contrast import contrast_data
from everyday_counterfactual import counterfactual_data
from everyday_data import NEGATION
from everyday_frames import SHORT_PAIRS, SHORT_WORDS, frame_data
from everyday_intensity import intensity_data
from everyday_names import name_data
from everyday_products import product_data
from everyday_quantifiers import quantifier_data
from everyday_recipe import CONFIG as SENTENCES_CONFIG
from everyday_recipe import sentence_data
from everyday_review_sentences import (
    ALL_FILMS,
    EVERY_SENTENCE,
    OTHER_FILMS,
    TRAIN_SENTENCES,
    review_sentence_data,
)
from everyday_snippets import snippet_data
from everyday_subjects import subject_data
from everyday_tweets import tweet_data, tweet_neutral_data, tweet_rest_data
from imdb_best_steps import Steps, pseudo_label

VADER_NEGATION = ["--vader-negation"]
"""everyday_data.py: negated sentences take VADER's label when VADER is sure."""
SAMPLE_SEED = 0
TRAINING_REVIEWS = 22_500
"""IMDB train less the validation split: the negated sample is as large."""
LABELLED_BY_BASE = ("teacher", "sentences")
"""The steps whose labels come from the base model: a study that borrows another's data
(``--data-from``) needs them done there."""


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


def step(steps: Steps, name: str, build: Any, *args: Any, **options: Any) -> dict[str, Any]:
    """A derived step: its record, built by ``build(*args, **options)`` unless done."""
    return steps.done(name) or steps.save(name, build(*args, **options))


def study_data(
    data: str, base: Path, work: Path, steps: Steps, sdist: str | None
) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """(training files by key, validation files by key, every step's record)."""
    unsup = pseudo_label("teacher", str(base), data, work, steps)
    sentences = sentence_data("sentences", data, base, work, steps, VADER_NEGATION)
    negated = negated_files(sentences["train"], TRAINING_REVIEWS, work, steps)
    tweets = step(steps, "tweets", tweet_data, work / "tweets")
    soft = soft_labels("sentences_soft", sentences["train"], work, steps)
    soft_tweets = soft_labels("tweets_soft", tweets["train"], work, steps)
    tweets_rest = step(steps, "tweets_rest", tweet_rest_data, work / "tweets")
    soft_rest = soft_labels("tweets_rest_soft", tweets_rest["rest"], work, steps)
    tweets_neutral = step(steps, "tweets_neutral", tweet_neutral_data, work / "tweets")
    snippets = step(
        steps, "snippets", snippet_data, work / "snippets", Path(sdist) if sdist else None, data
    )
    products = step(steps, "products", product_data, work / "products", None, None, data)
    sources = [Path(soft["file"]), Path(snippets["train"])]
    soft_validation = soft_labels("sentences_validation_soft", sentences["validation"], work, steps)
    held_out = [Path(soft_validation["file"])]
    neutral = step(steps, "neutral", neutral_data, data, base, work / "neutral", SENTENCES_CONFIG)
    review_sentences, review_sentences_all, review_sentences_other_films = (
        step(
            steps,
            name,
            review_sentence_data,
            data,
            work / "review_sentences",
            SENTENCES_CONFIG,
            size,
            films,
        )
        for name, size, films in (
            ("review_sentences", TRAIN_SENTENCES, ALL_FILMS),
            ("review_sentences_all", EVERY_SENTENCE, ALL_FILMS),
            ("review_sentences_other_films", TRAIN_SENTENCES, OTHER_FILMS),
        )
    )
    names = step(
        steps,
        "names",
        name_data,
        [Path(review_sentences_all["train"]), Path(snippets["train"]), Path(soft_tweets["file"])],
        [
            Path(review_sentences["validation"]),
            Path(snippets["validation"]),
            Path(tweets["validation"]),
            Path(products["validation"]),
        ],
        work / "names",
    )
    records = {
        "unsup": unsup,
        "sentences": sentences,
        "negated": negated,
        "tweets": tweets,
        "sentences_soft": soft,
        "tweets_soft": soft_tweets,
        "tweets_rest": tweets_rest,
        "tweets_rest_soft": soft_rest,
        "tweets_neutral": tweets_neutral,
        "snippets": snippets,
        "products": products,
        "neutral": neutral,
        "review_sentences": review_sentences,
        "review_sentences_all": review_sentences_all,
        "review_sentences_other_films": review_sentences_other_films,
        "names": names,
    }
    for name, build, options in (
        ("counterfactual", counterfactual_data, {}),
        ("counterfactual_verbs", counterfactual_data, {"verbs": True}),
        ("contrast", contrast_data, {}),
        ("quantifiers", quantifier_data, {}),
        ("quantifiers_articles", quantifier_data, {"articles": True}),
        ("intensity", intensity_data, {}),
        ("comparatives", comparative_data, {}),
        ("frames", frame_data, {}),
        ("frames_short", frame_data, {"max_words": SHORT_WORDS, "pairs": SHORT_PAIRS}),
        ("subjects", subject_data, {}),
    ):
        records[name] = step(steps, name, build, sources, work / f"{name}.csv", **options)
    for name, build, options in (
        ("counterfactual_validation", counterfactual_data, {}),
        ("counterfactual_verbs_validation", counterfactual_data, {"verbs": True}),
        ("quantifiers_validation", quantifier_data, {}),
        ("quantifiers_articles_validation", quantifier_data, {"articles": True}),
        ("intensity_validation", intensity_data, {}),
        ("comparatives_validation", comparative_data, {}),
        ("frames_validation", frame_data, {}),
        ("subjects_validation", subject_data, {}),
    ):
        records[name] = step(steps, name, build, held_out, work / f"{name}.csv", **options)
    short_held_out = [Path(snippets["validation"]), Path(products["validation"])]
    short_sources = [Path(snippets["train"]), Path(products["train"])]
    for name, files_from, neutral_file in (
        ("context", sources, neutral["train"]),
        ("context_short", short_sources, neutral["train"]),
        ("context_validation", held_out, neutral["validation"]),
        ("context_short_validation", short_held_out, neutral["validation"]),
    ):
        records[name] = step(
            steps, name, context_data, files_from, work / f"{name}.csv", Path(neutral_file)
        )
    validation = {
        "quantifiers": records["quantifiers_validation"]["negated_file"],
        "quantifiers_articles": records["quantifiers_articles_validation"]["negated_file"],
        "intensity": records["intensity_validation"]["file"],
        "comparatives": records["comparatives_validation"]["negated_file"],
        "frames": records["frames_validation"]["negated_file"],
        "subjects": records["subjects_validation"]["negated_file"],
        "counterfactual": records["counterfactual_validation"]["negated_file"],
        "counterfactual_verbs": records["counterfactual_verbs_validation"]["negated_file"],
        "sentences": sentences["validation"],
        "tweets": tweets["validation"],
        "snippets": snippets["validation"],
        "products": products["validation"],
        "context": records["context_validation"]["file"],
        "context_short": records["context_short_validation"]["file"],
        "review_sentences": review_sentences["validation"],
        "names": names["validation"],
        "tweets_neutral": tweets_neutral["validation"],
    }
    files = {
        "unsup": unsup["file"],
        "sentences": sentences["train"],
        "negated": negated["negated"],
        "negated_sample": negated["negated_sample"],
        "tweets": tweets["train"],
        "sentences_soft": soft["file"],
        "tweets_soft": soft_tweets["file"],
        "tweets_rest_soft": soft_rest["file"],
        "tweets_neutral": tweets_neutral["train"],
        "snippets": snippets["train"],
        "products": products["train"],
        "counterfactual": records["counterfactual"]["file"],
        "counterfactual_negated": records["counterfactual"]["negated_file"],
        "counterfactual_verbs": records["counterfactual_verbs"]["file"],
        "contrast": records["contrast"]["file"],
        "quantifiers": records["quantifiers"]["file"],
        "quantifiers_articles": records["quantifiers_articles"]["file"],
        "intensity": records["intensity"]["file"],
        "comparatives": records["comparatives"]["file"],
        "frames": records["frames"]["file"],
        "frames_short": records["frames_short"]["file"],
        "subjects": records["subjects"]["file"],
        "context": records["context"]["file"],
        "context_short": records["context_short"]["file"],
        "review_sentences": review_sentences["train"],
        "review_sentences_all": review_sentences_all["train"],
        "review_sentences_other_films": review_sentences_other_films["train"],
        "names": names["train"],
    }
    return files, validation, records
