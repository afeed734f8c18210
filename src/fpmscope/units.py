"""Human units shared by analyses (reasons) and renderers."""

from __future__ import annotations


def size(n: float) -> str:
    """Bytes in binary units with one decimal: 64.0 KiB, -1.5 MiB, 512 B."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"
