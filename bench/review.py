"""bench/review: the Review page and the reconciliation charts over a cache of 100,000 documents.

The cache is built directly in DuckDB (set-based SQL over `range(n)`, the schema of the
migrations): two connections, 4,000 counterparties, 1 or 2 lines per document, findings,
audit rows, and `ecluse confirm` results for the sent documents (mostly confirmed, some
amount mismatches, changes and deletions). A few seconds instead of a sync of 100,000 records.

Measured in the same run, each against the raw DuckDB query for the same data:

- Review page: Streamlit's AppTest runs console/ui/app.py, switches to the Review page, then
  reruns it (the median of the reruns is the figure; the first visit is shown too). The raw
  query is the queue's count and first page (50 rows, the page's sort and columns) on one
  fresh connection, as a hand-written report would do. The page's own data work (every
  DuckDB unit of work it opens during the run, timed in that run) is compared with it; the
  rest of the run is Streamlit's (script, widgets, element serialization), the same at 10 or
  100,000 documents, and is held to the absolute target.
- Reconciliation: each chart's service function (a fresh connection each, as the page calls
  it) against its raw SQL on a fresh connection.

Targets (issue "The accountant's day"): review page <= 1.5 s and its data work <= 3x the raw
query; each chart query <= 300 ms.

    .venv/bin/python bench/review.py [--documents 100000] [--runs 7] [--keep DIR]
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecluse.workspace import Workspace  # noqa: E402

APP = str(ROOT / "console" / "ui" / "app.py")
PAGE_TARGET_S = 1.5
PAGE_RATIO_TARGET = 3.0
CHART_TARGET_S = 0.3

# Pseudo-random but reproducible: hash(i, salt) drives every choice.
_BUILD = [
    """CREATE TEMP TABLE g AS SELECT i, hash(i, 11) AS h1, hash(i, 12) AS h2, hash(i, 13) AS h3,
       hash(i, 14) AS h4, hash(i, 15) AS h5, hash(i, 16) AS h6, hash(i, 17) AS h7 FROM range(?) t(i)""",
    """INSERT INTO counterparties (id, connection, source_id, role, name, street, postal_code, city,
       country_alpha2, is_individual, updated_at)
       SELECT c.conn || ':' || r.role || ':' || n::TEXT, c.conn, n::TEXT, r.role,
              CASE r.role WHEN 'customer' THEN 'Client ' ELSE 'Fournisseur ' END || n::TEXT || ' SARL',
              n::TEXT || ' rue du Banc', '69001', 'Lyon', 'FR', false, now()
       FROM (VALUES ('bench-a'), ('bench-b')) c(conn), (VALUES ('customer'), ('supplier')) r(role),
            range(1000) t(n)""",
    """CREATE TEMP TABLE gd AS SELECT i, h6, h7,
           CASE WHEN i % 3 = 0 THEN 'bench-b' ELSE 'bench-a' END AS connection,
           CASE WHEN h1 % 10 < 6 THEN 'customer_invoice' WHEN h1 % 10 = 6 THEN 'customer_credit_note'
                WHEN h1 % 10 < 9 THEN 'supplier_invoice' ELSE 'supplier_credit_note' END AS kind,
           current_date - 730 + (h2 % 730)::INTEGER AS issue_date,
           (10 + (h3 % 500000) / 100)::DECIMAL(18, 2) AS before, (h4 % 1000)::TEXT AS cp,
           CASE WHEN h5 % 100 < 35 THEN 'to_review' WHEN h5 % 100 < 45 THEN 'approved'
                WHEN h5 % 100 < 50 THEN 'rejected' WHEN h5 % 100 < 53 THEN 'on_hold'
                WHEN h5 % 100 < 55 THEN 'failed' ELSE 'sent' END AS status
       FROM g""",
    """INSERT INTO documents (id, connection, source_id, kind, number, issue_date, due_date, currency,
           total_before_tax, total_tax, total, counterparty_id, attachment_sha256, attachment_filename,
           attachment_pending, raw, snapshot, content_hash, status, changed_after_sending, error_count,
           warning_count, pennylane_id, sent_at, first_seen_at, fetched_at, status_changed_at)
       SELECT connection || ':' || i::TEXT, connection, i::TEXT, kind, 'F-' || lpad(i::TEXT, 6, '0'), issue_date,
              issue_date + 30, CASE WHEN h6 % 50 = 0 THEN 'USD' ELSE 'EUR' END,
              sign * before, sign * round(before * 0.2, 2), sign * (before + round(before * 0.2, 2)),
              connection || ':' || CASE WHEN kind LIKE 'customer%' THEN 'customer' ELSE 'supplier' END || ':' || cp,
              sha256(i::TEXT), 'F-' || i::TEXT || '.pdf', h6 % 200 = 1, '{}', '{}', md5(i::TEXT), status, false,
              CASE WHEN status IN ('to_review', 'on_hold') AND h6 % 10 = 0 THEN 1 ELSE 0 END,
              CASE WHEN h6 % 7 = 0 THEN 1 ELSE 0 END,
              CASE WHEN status = 'sent' THEN 1000000 + i END,
              CASE WHEN status = 'sent' THEN least(issue_date + 20, current_date - 2)::TIMESTAMPTZ END,
              issue_date::TIMESTAMPTZ, issue_date::TIMESTAMPTZ, least(issue_date + (h7 % 40)::INTEGER, current_date)
       FROM (SELECT *, CASE WHEN kind LIKE '%credit_note' THEN -1 ELSE 1 END AS sign FROM gd)""",
    """INSERT INTO lines SELECT d.id, p + 1, 'Prestation ' || (p + 1)::TEXT, 1, d.total_before_tax,
           d.total_before_tax, d.total_tax, d.total, 20,
           (['706', '707', '6064', '6135', '6256', '622', '6061', NULL])[1 + (hash(d.id, p) % 8)::INTEGER], NULL
       FROM documents d, range(1 + (hash(d.id) % 2)::INTEGER) r(p)""",
    """INSERT INTO findings (document_id, code, severity, message, field, origin)
       SELECT id, 'totals_mismatch', 'error', 'total is off', 'total', 'validation' FROM documents WHERE error_count > 0
       UNION ALL
       SELECT id, 'foreign_currency', 'warning', 'another currency', 'currency', 'validation'
       FROM documents WHERE warning_count > 0""",
    """INSERT INTO confirmations (document_id, checked_at, status, pennylane_amount, expected_amount, message)
       SELECT d.id, now() - INTERVAL 1 DAY,
              CASE WHEN g.h7 % 100 < 94 THEN 'confirmed' WHEN g.h7 % 100 < 97 THEN 'amount_mismatch'
                   WHEN g.h7 % 100 < 99 THEN 'changed' ELSE 'missing' END,
              CASE WHEN g.h7 % 100 < 94 THEN d.total WHEN g.h7 % 100 < 97 THEN d.total + 1
                   WHEN g.h7 % 100 < 99 THEN d.total END,
              d.total, NULL
       FROM documents d JOIN g ON d.source_id = g.i::TEXT WHERE d.status = 'sent' AND g.h6 % 10 <> 3""",
    """INSERT INTO audit (recorded_at, actor, document_id, action) SELECT fetched_at, 'bench', id, 'fetched' FROM documents""",
]


def build_cache(path: Path, documents: int) -> Workspace:
    """A workspace whose cache holds `documents` synthetic documents (see the module's docstring)."""
    ws = Workspace(path)
    ws.init()
    with ws.db.write() as con:
        for statement in _BUILD:
            con.execute(statement, [documents] if "range(?)" in statement else [])
    with ws.db.write() as con:
        con.execute("CHECKPOINT")
    return ws


# -- timing ----------------------------------------------------------------------------------
def median_time(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: file cache, imports, compiled regexes
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class DataWork:
    """Time spent inside the workspace's DuckDB units of work (open, queries, fetch, close)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.units = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator["DataWork"]:
        from ecluse.storage import db

        originals = {name: getattr(db.Database, name) for name in ("read", "write")}

        def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
            @contextlib.contextmanager
            def timed(database: Any) -> Iterator[Any]:
                started = time.perf_counter()
                try:
                    with original(database) as con:
                        yield con
                finally:
                    self.seconds += time.perf_counter() - started
                    self.units += 1
            return timed

        for name, original in originals.items():
            setattr(db.Database, name, wrap(original))
        try:
            yield self
        finally:
            for name, original in originals.items():
                setattr(db.Database, name, original)


def raw(ws: Workspace, statements: list[str]) -> Callable[[], None]:
    """The statements on one fresh connection, as a hand-written report would run them."""
    import duckdb

    def run() -> None:
        con = duckdb.connect(str(ws.db.path))
        try:
            for sql in statements:
                con.execute(sql).fetchall()
        finally:
            con.close()
    return run


RAW_PAGE = [
    "SELECT count(*) FROM documents",
    "SELECT d.id, d.connection, d.kind, d.number, d.issue_date, d.due_date, d.currency, d.total_before_tax, "
    "d.total_tax, d.total, c.name, d.status, d.status_reason, d.error_count, d.warning_count, d.attachment_pending, "
    "d.changed IS NOT NULL, d.changed_after_sending, d.pennylane_id, d.pennylane_url "
    "FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id "
    "ORDER BY d.issue_date DESC NULLS LAST, d.id LIMIT 50",
]
RAW_CHARTS = {
    "monthly_stages": [
        "SELECT date_trunc('month', d.issue_date) AS month, d.connection, d.status, k.status AS checked, d.currency, "
        "count(*), sum(d.total_before_tax), sum(d.total) FROM documents d "
        "LEFT JOIN confirmations k ON k.document_id = d.id WHERE d.issue_date IS NOT NULL AND d.currency = 'EUR' "
        "GROUP BY ALL"],
    "pennylane_totals": [
        "SELECT date_trunc('month', d.issue_date) AS month, count(k.document_id), sum(k.expected_amount), "
        "sum(k.pennylane_amount), count(*) FILTER (WHERE k.status <> 'confirmed') FROM documents d "
        "LEFT JOIN confirmations k ON k.document_id = d.id WHERE d.status = 'sent' AND d.currency = 'EUR' GROUP BY 1"],
    "monthly_totals": [
        "SELECT date_trunc('month', issue_date) AS month, connection, status, currency, count(*), "
        "sum(total_before_tax), sum(total) FROM documents WHERE issue_date IS NOT NULL AND currency = 'EUR' GROUP BY ALL"],
    "backlog_age": [
        "SELECT connection, date_diff('day', issue_date, current_date) // 30 AS age, count(*), "
        "count(*) FILTER (WHERE error_count > 0) FROM documents "
        "WHERE status IN ('fetched', 'to_review', 'on_hold') AND issue_date IS NOT NULL GROUP BY ALL"],
}


def bench_page(ws: Workspace, page: str, runs: int) -> dict[str, float]:
    """First visit and median rerun of a console page through AppTest, with its data work."""
    import logging

    from streamlit.testing.v1 import AppTest

    # AppTest drives the script from this thread: Streamlit's "missing ScriptRunContext" notice is noise.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    os.environ["ECLUSE_WORKSPACE"] = str(ws.path)
    os.environ["ECLUSE_LANG"] = "fr"
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    started = time.perf_counter()
    at.switch_page(f"views/{page}.py").run()
    first = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the {page} page failed: {[e.value for e in at.exception]}")
    runs_s, data_s, units = [], [], []
    for _ in range(runs):
        with DataWork().installed() as work:
            started = time.perf_counter()
            at.run()
            runs_s.append(time.perf_counter() - started)
        data_s.append(work.seconds)
        units.append(work.units)
    if at.exception:
        raise SystemExit(f"the {page} page failed: {[e.value for e in at.exception]}")
    return {"first": first, "run": statistics.median(runs_s), "data": statistics.median(data_s),
            "units": statistics.median(units)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="build the workspace here and keep it")
    args = ap.parse_args()

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ecluse-bench-review-"))
    try:
        started = time.perf_counter()
        ws = build_cache(base / "ws", args.documents)
        built = time.perf_counter() - started
        from ecluse.services import reconcile

        with ws.db.read() as con:
            lines, sent, checked = con.execute(
                "SELECT (SELECT count(*) FROM lines), (SELECT count(*) FROM documents WHERE status = 'sent'), "
                "(SELECT count(*) FROM confirmations)").fetchone()
        print(f"bench/review: {args.documents:,} documents, {lines:,} lines, {sent:,} sent "
              f"({checked:,} checked in Pennylane); cache built in {built:.1f} s")

        raw_page = median_time(raw(ws, RAW_PAGE), args.runs)
        page = bench_page(ws, "review", args.runs)
        ratio = page["data"] / raw_page
        print(f"  review page (AppTest rerun)  {page['run'] * 1000:7.0f} ms   (target <= {PAGE_TARGET_S * 1000:.0f} ms;"
              f" first visit {page['first'] * 1000:.0f} ms)")
        print(f"    its data work              {page['data'] * 1000:7.0f} ms   in {page['units']:.0f} unit(s) of work")
        print(f"    raw query (count + page)   {raw_page * 1000:7.0f} ms   one connection")
        print(f"    data work / raw            {ratio:7.2f}      (target <= {PAGE_RATIO_TARGET:g});"
              f" whole run / raw {page['run'] / raw_page:.1f}")
        ok = page["run"] <= PAGE_TARGET_S and ratio <= PAGE_RATIO_TARGET

        today = dt.date.today()
        services = {
            "monthly_stages": lambda: reconcile.monthly_stages(ws, side=None),
            "pennylane_totals": lambda: reconcile.pennylane_totals(ws, side=None),
            "monthly_totals": lambda: reconcile.monthly_totals(ws, side=None),
            "backlog_age": lambda: reconcile.backlog_age(ws, today=today),
        }
        for name, fn in services.items():
            service_s = median_time(fn, args.runs)
            raw_s = median_time(raw(ws, RAW_CHARTS[name]), args.runs)
            chart_ok = service_s <= CHART_TARGET_S
            ok = ok and chart_ok
            print(f"  chart {name:<22} {service_s * 1000:7.0f} ms   raw {raw_s * 1000:4.0f} ms"
                  f"   ratio {service_s / raw_s:4.2f}   (target <= {CHART_TARGET_S * 1000:.0f} ms)"
                  + ("" if chart_ok else "  MISSED"))
        rec = bench_page(ws, "reconciliation", max(3, args.runs // 2))
        print(f"  reconciliation page (AppTest rerun, for information) {rec['run'] * 1000:.0f} ms,"
              f" data work {rec['data'] * 1000:.0f} ms in {rec['units']:.0f} unit(s)")
        print("  verdict:", "targets met" if ok else "TARGETS MISSED")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
