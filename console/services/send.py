"""Send approved documents to Pennylane: exactly once, nothing lost, as fast as allowed.

A batch moves approved documents to `in_batch` and creates one `batch_items` row each. For
every item the state is written BEFORE each remote call and its result AFTER it:

    pending → party → upload → importing → (linking) → sent | failed | held

After a crash, a timeout or a lost response, the next run resumes the batch. An item found
in `importing` is first looked up in Pennylane by its deterministic `external_reference`
before any new import, so an invoice is never created twice.

Counterparties: the company's customers/suppliers directory is read once per batch (paged)
and matched locally by our external_reference, VAT number, SIREN, then exact name; only the
missing ones are created. That keeps the cost near 2 requests per invoice (upload + import).

A dry run goes through the same code with `DryRunGateway`: no network, every request that
would be sent is recorded and validated against the official OpenAPI spec.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterator, Protocol
from urllib.parse import urlsplit

from .. import i18n
from ..connectors import Said
from ..domain import (
    APPROVED, CREDIT_NOTE_KINDS, CUSTOMER_KINDS, FAILED, IN_BATCH, ON_HOLD, SENT, Counterparty, Document, fixed_account,
    json_compact,
)
from ..http import HttpError, RateLimitExceeded, TransportError
from ..pennylane import requests_builder as rb
from ..pennylane import spec
from ..pennylane.client import DEFAULT_BASE_URL as DEFAULT_API_URL, PennylaneClient, PennylaneRequestInvalid
from ..pennylane.vat import VatMapper, VatMappingError
from ..redact import redact
from ..storage.db import dict_rows
from ..storage.documents import load_documents
from ..storage.ingest import counterparty_id
from ..workspace import Workspace, WorkspaceError, env_var
from .mappings import category_for
from .review import Filters, unanswered_twins

log = logging.getLogger("ecluse.send")


class BatchRunning(RuntimeError):
    """Another batch is being sent from this workspace."""


class SendStopped(RuntimeError):
    """A failure that stops the whole batch (bad token, missing scope, rate limit budget)."""


# --------------------------------------------------------------------------- gateways
class Gateway(Protocol):
    """What the send logic needs from Pennylane. `PennylaneGateway` calls the API,
    `DryRunGateway` only records and validates."""

    dry_run: bool
    base_url: str | None  # the API it calls (None: a dry run)

    def directory(self, role: str) -> list[dict[str, Any]]: ...
    def create_party(self, role: str, path: str, body: dict[str, Any]) -> int: ...
    def find_party(self, role: str, external_reference: str) -> int | None: ...
    def upload(self, filename: str, content: bytes) -> int: ...
    def find_invoice(self, kind: str, external_reference: str) -> dict[str, Any] | None: ...
    def import_invoice(self, kind: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def link_credit_note(self, invoice_id: int, credit_note_id: int) -> None: ...
    def ledger_accounts(self) -> dict[str, int]: ...
    def categories(self) -> dict[str, int | None]: ...
    def set_categories(self, kind: str, invoice_id: int, body: list[dict[str, Any]]) -> None: ...


# The audit's reason for a failed invoice approved again (the console says it in the user's language).
RETRY_REASON = "send failed; approved again for the next batch"


def _invoice_path(kind: str) -> str:
    return "/customer_invoices" if kind in CUSTOMER_KINDS else "/supplier_invoices"


@dataclass
class PlannedRequest:
    document_id: str | None
    method: str
    path: str
    query: dict[str, Any] | None = None
    body: Any = None
    multipart: dict[str, Any] | None = None
    violations: list[str] = field(default_factory=list)
    note: str | None = None
    note_code: str | None = None  # `note` for the console's language: `send.note.<code>`

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class DryRunGateway:
    """Builds and validates, sends nothing. Ids it returns are placeholders (900000000+)."""

    dry_run = True
    base_url = None

    def __init__(self) -> None:
        self.requests: list[PlannedRequest] = []
        self.current_document: str | None = None
        self._next_id = 900_000_000

    def _record(self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None,
                multipart: dict[str, Any] | None = None, note: str | None = None, note_code: str | None = None) -> int:
        violations = spec.validate_request(method, path, query=query, json_body=body, multipart=multipart)
        self.requests.append(PlannedRequest(self.current_document, method, path, query, body, multipart, violations, note,
                                            note_code))
        self._next_id += 1
        return self._next_id

    def directory(self, role: str) -> list[dict[str, Any]]:
        path = "/customers" if role == "customer" else "/suppliers"
        self._record("GET", path, query={"limit": 100}, note="read once per batch (all pages) to match existing counterparties",
                     note_code="read_parties")
        return []

    def create_party(self, role: str, path: str, body: dict[str, Any]) -> int:
        return self._record("POST", path, body=body, note="only if no existing counterparty matches",
                            note_code="create_party")

    def find_party(self, role: str, external_reference: str) -> int | None:
        return None

    def upload(self, filename: str, content: bytes) -> int:
        return self._record("POST", "/file_attachments", multipart={"file": (filename, content, "application/pdf"), "filename": filename},
                            note=f"{filename}, {len(content)} bytes")

    def find_invoice(self, kind: str, external_reference: str) -> dict[str, Any] | None:
        return None

    def import_invoice(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"id": self._record("POST", f"{_invoice_path(kind)}/import", body=body)}

    def link_credit_note(self, invoice_id: int, credit_note_id: int) -> None:
        self._record("POST", f"/customer_invoices/{invoice_id}/link_credit_note", body=rb.link_credit_note_body(credit_note_id))

    def ledger_accounts(self) -> dict[str, int]:
        return _Placeholders(self)

    def categories(self) -> dict[str, int | None]:
        return _Placeholders(self)

    def set_categories(self, kind: str, invoice_id: int, body: list[dict[str, Any]]) -> None:
        self._record("PUT", f"{_invoice_path(kind)}/{invoice_id}/categories", body=body)


class _Placeholders(dict):  # type: ignore[type-arg]
    """Any ledger account number / category resolves to a stable placeholder id in a dry run."""

    def __init__(self, gw: DryRunGateway) -> None:
        super().__init__()
        self.gw = gw

    def __missing__(self, key: str) -> int:
        self[key] = 800_000_000 + len(self)
        return self[key]

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key]

    def __contains__(self, key: object) -> bool:
        return True


# --------------------------------------------------------------------------- results
def failure_said(exc: HttpError) -> dict[str, Any]:
    """A failed call to Pennylane as the console says it ({"code", "params"}): unreachable,
    its server failing, its rate limit, the token refused, or the invoice refused; or the request
    refused by the spec check before it was sent (the checker's findings as it words them)."""
    if isinstance(exc, PennylaneRequestInvalid):
        return {"code": "send.request_invalid", "params": {"errors": redact("; ".join(exc.errors)) or "—"}}
    if exc.status is None:  # TransportError: nothing or no complete answer came back
        cause = getattr(exc, "cause", "other")
        return {"code": "send.unreachable", "params": {"cause": {
            lang: i18n.t(f"http.cause.{cause}", lang, attempts=exc.attempts) for lang in i18n.LANGS}}}
    if exc.status >= 500:
        return {"code": "send.server_error", "params": {"status": exc.status}}
    if exc.status == 429:
        return {"code": "send.rate_limited", "params": {"status": exc.status}}
    if exc.status in (401, 403):
        return {"code": "send.unauthorized", "params": {"status": exc.status}}
    return {"code": "send.refused", "params": {"status": exc.status, "detail": (exc.body or "").strip() or "—"}}


# --------------------------------------------------------------------------- what a held or sent item says
# A held invoice's reason and a sent one's warnings keep their English text (the CLI's, the
# `error` column) and a Said ({"code", "params"}) beside it, as a failure does: the console says
# them in the reader's language (`said.send.*`). The request builder gives each reason as a
# `Said` with codes and values (`BuildError.said`); what it names (a document, a line, a field,
# why) is stored said in each language ({"fr": ..., "en": ...}) from `send.subject.*`,
# `send.field.*` and `send.why.*`, so a stored row reads the same after the templates change.
def _per_lang(say: Callable[[str], str]) -> dict[str, str]:
    return {lang: say(lang) for lang in i18n.LANGS}


def _decimal_comma(value: str) -> dict[str, str]:
    """A rate, an amount or a quantity as its message writes it (100.00), in French 100,00."""
    return _per_lang(lambda lang: value.replace(".", ",") if lang == "fr" else value)


def _held_param(name: str, value: Any) -> Any:
    if name in ("subject", "where"):
        return _per_lang(lambda lang: rb.place_text(value, lang))
    if name == "missing":
        return _per_lang(lambda lang: ", ".join(rb.field_text(item, lang) for item in value))
    if name == "why":
        return _per_lang(lambda lang: f" ({rb.why_text(value, lang)})" if value else "")
    if name in ("code", "connection", "twin"):
        return value  # quoted: « » in French
    if name == "known":
        return _per_lang(lambda lang: ", ".join(f"{k.replace('.', ',')} %" if lang == "fr" else f"{k}%" for k in value))
    return _decimal_comma(str(value))


def held_said(exc: Exception) -> dict[str, Any]:
    """Why an invoice is held before sending (a missing PDF, counterparty, date, line or total,
    a counterparty's address, a mapped ledger account Pennylane lacks, a VAT rate without a code,
    a currency Pennylane refuses, totals that do not add up) as the console says it, from the
    Said the request builder gave it; a refusal without one as its English text."""
    said = getattr(exc, "said", None)
    if said is not None and i18n.has(f"said.send.{said.code}"):
        try:
            return {"code": f"send.{said.code}", "params": {k: _held_param(k, v) for k, v in said.params.items()}}
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            pass  # values that do not fit: said as the English text
    return {"code": "send.held", "params": {"reason": str(exc)}}


def _joined(says: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One Said for a sent invoice's warnings ("; "-joined in English): the only one, or all of
    them said in each language."""
    if len(says) <= 1:
        return says[0] if says else None
    return {"code": "send.warnings", "params": {"warnings": {
        lang: (" ; " if lang == "fr" else "; ").join(i18n.said_or(None, s, lang) for s in says) for lang in i18n.LANGS}}}


def import_warning_said(exc: HttpError) -> dict[str, Any]:
    """A call after the import that failed (categories, the credit note's link): the invoice is in."""
    english = redact(str(exc))
    return {"code": "send.warn_imported_but", "params": {"error": {
        lang: english if lang == "en" else i18n.said_or(english, check_said(exc), lang) for lang in i18n.LANGS}}}


@dataclass
class ItemResult:
    document_id: str
    number: str | None
    state: str
    pennylane_id: int | None = None
    error: str | None = None
    warning: str | None = None
    url: str | None = None  # Pennylane's link to the invoice's file
    said: dict[str, Any] | None = None  # the failure, hold or warnings in the console's language ({"code", "params"})


@dataclass
class BatchResult:
    batch_id: int | None
    dry_run: bool
    status: str = "done"  # done | interrupted | nothing_to_send
    message: str | None = None
    items: list[ItemResult] = field(default_factory=list)
    requests: list[PlannedRequest] = field(default_factory=list)
    request_count: int = 0
    # Made-up documents (Connector.fictitious) a live send to Pennylane's own API holds: a dry
    # run names them, as the workspace sends there.
    fictitious: list[str] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)

    def lines_without_account(self) -> tuple[int, int]:
        """(invoice lines, documents) a dry run would import with no `ledger_account_id` (optional
        in the spec): Pennylane then chooses the account itself. A mapping (Correspondances)
        sets it."""
        lines = documents = 0
        for r in self.requests:
            body = r.body if r.path.endswith("/import") and isinstance(r.body, dict) else {}
            missing = sum(1 for line in body.get("invoice_lines") or [] if not line.get("ledger_account_id"))
            lines, documents = lines + missing, documents + bool(missing)
        return lines, documents

    waiting_for_pdf: int = 0

    def summary(self) -> dict[str, Any]:
        out = {
            "batch_id": self.batch_id, "dry_run": self.dry_run, "status": self.status, "message": self.message,
            "waiting_for_pdf": self.waiting_for_pdf,
            "sent": self.count("sent"), "failed": self.count("failed"), "held": self.count("held"),
            "pending": self.count("pending"), "items": [asdict(i) for i in self.items],
        }
        if self.dry_run:
            out["requests"] = [r.as_dict() for r in self.requests]
            out["violations"] = sum(len(r.violations) for r in self.requests)
            out["lines_without_account"], out["documents_without_account"] = self.lines_without_account()
            out["fictitious"] = self.fictitious  # made up: a live send to Pennylane holds them
            for r in out["requests"]:
                if r["multipart"]:
                    r["multipart"] = {k: (v[0] if isinstance(v, tuple) else v) for k, v in r["multipart"].items()}
        return out


ProgressFn = Callable[[ItemResult, int, int], None]


# --------------------------------------------------------------------------- the batch
@contextlib.contextmanager
def send_lock(ws: Workspace) -> Iterator[None]:
    """One batch at a time per workspace, across processes."""
    with ws.exclusive("send") as holder:
        if holder is not None:
            raise BatchRunning(f"a batch is already being sent from this workspace ({holder}); wait for it to finish")
        yield


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def approved_ids(ws: Workspace, filters: Filters | None = None) -> list[str]:
    """Approved documents ready to go. Those whose PDF has not arrived yet stay approved
    and join a later batch (see `waiting_for_pdf`)."""
    f = filters or Filters()
    f.status = APPROVED
    where, params = f.where()
    with ws.db.read() as con:
        return [r[0] for r in con.execute(
            f"SELECT d.id FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id "
            f"WHERE {where} AND NOT d.attachment_pending ORDER BY d.issue_date, d.id", params
        ).fetchall()]


def waiting_for_pdf(ws: Workspace) -> int:
    with ws.db.read() as con:
        return int(con.execute("SELECT count(*) FROM documents WHERE status = 'approved' AND attachment_pending").fetchone()[0])


def dry_run(ws: Workspace, filters: Filters | None = None, *, ids: list[str] | None = None) -> BatchResult:
    """The exact requests a send would make, validated against the spec. No network, no
    change to the workspace."""
    ids = ids if ids is not None else approved_ids(ws, filters)
    result = BatchResult(batch_id=None, dry_run=True)
    gw = DryRunGateway()
    sender = _Sender(ws, gw, batch_id=None)
    with ws.db.read() as con:
        docs = load_documents(con, ids)
        holds = held_first(con, docs, ids, to_pennylane=False)  # made-up ones: said apart, as `fictitious`
        if is_pennylane(api_url(ws)):
            result.fictitious = sorted(fictitious_ids(con, ids))
    if not docs:
        result.status = "nothing_to_send"
        result.message = "no approved document to send"
        return result
    sender.prepare([d for i, d in docs.items() if i not in holds.held])
    sent: set[str] = set()
    for doc_id in ids:
        gw.current_document = doc_id
        exc = holds.held.get(doc_id) or holds.duplicate_of_sent(docs[doc_id], sent)
        res = _held(docs[doc_id], exc) if exc else sender.send_one(docs[doc_id], state="pending", item={})
        if res.state == "sent":
            sent.add(doc_id)
        result.items.append(res)
    result.requests = gw.requests
    result.request_count = len(gw.requests)
    return result


def push(
    ws: Workspace, gateway: Gateway, filters: Filters | None = None, *, ids: list[str] | None = None,
    actor: str = "ecluse", progress: ProgressFn | None = None,
) -> BatchResult:
    """Send approved documents for real. An unfinished batch (interrupted run) is resumed
    first; then the approved documents matching `filters` (or `ids`) form a new batch."""
    with send_lock(ws):
        unfinished = _unfinished_batch(ws)
        if unfinished is not None:
            result = _run_batch(ws, gateway, unfinished, progress)
            if result.status != "done":
                return result
        batch_id = _create_batch(ws, ids if ids is not None else approved_ids(ws, filters), actor)
        if batch_id is None:
            if unfinished is not None:
                return result
            return BatchResult(batch_id=None, dry_run=False, status="nothing_to_send", message="no approved document to send")
        return _run_batch(ws, gateway, batch_id, progress)


def _unfinished_batch(ws: Workspace) -> int | None:
    with ws.db.read() as con:
        row = con.execute("SELECT max(id) FROM batches WHERE status IN ('running', 'interrupted') AND NOT dry_run").fetchone()
    return row[0] if row and row[0] is not None else None


def _create_batch(ws: Workspace, ids: list[str], actor: str) -> int | None:
    if not ids:
        return None
    now = _now()
    workspace_id = ws.workspace_id
    with ws.db.write() as con:
        # Re-check under the write transaction: only documents still approved join.
        ids = [r[0] for r in con.execute(
            "SELECT id FROM documents WHERE status = 'approved' AND id IN (SELECT unnest(?))", [ids]
        ).fetchall()]
        if not ids:
            return None
        batch_id = con.execute(
            "INSERT INTO batches (created_at, started_at, status, dry_run, actor, pid) VALUES (?, ?, 'running', false, ?, ?) RETURNING id",
            [now, now, actor, os.getpid()],
        ).fetchone()[0]
        con.execute(
            "INSERT INTO batch_items (batch_id, document_id, state, external_reference, updated_at) "
            "SELECT ?, t.id, 'pending', t.ref, ? FROM (SELECT unnest(?) AS id, unnest(?) AS ref) t",
            [batch_id, now, ids, [rb.external_reference(workspace_id, i) for i in ids]],
        )
        con.execute(
            "UPDATE documents SET status = 'in_batch', status_changed_at = ? WHERE id IN (SELECT unnest(?))", [now, ids]
        )
        con.execute(
            "INSERT INTO audit (recorded_at, actor, document_id, action, field, new_value) "
            "SELECT ?, ?, t.id, 'in_batch', 'batch', to_json(?) FROM (SELECT unnest(?) AS id) t",
            [now, actor, batch_id, ids],
        )
    return batch_id


def _run_batch(ws: Workspace, gateway: Gateway, batch_id: int, progress: ProgressFn | None) -> BatchResult:
    result = BatchResult(batch_id=batch_id, dry_run=False)
    with ws.db.write() as con:
        # Who asked for the batch signs what happens to its documents, in a run that resumes it too.
        [actor] = con.execute("UPDATE batches SET status = 'running', pid = ?, note = NULL WHERE id = ? RETURNING actor",
                              [os.getpid(), batch_id]).fetchone()
        items = dict_rows(con.execute("SELECT * FROM batch_items WHERE batch_id = ? ORDER BY document_id", [batch_id]))
        docs = load_documents(con, [i["document_id"] for i in items])
        todo = [i for i in items if i["state"] not in ("sent", "failed", "held")]
        holds = held_first(con, docs, [i["document_id"] for i in todo],
                           to_pennylane=is_pennylane(getattr(gateway, "base_url", None)))
    # Invoices before credit notes, so that a credit note can be linked to its invoice.
    todo.sort(key=lambda i: (docs[i["document_id"]].kind in CREDIT_NOTE_KINDS if i["document_id"] in docs else True,
                             str(docs[i["document_id"]].issue_date) if i["document_id"] in docs else "", i["document_id"]))
    for i in items:
        if i["state"] in ("sent", "failed", "held"):
            result.items.append(ItemResult(i["document_id"], docs.get(i["document_id"]).number if i["document_id"] in docs else None,
                                           i["state"], i["invoice_pl_id"], i["error"], said=i18n.stored(i["error_said"])))
    sender = _Sender(ws, gateway, batch_id, actor=actor)
    # Held before any request is made for them: made up, or a duplicate sent already.
    for item in [i for i in todo if i["document_id"] in holds.held]:
        res = _held(docs[item["document_id"]], holds.held[item["document_id"]])
        sender.finish(res.document_id, res)
        result.items.append(res)
        todo.remove(item)
    sent = {i["document_id"] for i in items if i["state"] == "sent"}  # this batch's, a resumed one's too
    try:
        sender.prepare([docs[i["document_id"]] for i in todo if i["document_id"] in docs])
        for n, item in enumerate(todo, start=1):
            doc = docs.get(item["document_id"])
            twin_sent = holds.duplicate_of_sent(doc, sent) if doc is not None else None
            if doc is None:
                res = ItemResult(item["document_id"], None, "failed", error="the document is no longer in the cache",
                                 said={"code": "send.gone", "params": {}})
                sender.finish(item["document_id"], res)
            elif twin_sent is not None:
                res = _held(doc, twin_sent)
                sender.finish(doc.id, res)
            else:
                res = sender.send_one(doc, state=item["state"], item=item)
            if res.state == "sent":
                sent.add(res.document_id)
            result.items.append(res)
            if progress:
                progress(res, n, len(todo))
    except SendStopped as exc:
        result.status, result.message = "interrupted", str(exc)
        pending = {i["document_id"] for i in todo} - {r.document_id for r in result.items}
        result.items += [ItemResult(d, docs[d].number if d in docs else None, "pending") for d in sorted(pending)]
    final = "done" if result.status == "done" else "interrupted"
    with ws.db.write() as con:
        con.execute(
            "UPDATE batches SET status = ?, finished_at = ?, note = ?, "
            "sent = (SELECT count(*) FROM batch_items WHERE batch_id = ? AND state = 'sent'), "
            "failed = (SELECT count(*) FROM batch_items WHERE batch_id = ? AND state = 'failed'), "
            "held = (SELECT count(*) FROM batch_items WHERE batch_id = ? AND state = 'held') WHERE id = ?",
            [final, _now() if final == "done" else None, result.message, batch_id, batch_id, batch_id, batch_id],
        )
    result.request_count = sender.requests
    return result


PENNYLANE_HOST = "pennylane.com"


def is_pennylane(url: str | None) -> bool:
    """Whether an API URL is Pennylane's own (its company's real books), not an emulator or a
    test server."""
    host = (urlsplit(url).hostname or "") if url else ""
    return host == PENNYLANE_HOST or host.endswith("." + PENNYLANE_HOST)


def fictitious_ids(con: Any, ids: list[str]) -> set[str]:
    """Those of `ids` a connector made up (documents.fictitious: the demo's)."""
    if not ids:
        return set()
    return {r[0] for r in con.execute("SELECT id FROM documents WHERE fictitious AND id IN (SELECT unnest(?))",
                                      [ids]).fetchall()}


class FictitiousDocument(rb.BuildError):
    """A made-up document (the demo connector's) in a send to Pennylane's own API: held."""

    def __init__(self, doc: Document) -> None:
        super().__init__(
            f"{rb.place_text(rb.document_place(doc))} is a made-up invoice of connection {doc.connection!r} (a demo "
            "connector): it is never sent to Pennylane; reject it, or send it to a test server",
            Said("held_fictitious", {"subject": rb.document_place(doc), "connection": doc.connection}))


class DuplicateSent(rb.BuildError):
    """A suspected duplicate no reviewer answered, whose twin is sent or goes first in the batch."""

    def __init__(self, doc: Document, twin: str) -> None:
        super().__init__(
            f"{rb.place_text(rb.document_place(doc))} is a suspected duplicate of {twin}, sent before it: keep both "
            "or reject it in Review", Said("held_duplicate", {"subject": rb.document_place(doc), "twin": twin}))


@dataclass
class _Holds:
    """What holds documents of a send before any request for them (`held_first`)."""
    held: dict[str, rb.BuildError]  # held now: made up, or their twin is sent or in another batch
    twins: dict[str, list[tuple[str, str]]]  # id → its unanswered twins in the same send: (id, as named)

    def duplicate_of_sent(self, doc: Document, sent: set[str]) -> DuplicateSent | None:
        """Hold `doc` if a twin of its in this send went already (one copy goes, the other waits)."""
        twin = next((name for twin_id, name in self.twins.get(doc.id, ()) if twin_id in sent), None)
        return DuplicateSent(doc, twin) if twin else None


def held_first(con: Any, docs: dict[str, Document], ids: list[str], *, to_pennylane: bool) -> _Holds:
    """Of `ids` about to be sent, those held before any request is made: a made-up document
    when the gateway is Pennylane's own API, and a suspected duplicate no reviewer answered
    (`review.unanswered_twins`; a rejected twin is an answer) whose twin is sent already or in
    another batch. A twin in the same send: whichever goes first is sent, the other held
    (`_Holds.duplicate_of_sent`): an invoice booked twice is what the suspicion is about."""
    held: dict[str, rb.BuildError] = {}
    if to_pennylane:
        held.update({i: FictitiousDocument(docs[i]) for i in fictitious_ids(con, ids) if i in docs})
    here = set(ids)
    twins: dict[str, list[tuple[str, str]]] = {}
    for doc_id, twin, status, name in unanswered_twins(con, ids):
        if twin in here:
            twins.setdefault(doc_id, []).append((twin, name))
        elif status in (SENT, "in_batch") and doc_id in docs and doc_id not in held:
            held[doc_id] = DuplicateSent(docs[doc_id], name)
    return _Holds(held, twins)


def _held(doc: Document, exc: Exception) -> ItemResult:
    """A document held before sending: why, in English and as a Said (`held_said`)."""
    return ItemResult(doc.id, doc.number, "held", error=f"held before sending: {exc}", said=held_said(exc))


class _Sender:
    """Sends one document at a time, persisting each step."""

    def __init__(self, ws: Workspace, gw: Gateway, batch_id: int | None, *, actor: str = "ecluse") -> None:
        self.ws = ws
        self.gw = gw
        self.batch_id = batch_id
        self.actor = actor  # who asked for the batch: signs each document's outcome in the audit
        self.workspace_id = ws.workspace_id
        cfg = ws.pennylane()
        self.import_as_incomplete = bool(cfg.get("import_as_incomplete", False))
        self.mappings = ws.mappings()
        self.vat = VatMapper(self.mappings["vat"])
        self._directory: dict[str, list[dict[str, Any]]] = {}
        self._ledger: dict[str, int] | None = None
        self._categories: dict[str, int | None] | None = None
        self.requests = 0

    # -- persistence ----------------------------------------------------------------------
    def _item(self, document_id: str, **values: Any) -> None:
        if self.gw.dry_run or self.batch_id is None:
            return
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.ws.db.write() as con:
            con.execute(
                f"UPDATE batch_items SET {sets}, updated_at = ? WHERE batch_id = ? AND document_id = ?",
                [*values.values(), _now(), self.batch_id, document_id],
            )

    def finish(self, document_id: str, res: ItemResult) -> None:
        if self.gw.dry_run or self.batch_id is None:
            return
        now = _now()
        status = {"sent": SENT, "failed": FAILED, "held": ON_HOLD}[res.state]
        reason = res.error
        said = json_compact(res.said) if res.said else None  # the item's and the audit row's, one text
        with self.ws.db.write() as con:
            con.execute(
                "UPDATE batch_items SET state = ?, invoice_pl_id = coalesce(?, invoice_pl_id), error = ?, error_said = ?, "
                # The amount written with `importing` stays on a sent item only: one that
                # failed or was held imported nothing.
                "sent_amount = CASE WHEN ? THEN sent_amount END, sent_currency = CASE WHEN ? THEN sent_currency END, "
                "updated_at = ? WHERE batch_id = ? AND document_id = ?",
                [res.state, res.pennylane_id, res.error or res.warning, said,
                 res.state == "sent", res.state == "sent", now, self.batch_id, document_id],
            )
            if res.state == "sent":
                # Sent is a fact: record it even if a sync moved the document meanwhile (then
                # what Pennylane has is the earlier version: flag it as changed after sending).
                con.execute(
                    "UPDATE documents SET changed_after_sending = (status <> 'in_batch'), status = 'sent', "
                    "status_reason = ?, status_changed_at = ?, pennylane_id = ?, pennylane_url = ?, sent_at = ? WHERE id = ?",
                    [res.warning, now, res.pennylane_id, res.url, now, document_id],
                )
            else:
                con.execute(
                    "UPDATE documents SET status = ?, status_reason = ?, status_changed_at = ? "
                    "WHERE id = ? AND status = 'in_batch'",
                    [status, reason, now, document_id],
                )
            con.execute(
                "INSERT INTO audit (recorded_at, actor, document_id, action, field, new_value, reason, reason_said) "
                "VALUES (?, ?, ?, ?, 'pennylane_id', to_json(?), ?, ?)",
                [now, self.actor, document_id,
                 {"sent": "sent", "failed": "send_failed", "held": "held_before_send"}[res.state],
                 res.pennylane_id, res.error or res.warning, said],
            )

    # -- preparation ------------------------------------------------------------------------
    def prepare(self, docs: list[Document]) -> None:
        """Read the directories once if some counterparty has no known Pennylane id yet."""
        roles = set()
        known = self._known_party_ids([d for d in docs if d.counterparty])
        for d in docs:
            if d.counterparty and self._party_key(d) not in known:
                roles.add(self._role(d))
        self._known = known
        for role in sorted(roles):
            self._directory[role] = self._call(lambda: self.gw.directory(role))

    def _known_party_ids(self, docs: list[Document]) -> dict[str, int]:
        keys = sorted({self._party_key(d) for d in docs})
        manual = {k: int(v) for k, v in self.mappings.get("counterparties", {}).items() if str(v).isdigit()}
        if not keys:
            return manual
        with self.ws.db.read() as con:
            rows = con.execute(
                "SELECT id, pennylane_id FROM counterparties WHERE pennylane_id IS NOT NULL AND id IN (SELECT unnest(?))",
                [keys],
            ).fetchall()
        return {**{r[0]: int(r[1]) for r in rows}, **manual}

    @staticmethod
    def _role(doc: Document) -> str:
        return "customer" if doc.kind in CUSTOMER_KINDS else "supplier"

    def _party_key(self, doc: Document) -> str:
        cp = doc.counterparty
        assert cp is not None
        return counterparty_id(doc.connection or "", cp.role, cp.source_id)

    def _call(self, fn: Callable[[], Any]) -> Any:
        """One remote call; failures that would hit every item stop the batch."""
        self.requests += 1
        try:
            return fn()
        except RateLimitExceeded as exc:
            raise SendStopped(f"Pennylane's rate limit is exhausted ({redact(str(exc))}); the batch will resume later") from None
        except HttpError as exc:
            if exc.status in (401, 403):
                raise SendStopped(redact(str(exc))) from None
            raise

    # -- one document ---------------------------------------------------------------------------
    def send_one(self, doc: Document, *, state: str, item: dict[str, Any]) -> ItemResult:
        res = ItemResult(doc.id, doc.number, "pending")
        ext_ref = item.get("external_reference") or rb.external_reference(self.workspace_id, doc.id)
        try:
            self._precheck(doc)
            # 1. Was it already imported by an interrupted earlier attempt?
            if state in ("importing", "linking") or item.get("attempts"):
                found = self._call(lambda: self.gw.find_invoice(doc.kind, ext_ref))
                if found:
                    res.state, res.pennylane_id = "sent", int(found["id"])
                    res.url = found.get("public_file_url")
                    res.warning = "found in Pennylane after an interrupted send; not imported again"
                    res.said = {"code": "send.warn_found_again", "params": {}}
                    self._after_import(doc, res)
                    self.finish(doc.id, res)
                    return res
            # 2. Counterparty
            self._item(doc.id, state="party")
            party_id = self._counterparty(doc)
            self._item(doc.id, state="upload", counterparty_pl_id=party_id)
            # 3. File: uploaded for this invoice only (never reused for another one)
            attachment_id = item.get("attachment_pl_id")
            content = self.ws.get_attachment(doc.attachment.sha256) if doc.attachment and doc.attachment.sha256 else None
            if content is None:
                raise rb.MissingData(rb.document_place(doc), ["pdf"], "file_not_stored")
            body = self._body(doc, party_id, attachment_id or 1, ext_ref)  # validate before uploading
            if not attachment_id:
                attachment_id = self._upload(doc.attachment.filename or f"{doc.number}.pdf", content)
                self._item(doc.id, attachment_pl_id=attachment_id)
            body["file_attachment_id"] = int(attachment_id)
            # 4. Import (state persisted first: a crash from here on is resolved by a lookup),
            # with what it carries: the item's sent amount once it is sent, even if the source
            # changes the document afterwards or the answer is lost and found by a later run.
            self._item(doc.id, state="importing", attempts=int(item.get("attempts") or 0) + 1,
                       sent_amount=Decimal(body["currency_amount"]), sent_currency=body["currency"])
            created = self._import(doc, body, ext_ref)
            res.state, res.pennylane_id = "sent", int(created["id"])
            res.url = created.get("public_file_url")
            self._after_import(doc, res)
        except (rb.BuildError, VatMappingError) as exc:
            res = _held(doc, exc)
        except SendStopped:
            raise
        except HttpError as exc:
            res.state, res.error, res.said = "failed", redact(str(exc)), failure_said(exc)
        self.finish(doc.id, res)
        return res

    def _precheck(self, doc: Document) -> None:
        if doc.counterparty is None:
            raise rb.MissingData(rb.document_place(doc), ["counterparty"])
        if doc.attachment is None or not doc.attachment.sha256:
            raise rb.MissingData(rb.document_place(doc), ["pdf"], "pdf_pending" if doc.attachment_pending else "file_needed")

    def _upload(self, filename: str, content: bytes, attempts: int = 3) -> int:
        """Uploading again after a server error or a lost answer is safe: at worst Pennylane
        keeps an orphan file, which no invoice uses."""
        for attempt in range(1, attempts + 1):
            try:
                return self._call(lambda: self.gw.upload(filename, content))
            except (TransportError, HttpError) as exc:
                retryable = isinstance(exc, TransportError) or (exc.status or 0) >= 500
                if not retryable or attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def _import(self, doc: Document, body: dict[str, Any], ext_ref: str) -> dict[str, Any]:
        try:
            return self._call(lambda: self.gw.import_invoice(doc.kind, body))
        except (TransportError, HttpError) as exc:
            ambiguous = isinstance(exc, TransportError) or (exc.status or 0) >= 500 or exc.status == 409
            if not ambiguous:
                raise
            # The request may have been processed: ask before trying again.
            found = self._call(lambda: self.gw.find_invoice(doc.kind, ext_ref))
            if found:
                return found
            if exc.status == 409:
                raise
            return self._call(lambda: self.gw.import_invoice(doc.kind, body))

    def _after_import(self, doc: Document, res: ItemResult) -> None:
        """Categories and the credit-note link: best effort, a failure is a warning."""
        warnings = [res.warning] if res.warning else []
        says = [res.said] if res.warning and res.said else []  # each warning as the console says it
        # A category chosen for this document (a reviewer's fix) wins over the connection's default.
        category = doc.category_hint or category_for(self.mappings["categories"], doc.connection, doc.kind)
        try:
            if category:
                cats = self._categories if self._categories is not None else self._call(self.gw.categories)
                self._categories = cats
                if category in cats and cats[category] is None:
                    warnings.append(f"category {category!r} is the label of several Pennylane categories; none was set")
                    says.append({"code": "send.warn_ambiguous_category", "params": {"category": repr(category)}})
                elif category in cats:
                    self._call(lambda: self.gw.set_categories(doc.kind, res.pennylane_id, rb.categories_body([cats[category]])))
                else:
                    warnings.append(f"category {category!r} does not exist in Pennylane")
                    says.append({"code": "send.warn_no_category", "params": {"category": repr(category)}})
            if doc.kind in CREDIT_NOTE_KINDS and doc.kind in CUSTOMER_KINDS and doc.credited_source_id:
                with self.ws.db.read() as con:
                    row = con.execute("SELECT pennylane_id FROM documents WHERE id = ?",
                                      [f"{doc.connection}:{doc.credited_source_id}"]).fetchone()
                if row and row[0]:
                    self._item(doc.id, state="linking")
                    self._call(lambda: self.gw.link_credit_note(int(row[0]), res.pennylane_id))
                else:
                    warnings.append("the credited invoice is not in Pennylane yet; link the credit note by hand")
                    says.append({"code": "send.warn_credit_unlinked", "params": {}})
        except HttpError as exc:
            warnings.append(f"imported, but: {redact(str(exc))}")
            says.append(import_warning_said(exc))
        res.warning = "; ".join(warnings) or None
        res.said = _joined(says) if len(says) == len(warnings) else None

    def _body(self, doc: Document, party_id: int, attachment_id: int, ext_ref: str) -> dict[str, Any]:
        ledger = self._ledger_ids(doc)
        options: dict[str, Any] = {"ledger_accounts": ledger, "vat_overrides": self.vat,
                                   "import_as_incomplete": self.import_as_incomplete}
        if doc.kind in CUSTOMER_KINDS:
            return rb.customer_invoice_import_body(doc, customer_id=party_id, file_attachment_id=attachment_id,
                                                   external_reference=ext_ref, **options)
        return rb.supplier_invoice_import_body(doc, supplier_id=party_id, file_attachment_id=attachment_id,
                                               external_reference=ext_ref, **options)

    def _ledger_ids(self, doc: Document) -> dict[str | None, int]:
        """accounting hint → ledger_account_id, from the workspace mapping (hint → account
        number) and Pennylane's chart of accounts (number → id), read once per batch."""
        wanted = rb.account_numbers(doc.lines, self.mappings["ledger_accounts"])
        if not wanted:
            return {}
        if self._ledger is None:
            self._ledger = self._call(self.gw.ledger_accounts)
        out: dict[str | None, int] = {}
        for hint, number in wanted.items():
            if number not in self._ledger:
                raise rb.MissingData(rb.document_place(doc), [("ledger_account", {"number": number})],
                                     _ledger_unknown_why(doc, hint))
            out[hint] = self._ledger[number]
        return out

    def _counterparty(self, doc: Document) -> int:
        cp = doc.counterparty
        assert cp is not None
        key = self._party_key(doc)
        if key in self._known:
            return self._known[key]
        role = self._role(doc)
        ext_ref = rb.external_reference(self.workspace_id, key)
        party_id = _match(self._directory.get(role, []), cp, ext_ref)
        if party_id is None:
            if role == "customer":
                path, body = rb.customer_request(cp, ext_ref)
            else:
                path, body = "/suppliers", rb.supplier_body(cp, ext_ref)
            try:
                party_id = self._call(lambda: self.gw.create_party(role, path, body))
            except (TransportError, HttpError) as exc:
                if not (isinstance(exc, TransportError) or exc.status in (409,) or (exc.status or 0) >= 500):
                    raise
                party_id = self._call(lambda: self.gw.find_party(role, ext_ref))
                if party_id is None:
                    raise
            self._directory.setdefault(role, []).append({"id": party_id, "external_reference": ext_ref, "name": cp.name})
        self._known[key] = party_id
        if not self.gw.dry_run:
            with self.ws.db.write() as con:
                con.execute("UPDATE counterparties SET pennylane_id = ? WHERE id = ?", [party_id, key])
        return party_id


def _ledger_unknown_why(doc: Document, hint: str) -> tuple[str, dict[str, Any]]:
    """Why an account Pennylane's chart lacks was asked for: a reviewer's fix of these lines
    (numbered from 1), or the mapping of a code (or of the fallback "*")."""
    if fixed_account(hint) is not None:
        lines = [str(n) for n, line in enumerate(doc.lines, start=1) if line.accounting_hint == hint]
        return "ledger_fixed_unknown", {"n": len(lines), "lines": ", ".join(lines)}
    return "ledger_unknown", {"hint": repr(hint)}


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", (text or "")).upper()


def _match(directory: list[dict[str, Any]], cp: Counterparty, ext_ref: str) -> int | None:
    """Our external_reference first, then VAT number, SIREN, exact name (case-insensitive)."""
    checks = [
        lambda e: e.get("external_reference") == ext_ref,
        lambda e: bool(cp.vat_number) and _norm(e.get("vat_number")) == _norm(cp.vat_number),
        lambda e: bool(cp.siren) and _norm(e.get("reg_no")) == _norm(cp.siren),
        lambda e: (e.get("name") or "").strip().lower() == (cp.name or "").strip().lower() and bool(cp.name),
    ]
    for check in checks:
        for entry in directory:
            if check(entry):
                return int(entry["id"])
    return None


def retry_failed(ws: Workspace, document_ids: list[str] | None = None, *, actor: str = "ecluse") -> int:
    """Put failed documents back to approved so that the next push sends them again."""
    now = _now()
    with ws.db.write() as con:
        ids = [r[0] for r in con.execute(
            "SELECT id FROM documents WHERE status = 'failed'" + (" AND id IN (SELECT unnest(?))" if document_ids else ""),
            [document_ids] if document_ids else [],
        ).fetchall()]
        if ids:
            con.execute("UPDATE documents SET status = 'approved', status_reason = NULL, status_changed_at = ? "
                        "WHERE id IN (SELECT unnest(?))", [now, ids])
            con.execute(
                "INSERT INTO audit (recorded_at, actor, document_id, action, field, old_value, new_value, reason) "
                "SELECT ?, ?, t.id, 'retry', 'status', to_json('failed'), to_json('approved'), ? "
                "FROM (SELECT unnest(?) AS id) t",
                [now, actor, RETRY_REASON, ids],
            )
    return len(ids)


def gateway_for(ws: Workspace) -> Gateway:
    """The live gateway from the workspace's Pennylane settings (URL + token)."""
    from .pennylane_gateway import PennylaneGateway

    token = ws.pennylane_token()
    if not token:
        raise WorkspaceError(
            "no Pennylane token configured: create one in Pennylane (Settings > Connectivity > Developers) "
            "and run `ecluse pennylane set --token-env PENNYLANE_TOKEN` with that variable exported"
        )
    return PennylaneGateway(api_url(ws), token)


def api_url(ws: Workspace) -> str:
    """The Pennylane API the workspace sends to: its own setting, else Pennylane's."""
    return ws.pennylane().get("api_url") or DEFAULT_API_URL


def destination_key(ws: Workspace) -> str | None:
    """Which destination (API URL and token) the workspace sends to, as a digest that never
    shows the token: what the console keys the token's company by. None without a token."""
    try:
        token = ws.pennylane_token()
    except WorkspaceError:
        return None
    if not token:
        return None
    url = api_url(ws)
    return hashlib.sha256(f"{url}\n{token}".encode()).hexdigest()[:32]


def check_said(exc: HttpError) -> dict[str, Any]:
    """A failed GET /me as the console says it: unreachable, rate-limited or a refused token as
    for a send; otherwise Pennylane's status and answer (a wrong API URL's 404, a 5xx)."""
    said = failure_said(exc)
    if said["code"] in ("send.unreachable", "send.rate_limited", "send.unauthorized", "send.request_invalid"):
        return said
    detail = getattr(exc, "pennylane_message", "") or (exc.body or "").strip() or "—"
    return {"code": "pennylane.failed", "params": {"status": exc.status, "detail": redact(detail)}}


def check_pennylane(ws: Workspace) -> dict[str, Any]:
    """Test the configured token with GET /me: company, scopes and what is missing. A failure
    gives its `message` (English) and, when the console can say it, its `said`."""
    try:
        token = ws.pennylane_token()
    except WorkspaceError as exc:
        var = env_var(ws.pennylane_token_source())
        said = {"code": "pennylane.env_unset", "params": {"var": var}} if var else None
        return {"ok": False, "message": str(exc), **({"said": said} if said else {})}
    if not token:
        return {"ok": False, "message": "no Pennylane token configured: `ecluse pennylane set --token-env PENNYLANE_TOKEN`",
                "said": {"code": "pennylane.no_token", "params": {}}}
    client = PennylaneClient(api_url(ws), token)
    try:
        me = client.me()
        problem = client.scope_problem()
        missing = client.missing_scopes()
    except HttpError as exc:
        return {"ok": False, "message": redact(str(exc)), "said": check_said(exc)}
    finally:
        client.close()
    company = me.get("company") or {}
    return {
        "ok": problem is None,
        "message": problem or f"connected to {company.get('name')} (company {company.get('id')})",
        "company": company,
        "scopes": me.get("scopes") or [],
        "missing_scopes": missing,
    }
