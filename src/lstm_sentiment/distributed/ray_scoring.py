"""Batch scoring on Ray Data: a pool of actors, each holding the model once, labels every row of
a dataset; the rows keep their other columns (ids), in order.

    import ray
    from lstm_sentiment.distributed import score_dataset

    scored = score_dataset(ray.data.read_parquet("reviews/"), "runs/x/model")
    scored.write_parquet("scored/")

``lstm-sentiment predict --engine ray --input 'reviews/*.parquet' --output scored/`` is the same
from the command line (:func:`score_files`). Any model kind scores (neural, NBSVM, ensemble);
the bundle is loaded once in the driver first, so a bad bundle fails before any task starts.
Ray is an optional extra: ``pip install 'lstm-sentiment[distributed]'``.
"""

from __future__ import annotations

import glob
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lstm_sentiment.data.columns import Columns
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.predict import SentimentModel

if TYPE_CHECKING:
    import ray.data

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'lstm-sentiment[distributed]' (or pip install 'ray[data]==2.60.0')"
ROWS_PER_BATCH = 1024
"""Rows an actor scores per call (the model batches them again by length)."""
READERS = {".parquet": "parquet", ".csv": "csv", ".tsv": "tsv", ".jsonl": "json", ".json": "json"}
"""Input suffixes ``score_files`` reads, and how."""
LABEL, PROBABILITY = "label", "probability"


def require_ray() -> Any:
    """The ``ray`` module, or a one-line error saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError:
        message = f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}"
        raise ConfigError(message) from None
    return ray


def load_for_scoring(
    path: str | Path | None, runtime: str | None = None, threads: int | None = None
) -> SentimentModel:
    """``SentimentModel.load(path)`` on ``runtime`` (default: the bundle's own choice) with
    ``threads`` CPU threads, the runtime's own (onnxruntime's intra-op pool or torch's)."""
    return SentimentModel.load(path, runtime or "auto", threads=threads)


def output_columns(labels: list[str], prefix: str = "") -> list[str]:
    """The columns scoring adds: label, top probability, one probability per class."""
    return [f"{prefix}{LABEL}", f"{prefix}{PROBABILITY}", *(f"{prefix}p_{lb}" for lb in labels)]


class Predictor:
    """Ray Data's stateful callable: the model loaded once per actor, then batches scored.

    Rows whose text is missing or blank get no label (null) and NaN probabilities rather than
    failing the whole job.
    """

    def __init__(
        self,
        model: str | Path | SentimentModel | None,
        text_column: str,
        prefix: str = "",
        runtime: str | None = None,
        threads: int = 1,
    ) -> None:
        # Each actor's runtime gets its share of the cores: actors × threads never
        # oversubscribe them (two runtimes that each use every core run several times slower).
        threads = max(1, threads)
        if isinstance(model, SentimentModel):
            loaded = model
        else:
            loaded = load_for_scoring(model, runtime, threads)
        self.model = loaded
        self.text_column = text_column
        self.columns = output_columns(self.model.labels, prefix)

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        texts = batch[self.text_column]
        usable = np.array([isinstance(t, str) and bool(t.strip()) for t in texts], dtype=bool)
        labels = np.array(self.model.labels, dtype=object)
        probabilities = np.full((len(batch), len(labels)), np.nan, dtype=np.float64)
        top = np.full(len(batch), None, dtype=object)
        if usable.any():
            scored = self.model.predict_proba([texts.iloc[i] for i in np.flatnonzero(usable)])
            probabilities[usable] = scored
            top[usable] = labels[scored.argmax(axis=1)]
        out = batch.copy()
        out[self.columns[0]] = top
        out[self.columns[1]] = np.nanmax(probabilities, axis=1, initial=-np.inf)
        out.loc[~usable, self.columns[1]] = np.nan
        for i, column in enumerate(self.columns[2:]):
            out[column] = probabilities[:, i]
        return out


def score_dataset(
    dataset: ray.data.Dataset,
    model: str | Path | SentimentModel | None,
    *,
    text_column: str | None = None,
    actors: int | None = None,
    threads_per_actor: int = 1,
    batch_size: int = ROWS_PER_BATCH,
    column_prefix: str = "",
    runtime: str | None = None,
) -> ray.data.Dataset:
    """``dataset`` with label and probability columns added by a pool of model actors.

    Args:
        dataset: Rows with a text column; every other column is kept as it is.
        model: A bundle folder (``None``: the shipped model) or a loaded :class:`SentimentModel`.
        text_column: The text column; detected by name (``text``, ``review``, ...) if omitted.
        actors: Actors in the pool (default: the cluster's CPUs but one, which stays free for
            reading and writing tasks, / ``threads_per_actor``).
        threads_per_actor: CPUs (torch threads) each actor reserves.
        batch_size: Rows per call of an actor.
        column_prefix: Put before the added columns' names (e.g. ``pred_``) when the input
            already has a ``label`` or ``probability`` column.
        runtime: Prediction runtime, where :meth:`SentimentModel.load` offers several.

    The row order is preserved (the returned dataset's ``context.execution_options.preserve_order``
    is set). The
    model is loaded here first: a bad bundle fails before any task starts. The actors hold
    ``actors × threads_per_actor`` CPUs for the whole run: when that is every CPU of the
    cluster, read and write tasks get none and wait forever: leave a CPU free (the default).
    """
    ray = require_ray()
    loaded = model if isinstance(model, SentimentModel) else load_for_scoring(model, runtime)
    names = list(dataset.schema().names)
    column = Columns.resolve(names, text_column, None, Path("the dataset")).text
    added = output_columns(loaded.labels, column_prefix)
    clashes = [name for name in added if name in names]
    if clashes:
        raise DataError(
            f"the input already has column(s) {', '.join(clashes)}: pass a column prefix "
            "(--column-prefix pred_) so the predictions do not replace them"
        )
    if actors is None:
        cpus = ray.cluster_resources().get("CPU", 2) if ray.is_initialized() else 2
        actors = max(1, int((cpus - 1) // max(1, threads_per_actor)))
    shipped: Any = loaded  # a loaded model is pickled to each actor; a path is read by each
    if isinstance(model, (str, Path)):
        shipped = str(Path(model).resolve())  # actors may run in another working folder
    elif model is None:
        shipped = None
    scored = dataset.map_batches(
        Predictor,
        fn_constructor_kwargs={
            "model": shipped,
            "text_column": column,
            "prefix": column_prefix,
            "runtime": runtime,
            "threads": threads_per_actor,
        },
        batch_size=batch_size,
        batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=threads_per_actor,
    )
    # A dataset runs with the context it was made with: keep the row order in this one's.
    scored.context.execution_options.preserve_order = True
    return scored


def expand_inputs(pattern: str) -> list[Path]:
    """Files of a file, a folder (its readable files) or a glob, sorted."""
    path = Path(pattern).expanduser()
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and _reader(p))
    elif path.is_file():
        found = [path]
    else:
        found = sorted(Path(p) for p in glob.glob(os.path.expanduser(pattern), recursive=True))
        found = [p for p in found if p.is_file()]
    if not found:
        raise DataError(f"no input files match {pattern!r}")
    unreadable = [p.name for p in found if not _reader(p)]
    if unreadable:
        raise DataError(
            f"cannot score {', '.join(unreadable[:3])}: --engine ray reads "
            f"{', '.join(READERS)} files"
        )
    return found


def _reader(path: Path) -> str | None:
    return READERS.get(path.suffix.lower())


def read_inputs(files: list[Path]) -> ray.data.Dataset:
    """One dataset over the files, in file order (formats may be mixed)."""
    ray = require_ray()
    datasets = []
    groups: dict[str, list[str]] = {}
    for file in files:  # consecutive files of one format are read together
        kind = str(_reader(file))
        if groups and kind not in groups:
            datasets.append(_read(ray, *groups.popitem()))
        groups.setdefault(kind, []).append(str(file))
    datasets.extend(_read(ray, kind, paths) for kind, paths in groups.items())
    return datasets[0] if len(datasets) == 1 else datasets[0].union(*datasets[1:])


def _read(ray: Any, kind: str, paths: list[str]) -> ray.data.Dataset:
    if kind == "parquet":
        return ray.data.read_parquet(paths)
    if kind == "json":
        return ray.data.read_json(paths, lines=True)
    if kind == "tsv":
        import pyarrow.csv

        tab = pyarrow.csv.ParseOptions(delimiter="\t")
        return ray.data.read_csv(paths, parse_options=tab)
    return ray.data.read_csv(paths)


def score_files(
    pattern: str,
    output: str | Path,
    model_path: str | Path | None,
    *,
    text_column: str | None = None,
    address: str | None = None,
    cpus: int | None = None,
    column_prefix: str = "",
    progress: bool = True,
) -> dict[str, Any]:
    """Score CSV/TSV/JSONL/Parquet files into Parquet partitions in ``output``.

    Joins the Ray cluster at ``address``, or starts a local Ray with ``cpus`` CPUs (default:
    this machine's) and stops it at the end. Returns rows, files, seconds (Ray's start-up
    included) and Ray's start-up seconds.
    """
    import time

    ray = require_ray()
    load_for_scoring(model_path)  # a bad bundle fails here, before Ray starts
    files = expand_inputs(pattern)
    out = Path(output)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(f"--output {out} exists and is not an empty folder: choose another")
    started = time.perf_counter()
    if address:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    else:
        cpus = cpus or os.cpu_count() or 1
        # One logical CPU more than the actors use: reading and writing tasks need a CPU
        # slot, and actors holding every slot would leave them waiting forever.
        ray.init(num_cpus=cpus + 1, include_dashboard=False, logging_level=logging.WARNING)
    ready = time.perf_counter()
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = progress
        if not progress:  # -q: Ray Data's own progress lines too
            logging.getLogger("ray.data").setLevel(logging.WARNING)
        context.execution_options.preserve_order = True  # the files' rows, in file order
        actors = max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
        dataset = read_inputs(files).materialize()
        # Blocks of about one actor call each, so every actor gets work (order kept).
        dataset = dataset.repartition(max(actors, -(-dataset.count() // ROWS_PER_BATCH)))
        scored = score_dataset(
            dataset,
            model_path,  # each actor loads the bundle itself (None: the shipped model)
            text_column=text_column,
            column_prefix=column_prefix,
            actors=actors,
        )
        scored.write_parquet(str(out.resolve()))
    finally:
        ray.shutdown()
    import pyarrow.parquet

    written = sorted(out.glob("*.parquet"))
    rows = sum(pyarrow.parquet.ParquetFile(f).metadata.num_rows for f in written)
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "files": len(written),
        "seconds": seconds,
        "startup_seconds": ready - started,
        "output": str(out),
    }
