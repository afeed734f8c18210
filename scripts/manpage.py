"""Write docs/man/fpmscope.1, the man page, from the CLI itself (click's command tree).

    .venv/bin/python scripts/manpage.py          # rewrite docs/man/fpmscope.1
    .venv/bin/python scripts/manpage.py --check  # exit 1 if it is out of date (the tests do this)

Every command's help text and options come from the click commands, so the page cannot
drift from `fpmscope COMMAND --help`; tests/unit/test_packaging.py checks it is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fpmscope import __version__
from fpmscope.cli import main

PAGE = Path(__file__).resolve().parent.parent / "docs" / "man" / "fpmscope.1"


def roff(text: str) -> str:
    """Text safe in roff: backslashes and hyphens escaped, no line starting with a dot."""
    out = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in out.splitlines())


def paragraphs(text: str) -> str:
    """click's help text (paragraphs separated by blank lines) as roff paragraphs."""
    blocks = [" ".join(b.split()) for b in text.strip().split("\n\n") if b.strip()]
    return "\n.PP\n".join(roff(b) for b in blocks)


def option_lines(ctx: click.Context, command: click.Command) -> list[str]:
    lines: list[str] = []
    for param in command.get_params(ctx):
        if isinstance(param, click.Argument):
            continue
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, help_text = record
        lines += [".TP", f"\\fB{roff(names)}\\fR", roff(" ".join(help_text.split())) or "\\&"]
    return lines


def build() -> str:
    # As click makes them when run, so `-h, --help` is listed whether or not a command ran before.
    ctx = click.Context(main, info_name="fpmscope", **main.context_settings)
    lines = [
        f'.TH FPMSCOPE 1 "" "fpmscope {__version__}" "User Commands"',
        ".SH NAME",
        "fpmscope \\- " + roff((main.help or "").strip().splitlines()[0].rstrip(".")),
        ".SH SYNOPSIS",
        "\\fBfpmscope\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        paragraphs(main.help or ""),
        ".PP",
        "Exit status: 0 ok, 1 a check or gate failed, 2 a usage or input error (one line on stderr).",
        ".SH COMMANDS",
    ]
    group = main
    assert isinstance(group, click.Group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        sub = click.Context(command, info_name=name, parent=ctx)
        usage = " ".join(command.collect_usage_pieces(sub))
        lines += [f".SS fpmscope {name}", f"\\fBfpmscope {name}\\fR {roff(usage)}"]
        lines += [".PP", paragraphs(command.help or "")]
        lines += option_lines(sub, command)
    lines += [
        ".SH ENVIRONMENT",
        ".TP",
        "\\fBFPMSCOPE_MEMORY_LIMIT\\fR",
        "DuckDB's memory cap for every command, e.g. 4GB.",
        ".TP",
        "\\fBTZ\\fR",
        "The zone times are shown in and read in when they carry none (\\-\\-tz overrides it).",
        ".TP",
        "\\fB_FPMSCOPE_COMPLETE\\fR",
        'Shell completion: eval "$(_FPMSCOPE_COMPLETE=bash_source fpmscope)" (zsh_source, fish_source).',
        ".SH SEE ALSO",
        "php\\-fpm(8), nginx(8); docs/how\\-it\\-works.md in the source.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = build()
    if "--check" in sys.argv[1:]:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print(f"{PAGE} is out of date: run python scripts/manpage.py", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    PAGE.write_text(text, encoding="utf-8")
    print(f"Wrote {PAGE}", file=sys.stderr)
