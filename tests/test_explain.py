"""Explanations of every kind on tiny models: NBSVM scores are its exact contributions, integrated
gradients nearly add up to the logit difference (NB n-gram and bigram paths included), truncated
tokens get no score, ensembles combine their members' scores by weight; the command writes JSON
lines, a self-contained HTML page and a terminal rendering, and rejects bad input."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import toy_texts
from lstm_sentiment import pipeline
from lstm_sentiment.cli import main
from lstm_sentiment.config import RunConfig
from lstm_sentiment.ensemble.build import build_ensemble
from lstm_sentiment.explain.neural import ngram_path_contributions
from lstm_sentiment.explain.registry import ExplainOptions, attribute
from lstm_sentiment.models.nb_ngrams import NbNgramLogits
from lstm_sentiment.predict import SentimentModel

TEXTS = [
    "A GREAT and wonderful film!",
    "i hate this   terrible, boring movie",
    "the plot was dull but the acting was superb",
    "great great great",
]
KEYS = {"text", "label", "probabilities", "tokens", "completeness_gap", "adds_up", "method"}


@dataclass(frozen=True)
class Models:
    neural: Path
    paths: Path
    nbsvm: Path
    ensemble: Path


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Models:
    root = tmp_path_factory.mktemp("explain")
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    base = RunConfig.from_dict(raw).with_overrides(["nbsvm.min_df=1", "nbsvm.c_values=1"])
    neural = pipeline.train(base.with_overrides(["model.architecture=gru"]), root / "gru")
    paths = pipeline.train(
        base.with_overrides(
            ["model.nb_ngrams=2", "model.nb_buckets=512", "model.ngram_buckets=64"]
        ),
        root / "paths",
    )
    nbsvm = pipeline.train(base.with_overrides(["model.architecture=nbsvm"]), root / "nbsvm")
    ensemble = build_ensemble(
        [neural.model_dir, nbsvm.model_dir], root / "ensemble", weights="0.3,0.7"
    )
    return Models(neural.model_dir, paths.model_dir, nbsvm.model_dir, ensemble.model_dir)


def test_explanation_shape_and_prediction(models: Models) -> None:
    model = SentimentModel.load(models.neural)
    explanations = model.explain(TEXTS)
    predictions = model.predict(TEXTS)
    for explanation, prediction in zip(explanations, predictions, strict=True):
        out = explanation.to_dict()
        assert set(out) == KEYS
        assert out["method"] == "integrated_gradients"
        assert out["label"] == prediction.label
        for label in model.labels:
            assert out["probabilities"][label] == pytest.approx(prediction.probabilities[label])
        for token in out["tokens"]:
            assert set(token) == {"token", "start", "end", "scores"}
            assert set(token["scores"]) == set(model.labels)
        json.dumps(out)


def test_nbsvm_scores_are_its_exact_contributions(models: Models) -> None:
    model = SentimentModel.load(models.nbsvm)
    scorer = model.scorer
    negative, positive = model.labels
    for explanation, text in zip(
        model.explain([*TEXTS, "zzz qqq"]), [*TEXTS, "zzz qqq"], strict=True
    ):
        assert explanation.method == "linear"
        # centred scores of two classes are ± half the contribution to the single logit z
        contribution = sum(
            (t.scores[positive] - t.scores[negative]) * model.temperature
            for t in explanation.tokens
        )
        logit = float(scorer.logits([text])[0, 0])
        assert contribution + float(scorer.intercept[0]) == pytest.approx(logit, abs=1e-5)
        assert explanation.completeness_gap < 1e-5
        if text == "zzz qqq":  # n-grams the model never saw contribute nothing
            assert all(t.scores[positive] == 0.0 for t in explanation.tokens)


def test_nbsvm_spreads_a_repeated_ngram_over_its_occurrences(models: Models) -> None:
    explanation = SentimentModel.load(models.nbsvm).explain(["great great great"])[0]
    scores = [t.scores["positive"] for t in explanation.tokens]
    # "great" and "great great" count once each; the middle token is in more occurrences
    assert scores[0] == pytest.approx(scores[2])
    assert scores[0] > 0


@pytest.mark.parametrize("which", ["neural", "paths"])
def test_integrated_gradients_nearly_add_up(models: Models, which: str) -> None:
    model = SentimentModel.load(getattr(models, which))
    for found in attribute(model.scorer, TEXTS, ExplainOptions(steps=64)):
        difference = np.max(np.abs(found.output - found.baseline))
        assert found.completeness_gap <= 0.02 * difference + 1e-4, (
            found.completeness_gap,
            difference,
        )
    explanation = model.explain([TEXTS[0]], steps=64)[0]
    log_p = np.log([explanation.probabilities[label] for label in model.labels])
    for index, label in enumerate(model.labels):
        total = sum(t.scores[label] for t in explanation.tokens) + explanation.baseline[label]
        assert total == pytest.approx(log_p[index] - log_p.mean(), rel=1e-2, abs=1e-2)


def test_texts_integrated_together_get_their_own_scores(models: Models) -> None:
    scorer = SentimentModel.load(models.paths).scorer
    texts = [*TEXTS, "superb", "awful dull boring plot", "great"]
    together = attribute(scorer, texts, ExplainOptions(texts_per_pass=4))
    for text, found in zip(texts, together, strict=True):
        alone = attribute(scorer, [text], ExplainOptions(texts_per_pass=1))[0]
        # float32 sums over other batch shapes: a few units in the last place apart
        np.testing.assert_allclose(found.scores, alone.scores, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(found.output, alone.output, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(found.baseline, alone.baseline, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("length_gate", [False, True])
def test_ngram_path_contributions_add_up_to_the_path(length_gate: bool) -> None:
    torch.manual_seed(0)
    nb = NbNgramLogits(20, 37, 3, 2, pad_id=0, init=0.5, dropout=0.0, length_gate=length_gate)
    if length_gate:  # a gate that has learned to halve the path of a seven-token text
        nb.gate_slope.data.fill_(1.0)
        nb.gate_offset.data.fill_(-float(np.log(7)))
    nb.ratios.copy_(torch.randn_like(nb.ratios))
    nb.bias.data.copy_(torch.tensor([0.3, -0.2]))
    nb.eval()
    ids = [3, 4, 3, 4, 5, 3, 4]  # repeated unigrams, bigrams and trigrams count once
    with torch.no_grad():
        path = nb(torch.tensor([ids]), torch.tensor([len(ids)]))[0].double().numpy()
    contributions = ngram_path_contributions(nb, ids)
    np.testing.assert_allclose(contributions.sum(axis=0) + np.array([0.3, -0.2]), path, rtol=1e-5)


def test_truncated_tokens_get_no_scores(models: Models) -> None:
    model = SentimentModel.load(models.neural)
    words = [
        f"{w}" for w, _ in zip(["great", "film", "boring", "plot"] * 8, range(30), strict=False)
    ]
    explanation = model.explain([" ".join(words)])[0]
    scored = [t.scores is not None for t in explanation.tokens]
    assert len(scored) == 30 and sum(scored) == 16  # max_length 16, head+tail
    assert scored[:8] == [True] * 8 and scored[-8:] == [True] * 8 and not any(scored[8:22])
    assert explanation.to_dict()["tokens"][10]["scores"] is None


def test_ensemble_scores_are_the_weighted_member_scores(models: Models) -> None:
    ensemble = SentimentModel.load(models.ensemble)
    members = [SentimentModel.load(models.neural), SentimentModel.load(models.nbsvm)]
    weights = [0.3, 0.7]
    explained = ensemble.explain(TEXTS)
    by_member = [member.explain(TEXTS) for member in members]
    for index, explanation in enumerate(explained):
        assert explanation.method == "ensemble"
        assert explanation.completeness_gap is not None
        member_tokens = [m[index].tokens for m in by_member]
        # same word tokenizer: the common segmentation is the members' tokens
        assert [(t.start, t.end) for t in explanation.tokens] == [
            (t.start, t.end) for t in member_tokens[0]
        ]
        for position, token in enumerate(explanation.tokens):
            for label in ensemble.labels:
                expected = sum(
                    w * tokens[position].scores[label]
                    for w, tokens in zip(weights, member_tokens, strict=True)
                )
                assert token.scores[label] == pytest.approx(expected, abs=1e-9)
        assert explanation.probabilities == pytest.approx(
            dict(zip(ensemble.labels, ensemble.predict_proba([TEXTS[index]])[0], strict=True))
        )


def test_ensemble_of_different_tokenizers_keeps_every_member_score(
    models: Models, tmp_path: Path, tiny_files
) -> None:
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    config = RunConfig.from_dict(raw).with_overrides(
        [
            "model.architecture=nbsvm",
            "nbsvm.min_df=1",
            "nbsvm.c_values=1",
            "text.tokenizer=subword",
            "text.subword_vocab_size=60",
        ]
    )
    subword = pipeline.train(config, tmp_path / "subword").model_dir
    ensemble = build_ensemble([models.neural, subword], tmp_path / "mixed").model_dir
    text = "An unwatchable, BORING film... but great acting!"
    explanation = SentimentModel.load(ensemble).explain([text])[0]
    members = [SentimentModel.load(p).explain([text])[0] for p in (models.neural, subword)]
    spans = [(t.start, t.end) for t in explanation.tokens]
    assert spans == sorted(spans) and all(a < b for a, b in spans)
    assert all(b <= c for (_, b), (c, _) in itertools.pairwise(spans))  # no overlaps
    for label in explanation.probabilities:
        total = sum(t.scores[label] for t in explanation.tokens if t.scores is not None)
        expected = sum(
            0.5 * sum(t.scores[label] for t in member.tokens if t.scores is not None)
            for member in members
        )
        assert total == pytest.approx(expected, abs=1e-9)


def test_explain_json_lines(models: Models, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", *TEXTS[:2], "--model", str(models.neural), "--format", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, text in zip(lines, TEXTS[:2], strict=True):
        out = json.loads(line)
        assert set(out) == KEYS and out["text"] == text
        for token in out["tokens"]:
            assert text[token["start"] : token["end"]].lower().startswith(token["token"][:1])


def test_explain_html_is_self_contained_and_escaped(models: Models, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text('<script>alert("x")</script> great film\nboring & dull\n', encoding="utf-8")
    page = tmp_path / "out.html"
    argv = ["explain", "--model", str(models.ensemble), "--input", str(texts)]
    assert main([*argv, "--format", "html", "--output", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert not re.search(r"(src|href)\s*=|@import|url\(", html)  # no external assets
    assert 'title="great [' in html and " &amp; " in html


def test_explain_table(models: Models, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["explain", "great film\x1b[31m", "--model", str(models.nbsvm), "--format", "table"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "positive" in out and "great" in out and "\x1b[31m" not in out  # escaped


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", ""], "empty"),
        (["explain", "  "], "empty"),
        (["explain"], "nothing to"),
        (["explain", "good", "--steps", "0"], "--steps"),
    ],
)
def test_explain_bad_input_is_a_one_line_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_default_model_offsets_and_no_training_imports() -> None:
    code = (
        "import sys, torch\n"
        "before = set(sys.modules)\n"
        "from lstm_sentiment import SentimentModel\n"
        "e = SentimentModel.load().explain(['what a GREAT film'])[0]\n"
        "print([(t.token, t.start, t.end) for t in e.tokens])\n"
        "print(sorted(m for m in set(sys.modules) - before if 'training' in m or 'tuning' in m))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert eval(out[0]) == [("what", 0, 4), ("a", 5, 6), ("great", 7, 12), ("film", 13, 17)]
    assert eval(out[1]) == []


def test_toy_texts_are_explained_toward_their_words(models: Models) -> None:
    model = SentimentModel.load(models.neural)
    text = next(t for t, label in toy_texts(3, 3) if label == "positive")
    explanation = model.explain([text])[0]
    positive_words = {"great", "wonderful", "love", "excellent", "brilliant", "superb"}
    strongest = max(explanation.tokens, key=lambda t: t.scores["positive"])
    assert strongest.token in positive_words


def test_a_large_gap_is_flagged_in_the_renderings() -> None:
    from lstm_sentiment.explain.render import render_html, render_table
    from lstm_sentiment.explain.result import Explanation, TokenScore

    probabilities = {"negative": 0.2, "positive": 0.8}
    change = 0.5 * np.log(0.8 / 0.2)  # centred log p of "positive" minus a zero baseline
    tokens = [TokenScore("good", 0, 4, {"negative": -change / 2, "positive": change / 2})]

    def explained(gap: float) -> Explanation:
        return Explanation(
            "good",
            "positive",
            probabilities,
            tokens,
            gap,
            "integrated_gradients",
            baseline={"negative": 0.0, "positive": 0.0},
        )

    small, large = explained(0.05 * change), explained(0.5 * change)
    assert small.explained_change == pytest.approx(change)
    assert small.adds_up and not large.adds_up
    note = "large: read the scores as a ranking"
    assert note not in render_table([small], color=False)
    assert note in render_table([large], color=False) and note in render_html([large])
