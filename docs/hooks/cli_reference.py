"""MkDocs hook: render the ``lstm-sentiment`` command reference from the argparse parser.

``docs/reference/cli.md`` holds the marker below; at build time it is replaced by every command's
usage and options, read from :func:`lstm_sentiment.cli.build_parser`, so the reference cannot
drift from the code. Nested subcommands (``vectors train``) are walked too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MARKER = "<!-- cli-reference -->"
PAGE = "reference/cli.md"
USAGE_WIDTH = 88  # fixed, so the page does not depend on the terminal that builds it

# This checkout's package, even when another copy is installed.
_SRC = Path(__file__).resolve().parents[2] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str, Any]]:
    """(name, one-line help, parser) of each direct subcommand, in the parser's order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str, argparse.ArgumentParser]]:
    """Every command below ``parser`` (depth first): (words after the program, help, parser)."""
    for name, summary, sub in _subcommands(parser):
        yield (*path, name), summary, sub
        yield from walk(sub, (*path, name))


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = parser.formatter_class(prog=parser.prog, width=USAGE_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _cell(text: str) -> str:
    """One table cell: one line, no raw HTML (``<label>_confidence``), no column breaks."""
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def _option_rows(parser: argparse.ArgumentParser) -> list[str]:
    formatter = parser.formatter_class(prog=parser.prog)
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if action.option_strings:
            name = ", ".join(f"`{option}`" for option in action.option_strings)
        else:
            name = f"`{action.dest}`"
        value = ""
        if action.nargs != 0:
            default = (
                formatter._get_default_metavar_for_optional(action)
                if action.option_strings
                else action.dest
            )
            value = f"`{formatter._format_args(action, default)}`"
        details = []
        if action.help and action.help != argparse.SUPPRESS:
            details.append(formatter._expand_help(action))
        if action.choices is not None and action.metavar is not None:
            details.append("choices: " + ", ".join(f"`{choice}`" for choice in action.choices))
        # argparse marks a positional with nargs="*" required, yet it accepts none
        if action.required and action.nargs not in ("?", "*"):
            details.append("**required**")
        rows.append(f"| {name} | {value} | {_cell('; '.join(details))} |")
    return rows


def render(parser: argparse.ArgumentParser) -> str:
    """Markdown for the program and every (sub)command."""
    sections = [_command_section(("lstm-sentiment",), parser.description or "", parser)]
    for path, summary, sub in walk(parser):
        sections.append(_command_section(("lstm-sentiment", *path), summary, sub))
    return "\n\n".join(sections) + "\n"


def _command_section(words: tuple[str, ...], summary: str, parser: argparse.ArgumentParser) -> str:
    lines = [f"## `{' '.join(words)}`", ""]
    if summary:
        lines += [summary[0].upper() + summary[1:] + ("" if summary.endswith(".") else "."), ""]
    if parser.description and parser.description != summary:
        lines += [_cell(parser.description), ""]
    lines += ["```text", _usage(parser), "```", ""]
    commands = list(_subcommands(parser))
    if commands:
        lines += ["| command | what it does |", "|---|---|"]
        for name, help_text, _ in commands:
            anchor = "lstm-sentiment-" + "-".join((*words[1:], name))
            lines.append(f"| [`{name}`](#{anchor}) | {_cell(help_text)} |")
        lines.append("")
    rows = _option_rows(parser)
    if rows:
        lines += ["| option | value | description |", "|---|---|---|", *rows]
    return "\n".join(lines).rstrip()


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    """Replace the marker on the CLI reference page with the rendered commands."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its {MARKER} marker")
    from lstm_sentiment.cli import build_parser

    return markdown.replace(MARKER, render(build_parser()))
