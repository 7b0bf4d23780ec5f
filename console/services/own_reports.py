"""Reports a user saves: a query over the report views under a title of their own, kept in the
workspace (table `own_reports`) for everyone who uses it, next to the ready-made ones
(reports.SAVED_REPORTS). The Reports page and `ecluse reports` call these.

What happens to them is logged (`own_reports_log`, `history`): who saved, updated, replaced
or deleted which report, and when; a deleted report's query stays there.

A report is checked before it is saved (reports.check_query: read-only, one query, every view
and column known; it is not run), and `name` is its handle: the title as a file name's words
("TVA par client" -> "tva-par-client"). Wherever a name is asked for, the title works too."""
from __future__ import annotations

import datetime as dt
import re
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


@dataclass(frozen=True)
class LogEntry:
    """A row of own_reports_log: what `actor` did to a saved report at `at`."""
    at: dt.datetime
    actor: str
    action: str  # saved | updated | replaced | deleted
    name: str
    title: str
    sql: str
    previous_name: str | None = None
    previous_title: str | None = None


def name_of(title: str) -> str:
    """A title's words as a handle: lower case, without accents, joined by hyphens ("TVA par
    client" -> "tva-par-client"); empty when none of its letters has a Latin form. Two titles may
    give one handle ("CA en €", "CA en $"): a saved report's `name` is made unique (`_free_name`)."""
    return reports._slug(title)


def same_title(a: str, b: str) -> bool:
    """Two titles are one when they differ only by case, accents or spacing."""
    return reports.plain_text(a) == reports.plain_text(b)


def ready_made(name: str) -> str | None:
    """The ready-made report a name or title is, in either language ("monthly-totals",
    "Totaux mensuels par connexion et statut"): its key, else None."""
    for key, (titles, _sql) in reports.SAVED_REPORTS.items():
        if any(same_title(name, t) or (name_of(name) and name_of(name) == name_of(t))
               for t in (reports.handle(key), key, *titles.split(" / "))):
            return key
    return None


def all_reports(ws: Workspace) -> list[OwnReport]:
    """Every saved report, by title."""
    with ws.db.read() as con:
        return _all(con)


def _all(con) -> list[OwnReport]:
    rows = con.execute(f"SELECT {_COLUMNS} FROM own_reports ORDER BY lower(title), name").fetchall()
    return [OwnReport(*row) for row in rows]


def get(ws: Workspace, name: str) -> OwnReport:
    """A saved report by its name or its title."""
    found = _find(all_reports(ws), name)
    if found is None:
        raise _unknown(name)
    return found


def _find(saved: list[OwnReport], name: str) -> OwnReport | None:
    return next((r for r in saved if r.name == name), None) or next(
        (r for r in saved if same_title(r.title, name)), None)


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
         replace: str | None = None, expected: dt.datetime | None = None,
         overwrite: str | None = None, overwrite_title: bool = False) -> OwnReport:
    """Save `sql` as `title`.

    - `replace`: the name of the saved report this updates (renamed if the title changed);
      refused if it is gone meanwhile, or, given `expected` (its `saved_at` as the user read
      it), if someone saved it again since: their work is not overwritten unseen.
    - `overwrite`: the name of another saved report that has this title, replaced on purpose;
      `overwrite_title`: whichever has it (the CLI's --replace), found in the same transaction.
    - Otherwise a title another saved report has (`same_title`) is refused, and so is a
      ready-made report's. Replacing a report with the same query keeps its totals."""
    title = " ".join(title.split())
    if not any(c.isalnum() for c in title):
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
        saved = _all(con)
        replaced = next((r for r in saved if r.name == replace), None) if replace else None
        if replace and replaced is None:
            raise ReportError(f"the saved report {replace!r} was deleted or renamed meanwhile: nothing was saved",
                              Said("report.gone", {"name": replace}))
        if replaced and expected is not None and replaced.saved_at != expected:
            raise _changed(replaced, "saved")
        taken = next((r for r in saved if same_title(r.title, title) and r.name != replace), None)
        if taken and taken.name != overwrite and not overwrite_title:
            raise ReportError(f"a saved report is already called {taken.title!r}: choose another title, or "
                              "replace it", Said("report.title_taken", {"title": taken.title, "name": taken.name}))
        gone = {n for n in (replace, taken.name if taken else None) if n}
        before = replaced or taken
        if totals_sql is None and before is not None and before.sql == sql:
            totals_sql = before.totals_sql  # the same query: its totals still hold
        name = _free_name(title, {r.name for r in saved} - gone, keep=replaced.name if replaced else None)
        if gone:
            con.execute("DELETE FROM own_reports WHERE name IN (SELECT unnest(?))", [sorted(gone)])
        con.execute("INSERT INTO own_reports VALUES (?, ?, ?, ?, ?, ?)", [name, title, sql, totals_sql, actor, now])
        if taken is not None:
            _log(con, LogEntry(now, actor, "replaced", taken.name, taken.title, taken.sql))
        if replaced is None:
            _log(con, LogEntry(now, actor, "saved", name, title, sql))
        else:
            _log(con, LogEntry(now, actor, "updated", name, title, sql,
                               replaced.name if replaced.name != name else None,
                               replaced.title if replaced.title != title else None))
    return OwnReport(name, title, sql, totals_sql, actor, now)


def _free_name(title: str, used: set[str], keep: str | None) -> str:
    """The title's handle, unless another report has it: then with -2, -3…; a report updated under
    a title of the same handle keeps its own (`keep`), so its links and scripts go on working."""
    base = name_of(title) or "report"
    if keep is not None and re.fullmatch(re.escape(base) + r"(-\d+)?", keep):
        return keep
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base}-{n}"
    return name


def delete(ws: Workspace, name: str, *, actor: str, expected: dt.datetime | None = None) -> OwnReport:
    """Delete a saved report (by its name or title) in `actor`'s name; returns what it was (its
    query stays in the log). Given `expected` (its `saved_at` as the user read it), a version
    saved since is not deleted unseen."""
    with ws.db.write() as con:
        found = _find(_all(con), name)
        if found is None:
            raise _unknown(name)
        if expected is not None and found.saved_at != expected:
            raise _changed(found, "deleted")
        con.execute("DELETE FROM own_reports WHERE name = ?", [found.name])
        _log(con, LogEntry(dt.datetime.now(dt.timezone.utc), actor, "deleted", found.name, found.title, found.sql))
    return found


_LOG_COLUMNS = "happened_at, actor, action, name, title, sql, previous_name, previous_title"


def _log(con, entry: LogEntry) -> None:
    con.execute(f"INSERT INTO own_reports_log ({_LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [entry.at, entry.actor, entry.action, entry.name, entry.title, entry.sql, entry.previous_name,
                 entry.previous_title])


def history(ws: Workspace, name: str | None = None) -> list[LogEntry]:
    """What happened to the saved reports, newest first; with `name` (a handle or a title, the
    report's now or earlier), to the reports that bore that name: before and after a rename."""
    with ws.db.read() as con:
        rows = con.execute(f"SELECT {_LOG_COLUMNS} FROM own_reports_log ORDER BY happened_at DESC, rowid DESC").fetchall()
    entries = [LogEntry(*row) for row in rows]
    if name is None:
        return entries
    names = {e.name for e in entries if e.name == name or same_title(e.title, name)}
    renames = [(e.previous_name, e.name) for e in entries if e.previous_name]
    while True:  # a rename links a handle to the one before and the one after
        linked = names | {new for old, new in renames if old in names} | {old for old, new in renames if new in names}
        if linked == names:
            break
        names = linked
    return [e for e in entries if e.name in names]


def last_change(ws: Workspace, name: str) -> LogEntry | None:
    """What last happened to the report of this handle: said when it is gone from the list
    (deleted, or renamed: then the entry's `previous_name` is `name`)."""
    with ws.db.read() as con:
        row = con.execute(f"SELECT {_LOG_COLUMNS} FROM own_reports_log WHERE name = ? OR previous_name = ? "
                          "ORDER BY happened_at DESC, rowid DESC LIMIT 1", [name, name]).fetchone()
    return LogEntry(*row) if row else None


def _changed(report: OwnReport, what: str) -> ReportError:
    return ReportError(f"{report.title!r} was saved again by {report.saved_by} meanwhile: nothing was {what}; pick it "
                       "again to see their version", Said("report.changed_meanwhile", {
                           "title": report.title, "who": report.saved_by}))
