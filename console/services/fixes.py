"""Reviewer fixes: corrections made in the console, kept across re-syncs, audited.

A fix is stored in `overrides` and applied whenever the document is read for review or for
sending (`storage.documents.load_documents`). It stays until the source itself changes that
field (`storage.ingest` then drops it, with an audit row). Counterparty fixes are stored once
per counterparty and serve all of its documents.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..domain import fixed_account, json_dumps
from ..storage.db import dict_rows
from ..storage.documents import load_documents, source_value, valid_override_field
from ..storage.ingest import refresh_duplicates_of, write_findings
from ..validation import ADDRESS_FIELD, validate, without_incomplete_address, without_missing_said
from ..workspace import Workspace
from ..connectors import Said
from .mappings import check_ledger_account
from .review import ReviewError, accounts_of

EDITABLE_STATUSES = ("to_review", "on_hold", "approved", "failed")


def fix(ws: Workspace, doc_id: str, field: str, value: Any, *, actor: str) -> None:
    """Set `field` of a document (or of its counterparty) to `value`; `None` or "" removes
    the fix and restores the source's value."""
    if not valid_override_field(field):
        raise ReviewError(f"{field!r} cannot be fixed here")
    if isinstance(value, str):
        value = value.strip() or None
    if field == "due_date" and value is not None:
        value = _iso_date(value)
    if field.endswith(".ledger_account") and value is not None:
        # An account number is text, as Corriger and the mappings check it (706100 given as a
        # number is "706100"; "706 100" is "706100"); one that is no account number is refused.
        value = check_ledger_account(str(value))
    if field.endswith("country_alpha2") and value:
        value = value.upper()
        if len(value) != 2 or not value.isalpha():
            raise ReviewError("the country must be an ISO 3166 alpha-2 code, e.g. FR, BE, DE",
                              Said("fix.bad_country"))
    now = dt.datetime.now(dt.timezone.utc)
    mappings = ws.mappings()
    with ws.db.write() as con:
        rows = con.execute("SELECT status, snapshot, counterparty_id FROM documents WHERE id = ?", [doc_id]).fetchall()
        row = rows[0] if rows else None
        if row is None:
            raise ReviewError(f"no document {doc_id!r}")
        status, snapshot, cp_id = row[0], json.loads(row[1]), row[2]
        if status not in EDITABLE_STATUSES:
            raise ReviewError(f"a document that is {status} cannot be changed")
        subject = cp_id if field.startswith("counterparty.") else doc_id
        if subject is None:
            raise ReviewError("this document has no counterparty to fix")
        current = load_documents(con, [doc_id])[doc_id]
        old = _current_value(current, field)
        if old is None and field.endswith(".ledger_account"):  # the history says which account the fix replaces
            old = _account_in_force(current, field, mappings["ledger_accounts"])
        if value is None:
            con.execute("DELETE FROM overrides WHERE document_id = ? AND field = ?", [subject, field])
        else:
            con.execute(
                "INSERT INTO overrides (document_id, field, value, source_value, actor, recorded_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (document_id, field) DO UPDATE SET value = excluded.value, actor = excluded.actor, "
                "recorded_at = excluded.recorded_at",
                [subject, field, json_dumps(value), json_dumps(source_value(snapshot, field)), actor, now],
            )
        con.execute(
            "INSERT INTO audit (recorded_at, actor, document_id, action, field, old_value, new_value) VALUES (?, ?, ?, 'fix', ?, ?, ?)",
            [now, actor, doc_id, field, json_dumps(old), json_dumps(value)],
        )
        affected = [doc_id]
        if subject != doc_id:
            affected = [r[0] for r in con.execute("SELECT id FROM documents WHERE counterparty_id = ?", [subject]).fetchall()]
        # A connector's own remark about this field (e.g. an address it could not parse) is settled.
        con.execute(
            "DELETE FROM findings WHERE origin = 'connector' AND field IS NOT NULL AND document_id IN (SELECT unnest(?)) "
            "AND (starts_with(?, field) OR starts_with(field, ?))",
            [affected, field, field],
        )
        revalidate(con, affected, mappings["vat"])


def _iso_date(value: Any) -> str:
    """A due date given as a date or as text (2026-03-31, 31/03/2026), as ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.strptime(s, "%d/%m/%Y").date()):
        try:
            return parse(text).isoformat()
        except ValueError:
            pass
    raise ReviewError(f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)", Said("fix.bad_date", {"value": text}))


def _account_in_force(doc: Any, field: str, mapping: dict[str, str]) -> str | None:
    """The account a line goes to without a fix of its own (its code's mapping, a part's, or
    '*': `review.accounts_of`, the send's rule), or None."""
    index = int(field[6:field.index("]")]) - 1
    if not 0 <= index < len(doc.lines):
        return None
    return accounts_of(doc.lines, mapping)[index]["account"]


def _current_value(doc: Any, field: str) -> Any:
    if field == "category":
        return doc.category_hint
    node: Any = doc
    if field.startswith("lines["):
        index = int(field[6:field.index("]")]) - 1
        node = doc.lines[index] if 0 <= index < len(doc.lines) else None
        name = field.split(".", 1)[1]
        if name == "ledger_account":
            hint = getattr(node, "accounting_hint", None)
            return fixed_account(hint)
        return getattr(node, name, None)
    for part in field.split("."):
        node = getattr(node, part, None)
    return node


def revalidate(con: Any, doc_ids: list[str], vat_map: dict[str, str] | None = None) -> None:
    """Recompute validation findings with fixes applied (and the workspace's VAT mapping).
    The non-PDF check needs the file, which does not change with a fix: that finding is kept
    as it is."""
    docs = load_documents(con, doc_ids)
    today = dt.date.today()
    # A connector's word on the address stands for validation's (validation.merged's rule).
    addressed = {r[0] for r in con.execute(
        "SELECT DISTINCT document_id FROM findings WHERE origin = 'connector' AND field = ? "
        "AND document_id IN (SELECT unnest(?))", [ADDRESS_FIELD, doc_ids]).fetchall()}
    said: dict[str, set[str]] = {}  # the fields a connector's error names (validation.merged's rule)
    for doc_id, fld in con.execute(
            "SELECT DISTINCT document_id, field FROM findings WHERE origin = 'connector' AND severity = 'error' "
            "AND field IS NOT NULL AND document_id IN (SELECT unnest(?))", [doc_ids]).fetchall():
        said.setdefault(doc_id, set()).add(fld)
    rows, blocking = [], []
    for doc_id, doc in docs.items():
        found = without_missing_said(validate(doc, today=today, vat_map=vat_map), said.get(doc_id, set()))
        if doc_id in addressed:
            found, dropped = without_incomplete_address(found)
            if dropped:
                blocking.append(doc_id)  # the connector's finding says it, as an error
        rows += [(doc_id, f) for f in found]
    if blocking:
        con.execute("UPDATE findings SET severity = 'error' WHERE origin = 'connector' AND field = ? "
                    "AND document_id IN (SELECT unnest(?))", [ADDRESS_FIELD, blocking])
    con.execute(
        "DELETE FROM findings WHERE origin = 'validation' AND code <> 'attachment_not_pdf' "
        "AND document_id IN (SELECT unnest(?))", [doc_ids]
    )
    write_findings(con, rows)  # validate's findings: origin 'validation'
    refresh_duplicates_of(con, doc_ids)


def list_fixes(ws: Workspace, doc_id: str) -> list[dict[str, Any]]:
    """Fixes that apply to a document: its own and its counterparty's."""
    with ws.db.read() as con:
        cur = con.execute(
            "SELECT o.field, o.value, o.source_value, o.actor, o.recorded_at, o.document_id <> d.id AS shared "
            "FROM documents d JOIN overrides o ON o.document_id IN (d.id, d.counterparty_id) WHERE d.id = ? ORDER BY o.field",
            [doc_id],
        )
        out = dict_rows(cur)
    for row in out:
        row["value"] = json.loads(row["value"]) if row["value"] is not None else None
        row["source_value"] = json.loads(row["source_value"]) if row["source_value"] is not None else None
    return out
