"""Fleets: ClickHouse as the shared store of many hosts' probe records and access-log hits."""
