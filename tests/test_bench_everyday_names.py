"""bench/everyday_names.py: census names read from the package archive (checksum checked), words
that the corpus writes in lower case are not names, a swap replaces every name but a text's
first word by another of its kind and keeps the row's label, and the data step writes copies
and interleaved validation pairs."""

from __future__ import annotations

import hashlib
import io
import random
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

FIRST = "JAMES 3.3 3.3 1\nJOHN 3.2 6.5 2\nROSE 1.0 7.5 3\n"
FEMALE = "MARY 2.6 2.6 1\nJOHN 0.1 2.7 2\n"
LAST = "SMITH 1.0 1.0 1\nKELLY 0.9 1.9 2\nSTILL 0.1 2.0 3\nNGUYEN 0.1 2.1 4\n"


@pytest.fixture(scope="module")
def names():
    return bench_module("everyday_names")


def write_archive(path: Path) -> tuple[Path, str]:
    with tarfile.open(path, "w:gz") as archive:
        for name, text in (
            ("names-0.3.0/names/dist.male.first", FIRST),
            ("names-0.3.0/names/dist.female.first", FEMALE),
            ("names-0.3.0/names/dist.all.last", LAST),
        ):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_census_names_come_capitalised_in_frequency_order(names, tmp_path: Path) -> None:
    archive, digest = write_archive(tmp_path / "names.tar.gz")
    first, last = names.census_names(archive, digest)
    assert first == ["James", "John", "Rose", "Mary"]  # John once, though both lists have him
    assert last == ["Smith", "Kelly", "Still", "Nguyen"]
    with pytest.raises(ValueError, match="download it again"):
        names.census_names(archive)  # not the real package's checksum


def test_a_name_the_corpus_writes_in_lower_case_is_a_word(names) -> None:
    texts = ["Gene Kelly dances.", "The rose was red.", "A Rose garden.", "It is still good."]
    texts += ["Still, Kelly won."]
    assert names.words_not_names(["Kelly", "Rose", "Still", "Mary"], texts) == {"Rose", "Still"}


def test_a_swap_replaces_every_name_after_the_first_word(names) -> None:
    pools = names.name_pools(["James", "John", "Mary"], ["Smith", "Kelly", "Nguyen"])
    rng = random.Random(0)
    swapped = names.swap_names("Kelly said James Smith was great.", pools, rng)
    words = swapped.split()
    assert words[0] == "Kelly" and words[-2:] == ["was", "great."]  # the first word stays
    assert words[2] in {"John", "Mary"} and words[3].rstrip() in {"Kelly", "Nguyen"}
    assert names.swap_names("Nobody was great.", pools, rng) is None


def test_copies_keep_every_other_column(names) -> None:
    pools = names.name_pools(["James", "John"], ["Smith", "Kelly"])
    rows = [
        {"text": "I liked James a lot.", "label": "positive", "p_positive": 0.9},
        {"text": "No names here.", "label": "negative", "p_positive": 0.1},
    ]
    pairs = names.name_copies(rows, pools, limit=5)
    assert len(pairs) == 1
    source, copy = pairs[0]
    assert source is rows[0] and copy == {**rows[0], "text": "I liked John a lot."}


def test_the_data_step_writes_copies_and_interleaved_pairs(names, tmp_path: Path) -> None:
    archive, digest = write_archive(tmp_path / "names.tar.gz")
    train = tmp_path / "train.csv"
    pd.DataFrame(
        {
            "text": ["Loved it, Mary was superb.", "Awful film."],
            "label": ["positive", "negative"],
            "p_positive": [0.9, 0.1],
        }
    ).to_csv(train, index=False)
    held_out = tmp_path / "held_out.csv"
    pd.DataFrame({"text": ["Thanks to James Nguyen, it worked."], "label": ["positive"]}).to_csv(
        held_out, index=False
    )
    record = names.name_data([train], [held_out], tmp_path / "out", archive, digest)
    copies = pd.read_csv(record["train"])
    assert len(copies) == 1  # "Awful film." has no name
    assert copies["text"][0] in {f"Loved it, {n} was superb." for n in ("James", "John", "Rose")}
    assert copies["p_positive"].tolist() == [0.9]
    pairs = pd.read_csv(record["validation"])
    assert pairs["text"][0] == "Thanks to James Nguyen, it worked."
    assert pairs["text"][1] != pairs["text"][0] and pairs["p_positive"].tolist() == [1.0, 1.0]


def test_a_missing_file_stops_with_one_line(
    names, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["everyday_names.py", "--output", str(tmp_path / "out"), "--train", "nope.csv"]
    monkeypatch.setattr("sys.argv", [*argv, "--validation", "nope2.csv"])
    with pytest.raises(SystemExit) as stopped:
        names.main()
    assert stopped.value.code == 2
    assert "does not exist: give labelled CSV files" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
