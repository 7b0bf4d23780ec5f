"""A connector's state between runs: `sync_state.state` (JSON text) plus, for top-level values
whose JSON exceeds PART_BYTES, one `sync_state_parts` row each (migration 7).

Written with every page in the page's transaction. A large value (the Harvest connector's
clients) is written again only when its text changed since this run last wrote it, so a
cursor moving each page does not carry a megabyte along.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from ..domain import json_compact, json_loads

PART_BYTES = 4096


def load_state(con: duckdb.DuckDBPyConnection, connection: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(state, texts of its stored parts). Parts count only with their main row: deleting
    `sync_state`'s row (a full re-read) forgets them too (the next `save_state` drops them)."""
    parts = dict(con.execute(
        "SELECT key, value FROM sync_state_parts WHERE connection = ?", [connection]).fetchall())
    row = con.execute("SELECT state FROM sync_state WHERE connection = ?", [connection]).fetchall()
    if not row:
        return {}, parts
    state = json_loads(row[0][0])
    for key, text in parts.items():
        state.setdefault(key, json_loads(text))
    return state, parts


def save_state(
    con: duckdb.DuckDBPyConnection, connection: str, state: dict[str, Any], stored: dict[str, str],
    now: dt.datetime,
) -> dict[str, str]:
    """Write `state`; `stored` is what the parts table holds (from `load_state` or the last
    call). Returns what it holds after this transaction commits (the caller keeps it only then)."""
    small: dict[str, Any] = {}
    parts: dict[str, str] = {}
    for key, value in state.items():
        text = json_compact(value)
        if len(text) > PART_BYTES and isinstance(key, str):
            parts[key] = text
        else:
            small[key] = value
    for key, text in parts.items():
        if stored.get(key) != text:
            con.execute(
                "INSERT INTO sync_state_parts VALUES (?, ?, ?, ?) ON CONFLICT (connection, key) "
                "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [connection, key, text, now])
    gone = [key for key in stored if key not in parts]
    if gone:
        con.execute("DELETE FROM sync_state_parts WHERE connection = ? AND key IN (SELECT unnest(?))",
                    [connection, gone])
    con.execute(
        "INSERT INTO sync_state (connection, state, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (connection) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        [connection, json_compact(small), now])
    return parts
