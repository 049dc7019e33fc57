"""``LSTMSentimentClassifier`` under scikit-learn's estimator contract, on tiny text data.

scikit-learn's generic checks feed 2-D numeric arrays; those that do not depend on the data
type run as they are, the data-dependent ones are re-done here on texts (see the estimator's
docstring for the list).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks

from lstm_sentiment import LSTMSentimentClassifier
from lstm_sentiment.errors import DataError

TINY_CONFIG = {
    "text": {"min_freq": 1, "max_length": 16},
    "model": {"embedding_dropout": 0.0, "dropout": 0.1},
    "train": {"lr": 0.02, "patience": 2, "bucket_size": 2, "checkpoint_every": 0},
}
APPLICABLE_CHECKS = (
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_estimators_unfitted",
    "check_classifiers_regression_target",
    "check_supervised_y_no_nan",
    "check_classifiers_one_label",
    "check_requires_y_none",
    "check_fit1d",
)
"""scikit-learn checks that apply to a text classifier (none of them trains a model)."""


def tiny_classifier(**params: object) -> LSTMSentimentClassifier:
    """A tiny model; ``vectors`` defaults to none (pass the toy vectors to train well)."""
    defaults = {"hidden_size": 8, "epochs": 4, "batch_size": 8, "threads": 1, "vectors": "none"}
    defaults.update(validation_fraction=0.25, random_state=7, config=TINY_CONFIG)
    return LSTMSentimentClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def toy_vectors(tmp_path_factory: pytest.TempPathFactory) -> str:
    from conftest import write_tiny_vectors

    return str(write_tiny_vectors(tmp_path_factory.mktemp("vectors") / "toy.txt"))


@pytest.fixture(scope="module")
def texts_labels() -> tuple[list[str], list[str]]:
    from conftest import toy_texts

    rows = toy_texts(0)
    return [text for text, _ in rows], [label for _, label in rows]


@pytest.fixture(scope="module")
def fitted(texts_labels, toy_vectors: str) -> LSTMSentimentClassifier:
    return tiny_classifier(vectors=toy_vectors).fit(*texts_labels)


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_scikit_learn_checks_that_apply_to_text(check: str) -> None:
    getattr(estimator_checks, check)("LSTMSentimentClassifier", tiny_classifier())


def test_tags_say_text_input() -> None:
    from sklearn.utils import get_tags

    tags = get_tags(LSTMSentimentClassifier())
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.estimator_type == "classifier"


def test_fit_returns_self_changes_no_parameter_and_adds_only_fitted_attributes(
    texts_labels, tmp_path: Path
) -> None:
    classifier = tiny_classifier(epochs=1, work_dir=tmp_path / "run")
    params = classifier.get_params()
    before = set(vars(classifier))
    assert classifier.fit(*texts_labels) is classifier
    assert classifier.get_params() == params
    added = set(vars(classifier)) - before
    assert all(name.endswith("_") or name.startswith("_") for name in added), added
    assert {"classes_", "model_", "config_", "history_", "validation_metrics_"} <= added
    # work_dir keeps the run folder (a temporary folder is used and removed otherwise).
    assert (tmp_path / "run" / "model" / "model.safetensors").is_file()
    assert clone(classifier).get_params()["work_dir"] == tmp_path / "run"


def test_predictions_follow_classes_and_probabilities_sum_to_one(fitted, probe_texts) -> None:
    assert list(fitted.classes_) == ["negative", "positive"]
    probabilities = fitted.predict_proba(list(probe_texts))
    assert probabilities.shape == (len(probe_texts), 2)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert list(fitted.predict(list(probe_texts))) == list(probe_texts.values())
    assert list(fitted.classes_[probabilities.argmax(axis=1)]) == list(probe_texts.values())


def test_numeric_labels_keep_their_order_and_type(texts_labels, toy_vectors: str) -> None:
    texts, labels = texts_labels
    # As strings "10" sorts before "2": predict_proba must still follow classes_ = [2, 10].
    y = np.array([10 if label == "positive" else 2 for label in labels])
    classifier = tiny_classifier(vectors=toy_vectors).fit(np.array(texts), y)
    assert list(classifier.classes_) == [2, 10]
    predicted = classifier.predict(texts)
    assert predicted.dtype == y.dtype
    assert (predicted == y).mean() >= 0.9
    positive = classifier.predict_proba(["a great and wonderful film"])[0]
    assert positive[1] > positive[0]


def test_sample_order_subsets_and_input_types_do_not_change_predictions(
    fitted, texts_labels
) -> None:
    texts = texts_labels[0][:20]
    reference = fitted.predict_proba(texts)
    order = np.random.default_rng(0).permutation(len(texts))
    assert np.allclose(fitted.predict_proba([texts[i] for i in order]), reference[order], atol=1e-6)
    assert np.allclose(fitted.predict_proba(texts[5:9]), reference[5:9], atol=1e-6)
    assert np.allclose(fitted.predict_proba(pd.Series(texts)), reference, atol=1e-6)
    assert np.allclose(fitted.predict_proba(np.array(texts)[:, None]), reference, atol=1e-6)


def test_pickle_round_trip_predicts_the_same(fitted, texts_labels) -> None:
    texts = texts_labels[0][:10]
    restored = pickle.loads(pickle.dumps(fitted))
    assert np.allclose(restored.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)


def test_fit_is_idempotent(fitted, texts_labels) -> None:
    texts = texts_labels[0][:10]
    refitted = clone(fitted).fit(*texts_labels)
    assert np.allclose(refitted.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)


@pytest.mark.parametrize(
    ("X", "words"),
    [
        ("one text", "single string"),
        (np.zeros((4, 3)), "1-D"),
        ([1.0, 2.0], "texts"),
        (["fine", "  "], "empty"),
    ],
)
def test_bad_input_raises_value_error(fitted, X, words: str) -> None:
    with pytest.raises(ValueError, match=words) as error:
        fitted.predict(X)
    assert isinstance(error.value, DataError)  # and the CLI's one-line message


def test_grid_search_picks_the_learning_rate_that_learns(texts_labels, toy_vectors: str) -> None:
    # lr 1e-7 cannot move the weights in 4 epochs: the search must prefer 0.02.
    search = GridSearchCV(tiny_classifier(vectors=toy_vectors), {"lr": [1e-7, 0.02]}, cv=2)
    search.fit(*texts_labels)
    assert search.best_params_ == {"lr": 0.02}
    low, high = search.cv_results_["mean_test_score"]
    assert high > low + 0.2
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert search.best_estimator_.score(*texts_labels) >= 0.9


def test_cross_val_score_of_a_pipeline(texts_labels, toy_vectors: str) -> None:
    lowercase = FunctionTransformer(lambda texts: [text.lower() for text in texts])
    pipeline = make_pipeline(lowercase, tiny_classifier(epochs=3, vectors=toy_vectors))
    scores = cross_val_score(pipeline, *texts_labels, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() >= 0.7
