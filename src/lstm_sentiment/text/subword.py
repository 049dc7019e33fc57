"""Subword tokenization with SentencePiece (unigram or BPE), learned from the training texts.

A subword vocabulary has no unknown words: a rare or misspelt word ("unwatchable",
"greaaat") is split into known pieces instead of becoming ``<unk>``. The model is trained from
an in-memory iterator on the cleaned training texts only, with deterministic settings (one
thread, every sentence, no shuffling), and saved inside the model bundle so that prediction
splits text exactly as training did.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sentencepiece as spm

from lstm_sentiment.bundle import bundle_path
from lstm_sentiment.config import DEFAULT_SEED, SUBWORD_MODELS
from lstm_sentiment.errors import BundleError, ConfigError, DataError
from lstm_sentiment.io_utils import atomic_write
from lstm_sentiment.text.word import WordTokenizer

logger = logging.getLogger(__name__)

MODEL_FILE = "subword.model"
"""The SentencePiece model's file name inside a bundle folder."""
"""SentencePiece's random generator seed (only used when it samples sentences)."""
_THREADS = 1
"""Unigram training splits its EM work across threads and the result depends on the count;
one thread makes the model the same on every machine (training takes ~40 s on IMDB)."""
_MAX_SENTENCE_BYTES = 1 << 17
"""Longer texts are skipped by SentencePiece's trainer; IMDB's longest review is ~14 kB."""
_CHARACTER_COVERAGE = 0.9995
"""Share of characters the pieces must cover; rarer characters map to ``<unk>``."""


class SubwordTokenizer:
    """Cleans text like :class:`WordTokenizer`, then splits it into SentencePiece pieces.

    Args:
        model_type: ``"unigram"`` or ``"bpe"``.
        vocab_size: Number of pieces to learn (an upper bound on tiny corpora).
        lowercase: Lowercase the cleaned text before splitting it.
        model: A trained SentencePiece model (serialized); None until :meth:`fit` runs.
    """

    name = "subword"

    def __init__(
        self,
        model_type: str = "unigram",
        vocab_size: int = 8000,
        *,
        lowercase: bool = True,
        model: bytes | None = None,
    ) -> None:
        if model_type not in SUBWORD_MODELS:
            raise ConfigError(
                f"text.subword_model must be one of {', '.join(SUBWORD_MODELS)}; got {model_type!r}"
            )
        self.model_type = model_type
        self.vocab_size = vocab_size
        self.lowercase = lowercase
        self._cleaner = WordTokenizer(lowercase=lowercase)
        self._model: bytes | None = None
        self._processor: spm.SentencePieceProcessor | None = None
        if model is not None:
            self._load(model)

    def _load(self, model: bytes) -> None:
        processor = spm.SentencePieceProcessor()
        processor.LoadFromSerializedProto(model)
        self._model, self._processor = model, processor

    @property
    def fitted(self) -> bool:
        """Whether a SentencePiece model has been trained or loaded."""
        return self._processor is not None

    def clean(self, text: str) -> str:
        """The text SentencePiece sees: cleaned as by the word tokenizer, maybe lowercased, with
        runs of whitespace (newlines too) made single spaces."""
        cleaned = " ".join(self._cleaner.clean(text).split())
        return cleaned.lower() if self.lowercase else cleaned

    def fit(self, texts: Iterable[str]) -> SubwordTokenizer:
        """Learn the pieces from ``texts`` (the training texts only) and return ``self``.

        Raises:
            DataError: There is no text, or SentencePiece cannot learn from it.
        """
        cleaned = [line for line in (self.clean(text) for text in texts) if line.strip()]
        if not cleaned:
            raise DataError("no text to learn subword pieces from: the training texts are empty")
        writer = io.BytesIO()
        spm.set_random_generator_seed(DEFAULT_SEED)
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=iter(cleaned),
                model_writer=writer,
                model_type=self.model_type,
                vocab_size=self.vocab_size,
                hard_vocab_limit=False,
                character_coverage=_CHARACTER_COVERAGE,
                input_sentence_size=0,
                shuffle_input_sentence=False,
                max_sentence_length=_MAX_SENTENCE_BYTES,
                num_threads=_THREADS,
                bos_id=-1,
                eos_id=-1,
                pad_id=-1,
                minloglevel=2,
            )
        except RuntimeError as exc:
            raise DataError(f"SentencePiece could not learn subword pieces: {exc}") from None
        self._load(writer.getvalue())
        logger.info(
            "subword tokenizer: %d %s pieces learned from %d texts",
            self.piece_count,
            self.model_type,
            len(cleaned),
        )
        return self

    @property
    def piece_count(self) -> int:
        """The number of pieces in the trained model."""
        return int(self._fitted_processor().GetPieceSize())

    def _fitted_processor(self) -> spm.SentencePieceProcessor:
        if self._processor is None:
            raise ConfigError(
                "the subword tokenizer is not trained: call fit(texts) on the training texts "
                "or load it from a model bundle"
            )
        return self._processor

    def tokenize(self, text: str) -> list[str]:
        """Clean ``text`` and return its pieces (``▁`` marks the start of a word)."""
        pieces: list[str] = self._fitted_processor().EncodeAsPieces(self.clean(text))
        return pieces

    def spans(self, cleaned: str) -> list[tuple[str, int, int]]:
        """Pieces of already cleaned text (see :meth:`clean`) with the ``[start, end)`` of the
        characters each stands for (without the space before a word; pieces that stand for no
        character of their own, like a lone ``▁`` or part of a decomposed ``½``, share the next
        piece's characters)."""
        proto = self._fitted_processor().encode(cleaned, out_type="proto")
        char_at = [0] * (len(cleaned.encode("utf-8")) + 1)
        offset = 0
        for index, char in enumerate(cleaned):
            width = len(char.encode("utf-8"))
            char_at[offset : offset + width] = [index] * width
            offset += width
        char_at[offset] = len(cleaned)
        found: list[tuple[str, int, int]] = []
        for piece in proto.pieces:
            start, end = char_at[piece.begin], char_at[piece.end]
            while start < end and cleaned[start].isspace():
                start += 1
            found.append((piece.piece, start, end))
        spans: list[tuple[str, int, int]] = []
        borrowed = (len(cleaned), len(cleaned))
        for piece, start, end in reversed(found):
            if end > start:
                borrowed = (start, end)
            spans.append((piece, *borrowed) if end <= start else (piece, start, end))
        spans.reverse()
        if spans and spans[-1][2] <= spans[-1][1]:  # trailing pieces with nothing after them
            last = max((s for s in spans if s[2] > s[1]), key=lambda s: s[2], default=None)
            if last is not None:
                spans = [(p, *last[1:]) if e <= b else (p, b, e) for p, b, e in spans]
        return spans

    def decode(self, pieces: Sequence[str]) -> str:
        """Join pieces back into (cleaned) text."""
        text: str = self._fitted_processor().DecodePieces(list(pieces))
        return text

    def save(self, directory: str | Path) -> Path:
        """Write the SentencePiece model into ``directory`` (atomically); return its path."""
        if self._model is None:
            raise ConfigError("cannot save an untrained subword tokenizer: call fit(texts) first")
        model = self._model
        path = Path(directory) / MODEL_FILE
        atomic_write(path, lambda tmp: tmp.write_bytes(model))
        return path

    def to_dict(self) -> dict[str, Any]:
        """Settings saved in a model bundle (the model itself goes to :data:`MODEL_FILE`)."""
        saved: dict[str, Any] = {
            "name": self.name,
            "model_type": self.model_type,
            "vocab_size": self.vocab_size,
            "lowercase": self.lowercase,
            "model_file": MODEL_FILE,
        }
        if self._model is not None:
            saved["model_sha256"] = hashlib.sha256(self._model).hexdigest()
        return saved

    @classmethod
    def from_dict(cls, saved: dict[str, Any], directory: Path | None) -> SubwordTokenizer:
        """Rebuild a saved tokenizer from its settings and the model file in ``directory``.

        Raises:
            BundleError: The model file is missing or is not the one the bundle was saved with.
        """
        if directory is None:
            raise BundleError(
                "a subword tokenizer needs its model file: load it from the bundle folder"
            )
        path = bundle_path(directory, str(saved.get("model_file", MODEL_FILE)))
        if not path.is_file():
            raise BundleError(f"model bundle {directory} is missing {path.name}; re-train it")
        expected = saved.get("model_sha256")
        if not isinstance(expected, str):
            raise BundleError(
                f"bundle {directory}: the subword tokenizer has no model checksum in its "
                "config.json; re-save or re-train the model"
            )
        model = path.read_bytes()
        if hashlib.sha256(model).hexdigest() != expected:
            raise BundleError(
                f"{path} does not match the bundle's config.json (checksum differs); "
                "re-save or re-train the model"
            )
        try:
            return cls(
                str(saved["model_type"]),
                int(saved["vocab_size"]),
                lowercase=bool(saved["lowercase"]),
                model=model,
            )
        except RuntimeError as exc:
            raise BundleError(f"{path} is not a SentencePiece model ({exc}); re-train it") from None
