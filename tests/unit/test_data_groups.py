"""Groups (aclImdb movies from urls_<label>.txt) and the validation split that keeps them whole."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import write_tar
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.readers import (
    groups_from_urls,
    read_folder,
    read_tarball,
    read_tarball_splits,
    review_group,
)
from lstm_sentiment.data.split import stratified_split
from lstm_sentiment.errors import DataError

URL = "http://www.imdb.com/title/{}/usercomments"
FILES = {
    "aclImdb/train/pos/0_9.txt": "great fun",
    "aclImdb/train/pos/1_7.txt": "good film",
    "aclImdb/train/neg/0_1.txt": "awful",
    "aclImdb/train/neg/1_2.txt": "dull",
    "aclImdb/train/unsup/0_0.txt": "no idea",
    # In the official archive the urls files follow the reviews they describe.
    "aclImdb/train/urls_pos.txt": URL.format("tt0000001") + "\n" + URL.format("tt0000002"),
    "aclImdb/train/urls_neg.txt": URL.format("tt0000002") + "\n" + URL.format("tt0000003"),
    "aclImdb/train/urls_unsup.txt": URL.format("tt0000009"),
    "aclImdb/test/pos/0_8.txt": "lovely",
}
EXPECTED = {
    ("great fun", "pos"): "tt0000001",
    ("good film", "pos"): "tt0000002",
    ("awful", "neg"): "tt0000002",
    ("dull", "neg"): "tt0000003",
}


def groups_of(examples: list[Example]) -> dict[tuple[str, str | None], str | None]:
    return {(ex.text, ex.label): ex.group for ex in examples}


def test_urls_lines_give_movie_ids_and_review_numbers_index_them() -> None:
    groups = groups_from_urls(URL.format("tt42") + "\nnot a url\n\n")
    assert groups == ["tt42", "not a url", None]
    assert review_group("1_7.txt", groups) == "not a url"
    assert review_group("7_7.txt", groups) is None  # past the end: unknown, not an error
    assert review_group("readme.txt", groups) is None
    assert review_group("0_1.txt", None) is None


def test_folder_reader_attaches_movies(tmp_path: Path) -> None:
    for name, content in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    train = list(read_folder(tmp_path / "aclImdb", "train"))
    assert groups_of(train) == EXPECTED
    unsup = list(read_folder(tmp_path / "aclImdb", "unsup"))
    assert [ex.group for ex in unsup] == ["tt0000009"]
    assert [ex.group for ex in read_folder(tmp_path / "aclImdb", "test")] == [None]


def test_tarball_readers_attach_movies_listed_after_the_reviews(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "acl.tar.gz", FILES)
    assert groups_of(list(read_tarball(archive, "train"))) == EXPECTED
    splits = read_tarball_splits(archive, ["train", "test"])
    assert groups_of(splits["train"]) == EXPECTED
    assert [ex.group for ex in splits["test"]] == [None]
    # urls files are never read as reviews
    assert all("http" not in ex.text for ex in splits["train"])


def movie_examples(movies: int, per_movie: int) -> list[Example]:
    return [
        Example(f"review {m}-{r}", "pos" if (m + r) % 2 else "neg", f"tt{m}")
        for m in range(movies)
        for r in range(per_movie)
    ]


def test_group_split_keeps_every_movie_on_one_side() -> None:
    examples = movie_examples(movies=60, per_movie=5)
    fit, validation = stratified_split(examples, 0.1, seed=3, by_group=True)
    assert len(fit) + len(validation) == len(examples)
    assert not {ex.group for ex in fit} & {ex.group for ex in validation}
    assert 0.08 <= len(validation) / len(examples) <= 0.12
    assert set(Counter(ex.label for ex in validation)) == {"pos", "neg"}
    again = stratified_split(examples, 0.1, seed=3, by_group=True)
    assert again == (fit, validation)


def test_group_split_without_groups_says_what_to_do() -> None:
    examples = [Example(f"t{i}", "pos" if i % 2 else "neg") for i in range(40)]
    with pytest.raises(DataError, match="40 of 40 training examples have no group"):
        stratified_split(examples, 0.1, seed=0, by_group=True)


def test_group_split_with_too_few_groups_says_what_to_do() -> None:
    with pytest.raises(DataError, match="3 groups cannot make a validation fraction"):
        stratified_split(movie_examples(movies=3, per_movie=4), 0.1, seed=0, by_group=True)


# --- groups from a column of a table or JSON Lines file -------------------------------------------


def user_rows(users: int = 12, per_user: int = 5) -> list[dict[str, str]]:
    return [
        {"text": f"post {u}-{i}", "label": "pos" if u % 2 else "neg", "user": f"@user{u}"}
        for u in range(users)
        for i in range(per_user)
    ]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    import json

    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
def test_table_readers_attach_the_group_column(tmp_path: Path, writer) -> None:
    from lstm_sentiment.data.jsonl import read_jsonl
    from lstm_sentiment.data.report import DataReport
    from lstm_sentiment.data.tables import read_table

    rows = user_rows(users=3, per_user=2)
    rows[0]["user"] = "  "  # an empty group is no group
    path = writer(tmp_path / ("posts.csv" if writer is write_csv else "posts.jsonl"), rows)
    read = read_table if writer is write_csv else read_jsonl
    report = DataReport(str(path))
    examples = list(read(path, group_column="USER", report=report))  # matched ignoring case
    assert [ex.group for ex in examples] == [None, "@user0", "@user1", "@user1", "@user2", "@user2"]
    assert report.columns["group"] == "user"
    assert all(ex.group is None for ex in read(path))  # never guessed


def test_a_missing_group_column_is_a_clear_error(tmp_path: Path) -> None:
    from lstm_sentiment.data.tables import read_table

    path = write_csv(tmp_path / "posts.csv", user_rows(users=2, per_user=1))
    with pytest.raises(DataError, match=r"column .customer. not in .*available: text, label, user"):
        list(read_table(path, group_column="customer"))


def test_training_split_keeps_each_user_on_one_side(tmp_path: Path, tiny_vectors: Path) -> None:
    from conftest import tiny_config_dict
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.preparation import prepare_data

    path = write_csv(tmp_path / "posts.csv", user_rows(users=24, per_user=5))
    raw = tiny_config_dict(path, tiny_vectors)
    raw["data"] |= {"group_column": "user", "group_validation": True}
    data = prepare_data(RunConfig.from_dict(raw))
    assert not {ex.group for ex in data.fit} & {ex.group for ex in data.validation}
    assert len(data.fit) + len(data.validation) == 120
    assert {ex.label for ex in data.validation} == {"pos", "neg"}


def test_group_column_without_group_validation_is_refused() -> None:
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.errors import ConfigError

    with pytest.raises(ConfigError, match=r"needs data\.group_validation = true"):
        RunConfig.from_dict({"data": {"group_column": "user"}})


def test_cli_group_column_turns_on_grouped_validation() -> None:
    from lstm_sentiment.cli import build_parser
    from lstm_sentiment.cli.options import run_config as _run_config

    args = build_parser().parse_args(["train", "--output", "x", "--group-column", "user"])
    config = _run_config(args)
    assert config.data.group_column == "user" and config.data.group_validation
