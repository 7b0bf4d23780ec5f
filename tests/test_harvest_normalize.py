"""Harvest payload → Document: the documentation's examples, the totals rule, addresses, and
generated (hypothesis) invoices, good and broken."""
from __future__ import annotations

import copy
import pathlib
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecluse.domain import CUSTOMER_CREDIT_NOTE, CUSTOMER_INVOICE, DomainError, json_loads
from ecluse.plugins.harvest.address import country_code, parse_address
from ecluse.plugins.harvest.normalize import (
    SOURCE_TOTALS_MISMATCH,
    NormalizeError,
    SourceLine,
    apportion,
    compute_totals,
    normalize_client,
    normalize_invoice,
)
from ecluse.validation import validate
from tests.emulators.harvest import harvest_amounts, with_harvest_amounts
from tests.test_finding_texts import says_it_in_both_languages

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "harvest"
LINE_CHECKS = {"vat_amount_mismatch", "line_total_mismatch", "totals_mismatch", "total_not_sum"}


def fixture(name: str) -> Any:
    return json_loads((FIXTURES / name).read_text())


def clients_by_id() -> dict[int, dict]:
    return {c["id"]: c for c in fixture("clients_list.json")["clients"]}


def codes(doc) -> set[str]:
    return {f.code for f in doc.findings}


# ---------------------------------------------------------------- documentation examples


def test_documented_invoice_1001_with_discount_tax_and_tax2():
    invoice = fixture("invoices_list.json")["invoices"][0]
    doc = normalize_invoice(invoice, clients_by_id()[5735776])
    assert (doc.source_id, doc.number, doc.kind, doc.currency) == ("13150403", "1001", CUSTOMER_INVOICE, "EUR")
    assert str(doc.issue_date) == "2017-04-01" and str(doc.due_date) == "2017-04-01"
    assert doc.source_updated_at.isoformat() == "2017-08-23T22:25:59+00:00"
    # documented: 300 − 30 (10 %) + 13.50 (5 %) + 5.40 (2 %) = 288.90
    assert (doc.total_before_tax, doc.total_tax, doc.total) == (D("270.00"), D("18.90"), D("288.90"))
    assert doc.findings == []
    first, second = doc.lines
    assert first.quantity == 2 and first.unit_price == 100
    assert (first.amount_before_tax, first.tax, first.amount) == (D("180.00"), D("12.60"), D("192.60"))
    assert (second.amount_before_tax, second.tax, second.amount) == (D("90.00"), D("6.30"), D("96.30"))
    assert first.vat_rate == D("7")  # tax 5 % + tax2 2 %
    assert first.accounting_hint == "kind:Service|project:OS1"
    assert first.label.startswith("03/01/2017 - Project Management")
    assert doc.raw == invoice and doc.raw["tax_amount"] == D("13.5")
    cp = doc.counterparty
    assert (cp.source_id, cp.name, cp.role) == ("5735776", "123 Industries", "customer")
    assert (cp.address.street, cp.address.postal_code, cp.address.city, cp.address.country_alpha2) == (
        "123 Main St.", "71223", "Anytown, LA", "US")
    assert cp.address_raw == "123 Main St.\r\nAnytown, LA 71223"


def test_documented_invoice_1000_paid_in_usd():
    invoice = fixture("invoices_list.json")["invoices"][1]
    doc = normalize_invoice(invoice, clients_by_id()[5735776])
    assert (doc.number, doc.currency, doc.kind) == ("1000", "USD", CUSTOMER_INVOICE)
    assert (doc.total_before_tax, doc.total_tax, doc.total) == (D("10000.00"), D("700.00"), D("10700.00"))
    assert [line.tax for line in doc.lines] == [D("700.00")]
    assert doc.findings == []


def test_documented_created_invoice_without_tax():
    invoice = fixture("invoice_created_draft.json")  # a draft: the connector skips those, normalize does not care
    doc = normalize_invoice(invoice, clients_by_id()[5735774])
    assert (doc.total_before_tax, doc.total_tax, doc.total) == (D("5000.00"), D("0.00"), D("5000.00"))
    assert doc.lines[0].vat_rate == 0 and doc.lines[0].accounting_hint == "kind:Service"
    assert doc.counterparty.address.postal_code == "06467"


def test_documented_estimates_follow_the_same_rule():
    for estimate in fixture("estimates_list.json")["estimates"]:
        doc = normalize_invoice(estimate, None)
        assert SOURCE_TOTALS_MISMATCH not in codes(doc)
        assert doc.total == estimate["amount"]


def test_documented_clients():
    new_client = fixture("client_created.json")
    cp, findings = normalize_client(new_client)
    assert cp.name == "Your New Client" and cp.address_raw is None
    assert [f.code for f in findings] == ["address_unparsed"]
    assert findings[0].severity == "warning" and findings[0].field == "counterparty.address"
    cp, findings = normalize_client(clients_by_id()[5735774])
    assert findings == [] and cp.address.country_alpha2 == "US"


# ---------------------------------------------------------------- totals rule


def line(amount: str, taxed: bool = True, taxed2: bool = False) -> SourceLine:
    return SourceLine("x", D(1), D(amount), D(amount), taxed, taxed2, None)


def test_rounding_is_half_up_once_per_total():
    # 3 × 0.125 exact shares would round to 0.13 each (0.39); Harvest rounds the sum once: 0.38
    lines = [line("0.625"), line("0.625"), line("0.625")]
    totals = compute_totals(lines, D("20"), None, None)
    assert totals.tax_amount == D("0.38")  # 1.875 × 20 % = 0.375 → 0.38 (half up)
    assert compute_totals([line("10.05")], D("5"), None, None).tax_amount == D("0.50")  # 0.5025
    assert compute_totals([line("-10.10")], D("5"), None, None).tax_amount == D("-0.51")  # −0.505 away from 0


def test_tax_applies_after_discount_and_only_to_flagged_lines():
    lines = [line("100.00"), line("50.00", taxed=False, taxed2=True)]
    totals = compute_totals(lines, D("20"), D("10"), D("10"))
    assert totals.discount_amount == D("15.00")
    assert totals.tax_amount == D("18.00")  # 20 % of 90
    assert totals.tax2_amount == D("4.50")  # 10 % of 45
    assert totals.amount == D("157.50")


def test_apportion_adds_up_and_stays_within_a_cent():
    exact = [D("0.375"), D("0.375"), D("0.375"), D("0")]
    parts = apportion(exact, D("1.13"))
    assert sum(parts) == D("1.13") and parts[3] == 0
    assert all(abs(p - e) < D("0.01") for p, e in zip(parts, exact))
    assert apportion([D("-1.005"), D("2.5")], D("1.50")) == [D("-1.00"), D("2.50")]
    assert apportion([], D("0")) == []
    # a target the shares do not explain (a source mismatch) still adds up
    assert sum(apportion([D("1"), D("0")], D("1.05"))) == D("1.05")


def test_negative_total_is_a_credit_note_and_negative_lines_stay_lines():
    credit = with_harvest_amounts({
        "id": 1, "number": "AV-1", "state": "open", "currency": "EUR", "issue_date": "2024-05-02",
        "tax": D("20"), "tax2": None, "discount": None,
        "line_items": [{"description": "Avoir", "quantity": D("1"), "unit_price": D("-100.00"), "taxed": True}],
    })
    doc = normalize_invoice(credit, None)
    assert doc.kind == CUSTOMER_CREDIT_NOTE and doc.total == D("-120.00") and doc.total_tax == D("-20.00")
    mixed = with_harvest_amounts({
        "id": 2, "number": "F-2", "state": "open", "currency": "EUR", "issue_date": "2024-05-02",
        "tax": D("20"), "tax2": None, "discount": None,
        "line_items": [
            {"description": "Work", "quantity": D("2"), "unit_price": D("300.00"), "taxed": True},
            {"description": "Rebate", "quantity": D("1"), "unit_price": D("-50.00"), "taxed": True},
        ],
    })
    doc = normalize_invoice(mixed, None)
    assert doc.kind == CUSTOMER_INVOICE and doc.total == D("660.00")
    assert [line.amount for line in doc.lines] == [D("720.00"), D("-60.00")]


def test_source_totals_mismatch_is_an_error_finding_and_harvest_figures_win():
    invoice = copy.deepcopy(fixture("invoices_list.json")["invoices"][0])
    invoice["tax_amount"] = D("13.51")
    invoice["amount"] = D("288.91")
    doc = normalize_invoice(invoice, None)
    mismatch = [f for f in doc.findings if f.code == SOURCE_TOTALS_MISMATCH]
    assert len(mismatch) == 1 and mismatch[0].severity == "error"
    assert "tax_amount 13.51 (recomputed 13.50)" in mismatch[0].message
    assert doc.total == D("288.91") and doc.total_tax == D("18.91")
    assert sum(line.tax for line in doc.lines) == D("18.91")


def test_partially_bad_invoice_is_a_document_with_findings():
    invoice = copy.deepcopy(fixture("invoices_list.json")["invoices"][0])
    for key in ("number", "currency", "issue_date", "amount"):
        del invoice[key]
    invoice["due_date"] = "someday"
    invoice["line_items"][1].pop("amount")
    doc = normalize_invoice(invoice, None)
    assert {"number_missing", "currency_missing", "issue_date_missing", "due_date_invalid",
            "source_total_missing", "line_amount_missing", "address_unparsed"} <= codes(doc)
    assert doc.total == D("288.90") and doc.currency == "EUR"


@pytest.mark.parametrize("mutate, message", [
    (lambda i: i.pop("id"), "no id"),
    (lambda i: i.update(line_items="none"), "line_items"),
    (lambda i: i["line_items"].append("oops"), "line 3"),
    (lambda i: i["line_items"][0].update(amount="abc", quantity=None), "not a number"),
    (lambda i: i.update(tax=5.0), "binary float"),
])
def test_unusable_invoice_raises_normalize_error(mutate, message):
    invoice = copy.deepcopy(fixture("invoices_list.json")["invoices"][0])
    mutate(invoice)
    with pytest.raises(DomainError, match=message):
        normalize_invoice(invoice, None)
    with pytest.raises(NormalizeError):
        normalize_invoice(["not", "a", "dict"], None)


# ---------------------------------------------------------------- hypothesis: generated invoices

money = st.decimals(min_value=D("-5000"), max_value=D("5000"), places=2)
quantity = st.decimals(min_value=D("0.01"), max_value=D("500"), places=2)
rate = st.sampled_from([None, D("0"), D("2.1"), D("5.5"), D("8.875"), D("10"), D("20"), D("9.975")])
discount = st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("100"), places=3))


@st.composite
def harvest_invoices(draw: Any) -> dict[str, Any]:
    lines = draw(st.lists(st.fixed_dictionaries({
        "kind": st.sampled_from(["Service", "Product", None]),
        "description": st.text(max_size=20),
        "quantity": quantity,
        "unit_price": money,
        "taxed": st.booleans(),
        "taxed2": st.booleans(),
        "project": st.one_of(st.none(), st.fixed_dictionaries({"id": st.integers(1, 99), "code": st.sampled_from(["OS1", "", None])})),
    }), min_size=0, max_size=8))
    invoice = {
        "id": draw(st.integers(1, 10**9)), "number": "F-1", "state": "open", "currency": "EUR",
        "issue_date": "2024-05-02", "due_date": "2024-06-01", "updated_at": "2024-05-02T10:00:00Z",
        "client": {"id": 5, "name": "Client"}, "tax": draw(rate), "tax2": draw(rate), "discount": draw(discount),
        "line_items": lines,
    }
    return with_harvest_amounts(invoice)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(harvest_invoices())
def test_generated_invoices_match_harvest_totals_to_the_cent(invoice):
    doc = normalize_invoice(invoice, {"id": 5, "name": "Client", "address": "1 rue A\n75001 Paris"})
    assert SOURCE_TOTALS_MISMATCH not in codes(doc)
    assert doc.total == invoice["amount"]
    assert doc.total_tax == invoice["tax_amount"] + invoice["tax2_amount"]
    subtotal = sum((line["amount"] for line in invoice["line_items"]), D(0))
    assert doc.total_before_tax == subtotal - invoice["discount_amount"]
    assert doc.kind == (CUSTOMER_CREDIT_NOTE if invoice["amount"] < 0 else CUSTOMER_INVOICE)
    # the lines add up exactly, and each line's tax is its rate × base within a cent
    assert sum((line.amount_before_tax for line in doc.lines), D(0)) == doc.total_before_tax
    assert sum((line.tax for line in doc.lines), D(0)) == doc.total_tax
    assert sum((line.amount for line in doc.lines), D(0)) == doc.total
    assert not LINE_CHECKS & {f.code for f in validate(doc)}


@settings(max_examples=100, deadline=None)
@given(harvest_invoices(), st.sampled_from(["amount", "tax_amount", "tax2_amount", "discount_amount"]),
       st.sampled_from([D("0.01"), D("-0.01"), D("1")]))
def test_a_total_harvest_computed_differently_is_always_reported(invoice, field, delta):
    invoice[field] = (invoice[field] or D(0)) + delta
    doc = normalize_invoice(invoice, None)
    assert SOURCE_TOTALS_MISMATCH in codes(doc)


junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=5),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.just("12,50"), st.just(D("NaN")))
KEYS = ["id", "number", "amount", "tax", "tax2", "discount", "tax_amount", "tax2_amount", "discount_amount",
        "currency", "issue_date", "due_date", "updated_at", "client", "line_items"]
LINE_KEYS = ["quantity", "unit_price", "amount", "taxed", "taxed2", "kind", "description", "project"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(harvest_invoices(), st.lists(st.tuples(st.sampled_from(KEYS), st.booleans(), junk), max_size=4),
       st.lists(st.tuples(st.sampled_from(LINE_KEYS), st.booleans(), junk), max_size=4),
       st.one_of(st.none(), junk, st.fixed_dictionaries({"id": junk, "name": junk, "address": junk})))
def test_broken_records_never_raise_anything_but_normalize_errors(invoice, edits, line_edits, client):
    for key, delete, value in edits:
        if delete:
            invoice.pop(key, None)
        else:
            invoice[key] = value
    lines = invoice.get("line_items")
    if isinstance(lines, list) and lines and isinstance(lines[0], dict):
        for key, delete, value in line_edits:
            if delete:
                lines[0].pop(key, None)
            else:
                lines[0][key] = value
    try:
        doc = normalize_invoice(invoice, client)
    except DomainError as exc:
        assert str(exc)  # a Problem message
        return
    assert doc.source_id and doc.currency and doc.total is not None
    found = validate(doc)  # and the document is usable downstream
    for finding in doc.findings + found:  # and the console says each finding in French and English
        says_it_in_both_languages(finding)


# ---------------------------------------------------------------- addresses (table-driven)

ADDRESSES = [
    # text, street, postal code, city, country (None: left to the reviewer)
    ("12 rue de la Paix\n75002 Paris\nFrance", "12 rue de la Paix", "75002", "Paris", "FR"),
    ("8 avenue des Champs-Élysées\r\n75008 PARIS", "8 avenue des Champs-Élysées", "75008", "PARIS", "FR"),
    ("Tour Europlaza\n20 avenue André Prothin\nCS 30001\n92927 LA DEFENSE CEDEX",
     "Tour Europlaza, 20 avenue André Prothin, CS 30001", "92927", "LA DEFENSE CEDEX", "FR"),
    ("BP 123\n33000 BORDEAUX CEDEX 9", "BP 123", "33000", "BORDEAUX CEDEX 9", "FR"),
    ("3 place Bellecour, 69002 Lyon, France", "3 place Bellecour", "69002", "Lyon", "FR"),
    ("12, rue de la Paix, 75002 Paris", "12, rue de la Paix", "75002", "Paris", "FR"),
    ("5 bd Y\nF-13008 Marseille", "5 bd Y", "13008", "Marseille", "FR"),
    ("5 bd Y\n13008 Marseille France", "5 bd Y", "13008", "Marseille", "FR"),
    ("2 av. Princesse Grace\n98000 Monaco", "2 av. Princesse Grace", "98000", "Monaco", "MC"),
    ("10 Downing Street\nLondon\nSW1A 2AA\nUnited Kingdom", "10 Downing Street", "SW1A 2AA", "London", "GB"),
    ("221B Baker Street\nLondon NW1 6XE\nUK", "221B Baker Street", "NW1 6XE", "London", "GB"),
    ("1 High St\nManchester m1 1ad\nRoyaume-Uni", "1 High St", "M1 1AD", "Manchester", "GB"),
    ("123 Main St.\r\nAnytown, LA 71223", "123 Main St.", "71223", "Anytown, LA", "US"),
    ("1600 Amphitheatre Parkway, Mountain View, CA 94043, USA",
     "1600 Amphitheatre Parkway", "94043", "Mountain View, CA", "US"),
    ("350 Fifth Avenue\nNew York, NY 10118-0110\nÉtats-Unis", "350 Fifth Avenue", "10118-0110", "New York, NY", "US"),
    ("Friedrichstraße 43\n10117 Berlin\nDeutschland", "Friedrichstraße 43", "10117", "Berlin", "DE"),
    ("Hauptstr. 5\nD-80331 München", "Hauptstr. 5", "80331", "München", "DE"),
    ("Königsallee 1\n40212 Düsseldorf\nAllemagne", "Königsallee 1", "40212", "Düsseldorf", "DE"),
    ("Rue de la Loi 16\n1000 Bruxelles\nBelgique", "Rue de la Loi 16", "1000", "Bruxelles", "BE"),
    ("Meir 1\n2000 Antwerpen\nBelgië", "Meir 1", "2000", "Antwerpen", "BE"),
    ("Rue Neuve 2\nB-1000 Brussels", "Rue Neuve 2", "1000", "Brussels", "BE"),
    ("Calle de Alcalá 50\n28014 Madrid\nEspaña", "Calle de Alcalá 50", "28014", "Madrid", "ES"),
    ("Passeig de Gràcia 1\n08007 Barcelona\nSpain", "Passeig de Gràcia 1", "08007", "Barcelona", "ES"),
    ("Bahnhofstrasse 1\n8001 Zürich\nSuisse", "Bahnhofstrasse 1", "8001", "Zürich", "CH"),
    ("2 rue X\nL-1234 Luxembourg", "2 rue X", "1234", "Luxembourg", "LU"),
    ("Keizersgracht 123\n1015 CJ Amsterdam\nNetherlands", "Keizersgracht 123", "1015 CJ", "Amsterdam", "NL"),
    ("Rua Augusta 10\n1100-053 Lisboa\nPortugal", "Rua Augusta 10", "1100-053", "Lisboa", "PT"),
    ("Via Roma 1\n00184 Roma\nItalia", "Via Roma 1", "00184", "Roma", "IT"),
    ("1 Rue Sainte-Catherine\nMontréal, QC H2X 1Y4\nCanada", "1 Rue Sainte-Catherine", "H2X 1Y4", "Montréal, QC", "CA"),
    # incomplete: the reviewer completes them
    ("Rue de la Station 3\n1000 Bruxelles", "Rue de la Station 3", "1000", "Bruxelles", None),
    ("75002 Paris", None, "75002", "Paris", "FR"),
    ("See the contract", None, None, None, None),
    ("Wien\nÖsterreich", None, None, None, "AT"),
    ("", None, None, None, None),
    (None, None, None, None, None),
]


@pytest.mark.parametrize("text, street, postal_code, city, country", ADDRESSES)
def test_address_parsing(text, street, postal_code, city, country):
    parsed = parse_address(text)
    a = parsed.address
    assert (a.street, a.postal_code, a.city, a.country_alpha2) == (street, postal_code, city, country)
    assert parsed.complete == all([street, postal_code, city, country])


@pytest.mark.parametrize("name, code", [
    ("France", "FR"), ("FRANCE", "FR"), ("Royaume-Uni", "GB"), ("United Kingdom", "GB"), ("Deutschland", "DE"),
    ("Allemagne", "DE"), ("België", "BE"), ("España", "ES"), ("Espagne", "ES"), ("Schweiz", "CH"),
    ("États-Unis", "US"), ("U.S.A.", "US"), ("Pays-Bas", "NL"), ("Côte d'Ivoire", "CI"), ("DE", "DE"),
    ("Narnia", None), ("LA", None),
])
def test_country_names(name, code):
    assert country_code(name) == code


def test_unparsed_address_finding_quotes_the_text_and_keeps_the_raw():
    cp, findings = normalize_client({"id": 9, "name": "Vague SARL", "address": "Quelque part\nen Bretagne"})
    assert cp.address_raw == "Quelque part\nen Bretagne"
    (finding,) = findings
    assert (finding.code, finding.severity, finding.field) == ("address_unparsed", "warning", "counterparty.address")
    assert "Vague SARL" in finding.message and "Quelque part / en Bretagne" in finding.message
    assert "postal code" in finding.message


def test_clients_sharing_an_address_text_get_their_own_address_objects():
    text = "12 rue de la Paix\n75002 Paris\nFrance"
    a, _ = normalize_client({"id": 1, "name": "A", "address": text})
    b, _ = normalize_client({"id": 2, "name": "B", "address": text})
    assert a.address == b.address == parse_address(text).address and a.address is not b.address
    a.address.city = "Lyon"  # a fix on one document never leaks into another
    c, _ = normalize_client({"id": 3, "name": "C", "address": text})
    assert (b.address.city, c.address.city) == ("Paris", "Paris")


def test_every_finding_harvest_or_validation_can_raise_has_a_title_in_both_languages():
    """The Review page names a finding by its code's title (console/i18n.py); a code without
    one shows as its bare code, in English. Codes are read from the sources, so a new one
    without a title fails here."""
    import re
    from pathlib import Path

    from ecluse import i18n
    from ecluse.plugins.harvest import normalize

    root = Path(__file__).resolve().parents[1]
    codes: set[str] = {normalize.SOURCE_TOTALS_MISMATCH, normalize.ADDRESS_UNPARSED}
    for path in [*(root / "plugins" / "harvest").glob("*.py"), root / "console" / "validation.py"]:
        text = path.read_text(encoding="utf-8")
        for literal in re.findall(r'(?:Finding\(|add\()\s*(f?"[a-z_{}]+")', text):
            if literal.startswith('f"'):  # normalize._date: f"{name}_missing" / f"{name}_invalid"
                codes |= {literal[2:-1].replace("{name}", name) for name in ("issue_date", "due_date")}
            else:
                codes.add(literal.strip('"'))
    assert {"history_import", "missing_attachment", "number_missing", "issue_date_invalid"} <= codes  # the scan works
    untitled = sorted(c for c in codes if not i18n.has(f"finding.{c}")
                      or not all(i18n.MESSAGES[f"finding.{c}"].get(lang) for lang in i18n.LANGS))
    assert untitled == []
