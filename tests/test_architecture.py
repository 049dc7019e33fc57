"""The package's shape: no import cycles (module-level or lazy), no module over the size limit,
and prediction that does not pull in the training loop."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "lstm_sentiment"
PACKAGE = "lstm_sentiment"
MAX_MODULE_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports anywhere in its body (``TYPE_CHECKING`` blocks
    excluded: they never run)."""
    modules = {module_name(p): p for p in PACKAGE_ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = {
            id(child)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for stmt in node.body
            for child in ast.walk(stmt)
        }
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target.startswith(PACKAGE) and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def is_ancestor_package(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_no_import_cycles() -> None:
    graph = import_graph()
    # A package's __init__ re-exporting its own submodules is not a cycle of logic.
    pruned = {
        name: {t for t in targets if not is_ancestor_package(name, t)}
        for name, targets in graph.items()
    }
    assert cycles(pruned) == []


def test_no_module_over_the_size_limit() -> None:
    roots = [PACKAGE_ROOT, PACKAGE_ROOT.parents[1] / "bench"]
    too_long = {
        str(path.relative_to(PACKAGE_ROOT.parents[1])): lines
        for root in roots
        for path in root.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


TRAINING_MODULES = ("lstm_sentiment.training", "lstm_sentiment.tuning", "tqdm", "optuna")


@pytest.mark.parametrize(
    "module",
    [
        "lstm_sentiment.predict",
        "lstm_sentiment.kinds",
        "lstm_sentiment.service.app",
        "lstm_sentiment.cli.serve",
    ],
)
def test_prediction_does_not_import_training(module: str) -> None:
    # torch itself imports tqdm (torch.hub): only what this package adds on top counts.
    code = (
        "import sys, torch\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        "from lstm_sentiment import SentimentModel\n"
        "SentimentModel.load().predict(['a fine film'])\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    added = eval(out)  # a printed list of module names
    assert any(m.startswith("lstm_sentiment.kinds") for m in added), added
    training = [
        m for m in added if m.split(".")[0] in TRAINING_MODULES or m.startswith(TRAINING_MODULES)
    ]
    assert training == []
