"""Reading and editing PHP-FPM pool configuration text, as pure functions.

A pool file is FPM's ini dialect: `[name]` sections (`[global]` is not a pool), `key = value`
lines, `;` comments. Install edits the text so that uninstall can undo it exactly:

- one block, between BEGIN and END marker lines, right after the pool's `[name]` header;
- every line it must turn off (an existing `auto_prepend_file`, earlier `env[FPMSCOPE_*]`)
  is kept, prefixed with DISABLED.

Uninstall drops the block and the prefix, and so gives back the original bytes. Text is
decoded with `surrogateescape` by the callers, so any byte survives the round trip.
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

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_SETTING = re.compile(r"^\s*([^;#=\s\[][^=]*?)\s*=\s*(.*?)\s*$")
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_./+:@%,-]*$")


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


def unquote(raw: str) -> str:
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    # An unquoted value ends at a `;` comment.
    return value.split(";", 1)[0].strip()


def parse(text: str) -> list[Pool]:
    """Every section of the file except `[global]`, in order.

    Our own BEGIN marker shows up as a setting named `fpmscope`, so `Pool.installed` is a
    plain lookup.
    """
    lines = split_lines(text)
    heads: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        m = _SECTION.match(line.rstrip("\r\n"))
        if m:
            heads.append((i, m.group(1).strip()))
    pools = []
    for n, (header, name) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        settings = []
        for i in range(header + 1, end):
            line = lines[i].rstrip("\r\n")
            if line == BEGIN:
                settings.append(Setting("fpmscope", "", i))
                continue
            m = _SETTING.match(line)
            if m:
                settings.append(Setting(m.group(1), unquote(m.group(2)), i))
        if name.lower() != "global":
            pools.append(Pool(name, header, end, tuple(settings)))
    return pools


def select(pools: Sequence[Pool], names: Sequence[str]) -> list[Pool]:
    """The pools named, or all of them; a name that is not there is a usage error."""
    if not names:
        return list(pools)
    by_name = {p.name: p for p in pools}
    missing = [n for n in names if n not in by_name]
    if missing:
        have = ", ".join(by_name) or "none"
        raise ValueError(f"no pool named {', '.join(missing)} (pools in the file: {have})")
    return [by_name[n] for n in names]


def quote(value: str) -> str:
    if "\n" in value or '"' in value:
        raise ValueError(f"cannot write {value!r} into a pool file (newline or double quote)")
    return value if _SAFE_VALUE.match(value) else f'"{value}"'


def existing_prepend(pool: Pool) -> str | None:
    """The prepend file the pool already runs, if any (`none` and empty mean none)."""
    value = pool.get(*PREPEND_KEYS)
    if value is None or value.lower() in ("", "none"):
        return None
    return value


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def install(text: str, pool_names: Sequence[str], settings: dict[str, ProbeSettings]) -> str:
    """The text with the probe enabled in each named pool; pools already done are left alone.

    `settings[name]` says what to write for pool `name`. Lines that set a prepend file or an
    `env[FPMSCOPE_*]` are turned off (kept, prefixed), since the block replaces them.
    """
    lines = split_lines(text)
    pools = [p for p in parse(text) if p.name in pool_names and not p.installed]
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
    """The text with every fpmscope block removed and every line it turned off restored."""
    out = []
    inside = False
    for line in split_lines(text):
        bare = line.rstrip("\r\n")
        if bare == BEGIN:
            inside = True
            continue
        if inside:
            if bare == END:
                inside = False
            continue
        out.append(line[len(DISABLED) :] if line.startswith(DISABLED) else line)
    return "".join(out)


def is_global_config(text: str) -> bool:
    """Whether the file is a main php-fpm.conf (has a `[global]` section)."""
    return any(
        (m := _SECTION.match(line.rstrip("\r\n"))) and m.group(1).strip().lower() == "global"
        for line in split_lines(text)
    )


def global_value(text: str, key: str) -> str | None:
    """A `[global]` setting of a main config (e.g. `pid`)."""
    section = ""
    value = None
    for line in split_lines(text):
        bare = line.rstrip("\r\n")
        m = _SECTION.match(bare)
        if m:
            section = m.group(1).strip().lower()
            continue
        s = _SETTING.match(bare)
        if section == "global" and s and s.group(1) == key:
            value = unquote(s.group(2))
    return value


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
