"""A tiny FastCGI client: read a pool's status page straight from its listen address, for
pools whose status page is not exposed through the web server.

One request per connection: BEGIN_REQUEST (responder, no keep-alive), the CGI parameters,
an empty STDIN, then STDOUT records until END_REQUEST. The reply is CGI: headers, a blank
line, the body.
"""

from __future__ import annotations

import socket
import struct
import time

from fpmscope.errors import FpmscopeError

VERSION = 1
BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7
RESPONDER = 1
REQUEST_ID = 1
MAX_REPLY = 16 << 20


def _record(kind: int, content: bytes) -> bytes:
    padding = -len(content) % 8
    return struct.pack(">BBHHBx", VERSION, kind, REQUEST_ID, len(content), padding) + content + b"\0" * padding


def _length(n: int) -> bytes:
    return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)


def _params(params: dict[str, str]) -> bytes:
    out = b""
    for name, value in params.items():
        k, v = name.encode(), value.encode()
        out += _length(len(k)) + _length(len(v)) + k + v
    return out


def _connect(address: str, timeout: float) -> socket.socket:
    try:
        if address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        host, _, port = address.rpartition(":")
        return socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout)
    except ValueError:
        raise FpmscopeError(f"--fcgi wants HOST:PORT or a socket path, not {address!r}") from None
    except OSError as exc:
        raise FpmscopeError(f"cannot connect to the FastCGI address {address}: {exc.strerror or exc}") from None


def _read(sock: socket.socket, n: int, deadline: float) -> bytes:
    """`n` bytes, before the overall deadline: a per-read timeout alone lets a server that
    trickles a byte a second hold the caller for ever."""
    data = b""
    while len(data) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise FpmscopeError("the FastCGI server closed the connection mid-reply")
        data += chunk
    return data


def get(address: str, path: str, query: str, timeout: float = 3.0) -> str:
    """GET `path?query` from the FastCGI server at `address`; the body, or FpmscopeError."""
    params = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": path,
        "SCRIPT_FILENAME": path,
        "REQUEST_URI": f"{path}?{query}" if query else path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "fpmscope",
        "REMOTE_ADDR": "127.0.0.1",
    }
    body = _params(params)
    message = _record(BEGIN_REQUEST, struct.pack(">HB5x", RESPONDER, 0))
    message += _record(PARAMS, body) + _record(PARAMS, b"") + _record(STDIN, b"")
    stdout = b""
    deadline = time.monotonic() + timeout
    with _connect(address, timeout) as sock:
        try:
            sock.sendall(message)
            while True:
                _, kind, _, length, padding = struct.unpack(">BBHHBx", _read(sock, 8, deadline))
                content = _read(sock, length + padding, deadline)[:length]
                if kind == STDOUT:
                    stdout += content
                    if len(stdout) > MAX_REPLY:
                        raise FpmscopeError("the FastCGI reply is too large for a status page")
                elif kind == END_REQUEST:
                    break
        except TimeoutError:
            raise FpmscopeError(f"the FastCGI server {address} did not answer in {timeout:g} s") from None
        except OSError as exc:
            raise FpmscopeError(f"FastCGI request to {address} failed: {exc.strerror or exc}") from None
    head, sep, rest = stdout.partition(b"\r\n\r\n")
    if not sep:
        head, sep, rest = stdout.partition(b"\n\n")
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "status" and not value.strip().startswith("200"):
            raise FpmscopeError(f"{address} answered {value.strip()} for {path}; is pm.status_path = {path}?")
    return rest.decode("utf-8", errors="replace")
