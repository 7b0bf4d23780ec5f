"""Reports a user saves: a query over the report views under a title of their own, kept in the
workspace (table `own_reports`) for everyone who uses it, next to the ready-made ones
(reports.SAVED_REPORTS). The Reports page and `ecluse reports` call these.

A report is checked before it is saved (reports.check_query: read-only, one query, every view
and column known; it is not run), and `name` is its handle: the title as a file name's words
("TVA par client" -> "tva-par-client"). Wherever a name is asked for, the title works too."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from ..connectors import Said
from ..workspace import Workspace
from . import reports
from .reports import ReportError

MAX_TITLE = 80
_COLUMNS = "name, title, sql, totals_sql, saved_by, saved_at"


@dataclass(frozen=True)
class OwnReport:
    name: str
    title: str
    sql: str
    totals_sql: str | None
    saved_by: str
    saved_at: dt.datetime


def name_of(title: str) -> str:
    """The handle a title gives: its words, lower case, without accents, joined by hyphens; a
    title in another script ("Отчёт") gets one from its digest. Empty: no letter or digit."""
    name = reports._slug(title)
    if not name and any(c.isalnum() for c in title):
        name = "report-" + hashlib.sha1(" ".join(title.split()).lower().encode()).hexdigest()[:8]
    return name


def ready_made(name: str) -> str | None:
    """The ready-made report a name or title is, in either language ("monthly-totals",
    "Totaux mensuels par connexion et statut"): its key, else None."""
    name = name_of(name)
    for key, (titles, _sql) in reports.SAVED_REPORTS.items():
        if name in (name_of(key), *(name_of(t) for t in titles.split(" / "))):
            return key
    return None


def all_reports(ws: Workspace) -> list[OwnReport]:
    """Every saved report, by title."""
    with ws.db.read() as con:
        rows = con.execute(f"SELECT {_COLUMNS} FROM own_reports ORDER BY lower(title), name").fetchall()
    return [OwnReport(*row) for row in rows]


def get(ws: Workspace, name: str) -> OwnReport:
    """A saved report by its name or its title."""
    found = next((r for r in all_reports(ws) if r.name in (name, name_of(name))), None)
    if found is None:
        raise _unknown(name)
    return found


def _unknown(name: str) -> ReportError:
    if ready_made(name):
        return ReportError(f"{name!r} is a ready-made report: it cannot be changed or deleted",
                           Said("report.is_ready_made", {"name": name}))
    return ReportError(f"no saved report is named {name!r} (`ecluse reports list` shows them)",
                       Said("report.unknown_saved", {"name": name}))


def query_of(ws: Workspace, name: str) -> str:
    """The query of a report by its name or title: a ready-made one or a saved one."""
    key = ready_made(name)
    return reports.SAVED_REPORTS[key][1] if key else get(ws, name).sql


def save(ws: Workspace, title: str, sql: str, *, actor: str, totals_sql: str | None = None,
         replace: str | None = None, overwrite: bool = False) -> OwnReport:
    """Save `sql` as `title`. `replace`: the name of the saved report this updates (renamed if
    the title changed; refused if it is gone meanwhile). `overwrite`: a saved report of the same
    title is replaced. Otherwise a title another saved report has is refused, and so is a
    ready-made report's. Replacing a report with the same query keeps its totals."""
    title = " ".join(title.split())
    name = name_of(title)
    if not name:
        raise ReportError("give the report a title (letters or digits)", Said("report.no_title", {}))
    if len(title) > MAX_TITLE:
        raise ReportError(f"a report's title is {MAX_TITLE} characters at most (this one has {len(title)})",
                          Said("report.long_title", {"n": MAX_TITLE, "length": len(title)}))
    if ready_made(title):
        raise ReportError(f"{title!r} is the name of a ready-made report: choose another title",
                          Said("report.title_ready_made", {"title": title}))
    reports.check_query(ws, sql)
    sql = sql.strip().rstrip(";").strip()
    now = dt.datetime.now(dt.timezone.utc)
    with ws.db.write() as con:
        def row(of: str) -> OwnReport | None:
            found = con.execute(f"SELECT {_COLUMNS} FROM own_reports WHERE name = ?", [of]).fetchone()
            return OwnReport(*found) if found else None

        taken, replaced = row(name), row(replace) if replace else None
        if replace and replaced is None:
            raise ReportError(f"the saved report {replace!r} was deleted meanwhile: nothing was saved",
                              Said("report.gone", {"name": replace}))
        if taken and taken.name != replace and not overwrite:
            raise ReportError(f"a saved report is already called {taken.title!r}: choose another title, or "
                              "replace it", Said("report.title_taken", {"title": taken.title, "name": taken.name}))
        before = replaced or taken
        if totals_sql is None and before is not None and before.sql == sql:
            totals_sql = before.totals_sql  # the same query: its totals still hold
        con.execute("DELETE FROM own_reports WHERE name IN (?, ?)", [name, replace or name])
        con.execute("INSERT INTO own_reports VALUES (?, ?, ?, ?, ?, ?)", [name, title, sql, totals_sql, actor, now])
    return OwnReport(name, title, sql, totals_sql, actor, now)


def delete(ws: Workspace, name: str) -> OwnReport:
    """Delete a saved report (by its name or title); returns what it was."""
    with ws.db.write() as con:
        row = con.execute(f"DELETE FROM own_reports WHERE name IN (?, ?) RETURNING {_COLUMNS}",
                          [name, name_of(name)]).fetchone()
    if row is None:
        raise _unknown(name)
    return OwnReport(*row)
