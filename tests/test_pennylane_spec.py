"""The vendored Pennylane spec, the request validator, the VAT mapping and the request
builders — every body the builders can produce must validate against the official spec."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecluse.domain import (
    CENT, CREDIT_NOTE_KINDS, CUSTOMER_CREDIT_NOTE, CUSTOMER_INVOICE, CUSTOMER_KINDS, KINDS,
    SUPPLIER_CREDIT_NOTE, Address, Counterparty, Document, Line,
)
from ecluse.pennylane import requests_builder as rb
from ecluse.pennylane import spec, vat

SPEC_DIR = Path(spec.__file__).with_name("spec")
SPEC_SHA256 = "a368959aecc72ebc173919de307162a0a762ac5a00d3df4933a96de31ca0c445"

GOOD_CUSTOMER_IMPORT = {
    "file_attachment_id": 42, "customer_id": 7, "date": "2026-03-01", "deadline": "2026-03-31",
    "currency": "EUR", "currency_amount_before_tax": "100.00", "currency_tax": "20.00",
    "currency_amount": "120.00", "invoice_number": "F-2026-001", "external_reference": "ecluse:ab",
    "invoice_lines": [{
        "label": "Conseil", "quantity": 2, "raw_currency_unit_price": "50.00", "unit": "piece",
        "vat_rate": "FR_200", "currency_amount": "120.00", "currency_tax": "20.00",
    }],
}
GOOD_SUPPLIER_IMPORT = {
    "file_attachment_id": 43, "supplier_id": 8, "date": "2026-03-01", "deadline": "2026-03-01",
    "currency_amount_before_tax": "10.00", "currency_tax": "0.55", "currency_amount": "10.55",
    "invoice_lines": [{"vat_rate": "FR_55", "currency_amount": "10.55", "currency_tax": "0.55",
                       "ledger_account_id": 601}],
}


def errors_for(body: dict, path: str = "/customer_invoices/import") -> list[str]:
    return spec.validate_request("POST", path, json_body=body)


# --------------------------------------------------------------------------- the vendored file


def test_vendored_spec_is_the_documented_copy():
    data = (SPEC_DIR / "company-v2-accounting.openapi.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SPEC_SHA256
    source = (SPEC_DIR / "SOURCE.md").read_text()
    for fact in (SPEC_SHA256, "d1b56aa70b02e291dabf9983bfc0918360d79fe5", "FGRibreau/mcp-pennylane",
                 "https://pennylane.readme.io/openapi/accounting.json", "2026-05-08"):
        assert fact in source


def test_spec_facts_the_builders_rely_on():
    fields = spec.body_fields("POST", "/customer_invoices/import")
    assert "credited_invoice_id" not in fields  # hence link_credit_note after import
    assert "categories" not in fields
    assert {"file_attachment_id", "customer_id", "external_reference"} <= fields
    assert spec.body_fields("POST", "/supplier_invoices/import", "invoice_lines") >= {"vat_rate"}
    assert "quantity" not in spec.body_fields("POST", "/supplier_invoices/import", "invoice_lines")
    assert {"FR_200", "FR_100", "FR_55", "FR_21", "FR_85", "exempt"} <= spec.vat_rate_codes()
    assert len(spec.vat_rate_codes()) == 172


# --------------------------------------------------------------------------- validate_request


@pytest.mark.parametrize("path, body", [
    ("/customer_invoices/import", GOOD_CUSTOMER_IMPORT),
    ("/supplier_invoices/import", GOOD_SUPPLIER_IMPORT),
    ("/company_customers", {"name": "ACME", "billing_address": {
        "address": "1 rue X", "postal_code": "75001", "city": "Paris", "country_alpha2": "FR"}}),
    ("/individual_customers", {"first_name": "A", "last_name": "B", "billing_address": {
        "address": "1 rue X", "postal_code": "75001", "city": "Paris", "country_alpha2": "FR"}}),
    ("/suppliers", {"name": "OVH", "reg_no": "424761419", "establishment_no": "42476141900045"}),
    ("/customer_invoices/12/link_credit_note", {"credit_note_id": 13}),
])
def test_known_good_bodies_pass(path, body):
    assert errors_for(body, path) == []


def test_missing_required_field_is_named():
    body = copy.deepcopy(GOOD_CUSTOMER_IMPORT)
    del body["customer_id"]
    del body["invoice_lines"][0]["unit"]
    errors = errors_for(body)
    assert any("'customer_id' is a required property" in e for e in errors)
    assert any(e.startswith("invoice_lines[0]") and "'unit'" in e for e in errors)


def test_amount_sent_as_number_is_rejected():
    body = copy.deepcopy(GOOD_CUSTOMER_IMPORT)
    body["currency_amount"] = 120.0
    body["invoice_lines"][0]["currency_tax"] = 20
    errors = errors_for(body)
    assert any(e.startswith("currency_amount:") and "decimal strings" in e for e in errors)
    assert any(e.startswith("invoice_lines[0].currency_tax:") for e in errors)
    body = copy.deepcopy(GOOD_CUSTOMER_IMPORT)
    body["currency_tax"] = "20,00"
    assert any(e.startswith("currency_tax:") for e in errors_for(body))


def test_unknown_vat_rate_code_is_rejected():
    body = copy.deepcopy(GOOD_CUSTOMER_IMPORT)
    body["invoice_lines"][0]["vat_rate"] = "FR_20"
    (error,) = errors_for(body)
    assert error.startswith("invoice_lines[0].vat_rate:") and "'FR_20'" in error


def test_unknown_field_and_bad_date_and_nullable():
    body = copy.deepcopy(GOOD_CUSTOMER_IMPORT)
    body["credited_invoice_id"] = 5
    body["date"] = "01/03/2026"
    errors = errors_for(body)
    assert any("credited_invoice_id" in e and "unexpected" in e for e in errors)
    assert any(e.startswith("date:") and "YYYY-MM-DD" in e for e in errors)
    body = copy.deepcopy(GOOD_CUSTOMER_IMPORT)
    body["label"] = None  # nullable: true in the spec
    assert errors_for(body) == []
    body["invoice_number"] = None  # not nullable
    assert [e for e in errors_for(body) if e.startswith("invoice_number:")]


def test_query_parameters_and_filter():
    good = '[{"field": "external_reference", "operator": "eq", "value": "ecluse:1"}]'
    assert spec.validate_request("GET", "/customer_invoices", query={"filter": good, "limit": "100"}) == []
    assert spec.validate_request("GET", "/supplier_invoices",
                                 query={"filter": [good], "cursor": "abc", "sort": "-id"}) == []
    # the filter as a structure rather than a JSON string (what a form encoder sends)
    (error,) = spec.validate_request("GET", "/customer_invoices", query={"filter[0][field]": "id"})
    assert "'filter'" in error and "should be a string" in error
    (error,) = spec.validate_request("GET", "/customer_invoices", query={"filter": {"field": "id"}})
    assert "'filter'" in error and "should be a string" in error
    (error,) = spec.validate_request("GET", "/customer_invoices", query={"filter": '{"field": "id"}'})
    assert "JSON array" in error
    errors = spec.validate_request("GET", "/customers", query={
        "filter": '[{"field": "siren", "operator": "eq", "value": "1"},'
                  ' {"field": "name", "operator": "gt", "value": "A"}]',
        "limit": "101", "page_size": "3"})
    assert any("'siren' cannot be filtered" in e for e in errors)
    assert any("operator 'gt' is not available for 'name'" in e for e in errors)
    assert any("'limit'" in e and "maximum" in e for e in errors)
    assert any("'page_size' is not defined" in e for e in errors)
    assert spec.validate_request("GET", "/ledger_accounts", query={"limit": "1000"}) == []


def test_paths_methods_and_path_parameters():
    assert spec.validate_request("GET", "/customers/12") == []
    assert spec.validate_request("GET", "/api/external/v2/customers/12") == []
    (error,) = spec.validate_request("GET", "/customers/abc")
    assert "path parameter 'id'" in error
    (error,) = spec.validate_request("POST", "/customers", json_body={"name": "x"})
    assert "allows GET" in error
    assert spec.validate_request("GET", "/invoices") == ["/invoices is not a path of the Pennylane API v2"]
    (error,) = spec.validate_request("POST", "/customer_invoices/import")
    assert "body is required" in error
    assert spec.operation_for("POST", "/customer_invoices/import") == "importCustomerInvoices"
    assert spec.operation_for("GET", "/customer_invoices/5") == "getCustomerInvoice"
    assert spec.operation_for("POST", "/customer_invoices/5/link_credit_note") == "linkCreditNote"
    assert spec.required_scopes("POST", "/supplier_invoices/import") == ("supplier_invoices:all",)
    assert spec.required_scopes("GET", "/me") == ()
    assert spec.validate_request("GET", "/me") == []  # the token's company, named before a send
    assert spec.operation_for("GET", "/me") == "getMe"
    assert "ledger (DEPRECATED)" not in spec.required_scopes("GET", "/ledger_accounts")


def test_multipart_file_attachments():
    pdf = ("invoice.pdf", b"%PDF-1.4 ...", "application/pdf")
    assert spec.validate_request("POST", "/file_attachments",
                                 multipart={"file": pdf, "filename": "invoice.pdf"}) == []
    (error,) = spec.validate_request("POST", "/file_attachments",
                                     multipart={"file": ("a.txt", b"hi", "text/plain")})
    assert "'text/plain' is not allowed" in error
    (error,) = spec.validate_request("POST", "/file_attachments", multipart={"filename": "a.pdf"})
    assert "'file' is a required property" in error
    errors = spec.validate_request("POST", "/file_attachments",
                                   multipart={"file": pdf, "filename": "x" * 300})
    assert any("filename" in e for e in errors)
    (error,) = spec.validate_request("POST", "/file_attachments", json_body={"file": "x"})
    assert "multipart/form-data" in error


def test_responses_validate_too():
    me = {"user": None, "company": {"id": 1, "name": "ACME", "reg_no": "123456789"}, "scopes": []}
    assert spec.validate_response("GET", "/me", 200, me) == []
    assert spec.validate_response("GET", "/me", 200, {"scopes": []})
    assert spec.response_schema("GET", "/customer_invoices/1", 200)["properties"]["id"]["type"] == "integer"


def test_the_spec_is_loaded_and_each_validator_compiled_once():
    # What keeps validating hundreds of requests cheap (the dry-run, the emulator): one Spec per
    # process and one compiled validator per operation, reused (timings are the benches' job).
    spec.validate_request("POST", "/customer_invoices/import", json_body=GOOD_CUSTOMER_IMPORT)
    loaded = spec.load_spec()
    operation, _ = spec.find_operation("POST", "/customer_invoices/import")
    validator = operation._json_validator
    for _ in range(300):
        assert errors_for(GOOD_CUSTOMER_IMPORT) == []
    assert spec.load_spec() is loaded
    again, _ = spec.find_operation("POST", "/customer_invoices/import")
    assert again is operation and again._json_validator is validator


def test_to_json_schema_nullable():
    assert spec.to_json_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert spec.to_json_schema({"type": "string", "enum": ["a"], "nullable": True}) == \
        {"type": ["string", "null"], "enum": ["a", None]}
    assert spec.to_json_schema({"allOf": [{"type": "string"}], "nullable": True}) == \
        {"anyOf": [{"type": "null"}, {"allOf": [{"type": "string"}]}]}
    assert spec.to_json_schema({"type": "integer", "format": "int64", "example": 1}) == {"type": "integer"}


def test_refs_resolve_against_the_whole_document():
    document = {
        "paths": {"/api/external/v2/things": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"}}}},
            "responses": {}}}},
        "components": {"schemas": {"Thing": {"type": "object", "required": ["n"], "properties": {
            "n": {"type": "string", "nullable": True}}}}},
    }
    local = spec.Spec(document)
    assert local.validate_request("POST", "/things", json_body={"n": None}) == []
    assert local.validate_request("POST", "/things", json_body={"n": 1})
    assert local.validate_request("POST", "/things", json_body={})


# --------------------------------------------------------------------------- VAT


@pytest.mark.parametrize("rate, code", [
    ("20", "FR_200"), ("20.00", "FR_200"), ("10", "FR_100"), ("5.5", "FR_55"), ("5.50", "FR_55"),
    ("2.1", "FR_21"), ("8.5", "FR_85"), ("0", "exempt"), ("0.00", "exempt"),
])
def test_default_vat_codes(rate, code):
    assert vat.vat_rate_code(Decimal(rate)) == code


def test_vat_overrides_zero_rate_and_source_code():
    mapper = vat.VatMapper({"0": "intracom_21", "19": "DE_190", "7.0": "DE_70"})
    assert mapper.code(Decimal("0")) == "intracom_21"
    assert mapper.code(Decimal("19.00")) == "DE_190"
    assert mapper.code(Decimal("7")) == "DE_70"
    assert vat.VatMapper(zero_rate="extracom").code(Decimal(0)) == "extracom"
    assert mapper.code(Decimal("20"), source_code="FR_200_construction") == "FR_200_construction"
    assert mapper.code(Decimal("20"), source_code="not-a-code") == "FR_200"



def test_a_zero_rate_sale_abroad_takes_its_zones_code():
    """0 % to a business client in another EU country: crossborder; outside the EU: extracom;
    a workspace's "0:eu" / "0:export" replace them; a source's valid code still wins."""
    mapper = vat.VatMapper()
    assert [mapper.code(Decimal(0), zone=z) for z in (None, "eu", "export")] == ["exempt", "crossborder", "extracom"]
    assert mapper.code(Decimal(20), zone="eu") == "FR_200", "a zone only decides a 0 % line"
    mapper = vat.VatMapper({"0:eu": "intracom_21", "0": "exempt"})
    assert (mapper.code(Decimal(0), zone="eu"), mapper.code(Decimal(0), zone="export")) == ("intracom_21", "extracom")
    assert mapper.code(Decimal(0), zone="eu", source_code="exempt") == "exempt"
    assert mapper.key_for(Decimal("0.00"), "eu") == "0:eu" and mapper.mapped == {"0:eu", "0"}
    with pytest.raises(vat.VatMappingError, match="VAT override for 0:export: 'export'"):
        vat.VatMapper({"0:export": "export"})


def test_vat_unmappable_and_invalid_configuration():
    with pytest.raises(vat.VatMappingError, match=r"no Pennylane VAT code for 7%"):
        vat.vat_rate_code(Decimal("7"))
    with pytest.raises(vat.VatMappingError, match=r"VAT rate unknown"):
        vat.vat_rate_code(None)
    with pytest.raises(vat.VatMappingError, match=r"'FR_20' is not a Pennylane vat_rate code"):
        vat.VatMapper({"20": "FR_20"})
    with pytest.raises(vat.VatMappingError, match="zero-rate"):
        vat.VatMapper(zero_rate="zero")
    with pytest.raises(vat.VatMappingError):
        vat.rate_key("twenty")


# --------------------------------------------------------------------------- builders

RATES = [Decimal(r) for r in ("20", "10", "5.5", "2.1", "8.5", "0")]
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY"]


@st.composite
def lines(draw):
    rate = draw(st.sampled_from(RATES))
    whole = draw(st.booleans())
    quantity = Decimal(draw(st.integers(1, 40))) if whole else \
        Decimal(draw(st.integers(1, 99999))).scaleb(-draw(st.integers(1, 3)))
    unit_price = Decimal(draw(st.integers(0, 10_000_000))).scaleb(-draw(st.integers(0, 7)))
    if draw(st.integers(0, 9)) == 0:
        unit_price = -unit_price  # a discount line
    before = (quantity * unit_price).quantize(CENT)
    tax = (before * rate / 100).quantize(CENT)
    label = draw(st.text(min_size=0, max_size=30))
    return Line(label=label, quantity=quantity, unit_price=unit_price, amount_before_tax=before,
                tax=tax, amount=before + tax, vat_rate=rate,
                accounting_hint=draw(st.sampled_from([None, "706", "707", "unknown"])))


@st.composite
def counterparties(draw, individual=None):
    is_individual = draw(st.booleans()) if individual is None else individual
    first = draw(st.sampled_from(["Jean", "Marie-Claire", "Ana Maria"]))
    return Counterparty(
        source_id=str(draw(st.integers(1, 10**6))),
        name=f"{first} Dupont" if is_individual else draw(st.sampled_from(["ACME SAS", "Öko GmbH", "L'Atelier"])),
        vat_number=draw(st.sampled_from([None, "FR 40 303265045", "DE123456789"])),
        siren=draw(st.sampled_from([None, "303 265 045", "12"])),
        siret=draw(st.sampled_from([None, "30326504500012"])),
        address=Address(street="10 rue de la Paix", postal_code="75002", city="Paris",
                        country_alpha2=draw(st.sampled_from(["FR", "de", "BE"]))),
        email=draw(st.sampled_from([None, "compta@example.com"])),
        is_individual=is_individual,
    )


@st.composite
def documents(draw, kinds=KINDS):
    kind = draw(st.sampled_from(kinds))
    doc_lines = draw(st.lists(lines(), min_size=1, max_size=6))
    before = sum((li.amount_before_tax for li in doc_lines), Decimal(0))
    tax = sum((li.tax for li in doc_lines), Decimal(0))
    if kind in CREDIT_NOTE_KINDS and draw(st.booleans()):  # the source already gave negatives
        doc_lines = [Line(li.label, li.quantity, -li.unit_price, -li.amount_before_tax, -li.tax,
                          -li.amount, li.vat_rate, li.accounting_hint) for li in doc_lines]
        before, tax = -before, -tax
    issue = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
    due = draw(st.sampled_from([None, issue + dt.timedelta(days=30)]))
    return Document(
        source_id=str(draw(st.integers(1, 10**9))), kind=kind,
        number=draw(st.sampled_from([None, "F-0001", "AV/2026/12"])), issue_date=issue,
        due_date=due, currency=draw(st.sampled_from(CURRENCIES)), total_before_tax=before,
        total_tax=tax, total=before + tax,
        counterparty=draw(counterparties()), lines=doc_lines,
    )


def _walk_floats(value, path="body"):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _walk_floats(sub, f"{path}.{key}")
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _walk_floats(sub, f"{path}[{i}]")
    elif isinstance(value, (float, Decimal)):
        yield path


def import_body(doc: Document) -> tuple[str, dict]:
    common = dict(file_attachment_id=99, external_reference=rb.external_reference("ws", doc.id),
                  ledger_accounts={"706": 1706, "*": 1000})
    if doc.kind in CUSTOMER_KINDS:
        return "/customer_invoices/import", rb.customer_invoice_import_body(doc, customer_id=5, **common)
    return "/supplier_invoices/import", rb.supplier_invoice_import_body(doc, supplier_id=6, **common)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_every_generated_invoice_body_validates(doc):
    path, body = import_body(doc)
    assert spec.validate_request("POST", path, json_body=body) == []
    # money never travels as a float; only non-integral quantities are JSON numbers
    floats = [p for p in _walk_floats(body) if not p.endswith(".quantity")]
    assert floats == []
    assert json.loads(json.dumps(body)) == body
    total = Decimal(body["currency_amount"])
    if doc.kind in CREDIT_NOTE_KINDS:
        assert total <= 0
    else:
        assert Decimal(body["currency_amount"]) == doc.total
    assert Decimal(body["currency_amount_before_tax"]) + Decimal(body["currency_tax"]) == total
    assert abs(sum(Decimal(li["currency_amount"]) for li in body["invoice_lines"]) - total) \
        <= CENT * len(body["invoice_lines"])


@settings(max_examples=150, deadline=None)
@given(counterparties())
def test_every_generated_party_body_validates(cp):
    ref = rb.external_reference("ws", "party:" + cp.source_id)
    path, body = rb.customer_request(cp, ref)
    assert path == ("/individual_customers" if cp.is_individual else "/company_customers")
    assert spec.validate_request("POST", path, json_body=body) == []
    assert spec.validate_request("POST", "/suppliers", json_body=rb.supplier_body(cp, ref)) == []


def make_doc(kind=CUSTOMER_INVOICE, sign=1, **changes) -> Document:
    line = Line(label="Prestation", quantity=Decimal("1.5"), unit_price=Decimal("80"),
                amount_before_tax=sign * Decimal("120.00"), tax=sign * Decimal("24.00"),
                amount=sign * Decimal("144.00"), vat_rate=Decimal("20"))
    base = dict(source_id="inv-1", kind=kind, number="F-1", issue_date=dt.date(2026, 3, 1),
                due_date=None, currency="EUR", total_before_tax=sign * Decimal("120.00"),
                total_tax=sign * Decimal("24.00"), total=sign * Decimal("144.00"),
                counterparty=None, lines=[line], connection="demo")
    base.update(changes)
    return Document(**base)


def test_customer_invoice_body_exact():
    body = rb.customer_invoice_import_body(
        make_doc(), customer_id=5, file_attachment_id=9, external_reference="ecluse:x",
        ledger_accounts={"*": 706})
    assert body == {
        "file_attachment_id": 9, "customer_id": 5, "date": "2026-03-01", "deadline": "2026-03-01",
        "currency": "EUR", "currency_amount_before_tax": "120.00", "currency_tax": "24.00",
        "currency_amount": "144.00", "external_reference": "ecluse:x", "invoice_number": "F-1",
        "invoice_lines": [{"currency_amount": "144.00", "currency_tax": "24.00", "vat_rate": "FR_200",
                           "label": "Prestation", "ledger_account_id": 706, "quantity": 1.5,
                           "raw_currency_unit_price": "80.00", "unit": "piece"}],
    }
    assert json.dumps(body["invoice_lines"][0]["quantity"]) == "1.5"


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("kind", [CUSTOMER_CREDIT_NOTE, SUPPLIER_CREDIT_NOTE])
def test_credit_notes_go_negative_whatever_the_source_sign(kind, sign):
    doc = make_doc(kind, sign)
    build = rb.customer_invoice_import_body if kind == CUSTOMER_CREDIT_NOTE else rb.supplier_invoice_import_body
    party = {"customer_id": 1} if kind == CUSTOMER_CREDIT_NOTE else {"supplier_id": 1}
    body = build(doc, file_attachment_id=2, external_reference="r", **party)
    assert (body["currency_amount"], body["currency_tax"]) == ("-144.00", "-24.00")
    line = body["invoice_lines"][0]
    assert line["currency_amount"] == "-144.00"
    if kind == CUSTOMER_CREDIT_NOTE:
        assert line["quantity"] == 1.5 and line["raw_currency_unit_price"] == "-80.00"


def test_value_formatting():
    assert rb.unit_price_text(Decimal("12.5")) == "12.50"
    assert rb.unit_price_text(Decimal("33.333334")) == "33.333334"
    assert rb.unit_price_text(Decimal("0.1234567")) == "0.123457"
    assert rb.unit_price_text(Decimal("-0")) == "0.00"
    assert rb.unit_price_text(Decimal("1E+2")) == "100.00"
    assert rb.amount_text(Decimal("-0.001")) == "0.00"
    assert rb.json_quantity(Decimal("3.000")) == 3 and isinstance(rb.json_quantity(Decimal("3.0")), int)
    assert json.dumps(rb.json_quantity(Decimal("0.333"))) == "0.333"
    with pytest.raises(rb.BuildError):
        rb.json_quantity(Decimal("1.00000000000000000001"))


def test_external_reference_is_deterministic():
    ref = rb.external_reference("ws-1", "demo:inv-1")
    assert ref == rb.external_reference("ws-1", "demo:inv-1")
    assert ref != rb.external_reference("ws-2", "demo:inv-1")
    assert ref != rb.external_reference("ws-1", "demo:inv-2")
    assert ref.startswith("ecluse:") and len(ref) == 31


def test_builders_refuse_what_pennylane_would_reject():
    with pytest.raises(rb.IncoherentTotals, match="lines add up"):
        rb.customer_invoice_import_body(make_doc(total=Decimal("150.00"), total_tax=Decimal("30.00")),
                                        customer_id=1, file_attachment_id=2, external_reference="r")
    with pytest.raises(rb.IncoherentTotals, match="before tax"):
        rb.customer_invoice_import_body(make_doc(total=Decimal("145.00")), customer_id=1,
                                        file_attachment_id=2, external_reference="r")
    with pytest.raises(rb.MissingData, match="issue date"):
        rb.customer_invoice_import_body(make_doc(issue_date=None), customer_id=1,
                                        file_attachment_id=2, external_reference="r")
    with pytest.raises(vat.VatMappingError, match="line 1"):
        rb.customer_invoice_import_body(make_doc(lines=[Line("x", Decimal(1), Decimal(100), Decimal(100),
                                                             Decimal(7), Decimal(107), Decimal(7))],
                                                 total_before_tax=Decimal(100), total_tax=Decimal(7),
                                                 total=Decimal(107)),
                                        customer_id=1, file_attachment_id=2, external_reference="r")
    with pytest.raises(rb.BuildError, match="currency"):
        rb.customer_invoice_import_body(make_doc(currency="XXX"), customer_id=1,
                                        file_attachment_id=2, external_reference="r")
    with pytest.raises(rb.BuildError, match="categories"):
        rb.customer_invoice_import_body(make_doc(), customer_id=1, file_attachment_id=2,
                                        external_reference="r", category_ids=[3])
    with pytest.raises(rb.BuildError, match="not a supplier document"):
        rb.supplier_invoice_import_body(make_doc(), supplier_id=1, file_attachment_id=2,
                                        external_reference="r")


def test_missing_address_is_listed():
    cp = Counterparty(source_id="c1", name="ACME", address=Address(city="Lyon", country_alpha2="FRA"))
    with pytest.raises(rb.MissingData) as info:
        rb.company_customer_body(cp, "r")
    assert info.value.missing == ["billing address.street", "billing address.postal code",
                                  "billing address.country (ISO alpha-2, got 'FRA')"]
    assert "ACME" in str(info.value)
    solo = Counterparty(source_id="c2", name="Madonna", is_individual=True,
                        address=Address("1 rue A", "75001", "Paris", "FR"))
    with pytest.raises(rb.MissingData, match="first name"):
        rb.individual_customer_body(solo, "r")
    body = rb.individual_customer_body(solo, "r", first_name="Louise", last_name="Ciccone")
    assert spec.validate_request("POST", "/individual_customers", json_body=body) == []
    # the supplier address is optional: incomplete -> left out, not an error
    assert "postal_address" not in rb.supplier_body(cp, "r")


def test_categories_and_link_bodies():
    body = rb.categories_body([3, 4, 5])
    assert [c["id"] for c in body] == [3, 4, 5]
    assert sum(Decimal(c["weight"]) for c in body) == 1
    assert spec.validate_request("PUT", "/customer_invoices/1/categories", json_body=body) == []
    assert spec.validate_request("POST", "/customer_invoices/1/link_credit_note",
                                 json_body=rb.link_credit_note_body(2)) == []
