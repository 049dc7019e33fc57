"""Decoding text files under an explicit policy for bytes that are invalid in their encoding.

Real exports are often *almost* UTF-8: a few mangled emoji or a stray Windows-1252 quote.
``strict`` stops at the first such byte and says where it is; ``replace`` (the default) turns
each bad sequence into U+FFFD and reports how many rows were affected and where the first one
was. Either way nothing is dropped silently. Byte-order marks are handled: a UTF-8 BOM is
skipped and a UTF-16 BOM switches a ``utf-8`` file to UTF-16.

A common damage is a UTF-8 file passed through a tool that wrote ``?`` for the bytes it could
not map (0x80-0x9F): an emoji ``F0 9F 98 82`` arrives as ``F0 ? ? ?``, an ellipsis
``E2 80 A6`` as ``E2 ? A6``. Under ``replace`` such a broken sequence, its ``?`` stand-ins
included, becomes one U+FFFD, so the damage does not read as question marks.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lstm_sentiment.config.choices import ENCODING_ERRORS
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)

DEFAULT_ENCODING_ERRORS = ENCODING_ERRORS[0]
"""Policy for invalid bytes unless told otherwise."""
REPLACEMENT = "\ufffd"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
SNIFF_BYTES = 4096
"""How much of a file the UTF-16-without-BOM check looks at."""
UTF16_NUL_SHARE = 0.3
"""Share of NUL bytes on one byte parity above which UTF-8 text is taken for UTF-16."""
_LOST = "?\udc80-\udcbf"
"""A continuation byte (as ``surrogateescape`` shows it) or the ``?`` written in its place."""
BROKEN_UTF8 = re.compile(
    f"[\\udcc2-\\udcdf][{_LOST}]|[\\udce0-\\udcef][{_LOST}]{{2}}|[\\udcf0-\\udcf4][{_LOST}]{{3}}"
)
"""A UTF-8 lead byte followed by as many continuation bytes as it announces, some of them
(or all) replaced by ``?``: one character, damaged."""


def utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` looks like UTF-16 text without a byte-order
    mark (ASCII characters leave every other byte NUL), else ``None``."""
    if len(head) < 2 or head[:2] in _UTF16_BOMS:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > UTF16_NUL_SHARE * len(odd) and even.count(0) < odd.count(0) / 4:
        return "utf-16-le"
    if even.count(0) > UTF16_NUL_SHARE * len(even) and odd.count(0) < even.count(0) / 4:
        return "utf-16-be"
    return None


def check_not_utf16(head: bytes, codec: str, where: str) -> None:
    """Refuse to read UTF-16 text as UTF-8 (it would come out as NUL-riddled garbage)."""
    if codec == "utf-8" and (guess := utf16_without_bom(head)):
        raise DataError(
            f"{where} looks like UTF-16 text without a byte-order mark (every other byte is "
            f"NUL): pass --encoding {guess}"
        )


def codec_name(encoding: str) -> str:
    """Canonical codec name (``utf-8-sig`` becomes ``utf-8``: BOMs are always dropped)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(
            f"unknown encoding '{encoding}': pass --encoding with a codec such as utf-8 or latin-1"
        ) from None
    return "utf-8" if name == "utf-8-sig" else name


def decode_replacing(raw: bytes, codec: str) -> str:
    """Decode with invalid bytes as U+FFFD; in UTF-8 a broken sequence whose lost bytes were
    written as ``?`` becomes one U+FFFD, stand-ins included (see the module docstring)."""
    if codec != "utf-8":
        return raw.decode(codec, errors="replace")
    escaped = BROKEN_UTF8.sub(REPLACEMENT, raw.decode(codec, errors="surrogateescape"))
    return escaped.encode(codec, errors="surrogateescape").decode(codec, errors="replace")


def check_errors_policy(errors: str) -> str:
    """Validate an ``--encoding-errors`` value."""
    if errors not in ENCODING_ERRORS:
        raise DataError(
            f"--encoding-errors must be one of {', '.join(ENCODING_ERRORS)}; got {errors!r}"
        )
    return errors


def decode_bytes(data: bytes, codec: str, where: str) -> str:
    """Strictly decode one small file (a review in a folder or archive), dropping a UTF-8 BOM."""
    check_not_utf16(data[:SNIFF_BYTES], codec, where)
    skip = len(codecs.BOM_UTF8) if codec == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as err:
        raise DataError(
            f"{where} is not valid {codec} (byte {skip + err.start}): pass --encoding with the "
            "file's encoding, e.g. --encoding latin-1"
        ) from None


class InvalidByteError(Exception):
    """Internal: an invalid byte under the ``strict`` policy (the reader adds the row)."""

    def __init__(self, line: int, offset: int) -> None:
        super().__init__(f"line {line}, byte {offset}")
        self.line = line
        self.offset = offset


@dataclass
class LineDecoder:
    """Yields a file's lines as text and remembers where invalid bytes were.

    Lines keep their line endings (as ``open(newline="")`` does), so quoted CSV fields may
    span lines. ASCII-compatible encodings are decoded line by line, which gives exact byte
    offsets; others (UTF-16) are decoded whole.

    Args:
        path: The file.
        encoding: Its encoding (``utf-8`` also reads UTF-16 files that start with a BOM).
        errors: ``replace`` or ``strict`` (see the module docstring).
    """

    path: Path
    encoding: str = "utf-8"
    errors: str = DEFAULT_ENCODING_ERRORS
    codec: str = field(init=False)
    bad_lines: list[int] = field(default_factory=list, init=False)
    """Line numbers (1-based) with invalid bytes, ascending."""
    bad_bytes: int = field(default=0, init=False)
    first_bad: tuple[int, int] | None = field(default=None, init=False)
    """``(line, byte offset)`` of the first invalid byte."""

    def __post_init__(self) -> None:
        self.codec = codec_name(self.encoding)
        check_errors_policy(self.errors)

    def lines(self) -> Iterator[str]:
        """The decoded lines; raises :class:`InvalidByteError` under ``strict``."""
        try:
            with self.path.open("rb") as file:
                check_not_utf16(file.read(SNIFF_BYTES), self.codec, str(self.path))
                file.seek(0)
                head = file.read(len(codecs.BOM_UTF8))
                if self.codec == "utf-8" and head[:2] in _UTF16_BOMS:
                    self.codec = "utf-16"
                if self.codec == "utf-8" and head == codecs.BOM_UTF8:
                    offset = len(head)
                else:
                    file.seek(0)
                    offset = 0
                if codecs.encode("\n", self.codec) != b"\n":
                    yield from self._whole(file.read())
                    return
                for number, raw in enumerate(file, start=1):
                    try:
                        text = raw.decode(self.codec)
                    except UnicodeDecodeError:
                        text = self._bad_line(raw, number, offset)
                    offset += len(raw)
                    yield text
        except OSError as err:
            raise DataError(f"cannot read {self.path}: {err.strerror}") from None

    def _bad_line(self, raw: bytes, number: int, offset: int) -> str:
        position = 0
        bad = 0
        while True:
            try:
                raw[position:].decode(self.codec)
                break
            except UnicodeDecodeError as err:
                if self.first_bad is None:
                    self.first_bad = (number, offset + position + err.start)
                if self.errors == "strict":
                    raise InvalidByteError(number, offset + position + err.start) from None
                bad += err.end - err.start
                position += err.end
        self.bad_bytes += bad
        self.bad_lines.append(number)
        return decode_replacing(raw, self.codec)

    def _whole(self, data: bytes) -> Iterator[str]:
        try:
            text = data.decode(self.codec)
        except UnicodeDecodeError as err:
            line = data[: err.start].decode(self.codec, errors="replace").count("\n") + 1
            self.first_bad = (line, err.start)
            if self.errors == "strict":
                raise InvalidByteError(line, err.start) from None
            text = data.decode(self.codec, errors=self.errors)
        for number, line_text in enumerate(text.splitlines(keepends=True), start=1):
            if REPLACEMENT in line_text and self.first_bad is not None:
                self.bad_bytes += line_text.count(REPLACEMENT)
                self.bad_lines.append(number)
            yield line_text


def read_lines(
    path: Path, encoding: str = "utf-8", errors: str = DEFAULT_ENCODING_ERRORS
) -> list[str]:
    """The non-blank lines of a text file (one text per line), under the bytes policy.

    Raises:
        DataError: The file cannot be read, or has an invalid byte under ``strict``.
    """
    decoder = LineDecoder(Path(path), encoding, errors)
    try:
        lines = [line.rstrip("\r\n") for line in decoder.lines()]
    except InvalidByteError as err:
        raise DataError(
            f"{path} is not valid {decoder.codec} (line {err.line}, byte {err.offset}): pass "
            "--encoding with the file's encoding, e.g. --encoding latin-1, or "
            "--encoding-errors replace"
        ) from None
    if decoder.first_bad is not None:
        line, offset = decoder.first_bad
        logger.warning(
            "%s: %d line(s) have bytes that are not valid %s (%d byte(s); the first at line %d, "
            "byte %d); they were replaced with U+FFFD (--encoding-errors replace)",
            path,
            len(decoder.bad_lines),
            decoder.codec,
            decoder.bad_bytes,
            line,
            offset,
        )
    return [line for line in lines if line.strip()]
