"""bench/forward_cost.py: per-text forward-pass costs by batch size, on the shipped model."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import forward_cost

TEXTS = [
    f"review {i}: the acting was {'good' if i % 2 else 'dull'} and the plot thin" for i in range(40)
]


def test_costs_are_measured_per_batch_size_on_the_asked_runtime() -> None:
    costs = forward_cost.runtime_costs("auto", TEXTS, sizes=(1, 8), calls=3)
    assert costs["runtime"] == "auto" and costs["loaded_as"] in {"onnx", "torch"}
    assert [row["texts"] for row in costs["batches"]] == [1, 8]
    for row in costs["batches"]:
        assert row["wall_us_per_text"] > 0 and row["cpu_us_per_text"] > 0
    first, last = costs["batches"]
    assert costs["cpu_saving"] == round(first["cpu_us_per_text"] / last["cpu_us_per_text"], 2)


def test_the_readme_line_names_each_runtime_and_its_saving() -> None:
    costs = [
        {
            "runtime": "auto",
            "loaded_as": "onnx",
            "cpu_saving": 2.0,
            "batches": [
                {"texts": 1, "wall_us_per_text": 400.0, "cpu_us_per_text": 400.0},
                {"texts": 64, "wall_us_per_text": 150.0, "cpu_us_per_text": 200.0},
            ],
        }
    ]
    line = forward_cost.readme_line(costs)
    assert "auto (onnx): 400 us of CPU per text alone, 200 in a pass of 64 (2.0x less)" in line
