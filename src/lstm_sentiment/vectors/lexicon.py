"""Word lexicons as per-token features (``model.lexicon``): VADER's valence lexicon, negation
words and intensifiers (Hutto & Gilbert 2014, MIT licence, shipped in the ``vaderSentiment``
package), turned into a fixed ``[vocabulary, LEXICON_FEATURES]`` table for the network.

Only training reads the lexicon: the table is saved with the model's weights, so prediction
needs neither the package nor its files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from lstm_sentiment.errors import ConfigError

LEXICON_FEATURES = 3
"""Columns of the table: valence, negation, intensity."""
VADER_VALENCE_SCALE = 4.0
"""VADER rates words from −4 to +4; the valence column divides by this (−1..1)."""
NEGATION_CLITIC = "n't"
"""The word tokenizer splits ``don't`` into ``do`` + ``n't``: the clitic is a negation word."""


@dataclass(frozen=True)
class Lexicon:
    """Valence (−1..1), negation words and intensifiers (+1 boosts, −1 dampens) by word."""

    name: str
    valence: dict[str, float]
    negations: frozenset[str]
    intensifiers: dict[str, float]

    @property
    def words(self) -> list[str]:
        """Every single word the lexicon knows, sorted (multi-word entries are skipped)."""
        known = set(self.valence) | self.negations | set(self.intensifiers)
        return sorted(word for word in known if " " not in word)

    def table(self, tokens: Sequence[str]) -> np.ndarray:
        """Features ``[len(tokens), LEXICON_FEATURES]`` of vocabulary ``tokens`` (zeros for words
        the lexicon does not know, padding and unknown included)."""
        features = np.zeros((len(tokens), LEXICON_FEATURES), dtype=np.float32)
        for row, token in enumerate(tokens):
            word = token.lower()
            features[row, 0] = self.valence.get(word, 0.0)
            features[row, 1] = 1.0 if word in self.negations else 0.0
            features[row, 2] = self.intensifiers.get(word, 0.0)
        return features


def _vader_text(name: str) -> str:
    try:
        return (resources.files("vaderSentiment") / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ConfigError(
            f"model.lexicon 'vader' needs the vaderSentiment package ({exc}); "
            "install it with: pip install vaderSentiment==3.3.2"
        ) from None


def _vader_valence(lines: str) -> dict[str, float]:
    valence: dict[str, float] = {}
    for line in lines.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0].strip():
            valence[fields[0].strip().lower()] = float(fields[1]) / VADER_VALENCE_SCALE
    return valence


def _emoji_valence(lines: str, analyzer: object) -> dict[str, float]:
    """Each emoji's valence: VADER's compound score of the emoji's name ("smiling face...")."""
    scores = {}
    for line in lines.splitlines():
        fields = line.split("\t")
        if len(fields) == 2 and fields[0].strip():
            compound = analyzer.polarity_scores(fields[1])["compound"]  # type: ignore[attr-defined]
            if compound:
                scores[fields[0].strip()] = float(compound)
    return scores


def vader_lexicon() -> Lexicon:
    """VADER's lexicon (``vaderSentiment`` 3.3.2): words, emoticons and emoji."""
    valence = _vader_valence(_vader_text("vader_lexicon.txt"))
    try:
        from vaderSentiment import vaderSentiment as vader
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"model.lexicon 'vader' needs the vaderSentiment package ({exc}); "
            "install it with: pip install vaderSentiment==3.3.2"
        ) from None
    analyzer = vader.SentimentIntensityAnalyzer()
    for symbol, score in _emoji_valence(_vader_text("emoji_utf8_lexicon.txt"), analyzer).items():
        valence.setdefault(symbol, score)
    spellings = {word.replace("'", "") for word in vader.NEGATE}  # "don't" and "dont"
    negations = frozenset(vader.NEGATE) | spellings | {NEGATION_CLITIC}
    intensifiers = {
        word: float(np.sign(boost)) for word, boost in vader.BOOSTER_DICT.items() if " " not in word
    }
    return Lexicon("vader", valence, negations, intensifiers)


LEXICONS = {"vader": vader_lexicon}
"""Lexicon readers by ``model.lexicon`` name."""


def load_lexicon(name: str) -> Lexicon:
    """The lexicon called ``name`` (see :data:`LEXICONS`)."""
    if name not in LEXICONS:
        raise ConfigError(f"unknown model.lexicon {name!r}; valid: none, {', '.join(LEXICONS)}")
    return LEXICONS[name]()
