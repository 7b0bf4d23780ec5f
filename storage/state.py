"""A connector's state between runs: `sync_state.state` (JSON text) plus, for top-level values
whose JSON exceeds PART_BYTES, one `sync_state_parts` row each (migration 7).

Written with every page in the page's transaction. A large value (the Harvest connector's
clients) is written again only when its text changed since this run last wrote it, so a
cursor moving each page does not carry a megabyte along.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import duckdb

from ..domain import json_compact, json_loads, shown_value

PART_BYTES = 4096


class StateNotJson(ValueError):
    """A connector's state holds a value JSON would not give back as it is (a date, a set, a
    tuple, a Decimal, NaN, an object): the next run would resume from something else."""


def _plain(value: Any) -> bool:
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return True
    if t is float:
        return math.isfinite(value)
    if t is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if t is list:
        return all(_plain(v) for v in value)
    return False


def _where_not_plain(value: Any, path: str) -> str:
    """The first value of `value` that `_plain` refuses, said with its path (on failure only)."""
    if type(value) is dict:
        for k, v in value.items():
            if type(k) is not str:
                return f"{path}: the key {k!r} is not a str"
            if not _plain(v):
                return _where_not_plain(v, f"{path}.{k}")
    elif type(value) is list:
        for i, v in enumerate(value):
            if not _plain(v):
                return _where_not_plain(v, f"{path}[{i}]")
    return f"{path}: {shown_value(value)}"


def check_plain(key: str, value: Any) -> None:
    """Raise StateNotJson unless `value` is made of dicts with str keys, lists, str, int,
    bool, finite floats (they come back as Decimal) and None."""
    if not _plain(value):
        raise StateNotJson(_where_not_plain(value, key))


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
    if not isinstance(state, dict):
        raise StateNotJson(f"expected a dict, got {type(state).__name__}")
    small: dict[str, Any] = {}
    parts: dict[str, str] = {}
    for key, value in state.items():
        if type(key) is not str:
            raise StateNotJson(f"the key {key!r} is not a str")
        try:
            text = json_compact(value)
        except (TypeError, ValueError):  # a set, an object
            raise StateNotJson(_where_not_plain(value, key)) from None
        if len(text) > PART_BYTES:
            parts[key] = text
        else:
            check_plain(key, value)
            small[key] = value
    for key, text in parts.items():
        if stored.get(key) != text:
            check_plain(key, state[key])  # a large value, checked only when it changed
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
