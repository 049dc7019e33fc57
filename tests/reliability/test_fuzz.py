"""Property tests over what user input reaches (the same targets ``bench/fuzz.py`` fuzzes with
atheris): random bytes, quotes, delimiters and BOMs for the readers, random text for the
tokenizers, random corruption of every bundle file. Each either works or raises the project's
one-line error, never anything else."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import fuzz_targets

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ['"', '""', "a,b", "x\ny", "\t", "=1", "positive", "negative", "NaN", "1.0", ""]
)


@st.composite
def tables(draw: st.DrawFn) -> bytes:
    """A header and rows joined by a random delimiter, with random quoting, line endings,
    encodings and BOMs; sometimes cut short."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 4))
    header = draw(st.sampled_from([["text", "label"], ["review", "sentiment"], ["a", "b"]]))
    header = (header * width)[:width]
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1), max_size=8))
    quote = draw(st.sampled_from(['"', "'", ""]))

    def line(values: list[str]) -> str:
        return delimiter.join(f"{quote}{v}{quote}" if quote else v for v in values)

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join([line(header), *(line(r) for r in rows)])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        data = draw(st.sampled_from([codecs.BOM_UTF8, b"\xff\xfe", b""])) + data
    return data


@FUZZ
@given(data=tables(), suffix=st.sampled_from([".csv", ".tsv"]))
def test_tables_read_or_fail_clearly(tmp_path_factory, data: bytes, suffix: str) -> None:
    fuzz_targets.read_table_bytes(data, suffix, tmp_path_factory.mktemp("t"))


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_read_or_fail_clearly(tmp_path_factory, data: bytes) -> None:
    for suffix in fuzz_targets.TABLE_SUFFIXES:
        fuzz_targets.read_table_bytes(data, suffix, tmp_path_factory.mktemp("b"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | cells,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(cells, inner, max_size=3),
    max_leaves=6,
)


@FUZZ
@given(records=st.lists(st.dictionaries(st.sampled_from(["text", "label", "x"]), json_values)))
def test_jsonl_records_read_or_fail_clearly(tmp_path_factory, records: list) -> None:
    import json

    data = "\n".join(json.dumps(r) for r in records).encode("utf-8")
    fuzz_targets.read_table_bytes(data, ".jsonl", tmp_path_factory.mktemp("j"))


@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=80).map(str.encode))
def test_tokenizers_never_crash(data: bytes) -> None:
    fuzz_targets.tokenize_bytes(data)


@pytest.fixture(scope="module")
def small_bundle(tiny_run: Path) -> Path:
    return tiny_run / "model"


@FUZZ
@given(data=st.binary(min_size=4, max_size=64))
def test_corrupted_bundles_load_or_fail_clearly(
    tmp_path_factory, small_bundle: Path, data: bytes
) -> None:
    fuzz_targets.corrupt_bundle(data, small_bundle, tmp_path_factory.mktemp("c"))
