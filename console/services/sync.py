"""Sync: run a connector's fetch() and land what it yields in the cache, page by page.

Each `Checkpoint` the connector yields closes a unit of work: the buffered documents, the
problems, the late attachments and the new cursor are written in ONE transaction, so a crash
never leaves a cursor ahead of the data nor half a page. The run's pages share one database
connection, let go every few seconds (`Database.held`): another process may be syncing or
sending on the same workspace.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import duckdb

from .. import i18n
from ..connectors import AttachmentReady, Checkpoint, ConnectorError, FetchContext, Gone, Problem, Said, contract_errors
from ..domain import Attachment, Document, Finding, json_compact
from ..http import HttpError
from ..plugin_loader import Plugins
from ..redact import redact
from ..secret_mask import SecretInState, SecretMask
from ..storage.ingest import (
    PageResult, attach_file, check_duplicates, ingest_page, mark_gone, record_problems, resolve_problems_of,
)
from ..storage.state import StateNotJson, load_state, save_state
from ..validation import is_supported_file, merged, validate
from ..workspace import Workspace, WorkspaceError

log = logging.getLogger("ecluse.sync")

# Flush without advancing the cursor when a connector yields this many documents without a
# checkpoint: bounds memory; re-fetching them next time is harmless (upserts by identity).
MAX_BUFFER = 5000

# DuckDB settings of a page's unit of work. By default DuckDB may use 80% of the RAM and a
# thread per core; writing a page needs little of either, while the checkpoint that closes
# it (compressing the new rows, merging the small row groups earlier pages left) grows with
# the cache: bounded here, DuckDB evicts or spills to `<db>.tmp` instead. The settings apply
# to the database instance until its connection is let go. A page that does not fit (its
# transaction is rolled back) is written again with twice the memory, then without a bound,
# and the run keeps the bound that worked. ECLUSE_SYNC_MEMORY_MB=0: no bound.
PAGE_MEMORY_MB = int(os.environ.get("ECLUSE_SYNC_MEMORY_MB", "64"))
PAGE_MEMORY_MAX_MB = 1024
PAGE_THREADS = int(os.environ.get("ECLUSE_SYNC_THREADS", "1"))
SYNC_CHECKPOINT_MB = 64


# The cyclic GC walked every live object of the page at hand (decoded JSON, Decimals,
# documents) again and again: 13% of a 40k-invoice sync with the default thresholds, and still
# 1.2 s of a 100k one with a 50,000-allocation threshold. A sync makes almost no cycles (~25
# unreachable objects per 1,000 documents, measured), so automatic collection is off while
# any sync runs in the process. Every GC_INTERVAL seconds of a run the young objects are
# collected: the console's other threads keep making garbage meanwhile.
GC_INTERVAL = 10.0
_gc_lock = threading.Lock()
_gc_users = 0
_gc_was_enabled = True
_gc_last = 0.0


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    global _gc_users, _gc_was_enabled, _gc_last
    with _gc_lock:
        if _gc_users == 0:
            _gc_was_enabled, _gc_last = gc.isenabled(), time.monotonic()
            gc.disable()
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_was_enabled:
                gc.enable()


def _gc_now_and_then() -> None:
    """Called for every item a connector yields: cheap unless GC_INTERVAL has passed."""
    global _gc_last
    if time.monotonic() - _gc_last < GC_INTERVAL:
        return
    with _gc_lock:
        if _gc_users == 0 or time.monotonic() - _gc_last < GC_INTERVAL:
            return
        _gc_last = time.monotonic()
    gc.collect(1)  # the young generations; older garbage waits until automatic collection is back


INTERRUPTED = "interrupted"
INTERRUPTED_MESSAGE = ("the sync process stopped before the end of the run (killed or crashed); the pages it had "
                       "stored are kept, and the next run goes on from the last of them")


def shown_status(status: str | None, pid: int | None) -> str | None:
    """A run's status as it stands: one recorded as 'running' whose process is gone was
    interrupted (the next run of the connection records it so)."""
    if status != "running" or pid is None or pid == os.getpid():
        return status
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return INTERRUPTED
    except PermissionError:  # alive, another user's
        pass
    return status


class AlreadyRunning(RuntimeError):
    """Another sync of the same connection is under way (this process or another)."""


@dataclass
class SyncReport:
    connection: str
    connector: str = ""
    run_id: int | None = None
    status: str = "running"  # ok | failed
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: int = 0
    attachments: int = 0
    back_to_review: int = 0
    changed_after_sending: int = 0
    gone: int = 0  # documents the source no longer has, flagged this run
    error: str | None = None
    # `error` as a connectors.Said ({"code", "params"}) when the connector gave one
    error_said: dict[str, Any] | None = None
    seconds: float = 0.0
    pages: int = 0
    store_seconds: float = 0.0  # of `seconds`, writing pages to the cache (the rest: the connector)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressFn = Callable[[SyncReport], None]


@contextlib.contextmanager
def connection_lock(ws: Workspace, name: str) -> Iterator[None]:
    """One sync per connection at a time, across processes."""
    with ws.exclusive(f"sync-{name}") as holder:
        if holder is not None:
            raise AlreadyRunning(f"a sync of {name!r} is already running ({holder}); wait for it to finish")
        yield


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def latest_run(ws: Workspace, name: str) -> tuple[int, dt.datetime] | None:
    """The connection's last sync run (of any process: the console, the CLI, a schedule): its
    id and when it started."""
    with ws.db.read() as con:
        return con.execute("SELECT id, started_at FROM sync_runs WHERE connection = ? ORDER BY id DESC LIMIT 1",
                           [name]).fetchone()


def sync_connection(
    ws: Workspace,
    plugins: Plugins,
    name: str,
    *,
    since: dt.date | None = None,
    actor: str = "ecluse",
    progress: ProgressFn | None = None,
    clock: Callable[[], dt.datetime] = _now,
) -> SyncReport:
    report = SyncReport(connection=name)
    started = time.monotonic()
    try:
        conn = ws.connection(name)
        report.connector = conn["connector"]
        connector_cls = plugins.connector(conn["connector"])
        settings = ws.resolve_settings(name, connector_cls)
    except (WorkspaceError, KeyError) as exc:
        report.status, report.error = "failed", str(exc).strip('"')
        report.error_said = _said(exc)  # a setting the schema refuses, a variable not set: in the console's language
        return report
    # One connection for the run's pages (Database.held): opening the file and checkpointing
    # it on close for every page cost more than writing the page.
    with connection_lock(ws, name), ws.db.held(), _gc_paused():
        with ws.db.write() as con:
            # Runs still 'running' under this lock died with their process (killed, crashed).
            con.execute("UPDATE sync_runs SET status = ?, error = coalesce(error, ?) WHERE connection = ? AND status = 'running'",
                        [INTERRUPTED, INTERRUPTED_MESSAGE, name])
            run_id = con.execute(
                "INSERT INTO sync_runs (connection, started_at, status, actor, pid) VALUES (?, ?, 'running', ?, ?) RETURNING id",
                [name, clock(), actor, os.getpid()],
            ).fetchone()[0]
            state, parts = load_state(con, name)
            # Made up by the connector (the demo) or not: said on each of the connection's
            # documents, which keep it if the connection goes (send holds them from Pennylane).
            fictitious = bool(getattr(connector_cls, "fictitious", False))
            con.execute("UPDATE documents SET fictitious = ? WHERE connection = ? AND fictitious IS DISTINCT FROM ?",
                        [fictitious, name, fictitious])
            pending = [r[0] for r in con.execute(
                "SELECT source_id FROM documents WHERE connection = ? AND attachment_pending ORDER BY source_id", [name]
            ).fetchall()]
            problem_ids = {r[0] for r in con.execute(
                "SELECT source_id FROM problems WHERE connection = ? AND NOT resolved AND source_id IS NOT NULL", [name]
            ).fetchall()}
        report.run_id = run_id
        _check_duplicates(ws, name)  # left by a run of this connection that died
        # The connection's secrets, masked in what the connector hands over to be stored (a
        # secret it rotates during the run too).
        mask = SecretMask([settings[s.name] for s in connector_cls.settings if s.secret and s.name in settings])

        def save_secret(key: str, value: str) -> None:
            mask.add(value)
            ws.save_connection_secret(name, key, value)

        ctx = FetchContext(
            connection=name,
            settings=settings,
            state=state,
            since=since,
            pending_attachments=pending,
            cached_source_ids=lambda day: _cached_source_ids(ws, name, day),
            created_at=ws.created_at(conn),
            secret_saver=save_secret,
            log=logging.getLogger(f"ecluse.connector.{conn['connector']}"),
            clock=clock,
        )
        buffer = _Buffer(vat_map=ws.mappings()["vat"], mask=mask)
        run = _Run(state_parts=parts, open_problems=problem_ids, fictitious=fictitious)
        try:
            connector = connector_cls()
            items = connector.fetch(ctx)
            if items is None:
                raise ConnectorError(f"the {report.connector} connector's fetch() returned None: it must yield "
                                     "its items (write it as a generator, with `yield`)")
            for item in items:
                if isinstance(item, Document):
                    buffer.add_document(ws, item, clock)
                    report.fetched += 1
                elif isinstance(item, Checkpoint):
                    _flush(ws, name, buffer, report, item.state, clock, actor, run)
                elif isinstance(item, AttachmentReady):
                    buffer.add_attachment(ws, item)
                elif isinstance(item, Problem):
                    buffer.problems.append((item.source_id, redact(item.message), mask.value(item.raw),
                                            _said_value(item.said)))
                elif isinstance(item, Gone):
                    buffer.gone.append((str(item.source_id), redact(item.message), _redacted(item.params)))
                else:
                    kind = type(item).__name__
                    buffer.problems.append((None, f"connector yielded an unknown item: {kind}", None,
                                            _said_value(Said("core.unknown_item", {"kind": kind}))))
                if len(buffer.docs) >= MAX_BUFFER:
                    _flush(ws, name, buffer, report, None, clock, actor, run)
                if progress and report.fetched % 200 == 0:
                    progress(report)
                _gc_now_and_then()
            _flush(ws, name, buffer, report, None, clock, actor, run)
            report.status = "ok"
        except ConnectorError as exc:
            report.status, report.error = "failed", redact(str(exc))
            report.error_said = _said(exc)
        except HttpError as exc:  # the shared HTTP layer's failure, let through by the connector: no crash
            said = http_failure_said(exc, name)
            report.status, report.error_said = "failed", said
            text = i18n.said_text(Said(**said), "en")
            report.error = text if said["code"] == "sync.http_status" else redact(f"{text} ({exc})")
            log.info("sync of %s failed: %s", name, report.error)
        except SecretInState as exc:  # the page and its state are not stored: the next run reads it again
            report.status = "failed"
            report.error = (f"the {report.connector} connector yielded a Checkpoint whose state holds a secret: {exc}; "
                            "its author must keep secrets out of the state (they are stored in the cache in clear)")
        except StateNotJson as exc:  # the state comes back from JSON on the next run: refused now
            report.status = "failed"
            report.error = redact(
                f"the {report.connector} connector yielded a Checkpoint whose state is not plain JSON (dicts with str "
                f"keys, lists, str, int, float, bool, None; a date as an ISO string): {exc}")
        except Exception as exc:  # noqa: BLE001 - a connector bug must not lose stored work
            report.status = "failed"
            report.error = redact(f"the {report.connector} connector failed unexpectedly: {type(exc).__name__}: {exc}")
            log.exception("connector %s crashed", report.connector)
        if report.status == "failed":
            # Documents already yielded are complete: keep them (the cursor does not move).
            with contextlib.suppress(Exception):
                _flush(ws, name, buffer, report, None, clock, actor, run)
        _check_duplicates(ws, name)
        report.seconds = round(time.monotonic() - started, 3)
        with ws.db.write() as con:
            con.execute(
                "UPDATE sync_runs SET finished_at = ?, status = ?, fetched = ?, created = ?, updated = ?, "
                "unchanged = ?, problems = ?, attachments = ?, error = ?, error_said = ? WHERE id = ?",
                [clock(), report.status, report.fetched, report.created, report.updated, report.unchanged,
                 report.problems, report.attachments, report.error,
                 json_compact(report.error_said) if report.error_said else None, run_id],
            )
        if progress:
            progress(report)
    return report


def _said(exc: ConnectorError) -> dict[str, Any] | None:
    """The error's connectors.Said, redacted as its text is, for the console's language."""
    return _said_value(getattr(exc, "said", None))


def _said_value(said: Any) -> dict[str, Any] | None:
    """A plugin's Said as stored ({"code", "params"}), redacted; None when JSON cannot hold it."""
    if not isinstance(said, Said):
        return None
    value = {"code": said.code, "params": _redacted(said.params)}
    try:
        json_compact(value)
    except (TypeError, ValueError):  # a plugin's own objects: the English error only
        return None
    return value


def _redacted(params: Any) -> dict[str, Any] | None:
    """A plugin's params (a dict) with their texts redacted as its messages are, at any depth;
    None for anything else."""
    if not isinstance(params, dict):
        return None

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value
    return clean(params)


def http_failure_said(exc: HttpError, connection: str) -> dict[str, Any]:
    """An HttpError a connector let through (the shared HTTP layer's: credentials refused, the
    source unreachable or answering an error) as a stored Said ({"code", "params"})."""
    host = urlsplit(exc.url).hostname or exc.service or "?"
    params: dict[str, Any] = {"host": host, "connection": connection}
    if exc.status is None:
        cause = getattr(exc, "cause", "other")
        params["cause"] = {lang: i18n.t(f"http.cause.{cause}", lang, attempts=exc.attempts) for lang in i18n.LANGS}
        return {"code": "sync.http_unreachable", "params": params}
    params["status"] = exc.status
    if exc.status in (401, 403):
        return {"code": "sync.http_refused", "params": params}
    if exc.status == 429:
        return {"code": "sync.http_rate_limited", "params": params}
    return {"code": "sync.http_status", "params": {**params, "error": redact(str(exc))}}


def _check_duplicates(ws: Workspace, name: str) -> None:
    """`check_duplicates` in its own unit of work; a failure is logged and the documents stay
    flagged for the next run, rather than fail the run whose pages are stored."""
    try:
        with ws.db.write() as con:
            check_duplicates(con, name)
    except Exception:  # noqa: BLE001 - the run's record must still be written
        log.exception("the duplicate check of %s failed; it will be done by the next sync", name)


def finish_left_checks(ws: Workspace, con: duckdb.DuckDBPyConnection) -> None:
    """The duplicate checks a sync left behind when its process died (Ctrl-C, kill), done for
    each connection that no sync is running now (a running sync checks its own every few
    pages). The review queue calls it with its reading connection before it reads, so a
    reviewer sees those warnings before deciding."""
    names = [r[0] for r in con.execute(
        "SELECT DISTINCT d.connection FROM duplicate_checks c JOIN documents d ON d.id = c.document_id ORDER BY 1"
    ).fetchall()]
    for name in names:
        try:
            with connection_lock(ws, name):
                _check_duplicates(ws, name)  # its own unit of work; `con` reads the result
        except AlreadyRunning:
            continue  # that run checks them


@dataclass
class _Buffer:
    docs: list[Document] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    problems: list[tuple[str | None, str, Any, dict[str, Any] | None]] = field(default_factory=list)
    attachments: list[tuple[str, Attachment, list[Finding]]] = field(default_factory=list)
    gone: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)
    vat_map: dict[str, str] = field(default_factory=dict)  # the workspace's VAT mapping, for validation
    mask: "SecretMask | None" = None  # the connection's secrets, masked in raw payloads and the state

    def add_document(self, ws: Workspace, doc: Document, clock: Callable[[], dt.datetime]) -> None:
        errors = contract_errors(doc)
        if not errors:
            for finding in doc.findings:
                finding.origin = "connector"
                if self.mask:  # a connector quoting its key (a URL that carries it) in a finding
                    finding.message = self.mask.plain(finding.message)
                    finding.params = self.mask.value(finding.params)
            try:
                found = merged(list(doc.findings), validate(doc, today=clock().date(), vat_map=self.vat_map))
            except Exception as exc:  # noqa: BLE001 - one odd document never stops the run
                errors = [f"its validation failed: {type(exc).__name__}: {exc}"]
        if errors:  # kept for review as a Problem, with what the plugin's author must fix
            text = "; ".join(errors)
            source_id = str(doc.source_id).strip() if isinstance(doc.source_id, (str, int)) else None
            raw = doc.raw if doc.raw is not None else repr(doc)[:4000]
            self.problems.append((
                source_id or None,
                redact(f"the connector yielded a document that breaks the contract (ecluse.connectors), kept here "
                       f"rather than stored: {text}"),
                self.mask.value(raw) if self.mask else raw,
                _said_value(Said("core.bad_document", {"errors": redact(text)}))))
            return
        if doc.attachment is not None and doc.attachment.content is not None:
            # Kept even when it is not a PDF, so the reviewer can see what the source sent.
            ws.put_attachment(doc.attachment.content)
            doc.attachment.content = None  # the store has it; free the memory
        self.docs.append(doc)
        self.findings[doc.source_id] = found

    def add_attachment(self, ws: Workspace, item: AttachmentReady) -> None:
        found: list[Finding] = []
        if item.attachment.content is not None:
            if not is_supported_file(item.attachment.content):
                found.append(Finding("attachment_not_pdf", "error", "The attached file is not a PDF (or a PNG/JPEG image).",
                                     "attachment", params={}))
            ws.put_attachment(item.attachment.content)
            item.attachment.content = None
        self.attachments.append((item.source_id, item.attachment, found))

    def clear(self) -> None:
        self.docs, self.findings, self.problems, self.attachments, self.gone = [], {}, [], [], []


class _PageBound:
    """The DuckDB settings a run writes its pages with (see PAGE_MEMORY_MB)."""

    def __init__(self) -> None:
        self.memory_mb: int | None = PAGE_MEMORY_MB or None
        self._applied: tuple[duckdb.DuckDBPyConnection, int | None] | None = None  # last set

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        # A held connection (Database.held) keeps its settings; setting them again costs
        # tens of milliseconds a page.
        if self._applied is not None and self._applied[0] is con and self._applied[1] == self.memory_mb:
            return
        self._applied = (con, self.memory_mb)
        if self.memory_mb is None:  # another connection of this process may keep the instance alive
            con.execute("RESET threads")
            con.execute("RESET memory_limit")
            con.execute("RESET allocator_flush_threshold")
            con.execute("RESET checkpoint_threshold")
        else:
            con.execute(f"SET threads = {PAGE_THREADS:d}")
            con.execute(f"SET memory_limit = '{self.memory_mb:d}MB'")
            # Give freed memory back to the system after a query that used more than this,
            # rather than keep it cached for the next page (peak RSS).
            con.execute(f"SET allocator_flush_threshold = '{max(16, self.memory_mb // 4):d}MB'")
            # A checkpoint every 64 MB of log rather than 16 (about two pages): each one
            # rewrites the tables' last row groups, a third of a 100k-invoice sync's commits.
            # Larger settings save more time but raise the peak RSS past 400 MB.
            con.execute(f"SET checkpoint_threshold = '{SYNC_CHECKPOINT_MB:d}MB'")

    def grow(self) -> None:
        if self.memory_mb is not None:
            self.memory_mb = self.memory_mb * 2 if self.memory_mb < PAGE_MEMORY_MAX_MB else None


# The duplicate check of the documents a run writes (storage.ingest.check_duplicates) waits
# for this many pages, and the end of the run: it scans the cache however few it checks.
DUPLICATE_CHECK_PAGES = 10


@dataclass
class _Run:
    """What a run carries from page to page; the memos change only once a page is committed."""
    bound: _PageBound = field(default_factory=_PageBound)
    state_parts: dict[str, str] = field(default_factory=dict)  # what sync_state_parts holds
    counterparties: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # rows stored as they are
    unchecked_pages: int = 0  # pages written since the last duplicate check
    open_problems: set[str] = field(default_factory=set)  # source ids of the connection's open problems
    fictitious: bool = False  # the connector makes its documents up (Connector.fictitious)


def _flush(
    ws: Workspace, name: str, buffer: _Buffer, report: SyncReport, state: dict[str, Any] | None,
    clock: Callable[[], dt.datetime], actor: str, run: _Run,
) -> None:
    if not (buffer.docs or buffer.problems or buffer.attachments or buffer.gone or state is not None):
        return
    now = clock()
    bound = run.bound
    started = time.monotonic()
    while True:
        try:
            result, attached, orphans = _write_page(ws, name, buffer, report, state, now, actor, run)
            break
        except duckdb.OutOfMemoryException:
            if bound.memory_mb is None:
                raise
            log.info("a page of %s did not fit in %d MB of DuckDB memory; writing it again with more",
                     name, bound.memory_mb)
            bound.grow()
    report.store_seconds = round(report.store_seconds + time.monotonic() - started, 3)
    report.created += len(result.created)
    report.updated += len(result.updated)
    report.unchanged += len(result.unchanged)
    report.back_to_review += len(result.back_to_review)
    report.changed_after_sending += len(result.changed_after_sending)
    report.gone += len(result.gone)
    report.problems += len(buffer.problems) + orphans
    report.attachments += attached
    report.pages += 1
    buffer.clear()


def _write_page(
    ws: Workspace, name: str, buffer: _Buffer, report: SyncReport, state: dict[str, Any] | None,
    now: dt.datetime, actor: str, run: _Run,
) -> tuple[PageResult, int, int]:
    """One page in one transaction: (ingest result, late PDFs attached, PDFs without document).
    `run`'s memos are brought up to date once the transaction has committed."""
    with ws.db.write() as con:
        run.bound.apply(con)
        findings = {f"{name}:{d.source_id}": buffer.findings.get(d.source_id, []) for d in buffer.docs}
        result = ingest_page(con, name, buffer.docs, findings, now=now, run_id=report.run_id, actor=actor,
                             counterparties=run.counterparties, defer_duplicates=True,
                             mask=buffer.mask.text if buffer.mask else None)
        if run.fictitious and result.created:  # flagged with the page that wrote them (older ones at the start)
            con.execute("UPDATE documents SET fictitious = true WHERE id IN (SELECT unnest(?))", [result.created])
        unchecked = run.unchecked_pages + bool(result.created or result.updated)
        if unchecked >= DUPLICATE_CHECK_PAGES:
            check_duplicates(con, name)
            unchecked = 0
        mark_gone(con, name, buffer.gone, result, now=now, actor=actor)
        # A record kept as a problem that the source now sends readable is no longer one.
        stored = run.open_problems.intersection(d.source_id for d in buffer.docs) if run.open_problems else set()
        if stored:
            resolve_problems_of(con, name, sorted(stored), "stored", now=now, actor=actor)
        record_problems(con, name, buffer.problems, now=now, run_id=report.run_id)
        attached = orphans = 0
        for source_id, attachment, found in buffer.attachments:
            if attach_file(con, f"{name}:{source_id}", attachment, found, now):
                attached += 1
            else:
                record_problems(con, name, [(source_id, "a PDF arrived for a document that is not in the cache", None,
                                             _said_value(Said("core.orphan_pdf")))], now=now, run_id=report.run_id)
                orphans += 1
        if state is not None and buffer.mask:
            buffer.mask.check_state(state)
        parts = save_state(con, name, state, run.state_parts, now) if state is not None else run.state_parts
        con.execute(
            "UPDATE sync_runs SET fetched = ?, created = ?, updated = ?, unchanged = ?, problems = ?, attachments = ? WHERE id = ?",
            [report.fetched, report.created + len(result.created), report.updated + len(result.updated),
             report.unchanged + len(result.unchanged), report.problems + len(buffer.problems) + orphans,
             report.attachments + attached, report.run_id],
        )
    run.state_parts, run.unchecked_pages = parts, unchecked
    run.open_problems -= stored
    run.open_problems |= {p[0] for p in buffer.problems if p[0] is not None}
    run.counterparties.update(result.counterparties)
    return result, attached, orphans


def _cached_source_ids(ws: Workspace, name: str, since: dt.date | None) -> set[str]:
    with ws.db.read() as con:
        rows = con.execute(
            "SELECT source_id FROM documents WHERE connection = ? AND status <> 'rejected' "
            "AND (CAST(? AS DATE) IS NULL OR issue_date >= ?)", [name, since, since]).fetchall()
    return {r[0] for r in rows}


def sync(
    ws: Workspace, plugins: Plugins, names: list[str] | None = None, **kwargs: Any,
) -> list[SyncReport]:
    """Sync the named connections (all enabled ones by default), one after the other."""
    conns = ws.connections()
    if names:
        missing = [n for n in names if n not in conns]
        if missing:
            raise WorkspaceError(f"no connection named {', '.join(missing)} (connections: {', '.join(sorted(conns)) or 'none'})")
        selected = names
    else:
        selected = [n for n, c in sorted(conns.items()) if c.get("enabled", True)]
    reports = []
    for name in selected:
        try:
            reports.append(sync_connection(ws, plugins, name, **kwargs))
        except AlreadyRunning as exc:
            reports.append(SyncReport(connection=name, connector=conns[name].get("connector", ""), status="failed", error=str(exc)))
    return reports
