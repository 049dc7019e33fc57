"""``lstm-sentiment vectors ...``: train own word2vec vectors and see what vectors learned.

    vectors train --data SOURCE [--split train,unsup] --output FILE [--sg|--cbow] [--dim ...]
    vectors neighbors WORD [--vectors SPEC] [-k 10]
    vectors analogy A B C [--vectors SPEC] [-k 10]          (b - a + c)
    vectors coverage --data SOURCE [--split train] [--vectors SPEC]

``SPEC`` is ``glove-6b-50d`` (the embedded set, default) or a GloVe/word2vec file. Results are
rich tables on a terminal, or one JSON object with ``--format json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_sentiment.cli.options import add_data_options, data_config
from lstm_sentiment.vectors.settings import EMBEDDED_VECTORS, WORD2VEC_FORMATS, Word2VecConfig

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

SUMMARY_FORMATS = ("table", "json")
_TOP_MISSING = 20


def add_vectors_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``vectors`` and its sub-commands to the top-level command parsers."""
    vectors = commands.add_parser(
        "vectors", help="train own word2vec vectors; neighbours, analogies, coverage"
    )
    vectors.set_defaults(handler=run_vectors_command)
    sub = vectors.add_subparsers(dest="vectors_command", required=True, parser_class=type(vectors))

    train = sub.add_parser("train", help="train word2vec (gensim) on any text, labelled or not")
    train.add_argument("--data", required=True, help="folder, .tar.gz, .csv, .jsonl or imdb")
    train.add_argument(
        "--split",
        action="append",
        default=None,
        help="splits to read, comma-separated or repeated (default train; e.g. train,unsup). "
        "Never the test split you evaluate on",
    )
    train.add_argument("--output", required=True, help="vectors file: .bin, .txt or .vec (+.gz)")
    train.add_argument(
        "--format",
        choices=WORD2VEC_FORMATS,
        help="output format (default: from the file name)",
    )
    defaults = Word2VecConfig()
    algorithm = train.add_mutually_exclusive_group()
    algorithm.add_argument(
        "--sg", dest="skip_gram", action="store_true", default=True, help="skip-gram (default)"
    )
    algorithm.add_argument("--cbow", dest="skip_gram", action="store_false", help="CBOW")
    for flag, kind, text in (
        ("--dim", int, "vector dimension"),
        ("--window", int, "context window"),
        ("--min-count", int, "ignore words seen fewer times"),
        ("--negative", int, "negative samples"),
        ("--epochs", int, "passes over the corpus"),
        ("--threads", int, "worker threads, 0 = all cores"),
        ("--sample", float, "down-sampling threshold of frequent words"),
        ("--seed", int, "random seed"),
    ):
        default = getattr(defaults, flag[2:].replace("-", "_"))
        train.add_argument(flag, type=kind, default=default, help=f"{text} ({default})")
    train.add_argument("--limit", type=int, default=0, help="use a random sample of N texts")
    train.add_argument("--config", help="config whose [text] settings tokenize (default: word)")
    train.add_argument("--report", help="also write the training summary as JSON to this file")
    train.add_argument(
        "--summary", choices=SUMMARY_FORMATS, default="table", help="summary on stdout (table)"
    )
    add_data_options(train)

    neighbors = sub.add_parser("neighbors", help="nearest words by cosine similarity")
    neighbors.add_argument("word")
    _add_query_options(neighbors)

    analogy = sub.add_parser("analogy", help="a is to b as c is to ?  (b - a + c)")
    for name in ("a", "b", "c"):
        analogy.add_argument(name)
    _add_query_options(analogy)

    coverage = sub.add_parser("coverage", help="share of a data set's tokens with a vector")
    coverage.add_argument("--data", required=True, help="data source")
    coverage.add_argument(
        "--split", action="append", default=None, help="splits to read (default train)"
    )
    coverage.add_argument("--vectors", default=EMBEDDED_VECTORS, help="glove-6b-50d or a file")
    coverage.add_argument("--config", help="config whose [text] settings tokenize")
    coverage.add_argument("--limit", type=int, default=0, help="use a random sample of N texts")
    coverage.add_argument("--top", type=int, default=_TOP_MISSING, help="uncovered words shown")
    coverage.add_argument("--format", choices=SUMMARY_FORMATS, default="table")
    add_data_options(coverage)


def _add_query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vectors", default=EMBEDDED_VECTORS, help="glove-6b-50d (default) or a vectors file"
    )
    parser.add_argument("-k", type=int, default=10, help="how many words (10)")
    parser.add_argument("--format", choices=SUMMARY_FORMATS, default="table")


def run_vectors_command(args: argparse.Namespace) -> None:
    """Dispatch ``vectors <sub-command>``."""
    handlers = {
        "train": _train,
        "neighbors": _neighbors,
        "analogy": _analogy,
        "coverage": _coverage,
    }
    handlers[args.vectors_command](args)


def _text_config(path: str | None) -> Any:
    from lstm_sentiment.config import RunConfig

    return (RunConfig.from_file(path) if path else RunConfig()).text


def _console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, soft_wrap=False)


def _table(title: str, columns: list[tuple[str, str]]) -> Table:
    """A rich table with ``(header, justify)`` columns (rich is imported only for output)."""
    from rich.table import Table

    table = Table(title=title)
    for header, justify in columns:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    return table


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _train(args: argparse.Namespace) -> None:
    import time

    from lstm_sentiment.io_utils import write_json
    from lstm_sentiment.vectors.corpus import corpus_texts, parse_splits, word_tokenizer
    from lstm_sentiment.vectors.train import (
        Word2VecConfig,
        resolve_format,
        save_word2vec,
        tokenize_corpus,
        train_word2vec,
    )

    fmt = resolve_format(args.output, args.format)  # fail before the long work
    settings = Word2VecConfig(
        dim=args.dim,
        window=args.window,
        min_count=args.min_count,
        negative=args.negative,
        epochs=args.epochs,
        skip_gram=args.skip_gram,
        sample=args.sample,
        threads=args.threads,
        seed=args.seed,
    )
    tokenizer = word_tokenizer(_text_config(args.config))
    splits = parse_splits(args.split or ["train"])
    started = time.perf_counter()
    texts = corpus_texts(args.data, splits, data_config(args), limit=args.limit, seed=args.seed)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sentences = tokenize_corpus(texts, tokenizer)
    del texts
    tokenize_seconds = time.perf_counter() - started
    result = train_word2vec(
        sentences, settings, name=Path(args.output).name, tokenize_seconds=tokenize_seconds
    )
    started = time.perf_counter()
    save_word2vec(result.vectors, args.output, fmt)
    summary = {
        "output": str(args.output),
        "format": fmt,
        "source": str(args.data),
        "splits": splits,
        "tokenizer": tokenizer.to_dict(),
        **result.to_dict(),
        "read_seconds": read_seconds,
        "write_seconds": time.perf_counter() - started,
    }
    if args.report:
        write_json(args.report, summary)
    if args.summary == "json":
        _print_json(summary)
        return
    table = _table(f"word2vec vectors: {args.output}", [("", "left"), ("value", "right")])
    algorithm = "skip-gram" if settings.skip_gram else "CBOW"
    rows = [
        ("texts", f"{result.texts:,} ({', '.join(splits)})"),
        ("tokens", f"{result.tokens:,}"),
        ("vocabulary", f"{result.vocabulary_size:,} words (min count {settings.min_count})"),
        ("model", f"{algorithm}, {settings.dim}-d, window {settings.window}"),
        ("epochs", f"{settings.epochs} ({settings.workers} threads)"),
        ("reading", f"{read_seconds:.1f} s"),
        ("tokenizing", f"{tokenize_seconds:.1f} s"),
        ("training", f"{result.train_seconds:.1f} s"),
        ("format", fmt),
    ]
    for name, value in rows:
        table.add_row(name, value)
    _console().print(table)


def _index(spec: str) -> Any:
    from lstm_sentiment.vectors import NeighborIndex, load_vectors

    return NeighborIndex(load_vectors(spec))


def _print_neighbors(title: str, neighbors: list[Any]) -> None:
    table = _table(title, [("#", "right"), ("word", "left"), ("cosine", "right")])
    for rank, neighbor in enumerate(neighbors, start=1):
        table.add_row(str(rank), neighbor.word, f"{neighbor.similarity:.4f}")
    _console().print(table)


def _neighbors(args: argparse.Namespace) -> None:
    index = _index(args.vectors)
    word = index.resolve(args.word)
    found = index.neighbors(word, args.k)
    if args.format == "json":
        _print_json(
            {
                "vectors": index.vectors.name,
                "word": word,
                "neighbors": [{"word": n.word, "similarity": n.similarity} for n in found],
            }
        )
    else:
        _print_neighbors(f"nearest to {word!r} in {index.vectors.name}", found)


def _analogy(args: argparse.Namespace) -> None:
    index = _index(args.vectors)
    a, b, c = (index.resolve(w) for w in (args.a, args.b, args.c))
    found = index.analogy(a, b, c, args.k)
    if args.format == "json":
        _print_json(
            {
                "vectors": index.vectors.name,
                "query": {"a": a, "b": b, "c": c},
                "answers": [{"word": n.word, "similarity": n.similarity} for n in found],
            }
        )
    else:
        _print_neighbors(f"{a} : {b} = {c} : ?  ({index.vectors.name})", found)


def _coverage(args: argparse.Namespace) -> None:
    from lstm_sentiment.vectors import load_vectors, lookup_words, measure_coverage
    from lstm_sentiment.vectors.corpus import (
        corpus_texts,
        count_tokens,
        parse_splits,
        word_tokenizer,
    )

    tokenizer = word_tokenizer(_text_config(args.config))
    splits = parse_splits(args.split or ["train"])
    texts = corpus_texts(args.data, splits, data_config(args), limit=args.limit)
    counts = count_tokens(texts, tokenizer)
    vectors = load_vectors(args.vectors, restrict_to=lookup_words(counts))
    coverage, missing = measure_coverage(counts, vectors)
    top = missing[: max(args.top, 0)]
    if args.format == "json":
        _print_json(
            {
                "vectors": vectors.name,
                "source": str(args.data),
                "splits": splits,
                "texts": len(texts),
                "tokens_total": coverage.tokens_total,
                "tokens_covered": coverage.tokens_covered,
                "token_share": coverage.token_share,
                "types_total": coverage.types_total,
                "types_covered": coverage.types_covered,
                "type_share": coverage.type_share,
                "top_missing": [{"word": w, "count": n} for w, n in top],
            }
        )
        return
    table = _table(
        f"coverage of {args.data} ({', '.join(splits)}) by {vectors.name}",
        [(column, "right") for column in ("", "covered", "total", "share")],
    )
    table.add_row(
        "tokens",
        f"{coverage.tokens_covered:,}",
        f"{coverage.tokens_total:,}",
        f"{coverage.token_share:.1%}",
    )
    table.add_row(
        "types",
        f"{coverage.types_covered:,}",
        f"{coverage.types_total:,}",
        f"{coverage.type_share:.1%}",
    )
    console = _console()
    console.print(table)
    if top:
        console.print(
            "most frequent words without a vector: "
            + ", ".join(f"{word} ({count:,})" for word, count in top)
        )
