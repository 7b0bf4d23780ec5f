"""Reconciliation views over the cache: monthly totals, review backlog age, drill-down.

Plain Python and SQL: every aggregation runs in DuckDB and returns a few small rows (one per
month × connection × status), never the documents themselves, so a chart over a large cache
stays cheap. Credit notes carry negative totals, so a sum is already net of them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain import CUSTOMER_KINDS, KINDS, TO_REVIEW
from ..workspace import Workspace

SIDES = ("sales", "purchases")
# Age buckets of the review backlog, in days: (code, first day, last day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7), ("8-30", 8, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None),
)
AGE_BASES = ("issue_date", "waiting")  # age of the invoice, or time spent waiting in review


def _kinds(side: str | None) -> list[str]:
    if side is None:
        return list(KINDS)
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; choose one of {', '.join(SIDES)}")
    return [k for k in KINDS if (k in CUSTOMER_KINDS) == (side == "sales")]


def _where(connection: str | None, currency: str | None, side: str | None, alias: str = "") -> tuple[str, list[Any]]:
    a = f"{alias}." if alias else ""
    clauses, params = [f"{a}issue_date IS NOT NULL", f"{a}kind IN (SELECT unnest(?))"], [_kinds(side)]
    if connection:
        clauses.append(f"{a}connection = ?")
        params.append(connection)
    if currency:
        clauses.append(f"{a}currency = ?")
        params.append(currency)
    return " AND ".join(clauses), params


def _rows(cur: Any) -> list[dict[str, Any]]:
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def connections(ws: Workspace) -> list[str]:
    """Connections configured or present in the cache (a removed connection keeps its documents)."""
    with ws.db.read() as con:
        cached = {r[0] for r in con.execute("SELECT DISTINCT connection FROM documents").fetchall()}
    return sorted(cached | set(ws.connections()))


def currencies(ws: Workspace) -> list[tuple[str, int]]:
    """Currencies present in the cache with their document counts, most used first."""
    with ws.db.read() as con:
        return [(r[0], int(r[1])) for r in con.execute(
            "SELECT currency, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()]


def monthly_totals(
    ws: Workspace, connection: str | None = None, *, currency: str | None = "EUR", side: str | None = None,
) -> list[dict[str, Any]]:
    """Per month × connection × status × currency: document count and the sums of the totals."""
    where, params = _where(connection, currency, side)
    with ws.db.read() as con:
        return _rows(con.execute(
            "SELECT date_trunc('month', issue_date)::DATE AS month, connection, status, currency, "
            "count(*) AS documents, sum(total_before_tax) AS total_before_tax, sum(total) AS total "
            f"FROM documents WHERE {where} GROUP BY ALL ORDER BY month, connection, status, currency",
            params,
        ))


def _age_expression(basis: str) -> str:
    if basis == "issue_date":
        return "date_diff('day', issue_date, ?::DATE)"
    if basis == "waiting":
        return "date_diff('day', CAST(status_changed_at AS DATE), ?::DATE)"
    raise ValueError(f"unknown basis {basis!r}; choose one of {', '.join(AGE_BASES)}")


def _bucket_case(age: str) -> str:
    parts = [f"WHEN {age} <= {last} THEN '{code}'" for code, _first, last in AGE_BUCKETS if last is not None]
    return f"CASE {' '.join(parts)} ELSE '{AGE_BUCKETS[-1][0]}' END"


def backlog_age(
    ws: Workspace, *, basis: str = "issue_date", today: dt.date | None = None, connection: str | None = None,
) -> list[dict[str, Any]]:
    """Documents awaiting review per age bucket and connection (buckets in AGE_BUCKETS order)."""
    today = today or dt.date.today()
    age = _age_expression(basis)
    clauses, params = ["status = ?"], [TO_REVIEW]
    if basis == "issue_date":
        clauses.append("issue_date IS NOT NULL")
    if connection:
        clauses.append("connection = ?")
        params.append(connection)
    order = [code for code, _f, _l in AGE_BUCKETS]
    with ws.db.read() as con:
        rows = _rows(con.execute(
            f"SELECT bucket, connection, count(*) AS documents, "
            f"sum(error_count > 0)::INTEGER AS with_errors FROM ("
            f"  SELECT {_bucket_case('age')} AS bucket, connection, error_count "
            f"  FROM (SELECT {age} AS age, connection, error_count FROM documents WHERE {' AND '.join(clauses)})"
            f") GROUP BY ALL",
            [today] + params,
        ))
    return sorted(rows, key=lambda r: (order.index(r["bucket"]), r["connection"]))


def documents_for(
    ws: Workspace, month: dt.date | None = None, status: str | None = None, connection: str | None = None, *,
    currency: str | None = "EUR", side: str | None = None, limit: int = 500,
) -> tuple[list[dict[str, Any]], int]:
    """The documents behind one bar of `monthly_totals` (any argument left None: all), and their count."""
    where, params = _where(connection, currency, side, alias="d")
    if month is not None:
        where += " AND date_trunc('month', d.issue_date)::DATE = ?"
        params.append(month.replace(day=1))
    if status:
        where += " AND d.status = ?"
        params.append(status)
    with ws.db.read() as con:
        total = con.execute(
            f"SELECT count(*) FROM documents d WHERE {where}", params
        ).fetchone()[0]
        rows = _rows(con.execute(
            "SELECT d.id, d.connection, d.kind, d.number, d.issue_date, c.name AS counterparty, "
            "d.total_before_tax, d.total, d.currency, d.status, d.error_count, d.warning_count "
            "FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id "
            f"WHERE {where} ORDER BY d.issue_date, d.number, d.id LIMIT ?",
            params + [int(limit)],
        ))
    return rows, int(total)


def pending_attachments(ws: Workspace) -> list[str]:
    """Ids of the documents whose PDF the source will deliver later."""
    with ws.db.read() as con:
        return [r[0] for r in con.execute(
            "SELECT id FROM documents WHERE attachment_pending ORDER BY issue_date, id"
        ).fetchall()]
