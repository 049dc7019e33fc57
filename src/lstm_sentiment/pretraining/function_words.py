"""English function words that the region objective need not predict
(``pretrain.region_targets = "content"``).

Johnson & Zhang (2015) drop function words from the words a region predicts: "the", "of" or
"was" sit beside every region alike, so predicting them teaches a region embedding little and
costs most of the loss. Negations ("not", "n't", "no", "never") and contrast words ("but",
"although") are kept: what follows them is what sentiment turns on. The tokens match the word
tokenizer's output (lowercase, clitics split off: "do" "n't", "movie" "'s").
"""

from __future__ import annotations

from pathlib import Path

from lstm_sentiment.errors import ConfigError

_LISTED = """
    a an the this that these those some any each every either neither both all another such
    i me my mine myself you your yours yourself yourselves he him his himself she her hers
    herself it its itself we us our ours ourselves they them their theirs themselves
    who whom whose which what whatever whoever there here
    is am are was were be been being do does did doing done have has had having
    will would shall should can could may might must 's 're 've 'll 'd 'm
    of in on at by for with from to into onto upon about over under above below between
    through during before after since until within without toward towards across along
    among around behind beyond near off out up down via per than as
    and or so if then because while whether when where how why also too just very
"""
FUNCTION_WORDS = frozenset(_LISTED.split())
"""Words the "content" targets skip (the built-in English list)."""


def stopwords_from_file(path: str | Path) -> frozenset[str]:
    """The words of ``path``, one per line (blank lines and ``#`` comments skipped)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read pretrain.region_stopwords {str(path)!r} ({exc.__class__.__name__}): "
            "give a UTF-8 text file with one word per line"
        ) from exc
    words = {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}
    if not words:
        raise ConfigError(
            f"pretrain.region_stopwords {str(path)!r} lists no word: one word per line"
        )
    return frozenset(words)
