"""Reports a user saves: a query over the report views under a title of their own, kept in the
workspace (table `own_reports`) for everyone who uses it, next to the ready-made ones
(reports.SAVED_REPORTS). The Reports page and `ecluse reports` call these.

A report is checked before it is saved (reports.check_query: read-only, one query, every name
known), so a saved report runs unless the views change under it; `name` is its handle: the
title as a file name's words ("TVA par client" -> "tva-par-client")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..connectors import Said
from ..workspace import Workspace
from . import reports
from .reports import ReportError

MAX_TITLE = 80


@dataclass(frozen=True)
class OwnReport:
    name: str
    title: str
    sql: str
    totals_sql: str | None
    saved_by: str
    saved_at: dt.datetime


def name_of(title: str) -> str:
    """The handle a title gives: its words, lower case, without accents, joined by hyphens."""
    return reports._slug(title)


def _ready_made(name: str) -> bool:
    return name.replace("-", "_") in reports.SAVED_REPORTS


def all_reports(ws: Workspace) -> list[OwnReport]:
    """Every saved report, by title."""
    with ws.db.read() as con:
        rows = con.execute("SELECT name, title, sql, totals_sql, saved_by, saved_at FROM own_reports "
                           "ORDER BY lower(title), name").fetchall()
    return [OwnReport(*row) for row in rows]


def get(ws: Workspace, name: str) -> OwnReport:
    found = next((r for r in all_reports(ws) if r.name == name), None)
    if found is None:
        raise ReportError(f"no saved report is named {name!r} (`ecluse reports list` shows them)",
                          Said("report.unknown_saved", {"name": name}))
    return found


def query_of(ws: Workspace, name: str) -> str:
    """The query of a report by its handle: a ready-made one ("monthly-totals" or
    "monthly_totals") or a saved one."""
    if _ready_made(name):
        return reports.SAVED_REPORTS[name.replace("-", "_")][1]
    return get(ws, name).sql


def save(ws: Workspace, title: str, sql: str, *, actor: str, totals_sql: str | None = None,
         replace: str | None = None) -> OwnReport:
    """Save `sql` as `title`. A title another saved report already has is refused unless that
    report is `replace` (its name: the report being updated, which may also be renamed);
    a ready-made report's name is refused. The query must run (reports.check_query)."""
    title = " ".join(title.split())
    name = name_of(title)
    if not name:
        raise ReportError("give the report a title (letters or digits)", Said("report.no_title", {}))
    if len(title) > MAX_TITLE:
        raise ReportError(f"a report's title is {MAX_TITLE} characters at most",
                          Said("report.long_title", {"n": MAX_TITLE}))
    if _ready_made(name):
        raise ReportError(f"{title!r} is the name of a ready-made report: choose another title",
                          Said("report.title_ready_made", {"title": title}))
    reports.check_query(ws, sql)
    sql = sql.strip().rstrip(";").strip()
    now = dt.datetime.now(dt.timezone.utc)
    with ws.db.write() as con:
        taken = con.execute("SELECT title FROM own_reports WHERE name = ?", [name]).fetchone()
        if taken and name != replace:
            raise ReportError(f"a saved report is already called {taken[0]!r}: choose another title, or pick "
                              "that report and update it", Said("report.title_taken", {"title": taken[0]}))
        if replace is not None:
            gone = con.execute("DELETE FROM own_reports WHERE name = ? RETURNING name", [replace]).fetchall()
            if not gone:
                raise ReportError(f"no saved report is named {replace!r}: it was deleted meanwhile",
                                  Said("report.unknown_saved", {"name": replace}))
        con.execute("INSERT INTO own_reports VALUES (?, ?, ?, ?, ?, ?)", [name, title, sql, totals_sql, actor, now])
    return OwnReport(name, title, sql, totals_sql, actor, now)


def delete(ws: Workspace, name: str) -> OwnReport:
    """Delete a saved report; returns what it was."""
    with ws.db.write() as con:
        row = con.execute("DELETE FROM own_reports WHERE name = ? "
                          "RETURNING name, title, sql, totals_sql, saved_by, saved_at", [name]).fetchone()
    if row is None:
        raise ReportError(f"no saved report is named {name!r} (`ecluse reports list` shows them)",
                          Said("report.unknown_saved", {"name": name}))
    return OwnReport(*row)
