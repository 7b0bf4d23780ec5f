"""Sending to the Pennylane emulator (real HTTP on 127.0.0.1, spec-validated requests)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from ecluse import i18n
from ecluse.connectors import Said
from ecluse.domain import CUSTOMER_CREDIT_NOTE, SUPPLIER_INVOICE, Address
from ecluse.services import review, send
from ecluse.services.pennylane_gateway import PennylaneGateway
from ecluse.services.sync import sync
from tests.conftest import make_doc
from tests.emulators.pennylane import PennylaneEmulator

TOKEN = "pl-SECRET-token-42"


@pytest.fixture
def emu():
    with PennylaneEmulator(token=TOKEN, rate_limit=(50, 1.0)) as e:
        yield e


@pytest.fixture
def approved(workspace, plugins, fake_source, fake_connection):
    docs = [make_doc(str(i), customer=f"c{i % 3}", total=f"{100 + i}.00", issue=dt.date(2026, 2, 1 + i)) for i in range(9)]
    fake_source.pages = [docs]
    sync(workspace, plugins)
    assert len(review.approve_all_valid(workspace, actor="anne").done) == 9
    return workspace


def gateway(emu, **options):
    return PennylaneGateway(emu.api_url, TOKEN, **options)


def states(ws):
    with ws.db.read() as con:
        return dict(con.execute("SELECT id, status FROM documents").fetchall())


def test_dry_run_builds_valid_requests_without_network_or_changes(approved):
    before = states(approved)
    result = send.dry_run(approved)
    summary = result.summary()
    assert summary["violations"] == 0 and summary["held"] == 0
    assert len(result.items) == 9
    paths = [r.path for r in result.requests]
    assert paths.count("/customer_invoices/import") == 9 and paths.count("/file_attachments") == 9
    assert paths.count("/company_customers") == 3  # one per distinct customer
    body = next(r.body for r in result.requests if r.path == "/customer_invoices/import")
    assert body["currency_amount"] == "100.00" and body["invoice_lines"][0]["vat_rate"] == "FR_200"
    assert states(approved) == before


def test_push_sends_every_approved_invoice_exactly_once(approved, emu):
    result = send.push(approved, gateway(emu), actor="anne")
    assert (result.status, result.count("sent"), result.count("failed")) == ("done", 9, 0)
    assert emu.violations == []
    invoices = emu.invoices("customer")
    assert len(invoices) == 9
    assert len({i["external_reference"] for i in invoices}) == 9
    assert len(emu.customers) == 3
    assert sorted(i["currency_amount"] for i in invoices)[0] == "100.00"
    with approved.db.read() as con:
        rows = con.execute("SELECT status, pennylane_id, pennylane_url FROM documents ORDER BY id").fetchall()
    assert all(s == "sent" and pid and url.startswith("http://127.0.0.1") for s, pid, url in rows)
    # cost: 1 customers directory page + 3 creations + 9 × (upload + import)
    assert emu.count("POST", r"/file_attachments") == 9
    assert len(emu.log) == 1 + 3 + 18
    # a second push finds nothing to send and creates nothing
    again = send.push(approved, gateway(emu), actor="anne")
    assert again.status == "nothing_to_send" and len(emu.invoices("customer")) == 9


def test_lost_response_on_import_does_not_duplicate(approved, emu):
    emu.inject("POST", r"/customer_invoices/import$", "drop_after", times=2)
    result = send.push(approved, gateway(emu, max_retries=2, backoff=0.01), actor="anne")
    assert result.count("sent") == 9
    refs = [i["external_reference"] for i in emu.invoices("customer")]
    assert len(refs) == 9 == len(set(refs))
    assert emu.violations == []


def test_server_errors_and_rate_limits_are_recovered(approved, emu):
    emu.inject("POST", r"/customer_invoices/import$", "500", times=1)
    emu.inject("POST", r"/file_attachments$", "503", times=1)
    emu.inject("POST", r"/customer_invoices/import$", "429", times=2, retry_after=1)
    result = send.push(approved, gateway(emu, max_retries=3, backoff=0.01), actor="anne")
    assert result.count("sent") == 9, result.summary()
    assert len(emu.invoices("customer")) == 9
    assert len({i["external_reference"] for i in emu.invoices("customer")}) == 9


def test_missing_data_holds_the_invoice_with_a_reason(workspace, plugins, fake_source, fake_connection, emu):
    doc = make_doc("1", customer="noaddr")
    doc.counterparty.address = Address(None, None, "Paris", "FR")
    fake_source.pages = [[doc, make_doc("2")]]
    sync(workspace, plugins)
    review.decide(workspace, "approve", ["src:1"], actor="a", force=True, reason="test")
    review.decide(workspace, "approve", ["src:2"], actor="a")
    result = send.push(workspace, gateway(emu), actor="anne")
    held = [i for i in result.items if i.state == "held"]
    assert [i.document_id for i in held] == ["src:1"]
    assert "billing address.street" in held[0].error and "billing address.postal code" in held[0].error
    doc = review.get_document(workspace, "src:1")
    assert doc["status"] == "on_hold" and "held before sending" in doc["status_reason"]
    assert len(emu.invoices("customer")) == 1


def test_bad_token_stops_the_batch_and_a_rerun_resumes_it(approved, emu):
    bad = PennylaneGateway(emu.api_url, "wrong-token-value")
    result = send.push(approved, bad, actor="anne")
    assert result.status == "interrupted"
    assert "ecluse pennylane set --token-env" in result.message and "wrong-token-value" not in result.message
    assert set(states(approved).values()) == {"in_batch"}
    resumed = send.push(approved, gateway(emu), actor="anne")
    assert resumed.batch_id == result.batch_id and resumed.count("sent") == 9
    assert len(emu.invoices("customer")) == 9


def test_one_batch_at_a_time(approved, emu):
    with send.send_lock(approved):
        with pytest.raises(send.BatchRunning, match="already being sent"):
            send.push(approved, gateway(emu), actor="anne")


def test_existing_counterparty_is_matched_not_created(approved, emu):
    emu.add_customer({"name": "Client c0", "billing_address": {"address": "x", "postal_code": "75001", "city": "Paris", "country_alpha2": "FR"}})
    send.push(approved, gateway(emu), actor="anne")
    assert len(emu.customers) == 3  # c0 matched by exact name, c1 and c2 created


def test_ledger_accounts_mapping_and_unknown_account(approved, emu):
    lines, docs = send.dry_run(approved).lines_without_account()  # the preview warns before the mapping
    assert lines >= docs == 9
    emu.add_ledger_account("706000", "Prestations de services")
    approved.set_mapping("ledger_accounts", "706", "706000")
    assert send.dry_run(approved).lines_without_account() == (0, 0)
    send.push(approved, gateway(emu), actor="anne")
    inv = emu.invoices("customer")[0]
    lines = emu.invoice_lines(inv["id"])
    assert lines[0]["ledger_account_id"] == next(iter(emu.ledger_accounts))


def test_a_mapped_ledger_account_missing_in_pennylane_holds_the_invoice(approved, emu):
    approved.set_mapping("ledger_accounts", "706", "706999")
    result = send.push(approved, gateway(emu), actor="anne")
    assert result.count("held") == 9
    assert "ledger account 706999" in result.items[0].error
    assert emu.invoices("customer") == []


def test_a_fixed_account_missing_in_pennylane_holds_the_invoice_said_as_a_fix(workspace, plugins, fake_source,
                                                                              fake_connection, emu):
    """A reviewer's account (Corriger) that Pennylane's chart lacks is said as the fix of those
    lines, not as a mapping, and never with the cache's internal code."""
    from ecluse.domain import Line
    from ecluse.services import batches, fixes

    two = make_doc("2", number="F-2")
    two.lines = [two.lines[0], Line("Frais", D(1), D(0), D(0), D(0), D(0), D(20), "706")]
    # Three totals: the same one on one day would make them suspected duplicates (held).
    fake_source.pages = [[make_doc("1", number="F-1", total="110.00"), two, make_doc("3", number="F-3", total="130.00")]]
    sync(workspace, plugins)
    emu.add_ledger_account("706000", "Prestations de services")
    workspace.set_mapping("ledger_accounts", "706", "706000")
    fixes.fix(workspace, "src:1", "lines[1].ledger_account", "706300", actor="anne")  # not in Pennylane's chart
    fixes.fix(workspace, "src:2", "lines[1].ledger_account", "706300", actor="anne")
    fixes.fix(workspace, "src:2", "lines[2].ledger_account", "706300", actor="anne")
    review.decide(workspace, "approve", ["src:1", "src:2", "src:3"], actor="anne")
    result = send.push(workspace, gateway(emu), actor="anne")
    assert {i.document_id: i.state for i in result.items} == {"src:1": "held", "src:2": "held", "src:3": "sent"}
    items = {i["document_id"]: i for i in batches.batch_items(workspace, result.batch_id)}
    said = {doc_id: {lang: i18n.said_or(items[doc_id]["message"], items[doc_id]["said"], lang) for lang in ("fr", "en")}
            for doc_id in ("src:1", "src:2")}
    assert said["src:1"] == {
        "fr": "envoi bloqué : document F-1 : il manque : compte comptable 706300 "
              "(corrigé sur la ligne 1 mais absent du plan comptable de Pennylane)",
        "en": "held before sending: document F-1: missing ledger account 706300 "
              "(fixed on line 1 but not found in Pennylane's chart of accounts)"}
    assert said["src:2"]["fr"].endswith("(corrigé sur les lignes 1, 2 mais absent du plan comptable de Pennylane)")
    assert said["src:2"]["en"].endswith("(fixed on lines 1, 2 but not found in Pennylane's chart of accounts)")
    assert items["src:1"]["message"] == said["src:1"]["en"]
    entry = [h for h in review.get_document(workspace, "src:1")["history"] if h["action"] == "held_before_send"][-1]
    assert i18n.said_or(entry["reason"], entry["reason_said"], "fr") == said["src:1"]["fr"]
    assert not any("ledger:" in text or "associé" in text for texts in said.values() for text in texts.values())


def test_credit_note_is_linked_to_the_credited_invoice(workspace, plugins, fake_source, fake_connection, emu):
    invoice = make_doc("inv", total="120.00")
    credit = make_doc("cn", total="-60.00", kind=CUSTOMER_CREDIT_NOTE, credited_source_id="inv", number="AV-1")
    fake_source.pages = [[invoice, credit]]
    sync(workspace, plugins)
    review.approve_all_valid(workspace, actor="a")
    result = send.push(workspace, gateway(emu), actor="anne")
    assert result.count("sent") == 2, result.summary()
    cn = [i for i in emu.invoices("customer") if i["invoice_number"] == "AV-1"][0]
    assert cn["currency_amount"] == "-60.00"
    assert cn.get("credited_invoice") is not None


def test_confirmation_flags_mismatches_and_deletions(approved, emu):
    from ecluse.pennylane.client import PennylaneClient
    from ecluse.services import confirm

    send.push(approved, gateway(emu), actor="anne")
    stored = sorted(emu.invoices("customer"), key=lambda i: i["id"])
    with emu._lock:  # someone edits one invoice and deletes another in Pennylane
        emu._invoices["customer"][stored[0]["id"]]["currency_amount"] = "999.00"
        del emu._invoices["customer"][stored[1]["id"]]
    client = PennylaneClient(emu.api_url, TOKEN)
    result = confirm.confirm(approved, client)
    assert result.counts == {"confirmed": 7, "amount_mismatch": 1, "missing": 1}
    assert result.requests == 1  # one page lists them all
    with approved.db.read() as con:
        rows = dict(con.execute("SELECT status, count(*) FROM confirmations GROUP BY 1").fetchall())
    assert rows == {"confirmed": 7, "amount_mismatch": 1, "missing": 1}


def test_category_by_side_sales_and_purchases_of_one_connection(workspace, plugins, fake_source, fake_connection, emu):
    from ecluse.services import mappings

    fake_source.pages = [[make_doc("1", customer="c0", issue=dt.date(2026, 2, 1)),
                          make_doc("2", customer="s1", issue=dt.date(2026, 2, 2), kind=SUPPLIER_INVOICE)]]
    sync(workspace, plugins)
    assert mappings.apply(workspace, "categories", {"src:sales": "Ventes", "src:purchases": "Achats"}) == {}
    assert len(review.approve_all_valid(workspace, actor="anne").done) == 2
    ventes, achats = emu.add_category("Ventes"), emu.add_category("Achats")
    result = send.push(workspace, gateway(emu), actor="anne")
    assert result.count("sent") == 2 and emu.violations == []
    [sale], [purchase] = emu.invoices("customer"), emu.invoices("supplier")
    assert [c["id"] for c in emu._invoice_categories[sale["id"]]] == [ventes["id"]]
    assert [c["id"] for c in emu._invoice_categories[purchase["id"]]] == [achats["id"]]


def test_category_a_reviewers_fix_wins_over_the_connections_default(workspace, plugins, fake_source, fake_connection, emu):
    from ecluse.services import fixes, mappings

    fake_source.pages = [[make_doc(str(i), customer="c0", issue=dt.date(2026, 2, 1 + i)) for i in range(3)]]
    sync(workspace, plugins)
    mappings.set_category(workspace, "src", "Ventes")
    fixes.fix(workspace, "src:1", "category", "Export", actor="anne")
    fixes.fix(workspace, "src:2", "category", "Inconnue", actor="anne")
    assert len(review.approve_all_valid(workspace, actor="anne").done) == 3
    ventes, export = emu.add_category("Ventes"), emu.add_category("Export")
    result = send.push(workspace, gateway(emu), actor="anne")
    assert result.count("sent") == 3 and emu.violations == []
    by_number = {i["invoice_number"]: i["id"] for i in emu.invoices("customer")}
    got = {n: [c["id"] for c in emu._invoice_categories.get(pid, [])] for n, pid in by_number.items()}
    assert got == {"F-0": [ventes["id"]], "F-1": [export["id"]], "F-2": []}
    warning = {i.document_id: i.warning for i in result.items}["src:2"]
    assert "'Inconnue' does not exist in Pennylane" in warning


def test_a_category_label_two_pennylane_groups_share_is_not_guessed(workspace, plugins, fake_source, fake_connection,
                                                                     emu):
    """The mapping names a label; two categories of Pennylane (in two groups) have it: the
    invoice goes without a category and says why, rather than into one group's by chance."""
    from ecluse import i18n
    from ecluse.services import mappings

    fake_source.pages = [[make_doc("1", customer="c0", issue=dt.date(2026, 2, 1))]]
    sync(workspace, plugins)
    mappings.set_category(workspace, "src", "Autres")
    a, b = emu.add_category_group("Axe A"), emu.add_category_group("Axe B")
    emu.add_category("Autres", group_id=a["id"])
    emu.add_category("Autres", group_id=b["id"])
    assert len(review.approve_all_valid(workspace, actor="anne").done) == 1
    result = send.push(workspace, gateway(emu), actor="anne")
    assert result.count("sent") == 1 and emu.violations == []
    [sale] = emu.invoices("customer")
    assert emu._invoice_categories.get(sale["id"], []) == []
    [item] = result.items
    assert item.warning == "category 'Autres' is the label of several Pennylane categories; none was set"
    assert i18n.said_or(None, item.said, "fr") == (
        "plusieurs catégories de Pennylane s'appellent «\u00a0Autres\u00a0» : aucune n'a été donnée à la facture")


def test_each_failure_of_a_call_is_said_as_what_it_is():
    from ecluse.http import HttpError, TransportError

    said = send.failure_said
    assert said(HttpError("x", status=503))["code"] == "send.server_error"
    assert said(HttpError("x", status=429))["code"] == "send.rate_limited"
    assert said(HttpError("x", status=401))["code"] == "send.unauthorized"
    refused = said(HttpError("x", status=422, body='{"error": "invoice_number already used"}'))
    assert refused == {"code": "send.refused",
                       "params": {"status": 422, "detail": '{"error": "invoice_number already used"}'}}
    lost = said(TransportError("x", cause="refused", attempts=3))
    assert lost["code"] == "send.unreachable"
    assert i18n.said_text(Said(lost["code"], lost["params"]), "fr").startswith(
        "Pennylane injoignable : connexion refusée ou serveur introuvable (3 essais)")


def test_the_selection_gives_the_amount_a_send_takes(workspace, plugins, fake_source, fake_connection):
    from ecluse.services import batches

    waiting = make_doc("3", total="999.99", issue=dt.date(2026, 2, 3))
    waiting.attachment, waiting.attachment_pending = None, True  # its PDF comes later
    fake_source.pages = [[make_doc("1", total="120.00"), make_doc("2", total="-24.00", issue=dt.date(2026, 2, 2),
                                                                   kind=CUSTOMER_CREDIT_NOTE), waiting]]
    sync(workspace, plugins)
    review.decide(workspace, "approve", [f"src:{i}" for i in "123"], actor="anne", force=True, reason="vu")
    summary = batches.selection_summary(workspace)
    assert (summary["approved"], summary["ready"], summary["waiting_for_pdf"]) == (3, 2, 1)
    assert summary["totals"] == {"EUR": D("1095.99")} and summary["ready_totals"] == {"EUR": D("96.00")}


def test_the_tokens_company_or_why_it_is_unknown(workspace, emu, monkeypatch):
    """What the send's confirmation names (GET /me): the company, or why it cannot; each
    destination (API URL and token) by a digest that never shows the token."""
    monkeypatch.delenv("ECLUSE_TEST_PL", raising=False)
    workspace.set_pennylane(api_url=emu.api_url, token="env:ECLUSE_TEST_PL", dry_run=False)
    unset = send.check_pennylane(workspace)
    assert send.destination_key(workspace) is None and not unset["ok"]
    assert i18n.said_or(unset["message"], unset["said"], "fr") == (
        "la variable d'environnement `ECLUSE_TEST_PL`, qui doit contenir le jeton, n'est pas définie pour la console.")
    assert emu.log == []
    monkeypatch.setenv("ECLUSE_TEST_PL", TOKEN)
    found = send.check_pennylane(workspace)
    assert found["ok"] and found["company"]["name"] == "Atelier Démo SAS"
    key = send.destination_key(workspace)
    assert key == send.destination_key(workspace) and TOKEN not in key
    assert emu.count("GET", r"^/me$") == 1 and emu.violations == []
    monkeypatch.setenv("ECLUSE_TEST_PL", "pl-wrong-SECRET-0000")
    refused = send.check_pennylane(workspace)
    assert send.destination_key(workspace) not in (None, key)
    assert refused["said"] == {"code": "send.unauthorized", "params": {"status": 401}}
    assert "pl-wrong-SECRET-0000" not in json.dumps(refused)
    monkeypatch.setenv("ECLUSE_TEST_PL", TOKEN)
    workspace.set_pennylane(api_url=emu.url + "/api/external/v3")  # a wrong API URL
    assert send.destination_key(workspace) not in (None, key)
    wrong = send.check_pennylane(workspace)
    assert wrong["said"]["code"] == "pennylane.failed" and wrong["said"]["params"]["status"] == 404
    assert i18n.said_or(wrong["message"], wrong["said"], "fr").startswith(
        "Pennylane a répondu par une erreur (HTTP 404) : ")
    assert i18n.said_or(wrong["message"], wrong["said"], "en").startswith(
        "Pennylane answered with an error (HTTP 404): ")


def test_the_history_gives_each_batchs_amount_and_what_was_sent(workspace, plugins, fake_source, fake_connection,
                                                                 emu):
    from ecluse.services import batches

    noaddr = make_doc("3", total="50.00", customer="noaddr", issue=dt.date(2026, 2, 3))
    noaddr.counterparty.address = Address(None, None, "Paris", "FR")  # held before sending
    fake_source.pages = [[
        make_doc("1", total="120.00", issue=dt.date(2026, 2, 1)),
        make_doc("2", total="-24.00", kind=CUSTOMER_CREDIT_NOTE, credited_source_id="1", number="AV-2",
                 issue=dt.date(2026, 2, 2)),
        noaddr,
        make_doc("4", total="30.10", currency="USD", issue=dt.date(2026, 2, 4)),
    ]]
    sync(workspace, plugins)
    review.decide(workspace, "approve", [f"src:{i}" for i in "1234"], actor="anne", force=True, reason="vu")
    send.dry_run(workspace)  # not in the history
    result = send.push(workspace, gateway(emu), actor="anne")
    assert (result.count("sent"), result.count("held")) == (3, 1)
    [batch] = batches.batch_history(workspace)
    assert batch["totals"] == {"EUR": D("146.00"), "USD": D("30.10")}
    assert batch["sent_totals"] == {"EUR": D("96.00"), "USD": D("30.10")}
    assert all(type(v) is D for v in (*batch["totals"].values(), *batch["sent_totals"].values()))
    # A second batch: its amounts are its own.
    fake_source.pages.append([make_doc("5", total="75.50", issue=dt.date(2026, 2, 5))])
    sync(workspace, plugins)
    review.decide(workspace, "approve", ["src:5"], actor="anne")
    assert send.push(workspace, gateway(emu), actor="anne").count("sent") == 1
    second, first = batches.batch_history(workspace)
    assert second["totals"] == second["sent_totals"] == {"EUR": D("75.50")}
    assert first["sent_totals"] == {"EUR": D("96.00"), "USD": D("30.10")}


# -- what was sent stays what was sent -------------------------------------------------------
def _resync(ws, plugins, fake_source, docs):
    """The source gives `docs` again, changed: a full read."""
    fake_source.pages = [docs]
    with ws.db.write() as con:
        con.execute("DELETE FROM sync_state")
    [report] = sync(ws, plugins)
    return report


def _items(ws):
    with ws.db.read() as con:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT document_id, state, sent_amount, sent_currency FROM batch_items ORDER BY batch_id").fetchall()}


def test_a_change_at_the_source_after_sending_leaves_what_was_sent(workspace, plugins, fake_source, fake_connection,
                                                                   emu):
    from ecluse.pennylane.client import PennylaneClient
    from ecluse.services import batches, confirm, reconcile

    fake_source.pages = [[make_doc("1", total="100.00")]]
    sync(workspace, plugins)
    review.approve_all_valid(workspace, actor="anne")
    assert send.push(workspace, gateway(emu), actor="anne").count("sent") == 1
    assert _items(workspace) == {"src:1": ("sent", D("100.00"), "EUR")}
    # The source changes the invoice: it keeps 'sent', flagged; Pennylane still holds 100.00.
    assert _resync(workspace, plugins, fake_source, [make_doc("1", total="250.00")]).changed_after_sending == 1
    doc = review.get_document(workspace, "src:1")
    assert (doc["status"], doc["changed_after_sending"], doc["total"]) == ("sent", True, D("250.00"))
    assert [i["currency_amount"] for i in emu.invoices("customer")] == ["100.00"]
    [batch] = batches.batch_history(workspace)
    assert batch["sent_totals"] == batch["totals"] == {"EUR": D("100.00")}
    [item] = batches.batch_items(workspace, batch["id"])  # the batch's table agrees with its totals
    assert (item["total"], item["currency"]) == (D("100.00"), "EUR")
    with workspace.db.read() as con:
        assert con.execute("SELECT sent_amount, sent_currency FROM reports.batch_items").fetchall() == [
            (D("100.00"), "EUR")]
    [month] = reconcile.pennylane_totals(workspace, side="sales")
    assert (month["sent_total"], month["unchecked_total"]) == (D("100.00"), D("100.00"))
    [row], _n = reconcile.confirmations_for(workspace, side="sales")
    assert (row["expected_amount"], row["currency"]) == (D("100.00"), "EUR")
    # A check compares Pennylane with what was sent: it matches.
    assert confirm.confirm(workspace, PennylaneClient(emu.api_url, TOKEN)).counts == {"confirmed": 1}
    [month] = reconcile.pennylane_totals(workspace, side="sales")
    assert (month["sent_total"], month["source_total"], month["pennylane_total"], month["mismatches"]) == (
        D("100.00"), D("100.00"), D("100.00"), 0)


def test_a_credit_notes_sent_amount_is_negative_and_a_failed_item_has_none(workspace, plugins, fake_source,
                                                                          fake_connection, emu):
    from ecluse.services import batches, reconcile

    # The source gives the credit note positive: the import makes it negative.
    credit = make_doc("2", total="60.00", kind=CUSTOMER_CREDIT_NOTE, number="AV-2")
    fake_source.pages = [[make_doc("1", total="100.00"), credit]]
    sync(workspace, plugins)
    review.approve_all_valid(workspace, actor="anne")
    assert send.push(workspace, gateway(emu), actor="anne").count("sent") == 2
    assert [i["currency_amount"] for i in emu.invoices("customer") if i["invoice_number"] == "AV-2"] == ["-60.00"]
    assert _items(workspace)["src:2"] == ("sent", D("-60.00"), "EUR")
    _resync(workspace, plugins, fake_source, [make_doc("1", total="100.00"),
                                              make_doc("2", total="80.00", kind=CUSTOMER_CREDIT_NOTE, number="AV-2")])
    assert review.get_document(workspace, "src:2")["total"] == D("80.00")
    assert batches.batch_history(workspace)[0]["sent_totals"] == {"EUR": D("40.00")}
    assert reconcile.pennylane_totals(workspace, side="sales")[0]["sent_total"] == D("40.00")
    # An import that fails for good: the amount written before it is not kept.
    _resync(workspace, plugins, fake_source, [make_doc("3", total="70.00")])
    review.decide(workspace, "approve", ["src:3"], actor="anne")
    emu.inject("POST", r"/customer_invoices/import$", "500", times=10)
    assert send.push(workspace, gateway(emu, max_retries=1, backoff=0.01), actor="anne").count("failed") == 1
    assert _items(workspace)["src:3"] == ("failed", None, None)
    assert batches.batch_history(workspace)[0]["sent_totals"] == {"EUR": D("0")}


def test_items_sent_before_the_amount_was_recorded_count_the_current_total(workspace, plugins, fake_source,
                                                                          fake_connection, emu):
    from ecluse.services import batches, reconcile

    fake_source.pages = [[make_doc("1", total="100.00"),
                          make_doc("2", total="-60.00", kind=CUSTOMER_CREDIT_NOTE, number="AV-2")]]
    sync(workspace, plugins)
    review.approve_all_valid(workspace, actor="anne")
    assert send.push(workspace, gateway(emu), actor="anne").count("sent") == 2
    with workspace.db.write() as con:  # as migration 17 leaves the items sent before it
        con.execute("UPDATE batch_items SET sent_amount = NULL, sent_currency = NULL")
        (column,) = con.execute("SELECT data_type FROM information_schema.columns "
                                "WHERE table_name = 'batch_items' AND column_name = 'sent_amount'").fetchone()
    assert column == "DECIMAL(18,2)"
    _resync(workspace, plugins, fake_source, [make_doc("1", total="250.00"),
                                              make_doc("2", total="80.00", kind=CUSTOMER_CREDIT_NOTE, number="AV-2")])
    # Nothing else to go by: the current totals, a credit note negative as the import makes it.
    assert batches.batch_history(workspace)[0]["sent_totals"] == {"EUR": D("170.00")}
    assert reconcile.pennylane_totals(workspace, side="sales")[0]["sent_total"] == D("170.00")


# -- the document's history ------------------------------------------------------------------
def _audit(ws, action):
    with ws.db.read() as con:
        return con.execute("SELECT document_id, actor, new_value, reason_said FROM audit WHERE action = ? "
                           "ORDER BY document_id", [action]).fetchall()


def test_the_history_signs_each_documents_send_with_who_asked_for_it(workspace, plugins, fake_source,
                                                                     fake_connection, emu):
    noaddr = make_doc("3", customer="noaddr")
    noaddr.counterparty.address = Address(None, None, "Paris", "FR")  # held before sending
    fake_source.pages = [[make_doc("1"), make_doc("2", customer="c2"), noaddr]]
    sync(workspace, plugins)
    review.decide(workspace, "approve", ["src:1", "src:2", "src:3"], actor="anne", force=True, reason="vu")
    # src:2's import fails for good (HTTP 500, asked again once, 500 again)
    emu.inject("POST", r"/customer_invoices/import$", "500", times=2)
    result = send.push(workspace, gateway(emu, max_retries=0, backoff=0.01), ids=["src:3", "src:2"],
                       actor="Claire Martin")
    assert {i.document_id: i.state for i in result.items} == {"src:2": "failed", "src:3": "held"}
    assert send.push(workspace, gateway(emu), actor="Bruno").count("sent") == 1  # src:1, a batch of Bruno's
    assert [(d, a, json.loads(v)) for d, a, v, _ in _audit(workspace, "in_batch")] == [
        ("src:1", "Bruno", 2), ("src:2", "Claire Martin", 1), ("src:3", "Claire Martin", 1)]
    [(doc, actor, pennylane_id, said)] = _audit(workspace, "sent")
    assert (doc, actor, json.loads(pennylane_id)) == ("src:1", "Bruno", emu.invoices("customer")[0]["id"])
    [(doc, actor, _v, said)] = _audit(workspace, "send_failed")
    assert (doc, actor) == ("src:2", "Claire Martin")
    # the failure as the Send page says it, for the history to say it in French too
    assert json.loads(said) == {"code": "send.server_error", "params": {"status": 500}}
    assert i18n.said_or("HTTP 500", said, "fr").startswith("Erreur du serveur de Pennylane (HTTP 500)")
    assert [(d, a) for d, a, _v, _s in _audit(workspace, "held_before_send")] == [("src:3", "Claire Martin")]
    # Only what the core does by itself is Écluse's: a sync, not a send.
    with workspace.db.read() as con:
        assert con.execute("SELECT DISTINCT action FROM audit WHERE actor = 'ecluse'").fetchall() == [("fetched",)]
    # Retried: the status change is recorded, failed → approved, by who asked.
    assert send.retry_failed(workspace, ["src:2"], actor="Claire Martin") == 1
    last = review.get_document(workspace, "src:2")["history"][-1]
    assert (last["action"], last["actor"], last["old_value"], last["new_value"]) == (
        "retry", "Claire Martin", '"failed"', '"approved"')


def _items_said(ws):
    with ws.db.read() as con:
        return {d: (e, s) for d, e, s in con.execute("SELECT document_id, error, error_said FROM batch_items").fetchall()}


def test_a_held_invoice_and_a_sent_ones_warnings_are_said_in_french(workspace, plugins, fake_source,
                                                                    fake_connection, emu):
    from ecluse.services import mappings

    nopdf = make_doc("1", number="F-1")
    nopdf.attachment = None  # Pennylane's import needs a file
    unmapped = make_doc("2", number="F-2", rate="7", total="107.00")  # no Pennylane VAT code for 7 %
    credit = make_doc("cn", total="-60.00", kind=CUSTOMER_CREDIT_NOTE, credited_source_id="inv", number="AV-1")
    fake_source.pages = [[nopdf, unmapped, credit, make_doc("inv", total="130.00")]]  # the credited invoice stays unsent
    sync(workspace, plugins)
    mappings.set_category(workspace, "src", "Inconnue")  # missing in Pennylane: a second warning
    review.decide(workspace, "approve", ["src:1", "src:2", "src:cn"], actor="anne", force=True, reason="vu")
    result = send.push(workspace, gateway(emu), ids=["src:1", "src:2", "src:cn"], actor="anne")
    assert {i.document_id: i.state for i in result.items} == {"src:1": "held", "src:2": "held", "src:cn": "sent"}
    items = _items_said(workspace)
    # The English is the text stored beside, as before; the French said from the stored Said.
    for error, said in items.values():
        assert i18n.said_or(None, said, "en") == error
    assert i18n.said_or(*items["src:1"], "fr") == (
        "envoi bloqué : document F-1 : il manque : PDF (l'import de Pennylane demande un fichier)")
    assert i18n.said_or(*items["src:2"], "fr").startswith(
        "envoi bloqué : facture client F-2, ligne 1 : aucun code de TVA Pennylane pour 7 % (taux associés : 0 %, ")
    assert items["src:cn"][0] == ("category 'Inconnue' does not exist in Pennylane; "
                                  "the credited invoice is not in Pennylane yet; link the credit note by hand")
    assert i18n.said_or(*items["src:cn"], "fr") == (
        "la catégorie «\u00a0Inconnue\u00a0» n'existe pas dans Pennylane ; la facture que l'avoir annule n'est pas encore "
        "dans Pennylane ; reliez-les à la main dans Pennylane")
    # The history and the status reason (its history entry's) say the same.
    held = {d: s for d, _a, _v, s in _audit(workspace, "held_before_send")}
    assert held["src:1"] == items["src:1"][1]
    [(_d, _a, _v, sent_said)] = _audit(workspace, "sent")
    assert sent_said == items["src:cn"][1]
    doc = review.get_document(workspace, "src:1")
    entry = [h for h in doc["history"] if h["reason"] == doc["status_reason"]][-1]
    assert i18n.said_or(entry["reason"], entry["reason_said"], "fr").startswith("envoi bloqué : document F-1")


def _refusal(build, *args, **kwargs):
    """What a builder raises for this input (the reason at its origin)."""
    from ecluse.pennylane import requests_builder as rb
    from ecluse.pennylane.vat import VatMappingError

    with pytest.raises((rb.BuildError, VatMappingError)) as caught:
        build(*args, **kwargs)
    return caught.value


def test_every_reason_to_hold_and_warning_keeps_its_english_and_says_it_in_french():
    from ecluse.domain import Counterparty, Line
    from ecluse.http import HttpError
    from ecluse.pennylane import requests_builder as rb
    from ecluse.pennylane.vat import VatMapper

    def body(doc, **options):
        return rb.customer_invoice_import_body(doc, customer_id=1, file_attachment_id=2, external_reference="r",
                                               **options)

    def line(rate, code=None):
        return make_doc("1", lines=[Line("x", D(1), D(100), D(100), D(7), D(107), rate, vat_code=code)],
                        total_before_tax=D(100), total_tax=D(7), total=D(107))

    def totals(doc, *, before, tax, total):
        doc.total_before_tax, doc.total_tax, doc.total = D(before), D(tax), D(total)
        return doc

    doc = {"kind": "document", "ref": "F-1"}
    acme = Counterparty("c1", "Acme", address=Address("1 rue A", None, "Paris", "FRA"))
    reasons = [
        rb.MissingData(doc, ["pdf"], "pdf_pending"),
        rb.MissingData(doc, ["counterparty"]),
        _refusal(rb.company_customer_body, acme, "r"),
        rb.MissingData(doc, [("ledger_account", {"number": "706999"})], ("ledger_unknown", {"hint": "'706'"})),
        _refusal(body, make_doc("1", issue_date=None, lines=[])),
        _refusal(body, make_doc("1", currency="XYZ")),
        _refusal(body, make_doc("1", total="121.00", total_before_tax=D("100.00"), total_tax=D("20.00"))),
        _refusal(body, make_doc("1", total_before_tax=D("101.00"), total_tax=D("20.00"), total=D("121.00"))),
        _refusal(body, totals(make_doc("1"), before="130.00", tax="20.00", total="150.00")),  # lines: 120.00
        _refusal(body, line(D(7)), vat_overrides=VatMapper({})),
        _refusal(body, line(None)),
        _refusal(body, line(None, "BAD")),
        _refusal(rb.supplier_body, Counterparty("s1", ""), "r"),
        _refusal(rb.individual_customer_body, Counterparty("c2", "Madonna", is_individual=True), "r"),
        _refusal(rb.json_quantity, D("1.00000000000000000001")),
    ]
    french = []
    for exc in reasons:
        said = send.held_said(exc)
        assert said["code"] != "send.held", exc  # each one its own sentence, from the Said it was raised with
        assert i18n.said_or(None, said, "en") == f"held before sending: {exc}"
        french.append(i18n.said_or(None, said, "fr"))
    assert french[0] == "envoi bloqué : document F-1 : il manque : PDF (le PDF n'est pas encore arrivé)"
    assert french[2] == ("envoi bloqué : client «\u00a0Acme\u00a0» : il manque : adresse de facturation "
                         "(code postal), adresse de facturation (pays, code ISO à deux lettres, reçu «\u00a0FRA\u00a0») "
                         "(Pennylane les exige pour créer un client entreprise)")
    assert french[3] == ("envoi bloqué : document F-1 : il manque : compte comptable 706999 (associé à "
                         "«\u00a0706\u00a0» mais absent du plan comptable de Pennylane)")
    assert french[4] == ("envoi bloqué : facture client F-1 : il manque : date d'émission, lignes "
                         "(Pennylane exige une date et au moins une ligne)")
    assert french[5] == "envoi bloqué : facture client F-1 : Pennylane n'accepte pas la devise «\u00a0XYZ\u00a0»"
    assert french[6] == "envoi bloqué : facture client F-1 : total HT 100,00 + TVA 20,00 ≠ total TTC 121,00"
    assert french[7] == ("envoi bloqué : facture client F-1 : la TVA des lignes totalise 20,17, le total de "
                         "TVA est 20,00")
    assert french[8].startswith("envoi bloqué : facture client F-1 : les lignes totalisent 120,00, le total "
                                "TTC est 150,00")
    assert french[9].startswith("envoi bloqué : facture client F-1, ligne 1 : aucun code de TVA Pennylane "
                                "pour 7 % (taux associés : 0 %, 2,1 %, 5,5 %, 8,5 %, 10 %, 20 %)")
    assert french[10] == ("envoi bloqué : facture client F-1, ligne 1 : taux de TVA inconnu ; "
                         "indiquez-le pendant la revue")
    assert "le code de TVA «\u00a0BAD\u00a0» donné par la source" in french[11]
    assert french[12] == "envoi bloqué : fournisseur «\u00a0s1\u00a0» : il manque : nom"
    assert french[13].startswith("envoi bloqué : client «\u00a0Madonna\u00a0» : il manque : prénom, "
                                 "adresse de facturation (rue)")
    assert french[14].startswith("envoi bloqué : la quantité 1,00000000000000000001 a trop de décimales")
    # A refusal the console has no sentence for: said as its English text, after a French start.
    odd = send.held_said(rb.BuildError("something new"))
    assert i18n.said_or(None, odd, "fr") == "envoi bloqué : something new"
    # A credit note's reason reads right too: "envoi bloqué", never "bloquée" before an "avoir".
    note = send.held_said(rb.MissingData({"kind": "customer_credit_note", "ref": "A-1"}, ["pdf"], "pdf_pending"))
    assert i18n.said_or(None, note, "fr") == "envoi bloqué : avoir client A-1 : il manque : PDF (le PDF n'est pas encore arrivé)"
    assert i18n.said_or(None, note, "en").startswith("held before sending: customer credit note A-1: missing")
    assert not [k for k, v in i18n.MESSAGES.items() if k.startswith("said.send.held") and "bloquée" in v["fr"]]
    # A call after the import that failed: the invoice is in, Pennylane's answer said as the Send page says it.
    # (a body no earlier test used as a token: the process's redaction would mask it)
    after = send.import_warning_said(HttpError("PUT /customer_invoices/1/categories: HTTP 422", status=422,
                                               body="unknown category label"))
    assert i18n.said_or(None, after, "en") == "imported, but: PUT /customer_invoices/1/categories: HTTP 422"
    assert i18n.said_or(None, after, "fr") == ("importée, mais : Pennylane a répondu par une erreur (HTTP 422) : "
                                               "unknown category label")


def test_a_reworded_english_reason_is_still_said_in_french(workspace, plugins, fake_source, fake_connection, emu,
                                                           monkeypatch):
    """The French comes from the reason's codes, not from matching its English: English worded
    otherwise (which no table of English wordings knew) still reads in French."""
    from ecluse.services import mappings

    monkeypatch.setitem(i18n.MESSAGES, "send.why.file_needed", {
        "fr": i18n.MESSAGES["send.why.file_needed"]["fr"], "en": "Pennylane only imports an invoice with its file"})
    monkeypatch.setitem(i18n.MESSAGES, "send.subject.document", {"fr": "document {ref}", "en": "doc. {ref}"})
    nopdf = make_doc("1", number="F-1")
    nopdf.attachment = None
    fake_source.pages = [[nopdf, make_doc("2", number="F-2", total="130.00")]]
    sync(workspace, plugins)
    mappings.set_category(workspace, "src", "Ventes 2026")  # missing in Pennylane: a warning
    review.decide(workspace, "approve", ["src:1", "src:2"], actor="anne", force=True, reason="vu")
    result = send.push(workspace, gateway(emu), ids=["src:1", "src:2"], actor="anne")
    assert {i.document_id: i.state for i in result.items} == {"src:1": "held", "src:2": "sent"}
    items = _items_said(workspace)
    held_error, held_said = items["src:1"]
    assert held_error == "held before sending: doc. F-1: missing PDF (Pennylane only imports an invoice with its file)"
    assert i18n.said_or(None, held_said, "en") == held_error
    assert i18n.said_or(held_error, held_said, "fr") == (
        "envoi bloqué : document F-1 : il manque : PDF (l'import de Pennylane demande un fichier)")
    warning, warning_said = items["src:2"]
    assert warning == "category 'Ventes 2026' does not exist in Pennylane"
    assert i18n.said_or(None, warning_said, "en") == warning
    assert i18n.said_or(warning, warning_said, "fr") == "la catégorie «\u00a0Ventes 2026\u00a0» n'existe pas dans Pennylane"


def test_reasons_stored_by_older_versions_still_read(workspace, plugins, fake_source, fake_connection, emu):
    """A held item written before reasons had a Said reads as its English text; one written with the
    Said the previous version made (its values said per language) reads in French as it did."""
    from ecluse.services import batches

    fake_source.pages = [[make_doc("1", number="F-1"), make_doc("2", number="F-2", total="130.00")]]
    sync(workspace, plugins)
    workspace.set_mapping("ledger_accounts", "706", "706999")  # not in Pennylane's chart: both held
    review.decide(workspace, "approve", ["src:1", "src:2"], actor="anne")
    result = send.push(workspace, gateway(emu), actor="anne")
    assert result.count("held") == 2
    before_said = json.dumps({"code": "send.held_missing", "params": {
        "subject": {"fr": "document F-2", "en": "document F-2"},
        "missing": {"fr": "compte comptable 706999", "en": "ledger account 706999"},
        "why": {"fr": " (associé à «\u00a0706\u00a0» mais absent du plan comptable de Pennylane)",
                "en": " (mapped from '706' but not found in Pennylane's chart of accounts)"}}})
    with workspace.db.write() as con:
        con.execute("UPDATE batch_items SET error_said = NULL WHERE document_id = 'src:1'")
        con.execute("UPDATE audit SET reason_said = NULL WHERE document_id = 'src:1'")
        con.execute("UPDATE batch_items SET error_said = ? WHERE document_id = 'src:2'", [before_said])
    items = {i["document_id"]: i for i in batches.batch_items(workspace, result.batch_id)}
    old = items["src:1"]
    assert old["said"] is None
    assert i18n.said_or(old["message"], old["said"], "fr") == (
        "held before sending: document F-1: missing ledger account 706999 "
        "(mapped from '706' but not found in Pennylane's chart of accounts)")
    assert i18n.said_or(items["src:2"]["message"], items["src:2"]["said"], "fr") == (
        "envoi bloqué : document F-2 : il manque : compte comptable 706999 "
        "(associé à «\u00a0706\u00a0» mais absent du plan comptable de Pennylane)")
    doc = review.get_document(workspace, "src:1")
    entry = [h for h in doc["history"] if h["action"] == "held_before_send"][-1]
    assert i18n.said_or(entry["reason"], entry["reason_said"], "fr") == old["message"]
    # A later run reads the finished items back as they are stored.
    with workspace.db.write() as con:
        con.execute("UPDATE batches SET status = 'interrupted' WHERE id = ?", [result.batch_id])
    again = {i.document_id: i for i in send.push(workspace, gateway(emu), actor="anne").items}
    assert again["src:1"].said is None and again["src:2"].said == json.loads(before_said)


def test_a_request_the_spec_check_refuses_is_said_as_not_sent_not_as_unreachable(emu):
    from ecluse.pennylane.client import PennylaneClient, PennylaneRequestInvalid

    with PennylaneClient(emu.api_url, TOKEN) as client, pytest.raises(PennylaneRequestInvalid) as caught:
        client.import_customer_invoice({"external_reference": "ecluse:x"})
    assert emu.count("POST", r"/customer_invoices/import$") == 0  # nothing sent
    said = send.failure_said(caught.value)
    assert said["code"] == "send.request_invalid"
    assert caught.value.errors and said["params"]["errors"] == "; ".join(caught.value.errors)
    french = i18n.said_or(str(caught.value), said, "fr")
    assert french.startswith("requête non envoyée : elle ne respecte pas la spécification de l'API Pennylane : ")
    assert caught.value.errors[0] in french  # the checker's findings, as it words them
    assert i18n.said_or(None, said, "en").startswith("request not sent: it does not match Pennylane's API specification")
    # after the import (categories, the credit note's link): the same words after "imported, but"
    after = i18n.said_or(None, send.import_warning_said(caught.value), "fr")
    assert after.startswith("importée, mais : requête non envoyée : ")


def test_the_preview_says_what_a_live_send_would_do_from_pennylanes_lists(workspace, plugins, fake_source,
                                                                          fake_connection, emu, monkeypatch):
    """A dry run accepts every account and category; the lists last read from the same
    destination tell which invoices a live send would hold (an account the chart lacks) or send
    without their category. The live send then does what was said; its held list drops what
    its heading and rows already say, its summary counts the invoices sent with a warning."""
    from ecluse.services import batches, fixes, mappings, pennylane_lists

    monkeypatch.setenv("ECLUSE_TEST_SEND_PL_TOKEN", TOKEN)
    workspace.set_pennylane(api_url=emu.api_url, token="env:ECLUSE_TEST_SEND_PL_TOKEN", dry_run=False)
    emu.add_ledger_account("706000", "Prestations de services")
    a, b = emu.add_category_group("Axe A"), emu.add_category_group("Axe B")
    emu.add_category("Autres", group_id=a["id"])
    emu.add_category("Autres", group_id=b["id"])
    fake_source.pages = [[make_doc("1"), make_doc("2", total="130.00"),  # totals apart: no suspected duplicate
                          make_doc("3", rate="7", total="107.00")]]  # no VAT code for 7 %: held on its line
    sync(workspace, plugins)
    workspace.set_mapping("ledger_accounts", "706", "706000")
    fixes.fix(workspace, "src:2", "lines[1].ledger_account", "706200", actor="anne")  # not in Pennylane's chart
    mappings.set_category(workspace, "src", "Autres")
    review.decide(workspace, "approve", ["src:1", "src:2", "src:3"], actor="anne", force=True, reason="vu")
    ids = ["src:1", "src:2", "src:3"]
    # Lists never read: nothing flagged, each line's account number still known.
    unread = batches.preview_checks(workspace, ids)
    assert unread.read_at is None and unread.flagged() == {}
    assert unread.by_document["src:1"].accounts == ("706000",) and unread.by_document["src:2"].accounts == ("706200",)
    pennylane_lists.refresh(workspace)
    checks = batches.preview_checks(workspace, ids)
    assert checks.read_at is not None and set(checks.flagged()) == set(ids)
    assert checks.by_document["src:1"].absent == () and checks.by_document["src:2"].absent == ("706200",)
    assert {c.category_problem for c in checks.by_document.values()} == {"ambiguous"}
    # The CLI's dry run says the same, in its JSON and on stderr.
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    cli = subprocess.run([str(Path(sys.executable).parent / "ecluse"), "-w", str(workspace.path), "push", "--dry-run",
                          "--json"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "ECLUSE_TEST_SEND_PL_TOKEN": TOKEN})
    listed = json.loads(cli.stdout)["pennylane_lists"]
    assert listed["read_at"] and {f["document_id"]: f["accounts_absent"] for f in listed["flagged"]} == {
        "src:1": [], "src:2": ["706200"], "src:3": []}
    text = subprocess.run([str(Path(sys.executable).parent / "ecluse"), "-w", str(workspace.path), "push", "--dry-run"],
                          capture_output=True, text=True, timeout=120)
    assert "warning: src:2: account 706200 is not in Pennylane's chart: a live send holds it" in text.stderr
    assert "category 'Autres' is ambiguous in Pennylane: a live send sets none" in text.stderr
    mappings.set_category(workspace, "src", "Inconnue")
    assert {c.category_problem for c in batches.preview_checks(workspace, ids).by_document.values()} == {"unknown"}
    mappings.set_category(workspace, "src", "Autres")
    # The live send does what the preview said.
    result = send.push(workspace, gateway(emu), ids=ids, actor="anne")
    assert {i.document_id: i.state for i in result.items} == {"src:1": "sent", "src:2": "held", "src:3": "held"}
    assert "none was set" in result.items[0].warning
    [batch] = batches.batch_history(workspace)
    assert batch["warned"] == 1 and batches.get_batch(workspace, batch["id"])["warned"] == 1
    items = {i["document_id"]: i for i in batches.batch_items(workspace, batch["id"])}

    def listed(doc_id, lang):
        i = items[doc_id]
        return batches.held_text(i["number"], i["document_id"], i["message"], i["said"], lang)

    assert listed("src:2", "fr") == ("il manque : compte comptable 706200 (corrigé sur la ligne 1 mais absent du "
                                     "plan comptable de Pennylane)")
    assert listed("src:2", "en") == "missing ledger account 706200 (fixed on line 1 but not found in Pennylane's chart of accounts)"
    assert listed("src:3", "fr").startswith("ligne 1 : aucun code de TVA Pennylane pour 7 % (taux associés : ")
    assert listed("src:3", "en").startswith("line 1: no Pennylane VAT code for 7% (mapped: ")
    # Stored as it was: the whole reason, in the table and the document's history.
    assert i18n.said_or(items["src:2"]["message"], items["src:2"]["said"], "fr").startswith(
        "envoi bloqué : document F-2 : il manque : compte comptable 706200")
    # A reason without a Said (an older version's) reads as stored.
    assert batches.held_text("F-2", "src:2", "held before sending: x", None, "fr") == "held before sending: x"


def test_made_up_documents_never_reach_pennylane_itself(workspace, plugins, fake_source, fake_connection, emu,
                                                        monkeypatch):
    # A connector that makes its documents up (Connector.fictitious: the demo) has them flagged
    # by the sync; a live send to Pennylane's own API holds them before any request, one to
    # another API (an emulator, a test server) sends them.
    monkeypatch.setattr(fake_source, "fictitious", True, raising=False)
    fake_source.pages = [[make_doc(str(i), total=f"{100 + i}.00") for i in range(3)]]
    sync(workspace, plugins)
    assert len(review.approve_all_valid(workspace, actor="anne").done) == 3
    with workspace.db.read() as con:
        made_up = sorted(send.fictitious_ids(con, ["src:0", "src:1", "src:2"]))
    assert made_up == ["src:0", "src:1", "src:2"]
    # The preview names them while the workspace sends to Pennylane's own API, not to an emulator.
    assert send.dry_run(workspace).fictitious == made_up
    workspace.set_pennylane(api_url=emu.api_url)
    assert send.dry_run(workspace).fictitious == []
    # To the emulator: sent.
    assert send.push(workspace, gateway(emu), ids=["src:0"], actor="anne").count("sent") == 1
    # To Pennylane itself: held, said in French, and not one request made (a bogus token and no network).
    real = PennylaneGateway("https://app.pennylane.com/api/external/v2", "not-a-token")
    result = send.push(workspace, real, ids=["src:1", "src:2"], actor="anne")
    assert result.count("held") == 2 and result.request_count == 0 and real.stats.requests == 0
    assert states(workspace) == {"src:0": "sent", "src:1": "on_hold", "src:2": "on_hold"}
    said = i18n.said_text(Said(**result.items[0].said), "fr")
    assert said.startswith("envoi bloqué : ") and "est une facture fictive de la connexion « src »" in said
    assert said.endswith("elle n'est jamais envoyée à Pennylane ; rejetez-la, ou envoyez-la à un serveur de test")
    # The connection removed, its documents stay flagged; a connector that makes nothing up unflags its own.
    workspace.remove_connection("src")
    with workspace.db.read() as con:
        assert send.fictitious_ids(con, made_up) == set(made_up)
    workspace.set_connection("src", fake_source, {"token": "env:FAKE_TOKEN"})
    monkeypatch.setattr(fake_source, "fictitious", False, raising=False)
    fake_source.pages = [[]]
    sync(workspace, plugins)
    with workspace.db.read() as con:
        assert send.fictitious_ids(con, made_up) == set()
    assert send.is_pennylane("https://app.pennylane.com/api/external/v2") and not send.is_pennylane(emu.api_url)
    assert not send.is_pennylane("https://pennylane.com.example.org/api") and not send.is_pennylane(None)


def test_a_suspected_duplicate_is_neither_approved_nor_sent_twice_until_a_reviewer_answers(
        workspace, plugins, fake_source, fake_connection, emu):
    from ecluse.services import duplicates

    # Two records of one invoice (same customer, same number), and another invoice.
    fake_source.pages = [[make_doc("1", number="F-9"), make_doc("2", number="F-9"), make_doc("3", total="80.00")]]
    sync(workspace, plugins)
    # Approving both copies would book it twice: refused, said in French, and left out of "all valid".
    result = review.decide(workspace, "approve", ["src:1", "src:2"], actor="anne")
    assert result.done == [] and result.refused["src:1"].startswith("suspected duplicate of F-9 (src): keep both")
    assert i18n.explain_refusal(result.refused["src:1"], "fr").startswith(
        "doublon suspecté de F-9 (src) : gardez les deux ou rejetez l'un d'eux d'abord")
    assert review.approve_all_valid(workspace, actor="anne").done == ["src:3"]
    # Approved anyway (a reason given), both: the preview and the send let one go and hold the other.
    forced = review.decide(workspace, "approve", ["src:1", "src:2"], actor="anne", force=True, reason="vu")
    assert sorted(forced.done) == ["src:1", "src:2"]
    preview = send.dry_run(workspace)
    assert {i.document_id: i.state for i in preview.items} == {"src:1": "sent", "src:2": "held", "src:3": "sent"}  # as the dry run says it
    assert [r.document_id for r in preview.requests if r.path.endswith("/import")] == ["src:1", "src:3"]
    pushed = send.push(workspace, gateway(emu), actor="anne")
    assert (pushed.count("sent"), pushed.count("held")) == (2, 1)
    assert sorted(i["external_reference"] for i in emu.invoices("customer")) == sorted(
        send.rb.external_reference(workspace.workspace_id, d) for d in ("src:1", "src:3"))
    said = i18n.said_text(Said(**next(i.said for i in pushed.items if i.state == "held")), "fr")
    assert said == ("envoi bloqué : document F-9 est un doublon suspecté de F-9 (src), envoyé avant lui : gardez "
                    "les deux (onglet « Doublons suspectés ») ou rejetez-le dans Revue")
    # Kept both by the reviewer: approved again, it goes.
    duplicates.dismiss(workspace, "src:2", "src:1", actor="anne")
    assert review.decide(workspace, "approve", ["src:2"], actor="anne").done == ["src:2"]
    assert send.push(workspace, gateway(emu), actor="anne").count("sent") == 1
    assert len(emu.invoices("customer")) == 3


def test_a_rejected_twin_answers_the_suspicion_and_a_held_twin_does_not_hold_the_other(
        workspace, plugins, fake_source, fake_connection, emu):
    first = make_doc("1", number="F-9")
    first.attachment = None  # held by the send: no PDF
    fake_source.pages = [[first, make_doc("2", number="F-9"),
                          make_doc("3", number="F-8", total="80.00"), make_doc("4", number="F-8", total="80.00")]]
    sync(workspace, plugins)
    # A plain rejection of one copy answers the suspicion: the other can be approved.
    review.decide(workspace, "reject", ["src:4"], actor="anne", reason="en double")
    assert review.decide(workspace, "approve", ["src:3"], actor="anne").done == ["src:3"]
    # Both copies approved anyway: the first in the batch is held for its own reason, so the
    # second is sent, not held as the duplicate of a copy "sent before it".
    review.decide(workspace, "approve", ["src:1", "src:2"], actor="anne", force=True, reason="vu")
    result = send.push(workspace, gateway(emu), actor="anne")
    assert {i.document_id: i.state for i in result.items} == {"src:1": "held", "src:2": "sent", "src:3": "sent"}
    assert "PDF" in i18n.said_text(Said(**next(i.said for i in result.items if i.document_id == "src:1")), "fr")
