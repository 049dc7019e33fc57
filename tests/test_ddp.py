"""Data-parallel training under torchrun: 2 ranks (gloo, 1 thread each) on the toy corpus.

Two ranks train the model one process trains (dropout off, same global batch), write one run
folder, stop at once when a rank dies or hangs, and resume from rank 0's checkpoint.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from sklearn.metrics import f1_score, log_loss

from lstm_sentiment.config import RunConfig
from lstm_sentiment.distributed.ddp import DataParallel, World, metrics_from_confusion
from lstm_sentiment.pipeline import train
from lstm_sentiment.training.faults import FAULT_ENV

SRC = Path(__file__).resolve().parents[1] / "src"
TIMEOUT = 240
# No dropout: the ranks' own dropout seeds would (rightly) make the runs differ.
DETERMINISTIC = ["model.dropout=0", "model.embedding_dropout=0"]
TRAIN = ["train.epochs=3", "train.patience=0", "train.checkpoint_every=4", *DETERMINISTIC]


def torchrun(tiny_files, output: Path, *extra: str, env: dict[str, str] | None = None):
    args = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2"]
    args += ["-m", "lstm_sentiment", "-q", "train", "--data", str(tiny_files.csv)]
    args += ["--config", str(tiny_files.toml), "--output", str(output), *extra]
    args += [f"--set={override}" for override in TRAIN]
    full_env = {k: v for k, v in os.environ.items() if k != FAULT_ENV} | (env or {})
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=full_env)
    return done, time.monotonic() - started


def weights(run: Path) -> dict[str, torch.Tensor]:
    return load_file(str(run / "model" / "model.safetensors"))


def epochs(run: Path) -> list[dict[str, str]]:
    with (run / "metrics.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def assert_same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert torch.allclose(a[name], b[name], rtol=1e-4, atol=1e-5), name


@pytest.fixture(scope="module")
def two_ranks(tiny_files, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted 2-rank run."""
    run = tmp_path_factory.mktemp("ddp") / "run"
    done, _ = torchrun(tiny_files, run)
    assert done.returncode == 0, done.stderr
    return run


def test_two_ranks_train_the_model_one_process_trains(
    two_ranks: Path, tiny_files, tmp_path: Path
) -> None:
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", *TRAIN]
    )
    single = train(config, tmp_path / "single").run_dir
    assert_same_weights(weights(single), weights(two_ranks))
    # Sharded validation, all-reduced: the same scores as one process.
    one, two = epochs(single), epochs(two_ranks)
    assert len(two) == 3  # rank 0 alone wrote metrics.csv
    for a, b in zip(one, two, strict=True):
        assert a["val_accuracy"] == b["val_accuracy"]
        assert float(a["val_loss"]) == pytest.approx(float(b["val_loss"]), abs=1e-5)
        # Each rank logs its share's (class-weighted) mean loss × its size: close, not equal.
        assert float(a["train_loss"]) == pytest.approx(float(b["train_loss"]), abs=1e-3)
    # One run folder, one bundle, one TensorBoard event file.
    assert sorted(p.name for p in two_ranks.iterdir() if p.name.startswith("model")) == ["model"]
    assert len(list((two_ranks / "tensorboard").glob("events.out.tfevents.*"))) == 1
    assert not list(two_ranks.glob(".*.tmp")) and not list(two_ranks.glob("*.new*"))


def test_a_killed_rank_stops_the_run_and_resume_finishes_it(
    two_ranks: Path, tiny_files, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    killed, seconds = torchrun(tiny_files, run, env={FAULT_ENV: "step=5,rank=1"})
    assert killed.returncode != 0
    assert seconds < TIMEOUT / 2  # no hang: rank 0 notices the closed connection
    assert f"{FAULT_ENV}: process" in killed.stderr
    errors = [line for line in killed.stderr.splitlines() if line.startswith("error: rank 0")]
    assert len(errors) == 1 and "--resume" in errors[0], killed.stderr
    assert (run / "checkpoints" / "checkpoint.safetensors").is_file()  # step 4, by rank 0
    assert not (run / "model").exists()

    resumed, _ = torchrun(tiny_files, run, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_weights(weights(run), weights(two_ranks))
    assert [row["epoch"] for row in epochs(run)] == ["1", "2", "3"]


def test_a_hung_rank_times_out(tiny_files, tmp_path: Path) -> None:
    env = {FAULT_ENV: "step=5,rank=1,action=hang", "LSTM_SENTIMENT_DDP_TIMEOUT": "5"}
    hung, seconds = torchrun(tiny_files, tmp_path / "run", env=env)
    assert hung.returncode != 0
    assert seconds < TIMEOUT / 2
    assert "stopped answering" in hung.stderr and "Timed out" in hung.stderr


# --- the pieces, in one process ---


def world(rank: int, size: int) -> World:
    return World(rank, size, rank, size, torch.device("cpu"))


@pytest.mark.parametrize("size", [2, 3])
def test_each_step_splits_the_global_batch(size: int) -> None:
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0])
    plan = [np.array([3, 1, 4, 0, 5]), np.array([2, 6, 8, 9]), np.array([10]), np.array([7])]
    weights = torch.tensor([1.0, 3.0])
    shards = [DataParallel(world(r, size)).shard_plan(plan, labels, weights) for r in range(size)]
    for step, positions in enumerate(plan):
        parts = [local[step] for local, scales in shards if scales[step] > 0]
        assert sorted(np.concatenate(parts)) == sorted(positions)  # the batch, once
        # DDP averages the ranks' gradients: factor_r / N × (rank's weighted mean loss) must
        # sum to the batch's weighted mean, so factor_r = N × W_r / W, and the factors average
        # to 1 (a penalty added on every rank counts once).
        total = float(weights[labels[positions]].sum())
        for local, scales in shards:
            if scales[step] > 0:
                own = float(weights[labels[local[step]]].sum())
                assert scales[step] == pytest.approx(size * own / total)
        assert sum(scales[step] for _, scales in shards) / size == pytest.approx(1.0)
    assert all(len(local) == len(plan) for local, _ in shards)  # same number of steps


def test_metrics_from_confusion_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 50)
    probabilities = rng.dirichlet([1, 1, 1], 50)
    confusion = np.zeros((3, 3))
    np.add.at(confusion, (truth, probabilities.argmax(1)), 1)
    loss = -np.log(probabilities[np.arange(50), truth]).sum()
    metrics = metrics_from_confusion(confusion, loss)
    predicted = probabilities.argmax(1)
    assert metrics["accuracy"] == pytest.approx((predicted == truth).mean())
    assert metrics["macro_f1"] == pytest.approx(
        f1_score(truth, predicted, average="macro", labels=[0, 1, 2], zero_division=0)
    )
    assert metrics["log_loss"] == pytest.approx(log_loss(truth, probabilities, labels=[0, 1, 2]))


def test_each_rank_takes_its_share_of_the_cores_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lstm_sentiment.distributed.ddp import rank_threads

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert rank_threads(0, world(0, 2)) == 4  # torchrun's OMP_NUM_THREADS=1 is not the answer
    assert rank_threads(0, World(0, 16, 0, 16, torch.device("cpu"))) == 1
    assert rank_threads(3, world(1, 2)) == 3  # train.threads wins


def test_timeout_and_fault_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from lstm_sentiment.distributed.ddp import TIMEOUT_ENV, timeout_seconds
    from lstm_sentiment.errors import ConfigError
    from lstm_sentiment.training.faults import fault_callbacks

    monkeypatch.setenv(TIMEOUT_ENV, "30")
    assert timeout_seconds() == 30
    monkeypatch.setenv(TIMEOUT_ENV, "soon")
    with pytest.raises(ConfigError, match=TIMEOUT_ENV):
        timeout_seconds()
    monkeypatch.setenv(FAULT_ENV, "step=3,rank=1,action=hang")
    (fault,) = fault_callbacks()
    assert (fault.step, fault.rank, fault.hang) == (3, 1, True)
    monkeypatch.setenv("RANK", "0")
    fault.on_step(3, 0.0, 0.0)  # another rank's fault: nothing happens here
    monkeypatch.setenv(FAULT_ENV, "step=x")
    with pytest.raises(ConfigError, match="step=N"):
        fault_callbacks()


def test_two_ranks_share_the_unlabelled_batches_too(
    tiny_files, tmp_path: Path, two_ranks: Path
) -> None:
    """Entropy minimisation on unlabelled texts (deterministic, unlike VAT's random probe):
    each rank takes half of every unlabelled batch, and the result is one process's."""
    from conftest import toy_texts

    texts = tmp_path / "unlabelled.txt"
    texts.write_text("\n".join(t for t, _ in toy_texts(seed=5, n_per_class=12)), encoding="utf-8")
    extra = [f'data.unlabelled=["{texts}"]', "train.entropy_weight=0.5"]
    extra += ["train.unlabelled_batch_size=4"]  # 24 texts: every batch splits evenly
    done, _ = torchrun(tiny_files, tmp_path / "two", *[f"--set={item}" for item in extra])
    assert done.returncode == 0, done.stderr
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", *TRAIN, *extra]
    )
    single = train(config, tmp_path / "single").run_dir
    two, one = weights(tmp_path / "two"), weights(single)
    # Three epochs of an extra loss term add rounding: a looser tolerance than without it, far
    # below what the term itself changes (compared with the run without unlabelled texts).
    for name in one:
        assert torch.allclose(one[name], two[name], rtol=1e-4, atol=1e-4), name
    plain = weights(two_ranks)
    assert max(float((plain[n] - two[n]).abs().max()) for n in plain) > 1e-2
