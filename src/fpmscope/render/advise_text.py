"""`fpmscope advise` as text: the answer, the arithmetic in plain words, the lines to paste."""

from __future__ import annotations

import re
import textwrap

from rich.text import Text

from fpmscope.model.advise import AdviceReport
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import console

# A number and its unit (36.4 MiB, 500 requests) stay on one line when a line is wrapped.
_UNIT_SPACE = re.compile(r"(?<=\d) (?=(?:[KMGT]iB|B|requests|workers)\b)")
_GLUE = "\x00"


def wrap(text: str, width: int) -> str:
    """`text` wrapped at words to `width`, later lines indented under the first word."""
    glued = _UNIT_SPACE.sub(_GLUE, text)
    lines = textwrap.wrap(glued, width=width, subsequent_indent="   ", break_on_hyphens=False)
    return "\n".join(lines).replace(_GLUE, " ")


def render(report: AdviceReport, options: RenderOptions) -> str:
    con, buf = console(options)
    advice = report.advice
    con.print(Text(printable(advice.verdict), style="bold" if advice.fits else "bold red"))
    con.print()
    con.print(Text("How this was worked out", style="bold"))
    width = options.width or 120
    for i, line in enumerate(advice.explanation, 1):
        con.print(Text(wrap(f"{i}. {printable(line)}", width)), soft_wrap=True)
    if advice.pool_lines:
        con.print()
        con.print(Text("Paste into the pool's section of its .conf file, then reload php-fpm:", style="bold"))
        con.print()
        for line in advice.pool_lines:
            con.print(Text(f"    {printable(line)}"))
    return buf.getvalue()
