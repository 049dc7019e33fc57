"""bench/imdb_semisup.py's option checks: a model given without a name is refused up front."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "imdb_semisup.py"


def test_a_teacher_without_a_name_is_refused_with_one_line(tmp_path: Path) -> None:
    argv = [sys.executable, str(SCRIPT), "--data", "x", "--vectors", "y", "--arms"]
    argv += ["self_training", "--teacher", "runs/model", "--work", str(tmp_path / "work")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "'runs/model' is not NAME=BUNDLE" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "work").exists()  # refused before anything is written


def test_region_settings_without_a_tag_are_refused(tmp_path: Path) -> None:
    argv = [sys.executable, str(SCRIPT), "--data", "x", "--vectors", "y", "--arms", "region"]
    argv += ["--region-set", "pretrain.region_dim=256", "--work", str(tmp_path / "work")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "--region-set needs a --tag" in done.stderr
    assert not (tmp_path / "work").exists()


def region_folder(root: Path, name: str, objective: str = "region") -> str:
    """A pretraining's model folder as far as the script reads it: its header's objective."""
    folder = root / name
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"objective": objective}))
    return str(folder)


def test_region_arms_get_the_region_folder_and_the_pseudo_labels(tmp_path: Path) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import imdb_semisup
        from imdb_semisup_arms import REGION_LONG_EPOCHS
    finally:
        sys.path.remove(str(SCRIPT.parent))
    bag = region_folder(tmp_path, "r")
    overrides = imdb_semisup.arm_overrides(
        "region_self_training", "imdb", 18, None, pseudo="p.csv", region_dirs=[bag]
    )
    assert f"model.region_init={bag}" in overrides
    assert 'data.extra_train=["p.csv"]' in overrides and "train.seed=18" in overrides
    assert not any("encoder_init" in item for item in overrides)
    longer = imdb_semisup.arm_overrides("region_long", "imdb", None, None, region_dirs=[bag])
    assert f"model.region_init={bag}" in longer
    assert f"train.epochs={REGION_LONG_EPOCHS}" in longer


def test_several_region_pretrainings_are_read_side_by_side(tmp_path: Path) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import imdb_semisup
        from imdb_best_steps import Steps
    finally:
        sys.path.remove(str(SCRIPT.parent))
    first, second = region_folder(tmp_path, "a"), region_folder(tmp_path, "b")
    lstm = region_folder(tmp_path, "c", "lstm_region")
    overrides = imdb_semisup.arm_overrides(
        "region", "imdb", None, None, region_dirs=[lstm, first, second]
    )
    assert f"model.region_init={first},{second}" in overrides
    assert f"model.lstm_region_init={lstm}" in overrides  # an LSTM pretraining goes elsewhere
    steps = Steps(tmp_path, reuse=True)
    with pytest.raises(SystemExit, match="no finished region pretraining tagged 'w9'"):
        imdb_semisup.finished_region(steps, "w9")
    steps.save("region_pretrain_w9", {"model_dir": "runs/w9/model"})
    assert imdb_semisup.finished_region(steps, "w9") == "runs/w9/model"
    argv = [sys.executable, str(SCRIPT), "--data", "x", "--vectors", "y", "--arms", "region"]
    argv += ["--region-with", "w9", "--work", str(tmp_path / "work")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--region-with reads finished pretraining" in done.stderr


def test_every_arm_with_an_unlabelled_objective_reads_the_unsup_reviews() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import imdb_semisup
        from imdb_semisup_arms import ARMS, USES_UNLABELLED
    finally:
        sys.path.remove(str(SCRIPT.parent))
    objectives = ("train.vat_epsilon=", "train.entropy_weight=")
    needing = {name for name, sets in ARMS.items() if any(s.startswith(objectives) for s in sets)}
    assert {"entmin", "vat_std_entmin"} <= needing
    assert needing <= USES_UNLABELLED
    overrides = imdb_semisup.arm_overrides("entmin", "imdb.tar.gz", None, None)
    assert any(item.startswith("train.entropy_weight=") for item in overrides)
    assert not any(item.startswith("train.vat_epsilon=") for item in overrides)
    assert 'data.unlabelled=["imdb.tar.gz"]' in overrides
