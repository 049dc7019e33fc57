"""Binary word n-gram features over the project's own tokenization.

Texts go through the same tokenizer as the neural models (``text.tokenizer``, saved in the
bundle); scikit-learn's :class:`~sklearn.feature_extraction.text.CountVectorizer` then counts
1..n-grams of those tokens into a sparse indicator matrix (1 if the n-gram occurs in the text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from lstm_sentiment.errors import DataError
from lstm_sentiment.text.tokenize import Tokenizer

NGRAM_SEPARATOR = " "
"""Joins the tokens of an n-gram (tokenizers never put whitespace inside a token)."""


def ngrams(tokens: Sequence[str], max_order: int) -> list[str]:
    """All 1..``max_order``-grams of ``tokens``, unigrams first."""
    grams = list(tokens)
    for order in range(2, max_order + 1):
        shifted = (tokens[start:] for start in range(order))
        grams.extend(map(NGRAM_SEPARATOR.join, zip(*shifted, strict=False)))
    return grams


def ngram_orders(vocabulary: Sequence[str]) -> np.ndarray:
    """The order (1 for words, 2 for bigrams...) of each n-gram."""
    return np.char.count(np.asarray(vocabulary, dtype=str), NGRAM_SEPARATOR) + 1


@dataclass(frozen=True)
class NgramAnalyzer:
    """The analyzer given to ``CountVectorizer``: a text (tokenized here when a tokenizer is
    set) or an already tokenized text → its n-grams."""

    max_order: int
    tokenizer: Tokenizer | None = None

    def __call__(self, document: str | Sequence[str]) -> list[str]:
        if self.tokenizer is not None:
            assert isinstance(document, str)
            document = self.tokenizer.tokenize(document)
        return ngrams(document, self.max_order)


def fit_ngrams(
    token_lists: Sequence[Sequence[str]], max_order: int, min_df: int
) -> tuple[CountVectorizer, sparse.csr_matrix]:
    """A vectorizer of the n-grams found in ``min_df`` texts or more, and its indicator matrix
    of ``token_lists`` (``get_feature_names_out()`` gives the column order)."""
    vectorizer = CountVectorizer(
        analyzer=NgramAnalyzer(max_order), min_df=min_df, binary=True, dtype=np.float32
    )
    try:
        matrix = vectorizer.fit_transform(token_lists)
    except ValueError as exc:  # "After pruning, no terms remain"
        raise DataError(
            f"no n-gram occurs in {min_df} or more training texts ({exc}); lower nbsvm.min_df"
        ) from None
    return vectorizer, matrix.tocsr()


class NgramFeaturizer:
    """Raw texts → binary n-gram indicators over a fixed vocabulary (unknown n-grams dropped).

    A dictionary lookup per n-gram, as ``CountVectorizer.transform`` does, without the copies
    of the (possibly millions of entries) vocabulary that it keeps.
    """

    def __init__(self, tokenizer: Tokenizer, vocabulary: Sequence[str], max_order: int) -> None:
        self._analyzer = NgramAnalyzer(max_order, tokenizer)
        self._columns = {gram: column for column, gram in enumerate(vocabulary)}
        if len(self._columns) != len(vocabulary):
            raise ValueError("the n-gram vocabulary repeats entries")

    def column(self, gram: str) -> int | None:
        """The column of an n-gram (tokens joined by a space), ``None`` when it has none."""
        return self._columns.get(gram)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Indicator matrix ``[len(texts), len(vocabulary)]``."""
        columns = self._columns
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            found = {columns[gram] for gram in self._analyzer(text) if gram in columns}
            indices.extend(sorted(found))
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        shape = (len(texts), len(columns))
        return sparse.csr_matrix((data, np.asarray(indices, dtype=np.int64), indptr), shape=shape)
