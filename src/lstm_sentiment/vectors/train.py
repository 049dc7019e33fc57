"""Train your own word2vec vectors with gensim, on text tokenized exactly like the classifier's.

Tokenizing with the project's own tokenizer (same cleaning, lowercasing, ``n't`` splits and kept
punctuation) means every word the classifier's vocabulary holds can find its vector; vectors
trained on differently tokenized text lose words such as ``n't`` or ``!``. The result is written
in word2vec text or binary format, which both the project's loaders and gensim read.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.text.tokenize import Tokenizer
from lstm_sentiment.vectors.formats import PathLike
from lstm_sentiment.vectors.settings import WORD2VEC_FORMATS, Word2VecConfig
from lstm_sentiment.vectors.word_vectors import WordVectors
from lstm_sentiment.vectors.writers import write_word2vec_binary, write_word2vec_text

if TYPE_CHECKING:
    from tqdm import tqdm

logger = logging.getLogger(__name__)
__all__ = ["WORD2VEC_FORMATS", "Word2VecConfig"]  # defined in .settings, re-exported

_FORMAT_SUFFIXES = {
    "word2vec-binary": (".bin", ".bin.gz"),
    "word2vec-text": (".txt", ".txt.gz", ".vec", ".vec.gz"),
}
_PROGRESS_EVERY = 256
"""Texts between two progress-bar updates (keeps the bar's cost off gensim's producer thread)."""


@dataclass(frozen=True)
class Word2VecResult:
    """Trained vectors and what it took.

    Attributes:
        vectors: The vectors, most frequent word first.
        config: The settings used.
        texts: Texts in the corpus.
        tokens: Tokens in the corpus.
        tokenize_seconds: Time spent tokenizing.
        train_seconds: Time spent in gensim (vocabulary scan and training).
    """

    vectors: WordVectors
    config: Word2VecConfig
    texts: int
    tokens: int
    tokenize_seconds: float
    train_seconds: float

    @property
    def vocabulary_size(self) -> int:
        """Words that got a vector (seen at least ``min_count`` times)."""
        return len(self.vectors)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (without the vectors)."""
        return {
            "config": asdict(self.config),
            "texts": self.texts,
            "tokens": self.tokens,
            "vocabulary_size": self.vocabulary_size,
            "dim": self.vectors.dim,
            "tokenize_seconds": self.tokenize_seconds,
            "train_seconds": self.train_seconds,
        }


def tokenize_corpus(
    texts: Iterable[str], tokenizer: Tokenizer, *, progress: bool = True
) -> list[list[str]]:
    """Tokenize ``texts``; empty texts are dropped.

    Each distinct token string is stored once (interned): a corpus of 75,000 reviews holds about
    20 million tokens but only ~150,000 distinct ones, so this keeps it to a list of pointers.
    """
    from tqdm import tqdm

    interned: dict[str, str] = {}
    sentences: list[list[str]] = []
    for text in tqdm(texts, desc="tokenizing", unit="text", disable=None if progress else True):
        tokens = [interned.setdefault(token, token) for token in tokenizer.tokenize(text)]
        if tokens:
            sentences.append(tokens)
    return sentences


class _ProgressCorpus:
    """A re-iterable corpus that advances a progress bar as gensim reads it."""

    def __init__(self, sentences: Sequence[Sequence[str]], bar: tqdm | None) -> None:
        self._sentences = sentences
        self._bar = bar

    def __iter__(self) -> Iterator[Sequence[str]]:
        pending = 0
        for sentence in self._sentences:
            yield sentence
            pending += 1
            if self._bar is not None and pending == _PROGRESS_EVERY:
                self._bar.update(pending)
                pending = 0
        if self._bar is not None and pending:
            self._bar.update(pending)


def _epoch_progress(bar: tqdm, epochs: int) -> Any:
    """A gensim callback that shows the finished epochs beside the progress bar."""
    from gensim.models.callbacks import CallbackAny2Vec

    class EpochProgress(CallbackAny2Vec):  # type: ignore[misc]
        def __init__(self) -> None:
            self.epoch = 0

        def on_epoch_end(self, model: Any) -> None:
            self.epoch += 1
            bar.set_postfix_str(f"epoch {self.epoch}/{epochs} done")

    return EpochProgress()


@contextlib.contextmanager
def _quiet_gensim() -> Iterator[None]:
    """Silence gensim's per-second INFO progress lines while our own bar runs."""
    gensim_logger = logging.getLogger("gensim")
    previous = gensim_logger.level
    gensim_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        gensim_logger.setLevel(previous)


def train_word2vec(
    sentences: Sequence[Sequence[str]],
    config: Word2VecConfig,
    *,
    name: str = "word2vec",
    progress: bool = True,
    tokenize_seconds: float = 0.0,
) -> Word2VecResult:
    """Train word2vec on tokenized ``sentences`` (one list of tokens per text).

    Args:
        sentences: The corpus, e.g. from :func:`tokenize_corpus`.
        config: The training settings.
        name: The name the returned vectors carry.
        progress: Show a progress bar (on a terminal) over all epochs.
        tokenize_seconds: Recorded in the result as the time it took to make ``sentences``.

    Returns:
        The vectors (most frequent word first) and training statistics.

    Raises:
        DataError: The corpus is empty, or no word occurs ``min_count`` times.
    """
    from gensim.models import Word2Vec  # imported here: gensim takes a second to import

    if not sentences:
        raise DataError("no text to train word vectors on: the corpus is empty")
    tokens = sum(len(sentence) for sentence in sentences)

    started = time.perf_counter()
    with _quiet_gensim():
        model = Word2Vec(
            vector_size=config.dim,
            window=config.window,
            min_count=config.min_count,
            sg=int(config.skip_gram),
            hs=0,
            negative=config.negative,
            sample=config.sample,
            epochs=config.epochs,
            workers=config.workers,
            seed=config.seed,
        )
        model.build_vocab(_ProgressCorpus(sentences, None))
        if not len(model.wv):
            raise DataError(
                f"no word occurs {config.min_count} times in the {len(sentences):,} texts: "
                "lower --min-count or give more text"
            )
        from tqdm import tqdm

        with tqdm(
            total=config.epochs * len(sentences),
            desc=f"word2vec {'skip-gram' if config.skip_gram else 'CBOW'} {config.dim}-d",
            unit="text",
            disable=None if progress else True,
            dynamic_ncols=True,
            file=sys.stderr,
        ) as bar:
            model.train(
                _ProgressCorpus(sentences, bar),
                total_examples=model.corpus_count,
                epochs=config.epochs,
                callbacks=[_epoch_progress(bar, config.epochs)],
            )
    seconds = time.perf_counter() - started
    keyed = model.wv
    vectors = WordVectors(list(keyed.index_to_key), keyed.vectors.astype("float32"), name)
    logger.info(
        "word2vec: %d words of dimension %d from %d texts (%d tokens) in %.1f s",
        len(vectors),
        vectors.dim,
        len(sentences),
        tokens,
        seconds,
    )
    return Word2VecResult(
        vectors=vectors,
        config=config,
        texts=len(sentences),
        tokens=tokens,
        tokenize_seconds=tokenize_seconds,
        train_seconds=seconds,
    )


def resolve_format(path: PathLike, fmt: str | None = None) -> str:
    """The word2vec format to write ``path`` in: ``fmt``, checked against the file name.

    The loaders pick the format from the name (``.bin`` is binary; ``.txt``/``.vec`` text), so
    a name that says otherwise would make the file unreadable later.

    Raises:
        ConfigError: ``fmt`` is unknown, contradicts the name, or the name has no known suffix.
    """
    name = Path(path).name.lower()
    implied = next(
        (kind for kind, suffixes in _FORMAT_SUFFIXES.items() if name.endswith(suffixes)), None
    )
    if fmt is not None and fmt not in WORD2VEC_FORMATS:
        raise ConfigError(f"unknown vectors format {fmt!r}; choose {', '.join(WORD2VEC_FORMATS)}")
    if implied is None:
        raise ConfigError(
            f"cannot tell the vectors format from {Path(path).name!r}: name it .bin for "
            "word2vec binary or .txt/.vec for word2vec text (optionally .gz)"
        )
    if fmt is not None and fmt != implied:
        suffixes = "/".join(_FORMAT_SUFFIXES[fmt])
        raise ConfigError(
            f"{Path(path).name!r} names a {implied} file but --format is {fmt}: "
            f"use a {suffixes} name so loaders read it right"
        )
    return implied


def save_word2vec(vectors: WordVectors, path: PathLike, fmt: str | None = None) -> Path:
    """Write ``vectors`` atomically as word2vec text or binary (see :func:`resolve_format`)."""
    if resolve_format(path, fmt) == "word2vec-binary":
        return write_word2vec_binary(vectors, path)
    return write_word2vec_text(vectors, path)
