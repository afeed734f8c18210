"""Human units shared by analyses, commands and renderers.

Memory sizes are binary (K = KB = KiB = 1024 bytes), as in php.ini's memory_limit: a memory
budget is a RAM size, and RAM is counted in powers of two.
"""

from __future__ import annotations

import re

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in `text`; ValueError with a plain message when it is not a size."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (examples: 512M, 2G, 1.5GiB, 1073741824)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def size(n: float) -> str:
    """Bytes in binary units with one decimal: 64.0 KiB, -1.5 MiB, 512 B."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"
