"""Fixtures of the fleet tests: a real 18.16 server, a two-shard cluster, a chdb store.

The servers are session-scoped (started once, ~1 s each) and every test gets a fresh database
on them; they fail, never skip, when clickhouse-server is missing (scripts/setup.sh installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fpmscope.fleet import schema
from fpmscope.fleet.store import ChdbStore, connect
from tests.fleet.servers import Server, drop_database, fresh_database, running_cluster


@pytest.fixture(scope="session")
def clickhouse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One clickhouse-server (Debian's 18.16) on loopback, for the whole session."""
    with running_cluster(tmp_path_factory.mktemp("clickhouse"), shards=1) as servers:
        yield servers[0]


@pytest.fixture(scope="session")
def clickhouse_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Two clickhouse-servers, the two shards of the cluster `fpmscope`, for the whole session."""
    with running_cluster(tmp_path_factory.mktemp("clickhouse-cluster"), shards=2) as servers:
        yield servers


@pytest.fixture
def ch_single(clickhouse_server: Server) -> Iterator[str]:
    """URL of a fresh database with the fpmscope tables on the single server."""
    url = fresh_database([clickhouse_server])
    yield url
    drop_database([clickhouse_server], url)


@pytest.fixture
def ch_distributed(clickhouse_cluster: list[Server]) -> Iterator[str]:
    """URL (on the first shard) of a fresh database whose fpmscope tables are Distributed over
    the two shards, sharded by host."""
    url = fresh_database(clickhouse_cluster)
    yield url
    drop_database(clickhouse_cluster, url)


@pytest.fixture
def chdb_store(tmp_path: Path) -> Iterator[str]:
    """URL of a chdb store (ClickHouse 26.x in process) in a temp dir, with the fpmscope tables."""
    url = f"chdb:{tmp_path / 'chdb'}"
    store = connect(url)
    schema.create(store)
    yield url
    ChdbStore.close_all()
