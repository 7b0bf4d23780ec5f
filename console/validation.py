"""Validation findings for one document: data, not exceptions, shown in review.

Checks that need other documents (suspected duplicates) run in SQL after ingest, in
`ecluse.storage.ingest.refresh_duplicates`.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from .domain import CENT, CREDIT_NOTE_KINDS, CUSTOMER_KINDS, ERROR, WARNING, Document, Finding, fixed_account
from .pennylane import vat as vat_codes

KNOWN_VAT_RATES = {Decimal(r) for r in ("0", "2.1", "5.5", "8.5", "10", "13", "20")}
CURRENCIES = {"EUR", "USD", "GBP", "CHF", "CAD", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "AUD"}
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
_VAT_RE = re.compile(r"^[A-Z]{2}[0-9A-Z]{2,13}$")
_SIREN_RE = re.compile(r"^\d{9}$")
_SIRET_RE = re.compile(r"^\d{14}$")
LA_POSTE_SIREN = "356000000"  # its establishments' SIRETs follow their own key: digits summing to a multiple of 5


def siret_ok(siret: str) -> bool:
    """14 digits with the Luhn key (La Poste's own rule for its establishments)."""
    if not _SIRET_RE.match(siret):
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_SIREN + "00048":
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)

# Tolerance between declared totals and the sum of lines: Pennylane tolerates one cent per
# line; beyond that the invoice would be refused or wrong in the books.
def _line_tolerance(doc: Document) -> Decimal:
    return CENT * max(1, len(doc.lines))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def french_vat_key(siren: str) -> str:
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


# Where French VAT is charged as in France: Monaco is in the French VAT territory. Overseas,
# by postal code (or the ISO code some sources give them): Guadeloupe, Martinique and La
# Réunion have their own rates (8.5, 2.1); Guyane, Mayotte, Saint-Pierre-et-Miquelon,
# Saint-Barthélemy (97133) and Saint-Martin (97150) no VAT.
_AS_FRANCE = frozenset({"FR", "MC", ""})
_OVERSEAS = {"GP": "971", "MQ": "972", "GF": "973", "RE": "974", "PM": "975", "YT": "976", "BL": "97133", "MF": "97150"}
_NO_VAT_PLACES = ("973", "975", "976", "97133", "97150")
_DOM_RATES = frozenset({Decimal("8.5"), Decimal("2.1"), Decimal(0)})


def sale_zone(doc: Document) -> str | None:
    """Where a sale's 0 % lines are no French exempt sale (`pennylane.vat.ZONES`): "eu" for a
    business client in another EU country (reverse charge), "export" for a client outside the
    EU. None for a purchase, a client in France (overseas departments included) or whose
    country is unknown, and a consumer in another EU country (who pays French VAT)."""
    cp = doc.counterparty
    if cp is None or doc.kind not in CUSTOMER_KINDS:
        return None
    return client_zone(cp.address.country_alpha2, cp.is_individual)


def client_zone(country: str | None, is_individual: bool) -> str | None:
    """`sale_zone` of a client in this country (ISO alpha-2)."""
    country = (country or "").upper()
    if country in _AS_FRANCE or country in _OVERSEAS:
        return None
    if country in EU_COUNTRIES:
        return None if is_individual else "eu"
    return "export"


def validate(doc: Document, today: dt.date | None = None, vat_map: Mapping[str, str] | None = None) -> list[Finding]:
    """`vat_map`: the workspace's VAT mapping (rate key → Pennylane code, ecluse.toml): a rate
    mapped to a code of that very rate is not unknown."""
    today = today or dt.date.today()
    out: list[Finding] = []

    def add(code: str, severity: str, message: str, field: str | None = None, **params: Any) -> None:
        # `params`: the values the English `message` names, for the console's own language.
        out.append(Finding(code, severity, message, field, params=params))

    # Required data
    if not doc.number:
        add("missing_number", ERROR, "The invoice number is missing.", "number")
    if doc.issue_date is None:
        add("missing_issue_date", ERROR, "The issue date is missing.", "issue_date")
    if doc.due_date is None:
        # The request builder sends the issue date as Pennylane's `deadline` (requests_builder).
        add("missing_due_date", WARNING, "The due date is missing; Pennylane requires one, so the issue date will be "
            "sent as the deadline (payable on receipt): correct it if the terms differ.", "due_date")
    if doc.total is None or doc.total_before_tax is None or doc.total_tax is None:
        add("missing_totals", ERROR, "Totals (before tax, tax, total) are incomplete.", "total")
    if not doc.lines:
        add("no_lines", ERROR, "The document has no lines.", "lines")

    # Dates
    if doc.issue_date and doc.issue_date > today + dt.timedelta(days=1):
        add("future_date", WARNING, f"The issue date {doc.issue_date} is in the future.", "issue_date",
            issue_date=doc.issue_date)
    if doc.issue_date and doc.due_date and doc.due_date < doc.issue_date:
        add("due_before_issue", WARNING, f"The due date {doc.due_date} is before the issue date {doc.issue_date}.", "due_date",
            due_date=doc.due_date, issue_date=doc.issue_date)

    # Currency
    if not re.fullmatch(r"[A-Z]{3}", doc.currency or ""):
        add("bad_currency", ERROR, f"Currency {doc.currency!r} is not an ISO 4217 code.", "currency", currency=repr(doc.currency))
    elif doc.currency != "EUR":
        add("foreign_currency", WARNING, f"Amounts are in {doc.currency}; check the exchange rate in Pennylane.", "currency",
            currency=doc.currency)

    # Totals vs lines
    if doc.lines and doc.total is not None and doc.total_before_tax is not None and doc.total_tax is not None:
        tol = _line_tolerance(doc)
        sums = {
            "total_before_tax": sum((l.amount_before_tax for l in doc.lines), Decimal(0)),
            "total_tax": sum((l.tax for l in doc.lines), Decimal(0)),
            "total": sum((l.amount for l in doc.lines), Decimal(0)),
        }
        for fname, computed in sums.items():
            declared = getattr(doc, fname)
            if abs(declared - computed) > tol:
                add("totals_mismatch", ERROR,
                    f"{fname.replace('_', ' ')} is {declared} but the lines add up to {computed} "
                    f"(difference {abs(declared - computed)}).", fname,
                    part=fname, declared=declared, computed=computed)
        if abs(doc.total_before_tax + doc.total_tax - doc.total) > CENT:
            add("total_not_sum", ERROR,
                f"Total {doc.total} ≠ before tax {doc.total_before_tax} + tax {doc.total_tax}.", "total",
                total=doc.total, before_tax=doc.total_before_tax, tax=doc.total_tax)
        if doc.kind in CREDIT_NOTE_KINDS and doc.total > 0:
            add("credit_note_positive", WARNING, "This credit note has a positive total.", "total")
        if doc.kind not in CREDIT_NOTE_KINDS and doc.total < 0:
            add("invoice_negative", WARNING, "This invoice has a negative total; is it a credit note?", "total")

    # Lines: the account a reviewer gave, VAT rate and VAT amount
    for i, line in enumerate(doc.lines, start=1):
        where = f"lines[{i}]"
        account = fixed_account(line.accounting_hint)
        # A sale booked to an expense account (class 6), a purchase to an income one (class 7):
        # a slip of the keyboard, more often than not.
        wrong_class = "6" if doc.kind in CUSTOMER_KINDS else "7"
        if account and account.startswith(wrong_class):
            add("account_class", WARNING,
                f"Line {i}: account {account} is an expense account (class 6) on a sale; check it." if wrong_class == "6"
                else f"Line {i}: account {account} is an income account (class 7) on a purchase; check it.",
                f"{where}.ledger_account", line=i, account=account,
                variant="expense_on_sale" if wrong_class == "6" else "income_on_purchase")
        if line.vat_rate is None and not line.vat_code:
            add("missing_vat_rate", ERROR, f"Line {i} has no VAT rate.", f"{where}.vat_rate", line=i)
            continue
        code_rate = vat_codes.code_rate(line.vat_code) if line.vat_code else None
        # A code clears an unusual rate only when it stands for that very rate (not `mixed`):
        # the line's own, else the one the workspace maps the rate to.
        if line.vat_rate is not None and line.vat_rate not in KNOWN_VAT_RATES and code_rate != line.vat_rate and not (
                not line.vat_code and vat_map and _mapped_rate(vat_map, line.vat_rate) == line.vat_rate):
            add("unknown_vat_rate", ERROR,
                f"Line {i}: VAT rate {line.vat_rate}% is not a French rate (20, 10, 5.5, 2.1, 0); map it or fix it.",
                f"{where}.vat_rate", line=i, rate=line.vat_rate)
        if line.vat_rate is not None and code_rate is not None and code_rate != line.vat_rate:
            add("vat_code_rate_mismatch", ERROR,
                f"Line {i}: VAT code {line.vat_code} is for {code_rate}%, but the line's VAT rate is {line.vat_rate}%.",
                f"{where}.vat_code", line=i, vat_code=line.vat_code, code_rate=code_rate, rate=line.vat_rate)
        if line.vat_rate is not None:
            expected = (line.amount_before_tax * line.vat_rate / 100).quantize(CENT, ROUND_HALF_UP)
            if abs(expected - line.tax) > CENT:
                add("vat_amount_mismatch", ERROR,
                    f"Line {i}: VAT {line.tax} does not match {line.vat_rate}% of {line.amount_before_tax} (expected {expected}).",
                    f"{where}.tax", line=i, tax=line.tax, rate=line.vat_rate, before_tax=line.amount_before_tax,
                    expected=expected)
        if abs(line.amount_before_tax + line.tax - line.amount) > CENT:
            add("line_total_mismatch", ERROR, f"Line {i}: {line.amount_before_tax} + {line.tax} ≠ {line.amount}.", f"{where}.amount",
                line=i, before_tax=line.amount_before_tax, tax=line.tax, amount=line.amount)

    # Counterparty
    cp = doc.counterparty
    if cp is None:
        add("missing_counterparty", ERROR, "The document has no customer or supplier.", "counterparty")
    else:
        if not (cp.name or "").strip():
            add("missing_counterparty_name", ERROR, "The counterparty has no name.", "counterparty.name")
        if doc.kind in CUSTOMER_KINDS and not cp.address.is_complete():
            missing = [f for f in ("street", "postal_code", "city", "country_alpha2") if not getattr(cp.address, f)]
            add("incomplete_address", ERROR,
                f"The customer's billing address lacks {', '.join(missing)}; Pennylane requires it to create the customer.",
                "counterparty.address", missing=missing)
        postal = (cp.address.postal_code or "").strip()
        country = (cp.address.country_alpha2 or "").upper()
        if postal and country in ("FR", "MC", *_OVERSEAS) and not re.fullmatch(r"\d{5}", postal.replace(" ", "")):
            # A French (or Monaco, overseas) postal code is five digits: "4910" or "ABC" is a typo.
            add("bad_postal_code", WARNING, f"Postal code '{postal}' is not a French postal code (five digits).",
                "counterparty.address.postal_code", postal=postal)
        if cp.vat_number:
            vat = cp.vat_number.replace(" ", "").upper()
            if not _VAT_RE.match(vat):
                add("bad_vat_number", WARNING, f"VAT number {cp.vat_number!r} does not look valid.", "counterparty.vat_number",
                    vat=repr(cp.vat_number))
            elif vat.startswith("FR") and len(vat) == 13 and vat[4:].isdigit() and vat[2:4].isdigit():
                if french_vat_key(vat[4:]) != vat[2:4]:
                    add("bad_vat_number", WARNING, f"VAT number {vat}: the key does not match the SIREN.", "counterparty.vat_number",
                        vat=vat, variant="key")
        elif not cp.is_individual and (cp.address.country_alpha2 or "FR") in EU_COUNTRIES - {"FR"} and doc.kind in CUSTOMER_KINDS:
            add("missing_vat_number", WARNING, "EU business customer without a VAT number: intra-community VAT needs one.", "counterparty.vat_number")
        if cp.siren and not (_SIREN_RE.match(cp.siren) and luhn_ok(cp.siren)):
            add("bad_siren", WARNING, f"SIREN {cp.siren!r} is not valid.", "counterparty.siren", siren=repr(cp.siren))
        if cp.siret:
            siret = cp.siret.replace(" ", "")
            if not siret_ok(siret):
                add("bad_siret", WARNING, f"SIRET {cp.siret!r} is not valid: 14 digits, the last one a check digit.",
                    "counterparty.siret", siret=repr(cp.siret))
            elif cp.siren and _SIREN_RE.match(cp.siren) and luhn_ok(cp.siren) and siret[:9] != cp.siren:
                add("bad_siret", WARNING, f"SIRET {cp.siret!r} does not start with the SIREN {cp.siren!r}: one of them "
                    "belongs to another company.", "counterparty.siret", siret=repr(cp.siret), siren=repr(cp.siren),
                    variant="siren")

    # French VAT charged where it may not apply: a customer abroad (reverse charge within the
    # EU, export outside it) or in Guyane or Mayotte; La Réunion, Guadeloupe, Martinique: their rates.
    if cp is not None and doc.kind in CUSTOMER_KINDS:
        country = (cp.address.country_alpha2 or "").upper()
        postal = (cp.address.postal_code or "").strip()
        if country in _OVERSEAS:  # a source giving Guadeloupe as GP: the same rules as 971
            country, postal = "FR", postal or _OVERSEAS[country]
        charged = sorted({line.vat_rate for line in doc.lines
                          if line.vat_rate and not line.vat_code and line.vat_rate > 0})
        zone = client_zone(country, cp.is_individual)  # an EU consumer pays French VAT: no zone
        if charged and zone:
            rate = charged[-1]
            if zone == "eu":  # to a business: reverse charge
                add("vat_abroad", WARNING,
                    f"French VAT at {rate}% on a sale to a customer in another EU country ({country}): intra-community "
                    "sales to businesses are usually reverse-charged; check the lines' VAT code.", "lines",
                    rate=rate, country=country, variant="eu")
            else:
                add("vat_abroad", WARNING,
                    f"French VAT at {rate}% on a sale to a customer outside the EU ({country}): exports are usually "
                    "without VAT; check the lines' VAT code.", "lines", rate=rate, country=country, variant="export")
        elif charged and country in _AS_FRANCE and postal.startswith("97"):
            no_vat = postal.startswith(_NO_VAT_PLACES)
            wrong = [r for r in charged if no_vat or (postal[:3] in ("971", "972", "974") and r not in _DOM_RATES)]
            if wrong:
                add("vat_abroad", WARNING,
                    f"VAT at {wrong[-1]}% on a sale to a customer in an overseas department (postal code {postal}): "
                    "VAT there is 8.5% or 2.1% (Guadeloupe, Martinique, La Réunion) or not charged (Guyane, Mayotte); "
                    "check the lines' VAT.", "lines", rate=wrong[-1], postal_code=postal, variant="dom")

    # Attachment
    if doc.attachment is None and not doc.attachment_pending:
        add("missing_attachment", ERROR, "No PDF: Pennylane's import needs a file attachment.", "attachment")
    elif doc.attachment is not None and doc.attachment.content is not None and not is_supported_file(doc.attachment.content):
        add("attachment_not_pdf", ERROR, "The attached file is not a PDF (or a PNG/JPEG image).", "attachment")
    if doc.attachment_pending:
        add("attachment_pending", WARNING, "The PDF has not arrived from the source yet.", "attachment")
    return out


ADDRESS_FIELD = "counterparty.address"  # where a connector says why an address is incomplete


def without_incomplete_address(found: list[Finding]) -> tuple[list[Finding], bool]:
    """Validation's `found` less `incomplete_address`, and whether it was there: for a document
    whose connector said why its address is incomplete, that finding stands for it, as an error."""
    kept = [f for f in found if f.code != "incomplete_address"]
    return kept, len(kept) < len(found)


def merged(connector: list[Finding], found: list[Finding]) -> list[Finding]:
    """A connector's findings with validation's `found`, one finding per missing address: a
    connector that said why the address is incomplete (Harvest's unparsed text) keeps its
    words, made an error as validation's `incomplete_address` (which is then left out) is.
    `fixes.revalidate` applies the same rule to findings already stored."""
    said = [f for f in connector if f.field == ADDRESS_FIELD]
    if said:
        found, dropped = without_incomplete_address(found)
        if dropped:
            for f in said:
                f.severity = ERROR
    found = without_missing_said(found, {f.field for f in connector if f.severity == ERROR and f.field})
    return [*connector, *found]


# Validation's word that a field is missing, which a connector's own error on that field says
# better ("The invoice names no Harvest client" beside "The document has no customer").
_MISSING = frozenset({"missing_counterparty", "missing_number", "missing_issue_date"})


def without_missing_said(found: list[Finding], said_fields: set[str]) -> list[Finding]:
    """`found` without the `missing_*` findings on a field the connector already flagged as an
    error (`said_fields`): one finding, not two. `fixes.revalidate` applies it too."""
    return [f for f in found if not (f.code in _MISSING and f.field in said_fields)]


def _mapped_rate(vat_map: Mapping[str, str], rate: Decimal) -> Decimal | None:
    code = vat_map.get(vat_codes.rate_key(rate))
    return vat_codes.code_rate(code) if code else None


def is_supported_file(content: bytes) -> bool:
    return content.startswith((b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))
