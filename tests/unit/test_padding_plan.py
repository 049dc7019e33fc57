"""The cheapest cuts of a length-sorted batch into onnxruntime passes."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_sentiment.export.padding import CALL_COST_TOKENS, padding_plan, pass_cost


def plan_cost(lengths: list[int], plan: list[slice]) -> float:
    return sum(pass_cost(cut.stop - cut.start, lengths[cut.stop - 1]) for cut in plan)


def cheapest_cost(lengths: list[int]) -> float:
    """Every way of cutting ``lengths`` into consecutive passes, tried one by one."""
    count = len(lengths)
    best = float("inf")
    for cuts in itertools.product((False, True), repeat=count - 1):
        bounds = [0] + [i + 1 for i, cut in enumerate(cuts) if cut] + [count]
        plan = [slice(a, b) for a, b in itertools.pairwise(bounds)]
        best = min(best, plan_cost(lengths, plan))
    return best


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 400), min_size=1, max_size=11))
def test_the_plan_is_the_cheapest_and_covers_every_text_once(raw: list[int]) -> None:
    lengths = sorted(raw)
    plan = padding_plan(np.array(lengths))
    assert plan[0].start == 0 and plan[-1].stop == len(lengths)
    assert all(a.stop == b.start and a.start < a.stop for a, b in itertools.pairwise(plan))
    assert plan_cost(lengths, plan) <= cheapest_cost(lengths) + 1e-6


def test_texts_of_one_length_stay_one_pass() -> None:
    assert padding_plan(np.full(64, 37)) == [slice(0, 64)]


def test_a_jump_in_length_is_cut_when_padding_costs_more_than_a_pass() -> None:
    lengths = np.array([5] * 16 + [100] * 16)
    assert padding_plan(lengths) == [slice(0, 16), slice(16, 32)]
    # one long text beside one short one: its padding is cheaper than a second pass
    small_gap = int(CALL_COST_TOKENS // 2)
    assert padding_plan(np.array([10, 10 + small_gap])) == [slice(0, 2)]
