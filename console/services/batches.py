"""Batches sent to Pennylane, for the console: what a selection holds, past batches and their
items, the last confirmation, and pushes run in a background thread with live progress.

Read-only queries over `documents`, `batches`, `batch_items` and `confirmations`; sending
itself is `services.send` (the same calls as `ecluse push`). No streamlit here.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from .. import i18n
from ..domain import Document
from ..http import HttpError
from ..pennylane import requests_builder as rb
from ..redact import redact
from ..storage.db import WorkspaceBusy, dict_rows
from ..storage.documents import load_documents
from ..workspace import Workspace, WorkspaceError
from . import pennylane_lists, send
from .jobs import JobRegistry
from .mappings import category_for
from .review import Filters, accounts_of, chart_lacks
from .sent_amounts import item_amount_sql, item_currency_sql

FINAL_STATES = ("sent", "failed", "held")
# DuckDB (2.0) can refuse a connection opened in one thread while another thread's last
# connection to the same file is closing ("Unique file handle conflict"). It is transient: a
# push that meets it is run again, which resumes its batch (nothing is sent twice).
TRANSIENT_STORAGE_ERRORS = ("Unique file handle conflict",)
ATTEMPTS = 5


def transient_storage_error(exc: BaseException) -> bool:
    return any(text in str(exc) for text in TRANSIENT_STORAGE_ERRORS)


# -- the selection -------------------------------------------------------------------------
def selection_summary(ws: Workspace, filters: Filters | None = None) -> dict[str, Any]:
    """Approved documents matching `filters`: how many, their total per currency (credit
    notes count negative), and how many still wait for their PDF (they stay approved and
    join a later batch), with the total of those ready."""
    f = dataclasses.replace(filters or Filters(), status="approved")
    where, params = f.where()
    with ws.db.read() as con:
        rows = con.execute(
            "SELECT d.currency, count(*), sum(d.total), count(*) FILTER (WHERE d.attachment_pending), "
            "sum(d.total) FILTER (WHERE NOT d.attachment_pending) "
            f"FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id WHERE {where} "
            "GROUP BY d.currency ORDER BY count(*) DESC, d.currency", params,
        ).fetchall()
    approved = sum(int(r[1]) for r in rows)
    waiting = sum(int(r[3]) for r in rows)
    return {
        "approved": approved, "waiting_for_pdf": waiting, "ready": approved - waiting,
        "totals": {(r[0] or "EUR"): Decimal(r[2] or 0) for r in rows},
        # What a send now takes (the documents with their PDF), per currency.
        "ready_totals": {(r[0] or "EUR"): Decimal(r[4]) for r in rows if r[4] is not None},
    }


# -- past batches --------------------------------------------------------------------------
_BATCH_COLUMNS = """
    b.id, b.created_at, b.started_at, b.finished_at, b.status, b.actor, b.note,
    count(i.document_id) AS items,
    count(*) FILTER (WHERE i.state = 'sent') AS sent,
    count(*) FILTER (WHERE i.state = 'sent' AND i.error IS NOT NULL) AS warned,
    count(*) FILTER (WHERE i.state = 'failed') AS failed,
    count(*) FILTER (WHERE i.state = 'held') AS held,
    count(*) FILTER (WHERE i.document_id IS NOT NULL AND i.state NOT IN ('sent', 'failed', 'held')) AS pending
"""


def batch_history(ws: Workspace, limit: int = 20) -> list[dict[str, Any]]:
    """The last live batches, newest first, with their item counts by state and, per currency,
    the amount incl. tax of their invoices (`totals`) and of those sent (`sent_totals`, 0
    when none was): credit notes count negative, as the import sends them. A sent item counts,
    in both, what its import carried (`sent_amounts.item_amount_sql`), not its document's total
    now; the others their document's total."""
    with ws.db.read() as con:
        rows = dict_rows(con.execute(
            f"SELECT {_BATCH_COLUMNS} FROM batches b LEFT JOIN batch_items i ON i.batch_id = b.id "
            "WHERE NOT b.dry_run GROUP BY ALL ORDER BY b.id DESC LIMIT ?", [int(limit)],
        ))
        amounts = con.execute(
            "SELECT batch_id, currency, sum(amount), coalesce(sum(amount) FILTER (WHERE state = 'sent'), 0) "
            f"FROM (SELECT i.batch_id, i.state, {item_currency_sql('i')} AS currency, {item_amount_sql('i')} AS amount "
            "      FROM batch_items i JOIN documents d ON d.id = i.document_id "
            "      WHERE i.batch_id IN (SELECT unnest(?))) "
            "WHERE amount IS NOT NULL GROUP BY ALL ORDER BY 1, 2",
            [[r["id"] for r in rows]],
        ).fetchall() if rows else []
    by_batch = {r["id"]: r for r in rows}
    for r in rows:
        r["totals"], r["sent_totals"] = {}, {}
    for batch_id, currency, total, sent in amounts:
        by_batch[batch_id]["totals"][currency or "EUR"] = Decimal(total)
        by_batch[batch_id]["sent_totals"][currency or "EUR"] = Decimal(sent)
    return rows


def get_batch(ws: Workspace, batch_id: int) -> dict[str, Any] | None:
    with ws.db.read() as con:
        rows = dict_rows(con.execute(
            f"SELECT {_BATCH_COLUMNS} FROM batches b LEFT JOIN batch_items i ON i.batch_id = b.id "
            "WHERE b.id = ? GROUP BY ALL", [int(batch_id)],
        ))
    return rows[0] if rows else None


def open_batch(ws: Workspace) -> dict[str, Any] | None:
    """The batch that the next push resumes (interrupted, or left running by a process that
    died), if any."""
    with ws.db.read() as con:
        row = con.execute(
            "SELECT max(id) FROM batches WHERE status IN ('running', 'interrupted') AND NOT dry_run"
        ).fetchone()
    return get_batch(ws, row[0]) if row and row[0] is not None else None


def batch_items(ws: Workspace, batch_id: int) -> list[dict[str, Any]]:
    """One batch's items with their document: state, amount (what its import carried, as the
    batch's totals count it), Pennylane id and link, and the message (the reason of a failure
    or a hold, or the warning of a sent invoice)."""
    with ws.db.read() as con:
        return dict_rows(con.execute(
            f"SELECT i.document_id, d.number, d.kind, d.issue_date, {item_amount_sql('i', 'd')} AS total, "
            f"{item_currency_sql('i', 'd')} AS currency, c.name AS counterparty, "
            "i.state, i.invoice_pl_id AS pennylane_id, d.pennylane_url, i.error AS message, i.error_said AS said, "
            "d.status, i.updated_at "
            "FROM batch_items i LEFT JOIN documents d ON d.id = i.document_id "
            "LEFT JOIN counterparties c ON c.id = d.counterparty_id "
            "WHERE i.batch_id = ? ORDER BY CASE i.state WHEN 'failed' THEN 0 WHEN 'held' THEN 1 "
            "WHEN 'sent' THEN 3 ELSE 2 END, d.issue_date, i.document_id", [int(batch_id)],
        ))


def sender_elsewhere(ws: Workspace) -> str | None:
    """Who holds the workspace's send lock ("pid 123"), or None when no batch is being sent."""
    with ws.exclusive("send") as holder:
        return holder


# -- what a live send would do that the preview cannot see ------------------------------------------
@dataclass(frozen=True)
class PreviewCheck:
    """One invoice of a dry run, against the Pennylane lists last read (`pennylane_lists`):
    each line's ledger account number (None: Pennylane chooses it), the numbers the chart
    lacks (a live send holds the invoice), and its category when Pennylane has none of that
    label ("unknown") or several ("ambiguous"): a live send then sets none."""

    accounts: tuple[str | None, ...] = ()
    absent: tuple[str, ...] = ()
    category: str | None = None
    category_problem: str | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.absent or self.category_problem)


@dataclass(frozen=True)
class PreviewChecks:
    """`by_document`: a `PreviewCheck` per previewed invoice; `read_at`: when the lists were read
    from this destination, None when they were not (then nothing is flagged)."""

    by_document: dict[str, PreviewCheck] = field(default_factory=dict)
    read_at: Any = None

    def flagged(self) -> dict[str, PreviewCheck]:
        return {d: c for d, c in self.by_document.items() if c.flagged}

    def as_dict(self) -> dict[str, Any]:
        """For a dry run's JSON (the console's download, `ecluse push --dry-run --json`)."""
        return {"read_at": self.read_at.isoformat() if self.read_at else None,
                "flagged": [{"document_id": d, "accounts_absent": list(c.absent), "category": c.category,
                             "category_problem": c.category_problem} for d, c in self.flagged().items()]}


def preview_stamp(ws: Workspace) -> str:
    """What a preview was made from, as a digest: the cache's history (any decision, fix or sync
    adds to it), the mappings, the destination's settings and Pennylane's lists as last read.
    A preview whose stamp is no longer the workspace's is out of date."""
    import hashlib

    from ..domain import json_dumps

    with ws.db.read() as con:
        last = con.execute("SELECT max(id) FROM audit").fetchone()[0]
    lists = pennylane_lists.load(ws)
    text = json_dumps([last, ws.mappings(), ws.pennylane(), str(lists.fetched_at) if lists else None])
    return hashlib.sha256(text.encode()).hexdigest()


def preview_checks(ws: Workspace, document_ids: list[str]) -> PreviewChecks:
    """What a dry run of `document_ids` cannot tell: it accepts every account and category
    (`send._Placeholders`), a live send holds an invoice whose account Pennylane's chart lacks
    and sends one without a category Pennylane does not have (or has twice). Said from the
    lists last read for this same destination; the account numbers are the send's
    (`review.accounts_of`, a reviewer's fix winning over a mapping), held as it holds them
    (`review.chart_lacks`)."""
    lists = pennylane_lists.load(ws)
    mappings = ws.mappings()
    with ws.db.read() as con:
        docs = load_documents(con, list(document_ids))
    return PreviewChecks({doc_id: _preview_check(doc, mappings, lists) for doc_id, doc in docs.items()},
                         lists.fetched_at if lists is not None else None)


def _preview_check(doc: Document, mappings: dict[str, dict[str, str]],
                   lists: pennylane_lists.Lists | None) -> PreviewCheck:
    accounts = tuple(a["account"] for a in accounts_of(doc.lines, mappings["ledger_accounts"]))
    if lists is None:
        return PreviewCheck(accounts)
    category = doc.category_hint or category_for(mappings["categories"], doc.connection, doc.kind)
    problem = None
    if category and not lists.has_category(category):
        problem = "unknown"
    elif category and lists.is_ambiguous(category):
        problem = "ambiguous"
    absent = tuple(sorted({n for n in accounts if chart_lacks(lists, n)}))
    return PreviewCheck(accounts, absent, category, problem)


# -- a held invoice in a list that names it ------------------------------------------------------
# The kinds a held reason names its invoice by (`send.subject.<kind>`); a customer or a
# supplier it names is another place, kept.
_OWN_PLACES = ("document", "customer_invoice", "customer_credit_note", "supplier_invoice", "supplier_credit_note")


def held_text(number: str | None, document_id: str, message: str | None, said: Any, lang: str) -> str:
    """A held invoice's reason as a list of held invoices under their number says it: neither
    "held before sending", which the list's heading says, nor the invoice itself, which the row
    names (one of its lines, or its customer, stays named) (`said.send.list.*`). The stored
    message and Said are left as they are; one without a Said (an older version's) reads as
    stored."""
    said = i18n.stored(said)
    code = said.get("code") if isinstance(said, dict) else None
    if not isinstance(code, str) or not code.startswith("send.held") or not i18n.has(f"said.send.list.{code[5:]}"):
        return i18n.said_or(message, said, lang)
    ref = number or document_id.partition(":")[2] or document_id
    params = {k: (_off_invoice(v, ref) if k in ("subject", "where") else v) for k, v in (said.get("params") or {}).items()}
    return i18n.said_or(message, {"code": f"send.list.{code[5:]}", "params": params}, lang)


def _off_invoice(value: Any, ref: str) -> dict[str, str]:
    """A place said per language without its invoice: "" for the invoice itself, "ligne 2 : "
    for one of its lines, "client X : " for another place (followed by the language's colon)."""
    out = {}
    for lang in i18n.LANGS:
        text = str(value.get(lang) or value.get("en") or "") if isinstance(value, dict) else str(value)
        for own in (rb.place_text({"kind": kind, "ref": ref}, lang) for kind in _OWN_PLACES):
            if text == own or text.startswith(own + ", "):
                text = text[len(own) + 2:]
                break
        out[lang] = text + (" : " if lang == "fr" else ": ") if text else ""
    return out


# -- confirmations -------------------------------------------------------------------------
def confirmation_summary(ws: Workspace) -> dict[str, Any]:
    """The last read-back from Pennylane (`ecluse confirm`): counts by status, when, and the
    documents that no longer match."""
    with ws.db.read() as con:
        counts = dict(con.execute("SELECT status, count(*) FROM confirmations GROUP BY 1").fetchall())
        checked = con.execute("SELECT max(checked_at) FROM confirmations").fetchone()[0]
        issues = dict_rows(con.execute(
            "SELECT f.document_id, d.number, f.status, f.pennylane_amount, f.expected_amount, d.currency, f.message, "
            "f.said, f.checked_at "
            "FROM confirmations f LEFT JOIN documents d ON d.id = f.document_id "
            "WHERE f.status <> 'confirmed' ORDER BY f.status, d.number LIMIT 200"
        ))
    return {"counts": {k: int(v) for k, v in counts.items()}, "checked_at": checked, "issues": issues}


# -- pushes in the background ----------------------------------------------------------------
@dataclass
class PushJob:
    """One push started from the console. `done`/`total` and `items` move while it runs."""

    workspace: str
    actor: str
    seq: int
    started: float = field(default_factory=time.time)
    finished: float | None = None
    total: int = 0
    done: int = 0
    items: list[send.ItemResult] = field(default_factory=list)
    result: send.BatchResult | None = None
    error: str | None = None  # could not run, or stopped by an unexpected error
    busy: bool = False  # another batch was being sent (BatchRunning)
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.finished is None


class PushJobs(JobRegistry[PushJob]):
    """Process-wide: at most one push per workspace from this process (across processes the
    send lock refuses a second batch with `BatchRunning`)."""

    wait_timeout = 120.0

    def get(self, ws: Workspace) -> PushJob | None:
        return self._find(str(ws.path))

    def start(self, ws: Workspace, gateway: send.Gateway, filters: Filters | None = None, *,
              ids: list[str] | None = None, actor: str = "console",
              runner: Callable[..., send.BatchResult] = send.push) -> PushJob:
        """Run `send.push` in a background thread; returns the running job if there is one."""
        job, new = self._claim(str(ws.path), lambda seq: PushJob(workspace=str(ws.path), actor=actor, seq=seq))
        if not new:
            _close(gateway)
            return job

        offset = 0  # items reported by an earlier attempt (see TRANSIENT_STORAGE_ERRORS)

        def progress(item: send.ItemResult, n: int, total: int) -> None:
            job.items = [*job.items, item]  # a new list: readers never see it half-built
            job.done, job.total = offset + n, offset + total

        def work() -> None:
            nonlocal offset
            try:
                for attempt in range(1, ATTEMPTS + 1):
                    try:
                        job.result = runner(ws, gateway, filters, ids=ids, actor=actor, progress=progress)
                        break
                    except Exception as exc:  # noqa: BLE001 - re-raised unless transient
                        if attempt == ATTEMPTS or not transient_storage_error(exc):
                            raise
                        offset = job.done
                        time.sleep(0.05 * attempt)
            except send.BatchRunning as exc:
                job.busy, job.error = True, str(exc)
            except (WorkspaceError, WorkspaceBusy, HttpError) as exc:
                job.error = redact(str(exc))
            except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
                job.error = redact(f"{type(exc).__name__}: {exc}")
            finally:
                _close(gateway)
                job.finished = time.time()

        return self._launch(job, work, "ecluse-push")


def _close(gateway: Any) -> None:
    client = getattr(gateway, "client", None)
    if client is not None:
        client.close()


JOBS = PushJobs()
