"""Real ClickHouse servers for the fleet tests: Debian's clickhouse-server (18.16) on loopback,
one alone and two as the shards of the cluster `fpmscope`; each test gets a database of its
own on them, so the servers are started once per session."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence

from fpmscope.fleet import schema
from fpmscope.fleet.local import CLUSTER, Server, running_cluster, start, stop
from fpmscope.fleet.store import connect

__all__ = ["CLUSTER", "Server", "drop_database", "fresh_database", "running_cluster", "start", "stop"]

_NAMES = itertools.count(1)


def fresh_database(servers: Sequence[Server], *, create_schema: bool = True) -> str:
    """A new database on every server; the URL of it on the first. With `create_schema`, the
    fpmscope tables (Distributed over the cluster when there are several servers)."""
    name = f"t{os.getpid()}_{next(_NAMES)}"
    for server in servers:
        admin = connect(server.url)
        try:
            admin.execute(f"CREATE DATABASE {name}")
        finally:
            admin.close()
    url = f"clickhouse://127.0.0.1:{servers[0].tcp_port}/{name}"
    if create_schema:
        store = connect(url)
        try:
            schema.create(store, CLUSTER if len(servers) > 1 else None)
        finally:
            store.close()
    return url


def drop_database(servers: Sequence[Server], url: str) -> None:
    name = url.rsplit("/", 1)[1]
    for server in servers:
        admin = connect(server.url)
        try:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
        finally:
            admin.close()
