"""Why integrated gradients' completeness gap is large on some reviews (part of
``bench/explain.py``).

Integrated gradients sums gradients at ``steps`` points of the straight path from the padding
embeddings (α = 0) to the text's token features (α = 1). The sum equals the change of the output
only if the output is smooth on the scale of one step. This module evaluates the explained
output (the predicted class's centred, calibrated logit, the scale of the scores) on a fine
uniform grid of the same path (forward passes only) and reports how rough it is: its total
variation against its net change, the grid intervals where it changes by more than
:data:`STEEP_CHANGE` (a slope of at least ``STEEP_CHANGE × grid`` per unit of α), where on the
path they lie, and the completeness gaps of the same texts at each number of steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GRID = 2048
"""Intervals of the fine grid along the path."""
STEEP_CHANGE = 0.05
"""A change of the output within one grid interval that counts as a steep transition."""
ROWS_PER_PASS = 256
"""Path points scored together (bounds memory on long reviews)."""
DECILES = 10


def _torch_bundle(model: Any) -> Any:
    bundle = model.bundle
    return bundle.torch_bundle() if hasattr(bundle, "torch_bundle") else bundle


def path_values(model: Any, text: str, grid: int = GRID) -> np.ndarray:
    """The predicted class's centred calibrated logit at ``grid + 1`` evenly spaced points of
    the integration path of ``text`` (the NB n-gram path, constant along it, left out)."""
    import torch

    from lstm_sentiment.explain.offsets import locate_tokens
    from lstm_sentiment.text.encode import truncate

    bundle = _torch_bundle(model)
    network, encoder = bundle.model, bundle.encoder
    network.eval()
    tokens = locate_tokens(encoder.tokenizer, text)
    ids = encoder.lookup([token.text for token in tokens], text)
    ids = list(truncate(ids, encoder.max_length, encoder.truncation)) or [encoder.vocab.unk_id]
    inputs, length = torch.tensor([ids]), torch.tensor([len(ids)])
    alphas = torch.linspace(0.0, 1.0, grid + 1)
    values = []
    with torch.no_grad():
        features = network.embed(inputs)
        reference = network.embed(torch.full_like(inputs, encoder.vocab.pad_id))
        column = int(network(inputs, length)[0].argmax())
        for chunk in alphas.split(ROWS_PER_PASS):
            points = reference + chunk.view(-1, 1, 1) * (features - reference)
            rows = len(chunk)
            logits = network.classify(points, length.expand(rows), inputs.expand(rows, -1))
            values.append((logits[:, column] - logits.mean(dim=1)).double())
    return torch.cat(values).numpy() / float(bundle.temperature)


def roughness(model: Any, texts: list[str], steps: list[int], grid: int = GRID) -> dict:
    """Roughness of each text's path and its completeness gaps at each of ``steps``."""
    from scipy.stats import spearmanr

    variation, net, steep_counts, positions = [], [], [], []
    gaps: dict[int, list[float]] = {count: [] for count in steps}
    for text in texts:
        values = path_values(model, text, grid)
        changes = np.abs(np.diff(values))
        variation.append(float(changes.sum()))
        net.append(float(abs(values[-1] - values[0])))
        steep = np.flatnonzero(changes > STEEP_CHANGE)
        steep_counts.append(len(steep))
        positions.extend(((steep + 0.5) / grid).tolist())
        for count in steps:
            gaps[count].append(float(model.explain([text], steps=count)[0].completeness_gap))
    counts = np.asarray(steep_counts)
    smooth, rough = counts == 0, counts > 0
    first = gaps[steps[0]]
    histogram = np.histogram(positions, bins=DECILES, range=(0.0, 1.0))[0] if positions else []
    return {
        "texts": len(texts),
        "grid": grid,
        "steep_change": STEEP_CHANGE,
        "total_variation_median": float(np.median(variation)),
        "net_change_median": float(np.median(net)),
        "variation_over_net_median": float(
            np.median(np.asarray(variation) / np.maximum(net, 1e-6))
        ),
        "texts_with_steep_steps": int(rough.sum()),
        "steep_steps_median": float(np.median(counts)),
        "steep_steps_max": int(counts.max()),
        "steep_positions_quantiles": {
            name: float(np.quantile(positions, q))
            for name, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))
        }
        if positions
        else {},
        "steep_positions_by_tenth_of_path": [int(n) for n in histogram],
        "gap_median_by_steps": {str(count): float(np.median(gaps[count])) for count in steps},
        "gap_p90_by_steps": {str(count): float(np.percentile(gaps[count], 90)) for count in steps},
        f"gap_median_{steps[0]}_steps_without_steep": float(np.median(np.asarray(first)[smooth]))
        if smooth.any()
        else None,
        f"gap_median_{steps[0]}_steps_with_steep": float(np.median(np.asarray(first)[rough]))
        if rough.any()
        else None,
        "spearman_steep_steps_vs_gap": float(spearmanr(counts, first).statistic)
        if len(set(steep_counts)) > 1
        else None,
    }


def readme_lines(path: dict) -> list[str]:
    """The README paragraph on the path's roughness."""
    steps = list(path["gap_median_by_steps"])
    gaps = ", ".join(
        f"{count} steps {path['gap_median_by_steps'][count]:.3g} (p90 "
        f"{path['gap_p90_by_steps'][count]:.3g})"
        for count in steps
    )
    smooth = path[f"gap_median_{steps[0]}_steps_without_steep"]
    rough = path[f"gap_median_{steps[0]}_steps_with_steep"]
    where = path["steep_positions_quantiles"]
    return [
        f"Why the gap on reviews: on {path['texts']} of the reviews, the explained output "
        f"along the integration path (a {path['grid']}-interval grid) varies "
        f"{path['variation_over_net_median']:.1f}× more than it changes (median); "
        f"{path['texts_with_steep_steps']} reviews have steep transitions (> "
        f"{path['steep_change']:g} logits within 1/{path['grid']} of the path"
        + (f"; median α {where['median']:.2f}, p90 {where['p90']:.2f}). " if where else "). ")
        + f"Median gaps: {gaps}; at {steps[0]} steps "
        f"{'n/a' if smooth is None else f'{smooth:.3g}'} without steep transitions, "
        f"{'n/a' if rough is None else f'{rough:.3g}'} with them.",
    ]
