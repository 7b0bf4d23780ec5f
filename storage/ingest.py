"""Bulk ingest of one page of fetched documents, in the caller's transaction.

Rows go in through Arrow tables and set-based SQL (no row-by-row INSERTs). Upserts are keyed
by identity (connection:source_id); an unchanged document (same content hash) is not touched
at all. A changed one goes back to review with what changed, or, once sent, is flagged
"changed after sending".
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

import duckdb
import pyarrow as pa

from ..domain import (
    APPROVED, FAILED, IN_BATCH, ON_HOLD, REJECTED, SENT, TO_REVIEW, Attachment, Document, Finding,
    diff_comparable, json_compact, json_dumps, snapshot_hash,
)

DEC2 = pa.decimal128(18, 2)
DEC6 = pa.decimal128(18, 6)
DEC_RATE = pa.decimal128(6, 3)
TS = pa.timestamp("us", tz="UTC")


@dataclass
class PageResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    back_to_review: list[str] = field(default_factory=list)
    changed_after_sending: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    # The counterparty rows this page wrote (id → values), for the caller's memo once committed.
    counterparties: dict[str, tuple[Any, ...]] = field(default_factory=dict)


def counterparty_id(connection: str, role: str, source_id: str) -> str:
    return f"{connection}:{role}:{source_id}"


CENTS = Decimal("0.01")
MICROS = Decimal("0.000001")
RATE_PLACES = Decimal("0.001")


def _q(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places)


# The page tables are built in the system allocator: Arrow's default pool (mimalloc) kept
# what each page freed, 25 MB of a 100k-invoice sync's peak RSS.
_POOL = pa.system_memory_pool()


def _column(values: list[Any] | pa.Array, type_: pa.DataType | None = None) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, type_, memory_pool=_POOL)


def _decimals(values: list[Decimal | None], places: Decimal, type_: pa.DataType) -> pa.Array:
    """A DECIMAL column. Arrow rescales values with fewer places exactly and refuses ones with
    more; only then is every value quantized (as before, half-even): values from a connector
    are nearly always rounded already, and a million quantize calls cost a second."""
    try:
        return _column(values, type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _column([_q(v, places) for v in values], type_)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(name, table)


@contextlib.contextmanager
def id_table(con: duckdb.DuckDBPyConnection, ids: list[str], name: str) -> Iterator[str]:
    """`ids` as a one-column table (`id`) named `name` for the statements of the block (a name
    of its own per caller: the blocks nest)."""
    _register(con, name, pa.table({"id": _column(ids, pa.string())}))
    try:
        yield name
    finally:
        con.unregister(name)


def existing_rows(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple[str, str, str | None, str | None]]:
    """id → (content_hash, status, attachment_sha256, attachment_filename) of the documents
    already in the cache. The snapshots (large) are read apart, only for changed documents."""
    if not ids:
        return {}
    # `= ANY(list)`: a filter on the scan, five times cheaper than a join with the page's ids.
    rows = con.execute(
        "SELECT id, content_hash, status, attachment_sha256, attachment_filename FROM documents WHERE id = ANY(?)",
        [ids]).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def stored_snapshots(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str]:
    """id → stored snapshot (JSON text), for the documents whose content changed."""
    if not ids:
        return {}
    with id_table(con, ids, "_changed_ids"):
        rows = con.execute("SELECT d.id, d.snapshot FROM documents d JOIN _changed_ids c ON c.id = d.id").fetchall()
    return dict(rows)


def ingest_page(
    con: duckdb.DuckDBPyConnection,
    connection: str,
    docs: Iterable[Document],
    findings: dict[str, list[Finding]],
    *,
    now: dt.datetime,
    run_id: int | None,
    actor: str,
    counterparties: dict[str, tuple[Any, ...]] | None = None,
    defer_duplicates: bool = False,
    mask: Callable[[str], str] | None = None,
) -> PageResult:
    """Write one page. `findings[doc.id]` are the connector's + validation's findings.

    `counterparties`: the rows a sync run already wrote, as `PageResult.counterparties` gave
    them (unchanged ones are not compared again). `defer_duplicates` flags the written
    documents in `duplicate_checks` for `check_duplicates` instead of looking for their
    duplicates now (a scan of the cache). `mask`: applied to each raw payload's JSON text (the
    sync masks the connection's secrets a connector copied into it)."""
    by_id: dict[str, Document] = {}
    for doc in docs:
        doc.connection = connection
        by_id[doc.id] = doc  # a source repeating a record in one page: the last one wins
    result = PageResult()
    if not by_id:
        return result
    _back_in_source(con, list(by_id), now, actor)
    old = existing_rows(con, list(by_id))

    prints: dict[str, tuple[str, str]] = {}  # id → (snapshot, content_hash), one encoding each
    differs: list[str] = []
    for doc_id, doc in by_id.items():
        prev = old.get(doc_id)
        if prev and doc.attachment is None and doc.attachment_pending and prev[2]:
            # The PDF already arrived through AttachmentReady; the source re-sending the
            # record without it is not a change.
            doc.attachment = Attachment(filename=prev[3] or "document.pdf", sha256=prev[2])
            doc.attachment_pending = False
        prints[doc_id] = doc.fingerprint()
        if prev is not None and prev[0] != prints[doc_id][1]:
            differs.append(doc_id)
    # A different hash with the same values is not a change: a snapshot stored by an older
    # version of the encoding (say). Its hash is brought up to date, nothing else.
    before = stored_snapshots(con, differs)
    changes: dict[str, dict[str, Any]] = {}
    for doc_id in differs:
        diff = diff_comparable(json.loads(before[doc_id]), json.loads(prints[doc_id][0]))
        if diff:
            changes[doc_id] = diff
    _rehash(con, {i: prints[i] for i in differs if i not in changes})

    to_write: list[Document] = []
    statuses: dict[str, str] = {}
    sent_changed: set[str] = set()
    for doc_id, doc in by_id.items():
        prev = old.get(doc_id)
        if prev is None:
            result.created.append(doc_id)
            statuses[doc_id] = TO_REVIEW
            to_write.append(doc)
            continue
        if doc_id not in changes:
            result.unchanged.append(doc_id)
            continue
        result.updated.append(doc_id)
        if prev[1] == SENT:
            statuses[doc_id] = SENT
            sent_changed.add(doc_id)
            result.changed_after_sending.append(doc_id)
        else:
            statuses[doc_id] = TO_REVIEW
            if prev[1] in (APPROVED, ON_HOLD, IN_BATCH, FAILED, REJECTED, TO_REVIEW):
                result.back_to_review.append(doc_id)
        to_write.append(doc)
    if not to_write:
        return result

    result.counterparties = _write_counterparties(con, connection, to_write, now, counterparties or {})
    _write_documents(con, to_write, prints, statuses, changes, sent_changed, set(result.created), now, run_id, findings,
                     mask)
    with id_table(con, [d.id for d in to_write], "_write_ids"):
        if result.updated:  # a new document has no rows to replace
            con.execute("DELETE FROM lines WHERE document_id IN (SELECT id FROM _write_ids)")
            con.execute("DELETE FROM findings WHERE origin <> 'duplicates' AND document_id IN (SELECT id FROM _write_ids)")
        _write_lines(con, to_write)
        write_findings(con, [(d.id, f) for d in to_write for f in findings.get(d.id, [])])
        _write_audit(con, to_write, result, changes, now, actor)
        _drop_stale_overrides(con, changes, now)
        if defer_duplicates:
            con.execute("INSERT INTO duplicate_checks SELECT id FROM _write_ids")
        else:
            refresh_duplicates(con, "_write_ids")
    if result.updated:  # new documents were written with their counts; a changed one keeps its duplicates'
        recount_ids(con, result.updated)
    return result


GONE = "gone_from_source"


def mark_gone(
    con: duckdb.DuckDBPyConnection, connection: str, gone: list[tuple[str, str, dict[str, Any] | None]],
    result: PageResult, *, now: dt.datetime, actor: str,
) -> None:
    """Documents the source no longer has (`connectors.Gone`): flagged, never deleted. An
    approved, held or failed one goes back to review; a sent one is flagged as changed after
    sending; a rejected one is left alone. Few per run: row by row. `gone`: (source id, message,
    the finding's params)."""
    messages = {f"{connection}:{source_id}": message for source_id, message, _ in gone}
    params = {f"{connection}:{source_id}": values for source_id, _, values in gone}
    if not messages:
        return
    rows = con.execute(
        "SELECT d.id, d.status, EXISTS (SELECT 1 FROM findings f WHERE f.document_id = d.id AND f.code = ?) "
        "FROM documents d WHERE d.id IN (SELECT unnest(?)) ORDER BY d.id", [GONE, list(messages)]).fetchall()
    flagged = []
    for doc_id, status, already in rows:
        if status == REJECTED or already:
            continue
        write_findings(con, [(doc_id, Finding(GONE, "error", messages[doc_id], None, "connector",
                                              params=params[doc_id]))])
        if status in (APPROVED, ON_HOLD, FAILED):
            con.execute("UPDATE documents SET status = ?, status_reason = ?, status_changed_at = ? WHERE id = ?",
                        [TO_REVIEW, messages[doc_id], now, doc_id])
            result.back_to_review.append(doc_id)
        elif status == SENT:
            con.execute("UPDATE documents SET changed_after_sending = true WHERE id = ?", [doc_id])
            result.changed_after_sending.append(doc_id)
        con.execute("INSERT INTO audit (recorded_at, actor, document_id, action, reason) VALUES (?, ?, ?, ?, ?)",
                    [now, actor, doc_id, GONE, messages[doc_id]])
        result.gone.append(doc_id)
        flagged.append(doc_id)
    if flagged:
        recount_ids(con, flagged)


def _back_in_source(con: duckdb.DuckDBPyConnection, ids: list[str], now: dt.datetime, actor: str) -> None:
    """A document flagged `gone_from_source` that the source yields again loses the flag."""
    if not con.execute("SELECT EXISTS (SELECT 1 FROM findings WHERE code = ?)", [GONE]).fetchall()[0][0]:
        return  # the usual case, without a DELETE's scan on every page
    back = [r[0] for r in con.execute(
        "DELETE FROM findings WHERE code = ? AND document_id IN (SELECT unnest(?)) RETURNING document_id",
        [GONE, ids]).fetchall()]
    if not back:
        return
    for doc_id in back:
        con.execute("INSERT INTO audit (recorded_at, actor, document_id, action) VALUES (?, ?, ?, 'back_in_source')",
                    [now, actor, doc_id])
    recount_ids(con, back)


def _rehash(con: duckdb.DuckDBPyConnection, prints: dict[str, tuple[str, str]]) -> None:
    if not prints:
        return
    _register(con, "_rehash", pa.table({
        "id": pa.array(list(prints), pa.string()),
        "snapshot": pa.array([p[0] for p in prints.values()], pa.string()),
        "content_hash": pa.array([p[1] for p in prints.values()], pa.string()),
    }))
    con.execute("UPDATE documents SET snapshot = r.snapshot, content_hash = r.content_hash FROM _rehash r "
                "WHERE documents.id = r.id")
    con.unregister("_rehash")


_CP_SCHEMA = pa.schema([
    ("id", pa.string()), ("connection", pa.string()), ("source_id", pa.string()), ("role", pa.string()),
    ("name", pa.string()), ("vat_number", pa.string()), ("siren", pa.string()), ("siret", pa.string()),
    ("street", pa.string()), ("postal_code", pa.string()), ("city", pa.string()),
    ("country_alpha2", pa.string()), ("address_raw", pa.string()), ("email", pa.string()),
    ("is_individual", pa.bool_()), ("updated_at", TS),
])


def _write_counterparties(
    con: duckdb.DuckDBPyConnection, connection: str, docs: list[Document], now: dt.datetime,
    written: dict[str, tuple[Any, ...]],
) -> dict[str, tuple[Any, ...]]:
    """New or changed counterparties; `written` holds rows known to be stored as they are
    (a page names the same clients as the pages before it). Returns the rows it compared."""
    values: dict[str, tuple[Any, ...]] = {}
    for doc in docs:
        cp = doc.counterparty
        if cp is None:
            continue
        cid = counterparty_id(connection, cp.role, cp.source_id)
        values[cid] = (
            cid, connection, cp.source_id, cp.role, cp.name, cp.vat_number, cp.siren, cp.siret,
            cp.address.street, cp.address.postal_code, cp.address.city, cp.address.country_alpha2,
            cp.address_raw, cp.email, bool(cp.is_individual),
        )
    rows = [v for cid, v in values.items() if written.get(cid) != v]
    if not rows:
        return values
    columns = [*zip(*rows), [now] * len(rows)]
    table = pa.table([_column(c, f.type) for c, f in zip(columns, _CP_SCHEMA)], schema=_CP_SCHEMA)
    _register(con, "_cps", table)
    cols = [f.name for f in table.schema]
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
    # Only new or changed counterparties are written (a page names the same clients again and
    # again): `updated_at` is when the source's data last changed.
    same = " AND ".join(f"x.{c} IS NOT DISTINCT FROM n.{c}" for c in cols if c != "updated_at")
    new, changed = con.execute(
        "SELECT count(*) FILTER (WHERE x.id IS NULL), count(*) FILTER (WHERE x.id IS NOT NULL) "
        f"FROM _cps n LEFT JOIN counterparties x ON x.id = n.id WHERE NOT coalesce({same}, false)"
    ).fetchall()[0]
    if new:  # plain inserts: cheaper than an upsert
        con.execute(
            f"INSERT INTO counterparties ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _cps n "
            "WHERE n.id NOT IN (SELECT id FROM counterparties)"
        )
    if changed:
        con.execute(
            f"INSERT INTO counterparties ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _cps n "
            f"WHERE NOT EXISTS (SELECT 1 FROM counterparties x WHERE {same}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
    con.unregister("_cps")
    return values


_DOC_SCHEMA = pa.schema([
    ("id", pa.string()), ("connection", pa.string()), ("source_id", pa.string()), ("kind", pa.string()),
    ("number", pa.string()), ("issue_date", pa.date32()), ("due_date", pa.date32()), ("currency", pa.string()),
    ("total_before_tax", DEC2), ("total_tax", DEC2), ("total", DEC2), ("counterparty_id", pa.string()),
    ("attachment_sha256", pa.string()), ("attachment_filename", pa.string()), ("attachment_pending", pa.bool_()),
    ("credited_source_id", pa.string()), ("category_hint", pa.string()), ("source_updated_at", TS),
    ("raw", pa.string()), ("snapshot", pa.string()), ("content_hash", pa.string()), ("status", pa.string()),
    ("changed", pa.string()), ("changed_after_sending", pa.bool_()), ("first_seen_at", TS), ("fetched_at", TS),
    ("status_changed_at", TS), ("sync_run_id", pa.int64()), ("error_count", pa.int32()), ("warning_count", pa.int32()),
])


def _write_documents(
    con: duckdb.DuckDBPyConnection, docs: list[Document], prints: dict[str, tuple[str, str]],
    statuses: dict[str, str], changes: dict[str, dict[str, Any]], sent_changed: set[str], created: set[str],
    now: dt.datetime, run_id: int | None, findings: dict[str, list[Finding]],
    mask: Callable[[str], str] | None = None,
) -> None:
    # Column by column: no dict per row, and Arrow converts each list in one call.
    n = len(docs)
    ids = [d.id for d in docs]
    # The counts of the findings written with the page (a changed document's duplicates are
    # counted again by the caller).
    severities = [[f.severity for f in findings.get(i, ())] for i in ids]
    cps = [d.counterparty for d in docs]
    files = [d.attachment for d in docs]
    columns: dict[str, list[Any]] = {
        "id": ids, "connection": [d.connection for d in docs], "source_id": [d.source_id for d in docs],
        "kind": [d.kind for d in docs], "number": [d.number for d in docs],
        "issue_date": [d.issue_date for d in docs], "due_date": [d.due_date for d in docs],
        "currency": [d.currency for d in docs],
        "total_before_tax": _decimals([d.total_before_tax for d in docs], CENTS, DEC2),
        "total_tax": _decimals([d.total_tax for d in docs], CENTS, DEC2),
        "total": _decimals([d.total for d in docs], CENTS, DEC2),
        "counterparty_id": [counterparty_id(d.connection or "", cp.role, cp.source_id) if cp else None
                            for d, cp in zip(docs, cps)],
        "attachment_sha256": [f.sha256 if f else None for f in files],
        "attachment_filename": [f.filename if f else None for f in files],
        "attachment_pending": [bool(d.attachment_pending) for d in docs],
        "credited_source_id": [d.credited_source_id for d in docs], "category_hint": [d.category_hint for d in docs],
        "source_updated_at": [_utc(d.source_updated_at) for d in docs],
        "raw": [mask(json_compact(d.raw)) for d in docs] if mask else [json_compact(d.raw) for d in docs],
        "snapshot": [prints[i][0] for i in ids], "content_hash": [prints[i][1] for i in ids],
        "status": [statuses[i] for i in ids],
        "changed": [json_compact(changes[i]) if i in changes else None for i in ids],
        "changed_after_sending": [i in sent_changed for i in ids],
        "first_seen_at": [now] * n, "fetched_at": [now] * n, "status_changed_at": [now] * n,
        "sync_run_id": [run_id] * n,
        "error_count": [s.count("error") for s in severities],
        "warning_count": [s.count("warning") for s in severities],
    }
    table = pa.table({f.name: _column(columns[f.name], f.type) for f in _DOC_SCHEMA}, schema=_DOC_SCHEMA)
    table = table.append_column("_new", _column([i in created for i in ids], pa.bool_()))
    _register(con, "_docs", table)
    cols = [f.name for f in _DOC_SCHEMA]
    keep = {"id", "first_seen_at"}
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keep)
    # New documents are plain inserts (cheaper than an upsert); a changed one leaves any batch
    # it was in and its status reason is cleared.
    if created:
        con.execute(f"INSERT INTO documents ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _docs WHERE _new")
    if len(created) < len(ids):
        con.execute(
            f"INSERT INTO documents ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _docs WHERE NOT _new "
            f"ON CONFLICT (id) DO UPDATE SET {updates}, status_reason = NULL"
        )
    con.unregister("_docs")


_LINE_SCHEMA = pa.schema([
    ("document_id", pa.string()), ("position", pa.int32()), ("label", pa.string()),
    ("quantity", DEC6), ("unit_price", DEC6), ("amount_before_tax", DEC2), ("tax", DEC2), ("amount", DEC2),
    ("vat_rate", DEC_RATE), ("accounting_hint", pa.string()), ("vat_code", pa.string()),
])


def _write_lines(con: duckdb.DuckDBPyConnection, docs: list[Document]) -> None:
    pairs = [(d.id, i, line) for d in docs for i, line in enumerate(d.lines, start=1)]
    if not pairs:
        return
    lines = [p[2] for p in pairs]
    columns: dict[str, list[Any]] = {
        "document_id": [p[0] for p in pairs], "position": [p[1] for p in pairs],
        "label": [line.label for line in lines],
        "quantity": _decimals([line.quantity for line in lines], MICROS, DEC6),
        "unit_price": _decimals([line.unit_price for line in lines], MICROS, DEC6),
        "amount_before_tax": _decimals([line.amount_before_tax for line in lines], CENTS, DEC2),
        "tax": _decimals([line.tax for line in lines], CENTS, DEC2),
        "amount": _decimals([line.amount for line in lines], CENTS, DEC2),
        "vat_rate": _decimals([line.vat_rate for line in lines], RATE_PLACES, DEC_RATE),
        "accounting_hint": [line.accounting_hint for line in lines], "vat_code": [line.vat_code for line in lines],
    }
    table = pa.table({f.name: _column(columns[f.name], f.type) for f in _LINE_SCHEMA}, schema=_LINE_SCHEMA)
    _register(con, "_lines", table)
    con.execute("INSERT INTO lines SELECT * FROM _lines")
    con.unregister("_lines")


FINDING_COLUMNS = "document_id, code, severity, message, field, origin, params"


def finding_params(finding: Finding) -> str | None:
    """The `params` column: Finding.params as JSON text. Params that JSON cannot hold (a
    plugin's own objects) are left out: the finding then shows its message as stored."""
    if finding.params is None:
        return None
    try:
        return json_compact(finding.params)
    except (TypeError, ValueError):
        return None


def write_findings(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, Finding]]) -> None:
    """(document id, finding) pairs into `findings`, in one insert."""
    if not pairs:
        return
    table = pa.table({
        "document_id": _column([p[0] for p in pairs], pa.string()),
        "code": _column([p[1].code for p in pairs], pa.string()),
        "severity": _column([p[1].severity for p in pairs], pa.string()),
        "message": _column([p[1].message for p in pairs], pa.string()),
        "field": _column([p[1].field for p in pairs], pa.string()),
        "origin": _column([p[1].origin for p in pairs], pa.string()),
        "params": _column([finding_params(p[1]) for p in pairs], pa.string()),
    })
    _register(con, "_findings", table)
    con.execute(f"INSERT INTO findings ({FINDING_COLUMNS}) SELECT * FROM _findings")
    con.unregister("_findings")


def _write_audit(
    con: duckdb.DuckDBPyConnection, docs: list[Document], result: PageResult,
    changes: dict[str, dict[str, Any]], now: dt.datetime, actor: str,
) -> None:
    created = set(result.created)
    rows = []
    for d in docs:
        if d.id in created:
            rows.append((d.id, "fetched", None, None))
        else:
            action = "changed_after_sending" if d.id in result.changed_after_sending else "changed"
            rows.append((d.id, action, ", ".join(changes.get(d.id, {})), json_dumps(changes.get(d.id, {}))))
    table = pa.table({
        "recorded_at": _column([now] * len(rows), TS),
        "actor": _column([actor] * len(rows), pa.string()),
        "document_id": _column([r[0] for r in rows], pa.string()),
        "action": _column([r[1] for r in rows], pa.string()),
        "field": _column([r[2] for r in rows], pa.string()),
        "new_value": _column([r[3] for r in rows], pa.string()),
    })
    _register(con, "_audit", table)
    con.execute("INSERT INTO audit (recorded_at, actor, document_id, action, field, new_value) SELECT * FROM _audit")
    con.unregister("_audit")


# The audit's reason for a fix the source overrode (the console says it in the user's language).
FIX_DROPPED = "the source changed this field; the reviewer's fix no longer applies"


def _drop_stale_overrides(con: duckdb.DuckDBPyConnection, changes: dict[str, dict[str, Any]], now: dt.datetime) -> None:
    """A reviewer's fix survives re-syncs unless the source itself changed that field."""
    from .documents import source_value

    if not changes:
        return
    rows = con.execute(
        "SELECT d.id, o.document_id, o.field FROM documents d JOIN overrides o "
        "ON o.document_id = d.id OR o.document_id = d.counterparty_id WHERE d.id IN (SELECT unnest(?))",
        [list(changes)],
    ).fetchall()
    dropped: set[tuple[str, str]] = set()
    for doc_id, subject, fld in rows:
        if (subject, fld) in dropped:
            continue
        diff = changes[doc_id]
        top = "counterparty" if fld.startswith("counterparty.") else fld.split("[")[0]
        if top not in diff:
            continue
        before, after = ({top: side} for side in diff[top])
        if source_value(before, fld) == source_value(after, fld):
            continue
        dropped.add((subject, fld))
        con.execute("DELETE FROM overrides WHERE document_id = ? AND field = ?", [subject, fld])
        con.execute(
            "INSERT INTO audit (recorded_at, actor, document_id, action, field, reason) VALUES (?, 'ecluse', ?, 'fix_dropped', ?, ?)",
            [now, doc_id, fld, FIX_DROPPED],
        )


_DUP_KEYS = """
WITH a AS (
    SELECT d.id, d.number, d.total, d.issue_date, d.attachment_sha256, {side} AS side, {cp_key} AS cp_key
    FROM documents d JOIN {{ids}} i ON i.id = d.id LEFT JOIN counterparties c ON c.id = d.counterparty_id
    WHERE d.status <> 'rejected'
), k AS (
    -- Only documents sharing a number, a date and total, or a file with the page can pair with
    -- it: the cache is filtered on those first, the counterparty key is computed for them only.
    SELECT d.id, d.number, d.total, d.issue_date, d.attachment_sha256, {side} AS side, {cp_key} AS cp_key
    FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id
    WHERE d.status <> 'rejected'
      AND (d.number IN (SELECT number FROM a) OR d.attachment_sha256 IN (SELECT attachment_sha256 FROM a)
           OR (d.issue_date, d.total) IN (SELECT (issue_date, total) FROM a))
)
SELECT a.id, b.id, 'number', a.number FROM a JOIN k b
    ON a.side = b.side AND a.cp_key = b.cp_key AND a.number = b.number AND a.id <> b.id
UNION
SELECT a.id, b.id, 'date_total', NULL FROM a JOIN k b
    ON a.side = b.side AND a.cp_key = b.cp_key AND a.issue_date = b.issue_date AND a.total = b.total AND a.id <> b.id
UNION
SELECT a.id, b.id, 'pdf', NULL FROM a JOIN k b
    ON a.attachment_sha256 = b.attachment_sha256 AND a.id <> b.id
""".format(
    side="CASE WHEN d.kind LIKE 'customer%' THEN 'sales' ELSE 'purchases' END",
    cp_key="coalesce(nullif(upper(replace(c.vat_number, ' ', '')), ''), nullif(c.siren, ''), "
           "nullif(lower(trim(c.name)), ''))",
)


# A pair the reviewer kept ("not a duplicate", services/duplicates.py) is left out, either way round.
_NOT_DISMISSED = """
SELECT p.* FROM ({pairs}) p(a, b, reason, number)
WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals x WHERE x.document_id = p.a AND x.other_id = p.b)
  AND NOT EXISTS (SELECT 1 FROM duplicate_dismissals x WHERE x.document_id = p.b AND x.other_id = p.a)
"""


_DUP_REASONS = {"number": "same counterparty and number {number}", "date_total": "same counterparty, date and total",
                "pdf": "same PDF file"}


def refresh_duplicates(con: duckdb.DuckDBPyConnection, ids_table: str) -> None:
    """Recompute 'suspected duplicate' findings for the given documents and for the documents
    paired with them, across connections, except pairs a reviewer dismissed. Three equi-joins
    (an OR in one join condition would make DuckDB nest-loop over the whole cache)."""
    pairs = con.execute(_NOT_DISMISSED.format(pairs=_DUP_KEYS.format(ids=ids_table))).fetchall()
    stale = f"""origin = 'duplicates' AND (document_id IN (SELECT id FROM {ids_table})
                OR field IN (SELECT 'duplicate_of:' || id FROM {ids_table}))"""
    touched = {r[0] for r in con.execute(f"SELECT DISTINCT document_id FROM findings WHERE {stale}").fetchall()}
    con.execute(f"DELETE FROM findings WHERE {stale}")
    rows: dict[tuple[str, str], tuple[str, str | None]] = {}
    for a, b, reason, number in pairs:
        rows.setdefault((a, b), (reason, number))
        rows.setdefault((b, a), (reason, number))
    touched |= {x for x, _ in rows}
    if rows:
        params = [{"other": y, "variant": reason, "number": number} for (_, y), (reason, number) in rows.items()]
        table = pa.table({
            "document_id": [x for x, _ in rows],
            "code": ["suspected_duplicate"] * len(rows),
            "severity": ["warning"] * len(rows),
            "message": [f"Suspected duplicate of {p['other']}: " + _DUP_REASONS[p["variant"]].format(**p) + "."
                        for p in params],
            "field": [f"duplicate_of:{y}" for _, y in rows],
            "origin": ["duplicates"] * len(rows),
            "params": [json_compact(p) for p in params],
        })
        _register(con, "_dups", table)
        # A pair between two documents outside ids_table keeps its finding: skip it here.
        con.execute(
            f"INSERT INTO findings ({FINDING_COLUMNS}) SELECT * FROM _dups n WHERE NOT EXISTS (SELECT 1 FROM findings f "
            "WHERE f.origin = 'duplicates' AND f.document_id = n.document_id AND f.field = n.field)"
        )
        con.unregister("_dups")
    if touched:
        recount_ids(con, sorted(touched))


def check_duplicates(con: duckdb.DuckDBPyConnection, connection: str) -> int:
    """The duplicate check of the connection's documents that `ingest_page(defer_duplicates=True)`
    flagged in `duplicate_checks`, in one pass over the cache (one sync per connection at a
    time: two runs never check the same rows). Returns how many were checked."""
    prefix = f"{connection}:"
    ids = [r[0] for r in con.execute(
        "SELECT DISTINCT document_id FROM duplicate_checks WHERE starts_with(document_id, ?)", [prefix]).fetchall()]
    if not ids:
        return 0
    # Their counts were written with them: only the documents the check touches are counted again.
    refresh_duplicates_of(con, ids, recount=False)
    con.execute("DELETE FROM duplicate_checks WHERE starts_with(document_id, ?)", [prefix])
    return len(ids)


def recount_findings(con: duckdb.DuckDBPyConnection, ids_table: str) -> None:
    con.execute(f"""
        UPDATE documents SET
            error_count = coalesce(f.e, 0), warning_count = coalesce(f.w, 0)
        FROM (
            SELECT i.id,
                   count(*) FILTER (WHERE fi.severity = 'error') AS e,
                   count(*) FILTER (WHERE fi.severity = 'warning') AS w
            FROM {ids_table} i LEFT JOIN findings fi ON fi.document_id = i.id
            GROUP BY i.id
        ) f
        WHERE documents.id = f.id
    """)


def recount_ids(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """`recount_findings` for a list of document ids."""
    with id_table(con, ids, "_recount_ids") as table:
        recount_findings(con, table)


def refresh_duplicates_of(con: duckdb.DuckDBPyConnection, ids: list[str], *, recount: bool = True) -> None:
    """`refresh_duplicates` for a list of document ids; with `recount`, their counts of findings
    are brought up to date as well (the caller changed their other findings)."""
    with id_table(con, ids, "_dup_ids") as table:
        refresh_duplicates(con, table)
        if recount:
            recount_findings(con, table)


def record_problems(
    con: duckdb.DuckDBPyConnection, connection: str, problems: list[tuple[str | None, str, Any, dict[str, Any] | None]],
    *, now: dt.datetime, run_id: int | None,
) -> None:
    """(source id, English message, raw payload, the message as a stored Said or None) rows.
    A record the connection already has open as a problem is 'superseded' by the new row: one
    unreadable record read again and again stays one open problem (one without a source id is
    the same record when its payload is the same). One a reviewer dismissed is not recorded
    again while the source sends the same payload."""
    if not problems:
        return
    raws = [_safe_json(p[2]) for p in problems]
    dismissed = set(con.execute(
        "SELECT source_id, raw FROM problems WHERE connection = ? AND resolution = 'dismissed' "
        "AND raw IN (SELECT unnest(?))", [connection, sorted(set(raws))]).fetchall())
    if dismissed:
        kept = [(p, raw) for p, raw in zip(problems, raws) if (p[0], raw) not in dismissed]
        problems, raws = [k[0] for k in kept], [k[1] for k in kept]
        if not problems:
            return
    again = sorted({p[0] for p in problems if p[0] is not None})
    if again:
        resolve_problems_of(con, connection, again, "superseded", now=now, actor="ecluse")
    nameless = sorted({raw for p, raw in zip(problems, raws) if p[0] is None})
    if nameless:
        con.execute(
            "UPDATE problems SET resolved = true, resolution = 'superseded', resolved_at = ?, resolved_by = 'ecluse' "
            "WHERE connection = ? AND NOT resolved AND source_id IS NULL AND raw IN (SELECT unnest(?))",
            [now, connection, nameless])
    table = pa.table({
        "connection": [connection] * len(problems),
        "source_id": [p[0] for p in problems],
        "message": [p[1] for p in problems],
        "raw": raws,
        "sync_run_id": pa.array([run_id] * len(problems), pa.int64()),
        "recorded_at": pa.array([now] * len(problems), TS),
        "said": pa.array([json_compact(p[3]) if p[3] else None for p in problems], pa.string()),
    })
    _register(con, "_problems", table)
    con.execute("INSERT INTO problems (connection, source_id, message, raw, sync_run_id, recorded_at, said) "
                "SELECT * FROM _problems")
    con.unregister("_problems")


def resolve_problems_of(
    con: duckdb.DuckDBPyConnection, connection: str, source_ids: list[str], resolution: str, *,
    now: dt.datetime, actor: str,
) -> int:
    """Close the connection's open problems about these source records; how many it closed."""
    return len(con.execute(
        "UPDATE problems SET resolved = true, resolution = ?, resolved_at = ?, resolved_by = ? "
        "WHERE connection = ? AND NOT resolved AND source_id IN (SELECT unnest(?)) RETURNING id",
        [resolution, now, actor, connection, source_ids]).fetchall())


def _safe_json(value: Any) -> str:
    try:
        return json_dumps(value)
    except (TypeError, ValueError):
        return json.dumps(repr(value))


def attach_file(
    con: duckdb.DuckDBPyConnection, document_id: str, attachment: Attachment, findings: list[Finding], now: dt.datetime,
) -> bool:
    """Record a PDF that arrived after its document. The status is kept: the reviewer sees the
    new file and the `attachment_pending` warning disappears. Returns False if unknown id."""
    row = con.execute("SELECT snapshot FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        return False
    snapshot = json.loads(row[0])
    snapshot["attachment_sha256"] = attachment.sha256
    text = json_compact(snapshot)  # the stored order of the keys: Document.fingerprint's text
    con.execute(
        "UPDATE documents SET attachment_sha256 = ?, attachment_filename = ?, attachment_pending = false, "
        "snapshot = ?, content_hash = ? WHERE id = ?",
        [attachment.sha256, attachment.filename, text, snapshot_hash(text), document_id],
    )
    con.execute("DELETE FROM findings WHERE document_id = ? AND code IN ('attachment_pending', 'missing_attachment', 'attachment_not_pdf')", [document_id])
    write_findings(con, [(document_id, dataclasses.replace(f, origin="validation")) for f in findings])
    con.execute(
        "INSERT INTO audit (recorded_at, actor, document_id, action, field, new_value) VALUES (?, 'ecluse', ?, 'attachment_arrived', 'attachment', ?)",
        [now, document_id, json.dumps(attachment.sha256)],
    )
    refresh_duplicates_of(con, [document_id])
    return True
