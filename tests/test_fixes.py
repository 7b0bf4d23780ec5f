"""Reviewer fixes: applied on review and send, audited, kept across re-syncs unless the
source changes that very field."""
from __future__ import annotations

import pytest

from ecluse.domain import Address
from ecluse.services import fixes, review, send
from ecluse.services.review import ReviewError
from ecluse.services.sync import sync
from tests.conftest import make_doc


def resync(ws, plugins):
    with ws.db.write() as con:
        con.execute("DELETE FROM sync_state")
    return sync(ws, plugins)


@pytest.fixture
def incomplete(workspace, plugins, fake_source, fake_connection):
    a = make_doc("1", customer="acme")
    a.counterparty.address = Address(None, None, "Paris", "FR")
    b = make_doc("2", customer="acme", total="240.00")
    b.counterparty.address = Address(None, None, "Paris", "FR")
    fake_source.pages = [[a, b]]
    sync(workspace, plugins)
    return workspace


def codes(ws, doc_id):
    return {f["code"] for f in review.get_document(ws, doc_id)["findings"]}


def test_a_counterparty_fix_serves_all_its_documents_and_clears_the_error(incomplete):
    assert "incomplete_address" in codes(incomplete, "src:1")
    fixes.fix(incomplete, "src:1", "counterparty.address.street", "3 rue Lafayette", actor="anne")
    fixes.fix(incomplete, "src:1", "counterparty.address.postal_code", "75009", actor="anne")
    for doc_id in ("src:1", "src:2"):
        doc = review.get_document(incomplete, doc_id)
        assert "incomplete_address" not in codes(incomplete, doc_id)
        assert doc["counterparty"]["street"] == "3 rue Lafayette" and doc["error_count"] == 0
    history = review.get_document(incomplete, "src:1")["history"]
    assert [(h["action"], h["field"], h["actor"]) for h in history[-2:]] == [
        ("fix", "counterparty.address.street", "anne"), ("fix", "counterparty.address.postal_code", "anne")]
    assert history[-1]["new_value"] == '"75009"'
    # the send uses the fixed address
    review.approve_all_valid(incomplete, actor="anne")
    body = next(r.body for r in send.dry_run(incomplete).requests if r.path == "/company_customers")
    assert body["billing_address"]["address"] == "3 rue Lafayette"


def test_fixes_survive_a_resync_unless_the_source_changes_the_field(incomplete, plugins, fake_source):
    fixes.fix(incomplete, "src:1", "counterparty.address.street", "3 rue Lafayette", actor="anne")
    fixes.fix(incomplete, "src:1", "lines[1].vat_code", "FR_200", actor="anne")
    # the source changes the total only: fixes stay
    a = make_doc("1", customer="acme", total="130.00")
    a.counterparty.address = Address(None, None, "Paris", "FR")
    fake_source.pages = [[a]]
    resync(incomplete, plugins)
    assert {f["field"] for f in fixes.list_fixes(incomplete, "src:1")} == {"counterparty.address.street", "lines[1].vat_code"}
    # the source now sends a street of its own: that fix gives way, the other stays
    a = make_doc("1", customer="acme", total="130.00")
    a.counterparty.address = Address("8 bd Haussmann", None, "Paris", "FR")
    fake_source.pages = [[a]]
    resync(incomplete, plugins)
    assert {f["field"] for f in fixes.list_fixes(incomplete, "src:1")} == {"lines[1].vat_code"}
    doc = review.get_document(incomplete, "src:1")
    assert doc["counterparty"]["street"] == "8 bd Haussmann"
    assert doc["history"][-1]["action"] == "fix_dropped"


def test_removing_a_fix_restores_the_source_value(incomplete):
    fixes.fix(incomplete, "src:1", "counterparty.name", "ACME SAS", actor="anne")
    assert review.get_document(incomplete, "src:2")["counterparty"]["name"] == "ACME SAS"
    fixes.fix(incomplete, "src:1", "counterparty.name", "", actor="anne")
    assert review.get_document(incomplete, "src:2")["counterparty"]["name"] == "Client acme"


def test_invalid_fixes_are_refused(incomplete):
    with pytest.raises(ReviewError, match="cannot be fixed"):
        fixes.fix(incomplete, "src:1", "total", "1", actor="a")
    with pytest.raises(ReviewError, match="alpha-2"):
        fixes.fix(incomplete, "src:1", "counterparty.address.country_alpha2", "France", actor="a")
    with incomplete.db.write() as con:
        con.execute("UPDATE documents SET status = 'sent' WHERE id = 'src:2'")
    with pytest.raises(ReviewError, match="sent cannot be changed"):
        fixes.fix(incomplete, "src:2", "counterparty.name", "X", actor="a")


def test_ledger_account_fix_goes_to_the_import(incomplete, plugins):
    fixes.fix(incomplete, "src:1", "counterparty.address.street", "1 rue A", actor="a")
    fixes.fix(incomplete, "src:1", "counterparty.address.postal_code", "75001", actor="a")
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", "706100", actor="a")
    review.approve_all_valid(incomplete, actor="a")
    result = send.dry_run(incomplete, ids=["src:1"])
    body = next(r.body for r in result.requests if r.path == "/customer_invoices/import")
    assert "ledger_account_id" in body["invoice_lines"][0]
    assert review.get_document(incomplete, "src:1")["lines"][0]["ledger_account"] == "706100"


def test_the_history_of_an_account_fix_says_which_account_it_replaces(incomplete):
    """Without a fix of its own a line goes to its code's (or a part's, or '*') mapping: the
    fix's history row keeps that account as the one before, not nothing."""
    from ecluse.services import mappings

    code = review.get_document(incomplete, "src:1")["lines"][0]["accounting_hint"]
    mappings.set_ledger_account(incomplete, code, "706200")
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", "706100", actor="a")
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", "706300", actor="a")
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", None, actor="a")
    with incomplete.db.read() as con:
        rows = con.execute("SELECT old_value, new_value FROM audit WHERE document_id = 'src:1' AND action = 'fix' "
                           "AND field = 'lines[1].ledger_account' ORDER BY id").fetchall()
    assert rows == [('"706200"', '"706100"'), ('"706100"', '"706300"'), ('"706300"', "null")]
    mappings.set_ledger_account(incomplete, code, None)  # nothing in force: nothing before
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", "706100", actor="a")
    with incomplete.db.read() as con:
        last = con.execute("SELECT old_value FROM audit WHERE document_id = 'src:1' AND action = 'fix' "
                           "ORDER BY id DESC LIMIT 1").fetchone()
    assert last == ("null",)


def test_an_account_given_as_a_number_is_stored_as_text_and_one_stored_as_a_number_still_loads(incomplete):
    """An account number is text: 706100 given as a number is fixed as "706100" (as Corriger
    checks it), and a fix stored as a JSON number (written by hand, by an older version) is
    read as that account instead of breaking the document's loading."""
    from ecluse.services.mappings import MappingError
    from ecluse.storage.documents import load_documents

    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", 706100, actor="a")
    [stored] = [f for f in fixes.list_fixes(incomplete, "src:1") if f["field"] == "lines[1].ledger_account"]
    assert stored["value"] == "706100"
    assert review.get_document(incomplete, "src:1")["lines"][0]["ledger_account"] == "706100"
    assert review.line_accounts(incomplete, "src:1")[0] == {"account": "706100", "source": "fixed", "via": None}
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", " 401 acme ", actor="a")  # as the mappings write it
    assert review.get_document(incomplete, "src:1")["lines"][0]["ledger_account"] == "401ACME"
    with pytest.raises(MappingError, match="not a ledger account number"):
        fixes.fix(incomplete, "src:1", "lines[1].ledger_account", 12.5, actor="a")
    with incomplete.db.write() as con:
        con.execute("UPDATE overrides SET value = '706200' WHERE document_id = 'src:1' AND field = 'lines[1].ledger_account'")
        doc = load_documents(con, ["src:1"])["src:1"]
    assert doc.lines[0].accounting_hint == "ledger:706200"
    assert review.line_accounts(incomplete, "src:1")[0]["account"] == "706200"


def test_a_vat_code_at_another_rate_than_the_line_is_an_error(workspace, plugins, fake_source, fake_connection):
    # A 19.6 % line (an old French rate): not a current rate, so an error the reviewer clears by
    # giving the code of that very rate; a code of another rate (Andorra's 1 %) does not clear it.
    fake_source.pages = [[make_doc("1", rate="19.6", total="119.60")]]
    sync(workspace, plugins)
    assert "unknown_vat_rate" in codes(workspace, "src:1")
    fixes.fix(workspace, "src:1", "lines[1].vat_code", "AD_10", actor="anne")
    assert codes(workspace, "src:1") >= {"vat_code_rate_mismatch"}
    assert review.get_document(workspace, "src:1")["error_count"] >= 1
    assert review.decide(workspace, "approve", ["src:1"], actor="anne").refused
    for code in ("intracom_21", "mixed"):  # no VAT on the document, or no rate said: still an error
        fixes.fix(workspace, "src:1", "lines[1].vat_code", code, actor="anne")
        assert codes(workspace, "src:1") & {"vat_code_rate_mismatch", "unknown_vat_rate"}
    fixes.fix(workspace, "src:1", "lines[1].vat_code", "FR_196", actor="anne")
    assert "vat_code_rate_mismatch" not in codes(workspace, "src:1")
    assert "unknown_vat_rate" not in codes(workspace, "src:1")
    assert review.decide(workspace, "approve", ["src:1"], actor="anne").done == ["src:1"]


def test_vat_codes_say_their_rate_french_ones_first():
    from decimal import Decimal as D

    from ecluse.pennylane import vat

    assert [vat.code_rate(c) for c in ("FR_200", "FR_09", "FR_1_05", "FR_196", "DE_190_BU0003", "exempt")] == [
        D(20), D("0.9"), D("1.05"), D("19.6"), D(19), D(0)]
    # exempt and reverse-charge codes: the document shows no VAT; `mixed` says no rate
    assert [vat.code_rate(c) for c in ("intracom_21", "FR_200_construction", "DE_exempt_BU0001")] == [0, 0, 0]
    assert vat.code_rate("mixed") is None
    assert all(vat.code_rate(c) is not None for c in vat.valid_codes() - {"mixed"})
    ordered = vat.ordered_codes()
    assert ordered[0].startswith("FR_") and sorted(ordered) == sorted(vat.valid_codes())
    assert ordered.index("FR_92") < ordered.index("AD_10") < ordered.index("exempt")



def test_a_due_date_fixed_here_is_validated_and_sent_until_the_source_changes_it(workspace, plugins, fake_source,
                                                                                fake_connection):
    import datetime as dt

    doc = make_doc("1", issue=dt.date(2026, 3, 2))
    doc.due_date = dt.date(2026, 2, 1)  # before the issue date: only the source could fix it before
    fake_source.pages = [[doc]]
    sync(workspace, plugins)
    assert "due_before_issue" in codes(workspace, "src:1")
    with pytest.raises(ReviewError, match="is not a date"):
        fixes.fix(workspace, "src:1", "due_date", "31 mars", actor="claire")
    fixes.fix(workspace, "src:1", "due_date", "01/04/2026", actor="claire")  # as a French reviewer types it
    assert "due_before_issue" not in codes(workspace, "src:1")
    assert review.get_document(workspace, "src:1")["due_date"] == dt.date(2026, 4, 1)
    review.approve_all_valid(workspace, actor="claire")
    body = next(r.body for r in send.dry_run(workspace, ids=["src:1"]).requests if r.path == "/customer_invoices/import")
    assert body["deadline"] == "2026-04-01"
    # the source changes its due date: its value wins again, the fix is dropped (audited)
    changed = make_doc("1", issue=dt.date(2026, 3, 2))
    changed.due_date = dt.date(2026, 5, 2)
    fake_source.pages = [[changed]]
    resync(workspace, plugins)
    assert review.get_document(workspace, "src:1")["due_date"] == dt.date(2026, 5, 2)
    assert not [f for f in review.get_document(workspace, "src:1")["fixes"] if f["field"] == "due_date"]


def test_one_missing_address_is_one_finding_that_blocks(workspace, plugins, fake_source, fake_connection):
    from ecluse.domain import Finding

    doc = make_doc("1")
    doc.counterparty.address = Address(None, None, None, None)
    doc.findings = [Finding("address_unparsed", "warning", "Harvest's address ('See the contract') lacks the street",
                            "counterparty.address", origin="connector")]
    fake_source.pages = [[doc]]
    sync(workspace, plugins)

    def address_findings():
        return sorted((f["code"], f["severity"]) for f in review.get_document(workspace, "src:1")["findings"]
                      if (f["field"] or "").startswith("counterparty.address"))

    # the connector's words stay, as the error validation would have raised
    assert address_findings() == [("address_unparsed", "error")]
    fixes.fix(workspace, "src:1", "counterparty.email", "a@b.fr", actor="claire")  # validated again
    assert address_findings() == [("address_unparsed", "error")]
    assert review.get_document(workspace, "src:1")["error_count"] >= 1
    fixes.fix(workspace, "src:1", "counterparty.address.street", "1 rue A", actor="claire")
    assert address_findings() == [("incomplete_address", "error")]  # the connector's is settled; what is left


def test_an_expense_account_given_to_a_sales_line_is_warned_about(incomplete):
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", "601000", actor="a")
    assert "account_class" in codes(incomplete, "src:1")
    fixes.fix(incomplete, "src:1", "lines[1].ledger_account", "706100", actor="a")
    assert "account_class" not in codes(incomplete, "src:1")
