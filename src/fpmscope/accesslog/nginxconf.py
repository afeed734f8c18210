"""Pick `log_format` definitions out of an nginx configuration, following `include`s.

The file may also be the output of `nginx -T` (every file of the configuration, each after a
`# configuration file PATH:` line): its includes are already inline and are not followed again.

Only what is needed is understood: comments, quoted strings, `;`-terminated directives,
`include` (globs, relative to the including file's directory or to the main file's), `log_format
NAME [escape=...] 'part' 'part'...;` and `access_log PATH NAME;` (to guess which format is used).
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from fpmscope.accesslog.formats import COMBINED, LogFormat, parse_nginx
from fpmscope.errors import FpmscopeError

MAX_INCLUDES: Final = 200
DUMP_MARK: Final = re.compile(r"^# configuration file .*:$", re.MULTILINE)
_TOKEN = re.compile(r"""\s+|#[^\n]*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([;{}])|([^\s;{}'"#]+)""")


@dataclass
class NginxConf:
    formats: dict[str, str] = field(default_factory=lambda: {"combined": COMBINED})
    used: list[str] = field(default_factory=list)  # format names of access_log directives, in order


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise FpmscopeError(f"cannot parse nginx config near {text[pos : pos + 40]!r}")
        pos = m.end()
        if m.group(1) is not None:
            out.append(_unescape(m.group(1)))
        elif m.group(2) is not None:
            out.append(_unescape(m.group(2)))
        elif m.group(3) or m.group(4):
            out.append(m.group(3) or m.group(4))
    return out


def read(path: Path) -> NginxConf:
    conf = NginxConf()
    _read(path, path.parent, conf, [0])
    return conf


def _read(path: Path, root: Path, conf: NginxConf, count: list[int]) -> None:
    count[0] += 1
    if count[0] > MAX_INCLUDES:
        raise FpmscopeError(f"{path}: more than {MAX_INCLUDES} included files (an include loop?)")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FpmscopeError(f"cannot read nginx config {path}: {exc.strerror}") from None
    dump = count[0] == 1 and DUMP_MARK.search(text) is not None
    if dump:  # `nginx -T` output: its own status lines are not configuration
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("nginx: "))
    words: list[str] = []
    for tok in tokens(text):
        if tok in ("{", "}"):
            words = []
            continue
        if tok != ";":
            words.append(tok)
            continue
        if words and not (dump and words[0] == "include"):
            _directive(words, path, root, conf, count)
        words = []


def _directive(words: list[str], path: Path, root: Path, conf: NginxConf, count: list[int]) -> None:
    name, args = words[0], words[1:]
    if name == "include" and args:
        pattern = args[0]
        candidates = [pattern] if Path(pattern).is_absolute() else [str(path.parent / pattern), str(root / pattern)]
        for cand in candidates:
            matches = sorted(glob.glob(cand))
            for m in matches:
                _read(Path(m), root, conf, count)
            if matches:
                break
    elif name == "log_format" and len(args) >= 2:
        parts = [a for a in args[1:] if not a.startswith("escape=")]
        conf.formats[args[0]] = "".join(parts)
    elif name == "access_log" and args and args[0] != "off":
        conf.used.append(args[1] if len(args) > 1 and "=" not in args[1] else "combined")


def pick(path: Path, name: str | None) -> LogFormat:
    """The named format, else the one access_log directives use, else the only custom one."""
    conf = read(path)
    if name is None:
        custom = [n for n in conf.formats if n != "combined"]
        used = list(dict.fromkeys(conf.used))
        if len(used) == 1:
            name = used[0]
        elif len(custom) == 1 and not used:
            name = custom[0]
        else:
            choices = ", ".join(conf.formats)
            raise FpmscopeError(f"{path} defines formats {choices}; pick one with --format-name")
    if name not in conf.formats:
        raise FpmscopeError(f"{path}: no log_format {name!r}; found {', '.join(conf.formats)}")
    return parse_nginx(conf.formats[name], name)
