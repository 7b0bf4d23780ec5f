"""Short-lived (or briefly held) DuckDB connections with bounded retry on lock conflicts.

DuckDB lets one process at a time open a database file for writing (and a writer excludes
readers in other processes). The console and a scheduled `ecluse sync` must share one
workspace, so no process keeps the file open for long: every unit opens, works in one
transaction, commits and closes; a sync's pages share one connection for a few seconds at a
time (`Database.held`). A conflicting lock is retried with backoff
for `lock_timeout` seconds, then `WorkspaceBusy` tells the user who holds it.
"""
from __future__ import annotations

import contextlib
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import duckdb

from .migrate import migrate

DEFAULT_LOCK_TIMEOUT = float(os.environ.get("ECLUSE_LOCK_TIMEOUT", "30"))

# How long `Database.held()` may keep the file open across units of work before letting it
# go (closing checkpoints; another process waiting for the lock gets its turn meanwhile).
HOLD_SECONDS = float(os.environ.get("ECLUSE_HOLD_SECONDS", "5"))

# "Unique file handle conflict": another thread of this process is opening or closing the file.
_LOCK_PATTERNS = ("Could not set lock", "Conflicting lock", "different configuration",
                  "Unique file handle conflict")


class WorkspaceBusy(RuntimeError):
    """The database stayed locked by another process for longer than the bound."""


def dict_rows(cur: Any) -> list[dict[str, Any]]:
    """The rest of a query's result as dicts keyed by column name."""
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _is_lock_error(exc: Exception) -> bool:
    return any(p in str(exc) for p in _LOCK_PATTERNS)


def _holder(exc: Exception) -> str:
    m = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
    return f"{Path(m.group(1)).name} (PID {m.group(2)})" if m else "another connection"


class Database:
    """One workspace's DuckDB file. Thread-safe: each unit of work gets its own connection."""

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float | None = None) -> None:
        self.path = Path(path)
        self.lock_timeout = DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout
        self._migrated = False
        self._migrate_lock = threading.Lock()
        self._held = threading.local()  # .con, .since, .max_seconds of this thread's held()

    def _open(self, read_only: bool = False, config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=config or {})
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                if not _is_lock_error(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise WorkspaceBusy(
                        f"the workspace database {self.path} is in use by {_holder(exc)} and "
                        f"stayed locked for {self.lock_timeout:.0f} s; wait for that work to "
                        "finish (a sync or a send) and try again"
                    ) from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)

    def ensure_schema(self) -> None:
        if self._migrated:
            return
        with self._migrate_lock:
            if self._migrated:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = self._open()
            try:
                migrate(con)
            finally:
                con.close()
            self._migrated = True

    @contextlib.contextmanager
    def held(self, max_seconds: float | None = None) -> Iterator[None]:
        """Within this block, this thread's units of work share one connection, kept open for
        up to `max_seconds` (HOLD_SECONDS) at a time. A sync writes a page per unit of work:
        opening the file and checkpointing it on close for every page cost more than the
        page itself. The connection is let go after each unit of work once the bound is
        reached, so another process waiting for the lock gets in before the next page."""
        held = self._held
        if getattr(held, "max_seconds", None) is not None:
            yield  # nested: the outer block holds
            return
        held.max_seconds = HOLD_SECONDS if max_seconds is None else max_seconds
        try:
            yield
        finally:
            self._let_go()
            held.max_seconds = None

    def _let_go(self) -> None:
        con = getattr(self._held, "con", None)
        self._held.con = None
        if con is not None:
            con.close()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        held = self._held
        if getattr(held, "max_seconds", None) is None:
            con = self._open()
            try:
                yield con
            finally:
                con.close()
            return
        if getattr(held, "con", None) is None:
            held.con, held.since, held.depth = self._open(), time.monotonic(), 0
        held.depth += 1  # a unit of work inside another (a read within a write) shares it
        try:
            yield held.con
        except BaseException:
            held.depth -= 1
            if held.depth == 0:
                self._let_go()
            raise
        held.depth -= 1
        if held.depth == 0 and time.monotonic() - held.since >= held.max_seconds:
            self._let_go()

    @contextlib.contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        self.ensure_schema()
        with self._connection() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for reading. Opened read-write on purpose: within one process DuckDB
        refuses two connections to one file with different settings, and the console reads
        while a sync thread writes."""
        self.ensure_schema()
        with self._connection() as con:
            yield con

    @contextlib.contextmanager
    def sandbox(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection that cannot touch any other file (ad-hoc reports)."""
        self.ensure_schema()
        con = self._open(read_only=True, config={"enable_external_access": False, "lock_configuration": True})
        try:
            yield con
        finally:
            con.close()
