"""PennylaneClient against the Pennylane emulator, over real HTTP on 127.0.0.1.

Every test ends by checking that the emulator saw no request outside the official spec
(`emu.violations`) and answered within it (`emu.response_violations`)."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from decimal import Decimal

import pytest

from ecluse.domain import (
    CUSTOMER_CREDIT_NOTE, CUSTOMER_INVOICE, SUPPLIER_INVOICE, Address, Counterparty, Document, Line,
)
from ecluse.http import RateLimitExceeded, TransportError
from ecluse.pennylane import requests_builder as rb
from ecluse.pennylane.client import (
    SEND_SCOPES, PennylaneAuthError, PennylaneClient, PennylaneConflict, PennylaneNotFound,
    PennylaneRequestInvalid, PennylaneScopeError, PennylaneValidationError, encode_filter,
    french_siren, missing_scopes,
)
from tests.emulators.pennylane import PennylaneEmulator

PDF = b"%PDF-1.4\n% invoice\n"
ADDRESS = Address(street="10 rue de la Paix", postal_code="75002", city="Paris", country_alpha2="FR")


def make_emulator(**kw) -> PennylaneEmulator:
    # A token of its own per emulator: clients of one token share a process-wide pacer.
    kw.setdefault("token", f"pl-{uuid.uuid4().hex}")
    return PennylaneEmulator(**kw)


@pytest.fixture
def emu():
    with make_emulator(rate_limit=None) as emulator:
        yield emulator
        assert emulator.violations == [], "the client sent requests the spec refuses"
        assert emulator.response_violations == []


def client_for(emu: PennylaneEmulator, token: str | None = None, **kw) -> PennylaneClient:
    kw.setdefault("backoff", 0.01)
    return PennylaneClient(emu.api_url, token or emu.token, **kw)


@pytest.fixture
def client(emu):
    with client_for(emu, rate_limit=None) as pennylane:
        yield pennylane


def invoice_doc(kind=CUSTOMER_INVOICE, number="F-2026-001", sign=1, source_id=None) -> Document:
    line = Line(label="Conseil", quantity=Decimal("2"), unit_price=Decimal("50"),
                amount_before_tax=sign * Decimal("100.00"), tax=sign * Decimal("20.00"),
                amount=sign * Decimal("120.00"), vat_rate=Decimal("20"), accounting_hint="706")
    party = Counterparty(source_id="c-1", name="ACME SAS", vat_number="FR40303265045",
                         address=ADDRESS, role="customer")
    return Document(source_id=source_id or number, kind=kind, number=number,
                    issue_date=dt.date(2026, 3, 2), due_date=dt.date(2026, 4, 1), currency="EUR",
                    total_before_tax=sign * Decimal("100.00"), total_tax=sign * Decimal("20.00"),
                    total=sign * Decimal("120.00"), counterparty=party, lines=[line],
                    connection="demo")


# --------------------------------------------------------------------------- pure helpers


def test_helpers():
    assert encode_filter([("external_reference", "eq", "é")]) == \
        '[{"field":"external_reference","operator":"eq","value":"é"}]'
    assert missing_scopes(SEND_SCOPES, ["customer_invoices:all", "ledger_accounts:all",
                                        "categories:readonly"]) == [
        "supplier_invoices:all", "file_attachments:all", "customers:all", "suppliers:all"]
    assert french_siren("FR 40 303265045") == "303265045" and french_siren("DE123456789") is None
    with pytest.raises(ValueError, match="ecluse pennylane set --token-env"):
        PennylaneClient("http://127.0.0.1:9")


# --------------------------------------------------------------------------- identity & errors


def test_me_and_missing_scopes(emu):
    emu.add_token("limited-token", ["customer_invoices:all", "customers:readonly", "ledger_accounts:all"])
    with client_for(emu, "limited-token") as limited:
        me = limited.me()
        assert me["company"]["name"] and "customer_invoices:all" in me["scopes"]
        assert limited.missing_scopes() == ["supplier_invoices:all", "file_attachments:all",
                                            "customers:all", "suppliers:all", "categories:readonly"]
        problem = limited.scope_problem()
        assert '"file_attachments:all"' in problem and "ecluse pennylane set --token-env" in problem
        with pytest.raises(PennylaneScopeError) as info:
            limited.upload_file("a.pdf", PDF)
        assert info.value.scope == "file_attachments:all" and info.value.status == 403
        assert '"file_attachments:all"' in str(info.value)
    with client_for(emu) as full:
        assert full.missing_scopes() == [] and full.scope_problem() is None


def test_invalid_token_message(emu):
    with client_for(emu, "expired-token") as bad:
        with pytest.raises(PennylaneAuthError) as info:
            bad.me()
    message = str(info.value)
    assert info.value.status == 401
    assert "The access token is invalid" in message
    assert "ecluse pennylane set --token-env" in message
    assert "expired-token" not in message  # the token never appears in errors


def test_invalid_body_is_refused_before_sending(emu, client):
    body = {"name": "ACME", "billing_address": {"address": "x", "postal_code": "1", "city": "y"}}
    with pytest.raises(PennylaneRequestInvalid) as info:
        client.create_company_customer(body)
    assert any("country_alpha2" in e for e in info.value.errors)
    assert emu.count() == 0


# --------------------------------------------------------------------------- the send flow


def test_full_send_flow(emu, client):
    account = emu.add_ledger_account("706000", "Prestations de services")
    emu.add_ledger_account("401000", "Fournisseurs")
    assert client.ledger_accounts() == {"706000": account["id"], "401000": account["id"] + 1}
    assert client.ledger_accounts("70") == {"706000": account["id"]}

    doc = invoice_doc()
    cp_ref = rb.external_reference("ws", "customer:" + doc.counterparty.source_id)
    assert client.find_customer(external_reference=cp_ref, name=doc.counterparty.name) is None
    customer = client.create_company_customer(rb.company_customer_body(doc.counterparty, cp_ref))
    assert client.find_customer(external_reference=cp_ref)["id"] == customer["id"]

    upload = client.upload_file("F-2026-001.pdf", PDF)
    ref = rb.external_reference("ws", doc.id)
    body = rb.customer_invoice_import_body(doc, customer_id=customer["id"],
                                           file_attachment_id=upload["id"], external_reference=ref,
                                           ledger_accounts=client.ledger_accounts())
    body["invoice_lines"][0]["ledger_account_id"] = account["id"]
    invoice = client.import_customer_invoice(body)
    assert (invoice["currency_amount"], invoice["customer"]["id"]) == ("120.00", customer["id"])
    assert emu.invoice_lines(invoice["id"])[0]["ledger_account_id"] == account["id"]
    assert client.find_invoice(CUSTOMER_INVOICE, ref)["id"] == invoice["id"]
    assert client.find_invoice("customer", "ecluse:nothing") is None
    assert client.get_invoice("customer", invoice["id"]) == invoice
    assert [i["id"] for i in client.find_invoices_by_number("customer", "F-2026-001")] == [invoice["id"]]

    # the credit note: negative amounts, then linked to the invoice
    credit = invoice_doc(CUSTOMER_CREDIT_NOTE, number="AV-1")
    credit_body = rb.customer_invoice_import_body(
        credit, customer_id=customer["id"], file_attachment_id=client.upload_file("AV-1.pdf", PDF)["id"],
        external_reference=rb.external_reference("ws", credit.id))
    imported = client.import_customer_invoice(credit_body)
    assert imported["currency_amount"] == "-120.00" and imported["status"] == "credit_note"
    linked = client.link_credit_note(invoice["id"], imported["id"])
    assert linked["credited_invoice"]["id"] == invoice["id"]

    category = emu.add_category("Conseil")
    assert [c["label"] for c in client.categories()] == ["Conseil"]
    set_ = client.set_invoice_categories("customer", invoice["id"], rb.categories_body([category["id"]]))
    assert set_[0]["id"] == category["id"]


def test_supplier_flow_and_lookups(emu, client):
    doc = invoice_doc(SUPPLIER_INVOICE, number="OVH-42")
    party = Counterparty(source_id="s-1", name="OVH SAS", siren="424761419", role="supplier")
    ref = rb.external_reference("ws", "supplier:s-1")
    supplier = client.create_supplier(rb.supplier_body(party, ref))
    assert client.find_supplier(external_reference=ref)["id"] == supplier["id"]
    assert client.find_supplier(external_reference="other", name="OVH", reg_no="424 761 419")["id"] == supplier["id"]
    assert client.find_supplier(name="OVH SAS")["id"] == supplier["id"]
    assert client.find_supplier(name="Nobody") is None
    body = rb.supplier_invoice_import_body(doc, supplier_id=supplier["id"],
                                           file_attachment_id=client.upload_file("o.pdf", PDF)["id"],
                                           external_reference=rb.external_reference("ws", doc.id))
    invoice = client.import_supplier_invoice(body)
    assert client.find_invoice(SUPPLIER_INVOICE, body["external_reference"])["id"] == invoice["id"]
    assert client.get_invoice(SUPPLIER_INVOICE, invoice["id"])["supplier"]["id"] == supplier["id"]


def test_customer_fallback_lookups(emu, client):
    address = {"address": "1 rue A", "postal_code": "75001", "city": "Paris", "country_alpha2": "FR"}
    acme = emu.add_customer({"name": "ACME", "reg_no": "303265045", "billing_address": address})
    emu.add_customer({"name": "Twin", "vat_number": "DE111111111", "billing_address": address})
    twin = emu.add_customer({"name": "Twin", "vat_number": "DE222222222", "billing_address": address})
    assert client.find_customer(external_reference="nope", vat_number="FR40303265045")["id"] == acme["id"]
    assert client.find_customer(reg_no="303 265 045 00012")["id"] == acme["id"]
    assert client.find_customer(name="ACME")["id"] == acme["id"]
    assert client.find_customer(name="Twin") is None  # ambiguous
    assert client.find_customer(name="Twin", vat_number="DE 222222222")["id"] == twin["id"]
    assert client.find_customer(name="Nobody") is None


def test_pennylane_refusals_are_explained(emu, client):
    customer = emu.add_customer({"name": "ACME", "billing_address": {
        "address": "1 rue A", "postal_code": "75001", "city": "Paris", "country_alpha2": "FR"}})
    upload = client.upload_file("a.pdf", PDF)
    body = rb.customer_invoice_import_body(invoice_doc(), customer_id=customer["id"],
                                           file_attachment_id=upload["id"], external_reference="r1")
    incoherent = {**body, "currency_amount": "130.00"}  # valid per the spec, refused by Pennylane
    with pytest.raises(PennylaneValidationError) as info:
        client.import_customer_invoice(incoherent)
    assert info.value.status == 422 and "not coherent" in str(info.value)
    assert "import the customer invoice 'F-2026-001'" in str(info.value)
    client.import_customer_invoice(body)
    with pytest.raises(PennylaneConflict, match="already exists with such attachment"):
        client.import_customer_invoice(body)
    with pytest.raises(PennylaneNotFound, match="Couldn't find Customer"):
        client.import_customer_invoice({**body, "customer_id": 999999})
    with pytest.raises(PennylaneConflict):
        client.create_company_customer({"name": "B", "billing_address": {
            "address": "1", "postal_code": "2", "city": "3", "country_alpha2": "FR"},
            "external_reference": customer["external_reference"]})


# --------------------------------------------------------------------------- pagination


def test_iter_list_pages_with_the_filter_on_every_page(emu, client):
    ids = [emu.add_supplier({"name": f"Fournisseur {i:03d}"})["id"] for i in range(230)]
    emu.add_supplier({"name": "Other"})
    emu.reset_log()
    found = [s["id"] for s in client.iter_list("/suppliers", [("name", "start_with", "Fournisseur")], sort="id")]
    assert found == ids
    pages = [e for e in emu.log if e.path == "/suppliers"]
    assert len(pages) == 3
    assert all("filter" in e.query and e.query["sort"] == ["id"] for e in pages)
    assert [("cursor" in e.query) for e in pages] == [False, True, True]
    assert len(list(client.iter_list("/suppliers", limit=100))) == 231


# --------------------------------------------------------------------------- retries


def test_posts_are_not_retried_blindly(emu, client):
    customer = emu.add_customer({"name": "ACME", "billing_address": {
        "address": "1 rue A", "postal_code": "75001", "city": "Paris", "country_alpha2": "FR"}})
    doc = invoice_doc()
    ref = rb.external_reference("ws", doc.id)

    def body():
        upload = client.upload_file("a.pdf", PDF)
        return rb.customer_invoice_import_body(doc, customer_id=customer["id"],
                                               file_attachment_id=upload["id"], external_reference=ref)

    emu.inject("POST", "/customer_invoices/import", "500")
    with pytest.raises(Exception) as info:
        client.import_customer_invoice(body())
    assert getattr(info.value, "status", None) == 500
    assert emu.count("POST", "/customer_invoices/import") == 1  # no retry
    assert "not idempotent" in str(info.value)

    # the lost response: stored by Pennylane, unknown to us; the lookup tells
    emu.inject("POST", "/customer_invoices/import", "drop_after")
    with pytest.raises(TransportError, match="not idempotent"):
        client.import_customer_invoice(body())
    assert emu.count("POST", "/customer_invoices/import") == 2
    assert client.find_invoice("customer", ref)["external_reference"] == ref

    # a 429 means "not processed": retried, even for a POST
    emu.inject("POST", "/customer_invoices/import", "429", retry_after=1)
    imported = client.import_customer_invoice(body())
    assert imported["external_reference"] == ref
    assert emu.count("POST", "/customer_invoices/import", status=429) == 1
    assert client.stats.throttled == 1


def test_gets_are_retried(emu, client):
    emu.inject("GET", "^/me$", "503", times=2)
    emu.inject("GET", "^/me$", "drop_before")
    assert client.me()["company"]["id"]
    assert emu.count("GET", "^/me$") == 4 and client.stats.retries == 3


def pace(emu: PennylaneEmulator, calls: int, **client_options) -> float:
    with PennylaneClient(emu.api_url, emu.token, **client_options) as client:
        start = time.monotonic()
        for _ in range(calls):
            assert client.me(refresh=True)["company"]  # a 429 left unrecovered would raise
        elapsed = time.monotonic() - start
    assert emu.count("GET", "^/me$", status=200) == calls
    assert emu.violations == []
    return elapsed


def test_rate_limit_pacing_from_headers():
    """60 calls against 10 requests per second, no static budget on our side: the pacer
    spreads them from the `ratelimit-*` headers alone; a 429 would be retried."""
    with make_emulator(rate_limit=(10, 1.0)) as emu:
        elapsed = pace(emu, 60, rate_limit=None)
        assert emu.rate_limited <= 2, emu.statuses()
        assert 4 < elapsed < 12


@pytest.mark.slow
def test_rate_limit_pacing_at_pennylane_budget():
    """The documented budget (25 requests / 5 s) with the client's defaults: no 429 at all."""
    with make_emulator(rate_limit=(25, 5.0)) as emu:
        elapsed = pace(emu, 60)
        assert emu.rate_limited == 0, emu.statuses()
        assert elapsed < 15


def test_long_retry_after_is_reported_not_waited(emu):
    emu.inject("GET", "^/me$", "429", retry_after=3600)
    with client_for(emu, rate_limit=None, max_retry_after=10) as client:
        with pytest.raises(RateLimitExceeded) as info:
            client.me()
    assert info.value.retry_after == 3600
