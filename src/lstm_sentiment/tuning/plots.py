"""PNG plots of a study with ``optuna.visualization.matplotlib``.

Optimisation history (score per trial and best so far), parameter importances (fANOVA) and
parallel coordinates. A plot that the study cannot support yet (e.g. importances before two
completed trials) is skipped with a note in the log.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import optuna
from optuna.importance import FanovaImportanceEvaluator
from optuna.trial import TrialState

from lstm_sentiment.io_utils import atomic_write

logger = logging.getLogger(__name__)

PLOT_DPI = 110
IMPORTANCE_SEED = 0
"""fANOVA fits a random forest: seeded so the importances plot is reproducible."""


def _save(axes: Any, path: Path) -> None:
    figure = axes.figure if hasattr(axes, "figure") else axes.flat[0].figure
    atomic_write(
        path, lambda tmp: figure.savefig(tmp, format="png", dpi=PLOT_DPI, bbox_inches="tight")
    )
    plt.close(figure)


def _plots(target_name: str) -> dict[str, Callable[[optuna.Study], Any]]:
    from optuna.visualization import matplotlib as vis

    return {
        "optimization_history": lambda s: vis.plot_optimization_history(s, target_name=target_name),
        "param_importances": lambda s: vis.plot_param_importances(
            s,
            evaluator=FanovaImportanceEvaluator(seed=IMPORTANCE_SEED),
            target_name=target_name,
        ),
        "parallel_coordinate": lambda s: vis.plot_parallel_coordinate(s, target_name=target_name),
    }


def plot_study(study: optuna.Study, folder: Path, target_name: str = "score") -> dict[str, Path]:
    """Write the study's plots to ``folder``; returns name → PNG path of those written."""
    completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not completed:
        return {}
    written: dict[str, Path] = {}
    for name, draw in _plots(target_name).items():
        if name == "param_importances" and len(completed) < 2:
            logger.info("skipped the parameter importances: fewer than two completed trials")
            continue
        path = folder / f"{name}.png"
        # Optuna's plots switch the global style to ggplot: keep that inside this block.
        with warnings.catch_warnings(), matplotlib.rc_context():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            # A parameter with one value so far gives matplotlib a flat axis: harmless.
            warnings.filterwarnings("ignore", "Attempting to set identical", UserWarning)
            try:
                axes = draw(study)
            except (ValueError, RuntimeError) as exc:  # e.g. no parameter varied yet
                logger.info("skipped the %s plot: %s", name.replace("_", " "), exc)
                plt.close("all")
                continue
            _save(axes, path)
        written[name] = path
    return written
