"""bench/imdb_semisup.py's option checks: a model given without a name is refused up front."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "imdb_semisup.py"


def test_a_teacher_without_a_name_is_refused_with_one_line(tmp_path: Path) -> None:
    argv = [sys.executable, str(SCRIPT), "--data", "x", "--vectors", "y", "--arms"]
    argv += ["self_training", "--teacher", "runs/model", "--work", str(tmp_path / "work")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "'runs/model' is not NAME=BUNDLE" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "work").exists()  # refused before anything is written
