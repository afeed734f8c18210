"""Drive HTTP requests at a loopback server from a few threads, without dependencies."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass(frozen=True)
class Response:
    path: str
    status: int
    body: bytes


def drive(
    base_url: str,
    paths: Sequence[str],
    concurrency: int = 8,
    on_done: Callable[[], None] | None = None,
) -> list[Response]:
    """GET every path (keep-alive per thread); return responses in request order."""
    url = urllib.parse.urlsplit(base_url)
    local = threading.local()
    opened: list[http.client.HTTPConnection] = []

    def fetch(path: str) -> Response:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
            opened.append(conn)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            local.conn = None
            raise
        if on_done is not None:
            on_done()
        return Response(path, resp.status, body)

    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(fetch, paths))
    finally:
        for conn in opened:
            conn.close()
