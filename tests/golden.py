"""The one golden-file mechanism: compare output with tests/golden/NAME, byte for byte.

After a deliberate change, rerun with FPMSCOPE_UPDATE_GOLDEN=1 to rewrite the files, then
review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR = Path(__file__).parent / "golden"
UPDATE = "FPMSCOPE_UPDATE_GOLDEN"


def check(name: str, text: str) -> None:
    path = DIR / name
    if os.environ.get(UPDATE):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; create it with {UPDATE}=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path} ({UPDATE}=1 rewrites it)"
