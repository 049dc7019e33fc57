"""Word vectors: reading, writing, aligning with a vocabulary, neighbours; own word2vec.

Training (:mod:`lstm_sentiment.vectors.train`) imports gensim, so it is not imported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lstm_sentiment.vectors.align import (
        UNKNOWN_INITS,
        Coverage,
        build_embedding_matrix,
        lookup_words,
        measure_coverage,
    )
    from lstm_sentiment.vectors.binary_format import read_word2vec_binary
    from lstm_sentiment.vectors.embedded import EMBEDDED_VECTORS, load_embedded_glove
    from lstm_sentiment.vectors.neighbors import Neighbor, NeighborIndex
    from lstm_sentiment.vectors.readers import load_vectors
    from lstm_sentiment.vectors.text_format import read_glove_text, read_word2vec_text
    from lstm_sentiment.vectors.word_vectors import WordVectors
    from lstm_sentiment.vectors.writers import (
        write_glove_text,
        write_word2vec_binary,
        write_word2vec_text,
    )

_LAZY = {
    "UNKNOWN_INITS": "align",
    "Coverage": "align",
    "build_embedding_matrix": "align",
    "lookup_words": "align",
    "measure_coverage": "align",
    "read_word2vec_binary": "binary_format",
    "EMBEDDED_VECTORS": "embedded",
    "load_embedded_glove": "embedded",
    "Neighbor": "neighbors",
    "NeighborIndex": "neighbors",
    "load_vectors": "readers",
    "read_glove_text": "text_format",
    "read_word2vec_text": "text_format",
    "WordVectors": "word_vectors",
    "write_glove_text": "writers",
    "write_word2vec_binary": "writers",
    "write_word2vec_text": "writers",
}
"""Name → submodule: imported on first use, so that importing one submodule (the CLI's parser
reads a few constants) does not import them all."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EMBEDDED_VECTORS",
    "UNKNOWN_INITS",
    "Coverage",
    "Neighbor",
    "NeighborIndex",
    "WordVectors",
    "build_embedding_matrix",
    "load_embedded_glove",
    "load_vectors",
    "lookup_words",
    "measure_coverage",
    "read_glove_text",
    "read_word2vec_binary",
    "read_word2vec_text",
    "write_glove_text",
    "write_word2vec_binary",
    "write_word2vec_text",
]
