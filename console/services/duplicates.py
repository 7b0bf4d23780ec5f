"""Suspected duplicates, side by side, and the reviewer's answer to each suspicion.

`storage.ingest.refresh_duplicates` flags pairs (same counterparty and number, same
counterparty/date/total, or same PDF, across connections) as `suspected_duplicate` findings
whose field is `duplicate_of:<other id>`. Here the reviewer either

- keeps both (`dismiss`): the pair is stored in `duplicate_dismissals` and never flagged again,
  in either direction, whatever later syncs bring; `restore` undoes it;
- or rejects one of the two (`reject_duplicate`): an ordinary review decision whose reason
  names the twin; the suspicion on the twin is cleared at once.

Every answer is audited on both documents.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..connectors import Said
from ..domain import json_dumps
from ..storage.db import dict_rows
from ..storage.ingest import recount_ids, refresh_duplicates_of
from ..workspace import Workspace
from . import review
from .review import ReviewError

FIELD_PREFIX = "duplicate_of:"

# What the side-by-side view shows of each document.
_SUMMARY = """
    d.id, d.connection, d.source_id, d.kind, d.number, d.issue_date, d.due_date, d.currency,
    d.total_before_tax, d.total_tax, d.total, d.counterparty_id, c.name AS counterparty,
    c.vat_number AS counterparty_vat_number, c.siren AS counterparty_siren, d.status, d.status_reason,
    d.attachment_sha256, d.attachment_filename, d.attachment_pending, d.error_count, d.warning_count,
    d.pennylane_id, d.pennylane_url, d.first_seen_at
"""


def _reasons(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Why two documents look alike, as codes: number, date_total, pdf (the checks of ingest)."""
    out = []
    if a["number"] and a["number"] == b["number"]:
        out.append("number")
    if a["issue_date"] and a["issue_date"] == b["issue_date"] and a["total"] == b["total"]:
        out.append("date_total")
    if a["attachment_sha256"] and a["attachment_sha256"] == b["attachment_sha256"]:
        out.append("pdf")
    return out


def side_by_side(ws: Workspace, doc_id: str) -> dict[str, Any] | None:
    """The document, its suspected twins and the pairs already dismissed, in one read:
    {"document": {...}, "twins": [{..., "reasons": [...], "message": ...}], "dismissed": [...]}."""
    with ws.db.read() as con:
        doc = dict_rows(con.execute(
            f"SELECT {_SUMMARY} FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id WHERE d.id = ?",
            [doc_id]))
        if not doc:
            return None
        twins = dict_rows(con.execute(
            f"SELECT {_SUMMARY}, f.message FROM findings f JOIN documents d ON d.id = substr(f.field, ?) "
            "LEFT JOIN counterparties c ON c.id = d.counterparty_id "
            "WHERE f.document_id = ? AND f.code = 'suspected_duplicate' AND starts_with(f.field, ?) "
            "ORDER BY d.first_seen_at, d.id",
            [len(FIELD_PREFIX) + 1, doc_id, FIELD_PREFIX]))
        dismissed = dict_rows(con.execute(
            f"SELECT {_SUMMARY}, x.actor AS dismissed_by, x.recorded_at AS dismissed_at "
            "FROM duplicate_dismissals x JOIN documents d "
            "ON d.id = CASE WHEN x.document_id = ? THEN x.other_id ELSE x.document_id END "
            "LEFT JOIN counterparties c ON c.id = d.counterparty_id "
            "WHERE ? IN (x.document_id, x.other_id) ORDER BY x.recorded_at",
            [doc_id, doc_id]))
    seen: set[str] = set()
    unique = []
    for twin in twins:  # one finding per pair, but be safe
        if twin["id"] not in seen:
            seen.add(twin["id"])
            twin["reasons"] = _reasons(doc[0], twin)
            unique.append(twin)
    return {"document": doc[0], "twins": unique, "dismissed": dismissed}


def _require(con: Any, ids: list[str]) -> None:
    found = {r[0] for r in con.execute("SELECT id FROM documents WHERE id IN (SELECT unnest(?))", [ids]).fetchall()}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ReviewError(f"no document {missing[0]!r}")


def _audit(con: Any, now: dt.datetime, actor: str, action: str, pair: tuple[str, str], reason: str,
           said: Said) -> None:
    for this, other in (pair, pair[::-1]):
        con.execute(
            "INSERT INTO audit (recorded_at, actor, document_id, action, field, new_value, reason, reason_said) "
            "VALUES (?, ?, ?, ?, 'duplicate_of', ?, ?, ?)",
            [now, actor, this, action, json_dumps(other), reason, review.said_json(said)],
        )


def dismiss(ws: Workspace, doc_id: str, other_id: str, *, actor: str) -> None:
    """"Keep both": the two documents are not duplicates. The suspicion goes away on both and
    is never raised again for this pair (see `storage.ingest.refresh_duplicates`)."""
    if doc_id == other_id:
        raise ReviewError("a document cannot be its own duplicate")
    now = dt.datetime.now(dt.timezone.utc)
    with ws.db.write() as con:
        _require(con, [doc_id, other_id])
        already = con.execute(
            "SELECT count(*) FROM duplicate_dismissals WHERE (document_id = ? AND other_id = ?) "
            "OR (document_id = ? AND other_id = ?)", [doc_id, other_id, other_id, doc_id]).fetchone()[0]
        if already:
            return
        con.execute("INSERT INTO duplicate_dismissals VALUES (?, ?, ?, ?)", [doc_id, other_id, actor, now])
        con.execute(
            "DELETE FROM findings WHERE origin = 'duplicates' AND code = 'suspected_duplicate' AND "
            "((document_id = ? AND field = ?) OR (document_id = ? AND field = ?))",
            [doc_id, FIELD_PREFIX + other_id, other_id, FIELD_PREFIX + doc_id],
        )
        _audit(con, now, actor, "duplicate_dismissed", (doc_id, other_id), "not a duplicate: both kept",
               Said("reason.not_duplicate"))
        recount_ids(con, [doc_id, other_id])


def restore(ws: Workspace, doc_id: str, other_id: str, *, actor: str) -> None:
    """Undo `dismiss`: the pair is checked again now, and flagged if it still looks alike."""
    now = dt.datetime.now(dt.timezone.utc)
    with ws.db.write() as con:
        _require(con, [doc_id, other_id])
        deleted = con.execute(
            "DELETE FROM duplicate_dismissals WHERE (document_id = ? AND other_id = ?) "
            "OR (document_id = ? AND other_id = ?) RETURNING document_id",
            [doc_id, other_id, other_id, doc_id]).fetchall()
        if not deleted:
            return
        _audit(con, now, actor, "duplicate_restored", (doc_id, other_id), "suspected duplicate again",
               Said("reason.duplicate_again"))
        refresh_duplicates_of(con, [doc_id, other_id])


def reject_duplicate(ws: Workspace, doc_id: str, other_id: str, *, actor: str) -> review.DecisionResult:
    """Reject `doc_id` as a duplicate of `other_id` (the reason names the twin); the twin's
    suspicion about this pair is cleared at once rather than at the next sync."""
    if doc_id == other_id:
        raise ReviewError("a document cannot be its own duplicate")
    with ws.db.read() as con:
        row = con.execute("SELECT number FROM documents WHERE id = ?", [other_id]).fetchone()
    if row is None:
        raise ReviewError(f"no document {other_id!r}")
    label = f"{row[0]} ({other_id})" if row[0] else other_id
    said = Said("reason.duplicate_of", {"number": row[0], "id": other_id}) if row[0] else \
        Said("reason.duplicate_of_id", {"id": other_id})
    result = review.decide(ws, "reject", [doc_id], actor=actor, reason=f"duplicate of {label}", said=said)
    if result.done:
        with ws.db.write() as con:
            refresh_duplicates_of(con, [doc_id, other_id])
    return result
