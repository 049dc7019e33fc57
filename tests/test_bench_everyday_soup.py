"""bench/everyday_soup.py: a soup is the average of its members' weights, refuses members of
different shapes, and is a bundle that loads and predicts (a soup of one model twice predicts
as that model)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from conftest import bench_module, toy_texts
from lstm_sentiment.kinds.neural_model import load_bundle
from lstm_sentiment.training.calibration import MAX_TEMPERATURE, MIN_TEMPERATURE
from test_onnx import tiny_bundle

SETTINGS = {"nb_ngrams": 2, "nb_buckets": 32}


@pytest.fixture(scope="module")
def soup():
    return bench_module("everyday_soup")


@pytest.fixture(scope="module")
def reviews() -> list[SimpleNamespace]:
    return [SimpleNamespace(text=text, label=label) for text, label in toy_texts(seed=4)]


def test_the_average_is_the_mean_and_equal_integer_tensors_stay(soup) -> None:
    a = {"w": torch.tensor([1.0, 2.0]), "steps": torch.tensor([3])}
    b = {"w": torch.tensor([3.0, 6.0]), "steps": torch.tensor([3])}
    averaged = soup.average_tensors([a, b], ["a", "b"])
    assert torch.equal(averaged["w"], torch.tensor([2.0, 4.0]))
    assert torch.equal(averaged["steps"], torch.tensor([3]))


@pytest.mark.parametrize(
    ("b", "message"),
    [
        ({"w": torch.zeros(3), "steps": torch.tensor([3])}, "a soup needs fine-tunes of one base"),
        ({"w": torch.zeros(2), "steps": torch.tensor([4])}, "differs between the members"),
        ({"w": torch.zeros(2)}, "differ in their tensors (steps)"),
    ],
)
def test_members_that_do_not_match_are_refused(soup, b: dict, message: str) -> None:
    a = {"w": torch.zeros(2), "steps": torch.tensor([3])}
    with pytest.raises(soup.SoupError, match=message.replace("(", r"\(").replace(")", r"\)")):
        soup.average_tensors([a, b], ["a", "b"])


def test_a_soup_holds_the_averaged_weights_and_a_fitted_temperature(
    soup, reviews, tmp_path: Path
) -> None:
    members = [tiny_bundle(tmp_path / f"m{seed}", SETTINGS, seed=seed) for seed in (0, 1)]
    path = soup.make_soup(members, tmp_path / "soups" / "pair", reviews)
    made = load_bundle(path)  # the manifest verifies
    states = [load_bundle(member).model.state_dict() for member in members]
    for key, tensor in made.model.state_dict().items():
        if tensor.is_floating_point():
            torch.testing.assert_close(tensor, (states[0][key] + states[1][key]) / 2)
    assert MIN_TEMPERATURE <= made.temperature <= MAX_TEMPERATURE
    assert made.metrics["validation"]["n"] == len(reviews)
    assert made.metrics["soup_of"] == [str(member) for member in members]


def test_a_soup_of_one_model_twice_predicts_as_that_model(soup, reviews, tmp_path: Path) -> None:
    member = tiny_bundle(tmp_path / "m", SETTINGS, seed=2)
    path = soup.make_soup([member, member], tmp_path / "twice", reviews)
    texts = [review.text for review in reviews]
    np.testing.assert_allclose(
        load_bundle(path).logits(texts), load_bundle(member).logits(texts), atol=1e-5
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("pair", "write NAME=ARM,ARM"),
        ("pair=only", "two members or more"),
        ("pair=a,b", "neither an arm of"),
    ],
)
def test_a_bad_soup_spec_stops_with_one_line(
    soup,
    spec: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "sentences.json").write_text("{}")
    argv = ["everyday_soup.py", "--data", "x", "--study", str(tmp_path), "--soup", spec]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as stopped:
        soup.main()
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "soups").exists()
