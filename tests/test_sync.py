"""Sync service + bulk ingest against a real DuckDB file, with an in-test connector."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from ecluse.connectors import AttachmentReady, ConnectorError, Problem
from ecluse.domain import Attachment
from ecluse.services import review
from ecluse.services.sync import AlreadyRunning, connection_lock, sync, sync_connection
from tests.conftest import PDF, make_doc


def q(ws, sql, *params):
    with ws.db.read() as con:
        return con.execute(sql, list(params)).fetchall()


def test_first_sync_stores_documents_lines_and_state(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1"), make_doc("2")], [make_doc("3")]]
    [report] = sync(workspace, plugins)
    assert (report.status, report.fetched, report.created, report.pages) == ("ok", 3, 3, 2)
    assert 0 < report.store_seconds <= report.seconds
    rows = q(workspace, "SELECT id, status, total, total_tax FROM documents ORDER BY id")
    assert [r[0] for r in rows] == ["src:1", "src:2", "src:3"]
    assert all(r[1] == "to_review" for r in rows)
    assert rows[0][2] == D("120.00") and isinstance(rows[0][2], D)
    assert q(workspace, "SELECT count(*) FROM lines")[0][0] == 3
    assert json.loads(q(workspace, "SELECT state FROM sync_state")[0][0]) == {"page": 2}
    # the PDF is in the content-addressed store
    sha = q(workspace, "SELECT attachment_sha256 FROM documents WHERE id = 'src:1'")[0][0]
    assert workspace.get_attachment(sha) == PDF + b"1"


def test_refetching_unchanged_documents_changes_nothing(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1"), make_doc("2")]]
    sync(workspace, plugins)
    before = q(workspace, "SELECT * FROM documents ORDER BY id")
    audit_before = q(workspace, "SELECT count(*) FROM audit")[0][0]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")  # force a full re-read
    [report] = sync(workspace, plugins)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert q(workspace, "SELECT * FROM documents ORDER BY id") == before
    assert q(workspace, "SELECT count(*) FROM audit")[0][0] == audit_before


def test_resume_from_last_checkpoint_after_a_failure(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1")], [make_doc("2"), ConnectorError("source went away")], [make_doc("3")]]
    [report] = sync(workspace, plugins)
    assert report.status == "failed" and "source went away" in report.error
    # page 1 committed with its cursor; doc 2 was complete, so it is kept, but the cursor
    # stays at page 1 so that page 2 is read again
    assert {r[0] for r in q(workspace, "SELECT id FROM documents")} == {"src:1", "src:2"}
    assert json.loads(q(workspace, "SELECT state FROM sync_state")[0][0]) == {"page": 1}
    assert q(workspace, "SELECT status, error FROM sync_runs")[0] == ("failed", "source went away")
    fake_source.pages[1] = [make_doc("2")]
    [report] = sync(workspace, plugins)
    assert report.status == "ok"
    assert fake_source.seen_contexts[-1].state == {"page": 1}
    assert (report.created, report.unchanged) == (1, 1)


def test_a_connector_bug_is_reported_without_losing_stored_pages(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1")], [ZeroDivisionError("oops")]]
    [report] = sync(workspace, plugins)
    assert report.status == "failed"
    assert "fake connector failed unexpectedly: ZeroDivisionError: oops" in report.error
    assert q(workspace, "SELECT count(*) FROM documents")[0][0] == 1


def test_bad_records_are_kept_as_problems(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1"), Problem("invoice without id", None, {"number": "X-1", "total": D("5.10")})]]
    [report] = sync(workspace, plugins)
    assert (report.status, report.problems) == ("ok", 1)
    [(message, raw)] = q(workspace, "SELECT message, raw FROM problems")
    assert message == "invoice without id"
    assert json.loads(raw) == {"number": "X-1", "total": "5.10"}
    assert review.status_summary(workspace)["open_problems"] == 1


def test_validation_findings_are_stored_and_counted(workspace, plugins, fake_source, fake_connection):
    bad = make_doc("1")
    bad.total = D("130.00")  # lines say 120
    no_pdf = make_doc("2", attachment=None, customer="c2")
    fake_source.pages = [[bad, no_pdf, make_doc("3", customer="c3")]]
    sync(workspace, plugins)
    findings = dict(((r[0], r[1]), r[2]) for r in q(workspace, "SELECT document_id, code, severity FROM findings"))
    assert findings[("src:1", "totals_mismatch")] == "error"
    assert findings[("src:2", "missing_attachment")] == "error"
    assert not [k for k in findings if k[0] == "src:3"]
    counts = dict((r[0], r[1]) for r in q(workspace, "SELECT id, error_count FROM documents"))
    assert counts["src:1"] >= 1 and counts["src:3"] == 0


def test_suspected_duplicates_across_connections(workspace, plugins, fake_source, fake_connection, monkeypatch):
    from tests.conftest import FakeSource

    workspace.set_connection("other", FakeSource, {"token": "env:FAKE_TOKEN"})
    fake_source.pages = [[make_doc("1", number="F-42")]]
    sync(workspace, plugins, ["src"])
    fake_source.pages = [[make_doc("9", number="F-42")]]  # same customer name and number
    sync(workspace, plugins, ["other"])
    rows = q(workspace, "SELECT document_id, field FROM findings WHERE code = 'suspected_duplicate' ORDER BY 1")
    assert rows == [("other:9", "duplicate_of:src:1"), ("src:1", "duplicate_of:other:9")]
    # rejecting one of the pair clears the suspicion on the other at the next refresh
    review.decide(workspace, "reject", ["other:9"], actor="t", reason="duplicate")
    fake_source.pages = [[make_doc("1", number="F-42", total="121.00")]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    sync(workspace, plugins, ["src"])
    assert q(workspace, "SELECT count(*) FROM findings WHERE document_id = 'src:1' AND code = 'suspected_duplicate'")[0][0] == 0


def test_source_change_sends_approved_document_back_to_review_with_diff(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1")]]
    sync(workspace, plugins)
    assert review.decide(workspace, "approve", ["src:1"], actor="anne").done == ["src:1"]
    fake_source.pages = [[make_doc("1", total="240.00")]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    [report] = sync(workspace, plugins)
    assert (report.updated, report.back_to_review) == (1, 1)
    doc = review.get_document(workspace, "src:1")
    assert doc["status"] == "to_review"
    assert doc["changed"]["total"] == ["120.00", "240.00"]
    assert [h["action"] for h in doc["history"]] == ["fetched", "approve", "changed"]
    # Held, the differences stay on the document; approved again, they are settled (the
    # 'changed' entry of the history keeps them).
    review.decide(workspace, "hold", ["src:1"], actor="anne", reason="ask the client")
    assert review.get_document(workspace, "src:1")["changed"]["total"] == ["120.00", "240.00"]
    assert review.list_documents(workspace, review.Filters(findings="changed"))[1] == 1
    review.decide(workspace, "approve", ["src:1"], actor="anne")
    doc = review.get_document(workspace, "src:1")
    assert doc["changed"] is None and review.list_documents(workspace, review.Filters(findings="changed"))[1] == 0
    assert json.loads(doc["history"][2]["new_value"])["total"] == ["120.00", "240.00"]


def test_a_snapshot_in_an_older_encoding_is_not_a_change(workspace, plugins, fake_source, fake_connection):
    import hashlib

    fake_source.pages = [[make_doc("1"), make_doc("2", total="130.00")]]  # not suspected duplicates
    sync(workspace, plugins)
    assert review.decide(workspace, "approve", ["src:1"], actor="anne").done == ["src:1"]
    current = dict(q(workspace, "SELECT id, content_hash FROM documents"))
    with workspace.db.write() as con:  # as stored before orjson: json.dumps, with spaces
        for doc_id, snapshot in con.execute("SELECT id, snapshot FROM documents").fetchall():
            old = json.dumps(json.loads(snapshot), sort_keys=True, ensure_ascii=False)
            con.execute("UPDATE documents SET snapshot = ?, content_hash = ? WHERE id = ?",
                        [old, hashlib.sha256(old.encode()).hexdigest(), doc_id])
        con.execute("DELETE FROM sync_state")
    audit = q(workspace, "SELECT count(*) FROM audit")[0][0]
    [report] = sync(workspace, plugins)
    assert (report.created, report.updated, report.unchanged, report.back_to_review) == (0, 0, 2, 0)
    assert dict(q(workspace, "SELECT id, content_hash FROM documents")) == current  # brought up to date
    assert q(workspace, "SELECT status FROM documents WHERE id = 'src:1'")[0][0] == "approved"
    assert q(workspace, "SELECT count(*) FROM audit")[0][0] == audit


def test_source_change_after_sending_is_flagged(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1")]]
    sync(workspace, plugins)
    with workspace.db.write() as con:
        con.execute("UPDATE documents SET status = 'sent', pennylane_id = 77")
        con.execute("DELETE FROM sync_state")
    fake_source.pages = [[make_doc("1", number="F-1-bis")]]
    [report] = sync(workspace, plugins)
    assert report.changed_after_sending == 1
    doc = review.get_document(workspace, "src:1")
    assert (doc["status"], doc["changed_after_sending"], doc["pennylane_id"]) == ("sent", True, 77)
    assert doc["changed"]["number"] == ["F-1", "F-1-bis"]
    # Once Pennylane is put right, the accountant marks the change handled, saying how.
    with pytest.raises(review.ReviewError, match="say what was done"):
        review.acknowledge_change(workspace, ["src:1"], actor="anne", reason=" ")
    done = review.acknowledge_change(workspace, ["src:1", "src:2"], actor="anne", reason="numéro corrigé")
    assert done.done == ["src:1"] and done.refused == {"src:2": "no such document"}
    doc = review.get_document(workspace, "src:1")
    assert (doc["status"], doc["changed_after_sending"], doc["changed"]) == ("sent", False, None)
    assert review.status_summary(workspace)["changed_after_sending"] == 0
    last = doc["history"][-1]
    assert (last["action"], last["actor"], last["reason"]) == ("change_handled", "anne", "numéro corrigé")
    assert json.loads(last["old_value"]) == {"number": ["F-1", "F-1-bis"]}  # the differences stay in the audit
    again = review.acknowledge_change(workspace, ["src:1"], actor="anne", reason="x")
    assert again.refused == {"src:1": "not changed after sending"}


def test_changes_after_sending_are_handled_as_shown_gone_ones_included(workspace, plugins, fake_source,
                                                                       fake_connection):
    from ecluse.connectors import Gone

    fake_source.pages = [[make_doc("1"), make_doc("2"), make_doc("3")]]
    sync(workspace, plugins)
    with workspace.db.write() as con:
        con.execute("UPDATE documents SET status = 'sent', pennylane_id = 7")
        con.execute("DELETE FROM sync_state")
    fake_source.pages = [[make_doc("1", number="F-1-bis"), make_doc("2"), Gone("3", "deleted at the source")]]
    [report] = sync(workspace, plugins)
    assert (report.changed_after_sending, report.gone) == (2, 1)
    shown = {d: review.shown_change_token(review.get_document(workspace, d)) for d in ("src:1", "src:3")}
    assert review.get_document(workspace, "src:3")["changed"] is None  # gone: flagged, no differences
    # A sync changed src:1 again after it was shown: refused, so no difference is cleared unseen.
    fake_source.pages = [[make_doc("1", number="F-1-ter")]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    sync(workspace, plugins)
    done = review.acknowledge_change(workspace, ["src:1", "src:3", "src:2"], actor="anne", reason="avoir", seen=shown)
    assert done.done == ["src:3"]
    assert done.refused == {"src:1": "changed again since shown", "src:2": "not changed after sending"}
    assert review.get_document(workspace, "src:3")["changed_after_sending"] is False
    assert review.get_document(workspace, "src:3")["history"][-1]["old_value"] is None
    assert review.get_document(workspace, "src:1")["changed"]["number"] == ["F-1-bis", "F-1-ter"]
    assert review.list_documents(workspace, review.Filters(findings="changed"))[0][0]["changed"] is True
    # Gone from the source after it was shown (its content unchanged): refused as well
    shown = {"src:2": review.shown_change_token(review.get_document(workspace, "src:2"))}
    fake_source.pages = [[Gone("2", "deleted at the source")]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    sync(workspace, plugins)
    late = review.acknowledge_change(workspace, ["src:2"], actor="anne", reason="x", seen=shown)
    assert late.refused == {"src:2": "changed again since shown"}


def test_rejecting_a_changed_document_settles_its_differences(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1")]]
    sync(workspace, plugins)
    fake_source.pages = [[make_doc("1", total="240.00")]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    sync(workspace, plugins)
    assert review.list_documents(workspace, review.Filters(findings="changed"))[1] == 1
    review.decide(workspace, "reject", ["src:1"], actor="anne", reason="doublon")
    assert review.get_document(workspace, "src:1")["changed"] is None
    assert review.list_documents(workspace, review.Filters(findings="changed"))[1] == 0


def test_late_attachment_is_attached_without_changing_status(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1", attachment=None, attachment_pending=True)]]
    sync(workspace, plugins)
    doc = review.get_document(workspace, "src:1")
    assert [f["code"] for f in doc["findings"]] == ["attachment_pending"]
    review.decide(workspace, "approve", ["src:1"], actor="anne")
    assert fake_source.seen_contexts[-1].pending_attachments == []
    fake_source.pages = [[], [AttachmentReady("1", Attachment("late.pdf", PDF + b"late"))]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    [report] = sync(workspace, plugins)
    assert fake_source.seen_contexts[-1].pending_attachments == ["1"]
    assert report.attachments == 1
    doc = review.get_document(workspace, "src:1")
    assert (doc["status"], doc["attachment_pending"], doc["attachment_filename"]) == ("approved", False, "late.pdf")
    assert doc["findings"] == []
    # stored as the document's own encoding would have it (no rehash needed on the next sync)
    resent = make_doc("1", attachment=None, attachment_pending=True)
    resent.attachment = Attachment("late.pdf", sha256=doc["attachment_sha256"])
    assert q(workspace, "SELECT snapshot, content_hash FROM documents")[0] == resent.fingerprint()
    # the source re-sending the record without its PDF is not a change
    fake_source.pages = [[make_doc("1", attachment=None, attachment_pending=True)]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    [report] = sync(workspace, plugins)
    assert (report.unchanged, report.updated) == (1, 0)


def test_non_pdf_attachment_is_kept_and_flagged(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1", attachment=Attachment("x.pdf", b"<html>login page</html>"))]]
    sync(workspace, plugins)
    doc = review.get_document(workspace, "src:1")
    assert "attachment_not_pdf" in [f["code"] for f in doc["findings"]]
    assert workspace.get_attachment(doc["attachment_sha256"]) == b"<html>login page</html>"


def test_secrets_never_reach_duckdb_or_the_settings_file(workspace, plugins, fake_source, fake_connection, monkeypatch):
    from tests.conftest import FakeSource

    workspace.set_connection("inline", FakeSource, {"token": "inline-SECRET-987654"})
    fake_source.pages = [[make_doc("1")], [ConnectorError("refused token inline-SECRET-987654 and tok-SECRET-123456")]]
    reports = sync(workspace, plugins)
    assert all(r.status == "failed" for r in reports)
    assert all("SECRET" not in (r.error or "") for r in reports)
    blob = (workspace.path / "ecluse.duckdb").read_bytes()
    for secret in (b"inline-SECRET-987654", b"tok-SECRET-123456"):
        assert secret not in blob
        assert secret not in workspace.config_path.read_bytes()
    assert b"inline-SECRET-987654" in workspace.secrets_path.read_bytes()
    assert workspace.secrets_path.stat().st_mode & 0o777 == 0o600


def test_a_second_sync_of_the_same_connection_is_refused(workspace, plugins, fake_source, fake_connection):
    with connection_lock(workspace, "src"):
        with pytest.raises(AlreadyRunning, match="already running"):
            sync_connection(workspace, plugins, "src")
        [report] = sync(workspace, plugins, ["src"])
        assert report.status == "failed" and "already running" in report.error


def test_missing_env_secret_fails_with_a_clear_message(workspace, plugins, fake_source, fake_connection, monkeypatch):
    monkeypatch.delenv("FAKE_TOKEN")
    [report] = sync(workspace, plugins)
    assert report.status == "failed"
    assert report.error == "connection 'src' setting 'token' refers to the environment variable FAKE_TOKEN, which is not set"


def duckdb_shows(setting: str, value: str):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET {setting} = '{value}'")
    return con.execute(f"SELECT current_setting('{setting}')").fetchall()[0][0]


def test_pages_are_written_with_bounded_duckdb_memory_and_threads(workspace, plugins, fake_source, fake_connection,
                                                                   monkeypatch):
    from ecluse.services import sync as sync_module

    fake_source.pages = [[make_doc("1")], [make_doc("2")]]
    real, seen = sync_module.ingest_page, []

    def ingest_page(con, *args, **kwargs):
        seen.append(con.execute("SELECT current_setting('threads'), current_setting('memory_limit')").fetchall()[0])
        return real(con, *args, **kwargs)

    monkeypatch.setattr(sync_module, "ingest_page", ingest_page)
    [report] = sync(workspace, plugins)
    bound = (sync_module.PAGE_THREADS, duckdb_shows("memory_limit", f"{sync_module.PAGE_MEMORY_MB}MB"))
    assert report.status == "ok" and seen == [bound, bound]


def test_a_page_that_does_not_fit_is_written_again_with_more_memory(workspace, plugins, fake_source,
                                                                    fake_connection, monkeypatch):
    import duckdb

    from ecluse.services import sync as sync_module

    monkeypatch.setattr(sync_module, "PAGE_MEMORY_MAX_MB", 128)
    fake_source.pages = [[make_doc("1"), Problem("unreadable", "9", {"id": 9})], [make_doc("2")], [make_doc("3")]]
    real, calls = sync_module.ingest_page, []

    def ingest_page(con, *args, **kwargs):
        calls.append(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        result = real(con, *args, **kwargs)  # written, then rolled back with the whole transaction
        if len(calls) in (1, 2):
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
        return result

    monkeypatch.setattr(sync_module, "ingest_page", ingest_page)
    [report] = sync(workspace, plugins)
    assert report.status == "ok" and (report.created, report.problems, report.pages) == (3, 1, 3)
    small, double = (duckdb_shows("memory_limit", f"{mb}MB") for mb in (sync_module.PAGE_MEMORY_MB, 128))
    # 64 MB, then 128 MB (the most before no bound here), then no bound, kept for the next pages
    assert calls[:3] == [small, double, calls[2]] and calls[2] not in (small, double)
    assert calls[3:] == [calls[2], calls[2]]
    assert q(workspace, "SELECT count(*) FROM problems")[0][0] == 1
    assert q(workspace, "SELECT count(*) FROM audit WHERE action = 'fetched'")[0][0] == 3
    assert q(workspace, "SELECT problems, created FROM sync_runs")[0] == (1, 3)


def test_counterparties_are_written_when_new_or_changed_only(workspace, plugins, fake_source, fake_connection):
    from ecluse.domain import Address

    fake_source.pages = [[make_doc("1", customer="c1"), make_doc("2", customer="c2")]]
    sync(workspace, plugins)
    before = dict(q(workspace, "SELECT id, updated_at FROM counterparties"))
    moved = make_doc("3", customer="c1")
    moved.counterparty.address = Address("9 quai Voltaire", "75007", "Paris", "FR")
    fake_source.pages = [[make_doc("4", customer="c2"), moved]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    sync(workspace, plugins)
    rows = {r[0]: r[1:] for r in q(workspace, "SELECT id, street, postal_code, updated_at FROM counterparties")}
    assert rows["src:customer:c1"][:2] == ("9 quai Voltaire", "75007")
    assert rows["src:customer:c1"][2] > before["src:customer:c1"]
    assert rows["src:customer:c2"] == ("1 rue de la Paix", "75002", before["src:customer:c2"])  # untouched


def test_suspected_duplicates_match_a_brute_force_oracle(workspace, plugins, fake_source, fake_connection):
    import random

    from ecluse.domain import SUPPLIER_INVOICE

    rng = random.Random(7)
    docs = []
    for i in range(60):
        doc = make_doc(str(i), number=rng.choice(["F-1", "F-2", "F-3", None]), customer=rng.choice("abc"),
                       total=rng.choice(["120.00", "240.00"]), issue=dt.date(2026, 3, rng.randint(1, 3)))
        if rng.random() < 0.3:
            doc.attachment = Attachment("same.pdf", PDF + rng.choice([b"x", b"y"]))
        if rng.random() < 0.2:
            doc.kind = SUPPLIER_INVOICE
        # one VAT number per customer (the cache keeps one record per customer), written two ways
        doc.counterparty.vat_number = {"a": "FR 40 303265045", "b": "fr40303265045", "c": None}[
            doc.counterparty.source_id]
        docs.append(doc)
    fake_source.pages = [docs[k:k + 7] for k in range(0, 60, 7)]  # pairs within and across pages
    sync(workspace, plugins)

    def key(d):
        cp = d.counterparty
        vat = (cp.vat_number or "").replace(" ", "").upper()
        return vat or cp.siren or cp.name.strip().lower() or None

    expected = set()
    for a in docs:
        for b in docs:
            if a is b:
                continue
            same_party = (a.kind.startswith("customer") == b.kind.startswith("customer")) and key(a) == key(b)
            if (same_party and a.number is not None and a.number == b.number) \
                    or (same_party and (a.issue_date, a.total) == (b.issue_date, b.total)) \
                    or a.attachment.sha256 == b.attachment.sha256:
                expected.add((f"src:{a.source_id}", f"duplicate_of:src:{b.source_id}"))
    found = set(q(workspace, "SELECT document_id, field FROM findings WHERE code = 'suspected_duplicate'"))
    assert found == expected and len(expected) > 50


def test_a_record_gone_from_the_source_is_flagged_never_deleted(workspace, plugins, fake_source, fake_connection):
    from ecluse.connectors import Gone

    fake_source.pages = [[make_doc("1"), make_doc("2", total="240.00")]]
    sync(workspace, plugins)
    assert review.decide(workspace, "approve", ["src:1"], actor="anne").done == ["src:1"]
    fake_source.pages = [[Gone("1", "deleted at the source"), Gone("unknown", "never cached")]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    [report] = sync(workspace, plugins)
    assert report.status == "ok" and (report.gone, report.back_to_review) == (1, 1)
    doc = review.get_document(workspace, "src:1")
    assert doc["status"] == "to_review" and doc["error_count"] == 1
    assert [(f["code"], f["message"]) for f in doc["findings"]] == [("gone_from_source", "deleted at the source")]
    assert q(workspace, "SELECT count(*) FROM documents")[0][0] == 2
    # yielded again: the flag goes
    fake_source.pages = [[make_doc("1")]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    [report] = sync(workspace, plugins)
    doc = review.get_document(workspace, "src:1")
    assert doc["findings"] == [] and doc["error_count"] == 0
    assert [h["action"] for h in doc["history"]][-2:] == ["gone_from_source", "back_in_source"]


def test_counts_match_the_findings_after_creates_changes_and_duplicates(workspace, plugins, fake_source,
                                                                        fake_connection):
    """New documents are written with their counts; changed ones and duplicates are counted again."""
    def mismatches():
        return q(workspace, """
            SELECT d.id FROM documents d LEFT JOIN (
                SELECT document_id, count(*) FILTER (WHERE severity = 'error') AS e,
                       count(*) FILTER (WHERE severity = 'warning') AS w FROM findings GROUP BY 1
            ) f ON f.document_id = d.id
            WHERE d.error_count <> coalesce(f.e, 0) OR d.warning_count <> coalesce(f.w, 0)""")

    fake_source.pages = [[make_doc("1", number="F-1"), make_doc("2", number="F-1"), make_doc("3", total="-5.00")]]
    sync(workspace, plugins)
    assert q(workspace, "SELECT count(*) FROM findings WHERE code = 'suspected_duplicate'") == [(2,)]
    assert q(workspace, "SELECT sum(error_count) + sum(warning_count) FROM documents")[0][0] > 2
    assert mismatches() == []
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    fake_source.pages = [[make_doc("1", number="F-1", total="130.00")]]  # changed, still a duplicate
    [report] = sync(workspace, plugins)
    assert report.updated == 1
    assert mismatches() == []


def test_duplicates_across_pages_are_found_by_the_end_of_the_run(workspace, plugins, fake_source, fake_connection,
                                                                 monkeypatch):
    from ecluse.services import sync as sync_module

    monkeypatch.setattr(sync_module, "DUPLICATE_CHECK_PAGES", 2)
    # Checked after page 2 (1 and 2: a pair), then at the end of the run (3 pairs with 1).
    fake_source.pages = [[make_doc("1", number="F-1")], [make_doc("2", number="F-1")], [make_doc("3", number="F-1")]]
    [report] = sync(workspace, plugins)
    assert report.pages == 3
    assert q(workspace, "SELECT document_id, field FROM findings WHERE code = 'suspected_duplicate' ORDER BY 1, 2") == [
        ("src:1", "duplicate_of:src:2"), ("src:1", "duplicate_of:src:3"), ("src:2", "duplicate_of:src:1"),
        ("src:2", "duplicate_of:src:3"), ("src:3", "duplicate_of:src:1"), ("src:3", "duplicate_of:src:2")]
    assert q(workspace, "SELECT id, warning_count FROM documents ORDER BY 1") == [("src:1", 2), ("src:2", 2), ("src:3", 2)]
    assert q(workspace, "SELECT count(*) FROM duplicate_checks") == [(0,)]


def test_a_duplicate_check_left_by_a_dead_run_is_done_by_the_next_one(workspace, plugins, fake_source,
                                                                        fake_connection, monkeypatch):
    from ecluse.services import sync as sync_module
    from ecluse.storage import ingest

    fake_source.pages = [[make_doc("1", number="F-1"), make_doc("2", number="F-1")]]
    monkeypatch.setattr(sync_module, "check_duplicates", lambda con, name: 0)  # the run dies before its check
    sync(workspace, plugins)
    assert q(workspace, "SELECT count(*) FROM findings WHERE code = 'suspected_duplicate'") == [(0,)]
    assert q(workspace, "SELECT count(*) FROM duplicate_checks") == [(2,)]
    monkeypatch.setattr(sync_module, "check_duplicates", ingest.check_duplicates)
    fake_source.pages = []
    sync(workspace, plugins)
    assert q(workspace, "SELECT count(*) FROM findings WHERE code = 'suspected_duplicate'") == [(2,)]
    assert q(workspace, "SELECT sum(warning_count) FROM documents")[0][0] >= 2
    assert q(workspace, "SELECT count(*) FROM duplicate_checks") == [(0,)]


def test_a_counterparty_that_changes_mid_run_is_stored_as_last_seen(workspace, plugins, fake_source, fake_connection):
    renamed = make_doc("3")
    renamed.counterparty.name = "Client c1 renamed"
    fake_source.pages = [[make_doc("1")], [make_doc("2")], [renamed], [make_doc("4", customer="c2")]]
    sync(workspace, plugins)
    assert q(workspace, "SELECT id, name FROM counterparties ORDER BY id") == [
        ("src:customer:c1", "Client c1 renamed"), ("src:customer:c2", "Client c2")]


def test_a_failing_duplicate_check_does_not_fail_the_stored_run(workspace, plugins, fake_source, fake_connection,
                                                                monkeypatch):
    from ecluse.services import sync as sync_module

    def broken(con, name):
        raise RuntimeError("check failed")

    monkeypatch.setattr(sync_module, "check_duplicates", broken)
    fake_source.pages = [[make_doc("1", number="F-1"), make_doc("2", number="F-1")]]
    [report] = sync(workspace, plugins)
    assert report.status == "ok" and report.created == 2
    assert q(workspace, "SELECT status FROM sync_runs") == [("ok",)]
    assert q(workspace, "SELECT count(*) FROM duplicate_checks") == [(2,)]  # for the next run


def test_automatic_gc_is_off_while_syncs_run_and_young_objects_are_collected_now_and_then(
        workspace, plugins, fake_source, fake_connection, monkeypatch):
    import gc
    import threading

    from ecluse.services import sync as sync_module

    fake_source.pages = [[make_doc("1")], [make_doc("2")], [make_doc("3")]]
    real, enabled = sync_module.ingest_page, []

    def ingest_page(con, *args, **kwargs):
        enabled.append(gc.isenabled())
        return real(con, *args, **kwargs)

    collections: list[int] = []

    def on_gc(phase, info):
        if phase == "start" and threading.current_thread() is threading.main_thread():
            collections.append(info["generation"])

    monkeypatch.setattr(sync_module, "ingest_page", ingest_page)
    monkeypatch.setattr(sync_module, "GC_INTERVAL", 0.0)
    assert gc.isenabled()
    gc.callbacks.append(on_gc)
    try:
        [report] = sync(workspace, plugins)
    finally:
        gc.callbacks.remove(on_gc)
    assert report.status == "ok" and enabled == [False, False, False]
    assert gc.isenabled()  # given back
    assert collections.count(1) >= 6  # a young collection after each item (the interval is 0 here)

    # Two syncs at once: collection comes back when the last one ends, not the first.
    with sync_module._gc_paused():
        with sync_module._gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # and a process that had it off keeps it off
    try:
        with sync_module._gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_review_queue_finishes_the_checks_a_dead_run_left_unless_a_sync_is_running(
        workspace, plugins, fake_source, fake_connection, monkeypatch):
    from ecluse.services import queue
    from ecluse.services import sync as sync_module
    from ecluse.services.review import Filters, list_documents
    from ecluse.storage import ingest

    fake_source.pages = [[make_doc("1", number="F-1"), make_doc("2", number="F-1")]]
    monkeypatch.setattr(sync_module, "check_duplicates", lambda con, name: 0)  # the run dies before its check
    sync(workspace, plugins)
    monkeypatch.setattr(sync_module, "check_duplicates", ingest.check_duplicates)
    assert q(workspace, "SELECT count(*) FROM duplicate_checks") == [(2,)]

    with connection_lock(workspace, "src"):  # a sync of that connection is under way: its own job
        screen = queue.page(workspace, Filters(findings="duplicates"))
        assert screen.total == 0 and q(workspace, "SELECT count(*) FROM duplicate_checks") == [(2,)]

    screen = queue.page(workspace, Filters(findings="duplicates"))  # the reviewer sees the warnings
    assert screen.total == 2 and {r["id"] for r in screen.rows} == {"src:1", "src:2"}
    assert q(workspace, "SELECT count(*) FROM duplicate_checks") == [(0,)]
    assert q(workspace, "SELECT id, warning_count FROM documents ORDER BY 1") == [("src:1", 1), ("src:2", 1)]

    # The CLI's listing does the same.
    with workspace.db.write() as con:
        con.execute("DELETE FROM findings WHERE code = 'suspected_duplicate'")
        con.execute("INSERT INTO duplicate_checks VALUES ('src:1'), ('src:2')")
    rows, total = list_documents(workspace, Filters(findings="duplicates"))
    assert total == 2 and q(workspace, "SELECT count(*) FROM duplicate_checks") == [(0,)]


def test_a_connector_error_said_is_kept_for_the_console_unless_json_cannot_hold_it(workspace, plugins, fake_source,
                                                                                   fake_connection):
    from ecluse.connectors import Said

    said = ConnectorError("source refused tok-SECRET-123456")
    said.said = Said("fake.refused", {"token": "tok-SECRET-123456", "status": 401})
    odd = ConnectorError("source went away")
    odd.said = Said("fake.gone", {"when": object()})
    fake_source.pages = [[make_doc("1"), said]]
    [report] = sync(workspace, plugins)
    assert report.status == "failed" and report.error_said == {"code": "fake.refused",
                                                               "params": {"token": "***", "status": 401}}
    fake_source.pages = [[make_doc("1"), odd]]
    [report] = sync(workspace, plugins)
    assert report.status == "failed" and report.error_said is None  # the English error only
    assert [r[0] for r in q(workspace, "SELECT error_said FROM sync_runs ORDER BY id")] == [
        '{"code":"fake.refused","params":{"token":"***","status":401}}', None]


def test_a_plugins_problem_and_gone_params_are_redacted_at_any_depth(workspace, plugins, fake_source,
                                                                     fake_connection):
    from ecluse.connectors import Gone, Said

    fake_source.pages = [[make_doc("1")]]
    sync(workspace, plugins)
    fake_source.pages = [[Problem("odd", "7", {"id": 7}, Said("fake.odd", {"request": {"auth": ["tok-SECRET-123456"]}})),
                          Gone("1", "gone", {"variant": "fake", "seen": {"by": "tok-SECRET-123456"}}),
                          Gone("9", "never cached", ["not", "a", "dict"])]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    [report] = sync(workspace, plugins)
    assert report.status == "ok" and report.gone == 1
    stored = q(workspace, "SELECT said FROM problems") + q(workspace, "SELECT params FROM findings WHERE code = 'gone_from_source'")
    assert [json.loads(r[0]) for r in stored] == [
        {"code": "fake.odd", "params": {"request": {"auth": ["***"]}}}, {"variant": "fake", "seen": {"by": "***"}}]


def test_a_problem_read_again_stays_one_and_closes_once_the_record_is_readable(workspace, plugins, fake_source,
                                                                              fake_connection):
    bad = Problem("invoice 7 has no lines", "7", {"id": "7"})
    nameless = Problem("a record without an id", None, {"number": "X-1"})
    fake_source.pages = [[make_doc("1"), bad, nameless]]
    sync(workspace, plugins)
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")  # read everything again
    sync(workspace, plugins)
    assert review.status_summary(workspace)["open_problems"] == 2  # not 4
    assert sorted(q(workspace, "SELECT coalesce(source_id, '-'), resolution FROM problems WHERE resolved")) == [
        ("-", "superseded"), ("7", "superseded")]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    fake_source.pages = [[make_doc("1"), make_doc("7"), nameless]]  # fixed at the source
    [report] = sync(workspace, plugins)
    assert report.status == "ok"
    [(resolved, resolution, by)] = q(workspace, "SELECT resolved, resolution, resolved_by FROM problems "
                                                "WHERE source_id = '7' ORDER BY id DESC LIMIT 1")
    assert (resolved, resolution, by) == (True, "stored", "ecluse")
    assert [p["source_id"] for p in review.list_problems(workspace)] == [None]


def test_a_reviewer_marks_problems_handled_with_a_reason(workspace, plugins, fake_source, fake_connection):
    fake_source.pages = [[make_doc("1"), Problem("unreadable", "7", {"id": "7"}), Problem("also", "8", {"id": "8"})]]
    sync(workspace, plugins)
    ids = sorted(p["id"] for p in review.list_problems(workspace))
    with pytest.raises(review.ReviewError, match="say why"):
        review.dismiss_problems(workspace, ids, actor="Claire", reason="  ")
    result = review.dismiss_problems(workspace, [ids[0], 999], actor="Claire", reason="a test record")
    assert result.done == [str(ids[0])] and result.refused == {"999": "no such problem"}
    again = review.dismiss_problems(workspace, [ids[0]], actor="Claire", reason="twice")
    assert again.refused == {str(ids[0]): "already resolved"}
    [row] = [p for p in review.list_problems(workspace, include_resolved=True) if p["id"] == ids[0]]
    assert (row["resolution"], row["resolved_by"], row["resolved_reason"]) == ("dismissed", "Claire", "a test record")
    assert review.status_summary(workspace)["open_problems"] == 1
    # read again as it was: a dismissed record stays dismissed; changed at the source, it is news
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    fake_source.pages = [[make_doc("1"), Problem("unreadable", "7", {"id": "7"}), Problem("also", "8", {"id": "8"})]]
    sync(workspace, plugins)
    assert [p["source_id"] for p in review.list_problems(workspace)] == ["8"]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    fake_source.pages = [[Problem("unreadable", "7", {"id": "7", "total": "x"})]]
    sync(workspace, plugins)
    assert sorted(p["source_id"] for p in review.list_problems(workspace)) == ["7", "8"]
    eight = next(p["id"] for p in review.list_problems(workspace) if p["source_id"] == "8")
    assert review.dismiss_problems(workspace, [eight, eight], actor="Claire", reason="x").done == [str(eight)]


def test_a_field_the_connector_says_is_missing_is_said_once(workspace, plugins, fake_source, fake_connection):
    """Harvest's "names no Harvest client" stands for validation's "has no customer or supplier":
    one finding, at the sync and after a fix revalidates the document."""
    from ecluse.domain import Finding
    from ecluse.services import fixes

    doc = make_doc("1", counterparty=None)
    doc.findings = [Finding("counterparty_missing", "error", "The invoice names no Harvest client.", "counterparty",
                            params={})]
    fake_source.pages = [[doc]]
    sync(workspace, plugins)

    def codes():
        return sorted(f["code"] for f in review.get_document(workspace, "src:1")["findings"])

    assert "counterparty_missing" in codes() and "missing_counterparty" not in codes()
    fixes.fix(workspace, "src:1", "due_date", "2026-05-01", actor="anne")
    assert "counterparty_missing" in codes() and "missing_counterparty" not in codes()
