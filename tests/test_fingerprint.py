"""`Document.fingerprint()` / `content_hash()` / `comparable()`: the fast encoding gives exactly what
the plain `dataclasses.asdict` + `json_compact` encoding gives (the same values). The hash is pinned: an encoding
change is deliberate, and a cache holding hashes of an older encoding must then be recognized
as unchanged (tests/test_sync.py: test_a_snapshot_in_an_older_encoding_is_not_a_change)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from ecluse.domain import (
    CUSTOMER_INVOICE,
    SUPPLIER_CREDIT_NOTE,
    Address,
    Attachment,
    Counterparty,
    Document,
    Line,
    json_compact,
    json_dumps,
)
from ecluse.plugins.harvest.normalize import normalize_invoice
from tests.emulators.harvest import GenerateOptions, InvoiceFactory, dumps, generate_clients


def reference_comparable(doc: Document) -> dict:
    """The encoding as it was first written (dataclasses.asdict), kept here as the oracle."""
    cp = doc.counterparty
    return {
        "kind": doc.kind, "number": doc.number, "issue_date": doc.issue_date, "due_date": doc.due_date,
        "currency": doc.currency, "total_before_tax": doc.total_before_tax, "total_tax": doc.total_tax,
        "total": doc.total, "counterparty": dataclasses.asdict(cp) if cp else None,
        "lines": [dataclasses.asdict(line) for line in doc.lines],
        "attachment_sha256": doc.attachment.sha256 if doc.attachment else None,
        "credited_source_id": doc.credited_source_id,
    }


def assert_same_encoding(doc: Document) -> None:
    snapshot, content_hash = doc.fingerprint()
    # the same values as the reference encoding, key order aside
    assert json.loads(snapshot) == json.loads(json_compact(reference_comparable(doc), sort_keys=True))
    assert content_hash == hashlib.sha256(snapshot.encode()).hexdigest() == doc.content_hash()
    assert doc.comparable() == reference_comparable(doc)
    assert json.loads(snapshot) == json.loads(json_dumps(doc.comparable()))
    assert list(json.loads(snapshot)) == sorted(reference_comparable(doc))  # top-level keys sorted


def sample() -> Document:
    return Document(
        source_id="F-2024-001", kind=CUSTOMER_INVOICE, number="F-2024-001",
        issue_date=dt.date(2024, 3, 1), due_date=dt.date(2024, 3, 31), currency="EUR",
        total_before_tax=D("1000.00"), total_tax=D("200.00"), total=D("1200.00"),
        counterparty=Counterparty("c-1", "Société Générale d'Exemple", vat_number="FR40303265045",
                                  address=Address("12 rue de la Paix", "75002", "Paris", "FR"),
                                  address_raw="12 rue de la Paix\n75002 Paris"),
        lines=[Line("Conseil — mars", D("10"), D("100.000000"), D("1000.00"), D("200.00"), D("1200.00"), D("20"), "706"),
               Line("Remise", D("1"), D("-0.5"), D("-0.50"), D("0"), D("-0.50"), None, None, "exempt")],
        attachment=Attachment("f.pdf", sha256="ab" * 32),
    )


def test_content_hash_is_pinned():
    # Pinned when the snapshot became orjson's compact encoding, dataclass fields in their
    # order (json.dumps with spaces and every key sorted gave 74128e92…, checked below).
    assert sample().content_hash() == "2be3ac93d17c91ae8c7fabefcbce7bc4d9359416854234143785c149450149d7"
    spaced = json.dumps(json.loads(sample().fingerprint()[0]), sort_keys=True, ensure_ascii=False)
    assert hashlib.sha256(spaced.encode()).hexdigest() == "74128e92e47868fa385a4e5eddb5e837eaedf42b8760d9ace0fe949a2474603b"
    assert_same_encoding(sample())


def test_documents_without_counterparty_lines_or_attachment():
    doc = sample()
    doc.counterparty, doc.lines, doc.attachment = None, [], None
    doc.kind, doc.credited_source_id, doc.issue_date = SUPPLIER_CREDIT_NOTE, "F-1", None
    assert_same_encoding(doc)


def test_fields_outside_the_comparison_do_not_change_the_hash():
    a, b = sample(), sample()
    b.raw, b.source_updated_at, b.connection = {"updated_at": "later"}, dt.datetime(2030, 1, 1), "other"
    assert a.fingerprint() == b.fingerprint()


def test_comparable_does_not_share_mutable_values_with_the_document():
    doc = sample()
    data = doc.comparable()
    data["lines"][0]["label"] = "changed"
    data["counterparty"]["address"]["city"] = "Lyon"
    assert doc.lines[0].label == "Conseil — mars" and doc.counterparty.address.city == "Paris"


def test_harvest_documents_encode_as_before():
    options = GenerateOptions(drafts=0)
    clients = generate_clients(10, 5, options)
    factory = InvoiceFactory(200, 5, clients, options)
    by_id = {c["id"]: c for c in clients}
    for i in range(200):
        payload = json.loads(dumps(factory.build(i)), parse_float=D)
        assert_same_encoding(normalize_invoice(payload, by_id[payload["client"]["id"]]))


decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-10**9, max_value=10**9)
texts = st.text(max_size=12)
opt_texts = st.none() | texts
lines = st.builds(Line, texts, decimals, decimals, decimals, decimals, decimals,
                  st.none() | decimals, opt_texts, opt_texts)
addresses = st.builds(Address, opt_texts, opt_texts, opt_texts, opt_texts)
parties = st.builds(Counterparty, texts, texts, st.sampled_from(["customer", "supplier"]), opt_texts, opt_texts,
                    opt_texts, addresses, opt_texts, opt_texts, st.booleans())


@settings(max_examples=150, deadline=None)
@given(number=opt_texts, issue=st.none() | st.dates(), total=st.none() | decimals, party=st.none() | parties,
       items=st.lists(lines, max_size=4), sha=st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
       credited=opt_texts)
def test_any_document_encodes_as_before(number, issue, total, party, items, sha, credited):
    doc = Document(
        source_id="x", kind=CUSTOMER_INVOICE, number=number, issue_date=issue, due_date=issue, currency="EUR",
        total_before_tax=total, total_tax=total, total=total, counterparty=party, lines=items,
        attachment=Attachment("a.pdf", sha256=sha) if sha else None, credited_source_id=credited,
    )
    assert_same_encoding(doc)


def test_compact_encoding_of_values_beyond_decimals_matches_the_standard_library():
    """Decimals take orjson's fast path; a dataclass or bytes among them takes the general one."""
    from dataclasses import dataclass

    from ecluse.domain import json_dumps

    @dataclass
    class Pair:
        left: D
        right: bytes | None

    for value in ({"a": D("1.50"), "d": dt.date(2024, 1, 2)},
                  {"a": D("-0.00"), "p": Pair(D("2"), b"%PDF")},
                  [D("1E+2"), {"raw": b"x"}]):
        assert json.loads(json_compact(value)) == json.loads(json_dumps(value))
