"""Misspelt words (``text.typo_distance``): an unknown word reads as the most frequent vocabulary
word one edit away, only lower-case words of four letters or more and never the words of an
@mention or a web address, the same in every encode path, and the shipped model reads a typo
like the word it misspells."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_sentiment.config import TextConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import WordTokenizer
from lstm_sentiment.text.typos import TypoLookup, never_corrected, one_edit_away
from lstm_sentiment.text.vocab import PAD_TOKEN, UNK_TOKEN, Vocabulary


def vocabulary(*words: str) -> Vocabulary:
    """Most frequent first, as :meth:`Vocabulary.build` ranks them."""
    return Vocabulary([PAD_TOKEN, UNK_TOKEN, *words])


@pytest.mark.parametrize(
    ("typo", "word"),
    [("usless", "useless"), ("delicous", "delicious"), ("godo", "good"), ("goood", "good")],
)
def test_every_kind_of_single_edit_is_undone(typo: str, word: str) -> None:
    assert word in set(one_edit_away(typo))
    lookup = TypoLookup(vocabulary("film", word))
    assert lookup.lookup(["the", typo]) == [1, 3]  # "the" is unknown and too short to correct


def test_the_most_frequent_neighbour_wins() -> None:
    assert TypoLookup(vocabulary("good", "goose")).lookup(["gooe"]) == [2]
    assert TypoLookup(vocabulary("goose", "good")).lookup(["gooe"]) == [2]


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("bda", "shorter than four letters"),
        ("Usless", "not lower-case"),
        ("usl3ss", "not only letters"),
        ("ûseless", "not ASCII"),
        ("xyzzyq", "no vocabulary word one edit away"),
        ("ueslesz", "two edits away"),
        (UNK_TOKEN, "the unknown token itself"),
    ],
)
def test_words_the_corrector_leaves_unknown(token: str, why: str) -> None:
    lookup = TypoLookup(vocabulary("useless", "bad"))
    assert lookup.lookup([token]) == [lookup.vocab.unk_id], why


def test_known_words_are_never_corrected_and_repeats_are_remembered() -> None:
    lookup = TypoLookup(vocabulary("good", "goods"))
    assert lookup.lookup(["goods", "good"]) == [3, 2]
    assert lookup.lookup(["goodz", "goodz"]) == [2, 2]
    assert lookup.corrections == {"goodz": 2}


def test_every_encode_path_reads_typos_the_same_way() -> None:
    vocab = vocabulary("the", "support", "was", "useless")
    on = TextEncoder(WordTokenizer(), vocab, max_length=10, truncation="head", typo_distance=1)
    off = TextEncoder(WordTokenizer(), vocab, max_length=10, truncation="head")
    texts = ["Support was usless.", "the support was useless"]
    assert [list(ids) for ids in on.encode_many(texts)] == [[3, 4, 5], [2, 3, 4, 5]]
    flat, lengths = on.encode_flat(texts)
    assert list(lengths) == [3, 4] and np.array_equal(flat, np.concatenate(on.encode_many(texts)))
    assert list(off.encode("Support was usless.")) == [3, 4, vocab.unk_id]


@pytest.mark.parametrize(
    ("text", "exempt"),
    [
        ("@jsmith great flight", {"jsmith"}),
        ("RT @Flo_Tweet: so good", {"flo", "tweet"}),
        (
            "see https://t.co/AbcDef and www.sciam.com",
            {"https", "t", "co", "abcdef", "www", "sciam", "com"},
        ),
        ("mail jsmith@example.com, #blessd", set()),  # an address, a hashtag: not exempt
        ("the acting was terible", set()),
    ],
)
def test_mentions_and_web_addresses_are_never_corrected(text: str, exempt: set[str]) -> None:
    assert never_corrected(text) == exempt


def test_a_mention_stays_unknown_in_every_encode_path() -> None:
    vocab = vocabulary("smith", "was", "great")
    on = TextEncoder(WordTokenizer(), vocab, max_length=10, truncation="head", typo_distance=1)
    texts = ["@jsmith was great", "jsmith was great"]
    assert [list(ids) for ids in on.encode_many(texts)] == [[vocab.unk_id, 3, 4], [2, 3, 4]]
    flat, _ = on.encode_flat(texts)
    assert np.array_equal(flat, np.concatenate(on.encode_many(texts)))
    assert list(on.encode_tokens(["jsmith"], "@jsmith")) == [vocab.unk_id]


def test_the_setting_is_zero_or_one() -> None:
    assert TextConfig(typo_distance=1).typo_distance == 1
    with pytest.raises(ConfigError, match=r"text\.typo_distance must be 0 .* or 1 .*got 2"):
        TextConfig(typo_distance=2)


def test_the_shipped_model_reads_a_typo_like_the_word() -> None:
    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load()
    pairs = [("The acting was terrible.", "The acting was terible."), ("Tasty!", "Tsaty!")]
    pairs += [("The pasta was delicious.", "The pasta was delicous.")]
    right, typo = (model.predict_proba([pair[i] for pair in pairs]) for i in (0, 1))
    # Misspellings the reviews made common ("disapointed") have ids of their own: not these.
    vocabulary_words = set(model.bundle.encoder.vocab.tokens)
    assert not {"terible", "tsaty", "delicous"} & vocabulary_words
    np.testing.assert_allclose(right, typo, atol=1e-6)


def test_the_most_frequent_neighbour_is_not_always_the_meant_word() -> None:
    """A known limit: "usless" is one edit from "useless" and from the more frequent "unless"."""
    lookup = TypoLookup(vocabulary("unless", "useless"))
    assert lookup.lookup(["usless"]) == [2]


def test_an_explanation_reads_a_typo_as_its_prediction_does() -> None:
    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load()
    right, typo = model.explain(["The acting was terrible.", "The acting was terible."])
    assert [t.token for t in typo.tokens][-1] == "terible"  # offsets stay on the raw text
    for word, misspelt in zip(right.tokens, typo.tokens, strict=True):
        for label, score in word.scores.items():
            assert misspelt.scores[label] == pytest.approx(score, abs=1e-5)
    assert typo.probabilities == pytest.approx(right.probabilities, abs=1e-5)


def test_the_shipped_model_reads_a_mention_as_an_unknown_name() -> None:
    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load()
    assert model.bundle.encoder.typos is not None  # the shipped model reads typos
    texts = ["@jsmith thanks for the help", "@qzxwvy thanks for the help"]  # "smith", unknown
    mention, unknown = model.predict_proba(texts)
    np.testing.assert_allclose(mention, unknown, atol=1e-6)
    explained = model.explain(texts)
    assert explained[0].probabilities == pytest.approx(explained[1].probabilities, abs=1e-5)
