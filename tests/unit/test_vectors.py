"""Tests for reading, writing and aligning word vectors."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors import (
    EMBEDDED_VECTORS,
    Coverage,
    WordVectors,
    binary_format,
    build_embedding_matrix,
    load_embedded_glove,
    load_vectors,
    lookup_words,
    read_glove_text,
    read_word2vec_binary,
    read_word2vec_text,
    text_format,
    write_glove_text,
    write_word2vec_binary,
    write_word2vec_text,
)

N_WORDS = 20
DIM = 8

Reader = Callable[..., WordVectors]
Writer = Callable[[WordVectors, Path], Path]

FORMATS: list[tuple[str, Writer, Reader]] = [
    ("vectors.txt", write_word2vec_text, read_word2vec_text),
    ("vectors.vec.gz", write_word2vec_text, read_word2vec_text),
    ("vectors.bin", write_word2vec_binary, read_word2vec_binary),
    ("vectors.bin.gz", write_word2vec_binary, read_word2vec_binary),
    ("glove.txt", write_glove_text, read_glove_text),
    ("glove.txt.gz", write_glove_text, read_glove_text),
]


def make_vectors(n_words: int = N_WORDS, dim: int = DIM, seed: int = 0) -> WordVectors:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n_words)]
    words[1:4] = ["the", "Café", "n't"]
    matrix = rng.normal(size=(n_words, dim)).astype(np.float32)
    return WordVectors(words, matrix, "tiny")


@pytest.fixture(scope="module")
def embedded() -> WordVectors:
    return load_embedded_glove()


# ---------------------------------------------------------------- WordVectors


def test_word_vectors_basics() -> None:
    vectors = make_vectors()
    assert len(vectors) == N_WORDS
    assert vectors.dim == DIM
    assert vectors.index["the"] == 1
    np.testing.assert_array_equal(vectors.get("Café"), vectors.matrix[2])
    assert vectors.get("absent") is None


def test_word_vectors_rejects_mismatched_rows() -> None:
    with pytest.raises(VectorsError, match="must match"):
        WordVectors(["a", "b"], np.zeros((3, DIM), np.float32), "bad")


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize(("name", "write", "read"), FORMATS)
def test_round_trip(tmp_path: Path, name: str, write: Writer, read: Reader) -> None:
    vectors = make_vectors()
    path = write(vectors, tmp_path / name)
    loaded = read(path)
    assert loaded.words == vectors.words
    assert loaded.matrix.dtype == np.float32
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix)
    assert loaded.name == name
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temp file left behind
    if name.endswith(".gz"):
        with gzip.open(path, "rb") as stream:
            assert stream.read(1)


@pytest.mark.parametrize(("name", "write", "read"), FORMATS)
def test_restrict_to_keeps_only_requested_words(
    tmp_path: Path, name: str, write: Writer, read: Reader
) -> None:
    vectors = make_vectors()
    path = write(vectors, tmp_path / name)
    loaded = read(path, restrict_to=["w10", "Café", "absent"])
    assert loaded.words == ["Café", "w10"]
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix[[2, 10]])


@pytest.mark.parametrize(("name", "write", "read"), FORMATS)
def test_restrict_to_with_first_also_keeps_the_leading_words(
    tmp_path: Path, name: str, write: Writer, read: Reader
) -> None:
    vectors = make_vectors()
    path = write(vectors, tmp_path / name)
    loaded = read(path, restrict_to=["w10", "absent"], first=3)
    assert loaded.words == ["w0", "the", "Café", "w10"]  # file order
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix[[0, 1, 2, 10]])
    assert load_vectors(str(path), restrict_to=["w10"], first=3).words == loaded.words


def test_embedded_glove_first_words_are_the_most_frequent(embedded: WordVectors) -> None:
    loaded = load_embedded_glove(restrict_to={"movie"}, first=5)
    assert loaded.words[:5] == embedded.words[:5]
    assert loaded.words[5:] == ["movie"]
    assert "the" in loaded.words[:5]


@pytest.mark.parametrize("name", ["big.bin", "big.bin.gz"])
def test_binary_restrict_reads_record_by_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    vectors = make_vectors(n_words=1000, dim=DIM, seed=1)
    path = write_word2vec_binary(vectors, tmp_path / name)
    # A read buffer much smaller than the file (and than one record) proves records are
    # streamed through the buffer rather than read in one go.
    monkeypatch.setattr(binary_format, "_READ_CHUNK_BYTES", 13)
    wanted = ["w5", "w500", "w999"]
    loaded = read_word2vec_binary(path, restrict_to=wanted)
    assert loaded.words == wanted
    assert loaded.matrix.shape == (len(wanted), DIM)
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix[[5, 500, 999]])


def test_binary_without_trailing_newlines(tmp_path: Path) -> None:
    vectors = make_vectors()
    path = tmp_path / "packed.bin"
    records = b"".join(
        word.encode() + b" " + row.astype("<f4").tobytes()
        for word, row in zip(vectors.words, vectors.matrix, strict=True)
    )
    path.write_bytes(f"{N_WORDS} {DIM}\n".encode() + records)
    loaded = read_word2vec_binary(path)
    assert loaded.words == vectors.words
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix)


def test_text_readers_grow_beyond_initial_capacity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_format, "INITIAL_ROWS", 1)
    vectors = make_vectors(n_words=100)
    loaded = read_glove_text(write_glove_text(vectors, tmp_path / "grow.txt"))
    assert loaded.words == vectors.words
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix)


def test_glove_words_with_spaces(tmp_path: Path) -> None:
    path = tmp_path / "spaces.txt"
    path.write_text("a 1 2\n. . . 3 4\nb 5 6\n", encoding="utf-8")
    loaded = read_glove_text(path)
    assert loaded.words == ["a", ". . .", "b"]
    np.testing.assert_array_equal(loaded.get(". . ."), [3, 4])


def test_duplicate_words_keep_the_first(tmp_path: Path) -> None:
    path = tmp_path / "dups.txt"
    path.write_text("a 1 2\nb 3 4\na 5 6\n", encoding="utf-8")
    loaded = read_glove_text(path)
    assert loaded.words == ["a", "b"]
    np.testing.assert_array_equal(loaded.get("a"), [1, 2])


def test_binary_writer_rejects_words_with_spaces(tmp_path: Path) -> None:
    vectors = WordVectors(["new york"], np.zeros((1, DIM), np.float32), "x")
    with pytest.raises(VectorsError, match="new york"):
        write_word2vec_binary(vectors, tmp_path / "x.bin")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- malformed files


@pytest.mark.parametrize(
    ("name", "content", "reader", "match"),
    [
        ("bad.txt", b"a 1 2\nb 3\n", read_glove_text, r"bad\.txt line 2"),
        ("bad.txt", b"a 1 2\nb 3 x\n", read_glove_text, r"bad\.txt line 2"),
        ("empty.txt", b"", read_glove_text, "empty"),
        ("hdr.txt", b"1 2\na 1 2\n", read_glove_text, "word2vec header"),
        ("bad.vec", b"two 2\na 1 2\n", read_word2vec_text, r"bad\.vec line 1"),
        ("short.vec", b"3 2\na 1 2\nb 3 4\n", read_word2vec_text, "promises 3"),
        ("bad.vec", b"2 2\na 1 2\nb 3\n", read_word2vec_text, r"bad\.vec line 3"),
        ("cut.bin", b"2 2\na " + b"\0" * 8 + b"\nb \0\0", read_word2vec_binary, "record 2"),
        ("text.bin", b"1 2\na 0.25 1.5\n", read_word2vec_binary, "looks like word2vec text"),
        ("notgz.txt.gz", b"\x1f\x8bnot really gzip", read_glove_text, "cannot read"),
    ],
)
def test_malformed_file_raises(
    tmp_path: Path, name: str, content: bytes, reader: Reader, match: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(VectorsError, match=match):
        reader(path)


def test_missing_file_raises() -> None:
    with pytest.raises(VectorsError, match=r"no such vectors file: .*glove-6b-50d"):
        load_vectors("/nonexistent/vectors.txt")


# ---------------------------------------------------------------- dispatch


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("glove.txt", write_glove_text),
        ("glove.txt.gz", write_glove_text),
        ("w2v.txt", write_word2vec_text),
        ("w2v.txt.gz", write_word2vec_text),
        ("w2v.vec", write_word2vec_text),
        ("w2v.bin", write_word2vec_binary),
        ("w2v.bin.gz", write_word2vec_binary),
    ],
)
def test_load_vectors_dispatch(tmp_path: Path, name: str, write: Writer) -> None:
    vectors = make_vectors()
    write(vectors, tmp_path / name)
    loaded = load_vectors(str(tmp_path / name), restrict_to={"the", "w7"})
    assert loaded.words == ["the", "w7"]
    np.testing.assert_array_equal(loaded.matrix, vectors.matrix[[1, 7]])


def test_load_vectors_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "vectors.dat"
    path.write_text("a 1 2\n", encoding="utf-8")
    with pytest.raises(VectorsError, match="cannot tell the format"):
        load_vectors(str(path))


@pytest.mark.parametrize("spec", [EMBEDDED_VECTORS, "glove", " GloVe "])
def test_load_vectors_embedded_aliases(spec: str) -> None:
    loaded = load_vectors(spec, restrict_to=["movie", "the"])
    assert loaded.name == EMBEDDED_VECTORS
    assert sorted(loaded.words) == ["movie", "the"]
    assert loaded.dim == 50


# ---------------------------------------------------------------- embedded vectors


def test_embedded_glove(embedded: WordVectors) -> None:
    assert embedded.name == EMBEDDED_VECTORS
    assert embedded.matrix.shape == (400_000, 50)
    assert embedded.matrix.dtype == np.float32
    for word in ("the", "movie", "n't", "!"):
        assert embedded.get(word) is not None


def test_embedded_glove_restricted_matches_full(embedded: WordVectors) -> None:
    restricted = load_embedded_glove(restrict_to={"movie", "!", "notaword-xyz"})
    assert sorted(restricted.words) == ["!", "movie"]
    for word in restricted.words:
        np.testing.assert_array_equal(restricted.get(word), embedded.get(word))


# ---------------------------------------------------------------- alignment


def hand_vectors() -> WordVectors:
    words = ["good", "bad", "movie", "Paris"]
    matrix = np.arange(len(words) * 2, dtype=np.float32).reshape(len(words), 2) + 1
    return WordVectors(words, matrix, "hand")


def test_alignment_exact_coverage_and_special_rows() -> None:
    vectors = hand_vectors()
    tokens = ["<pad>", "<unk>", "good", "Movie", "paris", "zzz", "bad"]
    counts = {"good": 10, "Movie": 5, "paris": 3, "zzz": 2, "bad": 1, "<unk>": 100}
    matrix, coverage = build_embedding_matrix(
        tokens, vectors, special_ids={0, 1}, counts=counts, unknown_init="zeros"
    )
    assert matrix.shape == (len(tokens), 2)
    assert matrix.dtype == np.float32
    assert coverage == Coverage(types_covered=3, types_total=5, tokens_covered=16, tokens_total=21)
    np.testing.assert_array_equal(matrix[0], 0)
    np.testing.assert_array_equal(matrix[1], 0)
    np.testing.assert_array_equal(matrix[2], vectors.get("good"))
    np.testing.assert_array_equal(matrix[3], vectors.get("movie"))  # via lowercase
    np.testing.assert_array_equal(matrix[4], 0)  # "paris" is not lowercased "Paris"
    np.testing.assert_array_equal(matrix[5], 0)
    np.testing.assert_array_equal(matrix[6], vectors.get("bad"))
    assert coverage.type_share == pytest.approx(0.6)
    assert coverage.token_share == pytest.approx(16 / 21)
    assert str(coverage) == "76.2% of training tokens covered (3 of 5 vocabulary types)"


def test_alignment_without_counts_counts_each_type_once() -> None:
    _, coverage = build_embedding_matrix(
        ["<pad>", "good", "nope"], hand_vectors(), special_ids=[0], unknown_init="zeros"
    )
    assert coverage == Coverage(1, 2, 1, 2)


def test_coverage_str_thousands() -> None:
    coverage = Coverage(38_112, 50_000, 917, 1000)
    assert str(coverage) == "91.7% of training tokens covered (38,112 of 50,000 vocabulary types)"


def test_random_init_uses_vectors_scale() -> None:
    rng = np.random.default_rng(3)
    n_found, n_missing = 400, 2000
    mean = np.linspace(-2, 2, DIM)
    std = np.linspace(0.5, 3, DIM)
    found = (rng.normal(size=(n_found, DIM)) * std + mean).astype(np.float32)
    vectors = WordVectors([f"k{i}" for i in range(n_found)], found, "scaled")
    tokens = ["<pad>"] + vectors.words + [f"m{i}" for i in range(n_missing)]
    matrix, _ = build_embedding_matrix(tokens, vectors, special_ids={0}, seed=7)
    unknown = matrix[1 + n_found :]
    np.testing.assert_allclose(unknown.mean(axis=0), found.mean(axis=0), atol=0.2)
    np.testing.assert_allclose(unknown.std(axis=0), found.std(axis=0), rtol=0.1)
    np.testing.assert_array_equal(matrix[0], 0)
    again, _ = build_embedding_matrix(tokens, vectors, special_ids={0}, seed=7)
    np.testing.assert_array_equal(again, matrix)


def test_mean_init_equals_mean_of_found() -> None:
    vectors = hand_vectors()
    tokens = ["<pad>", "good", "bad", "nope", "nada"]
    matrix, _ = build_embedding_matrix(tokens, vectors, special_ids={0}, unknown_init="mean")
    expected = vectors.matrix[[0, 1]].mean(axis=0)
    np.testing.assert_allclose(matrix[3], expected)
    np.testing.assert_allclose(matrix[4], expected)
    np.testing.assert_array_equal(matrix[0], 0)


def test_unknown_init_choice_rejected() -> None:
    with pytest.raises(VectorsError, match="random, mean, zeros"):
        build_embedding_matrix(["a"], hand_vectors(), special_ids=(), unknown_init="xavier")


def test_lookup_words_feeds_restricted_load(tmp_path: Path) -> None:
    vectors = hand_vectors()
    path = write_glove_text(vectors, tmp_path / "hand.txt")
    tokens = ["<pad>", "Movie", "good"]
    restricted = load_vectors(str(path), restrict_to=lookup_words(tokens))
    full, _ = build_embedding_matrix(tokens, vectors, special_ids={0})
    small, _ = build_embedding_matrix(tokens, restricted, special_ids={0})
    np.testing.assert_array_equal(small, full)


def test_alignment_leaves_uncounted_added_words_out_of_the_coverage() -> None:
    tokens = ["<pad>", "<unk>", "good", "zzz", "movie", "bad"]  # "movie", "bad": added words
    matrix, coverage = build_embedding_matrix(
        tokens, hand_vectors(), special_ids=[0, 1], counts={"good": 3, "zzz": 1}
    )
    assert (coverage.types_covered, coverage.types_total) == (1, 2)
    assert (coverage.tokens_covered, coverage.tokens_total) == (3, 4)
    np.testing.assert_array_equal(matrix[4], hand_vectors().get("movie"))
    np.testing.assert_array_equal(matrix[5], hand_vectors().get("bad"))
