"""Pennylane API v2 request bodies built from our normalized documents (pure, no I/O).

Every body produced here only uses fields that the vendored spec (May 2026 copy) allows —
the spec's bodies are `additionalProperties: false`, so an extra field is a 400. Fields of
later upstream versions are deliberately absent: no `credited_invoice_id` (credit notes are
linked after import with POST /customer_invoices/{id}/link_credit_note), no categories in
the import body (PUT /customer_invoices/{id}/categories with `categories_body`), no
`convert_to_e_invoice`. tests/test_pennylane_spec.py validates generated bodies against
the spec.

Money: amounts are decimal strings with 2 places ("120.00", "-20.00"), unit prices strings
with at most 6 places; the one JSON number is the line `quantity` (see `json_quantity`).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, TypedDict, Unpack

from .. import i18n
from ..connectors import Said
from ..domain import CENT, CREDIT_NOTE_KINDS, CUSTOMER_KINDS, Counterparty, Document, Line, fixed_account, money
from . import spec
from ..validation import sale_zone
from .vat import VatMapper, VatMappingError, rate_key

DEFAULT_UNIT = "piece"
UNIT_PRICE_STEP = Decimal("0.000001")  # "Can be set up to 6 decimals."
EXTERNAL_REFERENCE_PREFIX = "ecluse:"

__all__ = [
    "BuildError", "MissingData", "ImportOptions", "IncoherentTotals", "VatMappingError",
    "external_reference", "customer_invoice_import_body", "supplier_invoice_import_body",
    "company_customer_body", "individual_customer_body", "customer_request", "supplier_body",
    "categories_body", "link_credit_note_body", "json_quantity", "unit_price_text", "amount_text",
    "split_name", "hint_key", "account_numbers", "ledger_account",
]


class BuildError(ValueError):
    """The document cannot be turned into a valid Pennylane request; hold it for review.
    `said`: the reason as a code and the values it names (`said.send.<code>`, see
    `send.held_said`), None for a refusal the console has no sentence for."""

    def __init__(self, message: str, said: Said | None = None) -> None:
        super().__init__(message)
        self.said = said


# A place a reason names: {"kind": a document kind, "document" (a document as the send names
# it), "customer" or "supplier"; "ref": its number or name; "line": a line's number, or none}.
# Said in a language from `send.subject.<kind>` (and `send.at_line`).
Place = dict[str, Any]
# A field a MissingData names: its code (`send.field.<code>`) and the values it carries.
Field = str | tuple[str, dict[str, Any]]


def _quoted(value: Any, lang: str) -> Any:
    """A value the English quotes as Python does ('acme'): in guillemets in French."""
    return i18n._guillemets(value) if lang == "fr" and i18n._is_repr(value) else value


def place_text(place: Place, lang: str = "en") -> str:
    """"customer invoice F-1, line 2" (English, the message's) or in another language."""
    text = i18n.t(f"send.subject.{place['kind']}", lang, ref=_quoted(place["ref"], lang))
    return i18n.t("send.at_line", lang, place=text, n=place["line"]) if place.get("line") else text


def field_text(item: Field | list[Any], lang: str = "en") -> str:
    """A missing field ("billing address.city", "ledger account 706") in `lang`."""
    code, params = (item, {}) if isinstance(item, str) else item
    if code == "address":  # {"role": billing | postal, "part": street | ... | country_got, "got"?}
        part = i18n.t(f"send.address_part.{params['part']}", lang, got=_quoted(params.get("got"), lang))
        return i18n.t("send.field.address", lang, role=i18n.t(f"send.address.{params['role']}", lang), part=part)
    return i18n.t(f"send.field.{code}", lang, **{k: _quoted(v, lang) for k, v in params.items()})


def why_text(why: Field | list[Any], lang: str = "en") -> str:
    """Why the fields are needed ("the PDF has not arrived yet") in `lang`."""
    code, params = (why, {}) if isinstance(why, str) else why
    return i18n.t(f"send.why.{code}", lang, **{k: _quoted(v, lang) for k, v in params.items()})


def _pair(item: Field) -> list[Any]:
    return [item, {}] if isinstance(item, str) else [item[0], dict(item[1])]


class MissingData(BuildError):
    """Required data is missing; `missing` lists the fields, the message says where (in
    English; `said` keeps the codes the console says them from)."""

    def __init__(self, place: Place, missing: Iterable[Field], why: Field | None = None) -> None:
        fields = [_pair(item) for item in missing]
        self.subject = place_text(place)
        self.missing = [field_text(item) for item in fields]
        self.why = why_text(why) if why else ""
        text = f"{self.subject}: missing {', '.join(self.missing)}"
        super().__init__(f"{text} ({self.why})" if self.why else text, Said("held_missing", {
            "subject": dict(place), "missing": fields, "why": _pair(why) if why else None}))


class IncoherentTotals(BuildError):
    """Totals that Pennylane would reject (before tax + tax != total, lines != totals)."""


# --------------------------------------------------------------------------- values


def external_reference(workspace_id: str, document_id: str) -> str:
    """Deterministic reference Écluse puts on everything it creates in Pennylane, so a
    re-send can find what an earlier (maybe interrupted) send already created.
    "ecluse:" + 24 hex chars of sha256(workspace, document): stable across runs and
    machines, no personal data, short (the spec sets no maximum length)."""
    digest = hashlib.sha256(f"{workspace_id}\x1f{document_id}".encode()).hexdigest()
    return EXTERNAL_REFERENCE_PREFIX + digest[:24]


def amount_text(value: Decimal) -> str:
    """A Pennylane decimal string with two places; never "-0.00"."""
    text = money(value)
    return "0.00" if Decimal(text) == 0 else text


def unit_price_text(value: Decimal) -> str:
    """At least 2 and at most 6 decimal places, without losing any that are given."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(CENT)
    elif isinstance(exponent, int) and exponent < -6:
        value = value.quantize(UNIT_PRICE_STEP, rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)
    return format(value, "f")


def json_quantity(quantity: Decimal) -> int | float:
    """The line quantity as a JSON number — the spec types it `number`, not string.

    Integral quantities become int (exact). Otherwise this is the single place where a
    Decimal becomes a float: the float's repr is the shortest text that round-trips, so
    for any quantity of up to 15 significant digits the JSON text sent ("1.5", "0.333")
    is exactly the decimal we hold; longer ones are refused rather than silently rounded.
    """
    if quantity == quantity.to_integral_value():
        return int(quantity)
    as_float = float(quantity)  # the one deliberate float of the Pennylane mapping
    if Decimal(repr(as_float)) != quantity:
        raise BuildError(f"quantity {quantity} has too many digits to be sent exactly",
                         Said("held_quantity", {"quantity": str(quantity)}))
    return as_float


# --------------------------------------------------------------------------- invoices


def _mapper(vat_overrides: Mapping[str, str] | VatMapper | None) -> VatMapper:
    return vat_overrides if isinstance(vat_overrides, VatMapper) else VatMapper(vat_overrides)


def _sign(doc: Document) -> int:
    """+1, or -1 for a credit note the source gave with positive amounts: Pennylane
    imports credit notes as invoices with negative amounts."""
    if doc.kind not in CREDIT_NOTE_KINDS:
        return 1
    reference = doc.total
    if reference is None:
        reference = sum((line.amount for line in doc.lines), Decimal(0))
    return -1 if reference > 0 else 1


def _totals(doc: Document, sign: int) -> tuple[Decimal, Decimal, Decimal]:
    before = doc.total_before_tax
    tax = doc.total_tax
    total = doc.total
    if doc.lines:
        before = before if before is not None else sum((li.amount_before_tax for li in doc.lines), Decimal(0))
        tax = tax if tax is not None else sum((li.tax for li in doc.lines), Decimal(0))
    if total is None and before is not None and tax is not None:
        total = before + tax
    if before is None and total is not None and tax is not None:
        before = total - tax
    missing = [name for name, value in (("total_before_tax", before), ("total_tax", tax),
                                        ("total", total)) if value is None]
    if missing:
        raise MissingData(place(doc), missing)
    return sign * before, sign * tax, sign * total  # type: ignore[operator]


def place(doc: Document, line: int | None = None) -> Place:
    """The document (and one of its lines, numbered from 1) as a reason names it."""
    return {"kind": doc.kind, "ref": doc.number or doc.source_id, **({"line": line} if line else {})}


def document_place(doc: Document) -> Place:
    """The document as the send names it before building its requests ("document F-1")."""
    return {"kind": "document", "ref": doc.number or doc.source_id}


def _subject(doc: Document) -> str:
    return place_text(place(doc))


def _check_coherence(doc: Document, before: Decimal, tax: Decimal, total: Decimal,
                     lines: list[dict[str, Any]]) -> None:
    """The checks Pennylane applies on import (422 otherwise), done before sending."""
    before_c, tax_c, total_c = (v.quantize(CENT) for v in (before, tax, total))
    where = place(doc)
    if before_c + tax_c != total_c:
        said = {"before": amount_text(before), "tax": amount_text(tax), "total": amount_text(total)}
        raise IncoherentTotals(f"{_subject(doc)}: total before tax {said['before']} + tax "
                               f"{said['tax']} != total {said['total']}", Said("held_totals", {"where": where, **said}))
    tolerance = CENT * len(lines)
    line_total = sum((Decimal(li["currency_amount"]) for li in lines), Decimal(0))
    line_tax = sum((Decimal(li["currency_tax"]) for li in lines), Decimal(0))
    if abs(line_total - total_c) > tolerance:
        said = {"lines": amount_text(line_total), "total": amount_text(total)}
        raise IncoherentTotals(f"{_subject(doc)}: lines add up to {said['lines']}, the total is {said['total']}",
                               Said("held_line_totals", {"where": where, **said}))
    if abs(line_tax - tax_c) > tolerance:
        said = {"lines": amount_text(line_tax), "total": amount_text(tax)}
        raise IncoherentTotals(f"{_subject(doc)}: line VAT adds up to {said['lines']}, the total VAT is {said['total']}",
                               Said("held_line_vat", {"where": where, **said}))


def hint_key(hint: str | None, mapping: Mapping[str | None, Any]) -> str | None:
    """The mapping's key that serves an accounting hint: the hint itself, else its parts in
    order (Harvest's `kind:Product|project:P1` is served by `kind:Product`, so one mapping of
    a kind covers every project), else None (the fallback `*` then applies)."""
    if hint is None:
        return None
    if hint in mapping:
        return hint
    return next((part for part in hint.split("|") if part in mapping), None) if "|" in hint else None


def account_numbers(lines: Iterable[Line], mapping: Mapping[str, str]) -> dict[str, str]:
    """The account numbers `lines` need, by the key `ledger_account` will look them up with: a
    line a reviewer gave an account (`ledger:NNN`) its own, a mapped code or its first mapped
    part (`hint_key`) the mapping's, and the fallback "*" (when mapped) only if a line has
    neither: a fallback Pennylane lacks then holds only the invoices that need it. The send
    turns these numbers into Pennylane's ids; Revue shows them."""
    wanted: dict[str, str] = {}
    for line in lines:
        hint = line.accounting_hint
        fixed = fixed_account(hint)
        key = hint_key(hint, mapping)
        if fixed is not None:
            wanted[hint] = fixed
        elif key is not None:
            wanted[key] = mapping[key]
        elif "*" in mapping:
            wanted["*"] = mapping["*"]
    return wanted


def ledger_account(line: Line, ledger_accounts: Mapping[str | None, Any] | None) -> Any:
    """accounting_hint -> ledger_account_id (`hint_key`); "*" is the workspace's fallback account.
    (With numbers for ids, the account number: what Revue shows.)"""
    if not ledger_accounts:
        return None
    key = hint_key(line.accounting_hint, ledger_accounts)
    return ledger_accounts[key] if key is not None else ledger_accounts.get("*")


def _line_common(doc: Document, index: int, line: Line, sign: int, mapper: VatMapper,
                 ledger_accounts: Mapping[str | None, int] | None) -> dict[str, Any]:
    where = place(doc, index + 1)
    try:
        vat_rate = mapper.code(line.vat_rate, source_code=line.vat_code, where=place_text(where), zone=sale_zone(doc))
    except VatMappingError as exc:
        exc.said = _vat_said(where, line, mapper)  # the mapper says it in English only
        raise
    out: dict[str, Any] = {
        "currency_amount": amount_text(sign * line.amount),
        "currency_tax": amount_text(sign * line.tax),
        "vat_rate": vat_rate,
    }
    if line.label and line.label.strip():
        # Deprecated in the spec ("will be removed soon") but still accepted, and the only
        # place the line's wording reaches Pennylane.
        out["label"] = line.label.strip()
    account = ledger_account(line, ledger_accounts)
    if account is not None:
        out["ledger_account_id"] = int(account)
    return out


def _vat_said(where: Place, line: Line, mapper: VatMapper) -> Said:
    """Why the mapper found no code for this line (`VatMapper.code` raised)."""
    if line.vat_rate is None:
        if line.vat_code:  # a code Pennylane does not know, and no rate to map instead
            return Said("held_vat_source_code", {"where": where, "code": repr(line.vat_code)})
        return Said("held_vat_unknown", {"where": where})
    return Said("held_vat_unmapped", {"where": where, "rate": rate_key(line.vat_rate),
                                      "known": sorted(mapper.table, key=Decimal)})


def _customer_line(doc: Document, index: int, line: Line, sign: int, mapper: VatMapper,
                   ledger_accounts: Mapping[str | None, int] | None) -> dict[str, Any]:
    out = _line_common(doc, index, line, sign, mapper, ledger_accounts)
    quantity, price = line.quantity, sign * line.unit_price
    if quantity < 0:  # keep quantities positive, the sign goes on the price
        quantity, price = -quantity, -price
    before_tax = sign * line.amount_before_tax
    if price * before_tax < 0:
        price = -price
    out["quantity"] = json_quantity(quantity)
    out["raw_currency_unit_price"] = unit_price_text(price)
    out["unit"] = DEFAULT_UNIT
    return out


def _invoice_body(doc: Document, party: tuple[str, int], file_attachment_id: int,
                  external_reference: str, *, customer: bool,
                  ledger_accounts: Mapping[str | None, int] | None = None,
                  vat_overrides: Mapping[str, str] | VatMapper | None = None,
                  category_ids: Iterable[int] | None = None,
                  import_as_incomplete: bool = False) -> dict[str, Any]:
    if category_ids:
        raise BuildError("the import body of this Pennylane API version has no categories; "
                         "send categories_body(...) with PUT /{customer|supplier}_invoices/"
                         "{id}/categories after the import")
    subject = _subject(doc)
    missing = [name for name, value in (("issue_date", doc.issue_date), ("lines", doc.lines))
               if not value]
    if missing:
        raise MissingData(place(doc), missing, "date_and_line")
    currency = (doc.currency or "EUR").upper()
    if currency not in spec.currencies():
        raise BuildError(f"{subject}: currency {currency!r} is not accepted by Pennylane",
                         Said("held_currency", {"where": place(doc), "code": repr(currency)}))
    sign = _sign(doc)
    before, tax, total = _totals(doc, sign)
    mapper = _mapper(vat_overrides)
    make_line = _customer_line if customer else _line_common
    lines = [make_line(doc, i, line, sign, mapper, ledger_accounts)
             for i, line in enumerate(doc.lines)]
    _check_coherence(doc, before, tax, total, lines)
    deadline = doc.due_date or doc.issue_date  # no due date: payable on receipt
    body: dict[str, Any] = {
        "file_attachment_id": int(file_attachment_id),
        party[0]: int(party[1]),
        "date": doc.issue_date.isoformat(),  # type: ignore[union-attr]
        "deadline": deadline.isoformat(),  # type: ignore[union-attr]
        "currency": currency,
        "currency_amount_before_tax": amount_text(before),
        "currency_tax": amount_text(tax),
        "currency_amount": amount_text(total),
        "invoice_lines": lines,
        "external_reference": external_reference,
    }
    if doc.number:
        body["invoice_number"] = doc.number
    if import_as_incomplete:
        body["import_as_incomplete"] = True
    return body


class ImportOptions(TypedDict, total=False):
    """Options shared by both import bodies.

    `ledger_accounts` maps `Line.accounting_hint` to a ledger_account_id ("*": fallback);
    `vat_overrides` is the workspace's percent -> code mapping (or a ready VatMapper);
    `category_ids` must stay empty (see `categories_body`)."""

    ledger_accounts: Mapping[str | None, int] | None
    vat_overrides: Mapping[str, str] | VatMapper | None
    category_ids: Iterable[int] | None
    import_as_incomplete: bool


def customer_invoice_import_body(doc: Document, *, customer_id: int, file_attachment_id: int,
                                 external_reference: str, **options: Unpack[ImportOptions]
                                 ) -> dict[str, Any]:
    """Body of POST /customer_invoices/import for a customer invoice or credit note.

    Raises MissingData / IncoherentTotals / VatMappingError (all ValueError) when the
    document must be fixed in review first."""
    if doc.kind not in CUSTOMER_KINDS:
        raise BuildError(f"{_subject(doc)} is not a customer document")
    return _invoice_body(doc, ("customer_id", customer_id), file_attachment_id,
                         external_reference, customer=True, **options)


def supplier_invoice_import_body(doc: Document, *, supplier_id: int, file_attachment_id: int,
                                 external_reference: str, **options: Unpack[ImportOptions]
                                 ) -> dict[str, Any]:
    """Body of POST /supplier_invoices/import (supplier lines carry no quantity/unit)."""
    if doc.kind in CUSTOMER_KINDS:
        raise BuildError(f"{_subject(doc)} is not a supplier document")
    return _invoice_body(doc, ("supplier_id", supplier_id), file_attachment_id,
                         external_reference, customer=False, **options)


def categories_body(category_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Body of PUT /{customer,supplier}_invoices/{id}/categories: equal weights (strings,
    4 decimals) summing to exactly 1."""
    ids = list(dict.fromkeys(int(i) for i in category_ids))
    if not ids:
        return []
    step = Decimal("0.0001")
    share = (Decimal(1) / len(ids)).quantize(step, rounding=ROUND_DOWN)
    weights = [share] * len(ids)
    weights[0] += Decimal(1) - share * len(ids)
    return [{"id": i, "weight": format(w.normalize(), "f")} for i, w in zip(ids, weights)]


def link_credit_note_body(credit_note_id: int) -> dict[str, Any]:
    """Body of POST /customer_invoices/{invoice_id}/link_credit_note."""
    return {"credit_note_id": int(credit_note_id)}


# --------------------------------------------------------------------------- third parties


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _address(cp: Counterparty, role: str) -> tuple[dict[str, str] | None, list[Field]]:
    """The address as Pennylane takes it, and the fields it lacks (`role`: billing | postal)."""
    addr = cp.address
    parts = {
        "address": (addr.street or "").strip(),
        "postal_code": (addr.postal_code or "").strip(),
        "city": (addr.city or "").strip(),
        "country_alpha2": (addr.country_alpha2 or "").strip().upper(),
    }
    labels = {"address": "street", "postal_code": "postal_code", "city": "city", "country_alpha2": "country"}
    missing: list[Field] = [("address", {"role": role, "part": labels[k]}) for k, v in parts.items() if not v]
    if parts["country_alpha2"] and not re.fullmatch(r"[A-Z]{2}", parts["country_alpha2"]):
        missing.append(("address", {"role": role, "part": "country_got", "got": repr(parts["country_alpha2"])}))
    return (None if missing else parts), missing


def _party_place(kind: str, cp: Counterparty) -> Place:
    return {"kind": kind, "ref": repr(cp.name or cp.source_id)}


def _common_party(cp: Counterparty, external_reference: str) -> dict[str, Any]:
    body: dict[str, Any] = {"external_reference": external_reference}
    if cp.email and cp.email.strip():
        body["emails"] = [cp.email.strip()]
    return body


def company_customer_body(counterparty: Counterparty, external_reference: str) -> dict[str, Any]:
    """Body of POST /company_customers (name and a complete billing address required)."""
    cp = counterparty
    address, missing = _address(cp, "billing")
    if not (cp.name or "").strip():
        missing.insert(0, "name")
    if missing:
        raise MissingData(_party_place("customer", cp), missing, "company_customer")
    body = {"name": cp.name.strip(), "billing_address": address,
            **_common_party(cp, external_reference)}
    if cp.vat_number and cp.vat_number.strip():
        body["vat_number"] = re.sub(r"\s", "", cp.vat_number).upper()
    siren = _digits(cp.siren) or _digits(cp.siret)[:9]
    if len(siren) == 9:
        body["reg_no"] = siren
    return body


def split_name(name: str) -> tuple[str, str]:
    """"Jean-Pierre Martin" -> ("Jean-Pierre", "Martin"); one word -> ("", word)."""
    parts = name.strip().rsplit(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0] if parts else "")


def individual_customer_body(counterparty: Counterparty, external_reference: str, *,
                             first_name: str | None = None, last_name: str | None = None
                             ) -> dict[str, Any]:
    """Body of POST /individual_customers. First/last name come from the arguments or
    from splitting `name` on its last space."""
    cp = counterparty
    split_first, split_last = split_name(cp.name or "")
    first = (first_name if first_name is not None else split_first).strip()
    last = (last_name if last_name is not None else split_last).strip()
    address, missing = _address(cp, "billing")
    missing = [label for label, value in (("first_name", first), ("last_name", last))
               if not value] + missing
    if missing:
        raise MissingData(_party_place("customer", cp), missing, "individual_customer")
    return {"first_name": first, "last_name": last, "billing_address": address,
            **_common_party(cp, external_reference)}


def customer_request(counterparty: Counterparty, external_reference: str) -> tuple[str, dict[str, Any]]:
    """(path, body) creating this customer: /individual_customers or /company_customers."""
    if counterparty.is_individual:
        return "/individual_customers", individual_customer_body(counterparty, external_reference)
    return "/company_customers", company_customer_body(counterparty, external_reference)


def supplier_body(counterparty: Counterparty, external_reference: str) -> dict[str, Any]:
    """Body of POST /suppliers. Only `name` is required; SIREN/SIRET are sent when they
    have the digits the spec's patterns demand, the address only when complete."""
    cp = counterparty
    if not (cp.name or "").strip():
        raise MissingData({"kind": "supplier", "ref": repr(cp.source_id)}, ["name"])
    body: dict[str, Any] = {"name": cp.name.strip(), **_common_party(cp, external_reference)}
    siret = _digits(cp.siret)
    siren = _digits(cp.siren) or siret[:9]
    if len(siren) == 9:
        body["reg_no"] = siren
    if len(siret) == 14:
        body["establishment_no"] = siret
    if cp.vat_number and cp.vat_number.strip():
        body["vat_number"] = re.sub(r"\s", "", cp.vat_number).upper()
    address, _ = _address(cp, "postal")
    if address:
        body["postal_address"] = address
    return body
