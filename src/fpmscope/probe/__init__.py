"""The PHP probe (probe.php, package data) and where it is installed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def probe_path() -> Path:
    """The installed probe.php (package data; a real file in every supported install)."""
    return Path(str(resources.files("fpmscope") / "probe" / "probe.php"))
