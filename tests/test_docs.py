"""The commands and Python snippets shown in README.md and docs/*.md still work.

Every ``lstm-sentiment`` command in a shell code block must parse with the real argument
parser (a failure names the file and line). A few representative ones run for real on tiny data
(their paths swapped for tiny files), and the Python snippets that use only the shipped model are
executed.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import TinyFiles, toy_texts
from lstm_sentiment.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
PROGRAM = "lstm-sentiment"
SEPARATORS = {"&&", "||", ";", "|"}
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)\s*(?P<language>[\w+-]*)")


@dataclass(frozen=True)
class CodeBlock:
    path: Path
    line: int  # line number of the block's first content line
    language: str
    text: str


@dataclass(frozen=True)
class DocCommand:
    path: Path
    line: int
    argv: tuple[str, ...]  # after the program name

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def command(self) -> str | None:
        """The first word that is not a global option (``train``, ``vectors``...)."""
        return next((word for word in self.argv if not word.startswith("-")), None)

    def option(self, name: str) -> str | None:
        """The value given to ``name`` (``--data x``), if any."""
        argv = list(self.argv)
        return argv[argv.index(name) + 1] if name in argv[:-1] else None


def code_blocks(path: Path) -> list[CodeBlock]:
    """The fenced code blocks of a Markdown file."""
    blocks: list[CodeBlock] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, start = match["fence"], i + 1
        end = start
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = "\n".join(line.removeprefix(match["indent"]) for line in lines[start:end])
        blocks.append(CodeBlock(path, start + 1, match["language"].lower(), body))
        i = end + 1
    return blocks


def shell_commands(block: CodeBlock) -> list[DocCommand]:
    """``lstm-sentiment ...`` commands of a shell block: continuation lines joined, comments
    dropped, quotes honoured, one command per segment of ``&&`` / ``;`` / ``|`` chains."""
    commands = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        first = i
        logical = lines[i]
        while logical.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            logical = logical.rstrip()[:-1] + " " + lines[i]
        i += 1
        logical = logical.strip().removeprefix("$ ")
        if PROGRAM not in logical:
            continue
        try:
            words = shlex.split(logical, comments=True)
        except ValueError as exc:
            pytest.fail(f"{block.path.relative_to(ROOT)}:{block.line + first}: {exc}: {logical}")
        segment: list[str] = []
        for word in [*words, ";"]:
            if word not in SEPARATORS:
                segment.append(word)
                continue
            if segment and Path(segment[0]).name == PROGRAM:
                commands.append(DocCommand(block.path, block.line + first, tuple(segment[1:])))
            segment = []
    return commands


def doc_commands() -> list[DocCommand]:
    return [
        command
        for path in DOC_FILES
        for block in code_blocks(path)
        if block.language in SHELL_LANGUAGES
        for command in shell_commands(block)
    ]


def python_blocks() -> list[CodeBlock]:
    return [
        block for path in DOC_FILES for block in code_blocks(path) if block.language == "python"
    ]


def uses_only_the_shipped_model(block: CodeBlock) -> bool:
    """Loads ``SentimentModel.load()`` without a path and trains or reads nothing else."""
    loads_shipped = False
    for node in ast.walk(ast.parse(block.text)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "load":
            if node.args or node.keywords:
                return False
            loads_shipped = True
        elif name in {"train", "fit", "from_file", "tune", "open"}:
            return False
    return loads_shipped


COMMANDS = doc_commands()


def test_docs_show_commands_of_every_kind() -> None:
    """The extractor finds the documented commands (guards against it silently finding none)."""
    found = {command.command for command in COMMANDS}
    expected = {"train", "compare", "evaluate", "data-stats", "predict", "vectors", "tune"}
    assert expected | {"ensemble"} <= found, sorted(found)
    readme = [c for c in COMMANDS if c.path.name == "README.md"]
    assert any(c.argv[:1] == ("predict",) for c in readme)


@pytest.mark.parametrize("doc_command", COMMANDS, ids=[c.where for c in COMMANDS])
def test_doc_command_parses(doc_command: DocCommand, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        build_parser().parse_args(list(doc_command.argv))
    except SystemExit as exc:
        pytest.fail(
            f"{doc_command.where}: `{PROGRAM} {shlex.join(doc_command.argv)}` no longer parses "
            f"(exit {exc.code}): {capsys.readouterr().err.strip()}"
        )


def _unique(commands: list[DocCommand]) -> list[DocCommand]:
    seen: dict[tuple[str, ...], DocCommand] = {}
    for command in commands:
        seen.setdefault(command.argv, command)
    return list(seen.values())


def _run(argv: list[str], where: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, f"{where}: `{PROGRAM} {shlex.join(argv)}` exited {code}: {err.strip()}"
    return out


def _replace_options(argv: tuple[str, ...], values: dict[str, str]) -> list[str]:
    """``argv`` with the values of the given options replaced (paths → tiny files)."""
    out = list(argv)
    for i, word in enumerate(out[:-1]):
        if word in values:
            out[i + 1] = values[word]
    return out


def test_doc_predict_commands_run_with_the_shipped_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every documented ``predict`` of texts given on the command line (shipped model)."""
    commands = _unique(
        [
            c
            for c in COMMANDS
            if c.command == "predict" and not {"--model", "--input", "--output"} & set(c.argv)
        ]
    )
    assert len(commands) >= 2
    for command in commands:
        out = _run(list(command.argv), command.where, capsys)
        assert out.strip(), command.where
        if command.option("--format") == "json":
            for line in out.splitlines():
                row = json.loads(line)
                assert row["label"] in {"negative", "positive", None}, (command.where, row)


def _write_csv(path: Path, command: DocCommand) -> Path:
    """A tiny labelled CSV with the columns ``command`` names (text, label, confidence,
    group), in the toy corpus's two classes."""
    text = command.option("--text-column") or "text"
    label = command.option("--label-column") or "label"
    confidence = command.option("--confidence-column")
    group = command.option("--group-column")
    header = [text, label, *([confidence] if confidence else []), *([group] if group else [])]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i, row in enumerate(toy_texts(0)):
            extra = (["1.0"] if confidence else []) + ([f"g{i % 12}"] if group else [])
            writer.writerow([*row, *extra])
    return path


def test_doc_data_stats_commands_run_on_a_tiny_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_files: TinyFiles
) -> None:
    commands = _unique([c for c in COMMANDS if c.command == "data-stats"])
    assert commands
    for i, command in enumerate(commands):
        out_dir = tmp_path / f"stats{i}"
        argv = _replace_options(
            command.argv, {"--data": str(tiny_files.csv), "--output": str(out_dir)}
        )
        _run(argv, command.where, capsys)
        assert (out_dir / "length_histogram.png").is_file(), command.where


def test_doc_train_commands_run_on_a_tiny_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_files: TinyFiles
) -> None:
    """The documented ``train`` commands on a CSV file, one epoch on the toy corpus (with the
    tiny config's sizes and vectors), then ``predict`` and ``evaluate`` with the result."""
    commands = _unique(
        [
            c
            for c in COMMANDS
            if c.command == "train"
            and (c.option("--data") or "").endswith(".csv")
            and "--config" not in c.argv
        ]
    )
    assert len(commands) >= 2
    model = None
    for i, command in enumerate(commands):
        data = _write_csv(tmp_path / f"data{i}.csv", command)
        run = tmp_path / f"run{i}"
        argv = _replace_options(command.argv, {"--data": str(data), "--output": str(run)})
        argv += ["--config", str(tiny_files.toml), "--set", "train.epochs=1"]
        _run(argv, command.where, capsys)
        assert (run / "model" / "config.json").is_file(), command.where
        model = model or run / "model"

    predict = next(
        c for c in COMMANDS if c.command == "predict" and c.option("--model") == "runs/imdb/model"
    )
    argv = _replace_options(predict.argv, {"--model": str(model)})
    assert _run([*argv, "--format", "json"], predict.where, capsys).strip()
    evaluate = next(c for c in COMMANDS if c.command == "evaluate" and "--model" in c.argv)
    argv = _replace_options(evaluate.argv, {"--model": str(model), "--data": str(tiny_files.csv)})
    metrics = json.loads(_run(argv, evaluate.where, capsys))
    assert metrics["n"] == len(toy_texts(0))


SHIPPED_MODEL_SNIPPETS = [b for b in python_blocks() if uses_only_the_shipped_model(b)]


def test_docs_have_shipped_model_snippets() -> None:
    assert {b.path.name for b in SHIPPED_MODEL_SNIPPETS} >= {
        "README.md",
        "getting-started.md",
        "prediction.md",
    }


@pytest.mark.parametrize(
    "block",
    SHIPPED_MODEL_SNIPPETS,
    ids=[f"{b.path.relative_to(ROOT)}:{b.line}" for b in SHIPPED_MODEL_SNIPPETS],
)
def test_doc_python_snippet_runs(block: CodeBlock) -> None:
    namespace: dict[str, object] = {}
    exec(compile(block.text, f"{block.path.relative_to(ROOT)}:{block.line}", "exec"), namespace)


def test_readme_links_point_to_files() -> None:
    """README.md is not part of the site, so MkDocs does not check its links: check them here."""
    readme = ROOT / "README.md"
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme.read_text(encoding="utf-8"))
    local = [t for t in targets if "://" not in t]
    assert local, "README.md links to no docs page"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_cli_reference_lists_every_command_and_option() -> None:
    """The MkDocs hook renders every (sub)command and option of the real parser."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "docs" / "hooks" / "cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    parser = build_parser()
    page = hook.render(parser)
    commands = [(("lstm-sentiment",), parser)] + [
        (("lstm-sentiment", *path), sub) for path, _, sub in hook.walk(parser)
    ]
    assert any(words[1:] == ("vectors", "train") for words, _ in commands)
    for words, sub in commands:
        assert f"## `{' '.join(words)}`" in page
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):  # -h is on every command
                continue
            for option in action.option_strings:
                assert f"`{option}`" in page, (words, option)
