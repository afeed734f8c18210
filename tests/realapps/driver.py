"""Send a planned list of HTTP requests (any method, body, headers) from a few threads."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    """One planned request; `kind` names its place in the traffic mix (for the summary)."""

    kind: str
    path: str
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    request: Request
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    def cookies(self) -> dict[str, str]:
        """name -> value of every Set-Cookie (WordPress sends several)."""
        jar: dict[str, str] = {}
        for k, v in self.headers:
            if k.lower() == "set-cookie":
                name, _, value = v.split(";", 1)[0].partition("=")
                jar[name.strip()] = value.strip()
        return jar


def form(fields: Mapping[str, str]) -> tuple[bytes, dict[str, str]]:
    """A urlencoded POST body and its content type."""
    body = urllib.parse.urlencode(fields).encode()
    return body, {"Content-Type": "application/x-www-form-urlencoded"}


def send(base_url: str, requests: Sequence[Request], concurrency: int = 4) -> list[Response]:
    """Send every request (keep-alive per thread); return the responses in request order."""
    url = urllib.parse.urlsplit(base_url)
    local = threading.local()
    opened: list[http.client.HTTPConnection] = []
    lock = threading.Lock()

    def one(req: Request) -> Response:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
            with lock:
                opened.append(conn)
        headers = {"Host": url.netloc, "User-Agent": "fpmscope-realapps", **req.headers}
        try:
            conn.request(req.method, req.path, body=req.body, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            local.conn = None
            raise
        if resp.will_close:
            conn.close()
            local.conn = None
        return Response(req, resp.status, body, tuple(resp.getheaders()))

    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(one, requests))
    finally:
        for conn in opened:
            conn.close()
