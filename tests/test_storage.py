"""storage/db.py and storage/migrate.py against real DuckDB files."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ecluse.storage import migrate as migrate_module

WORKER = str(Path(__file__).with_name("concurrency_worker.py"))
NOW = dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc)


def other_process_status(ws_path: Path, timeout: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, WORKER, str(ws_path), "status"], capture_output=True, text=True,
                          timeout=60, env={"ECLUSE_LOCK_TIMEOUT": timeout, "PATH": "/usr/bin:/bin"})


def test_held_units_of_work_share_a_connection_then_let_the_file_go(workspace):
    db = workspace.db
    with db.held(max_seconds=2.5):
        opened = time.monotonic()
        with db.write() as first:
            first.execute("CREATE TEMP TABLE scratch (x INTEGER)")
        with db.read() as second:
            assert second is first and second.execute("SELECT count(*) FROM scratch").fetchone() == (0,)
            # while held, another process cannot open the file (it gives up after its bound)
            busy = other_process_status(workspace.path, "0.3")
            assert busy.returncode != 0 and "is in use by" in busy.stderr
        time.sleep(max(0.0, opened + 2.6 - time.monotonic()))
        with db.write() as third:  # past the bound: used once more, then closed
            assert third is first
        # the file is free before the block ends: another process gets in at once
        free = other_process_status(workspace.path, "0.3")
        assert free.returncode == 0, free.stderr
        with db.write() as fourth:
            assert fourth is not first
            with pytest.raises(duckdb.CatalogException):
                fourth.execute("SELECT * FROM scratch")  # a new connection: the temp table is gone


def test_a_failed_unit_of_work_inside_held_is_rolled_back_and_its_connection_dropped(workspace):
    db = workspace.db
    with db.held():
        with db.write() as con:
            con.execute("INSERT INTO sync_state VALUES ('kept', '{}', ?)", [NOW])
        with pytest.raises(RuntimeError), db.write() as failed:
            failed.execute("INSERT INTO sync_state VALUES ('lost', '{}', ?)", [NOW])
            raise RuntimeError("boom")
        with db.read() as after:
            assert after is not failed
            assert after.execute("SELECT connection FROM sync_state").fetchall() == [("kept",)]


def test_held_is_per_thread_and_nests(workspace):
    import threading

    db, seen = workspace.db, {}
    with db.held(), db.held():  # nested: the outer block holds
        with db.read() as a, db.read() as b:
            pass

        def other():
            with db.read() as c:
                seen["c"] = c

        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert a is b and seen["c"] is not a


def test_migrations_5_and_6_drop_the_secondary_indexes_and_json_types_and_keep_every_row(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    everything = migrate_module.available()
    monkeypatch.setattr(migrate_module, "available", lambda: [m for m in everything if m[0] <= 4])
    con = duckdb.connect(str(path))
    migrate_module.migrate(con)
    con.execute("INSERT INTO lines (document_id, position, label, amount) VALUES ('a:1', 1, 'x', 1.50), ('a:1', 2, 'y', 2)")
    con.execute("INSERT INTO audit (recorded_at, actor, document_id, action) VALUES (?, 'anne', 'a:1', 'approve')", [NOW])
    assert {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()} >= {
        "documents_status", "documents_connection", "findings_document", "audit_document"}
    monkeypatch.setattr(migrate_module, "available", lambda: everything)
    assert migrate_module.migrate(con)[:2] == [5, 6]
    assert con.execute("SELECT index_name FROM duckdb_indexes()").fetchall() == []
    assert con.execute("SELECT document_id, position, label, amount FROM lines ORDER BY position").fetchall() == [
        ("a:1", 1, "x", Decimal("1.50")), ("a:1", 2, "y", Decimal("2.00"))]
    assert con.execute("SELECT id, actor, action FROM reports.audit").fetchall() == [(1, "anne", "approve")]
    # migration 6: the JSON columns are text
    assert con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE column_name IN "
                       "('raw', 'snapshot', 'changed', 'state') AND table_name IN ('documents', 'sync_state') "
                       "ORDER BY 1, 2").fetchall() == [
        ("documents", "changed", "VARCHAR"), ("documents", "raw", "VARCHAR"), ("documents", "snapshot", "VARCHAR"),
        ("sync_state", "state", "VARCHAR")]
    # the audit sequence goes on where it was
    con.execute("INSERT INTO audit (recorded_at, actor, document_id, action) VALUES (?, 'bob', 'a:1', 'fix')", [NOW])
    assert con.execute("SELECT max(id) FROM audit").fetchone() == (2,)
    con.close()



def test_migration_9_compresses_the_large_texts_and_keeps_every_column_row_and_constraint(tmp_path, monkeypatch):
    everything = migrate_module.available()
    monkeypatch.setattr(migrate_module, "available", lambda: [m for m in everything if m[0] <= 8])
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    migrate_module.migrate(con)
    columns = "SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns() " \
              "WHERE table_name = 'documents' ORDER BY column_index"
    before_columns = con.execute(columns).fetchall()
    con.execute(
        "INSERT INTO documents (id, connection, source_id, kind, number, issue_date, currency, total, raw, snapshot, "
        "content_hash, status, first_seen_at, fetched_at, status_changed_at, pennylane_id) VALUES "
        "('h:1', 'h', '1', 'customer_invoice', 'F-1', '2026-01-02', 'EUR', 12.30, '{\"id\":1}', '{\"a\":\"é\"}', "
        "'abc', 'sent', ?, ?, ?, 42)", [NOW, NOW, NOW])
    before_rows = con.execute("SELECT * FROM documents").fetchall()
    monkeypatch.setattr(migrate_module, "available", lambda: [m for m in everything if m[0] <= 9])  # 9, not what follows
    assert migrate_module.migrate(con) == [9]
    assert con.execute(columns).fetchall() == before_columns
    assert con.execute("SELECT * FROM documents").fetchall() == before_rows
    sql = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'documents'").fetchone()[0]
    assert "raw VARCHAR USING COMPRESSION ZSTD" in sql and '"snapshot" VARCHAR USING COMPRESSION ZSTD NOT NULL' in sql
    with pytest.raises(duckdb.ConstraintException):  # the primary key is still there
        con.execute("INSERT INTO documents SELECT * FROM documents")
    with pytest.raises(duckdb.ConstraintException):  # and the NOT NULLs
        con.execute("UPDATE documents SET snapshot = NULL")
    assert con.execute("SELECT number, total FROM reports.invoices").fetchall() == [("F-1", Decimal("12.30"))]
    con.close()

def test_decimal_columns_keep_exact_values_and_round_extra_places_half_even():
    from ecluse.storage.ingest import CENTS, DEC2, _decimals

    assert _decimals([Decimal("1.5"), None, Decimal("-0.00")], CENTS, DEC2).to_pylist() == [
        Decimal("1.50"), None, Decimal("0.00")]
    # one value with more places: the whole column is quantized, as the decimal context does
    assert _decimals([Decimal("2"), Decimal("1.125"), Decimal("1.135")], CENTS, DEC2).to_pylist() == [
        Decimal("2.00"), Decimal("1.12"), Decimal("1.14")]


def test_a_unit_nested_in_a_held_write_does_not_close_it(workspace):
    db = workspace.db
    with db.held(max_seconds=0):  # every unit is past the bound
        with db.write() as outer:
            outer.execute("INSERT INTO sync_state VALUES ('nested', '{}', ?)", [NOW])
            with db.read() as inner:
                assert inner is outer
                assert inner.execute("SELECT count(*) FROM sync_state").fetchall() == [(1,)]
            outer.execute("UPDATE sync_state SET state = '{\"a\": 1}'")  # still open
        with db.read() as after:
            assert after is not outer
            assert after.execute("SELECT state FROM sync_state").fetchall() == [('{"a": 1}',)]


def test_a_large_state_value_is_stored_apart_and_written_only_when_it_changed(workspace):
    from ecluse.storage.state import PART_BYTES, load_state, save_state

    clients = {str(i): {"name": f"Client {i}", "address": "1 rue de la Paix\n75002 Paris"} for i in range(200)}
    assert len(str(clients)) > PART_BYTES
    with workspace.db.write() as con:
        state, stored = load_state(con, "h")
        assert (state, stored) == ({}, {})
        stored = save_state(con, "h", {"cursor": 1, "clients": clients}, stored, NOW)
    with workspace.db.read() as con:
        assert con.execute("SELECT state FROM sync_state").fetchall() == [('{"cursor":1}',)]
        assert con.execute("SELECT key FROM sync_state_parts").fetchall() == [("clients",)]
    later = NOW + dt.timedelta(hours=1)
    with workspace.db.write() as con:  # the cursor moves, the clients do not: their row is left alone
        stored = save_state(con, "h", {"cursor": 2, "clients": clients}, stored, later)
    with workspace.db.read() as con:
        assert con.execute("SELECT updated_at FROM sync_state_parts").fetchall() == [(NOW,)]
        assert load_state(con, "h")[0] == {"cursor": 2, "clients": clients}
    clients["7"]["name"] = "Renamed"
    with workspace.db.write() as con:
        stored = save_state(con, "h", {"cursor": 3, "clients": clients}, stored, later)
    with workspace.db.read() as con:
        assert con.execute("SELECT updated_at FROM sync_state_parts").fetchall() == [(later,)]
        assert load_state(con, "h")[0]["clients"]["7"]["name"] == "Renamed"
    with workspace.db.write() as con:  # a value that shrinks goes back into the main row
        stored = save_state(con, "h", {"cursor": 4, "clients": {}}, stored, later)
    with workspace.db.read() as con:
        assert con.execute("SELECT count(*) FROM sync_state_parts").fetchall() == [(0,)]
        assert load_state(con, "h") == ({"cursor": 4, "clients": {}}, {})


def test_parts_are_forgotten_with_their_main_row(workspace):
    from ecluse.storage.state import load_state, save_state

    big = {"clients": {str(i): "x" * 50 for i in range(200)}, "cursor": 1}
    with workspace.db.write() as con:
        save_state(con, "h", big, {}, NOW)
        con.execute("DELETE FROM sync_state")  # what a full re-read does
    with workspace.db.write() as con:
        state, stored = load_state(con, "h")
        assert state == {} and set(stored) == {"clients"}
        save_state(con, "h", {"cursor": 9}, stored, NOW)
    with workspace.db.read() as con:
        assert load_state(con, "h") == ({"cursor": 9}, {})
