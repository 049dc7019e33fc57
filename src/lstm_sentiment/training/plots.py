"""PNG figures saved next to a run: training curves, confusion matrix, length histogram."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from lstm_sentiment.inference.probabilities import ReliabilityBins
from lstm_sentiment.io_utils import atomic_write
from lstm_sentiment.training.trainer import EpochRecord


def _save(fig: plt.Figure, path: Path) -> None:
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight"))
    plt.close(fig)


def plot_training_curves(history: Sequence[EpochRecord], path: Path) -> None:
    """Loss and accuracy per epoch, train vs validation."""
    epochs = [r.epoch for r in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [r.train_loss for r in history], "o-", label="train")
    ax_loss.plot(epochs, [r.val_loss for r in history], "o-", label="validation")
    ax_loss.set(title="Loss", xlabel="epoch", ylabel="cross-entropy")
    ax_acc.plot(epochs, [r.train_accuracy for r in history], "o-", label="train")
    ax_acc.plot(epochs, [r.val_accuracy for r in history], "o-", label="validation")
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    _save(fig, path)


MAX_ANNOTATED_CLASSES = 12
"""Above this many classes the confusion matrix cells carry no numbers (unreadable)."""
MAX_PLOTTED_CLASSES = 40
"""Above this many classes only the most frequent true classes are plotted (rows and columns)."""
CELL_INCHES = 1.2


def plot_confusion_matrix(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], path: Path, title: str
) -> None:
    """Counts with row-normalised colour; many classes are capped to the most frequent ones
    (the full matrix stays in ``metrics.json``), so the figure keeps a bounded size."""
    counts = np.asarray(matrix)
    names = list(labels)
    if len(names) > MAX_PLOTTED_CLASSES:
        keep = np.sort(np.argsort(-counts.sum(axis=1), kind="stable")[:MAX_PLOTTED_CLASSES])
        counts = counts[np.ix_(keep, keep)]
        names = [names[i] for i in keep]
        title = f"{title}, {MAX_PLOTTED_CLASSES} most frequent of {len(labels)} classes"
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    cell = CELL_INCHES if len(names) <= MAX_ANNOTATED_CLASSES else CELL_INCHES / 4
    fig, ax = plt.subplots(figsize=(cell * len(names) + 3, cell * len(names) + 2))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ticks = range(len(names))
    ax.set(xticks=ticks, yticks=ticks, xticklabels=names, yticklabels=names)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    if len(names) > MAX_ANNOTATED_CLASSES:
        ax.tick_params(axis="x", labelrotation=90)
    else:
        for i in ticks:
            for j in ticks:
                colour = "white" if shares[i, j] > 0.5 else "black"
                text = f"{counts[i, j]}\n{shares[i, j]:.1%}"
                ax.text(j, i, text, ha="center", va="center", color=colour)
    _save(fig, path)


def plot_length_histogram(lengths: Sequence[int], suggested: int, path: Path) -> None:
    """Token counts per text, with the suggested maximum length marked."""
    values = np.asarray(lengths)
    fig, ax = plt.subplots(figsize=(8, 4))
    upper = max(int(np.percentile(values, 99.5)), suggested) + 1
    ax.hist(np.clip(values, 0, upper), bins=60, color="#4c72b0")
    ax.axvline(
        suggested, color="#c44e52", linestyle="--", label=f"suggested max length {suggested}"
    )
    ax.set(xlabel="tokens per text", ylabel="texts", title="Text length")
    ax.legend()
    _save(fig, path)


def plot_comparison_curves(histories: dict[str, Sequence[EpochRecord]], path: Path) -> None:
    """Train and validation accuracy and loss per epoch, one line per model, overlaid."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    panels = [
        (axes[0][0], "train_accuracy", "Train accuracy"),
        (axes[0][1], "val_accuracy", "Validation accuracy"),
        (axes[1][0], "train_loss", "Train loss"),
        (axes[1][1], "val_loss", "Validation loss"),
    ]
    for name, history in histories.items():
        epochs = [r.epoch for r in history]
        for ax, field, _ in panels:
            ax.plot(epochs, [getattr(r, field) for r in history], "o-", label=name)
    for ax, _, title in panels:
        ax.set(title=title, xlabel="epoch")
        ax.grid(alpha=0.3)
    axes[0][1].legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    _save(fig, path)


def plot_reliability_diagram(
    before: ReliabilityBins, after: ReliabilityBins, path: Path, title: str
) -> None:
    """Accuracy against confidence per bin, before and after temperature scaling."""
    fig, (ax, ax_hist) = plt.subplots(
        2, 1, figsize=(6, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    for bins, name, style in ((before, "before", "o-"), (after, "after", "s-")):
        used = bins.counts > 0
        ax.plot(
            bins.confidence[used],
            bins.accuracy[used],
            style,
            label=f"{name} scaling (ECE {bins.ece:.3f})",
        )
    ax.set(ylabel="accuracy", xlim=(0, 1), ylim=(0, 1), title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    centres = (after.edges[:-1] + after.edges[1:]) / 2
    ax_hist.bar(centres, after.counts, width=np.diff(after.edges), color="#4c72b0", alpha=0.7)
    ax_hist.set(xlabel="confidence (top-class probability)", ylabel="predictions")
    _save(fig, path)
