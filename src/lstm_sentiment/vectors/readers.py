"""Load word vectors by spec: the embedded GloVe set, or a file whose name gives its format.

The readers themselves are in :mod:`.text_format`, :mod:`.binary_format` and :mod:`.embedded`;
all of them stream their input (see :mod:`.collect`).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.binary_format import read_word2vec_binary
from lstm_sentiment.vectors.embedded import EMBEDDED_ALIASES, load_embedded_glove
from lstm_sentiment.vectors.formats import (
    ENCODING,
    HEADER_RE,
    MAX_HEADER_BYTES,
    SUPPORTED,
    existing_file,
    open_binary,
    reading,
)
from lstm_sentiment.vectors.text_format import read_glove_text, read_word2vec_text
from lstm_sentiment.vectors.word_vectors import WordVectors

_BINARY_SUFFIXES = (".bin", ".bin.gz")
_WORD2VEC_TEXT_SUFFIXES = (".vec", ".vec.gz")
_TEXT_SUFFIXES = (".txt", ".txt.gz")


def _looks_like_word2vec_header(file: Path) -> bool:
    with reading(file), open_binary(file) as stream:
        first = stream.readline(MAX_HEADER_BYTES)
    return HEADER_RE.match(first.decode(ENCODING, errors="replace")) is not None


def load_vectors(
    spec: str, *, restrict_to: Collection[str] | None = None, first: int = 0
) -> WordVectors:
    """Load word vectors named by ``spec``: ``"glove-6b-50d"`` (alias ``"glove"``) or a path.

    The file format follows the name: ``.bin``/``.bin.gz`` is word2vec binary, ``.vec`` is
    word2vec text, and ``.txt``/``.txt.gz`` is GloVe text unless its first line is a word2vec
    ``count dim`` header.

    Args:
        spec: The embedded set's name or a file path.
        restrict_to: Keep only these words.
        first: With ``restrict_to``, also keep the file's first N words (GloVe and word2vec
            files list the most frequent words first).

    Returns:
        The vectors, in file order.

    Raises:
        VectorsError: The file is missing, of an unknown kind, or malformed.
    """
    if spec.strip().lower() in EMBEDDED_ALIASES:
        return load_embedded_glove(restrict_to=restrict_to, first=first)
    file = existing_file(spec)
    name = file.name.lower()
    if name.endswith(_BINARY_SUFFIXES):
        return read_word2vec_binary(file, restrict_to=restrict_to, first=first)
    if name.endswith(_WORD2VEC_TEXT_SUFFIXES):
        return read_word2vec_text(file, restrict_to=restrict_to, first=first)
    if name.endswith(_TEXT_SUFFIXES):
        if _looks_like_word2vec_header(file):
            return read_word2vec_text(file, restrict_to=restrict_to, first=first)
        return read_glove_text(file, restrict_to=restrict_to, first=first)
    raise VectorsError(f"cannot tell the format of {file} from its name; {SUPPORTED}")
