"""Lay out the bundled demo app and describe the traffic that exercises its faults."""

from __future__ import annotations

import random
import shutil
import uuid
from importlib import resources
from pathlib import Path

WIDGETS = 120

# (weight, path template); `{n}` is a number, `{uuid}` a UUID, `{hex}` a 20-digit hex id.
TRAFFIC_MIX: tuple[tuple[int, str], ...] = (
    (18, "/"),
    (16, "/products/{n}"),
    (10, "/users/{uuid}/profile"),
    (8, "/api/stock/{hex}"),
    (8, "/images/{n}/thumbnail"),
    (10, "/orders/{n}/invoice"),
    (4, "/reports/export"),
    (3, "/search?q=shoes&page={n}"),
    (10, "/catalog/{n}"),
    (7, "/legacy/status.php"),
    (6, "/legacy/contact.php"),
)


def install_app(docroot: Path) -> Path:
    """Copy the bundled app into `docroot` and generate its library files."""
    source = resources.files("fpmscope.demo") / "app"
    with resources.as_file(source) as src:
        shutil.copytree(src, docroot, dirs_exist_ok=True)
    lib = docroot / "lib"
    lib.mkdir(exist_ok=True)
    for i in range(WIDGETS):
        (lib / f"widget_{i:03d}.php").write_text(
            f"<?php\nfunction widget_{i:03d}($x) {{ return $x * {i} + strlen('{'w' * 200}'); }}\n"
            f"return widget_{i:03d}({i});\n"
        )
    return docroot


def request_paths(count: int, seed: int = 1) -> list[str]:
    """A shuffled, reproducible list of request paths following TRAFFIC_MIX."""
    rng = random.Random(seed)
    weights = [w for w, _ in TRAFFIC_MIX]
    templates = [t for _, t in TRAFFIC_MIX]
    paths = []
    for template in rng.choices(templates, weights=weights, k=count):
        paths.append(
            template.format(
                n=rng.randint(1, 99999),
                uuid=uuid.UUID(int=rng.getrandbits(128)),
                hex=f"{rng.getrandbits(80):020x}",
            )
        )
    return paths
