"""The demo connector: deterministic, realistic, incremental, and flawed on purpose.

Identifier checks (SIREN, SIRET, VAT numbers) are written again here from their definitions
rather than imported from the generator, so that a bug there cannot hide itself.
"""
from __future__ import annotations

import collections
import datetime as dt
import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from ecluse import i18n
from ecluse.connectors import (
    AttachmentReady,
    Checkpoint,
    ConnectorError,
    FetchContext,
    Problem,
    validate_settings,
)
from ecluse.domain import (
    CREDIT_NOTE_KINDS,
    CUSTOMER_INVOICE,
    ERROR,
    KINDS,
    SUPPLIER_INVOICE,
    Address,
    Counterparty,
    Document,
    Line,
    json_dumps,
    json_loads,
)
from ecluse.plugins.demo import DemoConnector, data
from ecluse.plugins.demo.connector import make_attachment
from ecluse.plugins.demo.pdf import render_invoice
from ecluse.validation import validate

NOW = dt.datetime(2026, 5, 20, 12, 0, tzinfo=dt.timezone.utc)
CENT = Decimal("0.01")


def fetch(settings: dict[str, Any] | None = None, *, now: dt.datetime = NOW, **ctx: Any) -> list[Any]:
    context = FetchContext("demo", settings or {}, clock=lambda: now, **ctx)
    return list(DemoConnector().fetch(context))


def documents(items: list[Any]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def fingerprint(items: list[Any]) -> list[tuple]:
    out = []
    for item in items:
        if isinstance(item, Document):
            sha = item.attachment.sha256 if item.attachment else None
            out.append(("doc", item.source_id, item.content_hash(), sha, json_dumps(item.raw, sort_keys=True),
                        item.source_updated_at))
        elif isinstance(item, Problem):
            out.append(("problem", item.source_id, item.message, json_dumps(item.raw, sort_keys=True)))
        else:
            out.append((type(item).__name__, repr(item)))
    return out


@pytest.fixture(scope="module")
def big() -> list[Any]:
    """Six months at 200 documents a month: enough for every kind of flaw to show up."""
    return fetch({"per_month": 200, "months": 6})


@pytest.fixture(scope="module")
def big_docs(big: list[Any]) -> list[Document]:
    return documents(big)


# -- identifiers, from their definitions --------------------------------------------------

def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def vat_ok(vat: str) -> bool:
    country, body = vat[:2], vat[2:]
    if country == "FR":
        return bool(re.fullmatch(r"\d{11}", body)) and int(body[:2]) == (12 + 3 * (int(body[2:]) % 97)) % 97
    if country == "BE":
        return bool(re.fullmatch(r"[01]\d{9}", body)) and 97 - int(body[:8]) % 97 == int(body[8:])
    if country == "DE":
        if not re.fullmatch(r"[1-9]\d{8}", body):
            return False
        product = 10
        for ch in body[:8]:
            s = (int(ch) + product) % 10 or 10
            product = 2 * s % 11
        return (11 - product) % 10 == int(body[8])
    if country == "ES":
        m = re.fullmatch(r"([ABCDEFGHJNPQRSUVW])(\d{7})(\d)", body)
        if not m:
            return False
        digits = m.group(2)
        total = sum(int(d) for d in digits[1::2]) + sum(sum(divmod(2 * int(d), 10)) for d in digits[0::2])
        return (10 - total % 10) % 10 == int(m.group(3))
    if country == "GB":
        if not re.fullmatch(r"\d{9}", body):
            return False
        return (sum(int(d) * w for d, w in zip(body[:7], range(8, 1, -1))) + int(body[7:])) % 97 == 0
    return False


# -- schema and check ---------------------------------------------------------------------

def test_connector_declares_its_settings():
    assert DemoConnector.id == "demo"
    assert DemoConnector.text("fr")[0] == "Démo (données fictives)"
    assert DemoConnector.text("en")[0] == "Demo (fictitious data)"
    assert set(DemoConnector.kinds) == set(KINDS)
    by_name = {s.name: s for s in DemoConnector.settings}
    assert list(by_name) == ["company_name", "seed", "months", "per_month", "api_key", "start_date"]
    assert (by_name["company_name"].type, by_name["company_name"].default) == ("string", "Atelier Démo SAS")
    assert (by_name["seed"].type, by_name["seed"].default) == ("integer", 42)
    assert (by_name["months"].type, by_name["months"].default) == ("integer", 6)
    assert (by_name["per_month"].type, by_name["per_month"].default) == ("integer", 20)
    key = by_name["api_key"]
    assert key.secret and not key.required and key.default is None
    assert "masked" in key.help and "not used" in key.help.lower()
    assert by_name["start_date"].type == "date" and not by_name["start_date"].required
    assert validate_settings(DemoConnector, {}) == {
        "company_name": "Atelier Démo SAS", "seed": 42, "months": 6, "per_month": 20}
    # What the CLI passes (`--set seed=7`) is text.
    values = validate_settings(DemoConnector, {"seed": "7", "start_date": "2026-01-05", "api_key": "env:DEMO_KEY"})
    assert values["seed"] == 7 and values["start_date"] == "2026-01-05" and values["api_key"] == "env:DEMO_KEY"


def test_check_needs_no_network():
    def no_http(*args, **kwargs):
        raise AssertionError("the demo connector must not open connections")

    ctx = FetchContext("demo", {"api_key": "s3cret"}, clock=lambda: NOW, http_factory=no_http)
    result = DemoConnector().check(ctx)
    assert result.ok
    assert result.message == "Demo connection ready: no real data."
    assert i18n.said(result.says, "fr") == ["Connexion de démonstration prête : aucune donnée réelle."]
    assert result.details["history_from"] == "2025-11-20"
    assert result.details["api_key_set"] is True
    assert "s3cret" not in json_dumps(result.details)


@pytest.mark.parametrize("settings", [{"per_month": -1}, {"months": -2}, {"seed": "abc"}])
def test_bad_settings_stop_the_run_with_a_message(settings):
    with pytest.raises(ConnectorError):
        fetch(settings)


# -- determinism ----------------------------------------------------------------------------

def test_same_seed_gives_the_same_documents_and_pdfs():
    settings = {"per_month": 40, "months": 3, "seed": 7}
    first, second = fetch(settings), fetch(settings)
    assert fingerprint(first) == fingerprint(second)
    docs = documents(first)
    assert len(docs) > 100
    assert all(d.attachment is not None or d.attachment_pending for d in docs)
    # PDF bytes are stable too (creation date fixed, nothing time-dependent).
    me = data.company(data.DemoConfig(seed=7, per_month=40))
    for doc in docs[:20]:
        if doc.attachment:
            again = make_attachment(doc, me)
            assert again.content == doc.attachment.content
            assert hashlib.sha256(again.content).hexdigest() == doc.attachment.sha256


def test_different_seeds_give_different_documents():
    a = documents(fetch({"seed": 1, "months": 2}))
    b = documents(fetch({"seed": 2, "months": 2}))
    assert {d.content_hash() for d in a}.isdisjoint({d.content_hash() for d in b})
    assert {d.counterparty.siren for d in a} != {d.counterparty.siren for d in b}


def test_raw_payloads_are_json_and_keep_decimals(big):
    for item in big:
        if isinstance(item, (Document, Problem)):
            text = json_dumps(item.raw)
            if isinstance(item, Document):
                assert json_loads(text)["id"] == item.source_id


# -- the data ---------------------------------------------------------------------------------

def test_amounts_are_decimal_and_add_up(big_docs):
    for doc in big_docs:
        flaw = doc.raw.get("_demo_flaw")
        for value in (doc.total_before_tax, doc.total_tax, doc.total):
            assert isinstance(value, Decimal) and value == value.quantize(CENT)
        assert 1 <= len(doc.lines) <= 6
        for line in doc.lines:
            for value in (line.quantity, line.unit_price, line.amount_before_tax, line.tax, line.amount, line.vat_rate):
                assert isinstance(value, Decimal)
            assert line.amount_before_tax == (line.quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)
            assert line.amount == line.amount_before_tax + line.tax
            expected_tax = (line.amount_before_tax * line.vat_rate / 100).quantize(CENT, ROUND_HALF_UP)
            if flaw != "vat_inconsistent":
                assert line.tax == expected_tax, doc.source_id
        sums = (sum(ln.amount_before_tax for ln in doc.lines), sum(ln.tax for ln in doc.lines),
                sum(ln.amount for ln in doc.lines))
        declared = (doc.total_before_tax, doc.total_tax, doc.total)
        if flaw == "totals_mismatch":
            assert declared != sums
        else:
            assert declared == sums, doc.source_id
        assert doc.total_before_tax + doc.total_tax == doc.total


def test_identifiers_are_valid(big_docs):
    me = data.company(data.DemoConfig())
    parties = [doc.counterparty for doc in big_docs] + [
        Counterparty("ME", me["name"], siren=me["siren"], siret=me["siret"], vat_number=me["vat_number"])]
    countries = collections.Counter()
    for cp in parties:
        if cp.siren:
            assert re.fullmatch(r"\d{9}", cp.siren) and luhn_ok(cp.siren), cp
            assert cp.siret and cp.siret.startswith(cp.siren) and len(cp.siret) == 14 and luhn_ok(cp.siret), cp
            assert cp.vat_number == f"FR{(12 + 3 * (int(cp.siren) % 97)) % 97:02d}{cp.siren}"
        if cp.vat_number:
            assert vat_ok(cp.vat_number), cp.vat_number
            countries[cp.vat_number[:2]] += 1
        a = cp.address
        if a.country_alpha2 == "FR" and a.postal_code:
            assert re.fullmatch(r"\d{5}", a.postal_code) and a.street and a.city
    assert {"FR", "BE", "DE", "ES"} <= set(countries)
    individuals = [cp for cp in parties if cp.is_individual]
    assert individuals and all(cp.siren is None and cp.vat_number is None for cp in individuals)


def test_the_mix_looks_like_a_small_business(big, big_docs):
    n = len(big_docs)
    kinds = collections.Counter(d.kind for d in big_docs)
    assert set(kinds) == set(KINDS)
    credit_share = (kinds["customer_credit_note"] + kinds["supplier_credit_note"]) / n
    assert 0.02 < credit_share < 0.09
    currencies = collections.Counter(d.currency for d in big_docs)
    assert {"EUR", "USD", "GBP"} <= set(currencies) and 0.005 < (n - currencies["EUR"]) / n < 0.05
    flawed = sum(1 for d in big_docs if d.raw.get("_demo_flaw"))
    assert 0.015 < flawed / n < 0.05
    supplier_invoices = [d for d in big_docs if d.kind == SUPPLIER_INVOICE]
    pending = [d for d in supplier_invoices if d.attachment_pending]
    assert 0.02 < len(pending) / len(supplier_invoices) < 0.09
    assert all(d.attachment is None for d in pending)
    problems = [i for i in big if isinstance(i, Problem)]
    assert 1 <= len(problems) <= 0.015 * n
    rates = {line.vat_rate for d in big_docs for line in d.lines if d.raw.get("_demo_flaw") != "unknown_vat_rate"}
    assert rates == {Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"), Decimal("0")}
    hints = {line.accounting_hint for d in big_docs for line in d.lines}
    assert None not in hints
    assert {"706", "707", "6064", "6256", "6132", "6257", "6181"} <= hints
    sales = [d for d in big_docs if d.kind == CUSTOMER_INVOICE and not d.raw.get("_demo_flaw")]
    assert all(re.fullmatch(r"F-\d{4}-\d{4}", d.number) for d in sales)
    assert len({d.number for d in sales}) == len(sales)
    assert all(re.fullmatch(r"[SP]-\d{4}-\d{4}", d.source_id) for d in big_docs)
    assert len({d.source_id for d in big_docs}) == n
    # Due dates: 30 days, end of month, 30 days end of month, or on receipt.
    for d in sales:
        end_of_month = (d.due_date + dt.timedelta(days=1)).day == 1
        assert d.due_date == d.issue_date + dt.timedelta(days=30) or end_of_month or d.due_date == d.issue_date


def test_credit_notes_are_negative_and_point_to_an_earlier_invoice(big_docs):
    by_id = {d.source_id: d for d in big_docs}
    credits = [d for d in big_docs if d.kind in CREDIT_NOTE_KINDS]
    found = 0
    for cn in credits:
        assert cn.total < 0 and all(line.amount < 0 for line in cn.lines)
        assert cn.credited_source_id and cn.credited_source_id[0] == cn.source_id[0]
        original = by_id.get(cn.credited_source_id)
        if original is None:  # credited before the synced range
            continue
        found += 1
        assert original.kind == cn.kind.replace("credit_note", "invoice")
        assert original.counterparty.source_id == cn.counterparty.source_id
        assert original.issue_date <= cn.issue_date
        assert cn.raw["credited_invoice_number"] == original.number
        assert {ln.label for ln in cn.lines} <= {ln.label for ln in original.lines}
    assert found >= 0.8 * len(credits)


FLAW_FINDINGS = {
    "totals_mismatch": "totals_mismatch",
    "vat_inconsistent": "vat_amount_mismatch",
    "unknown_vat_rate": "unknown_vat_rate",
    "missing_due_date": "missing_due_date",
    "customer_no_address": "incomplete_address",
    "customer_no_vat_number": "missing_vat_number",
}


def test_deliberate_flaws_are_in_the_data_and_caught_by_validation(big_docs):
    flaws = collections.defaultdict(list)
    for doc in big_docs:
        flaws[doc.raw.get("_demo_flaw")].append(doc)
    assert set(flaws) - {None} == set(data.FLAWS)
    today = NOW.date()
    for flaw, code in FLAW_FINDINGS.items():
        for doc in flaws[flaw]:
            assert code in {f.code for f in validate(doc, today)}, (flaw, doc.source_id)
    for doc in flaws["unknown_vat_rate"]:
        assert Decimal("19.6") in {line.vat_rate for line in doc.lines}
    for doc in flaws["customer_no_vat_number"]:
        assert doc.counterparty.vat_number is None and doc.counterparty.address.country_alpha2 in ("BE", "DE", "ES")
    for doc in flaws["duplicate"]:
        twins = [d for d in big_docs if d.number == doc.number and d.source_id != doc.source_id
                 and d.counterparty.source_id == doc.counterparty.source_id]
        assert [t.source_id for t in twins] == [doc.raw["_demo_duplicate_of"]]
    # The connector itself only reports what a connector can see: an address it cannot parse.
    for doc in big_docs:
        assert {f.code for f in doc.findings} <= {"address_unparsed"}
        if doc.findings:
            assert doc.counterparty.address_raw and not doc.counterparty.address.is_complete()
    parsed = [d for d in big_docs if d.counterparty.address_raw and d.counterparty.address.is_complete()]
    assert parsed and all(d.counterparty.address.postal_code in d.counterparty.address_raw for d in parsed)
    # Everything else passes validation without an error.
    for doc in flaws[None]:
        if not doc.findings:
            errors = [f for f in validate(doc, today) if f.severity == ERROR]
            assert not errors, (doc.source_id, errors)


def test_malformed_records_become_problems_and_nothing_is_lost(big, big_docs):
    problems = [i for i in big if isinstance(i, Problem)]
    assert {p.raw["_demo_flaw"] for p in problems} == set(data.MALFORMED)
    for p in problems:
        assert p.message and p.raw.get("number")
        assert i18n.said_text(p.said, "en") == p.message  # and said in French in the console
        if p.raw["_demo_flaw"] == "malformed_missing_id":
            assert p.source_id is None and "id" not in p.raw
            assert i18n.said_text(p.said, "fr") == (
                f"Enregistrement de démonstration sans identifiant (numéro «{i18n.NBSP}{p.raw['number']}{i18n.NBSP}») : "
                "non importé, car il ne pourrait pas être suivi d'une synchronisation à l'autre.")
        else:
            assert i18n.said_text(p.said, "fr").startswith("Enregistrement de démonstration illisible, non importé (")
            assert p.source_id == p.raw["id"]
    cfg = data.DemoConfig(per_month=200)
    planned = list(data.slots_between(cfg, dt.date(2025, 11, 20), NOW.date()))
    assert len(planned) == len(big_docs) + len(problems)


# -- incremental behaviour ------------------------------------------------------------------

def test_a_checkpoint_closes_every_month(big):
    states = [i.state["through"] for i in big if isinstance(i, Checkpoint)]
    assert states == ["2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30",
                      "2026-05-20"]
    assert isinstance(big[-1], Checkpoint)
    through = dt.date(2025, 11, 19)
    for item in big:
        if isinstance(item, Checkpoint):
            through = dt.date.fromisoformat(item.state["through"])
        elif isinstance(item, Document):
            assert item.issue_date > through  # never a document of an already-committed month
    first_day = min(d.issue_date for d in documents(big))
    assert first_day >= dt.date(2025, 11, 20)


def test_next_sync_only_brings_the_new_days():
    settings = {"per_month": 60}
    first = fetch(settings)
    state = first[-1].state
    assert state == {"through": "2026-05-20"}
    later = dt.datetime(2026, 6, 3, 9, 0, tzinfo=dt.timezone.utc)
    second = fetch(settings, now=later, state=state)
    new_docs = documents(second)
    assert new_docs
    assert all(dt.date(2026, 5, 20) < d.issue_date <= dt.date(2026, 6, 3) for d in new_docs)
    assert [i.state for i in second if isinstance(i, Checkpoint)] == [{"through": "2026-05-31"}, {"through": "2026-06-03"}]
    assert not {d.source_id for d in new_docs} & {d.source_id for d in documents(first)}
    # The same days fetched from scratch are the same documents.
    from_scratch = {d.source_id: d.content_hash() for d in documents(fetch(settings, now=later))}
    assert all(from_scratch[d.source_id] == d.content_hash() for d in new_docs)
    # Nothing new on the same day: only the checkpoint.
    third = fetch(settings, now=later, state=second[-1].state)
    assert [type(i) for i in third] == [Checkpoint] and third[0].state == {"through": "2026-06-03"}


def test_since_refetches_the_same_documents():
    settings = {"per_month": 60}
    full = {d.source_id: d.content_hash() for d in documents(fetch(settings))}
    again = documents(fetch(settings, state={"through": "2026-05-20"}, since=dt.date(2026, 4, 1)))
    assert again and min(d.issue_date for d in again) >= dt.date(2026, 4, 1)
    assert all(full[d.source_id] == d.content_hash() for d in again)


def test_start_date_sets_the_history():
    docs = documents(fetch({"start_date": "2026-05-01", "months": 24}))
    assert docs and min(d.issue_date for d in docs) >= dt.date(2026, 5, 1)
    assert fetch({"start_date": "2026-06-01"}) == [Checkpoint({"through": "2026-05-20"})]
    later = dt.datetime(2026, 6, 10, tzinfo=dt.timezone.utc)
    docs = documents(fetch({"start_date": "2026-06-01"}, now=later, state={"through": "2026-05-20"}))
    assert docs and min(d.issue_date for d in docs) >= dt.date(2026, 6, 1)


def test_a_long_pause_between_syncs_loses_nothing():
    # `months` sizes the first history only: eight months later, the next sync resumes at the cursor.
    later = dt.datetime(2027, 1, 20, tzinfo=dt.timezone.utc)
    docs = documents(fetch({"months": 6}, now=later, state={"through": "2026-05-20"}))
    assert min(d.issue_date for d in docs) <= dt.date(2026, 5, 25)


def test_late_pdfs_arrive_on_a_later_sync():
    settings = {"per_month": 100, "months": 3}
    first = fetch(settings)
    pending = [d for d in documents(first) if d.attachment_pending]
    assert pending and all(d.attachment is None for d in pending)
    ids = [d.source_id for d in pending]
    later = NOW + dt.timedelta(hours=2)
    on_time = next(d.source_id for d in documents(first) if d.kind == SUPPLIER_INVOICE and d.attachment)
    second = fetch(settings, now=later, state=first[-1].state,
                   pending_attachments=ids + [on_time, "not-ours", "S-2026-9999"])
    ready = [i for i in second if isinstance(i, AttachmentReady)]
    assert [r.source_id for r in ready] == ids
    for item in ready:
        assert item.attachment.content.startswith(b"%PDF-")
        assert item.attachment.sha256 == hashlib.sha256(item.attachment.content).hexdigest()
        assert item.attachment.filename.endswith(".pdf")
    # The PDFs come before the checkpoint that commits them.
    assert isinstance(second[-1], Checkpoint)
    # A re-fetch of a pending document is unchanged (the PDF is delivered on its own).
    again = {d.source_id: d for d in documents(fetch(settings, since=dt.date(2026, 2, 20)))}
    for doc in pending:
        if doc.source_id in again:
            assert again[doc.source_id].content_hash() == doc.content_hash()


# -- PDFs -------------------------------------------------------------------------------------

def test_pdfs_are_real_invoices(big_docs):
    for doc in big_docs:
        if doc.attachment is None:
            continue
        content = doc.attachment.content
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        title = ("Avoir " if doc.kind in CREDIT_NOTE_KINDS else "Facture ") + doc.number
        assert f"/Title ({title})".encode("latin-1") in content, doc.source_id
    doc = next(d for d in big_docs if d.kind == CUSTOMER_INVOICE and d.attachment)
    me = data.company(data.DemoConfig(per_month=200))
    seller = Counterparty("ME", me["name"], siren=me["siren"], vat_number=me["vat_number"])
    plain = render_invoice(doc, seller, doc.counterparty, compress=False)
    for text in (doc.number, "FACTURE", me["siren"], doc.counterparty.name, "Net à payer"):
        assert text.encode("latin-1") in plain, text
    credit = next(d for d in big_docs if d.kind in CREDIT_NOTE_KINDS and d.attachment)
    assert b"AVOIR" in render_invoice(credit, seller, credit.counterparty, compress=False)


def test_pdf_copes_with_odd_text_and_many_lines():
    label = "Œuvre « spéciale » – 10 € ✓ " + "très long libellé " * 12
    line = Line(label, Decimal("1"), Decimal("10.00"), Decimal("10.00"), Decimal("2.00"), Decimal("12.00"),
                Decimal("20"), "706")
    doc = Document(
        source_id="X-1", kind=CUSTOMER_INVOICE, number="F-€-1", issue_date=dt.date(2026, 1, 2), due_date=None,
        currency="EUR", total_before_tax=Decimal("600.00"), total_tax=Decimal("120.00"), total=Decimal("720.00"),
        counterparty=Counterparty("c", "Société Œdipe “Ltd”", address=Address("1 rue", "75001", "Paris", "FR")),
        lines=[line] * 60,
    )
    seller = Counterparty("ME", "Atelier — Démo")
    content = render_invoice(doc, seller, doc.counterparty, mentions=["Mention € " * 80], compress=False)
    assert content.startswith(b"%PDF-")
    assert content.count(b"/Type /Page\n") >= 2
    assert b"F-EUR-1" in content
    assert render_invoice(doc, seller, None) == render_invoice(doc, seller, None)


def test_pdfs_render_for_every_document_the_same_each_time(big_docs):
    me = data.company(data.DemoConfig(per_month=200))
    docs = [d for d in big_docs if d.attachment][:300]
    first = [make_attachment(doc, me).content for doc in docs]
    assert all(pdf.startswith(b"%PDF-") for pdf in first)
    assert [make_attachment(doc, me).content for doc in docs] == first  # deterministic: no change on a re-sync


# -- plugin -----------------------------------------------------------------------------------

def test_plugin_loads_through_its_entry_point(monkeypatch):
    from ecluse.plugin_loader import get_plugins

    monkeypatch.setenv("ECLUSE_LOAD_PLUGINS", "demo")
    plugins = get_plugins(refresh=True)
    info = {i.name: i for i in plugins.infos}["demo"]
    assert info.ok, info.error
    assert info.connectors == ["demo"] and "register_connectors" in info.hooks
    assert plugins.connector("demo") is DemoConnector
