"""`fpmscope clickhouse schema`: the ClickHouse tables of a fleet, printed or created."""

from __future__ import annotations

import click

from fpmscope.fleet import schema as fleet_schema
from fpmscope.fleet.store import opened, parse_url


@click.group()
def clickhouse() -> None:
    """ClickHouse as the shared store of a fleet (see docs/fleet.md)."""


@clickhouse.command()
@click.option(
    "--create", "url", default=None, metavar="URL", help="Create the tables there: clickhouse://... or chdb:PATH."
)
@click.option(
    "--cluster",
    default=None,
    metavar="NAME",
    help="Per-shard tables on every server of this remote_servers cluster, and Distributed tables sharded by host.",
)
@click.option(
    "--database", default=None, metavar="DB", help="Database the printed DDL names (default: the URL's, else default)."
)
def schema(url: str | None, cluster: str | None, database: str | None) -> None:
    """Print the DDL of fpmscope_records (probe records) and fpmscope_hits (access-log requests).

    With --create URL, apply it (idempotent: tables that exist are kept). Rows are
    ReplacingMergeTree, keyed by each request's identity: a record sent twice counts once.
    """
    target_db = database or (parse_url(url).database if url and not url.startswith("chdb:") else "default")
    if url is None:
        click.echo(";\n\n".join(fleet_schema.ddl(target_db, cluster)) + ";")
        return
    with opened(url) as store:
        where = fleet_schema.create(store, cluster)
    shown = ", ".join(where)
    kind = f"Distributed over cluster {cluster}" if cluster else "tables"
    click.echo(f"Created fpmscope {kind} on {shown}", err=True)
