"""``lstm-sentiment tune``: hyperparameter search over a search-space file (Optuna).

    tune --data SOURCE [--config BASE] --space FILE --output DIR [--sampler tpe|random|grid|gp]
         [--trials N] [--timeout S] [--pruner median|hyperband|none]
         [--metric accuracy|macro_f1|log_loss] [--storage URL] [--study-name NAME]
         [--workers N] [--seed N]

Running the same command again resumes the study. The trials table is printed with rich; the
best configuration is written to ``DIR/best_config.toml`` for ``train --config``.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from lstm_sentiment.cli.options import add_config_options, add_data_options, run_config

if TYPE_CHECKING:
    from lstm_sentiment.tuning import TuneResult

TABLE_ROWS = 25
"""Best trials shown on the terminal (all of them are in trials.csv)."""


def add_tune_command(commands: argparse._SubParsersAction) -> None:
    """Add ``tune`` to the top-level command parsers."""
    from lstm_sentiment.tuning.settings import (
        DEFAULT_STUDY_NAME,
        DEFAULT_TRIALS,
        GRACE_SECONDS,
        KEEP_BUNDLES,
        METRICS,
        PRUNERS,
        SAMPLERS,
        TuneSettings,
    )

    defaults = TuneSettings()
    tune = commands.add_parser(
        "tune",
        help="search hyperparameters (TPE, random, grid, GP); resumable and parallel",
        description="Run the same command again to resume a study: trials left running by a "
        "killed process are queued again (on other machines after "
        f"{GRACE_SECONDS} s without a heartbeat).",
    )
    tune.add_argument("--data", help="folder, .tar.gz, .csv, .tsv, .jsonl, or a dataset name")
    add_config_options(tune, "base TOML/JSON config every trial starts from")
    tune.add_argument(
        "--space", required=True, help="search space: TOML/JSON of dotted config keys"
    )
    tune.add_argument("--output", required=True, help="folder for the study, trials and plots")
    tune.add_argument("--sampler", choices=SAMPLERS, default=defaults.sampler, help="(tpe)")
    tune.add_argument(
        "--trials",
        type=int,
        default=None,
        help=f"trials the study should finish (default: the grid's size, else {DEFAULT_TRIALS})",
    )
    tune.add_argument(
        "--timeout", type=float, default=None, help="start no new trial after S seconds"
    )
    tune.add_argument(
        "--pruner",
        choices=PRUNERS,
        default=None,
        help="stop unpromising trials from their per-epoch validation scores (default median; "
        "none with --sampler grid)",
    )
    tune.add_argument(
        "--metric",
        choices=tuple(METRICS),
        default=defaults.metric,
        help="validation score to optimise (accuracy)",
    )
    tune.add_argument(
        "--storage",
        help="SQLAlchemy URL of the study, e.g. postgresql://user:pass@host/db for several "
        "machines, or journal:PATH for Optuna's journal file (default sqlite:///OUTPUT/study.db)",
    )
    tune.add_argument("--study-name", default=DEFAULT_STUDY_NAME, help="(%(default)s)")
    tune.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="parallel trial processes sharing the study, each with cores/N threads (1)",
    )
    tune.add_argument("--seed", type=int, default=defaults.seed, help="sampler seed (0)")
    tune.add_argument(
        "--startup-trials",
        type=int,
        default=defaults.startup_trials,
        help="random trials before TPE/GP model the scores and the median pruner acts (5)",
    )
    tune.add_argument(
        "--keep-bundles",
        choices=KEEP_BUNDLES,
        default=defaults.keep_bundles,
        help="keep the model bundle of the best trial only (default) or of all trials",
    )
    add_data_options(tune)
    tune.set_defaults(handler=run_tune_command)


def run_tune_command(args: argparse.Namespace) -> None:
    """``tune``: run or resume the study, then print the trials table."""
    import optuna

    from lstm_sentiment.tuning import TuneSettings, load_search_space, tune

    base = run_config(args)
    space = load_search_space(args.space, base)
    settings = TuneSettings(
        sampler=args.sampler,
        trials=args.trials,
        timeout=args.timeout,
        pruner=args.pruner,
        metric=args.metric,
        storage=args.storage,
        study_name=args.study_name,
        workers=args.workers,
        seed=args.seed,
        startup_trials=args.startup_trials,
        keep_bundles=args.keep_bundles,
    )
    level = logging.getLogger().getEffectiveLevel()
    optuna.logging.set_verbosity(level)
    result = tune(base, space, args.output, settings, log_level=level)
    print_tune_result(result)


def print_tune_result(result: TuneResult) -> None:
    """Best trials first, then where the best configuration and plots are."""
    from rich.console import Console
    from rich.table import Table

    from lstm_sentiment.reporting import WIDE_OUTPUT

    table = result.table
    metric = result.settings.metric
    finished = table[table["value"].notna()] if len(table) else table
    # Completed trials first (pruned ones carry their last epoch's score), best first.
    order = finished.assign(_pruned=finished["state"] != "complete")
    ascending = metric == "log_loss"
    shown = order.sort_values(["_pruned", "value"], ascending=[True, ascending]).head(TABLE_ROWS)
    params = [c for c in table.columns if "." in c]
    title = f"Study {result.settings.study_name!r}: {len(table)} trials, best first"
    rich_table = Table(title=title, caption=f"all trials: {result.files['trials_csv']}")
    # Parameter columns by their key alone (``lr`` for ``train.lr``) when that is unambiguous.
    keys = [name.split(".", 1)[1] for name in params]
    headers = [
        key if keys.count(key) == 1 else name for key, name in zip(keys, params, strict=True)
    ]
    for column in ("trial", "state", f"val {metric}", *headers, "epochs", "note"):
        left = column in ("state", "note")
        rich_table.add_column(column, justify="left" if left else "right", no_wrap=not left)
    for row in shown.to_dict(orient="records"):
        epochs = row.get("epochs_run")
        rich_table.add_row(
            str(row["trial"]),
            row["state"],
            f"{row['value']:.4f}",
            *(_format(row[name]) for name in params),
            "" if epochs is None or epochs != epochs else str(int(epochs)),
            row["note"] or "",
        )
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console.width = max(console.width, WIDE_OUTPUT)  # files and pipes: never truncate
    console.print(rich_table)
    counts = table["state"].value_counts().to_dict() if len(table) else {}
    console.print(", ".join(f"{n} {state}" for state, n in counts.items()) or "no trials")
    if result.best is None:
        console.print("no trial completed yet: no best configuration")
        return
    console.print(
        f"best: trial {result.best['trial']} (validation {metric} {result.best['value']:.4f}); "
        f"config {result.best['config']}"
    )
    if result.best["model_dir"]:
        console.print(f"best model: {result.best['model_dir']}")
    plots = [str(path) for name, path in result.files.items() if str(path).endswith(".png")]
    if plots:
        console.print("plots: " + ", ".join(plots))


def _format(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
