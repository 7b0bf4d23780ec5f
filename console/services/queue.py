"""The review queue as the Review page draws it: one unit of work per screen, all in DuckDB.

No process keeps the database open between units of work (see storage/db.py), so each one
opens the file afresh and reads the columns it needs from it: opening costs more than any
of the page's queries. A screen of the queue is therefore read in one unit of work
(`page`): the connections the filter bar offers, the count of open problems, the number of
documents matching the filters, how many documents awaiting review could be approved in
one go (no error; same filters except status and findings: the set
`review.approve_all_valid` acts on), and one page of them, sorted and paged in DuckDB.
Duplicate checks a dead sync left behind are done first, in a unit of work of their own
(`sync.finish_left_checks`; nothing to do, one cheap query, in the usual case).

Same filters, columns and order as `review.list_documents`, which the CLI uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..workspace import Workspace
from .review import (
    AWAITING_CLEAN, JOIN_COUNTERPARTY, SUSPECTED_DUPLICATE, VALID, Filters, count_open_problems, page_rows,
    row_position,
)
from .sync import finish_left_checks

_USES_COUNTERPARTY = re.compile(r"\bc\.")


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    approvable: int  # of the documents the filters show, those awaiting review without error
    connections: list[str] = field(default_factory=list)  # configured or present in the cache
    open_problems: int = 0
    approvable_warned: int = 0  # of `approvable`, those with a warning (approved too)
    # awaiting review without error, but a suspected duplicate no reviewer answered: left out of `approvable`
    duplicates_open: int = 0


def page(
    ws: Workspace, filters: Filters | None = None, *, sort: str = "issue_date", descending: bool = True,
    limit: int = 50, offset: int = 0, pdf_pending: bool = False,
) -> Page:
    """One screen of the queue in one unit of work. `pdf_pending` keeps only documents whose
    PDF the source will deliver later."""
    filters = filters or Filters()
    where, params = _where(filters, pdf_pending)
    # The counterparty (one at most per document) only matters to a filter on its name.
    join = JOIN_COUNTERPARTY if _USES_COUNTERPARTY.search(where) else ""
    valid = VALID
    with ws.db.read() as con:
        finish_left_checks(ws, con)
        cached = [r[0] for r in con.execute("SELECT DISTINCT connection FROM documents").fetchall()]
        problems = count_open_problems(con, filters.connection)  # of the connections filtered on
        # One scan for the three counts: what the filters show, and of it what "approve all
        # valid" would approve (review.approve_all_valid), with a warning or not.
        total, approvable, warned, duplicates_open = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {valid}), "
            f"count(*) FILTER (WHERE {valid} AND d.warning_count > 0), "
            f"count(*) FILTER (WHERE {AWAITING_CLEAN} AND {SUSPECTED_DUPLICATE}) "
            f"FROM documents d {join} WHERE {where}",
            params,
        ).fetchone()
        rows: list[dict[str, Any]] = []
        if limit > 0 and total:
            rows = page_rows(con, where, params, sort=sort, descending=descending, limit=limit, offset=offset)
    return Page(rows, int(total), int(approvable), sorted(set(cached) | set(ws.connections())), int(problems),
                int(warned), int(duplicates_open))


def _where(filters: Filters, pdf_pending: bool) -> tuple[str, list[Any]]:
    """The queue's WHERE clause: the filters, and only documents whose PDF comes later when asked."""
    where, params = filters.where()
    return (where + " AND d.attachment_pending" if pdf_pending else where), params


def position(ws: Workspace, filters: Filters | None, doc_id: str, *, sort: str = "issue_date",
             descending: bool = True, pdf_pending: bool = False) -> int | None:
    """Where a document stands in the queue as `page` sorts and filters it (0-based), or None
    when the filters leave it out: the page to show a document that moved off the screen on."""
    where, params = _where(filters or Filters(), pdf_pending)
    with ws.db.read() as con:
        return row_position(con, where, params, sort=sort, descending=descending, doc_id=doc_id)


def counterparty_documents(ws: Workspace, counterparty_id: str | None) -> int:
    """How many documents a counterparty fix applies to."""
    if not counterparty_id:
        return 0
    with ws.db.read() as con:
        return int(con.execute("SELECT count(*) FROM documents WHERE counterparty_id = ?",
                               [counterparty_id]).fetchone()[0])
