"""Review service: queue filtering/sorting/paging in DuckDB and decisions with audit."""
from __future__ import annotations

import datetime as dt

import pytest

from ecluse import i18n
from ecluse.services import review
from ecluse.services.review import Filters, ReviewError
from ecluse.services.sync import sync
from tests.conftest import make_doc


@pytest.fixture
def synced(workspace, plugins, fake_source, fake_connection):
    docs = [make_doc(str(i), customer=f"c{i % 7}", total=f"{100 + i}.00",
                     issue=dt.date(2026, 1 + i % 6, 1 + i % 27)) for i in range(60)]
    bad = make_doc("bad", customer="zz", issue=dt.date(2026, 7, 1))
    bad.total_tax = bad.total_tax + 5  # error finding
    fake_source.pages = [docs[:30], docs[30:], [bad]]
    sync(workspace, plugins)
    return workspace


def test_paging_sorting_and_counts_are_computed_in_duckdb(synced):
    rows, total = review.list_documents(synced, limit=25, offset=0, sort="total", descending=True)
    assert total == 61 and len(rows) == 25
    assert rows[0]["total"] >= rows[-1]["total"]
    page3, _ = review.list_documents(synced, limit=25, offset=50, sort="total", descending=True)
    assert len(page3) == 11
    ids = {r["id"] for r in rows} | {r["id"] for r in page3}
    assert len(ids) == 36  # no overlap between pages


def test_filters(synced):
    assert review.list_documents(synced, Filters(findings="errors"))[1] == 1
    assert review.list_documents(synced, Filters(search="F-4"))[1] == 11  # F-4, F-40..F-49
    assert review.list_documents(synced, Filters(counterparty="client c3"))[1] == len([i for i in range(60) if i % 7 == 3])
    n_march = review.list_documents(synced, Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)))[1]
    assert n_march == len([i for i in range(60) if 1 + i % 6 == 3])
    assert review.list_documents(synced, Filters(connection="nope"))[1] == 0


def test_approve_refuses_errors_unless_forced_with_reason(synced):
    result = review.decide(synced, "approve", ["src:bad", "src:1", "src:missing"], actor="anne")
    assert result.done == ["src:1"]
    assert "error(s) to fix first" in result.refused["src:bad"]
    assert result.refused["src:missing"] == "no such document"
    with pytest.raises(ReviewError, match="needs a reason"):
        review.decide(synced, "approve", ["src:bad"], actor="anne", force=True)
    forced = review.decide(synced, "approve", ["src:bad"], actor="anne", force=True, reason="checked by phone")
    assert forced.done == ["src:bad"]
    history = review.get_document(synced, "src:bad")["history"]
    assert history[-1]["actor"] == "anne" and history[-1]["reason"] == "checked by phone"
    assert history[-1]["reason_said"] is None  # a person's words: as typed
    # Approving all valid ones: the English reason for the CLI, said in French from its code.
    approved = review.approve_all_valid(synced, actor="anne").done
    assert approved
    last = review.get_document(synced, approved[0])["history"][-1]
    assert (last["reason"], last["reason_said"]) == ("all valid", {"code": "reason.all_valid", "params": {}})
    assert i18n.said_or(last["reason"], last["reason_said"], "fr").startswith("aucune erreur : approuvé avec")


def test_reject_and_hold_need_a_reason_and_transitions_are_checked(synced):
    with pytest.raises(ReviewError, match="reason is required"):
        review.decide(synced, "reject", ["src:1"], actor="anne", reason=" ")
    assert review.decide(synced, "reject", ["src:1"], actor="anne", reason="doublon").done == ["src:1"]
    again = review.decide(synced, "reject", ["src:1"], actor="anne", reason="doublon")
    assert again.refused == {"src:1": "already rejected"}
    with synced.db.write() as con:
        con.execute("UPDATE documents SET status = 'sent' WHERE id = 'src:2'")
    assert review.decide(synced, "hold", ["src:2"], actor="a", reason="x").refused["src:2"] == "cannot hold a document that is sent"


def test_approve_all_valid_skips_documents_with_errors(synced):
    result = review.approve_all_valid(synced, actor="anne")
    assert len(result.done) == 60
    assert review.list_documents(synced, Filters(status="to_review"))[1] == 1
    summary = review.status_summary(synced)
    assert summary["documents"]["approved"] == 60 and summary["to_review_with_errors"] == 1


def test_detail_has_lines_findings_counterparty_and_history(synced):
    doc = review.get_document(synced, "src:bad")
    assert doc["counterparty"]["name"] == "Client zz"
    assert len(doc["lines"]) == 1
    assert {f["code"] for f in doc["findings"]} >= {"totals_mismatch"}
    assert doc["history"][0]["action"] == "fetched"
    assert doc["raw"]["id"] == "bad"
    assert review.get_document(synced, "nope") is None


def test_the_queue_and_the_detail_say_what_the_last_check_in_pennylane_found(synced):
    """As Suivi counts it: a sent document's check since its send; one older than the send (sent
    again since) is stale, and a document not sent has none."""
    with synced.db.write() as con:
        con.execute("UPDATE documents SET status = 'sent', sent_at = now() - INTERVAL 1 DAY, pennylane_id = 7 "
                    "WHERE id IN ('src:1', 'src:2')")
        con.execute("INSERT INTO confirmations (document_id, checked_at, status, pennylane_amount, expected_amount, "
                    "message, said) VALUES ('src:1', now(), 'missing', NULL, 101, 'invoice 7 is no longer in Pennylane', "
                    "'{\"code\": \"confirm.missing\", \"params\": {\"pennylane_id\": 7}}'), "
                    "('src:2', now() - INTERVAL 2 DAY, 'amount_mismatch', 1, 102, NULL, NULL), "
                    "('src:3', now(), 'missing', NULL, 103, NULL, NULL)")
    rows = {r["id"]: r["confirmation"] for r in review.list_documents(synced, Filters(ids=["src:1", "src:2", "src:3"]))[0]}
    assert rows == {"src:1": "missing", "src:2": None, "src:3": None}
    assert [r["id"] for r in review.list_documents(synced, Filters(findings="pennylane"))[0]] == ["src:1"]
    check = review.get_document(synced, "src:1")["confirmation"]
    assert check["status"] == "missing" and check["expected_amount"] == 101
    assert i18n.said_or(check["message"], check["said"], "fr") == "la facture 7 n'est plus dans Pennylane"
    assert review.get_document(synced, "src:2")["confirmation"] is None
