"""Batch scoring on Ray Data: the same labels and probabilities as single-process prediction,
rows and ids in order, a bad bundle refused before any task runs, and a clear error without Ray.

One local Ray (2 CPUs) serves the whole module: starting Ray costs seconds.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_sentiment.errors import BundleError, DataError
from lstm_sentiment.predict import SentimentModel
from test_cli import assert_input_error, run_cli

# Ray warns about its own deprecated settings and about idle actors in tiny datasets.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray"),
    pytest.mark.filterwarnings("ignore::UserWarning:ray"),
    pytest.mark.filterwarnings("ignore::FutureWarning:ray"),
]
NO_RAY = "Ray is not installed: pip install 'lstm-sentiment[distributed]' to run these tests"
WORDS = ["great", "awful", "film", "plot", "loved", "boring", "the", "was", "not", "a", "!"]


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray", reason=NO_RAY)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


def short_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(1, 12))) for _ in range(n)]


def test_ray_scores_exactly_as_one_process(ray_local) -> None:
    from lstm_sentiment.distributed import score_dataset

    texts = short_texts(10_000)
    ids = [f"r{i}" for i in np.random.default_rng(0).permutation(len(texts))]
    frame = pd.DataFrame({"id": ids, "review": texts, "stars": np.arange(len(texts)) % 5})
    # Eight blocks made in the driver: no task needs a CPU the two actors hold.
    dataset = ray_local.data.from_pandas([frame.iloc[i : i + 1250] for i in range(0, 10_000, 1250)])
    # fp32: the shipped model's default, int8, quantises activations per batch, so its last
    # digits depend on which rows share a batch (docs/inference.md).
    model = SentimentModel.load(precision="fp32", threads=1)
    scored = score_dataset(dataset, model, actors=2).to_pandas()
    expected = model.predict_proba(texts)
    assert list(scored["id"]) == ids  # every row, in order, its other columns kept
    assert list(scored["stars"]) == list(frame["stars"])
    assert list(scored["label"]) == [model.labels[i] for i in expected.argmax(axis=1)]
    got = scored[[f"p_{label}" for label in model.labels]].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)
    top = scored["probability"].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(top, expected.max(axis=1), atol=1e-6, rtol=0)


def test_missing_texts_get_no_label_and_clashing_columns_are_refused(ray_local) -> None:
    from lstm_sentiment.distributed import score_dataset

    frame = pd.DataFrame({"text": ["a great film", None, "  ", "awful"], "n": [1, 2, 3, 4]})
    scored = score_dataset(ray_local.data.from_pandas(frame), None, actors=1).to_pandas()
    assert list(scored["label"].isna()) == [False, True, True, False]
    assert scored["probability"].isna().tolist() == [False, True, True, False]
    labelled = ray_local.data.from_pandas(frame.assign(label="x"))
    with pytest.raises(DataError, match="--column-prefix"):
        score_dataset(labelled, None)
    prefixed = score_dataset(labelled, None, column_prefix="pred_", actors=1).to_pandas()
    assert {"label", "pred_label", "pred_p_positive"} <= set(prefixed.columns)


def test_a_bad_bundle_fails_before_any_task_starts(ray_local, tmp_path: Path) -> None:
    from lstm_sentiment.distributed import score_dataset

    bad = tmp_path / "bundle"
    bad.mkdir()
    (bad / "config.json").write_text(json.dumps({"format": "nonsense"}), encoding="utf-8")
    marker = tmp_path / "a-task-ran"

    def touch(row: dict) -> dict:
        marker.touch()
        return row

    dataset = ray_local.data.from_items([{"text": "fine"}] * 4).map(touch)
    with pytest.raises(BundleError):
        score_dataset(dataset, bad, actors=1)
    assert not marker.exists()


def test_cli_bad_bundle_is_a_one_line_error_before_ray_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray", reason=NO_RAY)
    data = tmp_path / "in.csv"
    pd.DataFrame({"text": ["a fine film"]}).to_csv(data, index=False)
    args = ["predict", "--engine", "ray", "--model", tmp_path / "missing", "--input", data]
    code, _, err = run_cli(capsys, *args, "--output", tmp_path / "scored")
    assert_input_error(code, err, "missing")
    assert not (tmp_path / "scored").exists()


def test_without_ray_the_engine_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray → ImportError
    monkeypatch.setitem(sys.modules, "ray.data", None)
    data = tmp_path / "in.csv"
    data.write_text("text\na fine film\n", encoding="utf-8")
    code, _, err = run_cli(
        capsys, "predict", "--engine", "ray", "--input", data, "--output", tmp_path / "out"
    )
    assert_input_error(code, err, "pip install", "lstm-sentiment[distributed]")


def test_any_model_kind_scores_on_ray(ray_local, tiny_files, tmp_path: Path) -> None:
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.distributed import score_dataset
    from lstm_sentiment.pipeline import train

    settings = ["model.architecture=nbsvm", "nbsvm.min_df=1", "nbsvm.c_values=0.3,1"]
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", *settings]
    )
    bundle = train(config, tmp_path / "nbsvm").model_dir
    texts = short_texts(300, seed=1)
    frame = pd.DataFrame({"text": texts})
    scored = score_dataset(ray_local.data.from_pandas(frame), bundle, actors=1).to_pandas()
    model = SentimentModel.load(bundle)
    assert model.kind == "nbsvm"
    expected = model.predict_proba(texts)
    assert list(scored["label"]) == [model.labels[i] for i in expected.argmax(axis=1)]
    got = scored[[f"p_{label}" for label in model.labels]].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)
