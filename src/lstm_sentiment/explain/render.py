"""Explanations drawn for people: a coloured terminal rendering (rich) and one self-contained
HTML page (inline CSS, no scripts or external assets, every text escaped).

Words are coloured by their score toward the predicted class: green for evidence for it, red
against, stronger for larger scores (scaled by the text's largest absolute score); tokens the
model never read (cut off by its ``max_length``) are greyed out.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator, Sequence

from lstm_sentiment.explain.result import Explanation, TokenScore
from lstm_sentiment.safe_output import terminal_safe

FOR = (22, 163, 74)
"""Green: evidence for the predicted class."""
AGAINST = (220, 38, 38)
"""Red: evidence against it."""
TOP_TOKENS = 5


def pieces(explanation: Explanation) -> Iterator[tuple[str, TokenScore | None]]:
    """The text cut into runs: each token's characters with the token, the rest with ``None``
    (a token overlapping the previous one is shown with it)."""
    text = explanation.text
    position = 0
    for token in sorted(explanation.tokens, key=lambda t: (t.start, t.end)):
        if token.start < position or token.end <= token.start:
            continue
        if token.start > position:
            yield text[position : token.start], None
        yield text[token.start : token.end], token
        position = token.end
    if position < len(text):
        yield text[position:], None


def scale_of(explanation: Explanation) -> float:
    """The largest absolute score toward the predicted class (1 when there is none)."""
    scores = [abs(s) for t in explanation.tokens if (s := explanation.score_of(t)) is not None]
    return max(scores, default=0.0) or 1.0


def _summary(explanation: Explanation) -> str:
    gap = explanation.completeness_gap
    gap_text = "" if gap is None else f", completeness gap {gap:.3g}"
    if not explanation.adds_up:
        gap_text += " (large: read the scores as a ranking)"
    p = explanation.probabilities[explanation.label]
    return f"{explanation.label} ({p:.3f}) by {explanation.method}{gap_text}"


def _top(explanation: Explanation, sign: int) -> list[tuple[str, float]]:
    scored = [
        (explanation.text[t.start : t.end] or t.token, s)
        for t in explanation.tokens
        if (s := explanation.score_of(t)) is not None and s * sign > 0
    ]
    return sorted(scored, key=lambda item: -abs(item[1]))[:TOP_TOKENS]


def render_table(explanations: Sequence[Explanation], *, color: bool = True) -> str:
    """Each text with its words coloured, its prediction and its strongest words."""
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=120,
        force_terminal=color,
        color_system="truecolor" if color else None,
        soft_wrap=False,
        highlight=False,
    )
    for number, explanation in enumerate(explanations, start=1):
        scale = scale_of(explanation)
        line = Text()
        for chunk, token in pieces(explanation):
            shown = terminal_safe(chunk)
            score = None if token is None else explanation.score_of(token)
            if token is None:
                line.append(shown)
            elif score is None:
                line.append(shown, style="dim strike")
            else:
                rgb = FOR if score >= 0 else AGAINST
                strength = min(1.0, abs(score) / scale)
                shade = tuple(round(255 - (255 - c) * strength) for c in rgb)
                line.append(shown, style=f"black on rgb({shade[0]},{shade[1]},{shade[2]})")
        console.print(Text(f"[{number}] {_summary(explanation)}", style="bold"))
        console.print(line)
        for title, sign in (("for", 1), ("against", -1)):
            top = _top(explanation, sign)
            if top:
                words = ", ".join(f"{terminal_safe(w)} ({s:+.3f})" for w, s in top)
                console.print(Text(f"  {title} {explanation.label}: {words}"))
        console.print()
    return buffer.getvalue()


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #111; }
section { border-bottom: 1px solid #ddd; padding: 1rem 0; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
.text { line-height: 1.9; white-space: pre-wrap; }
.tok { border-radius: 3px; padding: 1px 0; }
.cut { color: #999; text-decoration: line-through; }
.legend span { padding: 2px 6px; border-radius: 3px; margin-right: .5rem; }
small { color: #555; }
""".strip()


def _html_piece(
    chunk: str, token: TokenScore | None, explanation: Explanation, scale: float
) -> str:
    escaped = html.escape(chunk)
    if token is None:
        return escaped
    score = explanation.score_of(token)
    if score is None:
        title = html.escape(f"{token.token}: not read (beyond the model's max length)", True)
        return f'<span class="tok cut" title="{title}">{escaped}</span>'
    rgb = FOR if score >= 0 else AGAINST
    alpha = min(1.0, abs(score) / scale)
    details = "; ".join(f"{label} {value:+.4f}" for label, value in (token.scores or {}).items())
    title = html.escape(f"{token.token} [{token.start}:{token.end}]: {details}", True)
    style = f"background: rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {alpha:.3f})"
    return f'<span class="tok" style="{style}" title="{title}">{escaped}</span>'


def render_html(explanations: Sequence[Explanation], title: str = "lstm-sentiment explain") -> str:
    """One self-contained HTML page: every text with its words highlighted (hover a word for
    its scores)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        '<p class="legend"><span style="background: rgba(22, 163, 74, .6)">for the predicted '
        'class</span><span style="background: rgba(220, 38, 38, .6)">against it</span>'
        "<small>hover a word for its score toward every class (centred calibrated logits)"
        "</small></p>",
    ]
    for number, explanation in enumerate(explanations, start=1):
        scale = scale_of(explanation)
        body = "".join(_html_piece(c, t, explanation, scale) for c, t in pieces(explanation))
        parts += [
            "<section>",
            f"<h2>{number}. {html.escape(_summary(explanation))}</h2>",
            f'<div class="text">{body}</div>',
            "</section>",
        ]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
