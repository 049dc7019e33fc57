"""Messy spreadsheet exports: BOMs, semicolons, quoted newlines, invalid bytes, missing labels,
duplicates, label spellings and confidence filters; nothing is dropped without being counted."""

from __future__ import annotations

import codecs
import csv
import io
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_sentiment.config import DataConfig
from lstm_sentiment.data import DataReport, load_splits_with_report
from lstm_sentiment.data.dialect import sniff_dialect
from lstm_sentiment.data.encoding import read_lines
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.jsonl import read_jsonl
from lstm_sentiment.data.report import drop_duplicates, normalise_labels
from lstm_sentiment.data.tables import read_table
from lstm_sentiment.errors import DataError

LATIN1_ROWS = "text,label\nok,pos\ncafé great,pos\nfine,neg\nnaïve awful,neg\n"


def pairs(examples) -> list[tuple[str, str | None]]:
    return [(ex.text, ex.label) for ex in examples]


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


# --- dialects and encodings ---


def test_bom_semicolons_and_quoted_newlines(tmp_path: Path) -> None:
    content = 'Tweet;Sentiment\n"first line\nsecond; line";Positive\nplain;negative\n'
    path = write(tmp_path / "export.csv", codecs.BOM_UTF8 + content.encode("utf-8"))
    report = DataReport(str(path))
    got = pairs(read_table(path, report=report))
    assert got == [("first line\nsecond; line", "Positive"), ("plain", "negative")]
    assert report.columns == {
        "text": "Tweet",
        "label": "Sentiment",
        "confidence": None,
        "delimiter": ";",
    }
    assert report.rows == 2 and report.invalid_bytes is None


def test_single_quote_quoting_is_sniffed(tmp_path: Path) -> None:
    content = "text,label\n'good, really good',pos\n'bad, so bad',neg\n'meh, fine',pos\n"
    path = write(tmp_path / "quotes.csv", content)
    assert sniff_dialect(content).quotechar == "'"
    assert pairs(read_table(path)) == [
        ("good, really good", "pos"),
        ("bad, so bad", "neg"),
        ("meh, fine", "pos"),
    ]


def test_utf16_with_bom_is_read_as_utf8_default(tmp_path: Path) -> None:
    path = write(tmp_path / "excel.tsv", "text\tlabel\nsuper 👍\tpos\n".encode("utf-16"))
    assert pairs(read_table(path)) == [("super 👍", "pos")]


def test_invalid_bytes_replaced_and_reported_by_default(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "latin.csv", LATIN1_ROWS, encoding="latin-1")
    report = DataReport(str(path))
    with caplog.at_level(logging.WARNING):
        got = pairs(read_table(path, report=report))
    assert got == [
        ("ok", "pos"),
        ("caf\ufffd great", "pos"),
        ("fine", "neg"),
        ("na\ufffdve awful", "neg"),
    ]
    invalid = report.invalid_bytes
    assert invalid is not None
    first = LATIN1_ROWS.encode("latin-1").index(b"\xe9")
    assert (invalid.rows, invalid.text_rows, invalid.bytes) == (2, 2, 2)
    assert (invalid.first_row, invalid.first_line, invalid.first_offset) == (2, 3, first)
    assert "2 row(s) have bytes that are not valid utf-8" in caplog.text
    assert f"row 2, line 3, byte {first}" in caplog.text
    assert "--encoding-errors strict" in caplog.text


def test_invalid_bytes_strict_fails_with_the_same_facts(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.csv", LATIN1_ROWS, encoding="latin-1")
    first = LATIN1_ROWS.encode("latin-1").index(b"\xe9")
    with pytest.raises(DataError) as err:
        list(read_table(path, encoding_errors="strict"))
    message = str(err.value)
    assert "2 row(s) have bytes that are not valid utf-8" in message
    assert f"row 2, line 3, byte {first}" in message
    assert "--encoding latin-1" in message and "--encoding-errors replace" in message
    assert pairs(read_table(path, encoding="latin-1"))[1] == ("café great", "pos")


def test_invalid_byte_in_a_multiline_row_counts_that_row_once(tmp_path: Path) -> None:
    data = b'text,label\n"line one\nline \xff two\nthree \xfe",pos\nok,neg\n'
    report = DataReport("x")
    got = pairs(read_table(write(tmp_path / "m.csv", data), report=report))
    assert got[1] == ("ok", "neg")
    assert report.invalid_bytes is not None
    assert (report.invalid_bytes.rows, report.invalid_bytes.bytes) == (1, 2)
    assert (report.invalid_bytes.first_row, report.invalid_bytes.first_line) == (1, 3)


def test_jsonl_and_text_lines_follow_the_policy(tmp_path: Path) -> None:
    path = write(
        tmp_path / "d.jsonl", b'{"text": "ok", "label": "a"}\n{"text": "caf\xe9", "label": "b"}\n'
    )
    report = DataReport("x")
    assert pairs(read_jsonl(path, report=report)) == [("ok", "a"), ("caf\ufffd", "b")]
    assert report.invalid_bytes is not None and report.invalid_bytes.first_row == 2
    with pytest.raises(DataError, match=r"row 2, line 2, byte 42"):
        list(read_jsonl(path, encoding_errors="strict"))
    lines = write(tmp_path / "t.txt", b"tr\xe8s bien\n\nok\n")
    assert read_lines(lines) == ["tr\ufffds bien", "ok"]
    with pytest.raises(DataError, match=r"line 1, byte 2"):
        read_lines(lines, errors="strict")
    with pytest.raises(DataError, match="--encoding-errors must be one of replace, strict"):
        list(read_table(lines, encoding_errors="ignore"))


def damaged(text: str) -> bytes:
    """UTF-8 passed through a tool that wrote ``?`` for the bytes 0x80-0x9F."""
    return bytes(ord("?") if 0x80 <= b <= 0x9F else b for b in text.encode("utf-8"))


def test_lost_bytes_written_as_question_marks_stay_inside_the_broken_character(
    tmp_path: Path,
) -> None:
    # An emoji (F0 9F 98 82 -> F0 ? ? ?), an ellipsis (E2 80 A6 -> E2 ? A6) and a curly
    # apostrophe (E2 80 99 -> E2 ? ?) lose bytes; each becomes one U+FFFD, not "??".
    texts = ["Loved it! 😂 see you", "more at t.co…", "don’t go", "Why? 😂 Really?"]
    rows = b"text,label\n" + b"".join(damaged(t) + b",pos\n" for t in texts)
    report = DataReport("x")
    got = [text for text, _ in pairs(read_table(write(tmp_path / "d.csv", rows), report=report))]
    assert got == ["Loved it! \ufffd see you", "more at t.co\ufffd", "don\ufffdt go", got[3]]
    assert got[3] == "Why? \ufffd Really?"  # the writer's own question marks are kept
    assert report.invalid_bytes is not None and report.invalid_bytes.rows == 4
    # valid UTF-8, and latin-1 bytes not followed by stand-ins, read as before
    plain = write(tmp_path / "p.txt", "ok 😂 fine?\n".encode() + b"caf\xe9? na\xefve\n")
    assert read_lines(plain) == ["ok 😂 fine?", "caf\ufffd? na\ufffdve"]
    assert read_lines(write(tmp_path / "t.txt", damaged("so good 😍") + b"\n")) == [
        "so good \ufffd"
    ]


@given(
    rows=st.lists(
        st.tuples(
            st.text(
                alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                min_size=1,
                max_size=30,
            ).filter(lambda t: t.strip() and t.strip() == t),
            st.sampled_from(["pos", "neg", "neutral"]),
        ),
        min_size=1,
        max_size=8,
    ),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_any_csv_written_by_the_csv_module_reads_back(
    rows: list[tuple[str, str]], delimiter: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["text", "label"])
    writer.writerows(rows)
    path = Path(_tmp_file(buffer.getvalue()))
    assert pairs(read_table(path)) == rows


def _tmp_file(content: str, _dir: list[Path] = []) -> str:  # noqa: B006 - one folder per session
    import tempfile

    if not _dir:
        _dir.append(Path(tempfile.mkdtemp(prefix="ingest-")))
    path = _dir[0] / "roundtrip.csv"
    path.write_text(content, encoding="utf-8")
    return str(path)


# --- what gets dropped, and why ---


def test_missing_labels_empty_texts_and_confidence_filter(tmp_path: Path) -> None:
    content = (
        "text,sentiment,sentiment_confidence\n"
        "sure thing,positive,1\n"
        "maybe,negative,0.4\n"
        ",positive,1\n"
        "no label,,1\n"
        "no confidence,negative,\n"
        "confident,negative,0.6\n"
    )
    path = write(tmp_path / "c.csv", content)
    report = DataReport("x")
    got = pairs(read_table(path, min_confidence=0.6, report=report))
    assert got == [("sure thing", "positive"), ("confident", "negative")]
    assert report.columns["confidence"] == "sentiment_confidence"
    assert report.rows == 6
    assert report.dropped == {
        "low_confidence": 1,
        "empty_text": 1,
        "missing_label": 1,
        "missing_confidence": 1,
    }
    assert len(list(read_table(path))) == 4  # no filter without a minimum
    bare = write(tmp_path / "bare.csv", "text,label\na,b\n")
    with pytest.raises(DataError, match=r"needs a confidence column.*--confidence-column"):
        list(read_table(bare, min_confidence=0.5))


def test_drop_duplicates_keeps_first_and_counts_conflicts() -> None:
    examples = [
        Example("same", "pos"),
        Example(" same ", "pos"),
        Example("same", "neg"),
        Example("other", "neg"),
    ]
    report = DataReport("x")
    kept = drop_duplicates(examples, report)
    assert kept == [Example("same", "pos"), Example("same", "neg"), Example("other", "neg")]
    assert report.dropped == {"duplicate": 1}
    assert report.conflicting_duplicates == 1 and report.repeated_rows == 1


def test_drop_duplicates_can_keep_and_only_count_repeats() -> None:
    examples = [Example("same", "pos"), Example("same", "pos"), Example("other", "neg")]
    report = DataReport("x")
    assert drop_duplicates(examples, report, drop=False) == examples
    assert report.dropped == {} and report.repeated_rows == 1


def test_label_spellings_are_merged_and_mapped() -> None:
    splits = {
        "train": [Example("a", "Positive"), Example("b", "positive"), Example("c", "Positive")],
        "test": [Example("d", "POSITIVE "), Example("e", "neg")],
    }
    merged, spellings = normalise_labels(splits, {"NEG": "Negative"})
    assert [ex.label for ex in merged["train"]] == ["Positive"] * 3
    assert [ex.label for ex in merged["test"]] == ["Positive", "Negative"]
    assert spellings == {"Positive": ["POSITIVE", "positive"]}


def test_load_splits_with_report_reports_everything(tmp_path: Path) -> None:
    content = "text;label\nok;Pos\nok too;pos\n;pos\nbad;\ncaf\xe9;neg\n"
    path = write(tmp_path / "d.csv", content.encode("latin-1"))
    loaded, reports = load_splits_with_report(path, ["train"], DataConfig())
    assert [ex.label for ex in loaded["train"]] == ["Pos", "Pos", "neg"]
    report = reports["train"].to_dict()
    assert report["rows"] == 5 and report["kept"] == 3
    assert report["dropped"]["empty_text"] == 1 and report["dropped"]["missing_label"] == 1
    assert report["invalid_bytes"]["rows"] == 1
    assert report["label_spellings"] == {"Pos": ["pos"]}
    assert report["labels"] == {"Pos": 2, "neg": 1}
    assert DataReport.from_dict(report).to_dict() == report
    with pytest.raises(DataError, match="not valid utf-8"):
        load_splits_with_report(path, ["train"], DataConfig(encoding_errors="strict"))
