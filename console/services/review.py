"""Review: the queue (filtered, sorted, paged in DuckDB), document detail, and decisions.

Every decision is one set-based UPDATE plus audit rows in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import json

import duckdb
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any, Callable, Mapping, Sequence

from .. import i18n
from ..connectors import Said
from ..domain import APPROVED, FAILED, ON_HOLD, REJECTED, STATUSES, TO_REVIEW, Line, fixed_account, json_compact
from ..pennylane import requests_builder as rb
from ..pennylane.vat import VatMapper, VatMappingError, zone_of_key
from ..storage.db import dict_rows
from ..storage.documents import apply_override, load_documents
from ..storage.ingest import GONE
from ..validation import sale_zone
from ..workspace import Workspace
from .reconcile import _CONFIRMATION_JOIN as CONFIRMATION_JOIN  # Suivi's rule: a check older than the send is stale
from .sync import finish_left_checks, shown_status


class ReviewError(ValueError):
    """A decision that cannot be applied as asked; the message says why (in English), and
    `said`, when given, in the console's language."""

    def __init__(self, message: str = "", said: Said | None = None) -> None:
        super().__init__(message)
        self.said = said


SORTABLE = {
    "issue_date": "d.issue_date", "number": "d.number", "total": "d.total", "counterparty": "c.name",
    "status": "d.status", "connection": "d.connection", "findings": "d.error_count * 1000 + d.warning_count",
    "fetched_at": "d.fetched_at",
}


@dataclass
class Filters:
    status: str | list[str] | None = None
    connection: str | list[str] | None = None
    kind: str | list[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    counterparty: str | None = None  # substring, case-insensitive
    search: str | None = None  # number or counterparty substring
    findings: str | None = None  # "errors" | "warnings" | "clean" | "duplicates" | "changed" | "pennylane"
    ids: list[str] | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = ["TRUE"], []

        def any_of(column: str, value: str | list[str] | None) -> None:
            if value:
                values = [value] if isinstance(value, str) else list(value)
                clauses.append(f"{column} IN (SELECT unnest(?))")
                params.append(values)

        any_of("d.status", self.status)
        any_of("d.connection", self.connection)
        any_of("d.kind", self.kind)
        if self.ids:
            any_of("d.id", self.ids)
        if self.date_from:
            clauses.append("d.issue_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("d.issue_date <= ?")
            params.append(self.date_to)
        if self.counterparty:
            clauses.append("c.name ILIKE ?")
            params.append(f"%{self.counterparty}%")
        if self.search:
            clauses.append("(d.number ILIKE ? OR c.name ILIKE ? OR d.source_id ILIKE ?)")
            params += [f"%{self.search}%"] * 3
        if self.findings == "errors":
            clauses.append("d.error_count > 0")
        elif self.findings == "warnings":
            clauses.append("d.warning_count > 0 AND d.error_count = 0")
        elif self.findings == "clean":
            clauses.append("d.error_count = 0 AND d.warning_count = 0")
        elif self.findings == "duplicates":
            clauses.append("EXISTS (SELECT 1 FROM findings f WHERE f.document_id = d.id AND f.code = 'suspected_duplicate')")
        elif self.findings == "changed":
            clauses.append("(d.changed IS NOT NULL OR d.changed_after_sending)")
        elif self.findings == "pennylane":  # sent, and the last check since found a difference
            clauses.append(f"d.id IN (SELECT d.id FROM documents d {CONFIRMATION_JOIN} WHERE k.status <> 'confirmed')")
        return " AND ".join(clauses), params


JOIN_COUNTERPARTY = "LEFT JOIN counterparties c ON c.id = d.counterparty_id"
_LIST_COLUMNS = """
    d.id, d.connection, d.kind, d.number, d.issue_date, d.due_date, d.currency,
    d.total_before_tax, d.total_tax, d.total, c.name AS counterparty, d.status, d.status_reason,
    d.error_count, d.warning_count, d.attachment_pending, (d.changed IS NOT NULL OR d.changed_after_sending) AS changed,
    d.changed_after_sending, d.pennylane_id, d.pennylane_url, k.status AS confirmation
"""


def list_documents(
    ws: Workspace, filters: Filters | None = None, *, sort: str = "issue_date", descending: bool = True,
    limit: int = 50, offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the queue and the total count for the filters, both computed in DuckDB."""
    filters = filters or Filters()
    where, params = filters.where()
    with ws.db.read() as con:
        finish_left_checks(ws, con)
        total = con.execute(f"SELECT count(*) FROM documents d {JOIN_COUNTERPARTY} WHERE {where}", params).fetchone()[0]
        rows = page_rows(con, where, params, sort=sort, descending=descending, limit=limit, offset=offset)
    return rows, int(total)


def page_rows(con: Any, where: str, params: list[Any], *, sort: str, descending: bool, limit: int,
              offset: int) -> list[dict[str, Any]]:
    """One sorted page of the queue's rows (`_LIST_COLUMNS`) for a `Filters.where()` clause; a sent
    document's `confirmation` is what the last check in Pennylane since its send found
    (confirmed, amount_mismatch, changed, missing), None when not checked since."""
    return dict_rows(con.execute(
        f"SELECT {_LIST_COLUMNS} FROM documents d {JOIN_COUNTERPARTY} {CONFIRMATION_JOIN} WHERE {where} "
        f"ORDER BY {_order_by(sort, descending)} LIMIT ? OFFSET ?",
        params + [int(limit), int(offset)],
    ))


def numbers(ws: Workspace, ids: list[str]) -> dict[str, tuple[str | None, str]]:
    """id → (number, connection) of these documents (a suspected twin named as a reader knows it)."""
    if not ids:
        return {}
    with ws.db.read() as con:
        rows = con.execute("SELECT id, number, connection FROM documents WHERE id IN (SELECT unnest(?))",
                           [list(ids)]).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _order_by(sort: str, descending: bool) -> str:
    """The queue's order: the chosen column, then the id (a stable order for equal values)."""
    return f"{SORTABLE.get(sort, 'd.issue_date')} {'DESC' if descending else 'ASC'} NULLS LAST, d.id"


def row_position(con: Any, where: str, params: list[Any], *, sort: str, descending: bool, doc_id: str) -> int | None:
    """Where `doc_id` stands (0-based) in the queue sorted as `page_rows` sorts it, or None
    when the filters leave it out."""
    row = con.execute(
        f"SELECT pos FROM (SELECT d.id, row_number() OVER (ORDER BY {_order_by(sort, descending)}) - 1 AS pos "
        f"FROM documents d {JOIN_COUNTERPARTY} WHERE {where}) WHERE id = ?", params + [doc_id]).fetchone()
    return None if row is None else int(row[0])


def get_document(ws: Workspace, doc_id: str) -> dict[str, Any] | None:
    """Everything the detail view shows: header, counterparty, lines, findings, history."""
    with ws.db.read() as con:
        cur = con.execute("SELECT * FROM documents WHERE id = ?", [doc_id])
        row = cur.fetchone()
        if row is None:
            return None
        doc = dict(zip([c[0] for c in cur.description], row))
        for key in ("raw", "snapshot", "changed"):
            if doc.get(key) is not None:
                doc[key] = json.loads(doc[key])
        cur = con.execute("SELECT * FROM counterparties WHERE id = ?", [doc["counterparty_id"]])
        cp = cur.fetchone()
        doc["counterparty"] = dict(zip([c[0] for c in cur.description], cp)) if cp else None
        cur = con.execute("SELECT * FROM lines WHERE document_id = ? ORDER BY position", [doc_id])
        doc["lines"] = dict_rows(cur)
        cur = con.execute(
            "SELECT code, severity, message, field, origin, params FROM findings WHERE document_id = ? "
            "ORDER BY severity = 'error' DESC, code", [doc_id]
        )
        # params as the values they are (the column is JSON text; `review show` printed a string)
        doc["findings"] = [{**f, "params": i18n.stored(f["params"])} for f in dict_rows(cur)]
        cur = con.execute(
            "SELECT recorded_at, actor, action, field, old_value, new_value, reason, reason_said FROM audit "
            "WHERE document_id = ? ORDER BY id", [doc_id]
        )
        # reason_said as the value it is (JSON text in the column), as a finding's params
        doc["history"] = [{**h, "reason_said": i18n.stored(h["reason_said"])} for h in dict_rows(cur)]
        cur = con.execute(
            "SELECT k.status, k.checked_at, k.message, k.said, k.pennylane_amount, k.expected_amount "
            f"FROM documents d {CONFIRMATION_JOIN} WHERE d.id = ? AND k.status IS NOT NULL", [doc_id])
        # what the last check in Pennylane since the send found (Suivi's rule), None if none
        doc["confirmation"] = next(iter(dict_rows(cur)), None)
    from .fixes import list_fixes

    doc["fixes"] = list_fixes(ws, doc_id)
    _apply_fixes_for_display(doc)
    return doc


def _apply_fixes_for_display(doc: dict[str, Any]) -> None:
    """Show the values that will be sent: the source's, with the reviewer's fixes on top."""
    for fx in doc["fixes"]:
        field, value = fx["field"], fx["value"]
        if field.startswith("counterparty.") and doc["counterparty"] is not None:
            doc["counterparty"][field.rsplit(".", 1)[1]] = value
        elif field.startswith("lines["):
            index = int(field[6:field.index("]")]) - 1
            if 0 <= index < len(doc["lines"]):
                doc["lines"][index][field.split(".", 1)[1]] = value
        elif field == "category":
            doc["category_hint"] = value
        elif field == "due_date":
            doc["due_date"] = dt.date.fromisoformat(value) if value else None


def line_accounts(ws: Workspace, doc_id: str) -> list[dict[str, Any]]:
    """Per line of a document (fixes applied, loaded as the send loads it), the Pennylane ledger
    account number the send will give it and why: {account, source, via}, `source` being
    fixed (a reviewer's fix of the line), code (the mapping of its accounting code), part (the
    mapping of `via`, the first mapped part of a code made of parts `a|b`), default (the
    fallback `*`) or none. A line with none is imported without an account (Pennylane chooses
    it); the document is not held for it. An account Pennylane's chart lacks holds it at the send.
    Empty for a document not in the cache."""
    return [{k: line[k] for k in ("account", "source", "via")} for line in lines_as_sent(ws, doc_id, chart=False)]


def lines_as_sent(ws: Workspace, doc_id: str, *, chart: bool = True, lists: Any = None) -> list[dict[str, Any]]:
    """`line_accounts`, and beside it: `unfixed`, for a fixed line, what the mappings would give it
    without the fix ({account, source, via}); `chart`, what the Pennylane chart last read
    (`pennylane_lists.load`) says of the account: None (no chart, or no account), "ok",
    "disabled" or "absent" (the send holds the invoice), with `account_label`; and the VAT
    code the send will give the line (`vat_code`, the send's own `VatMapper`) with its origin
    `vat_source`: fixed, source (the source's valid code), mapping (the workspace's code for
    the rate), default (Écluse's code for the rate), for a 0 % sale abroad mapping_eu,
    default_eu, mapping_export or default_export, or none (the send holds the invoice); and
    `vat_default`, the rate's code (for 0 %, the client's zone too): what a fix of the code replaces.
    `lists`: Pennylane's lists as the caller already loaded them (else read here when `chart`)."""
    from .pennylane_lists import load as load_chart

    mappings = ws.mappings()
    mapping = mappings["ledger_accounts"]
    with ws.db.read() as con:
        doc = load_documents(con, [doc_id]).get(doc_id)
        if doc is None:
            return []
        source_hints = [r[0] for r in con.execute(
            "SELECT accounting_hint FROM lines WHERE document_id = ? ORDER BY position", [doc_id]).fetchall()]
        vat_fixed = {r[0] for r in con.execute(
            "SELECT field FROM overrides WHERE document_id = ? AND field LIKE 'lines[%].vat_code'",
            [doc_id]).fetchall()}
    chart_read = (lists if lists is not None else load_chart(ws)) if chart else None
    try:
        mapper: VatMapper | None = VatMapper(mappings["vat"])
    except VatMappingError:  # a code the configuration got wrong: the send stops on it too
        mapper = None
    out = accounts_of(doc.lines, mapping)
    zone = sale_zone(doc)
    for number, (line, shown) in enumerate(zip(doc.lines, out), start=1):
        if shown["source"] == "fixed" and number <= len(source_hints):
            shown["unfixed"] = accounts_of([replace(line, accounting_hint=source_hints[number - 1])], mapping)[0]
        shown["chart"], shown["account_label"] = _in_chart(chart_read, shown["account"])
        shown["vat_code"], shown["vat_source"], shown["vat_default"] = _line_vat(
            mapper, zone, line, f"lines[{number}].vat_code" in vat_fixed)
    return out


def accounts_of(lines: Sequence[Any], mapping: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rule, in one place: the ledger account number each of these lines (as
    `load_documents` gives them the send, a reviewer's fix as its code `ledger:NNN`) is sent to,
    and why: {account, source, via}, as `line_accounts` says them (fixed, code, part, default,
    none), by `mapping` (code → number, `*` the fallback). Revue, the preview, "approve all
    valid" and a fix's history all ask it; the request builder books the same numbers."""
    # What the send gives the request builder (`send._Sender._ledger_ids`), with the account
    # numbers in place of Pennylane's ids.
    numbers = rb.account_numbers(lines, mapping)
    return [_line_account(line, numbers) for line in lines]


def chart_lacks(chart: Any, account: str | None) -> bool:
    """Whether Pennylane's chart (`pennylane_lists.Lists`, as last read) lacks an account a line
    is sent to: a live send holds the invoice (`send._Sender._ledger_ids`). No account (Pennylane
    chooses it) holds nothing; nor does a disabled one: the chart lists it, the send books it."""
    return account is not None and not chart.has_account(account)


def _line_account(line: Line, accounts: dict[str, str]) -> dict[str, Any]:
    """{account, source, via} of one line, by the request builder's rule (`accounts_of`)."""
    account = rb.ledger_account(line, accounts)  # the builder's rule: the code, its first mapped part, '*'
    key = rb.hint_key(line.accounting_hint, accounts)  # which of them served it (None: '*' or nothing)
    if account is None:
        source = "none"
    elif key is None:
        source = "default"
    elif key != line.accounting_hint:
        source = "part"
    else:
        source = "fixed" if fixed_account(key) is not None else "code"
    return {"account": account, "source": source, "via": key if source == "part" else None}


def _in_chart(chart: Any, account: str | None) -> tuple[str | None, str | None]:
    """What Pennylane's chart last read says of an account: (None | ok | disabled | absent, label)."""
    if chart is None or account is None:
        return None, None
    if chart_lacks(chart, account):
        return "absent", None
    found = chart.account(account)
    return ("ok" if found.get("enabled", True) else "disabled"), found.get("label")


def _line_vat(mapper: VatMapper | None, zone: str | None, line: Line, fixed: bool) -> tuple[str | None, str, str | None]:
    """The VAT code the send gives a line (`VatMapper.code`, as the request builder calls it),
    where it comes from (a 0 % sale abroad: with its zone, "default_eu"), and the rate's code (for
    0 %, the client's zone too: what a fix of the code replaces)."""
    if mapper is None:
        return None, "none", None
    try:
        by_rate: str | None = mapper.code(line.vat_rate, zone=zone)
    except VatMappingError:
        by_rate = None
    try:
        code = mapper.code(line.vat_rate, source_code=line.vat_code, zone=zone)
    except VatMappingError:
        return None, "none", by_rate
    if line.vat_code and code == line.vat_code:
        return code, "fixed" if fixed else "source", by_rate
    key = mapper.key_for(line.vat_rate, zone)
    origin = "mapping" if key in mapper.mapped else "default"
    return code, f"{origin}_{zone_of_key(key)}" if zone_of_key(key) else origin, by_rate


@dataclass
class DecisionResult:
    done: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # id → why
    # `approve_all_valid`: documents left awaiting review, id → the ledger account numbers
    # Pennylane's chart (last read) lacks (the send would hold them)
    left_out: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"done": self.done, "refused": self.refused}
        if self.left_out:
            out["left_out"] = {d: {"accounts_absent": accounts} for d, accounts in self.left_out.items()}
        return out


# The audit's reason for `approve_all_valid`: English, the CLI's; the console says `said.reason.all_valid`.
ALL_VALID = "all valid"

# Which statuses each decision may start from.
DECISION_FROM = {
    "approve": (TO_REVIEW, ON_HOLD, FAILED, REJECTED),
    "reject": (TO_REVIEW, ON_HOLD, APPROVED, FAILED),
    "hold": (TO_REVIEW, APPROVED, FAILED),
    "reopen": (APPROVED, REJECTED, ON_HOLD, FAILED),
}
_TO = {"approve": APPROVED, "reject": REJECTED, "hold": ON_HOLD, "reopen": TO_REVIEW}


def decide(
    ws: Workspace, action: str, ids: list[str], *, actor: str, reason: str | None = None, force: bool = False,
    said: Said | None = None,
) -> DecisionResult:
    """Apply approve / reject / hold / reopen to the given documents.

    Approval refuses documents with error findings, and those suspected to duplicate another
    (approving both would book it twice: keep both or reject one first, `services.duplicates`),
    unless `force` (an explicit "approve anyway", recorded with its reason). Reject and hold
    need a reason. `said`: the reason in
    the console's language when the core wrote it (`audit.reason_said`; `reason` stays the
    English the CLI shows).
    """
    if action not in _TO:
        raise ReviewError(f"unknown decision {action!r}")
    if action in ("reject", "hold") and not (reason or "").strip():
        raise ReviewError(f"a reason is required to {action}")
    if action == "approve" and force and not (reason or "").strip():
        raise ReviewError("approving despite errors needs a reason")
    result = DecisionResult()
    ids = list(dict.fromkeys(ids))
    if not ids:
        return result
    now = dt.datetime.now(dt.timezone.utc)
    with ws.db.write() as con:
        rows = con.execute(
            "SELECT id, status, error_count FROM documents WHERE id IN (SELECT unnest(?))", [ids]
        ).fetchall()
        found = {r[0]: (r[1], r[2]) for r in rows}
        twins = suspected_twins(con, list(found)) if action == "approve" and not force else {}
        ok: list[str] = []
        for doc_id in ids:
            if doc_id not in found:
                result.refused[doc_id] = "no such document"
                continue
            status, errors = found[doc_id]
            if status == _TO[action]:
                result.refused[doc_id] = f"already {status}"
            elif status not in DECISION_FROM[action]:
                result.refused[doc_id] = f"cannot {action} a document that is {status}"
            elif action == "approve" and errors and not force:
                result.refused[doc_id] = f"{errors} error(s) to fix first (or approve anyway with a reason)"
            elif doc_id in twins:
                result.refused[doc_id] = (f"suspected duplicate of {twins[doc_id]}: keep both or reject one first "
                                          "(or approve anyway with a reason)")
            else:
                ok.append(doc_id)
        if ok:
            _apply(con, ok, _TO[action], action, actor, reason, now, {d: found[d][0] for d in ok}, said)
        result.done = ok
    return result


# The twin a suspected_duplicate finding names (its field: duplicate_of:<id>).
TWIN_ID = "substr(f.field, length('duplicate_of:') + 1)"


def unanswered_twins(con: Any, ids: list[str]) -> list[tuple[str, str, str, str]]:
    """The suspected duplicates of these documents no reviewer answered (kept both, or rejected
    one: from its side-by-side view or as any rejection): (id, twin id, twin's status, the twin
    as people name it, "AV-12 (demo-bis)"), by id then twin. `decide` and the send ask it."""
    if not ids:
        return []
    rows = con.execute(
        "SELECT f.document_id, t.id, t.status, t.number, t.connection FROM findings f "
        f"JOIN documents t ON t.id = {TWIN_ID} AND t.status <> 'rejected' "
        "WHERE f.code = 'suspected_duplicate' AND f.document_id IN (SELECT unnest(?)) ORDER BY f.document_id, t.id",
        [ids]).fetchall()
    return [(doc_id, twin, status, f"{number} ({connection})" if number else twin)
            for doc_id, twin, status, number, connection in rows]


def suspected_twins(con: Any, ids: list[str]) -> dict[str, str]:
    """Of these documents, those with an unanswered suspected duplicate: id → its (first) twin
    as people name it."""
    twins: dict[str, str] = {}
    for doc_id, _twin, _status, name in unanswered_twins(con, ids):
        twins.setdefault(doc_id, name)
    return twins


def said_json(said: Said | None) -> str | None:
    """A Said as the cache stores it beside an English text: JSON {"code", "params"}."""
    return json_compact({"code": said.code, "params": said.params}) if said else None


def _apply(con: Any, ids: list[str], to: str, action: str, actor: str, reason: str | None, now: dt.datetime,
           old: dict[str, str], said: Said | None = None) -> None:
    # `changed` is what the source changed since the reviewer last decided: approving or
    # rejecting the document settles it (the audit's 'changed' entry keeps the differences).
    settles = action in ("approve", "reject")
    con.execute(
        "UPDATE documents SET status = ?, status_reason = ?, status_changed_at = ?, "
        "changed = CASE WHEN ? THEN NULL ELSE changed END WHERE id IN (SELECT unnest(?))",
        [to, reason, now, settles, ids],
    )
    con.execute(
        "INSERT INTO audit (recorded_at, actor, document_id, action, field, old_value, new_value, reason, reason_said) "
        "SELECT ?, ?, t.id, ?, 'status', to_json(t.old), to_json(?::TEXT), ?, ? "
        "FROM (SELECT unnest(?) AS id, unnest(?) AS old) t",
        [now, actor, action, to, reason, said_json(said), ids, [old[i] for i in ids]],
    )


def change_token(content_hash: str | None, gone: bool) -> str:
    """What a change after sending is, as shown: the content, and whether the source still
    lists the document (`mark_gone` leaves the content as it was)."""
    return f"{content_hash}:{'gone' if gone else 'listed'}"


def gone_from_source(doc: dict[str, Any]) -> bool:
    """Whether a document as `get_document` returned it is flagged gone from its source."""
    return any(f["code"] == GONE for f in doc.get("findings", []))


def shown_change_token(doc: dict[str, Any]) -> str:
    """`change_token` of a document as `get_document` returned it."""
    return change_token(doc.get("content_hash"), gone_from_source(doc))


def acknowledge_change(ws: Workspace, ids: list[str], *, actor: str, reason: str | None,
                       seen: dict[str, str] | None = None) -> DecisionResult:
    """Sent documents the source changed afterwards (`changed_after_sending`), dealt with by the
    accountant in Pennylane (corrected there, a credit note issued...): the flag and the
    differences are cleared; the audit keeps both, with `reason` (what was done). `seen`: id →
    the `shown_change_token` of what the accountant was shown; a document a sync changed again
    (or found gone) since is refused, so that no difference is cleared unseen."""
    if not (reason or "").strip():
        raise ReviewError("say what was done about the change (corrected in Pennylane, credit note...) "
                          "to mark it as handled")
    result = DecisionResult()
    ids = list(dict.fromkeys(ids))
    now = dt.datetime.now(dt.timezone.utc)
    with ws.db.write() as con:
        found = {r[0]: (r[1], r[2], change_token(r[3], r[4])) for r in con.execute(
            "SELECT id, changed_after_sending, changed, content_hash, EXISTS (SELECT 1 FROM findings f WHERE "
            "f.document_id = d.id AND f.code = ?) FROM documents d WHERE id IN (SELECT unnest(?))",
            [GONE, ids]).fetchall()}
        for doc_id in ids:
            if doc_id not in found:
                result.refused[doc_id] = "no such document"
            elif not found[doc_id][0]:
                result.refused[doc_id] = "not changed after sending"
            elif seen is not None and seen.get(doc_id) != found[doc_id][2]:
                result.refused[doc_id] = "changed again since shown"
            else:
                result.done.append(doc_id)
        if result.done:
            con.execute("UPDATE documents SET changed_after_sending = false, changed = NULL "
                        "WHERE id IN (SELECT unnest(?))", [result.done])
            con.execute(
                "INSERT INTO audit (recorded_at, actor, document_id, action, old_value, reason) "
                "SELECT ?, ?, t.id, 'change_handled', t.changed, ? "
                "FROM (SELECT unnest(?) AS id, unnest(?) AS changed) t",
                [now, actor, reason.strip(), result.done, [found[d][1] for d in result.done]])
    return result


def approve_all_valid(ws: Workspace, *, actor: str, filters: Filters | None = None) -> DecisionResult:
    """Approve every document awaiting review that has no error finding, among those `filters`
    show (a status or findings filter that excludes them leaves nothing to approve). One whose
    ledger account Pennylane's chart (the lists last read) lacks is left awaiting review: the
    send would hold it (`result.left_out`, id → those account numbers)."""
    ids = valid_ids(ws, filters)
    left_out = accounts_absent(ws, ids)
    result = decide(ws, "approve", [i for i in ids if i not in left_out], actor=actor, reason=ALL_VALID,
                    said=Said("reason.all_valid"))
    result.left_out = left_out
    return result


# A suspected duplicate no reviewer answered (kept both, or rejected one): not approved with
# "approve all valid" (`decide` refuses it too), nor counted among the valid documents.
SUSPECTED_DUPLICATE = (f"EXISTS (SELECT 1 FROM findings f JOIN documents t ON t.id = {TWIN_ID} "
                       "AND t.status <> 'rejected' WHERE f.document_id = d.id AND f.code = 'suspected_duplicate')")
# Awaiting review without an error finding; of those, what "approve all valid" approves, as
# conditions on `documents d`.
AWAITING_CLEAN = "d.status = 'to_review' AND d.error_count = 0"
VALID = f"{AWAITING_CLEAN} AND NOT {SUSPECTED_DUPLICATE}"


def valid_ids(ws: Workspace, filters: Filters | None = None) -> list[str]:
    """The documents awaiting review without an error finding among those `filters` show, and
    without a suspected duplicate no reviewer answered (`decide` refuses to approve those)."""
    where, params = (filters or Filters()).where()
    with ws.db.read() as con:
        return [r[0] for r in con.execute(
            f"SELECT d.id FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id "
            f"WHERE {where} AND {VALID}", params
        ).fetchall()]


def accounts_absent(ws: Workspace, ids: list[str], lists: Any = None) -> dict[str, list[str]]:
    """Of these documents, those a live send would hold because Pennylane's chart (the lists
    last read, `pennylane_lists.load`) lacks one of their ledger accounts: id → the numbers;
    empty when the lists were never read. The send's rule (`accounts_of`, `chart_lacks`, as
    `batches.preview_checks` applies them document by document: a test keeps them equal),
    applied once per distinct accounting code: Revue asks it of every valid document on each
    rerun, and loading them all took seconds at 100,000."""
    from . import pennylane_lists
    from ..storage.ingest import id_table

    if lists is None and ids:  # `lists`: the ones a page already loaded, not read again
        lists = pennylane_lists.load(ws)
    if lists is None or not ids:
        return {}
    account = _account_by_code(ws.mappings()["ledger_accounts"])
    with ws.db.read() as con, id_table(con, list(ids), "_absent_ids"):
        hints = [r[0] for r in con.execute(
            "SELECT DISTINCT accounting_hint FROM lines WHERE document_id IN (SELECT id FROM _absent_ids)").fetchall()]
        absent_codes = [h for h in hints if chart_lacks(lists, account(h, None))]
        # A reviewer's account for a line (overrides) wins over its code's mapping.
        rows = con.execute(
            "SELECT l.document_id, l.accounting_hint, o.value FROM lines l LEFT JOIN overrides o "
            "ON o.document_id = l.document_id AND o.field = 'lines[' || l.position || '].ledger_account' "
            "WHERE l.document_id IN (SELECT id FROM _absent_ids) AND (o.value IS NOT NULL "
            "OR list_contains(?, l.accounting_hint) OR (l.accounting_hint IS NULL AND ?)) "
            "ORDER BY l.document_id, l.position",
            [[h for h in absent_codes if h is not None], None in absent_codes]).fetchall()
    out: dict[str, list[str]] = {}
    for doc_id, hint, fixed in rows:
        number = account(hint, fixed)
        if chart_lacks(lists, number) and number not in out.get(doc_id, []):
            out.setdefault(doc_id, []).append(number)
    return out


def _account_by_code(mapping: Mapping[str, str]) -> Callable[[str | None, str | None], str | None]:
    """`accounts_of` for one line given by its code and its reviewer's account (an `overrides`
    value, JSON, or None), worked out once per pair: `accounts_absent` reads codes, not documents.
    Alone or among its document's lines, a line gets the same account: `account_numbers` keys
    each line by its own code (or `*`)."""
    known: dict[tuple[str | None, str | None], str | None] = {}

    def account(hint: str | None, fixed: str | None) -> str | None:
        if (hint, fixed) not in known:
            line = SimpleNamespace(accounting_hint=hint)
            if fixed is not None:  # the fix as `load_documents` applies it for the send
                apply_override(SimpleNamespace(lines=[line]), "lines[1].ledger_account", json.loads(fixed))
            known[hint, fixed] = accounts_of([line], mapping)[0]["account"]
        return known[hint, fixed]

    return account


def status_summary(ws: Workspace) -> dict[str, Any]:
    """Counts per status and connection, last sync runs, open problems: the Overview."""
    with ws.db.read() as con:
        by_status = dict(con.execute("SELECT status, count(*) FROM documents GROUP BY 1").fetchall())
        by_connection = {}
        for conn, status, n in con.execute("SELECT connection, status, count(*) FROM documents GROUP BY 1, 2 ORDER BY 1, 2").fetchall():
            by_connection.setdefault(conn, {})[status] = n
        cur = con.execute(
            "SELECT id, connection, started_at, finished_at, status, fetched, created, updated, unchanged, problems, error, "
            "error_said, pid "
            "FROM sync_runs ORDER BY id DESC LIMIT 10"
        )
        runs = dict_rows(cur)
        for r in runs:
            r["status"] = shown_status(r["status"], r.pop("pid"))
        problems = count_open_problems(con)
        errors = con.execute("SELECT count(*) FROM documents WHERE status = 'to_review' AND error_count > 0").fetchone()[0]
        changed_sent = con.execute("SELECT count(*) FROM documents WHERE changed_after_sending").fetchone()[0]
    return {
        "documents": {s: int(by_status.get(s, 0)) for s in STATUSES if s != "fetched"},
        "total": int(sum(by_status.values())),
        "by_connection": by_connection,
        "to_review_with_errors": int(errors),
        "changed_after_sending": int(changed_sent),
        "open_problems": int(problems),
        "last_syncs": runs,
    }


# Problems of the connections given as the two parameters (a list twice; NULL: of every one).
_OF_CONNECTIONS = "(CAST(? AS TEXT[]) IS NULL OR connection IN (SELECT unnest(?)))"


def dismiss_problems(ws: Workspace, ids: list[int], *, actor: str, reason: str) -> DecisionResult:
    """Mark records kept as problems as handled (a test record, fixed by hand in Pennylane):
    they leave the open count. A record the source sends again readable closes by itself."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("say why these problems are handled (--reason)", Said("problem.reason_missing", {}))
    ids = list(dict.fromkeys(int(i) for i in ids))
    for attempt in range(3):
        result = DecisionResult()
        try:
            with ws.db.write() as con:
                rows = dict(con.execute("SELECT id, resolved FROM problems WHERE id IN (SELECT unnest(?))",
                                        [ids]).fetchall())
                for pid in ids:
                    if pid not in rows:
                        result.refused[str(pid)] = "no such problem"
                    elif rows[pid]:
                        result.refused[str(pid)] = "already resolved"
                    else:
                        result.done.append(str(pid))
                if result.done:
                    con.execute(
                        "UPDATE problems SET resolved = true, resolution = 'dismissed', resolved_at = ?, resolved_by = ?, "
                        "resolved_reason = ? WHERE id IN (SELECT unnest(?))",
                        [dt.datetime.now(dt.timezone.utc), actor, reason, [int(i) for i in result.done]])
            return result
        except duckdb.TransactionException:  # a sync closed one of them at the same moment: read again
            if attempt == 2:
                raise
    return result


def count_open_problems(con: Any, connections: list[str] | None = None) -> int:
    """How many records are kept as problems, not resolved; of `connections` only when given."""
    return int(con.execute(f"SELECT count(*) FROM problems WHERE NOT resolved AND {_OF_CONNECTIONS}",
                           [connections or None, connections or None]).fetchone()[0])


def open_problems(ws: Workspace, connection: str) -> int:
    """How many records of this connection are kept as problems, not resolved."""
    with ws.db.read() as con:
        return count_open_problems(con, [connection])


def list_problems(ws: Workspace, *, include_resolved: bool = False, limit: int = 200,
                  connections: list[str] | None = None) -> list[dict[str, Any]]:
    """Records kept as problems, newest first; of `connections` only when given."""
    with ws.db.read() as con:
        cur = con.execute(
            "SELECT id, connection, source_id, message, raw, recorded_at, resolved, said, resolution, resolved_at, "
            "resolved_by, resolved_reason FROM problems "
            f"WHERE {'true' if include_resolved else 'NOT resolved'} AND {_OF_CONNECTIONS} ORDER BY id DESC LIMIT ?",
            [connections or None, connections or None, limit]
        )
        return dict_rows(cur)
