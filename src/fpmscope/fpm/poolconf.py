"""Reading and editing PHP-FPM pool configuration text, as pure functions.

php-fpm reads a pool file one `\\n`-ended line at a time, each through PHP's ini scanner:
`[name]` sections (`[global]` is not a pool, a repeated name continues the same pool),
`key = value` lines, `;` comments also after a header or a value, `"double"` and `'single'`
quotes, `yes`/`no`/`none` words, `${ENV}` and constant expressions, and `include = GLOB`,
which reads other files in the middle of this one. This module understands the plain subset
exactly and refuses, with the line number, every line it could misread (PoolFileError):
what it reads is what php-fpm reads, never a guess. Values of settings fpmscope never looks
at may use the whole syntax.

Install edits the text so that uninstall can undo it exactly:

- one block, between BEGIN and END marker lines, right after the pool's `[name]` header;
- every line it must turn off (an existing `auto_prepend_file`, earlier `env[FPMSCOPE_*]`)
  is kept, prefixed with DISABLED.

Uninstall checks that every block is still intact and refuses otherwise (a hand edit may
have moved a marker; removing "up to the next END" would eat another pool), then drops the
blocks and the prefixes, and so gives back the original bytes. Text is decoded with
`surrogateescape` by the callers, so any byte survives the round trip.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

BEGIN = "; fpmscope begin: added by `fpmscope install`, removed by `fpmscope uninstall`"
END = "; fpmscope end"
DISABLED = ";fpmscope-off; "
PREPEND_KEYS = ("php_admin_value[auto_prepend_file]", "php_value[auto_prepend_file]")
OPEN_BASEDIR_KEYS = ("php_admin_value[open_basedir]", "php_value[open_basedir]")
ENV_PREFIX = "env[FPMSCOPE_"
# Settings fpmscope reads: their values must be in the subset understood exactly.
READ_KEYS = frozenset({"user", "group", "include", "pid", *PREPEND_KEYS, *OPEN_BASEDIR_KEYS})

_SECTION = re.compile(r"\[([^\]\r\n]*)\][ \t]*(?:;.*)?")
_POOL_NAME = re.compile(r"[A-Za-z0-9_.:@+-]+")
_SETTING = re.compile(r"[ \t]*([A-Za-z0-9_.]+(?:\[[^\]\r\n=;]*\])?)[ \t]*=[ \t]*(.*)")
_COMMENT = re.compile(r"[ \t]*(?:;.*)?")
_DOUBLE = re.compile(r'"([^"\\\r\n]*)"[ \t]*(?:;.*)?')
_SINGLE = re.compile(r"'([^'\r\n]*)'[ \t]*(?:;.*)?")
# Unquoted: no quote, no expression operator, no `${`; a `;` starts a comment.
_BARE = re.compile(r"((?:[^;\"'$|&~!(){}^=\r\n]|\$(?!\{))*?)[ \t]*(?:;.*)?")
_BOOLEANS = {"true": "1", "on": "1", "yes": "1", "false": "", "off": "", "no": "", "none": "", "null": ""}
_BLOCK_LINE = re.compile(r"(?:php_admin_value\[auto_prepend_file\]|env\[FPMSCOPE_[A-Z]+\]) = .*")
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_./+:@%,-]*$")


class PoolFileError(ValueError):
    """A pool file line fpmscope cannot read exactly as php-fpm does, or a damaged block."""


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    value: str
    line: int  # index into the file's lines


@dataclass(frozen=True, slots=True)
class Pool:
    """One `[name]` section: its header line and the lines up to the next section."""

    name: str
    header: int
    end: int
    settings: tuple[Setting, ...]

    def get(self, *keys: str) -> str | None:
        """The value of the last line setting any of `keys` (FPM's `$pool` expanded)."""
        found = [s for s in self.settings if s.key in keys]
        return found[-1].value.replace("$pool", self.name) if found else None

    @property
    def installed(self) -> bool:
        return any(s.key == "fpmscope" for s in self.settings)

    @property
    def includes(self) -> tuple[str, ...]:
        """Files this section reads in its middle (`include = GLOB`)."""
        return tuple(s.value for s in self.settings if s.key == "include")


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """What install writes into a pool."""

    probe: str
    log: str
    chain: str | None
    # Share of workers measured (env[FPMSCOPE_SAMPLE]); None measures them all.
    sample: float | None = None


def split_lines(text: str) -> list[str]:
    """Lines with their endings kept; only `\\n` ends a line (as in FPM's parser)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def ini_value(raw: str) -> str | None:
    """The value php-fpm reads from the text after `=`, or None when it is outside the subset
    understood exactly (an expression, `${ENV}`, a concatenation, an escape)."""
    for quoted in (_DOUBLE, _SINGLE):
        m = quoted.fullmatch(raw)
        if m:
            return None if "${" in m.group(1) else m.group(1)
    m = _BARE.fullmatch(raw)
    if m is None:
        return None
    value = m.group(1).strip()
    return _BOOLEANS.get(value.lower(), value)


def unquote(raw: str) -> str:
    """The value of a setting, best effort (for settings fpmscope does not rely on)."""
    value = ini_value(raw)
    return raw.strip() if value is None else value


def _bare(line: str) -> str:
    """The line without its `\\n` and the `\\r` before it (a CRLF file)."""
    bare = line[:-1] if line.endswith("\n") else line
    return bare[:-1] if bare.endswith("\r") else bare


def _classify(bare: str) -> tuple[str, str, str]:
    """(kind, name or key, value or reason): kind is blank, section, setting or bad."""
    if "\x00" in bare:
        return "bad", "", "a NUL byte"
    if "\r" in bare:
        return "bad", "", "a carriage return inside the line (php-fpm reads it as two lines)"
    if bare.lstrip(" \t").startswith(("[", "\ufeff[")) and not bare.startswith("["):
        return "bad", "", "an indented section header (php-fpm may refuse it)"
    if bare.startswith("["):
        m = _SECTION.fullmatch(bare)
        if m is None:
            return "bad", "", "text after a section header"
        name = m.group(1)
        if not _POOL_NAME.fullmatch(name):
            return "bad", "", f"section header [{name}]: fpmscope handles names of letters, digits and ._:@+-"
        return "section", name, ""
    if _COMMENT.fullmatch(bare):
        return "blank", "", ""
    m = _SETTING.fullmatch(bare)
    if m is None:
        return "bad", "", "not a setting (key = value), a comment (;) or a [section]"
    key, raw = m.group(1), m.group(2)
    if key in READ_KEYS or key.startswith(ENV_PREFIX):
        value = ini_value(raw)
        if value is None:
            what = "an environment variable (${...})" if "${" in raw else "a value"
            return "bad", key, f"{key}: {what} outside the plain syntax fpmscope reads exactly ({raw.strip()})"
        return "setting", key, value
    return "setting", key, unquote(raw)


def parse(text: str) -> list[Pool]:
    """Every section of the file except `[global]`, in order; PoolFileError for a line that
    php-fpm may read otherwise than this function would.

    Our own BEGIN marker shows up as a setting named `fpmscope`, so `Pool.installed` is a
    plain lookup.
    """
    lines = split_lines(text)
    sections: list[tuple[int, str, list[Setting]]] = []
    include_at: int | None = None
    for i, line in enumerate(lines):
        bare = _bare(line)
        if bare == BEGIN and sections:
            sections[-1][2].append(Setting("fpmscope", "", i))
            continue
        kind, key, value = _classify(bare)
        if kind == "bad":
            raise PoolFileError(f"line {i + 1}: {value}")
        if kind == "section":
            sections.append((i, key, []))
            include_at = None
        elif kind == "setting":
            if not sections:
                raise PoolFileError(f"line {i + 1}: {key} before any [section] (php-fpm adds it to the last one read)")
            if include_at is not None:
                raise PoolFileError(
                    f"line {i + 1}: {key} after include = (line {include_at + 1}) belongs to whichever section the "
                    "included files end in; move it above the include"
                )
            if key == "include":
                include_at = i
            sections[-1][2].append(Setting(key, value, i))
    pools = []
    for n, (header, name, settings) in enumerate(sections):
        end = sections[n + 1][0] if n + 1 < len(sections) else len(lines)
        if name.lower() != "global":
            pools.append(Pool(name, header, end, tuple(settings)))
    return pools


def _unique(pools: Sequence[Pool], names: Sequence[str]) -> None:
    for name in names:
        headers = [p.header + 1 for p in pools if p.name == name]
        if len(headers) > 1:
            where = " and ".join(str(h) for h in headers)
            raise PoolFileError(
                f"pool [{name}] is split over several sections (lines {where}); php-fpm merges them, "
                "fpmscope edits one: join them first"
            )


def select(pools: Sequence[Pool], names: Sequence[str]) -> list[Pool]:
    """The pools named, or all of them; a name that is not there is a usage error."""
    wanted = list(dict.fromkeys(names or [p.name for p in pools]))
    _unique(pools, wanted)
    by_name = {p.name: p for p in pools}
    missing = [n for n in wanted if n not in by_name]
    if missing:
        have = ", ".join(by_name) or "none"
        raise ValueError(f"no pool named {', '.join(missing)} (pools in the file: {have})")
    return [by_name[n] for n in wanted]


def quote(value: str) -> str:
    if "\n" in value or '"' in value:
        raise ValueError(f"cannot write {value!r} into a pool file (newline or double quote)")
    if ini_value(f'"{value}"') != value:
        raise ValueError(f"cannot write {value!r} into a pool file (php-fpm would read it otherwise)")
    return value if _SAFE_VALUE.match(value) else f'"{value}"'


def existing_prepend(pool: Pool) -> str | None:
    """The prepend file the pool already runs, if any (`none` and empty mean none)."""
    value = pool.get(*PREPEND_KEYS)
    if value is None or value.lower() in ("", "none"):
        return None
    return value


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def _fix_by_hand(name: str) -> str:
    return (
        f"fix it by hand: in [{name}] delete the lines from `; fpmscope begin...` to `{END}` and remove "
        f"`{DISABLED.strip()} ` where it starts a line, then run php-fpm -t "
        "(or put back FILE.fpmscope.bak if the file was not edited since install)"
    )


def blocks(text: str) -> dict[str, tuple[int, int]]:
    """Each pool's intact fpmscope block as (BEGIN line, END line) indexes.

    PoolFileError when a block is not intact: a marker changed or missing, a foreign line
    inside the block, a second block, or turned-off lines left without their block.
    """
    lines = split_lines(text)
    found: dict[str, tuple[int, int]] = {}
    for pool in parse(text):
        begin: int | None = None
        end: int | None = None
        disabled = []

        def broken(i: int, why: str, pool: Pool = pool) -> PoolFileError:
            return PoolFileError(
                f"line {i + 1}: the fpmscope block of pool [{pool.name}] is not intact ({why}); nothing changed; "
                + _fix_by_hand(pool.name)
            )

        for i in range(pool.header + 1, pool.end):
            bare = _bare(lines[i])
            if bare == BEGIN:
                if begin is not None:
                    raise broken(i, "a second begin marker")
                begin = i
            elif bare == END:
                if begin is None or end is not None:
                    raise broken(i, "an end marker without its begin marker")
                end = i
            elif bare.lstrip().lower().startswith((";fpmscope", "; fpmscope")) and not bare.startswith(DISABLED):
                raise PoolFileError(
                    f"line {i + 1}: a damaged fpmscope marker in pool [{pool.name}] ({bare.strip()[:60]!r}); "
                    "nothing changed; " + _fix_by_hand(pool.name)
                )
            elif bare.startswith(DISABLED):
                disabled.append(i)
            elif begin is not None and end is None and not _BLOCK_LINE.fullmatch(bare):
                raise broken(i, "a line that fpmscope did not write, or a missing end marker")
        if begin is not None and end is None:
            raise broken(pool.end - 1, "no end marker before the pool ends")
        if begin is None and disabled:
            raise broken(disabled[0], f"lines turned off with {DISABLED.strip()!r} but no block")
        if begin is not None and end is not None:
            if begin != pool.header + 1:
                raise broken(begin, "the block no longer follows the pool header")
            found[pool.name] = (begin, end)
    return found


def install(text: str, pool_names: Sequence[str], settings: dict[str, ProbeSettings]) -> str:
    """The text with the probe enabled in each named pool; pools already done are left alone.

    `settings[name]` says what to write for pool `name`. Lines that set a prepend file or an
    `env[FPMSCOPE_*]` are turned off (kept, prefixed), since the block replaces them.
    """
    lines = split_lines(text)
    done = blocks(text)
    everything = parse(text)
    _unique(everything, pool_names)
    pools = [p for p in everything if p.name in pool_names and p.name not in done]
    # Edit from the bottom up so that earlier line numbers stay valid.
    for pool in sorted(pools, key=lambda p: p.header, reverse=True):
        header = lines[pool.header]
        if not header.endswith("\n"):
            raise ValueError(f"pool [{pool.name}] is empty and ends the file without a newline")
        for s in pool.settings:
            if s.key in PREPEND_KEYS or s.key.startswith(ENV_PREFIX):
                lines[s.line] = DISABLED + lines[s.line]
        eol = _ending(header)
        cfg = settings[pool.name]
        block = [
            BEGIN,
            f"php_admin_value[auto_prepend_file] = {quote(cfg.probe)}",
            f"env[FPMSCOPE_LOG] = {quote(cfg.log)}",
            f"env[FPMSCOPE_POOL] = {quote(pool.name)}",
        ]
        if cfg.chain:
            block.append(f"env[FPMSCOPE_CHAIN] = {quote(cfg.chain)}")
        if cfg.sample is not None:
            block.append(f"env[FPMSCOPE_SAMPLE] = {cfg.sample:g}")
        block.append(END)
        lines[pool.header + 1 : pool.header + 1] = [b + eol for b in block]
    return "".join(lines)


def uninstall(text: str) -> str:
    """The text with every fpmscope block removed and the lines it turned off (in the same
    pool) restored; PoolFileError (and nothing removed) when a block is not intact. A line
    that merely looks turned off outside such a pool ([global], say) is left as it is."""
    blocks(text)
    drop: set[int] = set()
    restore: set[int] = set()
    lines = split_lines(text)
    for pool in parse(text):
        if pool.header + 1 < len(lines) and _bare(lines[pool.header + 1]) == BEGIN:
            end = next(i for i in range(pool.header + 1, pool.end) if _bare(lines[i]) == END)
            drop.update(range(pool.header + 1, end + 1))
            restore.update(range(end + 1, pool.end))
    out = []
    for i, line in enumerate(lines):
        if i in drop:
            continue
        out.append(line[len(DISABLED) :] if i in restore and line.startswith(DISABLED) else line)
    return "".join(out)


def _tolerant_sections(text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) of every setting line, skipping lines that do not parse: for
    reading a main php-fpm.conf that fpmscope never edits."""
    section = ""
    out = []
    for line in split_lines(text):
        kind, key, value = _classify(_bare(line))
        if kind == "section":
            section = key.lower()
        elif kind == "setting":
            out.append((section, key, value))
    return out


def is_global_config(text: str) -> bool:
    """Whether the file is a main php-fpm.conf (has a `[global]` section)."""
    return any(
        _classify(_bare(line))[0] == "section" and _classify(_bare(line))[1].lower() == "global"
        for line in split_lines(text)
    )


def global_value(text: str, key: str) -> str | None:
    """A `[global]` setting of a main config (e.g. `pid`)."""
    values = [v for section, k, v in _tolerant_sections(text) if section == "global" and k == key]
    return values[-1] if values else None


def logrotate_snippet(logs: Sequence[str], user: str, group: str) -> str:
    """Rotation by rename: the probe opens its log for every request, so the next request
    writes to the new file; no copytruncate (which loses lines) and no reload needed."""
    paths = " ".join(logs)
    return (
        "# fpmscope probe logs (written by `fpmscope install`, removed by `fpmscope uninstall`).\n"
        "# Rotated by rename: the probe opens the log for each request, so no copytruncate.\n"
        f"{paths} {{\n"
        "    daily\n"
        "    rotate 14\n"
        "    maxsize 500M\n"
        "    missingok\n"
        "    notifempty\n"
        "    compress\n"
        "    delaycompress\n"
        f"    create 0640 {user} {group}\n"
        "}\n"
    )
