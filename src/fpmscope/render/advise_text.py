"""`fpmscope advise` as text: the answer, the arithmetic in plain words, the lines to paste."""

from __future__ import annotations

from rich.text import Text

from fpmscope.model.advise import AdviceReport
from fpmscope.render import RenderOptions, printable
from fpmscope.render.terminal import console


def render(report: AdviceReport, options: RenderOptions) -> str:
    con, buf = console(options)
    advice = report.advice
    con.print(Text(printable(advice.verdict), style="bold" if advice.fits else "bold red"))
    con.print()
    con.print(Text("How this was worked out", style="bold"))
    for i, line in enumerate(advice.explanation, 1):
        # Long lines are left to the terminal to wrap, so a size is never cut in two.
        con.print(Text(f"{i}. {printable(line)}"), soft_wrap=True)
    if advice.pool_lines:
        con.print()
        con.print(Text("Paste into the pool's section of its .conf file, then reload php-fpm:", style="bold"))
        con.print()
        for line in advice.pool_lines:
            con.print(Text(f"    {printable(line)}"))
    return buf.getvalue()
