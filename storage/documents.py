"""Read documents back from the cache as domain objects, with reviewer fixes applied.

Fixes (`overrides`) are addressed by field path; counterparty fields are stored with the
counterparty's id as subject (one fix serves all its documents), the others per document:
    counterparty.<name|vat_number|siren|siret|email>
    counterparty.address.<street|postal_code|city|country_alpha2>
    lines[N].<vat_code|ledger_account|label>      (N counts from 1)
    category
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import duckdb
import pyarrow as pa

from ..domain import Address, Attachment, Counterparty, Document, Line, fixed_account_hint, plain_decimal

_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
COUNTERPARTY_FIELDS = ("name", "vat_number", "siren", "siret", "email")
ADDRESS_FIELDS = ("street", "postal_code", "city", "country_alpha2")
LINE_FIELDS = ("vat_code", "ledger_account", "label")


DOCUMENT_FIELDS = ("category", "due_date")  # fixable on the document itself


def valid_override_field(field: str) -> bool:
    if field in DOCUMENT_FIELDS:
        return True
    if field.startswith("counterparty.address."):
        return field.rsplit(".", 1)[1] in ADDRESS_FIELDS
    if field.startswith("counterparty."):
        return field.split(".", 1)[1] in COUNTERPARTY_FIELDS
    m = _LINE_FIELD.match(field)
    return bool(m and m.group(2) in LINE_FIELDS)


def load_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, Document]:
    if not ids:
        return {}
    con.register("_load_ids", pa.table({"id": pa.array(ids, pa.string())}))
    try:
        docs_cur = con.execute("""
            SELECT d.id, d.connection, d.source_id, d.kind, d.number, d.issue_date, d.due_date, d.currency,
                   d.total_before_tax, d.total_tax, d.total, d.attachment_sha256, d.attachment_filename,
                   d.attachment_pending, d.credited_source_id, d.category_hint, d.source_updated_at,
                   c.source_id, c.role, c.name, c.vat_number, c.siren, c.siret, c.street, c.postal_code,
                   c.city, c.country_alpha2, c.address_raw, c.email, c.is_individual
            FROM documents d JOIN _load_ids i ON i.id = d.id
            LEFT JOIN counterparties c ON c.id = d.counterparty_id
        """)
        out: dict[str, Document] = {}
        for r in docs_cur.fetchall():
            cp = None
            if r[17] is not None:
                cp = Counterparty(
                    source_id=r[17], role=r[18], name=r[19], vat_number=r[20], siren=r[21], siret=r[22],
                    address=Address(r[23], r[24], r[25], r[26]), address_raw=r[27], email=r[28],
                    is_individual=bool(r[29]),
                )
            out[r[0]] = Document(
                source_id=r[2], kind=r[3], number=r[4], issue_date=r[5], due_date=r[6], currency=r[7],
                total_before_tax=r[8], total_tax=r[9], total=r[10], counterparty=cp,
                attachment=Attachment(r[12] or "document.pdf", sha256=r[11]) if r[11] else None,
                attachment_pending=bool(r[13]), credited_source_id=r[14], category_hint=r[15],
                source_updated_at=r[16], connection=r[1],
            )
        for r in con.execute("""
            SELECT l.document_id, l.label, l.quantity, l.unit_price, l.amount_before_tax, l.tax, l.amount,
                   l.vat_rate, l.accounting_hint, l.vat_code
            FROM lines l JOIN _load_ids i ON i.id = l.document_id ORDER BY l.document_id, l.position
        """).fetchall():
            out[r[0]].lines.append(Line(
                label=r[1], quantity=r[2], unit_price=r[3], amount_before_tax=r[4], tax=r[5], amount=r[6],
                # DECIMAL(6,3) 20.000 as a connector gives it: 20 ("20%" in a message)
                vat_rate=plain_decimal(r[7]) if r[7] is not None else None, accounting_hint=r[8], vat_code=r[9],
            ))
        # Counterparty fixes are stored once per counterparty (subject = counterparty id) and
        # apply to all its documents; document fixes are stored per document.
        for doc_id, field, value in con.execute("""
            SELECT d.id, o.field, o.value FROM overrides o
            JOIN documents d ON d.counterparty_id = o.document_id JOIN _load_ids i ON i.id = d.id
            UNION ALL
            SELECT o.document_id, o.field, o.value FROM overrides o JOIN _load_ids i ON i.id = o.document_id
        """).fetchall():
            apply_override(out[doc_id], field, json.loads(value) if value is not None else None)
    finally:
        con.unregister("_load_ids")
    return out


def source_value(snapshot: dict[str, Any], field: str) -> Any:
    """The source's value of a field path in a document snapshot (`Document.comparable()`)."""
    if field == "category":
        return None
    if field == "due_date":
        return snapshot.get("due_date")
    if field.startswith("counterparty."):
        node: Any = snapshot.get("counterparty") or {}
        for part in field.split(".")[1:]:
            node = node.get(part) if isinstance(node, dict) else None
        return node
    m = _LINE_FIELD.match(field)
    if m:
        lines = snapshot.get("lines") or []
        index = int(m.group(1)) - 1
        if 0 <= index < len(lines):
            name = "accounting_hint" if m.group(2) == "ledger_account" else m.group(2)
            return lines[index].get(name)
    return None


def apply_override(doc: Document, field: str, value: Any) -> None:
    """Set one fixed field on a loaded document (unknown paths are ignored, not guessed)."""
    if field == "category":
        doc.category_hint = value
    elif field == "due_date":
        doc.due_date = dt.date.fromisoformat(value) if value else None
    elif field.startswith("counterparty.address.") and doc.counterparty is not None:
        setattr(doc.counterparty.address, field.rsplit(".", 1)[1], value)
    elif field.startswith("counterparty.") and doc.counterparty is not None:
        name = field.split(".", 1)[1]
        if name in COUNTERPARTY_FIELDS:
            setattr(doc.counterparty, name, value)
    else:
        m = _LINE_FIELD.match(field)
        if m and 1 <= int(m.group(1)) <= len(doc.lines):
            line = doc.lines[int(m.group(1)) - 1]
            if m.group(2) == "ledger_account":
                # An explicit account for this line wins over the accounting-code mapping.
                line.accounting_hint = fixed_account_hint(value) if value else line.accounting_hint
            elif m.group(2) in ("vat_code", "label"):
                setattr(line, m.group(2), value)
