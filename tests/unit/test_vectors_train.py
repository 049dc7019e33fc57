"""Tests for training own word2vec vectors and for reading/writing them together with gensim."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors

from lstm_sentiment import cli
from lstm_sentiment.config import TextConfig
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.text.tokenize import WordTokenizer
from lstm_sentiment.vectors import WordVectors, load_vectors
from lstm_sentiment.vectors.corpus import corpus_texts, parse_splits, word_tokenizer
from lstm_sentiment.vectors.train import (
    Word2VecConfig,
    resolve_format,
    save_word2vec,
    tokenize_corpus,
    train_word2vec,
)

DIM = 8
TEXTS = [
    "I didn't like it at all! Boring.",
    "A great movie, I loved it!",
    "<br />The plot was great and the acting was great.",
    "",
] * 5
TINY = Word2VecConfig(dim=DIM, min_count=1, epochs=2, threads=1, seed=3)


@pytest.fixture(scope="module")
def trained() -> WordVectors:
    sentences = tokenize_corpus(TEXTS, WordTokenizer(), progress=False)
    return train_word2vec(sentences, TINY, name="tiny", progress=False).vectors


def test_corpus_uses_the_project_tokenizer() -> None:
    sentences = tokenize_corpus(TEXTS[:4], WordTokenizer(), progress=False)
    assert len(sentences) == 3  # the empty text is dropped
    assert sentences[0] == ["i", "did", "n't", "like", "it", "at", "all", "!", "boring"]
    # Equal tokens share one string object.
    assert sentences[1][-1] is sentences[0][7]


def test_train_reports_vocabulary_and_time() -> None:
    sentences = tokenize_corpus(TEXTS, WordTokenizer(), progress=False)
    result = train_word2vec(sentences, TINY, progress=False)
    words = {token for sentence in sentences for token in sentence}
    assert set(result.vectors.words) == words
    assert result.vocabulary_size == len(words)
    assert result.vectors.dim == DIM
    assert result.vectors.matrix.dtype == np.float32
    assert result.texts == 15
    assert result.tokens == sum(map(len, sentences))
    assert result.train_seconds > 0
    summary = result.to_dict()
    assert summary["vocabulary_size"] == len(words)
    assert summary["config"]["skip_gram"] is True
    json.dumps(summary)


def test_min_count_drops_rare_words() -> None:
    sentences = [["common", "rare"], ["common", "word"], ["common", "word"]]
    result = train_word2vec(
        sentences, Word2VecConfig(dim=DIM, min_count=2, threads=1), progress=False
    )
    assert sorted(result.vectors.words) == ["common", "word"]
    assert result.vectors.words[0] == "common"  # most frequent first


@pytest.mark.parametrize(
    ("sentences", "match"),
    [([], "empty"), ([["once"]], "min-count")],
)
def test_train_rejects_too_little_text(sentences: list[list[str]], match: str) -> None:
    with pytest.raises(DataError, match=match):
        train_word2vec(sentences, Word2VecConfig(dim=DIM, min_count=2), progress=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"dim": 0}, "dim"), ({"epochs": 0}, "epochs"), ({"threads": -1}, "threads")],
)
def test_config_is_checked(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Word2VecConfig(**kwargs)


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("v.bin", None, "word2vec-binary"),
        ("v.bin.gz", "word2vec-binary", "word2vec-binary"),
        ("v.txt", None, "word2vec-text"),
        ("v.vec.gz", "word2vec-text", "word2vec-text"),
    ],
)
def test_resolve_format(name: str, fmt: str | None, expected: str) -> None:
    assert resolve_format(name, fmt) == expected


@pytest.mark.parametrize(
    ("name", "fmt", "match"),
    [
        ("v.bin", "word2vec-text", "names a word2vec-binary file"),
        ("v.dat", None, "cannot tell"),
        ("v.txt", "glove", "unknown vectors format"),
    ],
)
def test_resolve_format_rejects(name: str, fmt: str | None, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        resolve_format(name, fmt)


@pytest.mark.parametrize("name", ["own.bin", "own.bin.gz", "own.txt", "own.vec.gz"])
def test_saved_vectors_read_by_our_loader_and_gensim(
    trained: WordVectors, tmp_path: Path, name: str
) -> None:
    path = save_word2vec(trained, tmp_path / name)
    ours = load_vectors(str(path))
    assert ours.words == trained.words
    np.testing.assert_array_equal(ours.matrix, trained.matrix)

    theirs = KeyedVectors.load_word2vec_format(str(path), binary=".bin" in name)
    assert list(theirs.index_to_key) == trained.words
    np.testing.assert_allclose(theirs.vectors, trained.matrix, rtol=1e-6)


@pytest.mark.parametrize("binary", [True, False])
def test_gensim_written_vectors_read_by_our_loader(
    trained: WordVectors, tmp_path: Path, binary: bool
) -> None:
    keyed = KeyedVectors(DIM)
    keyed.add_vectors(trained.words, trained.matrix)
    path = tmp_path / ("gensim.bin" if binary else "gensim.txt")
    keyed.save_word2vec_format(str(path), binary=binary)
    ours = load_vectors(str(path))
    assert ours.words == trained.words
    np.testing.assert_allclose(ours.matrix, trained.matrix, rtol=1e-6)


def test_corpus_texts_reads_unsup_when_present(tmp_path: Path) -> None:
    for split, label, text in [
        ("train", "pos", "good film"),
        ("train", "neg", "bad film"),
        ("test", "pos", "never read"),
        ("unsup", None, "unlabelled film"),
    ]:
        folder = tmp_path / "data" / split / (label or "")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "0.txt").write_text(text, encoding="utf-8")
    texts = corpus_texts(tmp_path / "data", ["train", "unsup"])
    assert sorted(texts) == ["bad film", "good film", "unlabelled film"]
    assert len(corpus_texts(tmp_path / "data", ["train", "unsup"], limit=2)) == 2
    assert parse_splits(["train,unsup", " train "]) == ["train", "unsup"]


def test_corpus_of_a_csv_is_read_once(tiny_csv: Path) -> None:
    assert len(corpus_texts(tiny_csv, ["train", "unsup"])) == 60


def test_word_vectors_refuse_subword_tokenizer() -> None:
    with pytest.raises(ConfigError, match="word tokenizer"):
        word_tokenizer(TextConfig(tokenizer="subword"))


def test_cli_vectors_train(tiny_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "own.bin"
    report = tmp_path / "report.json"
    code = cli.main(
        [
            "-q",
            "vectors",
            "train",
            "--data",
            str(tiny_csv),
            "--output",
            str(output),
            "--cbow",
            "--dim",
            str(DIM),
            "--min-count",
            "2",
            "--epochs",
            "2",
            "--threads",
            "1",
            "--report",
            str(report),
            "--summary",
            "json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == json.loads(report.read_text(encoding="utf-8"))
    assert summary["format"] == "word2vec-binary"
    assert summary["config"]["skip_gram"] is False
    assert summary["texts"] == 60
    vectors = load_vectors(str(output))
    assert len(vectors) == summary["vocabulary_size"] > 0
    assert vectors.dim == DIM
    assert "great" in vectors
    assert KeyedVectors.load_word2vec_format(str(output), binary=True).vector_size == DIM


def test_cli_vectors_train_table_and_errors(
    tiny_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["vectors", "train", "--data", str(tiny_csv), "--dim", "4", "--min-count", "1"]
    assert cli.main(["-q", *args, "--output", str(tmp_path / "v.txt"), "--epochs", "1"]) == 0
    assert "vocabulary" in capsys.readouterr().out
    assert cli.main(["-q", *args, "--output", str(tmp_path / "v.dat")]) == 2
    assert "cannot tell the vectors format" in capsys.readouterr().err
    assert not (tmp_path / "v.dat").exists()
