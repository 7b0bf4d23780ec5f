"""The Pennylane emulator itself, exercised over real HTTP with plain `requests`."""
from __future__ import annotations

import json
import time

import pytest
import requests

from tests.emulators.pennylane import PennylaneEmulator

ADDRESS = {"address": "1 rue de Rivoli", "postal_code": "75001", "city": "Paris", "country_alpha2": "FR"}
PDF = b"%PDF-1.4\n% test\n"


class Api:
    """A thin requests wrapper bound to the emulator and a token."""

    def __init__(self, emu: PennylaneEmulator, token: str | None = None) -> None:
        self.emu = emu
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kw) -> requests.Response:
        return self.session.request(method, self.emu.api_url + path, timeout=10, **kw)

    def customer(self, ref: str | None = None, name: str = "ACME") -> int:
        body = {"name": name, "billing_address": ADDRESS, **({"external_reference": ref} if ref else {})}
        reply = self("POST", "/company_customers", json=body)
        assert reply.status_code == 201, reply.text
        return reply.json()["id"]

    def supplier(self, name: str = "OVH", ref: str | None = None) -> int:
        reply = self("POST", "/suppliers", json={"name": name, **({"external_reference": ref} if ref else {})})
        assert reply.status_code == 201, reply.text
        return reply.json()["id"]

    def attachment(self, content: bytes = PDF, ctype: str = "application/pdf") -> int:
        reply = self("POST", "/file_attachments", files={"file": ("invoice.pdf", content, ctype)},
                     data={"filename": "invoice.pdf"})
        assert reply.status_code == 201, reply.text
        return reply.json()["id"]

    def import_body(self, customer_id: int | None = None, **changes) -> dict:
        body = {
            "file_attachment_id": self.attachment(), "customer_id": customer_id or self.customer(),
            "date": "2026-03-01", "deadline": "2026-03-31", "currency_amount_before_tax": "100.00",
            "currency_tax": "20.00", "currency_amount": "120.00", "invoice_number": "F-1",
            "external_reference": "ecluse:1",
            "invoice_lines": [{"label": "Conseil", "quantity": 1, "raw_currency_unit_price": "100.00",
                               "unit": "piece", "vat_rate": "FR_200", "currency_amount": "120.00",
                               "currency_tax": "20.00"}],
        }
        body.update(changes)
        return body


@pytest.fixture
def emu():
    with PennylaneEmulator(rate_limit=None) as emulator:
        yield emulator
        assert emulator.response_violations == [], "the emulator answered outside the spec"


@pytest.fixture
def api(emu):
    return Api(emu, emu.token)


def filter_param(*rules: tuple[str, str, object]) -> dict:
    return {"filter": json.dumps([{"field": f, "operator": o, "value": v} for f, o, v in rules])}


# --------------------------------------------------------------------------- auth & scopes


def test_missing_or_wrong_token_is_401(emu):
    for api in (Api(emu), Api(emu, "nope")):
        reply = api("GET", "/me")
        assert reply.status_code == 401
        assert reply.json() == {"error": "The access token is invalid", "status": 401}
    assert emu.violations == []


def test_me_and_scopes(emu):
    emu.add_token("readonly", ["customers:readonly"])
    api = Api(emu, "readonly")
    me = api("GET", "/me").json()
    assert me["scopes"] == ["customers:readonly"] and me["company"]["name"]
    assert api("GET", "/customers").status_code == 200
    reply = api("POST", "/company_customers", json={"name": "X", "billing_address": ADDRESS})
    assert reply.status_code == 403
    assert reply.json()["error"] == 'Access to this resource requires scope "customers:all".'
    reply = api("GET", "/customer_invoices")
    assert 'requires scope "customer_invoices:all"' in reply.json()["error"]
    assert emu.customers == {}


# --------------------------------------------------------------------------- validation


def test_invalid_requests_are_400_and_recorded(emu, api):
    body = api.import_body()
    body["currency_amount"] = 120.0
    reply = api("POST", "/customer_invoices/import", json=body)
    assert reply.status_code == 400
    assert "currency_amount" in reply.json()["error"]
    assert emu.violations[-1].path == "/customer_invoices/import"
    assert any(e.startswith("currency_amount:") for e in emu.violations[-1].errors)
    # a form-encoded filter, as a naive client would send it
    reply = api("GET", "/customer_invoices", params={"filter[0][field]": "id", "filter[0][operator]": "eq"})
    assert reply.status_code == 400 and "should be a string" in reply.json()["error"]
    reply = api("GET", "/customer_invoices", params=filter_param(("amount", "eq", "1")))
    assert reply.status_code == 400 and "'amount' cannot be filtered" in reply.json()["error"]
    assert api("POST", "/customers", json={"name": "x"}).status_code == 404
    assert len(emu.violations) == 4
    assert emu.invoices("customer") == []


def test_file_attachments(emu, api):
    file_id = api.attachment()
    stored = emu.attachments[file_id]
    assert requests.get(stored["url"], timeout=5).content == PDF
    reply = api("POST", "/file_attachments", files={"file": ("a.txt", b"hello", "text/plain")})
    assert reply.status_code == 400 and "text/plain" in reply.json()["error"]
    reply = api("POST", "/file_attachments", files={"file": ("a.pdf", b"not a pdf", "application/pdf")})
    assert reply.status_code == 422
    assert len(emu.attachments) == 1


# --------------------------------------------------------------------------- imports


def test_import_stores_and_answers_per_spec(emu, api):
    customer_id = api.customer("cust-1")
    body = api.import_body(customer_id)
    reply = api("POST", "/customer_invoices/import", json=body)
    assert reply.status_code == 201, reply.text
    invoice = reply.json()
    assert invoice["customer"]["id"] == customer_id
    assert (invoice["currency_amount"], invoice["external_reference"]) == ("120.00", "ecluse:1")
    assert invoice["status"] in ("upcoming", "late")
    assert requests.get(invoice["public_file_url"], timeout=5).content == PDF
    assert emu.invoices("customer")[0]["id"] == invoice["id"]
    assert emu.invoice_lines(invoice["id"])[0]["vat_rate"] == "FR_200"
    again = api("POST", "/customer_invoices/import", json=body)
    assert again.status_code == 409
    assert again.json()["error"] == f"A document with ID {invoice['id']} already exists with such attachment."
    assert api("GET", f"/customer_invoices/{invoice['id']}").json() == invoice
    assert api("GET", "/customer_invoices/999999").status_code == 404
    assert emu.violations == []


def test_import_checks_references_and_totals(emu, api):
    customer_id = api.customer()
    cases = [
        (api.import_body(customer_id=424242), 404, "Customer"),
        (api.import_body(customer_id, file_attachment_id=424242), 404, "FileAttachment"),
        (api.import_body(customer_id, currency_amount="121.00"), 422, "not coherent"),
    ]
    lines_off = api.import_body(customer_id)
    lines_off["invoice_lines"][0].update(currency_amount="119.00")
    cases.append((lines_off, 422, "sum of line currency_amount"))
    bad_account = api.import_body(customer_id)
    bad_account["invoice_lines"][0]["ledger_account_id"] = 5
    cases.append((bad_account, 422, "Ledger account"))
    for body, status, text in cases:
        reply = api("POST", "/customer_invoices/import", json=body)
        assert (reply.status_code, text in reply.json()["error"]) == (status, True), reply.text
    # one cent per line of rounding is tolerated
    rounded = api.import_body(customer_id)
    rounded["invoice_lines"][0].update(currency_amount="120.01")
    assert api("POST", "/customer_invoices/import", json=rounded).status_code == 201
    assert len(emu.invoices("customer")) == 1 and emu.violations == []


def test_supplier_import_and_unique_external_reference(emu, api):
    supplier_id = api.supplier(ref="sup-1")
    assert api("POST", "/suppliers", json={"name": "Other", "external_reference": "sup-1"}).status_code == 409
    body = {"file_attachment_id": api.attachment(), "supplier_id": supplier_id, "date": "2026-03-01",
            "deadline": "2026-03-01", "currency": "USD", "currency_amount_before_tax": "10.00",
            "currency_tax": "2.00", "currency_amount": "12.00", "external_reference": "ecluse:s",
            "invoice_lines": [{"vat_rate": "FR_200", "currency_amount": "12.00", "currency_tax": "2.00"}]}
    reply = api("POST", "/supplier_invoices/import", json=body)
    assert reply.status_code == 201, reply.text
    assert reply.json()["supplier"]["id"] == supplier_id and reply.json()["amount"] == "11.04"
    found = api("GET", "/supplier_invoices", params=filter_param(("external_reference", "eq", "ecluse:s")))
    assert [i["id"] for i in found.json()["items"]] == [reply.json()["id"]]
    api.customer("dup")
    assert api("POST", "/individual_customers", json={
        "first_name": "A", "last_name": "B", "billing_address": ADDRESS, "external_reference": "dup",
    }).status_code == 409


def test_link_credit_note(emu, api):
    customer_id = api.customer()
    invoice = api("POST", "/customer_invoices/import", json=api.import_body(customer_id)).json()
    negative = {"currency_amount_before_tax": "-100.00", "currency_tax": "-20.00", "currency_amount": "-120.00"}
    body = api.import_body(customer_id, **negative)
    body["invoice_lines"][0].update(currency_amount="-120.00", currency_tax="-20.00", raw_currency_unit_price="-100.00")
    credit = api("POST", "/customer_invoices/import", json=body).json()
    assert credit["status"] == "credit_note"
    bad = api("POST", f"/customer_invoices/{credit['id']}/link_credit_note", json={"credit_note_id": invoice["id"]})
    assert bad.status_code == 422
    reply = api("POST", f"/customer_invoices/{invoice['id']}/link_credit_note", json={"credit_note_id": credit["id"]})
    assert reply.status_code == 200 and reply.json()["credited_invoice"]["id"] == invoice["id"]
    notes = api("GET", "/customer_invoices", params=filter_param(("credit_note", "eq", "true"))).json()
    assert [i["id"] for i in notes["items"]] == [credit["id"]]


# --------------------------------------------------------------------------- lists


def test_cursor_pagination_and_filters(emu, api):
    ids = [api.supplier(name=f"Supplier {i:02d}", ref=f"s-{i}") for i in range(45)]
    seen, pages, params = [], 0, {"limit": "20", **filter_param(("name", "start_with", "Supplier"))}
    cursor = None
    while True:
        reply = api("GET", "/suppliers", params={**params, **({"cursor": cursor} if cursor else {})})
        assert reply.status_code == 200, reply.text
        page = reply.json()
        pages += 1
        seen += [s["id"] for s in page["items"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3 and seen == sorted(ids, reverse=True)  # default sort: -id
    # the cursor is only valid with the filter it was issued for
    first = api("GET", "/suppliers", params=params).json()
    reply = api("GET", "/suppliers", params={"limit": "20", "cursor": first["next_cursor"]})
    assert reply.status_code == 400 and "cursor" in reply.json()["error"]
    assert api("GET", "/suppliers", params={"cursor": "garbage"}).status_code == 400
    assert api("GET", "/suppliers", params={"limit": "101"}).status_code == 400
    asc = api("GET", "/suppliers", params={"sort": "id", "limit": "3"}).json()
    assert [s["id"] for s in asc["items"]] == ids[:3]
    only = api("GET", "/suppliers", params=filter_param(("external_reference", "in", ["s-1", "s-7"]))).json()
    assert sorted(s["id"] for s in only["items"]) == [ids[1], ids[7]]


def test_invoice_filters(emu, api):
    customer_id = api.customer()
    made = {}
    for number in ("F-1", "F-2", "F-3"):
        body = api.import_body(customer_id, invoice_number=number, external_reference=f"ref-{number}")
        made[number] = api("POST", "/customer_invoices/import", json=body).json()["id"]

    def ids(*rules):
        reply = api("GET", "/customer_invoices", params=filter_param(*rules))
        assert reply.status_code == 200, reply.text
        return sorted(i["id"] for i in reply.json()["items"])

    assert ids(("invoice_number", "eq", "F-2")) == [made["F-2"]]
    assert ids(("invoice_number", "in", ["F-1", "F-3"])) == [made["F-1"], made["F-3"]]
    assert ids(("external_reference", "eq", "ref-F-3")) == [made["F-3"]]
    assert ids(("id", "gt", str(made["F-1"])), ("customer_id", "eq", str(customer_id))) == [made["F-2"], made["F-3"]]
    assert ids(("external_reference", "eq", "unknown")) == []


def test_reference_data(emu, api):
    emu.add_ledger_account("706000", "Prestations de services")
    acc = emu.add_ledger_account("707000", "Ventes de marchandises")
    emu.add_ledger_account("401000", "Fournisseurs")
    reply = api("GET", "/ledger_accounts", params={"limit": "1000", **filter_param(("number", "start_with", "70"))})
    assert sorted(a["number"] for a in reply.json()["items"]) == ["706000", "707000"]
    category = emu.add_category("Marketing", analytical_code="MKT")
    assert [c["label"] for c in api("GET", "/categories").json()["items"]] == ["Marketing"]
    customer_id = api.customer()
    body = api.import_body(customer_id)
    body["invoice_lines"][0]["ledger_account_id"] = acc["id"]
    invoice = api("POST", "/customer_invoices/import", json=body).json()
    reply = api("PUT", f"/customer_invoices/{invoice['id']}/categories",
                json=[{"id": category["id"], "weight": "1"}])
    assert reply.status_code == 200 and reply.json()[0]["weight"] == "1"
    found = api("GET", "/customer_invoices", params=filter_param(("category_id", "in", [category["id"]])))
    assert [i["id"] for i in found.json()["items"]] == [invoice["id"]]


# --------------------------------------------------------------------------- rate limit


def test_rate_limit_headers_and_429():
    now = [1_800_000_000.0]
    with PennylaneEmulator(rate_limit=(5, 5.0), clock=lambda: now[0]) as emu:
        api = Api(emu, emu.token)
        replies = [api("GET", "/me") for _ in range(6)]
        assert [r.status_code for r in replies] == [200] * 5 + [429]
        assert [r.headers["ratelimit-remaining"] for r in replies] == ["4", "3", "2", "1", "0", "0"]
        assert {r.headers["ratelimit-limit"] for r in replies} == {"5"}
        assert replies[0].headers["ratelimit-reset"] == "1800000005"
        limited = replies[-1]
        assert limited.headers["retry-after"] == "5"
        assert limited.text == "Rate limit exceeded. Please retry in 5 seconds."
        assert emu.rate_limited == 1
        # another token has its own window; 401s carry the headers too
        assert Api(emu, "other")("GET", "/me").headers["ratelimit-remaining"] == "4"
        now[0] += 5
        assert api("GET", "/me").status_code == 200


# --------------------------------------------------------------------------- faults


def test_faults(emu, api):
    customer_id = api.customer()
    emu.inject("POST", r"^/customer_invoices/import$", "drop_after")
    body = api.import_body(customer_id)
    with pytest.raises(requests.ConnectionError):
        api("POST", "/customer_invoices/import", json=body)
    assert len(emu.invoices("customer")) == 1  # stored although the answer was lost
    assert emu.log[-1].status == 0 and emu.log[-1].fault == "drop_after"

    emu.inject("POST", r"/customer_invoices/import", "drop_before")
    with pytest.raises(requests.ConnectionError):
        api("POST", "/customer_invoices/import", json=api.import_body(customer_id))
    assert len(emu.invoices("customer")) == 1  # not processed

    emu.inject("*", r"^/me$", "503", times=2)
    emu.inject("GET", r"^/me$", "429", retry_after=3)
    assert [api("GET", "/me").status_code for _ in range(4)] == [503, 503, 429, 200]
    assert emu.rate_limited == 1
    emu.inject("GET", r"^/me$", "500")
    reply = api("GET", "/me")
    assert reply.status_code == 500 and reply.json()["status"] == 500

    emu.inject("GET", r"^/me$", "slow", delay=0.3)
    start = time.monotonic()
    assert api("GET", "/me").status_code == 200
    assert time.monotonic() - start >= 0.3
    assert emu.log[-1].duration >= 0.3
    assert emu.count("GET", r"^/me$") == 6 and emu.count(status=503) == 2
    with pytest.raises(ValueError):
        emu.inject("GET", "/me", "teapot")
    assert emu.violations == []
