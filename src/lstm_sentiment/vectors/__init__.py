"""Word vectors: reading, writing, aligning with a vocabulary, neighbours; own word2vec.

Training (:mod:`lstm_sentiment.vectors.train`) imports gensim, so it is not imported here.
"""

from __future__ import annotations

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
