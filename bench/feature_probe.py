"""How much sentiment a model's fixed per-token features carry on their own (a script, not a
test): each text's features of one layer, mean- and max-pooled over its tokens, feed a logistic
regression fitted on a sample of IMDB training reviews and scored on the validation split (the
split every IMDB recipe carves; test is never read). A linear probe: pretrained features that
probe near the word vectors add little the classifier could not learn itself.

    python bench/feature_probe.py --data ../shared/data/aclImdb.tar.gz \
        --probe regions=bench/work/imdb_semisup/region_r256e5/model:region \
        --probe words=bench/work/imdb_semisup/region_r256e5/model:embedding

``NAME=BUNDLE:LAYER``: a neural bundle and the attribute of its network that maps ids to
per-token features (``embedding``, ``region``, ``lstm_region``, ``lexicon``). Writes
``bench/results/feature_probe.json``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import benchlib

NAME = "feature_probe"
CONFIG = benchlib.ROOT / "configs" / "imdb_semisup.toml"
SPLIT_SEED = 13
"""The validation split of every IMDB recipe."""
BATCH = 64
C_VALUES = (0.01, 0.1, 1.0, 10.0)
"""Inverse regularisation strengths tried; the best on validation is reported beside all."""


def pooled_features(bundle: Any, layer: str, texts: list[str]) -> np.ndarray:
    """``[texts, 2 × width]``: each text's per-token features of ``layer``, mean and max."""
    import torch

    network, encoder = bundle.model.eval(), bundle.encoder
    rows = []
    with torch.no_grad():
        for start in range(0, len(texts), BATCH):
            encoded = encoder.encode_many(texts[start : start + BATCH])
            lengths = torch.tensor([max(1, len(ids)) for ids in encoded])
            ids = torch.zeros((len(encoded), int(lengths.max())), dtype=torch.long)
            for row, values in enumerate(encoded):
                ids[row, : len(values)] = torch.from_numpy(values)
            features = getattr(network, layer)(ids)
            inside = (torch.arange(ids.size(1))[None] < lengths[:, None]).unsqueeze(-1)
            mean = (features * inside).sum(1) / lengths[:, None]
            peak = features.masked_fill(~inside, float("-inf")).max(1).values
            rows.append(torch.cat([mean, peak], dim=-1).numpy())
    return np.concatenate(rows)


def probe(
    path: str, layer: str, fit: tuple[list[str], list[str]], held: tuple[list[str], list[str]]
) -> dict[str, Any]:
    """Validation accuracy of a logistic regression on ``layer``'s pooled features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from lstm_sentiment.predict import SentimentModel

    started = time.perf_counter()
    bundle = SentimentModel.load(path, runtime="torch").scorer
    train_x = pooled_features(bundle, layer, fit[0])
    held_x = pooled_features(bundle, layer, held[0])
    scaler = StandardScaler().fit(train_x)
    accuracy = {}
    for c in C_VALUES:
        classifier = LogisticRegression(C=c, max_iter=2000).fit(scaler.transform(train_x), fit[1])
        accuracy[str(c)] = round(float(classifier.score(scaler.transform(held_x), held[1])), 4)
    return {
        "bundle": path,
        "layer": layer,
        "width": int(train_x.shape[1] // 2),
        "validation_accuracy_by_C": accuracy,
        "validation_accuracy": max(accuracy.values()),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument(
        "--probe", action="append", required=True, metavar="NAME=BUNDLE:LAYER", default=[]
    )
    parser.add_argument("--train-sample", type=int, default=6000, help="training reviews fitted")
    args = parser.parse_args()
    probes = {}
    for item in args.probe:
        name, _, target = item.partition("=")
        path, _, layer = target.rpartition(":")
        if not (name and path and layer):
            parser.error(f"{item!r} is not NAME=BUNDLE:LAYER, e.g. words=runs/m/model:embedding")
        probes[name] = (path, layer)

    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.preparation import prepare_data

    config = RunConfig.from_file(CONFIG).with_overrides(
        [f"data.source={args.data}", f"data.split_seed={SPLIT_SEED}"]
    )
    data = prepare_data(config)
    picked = np.random.default_rng(0).choice(len(data.fit), args.train_sample, replace=False)
    fit = ([data.fit[i].text for i in picked], [data.fit[i].label for i in picked])
    held = ([e.text for e in data.validation], [e.label for e in data.validation])
    result = benchlib.header(NAME)
    result["train_sample"], result["validation"] = args.train_sample, len(held[0])
    result["probes"] = {}
    for name, (path, layer) in probes.items():
        result["probes"][name] = probe(path, layer, fit, held)
        print(name, result["probes"][name]["validation_accuracy"], flush=True)
        benchlib.write_results(NAME, result)


if __name__ == "__main__":
    main()
