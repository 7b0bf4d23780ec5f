"""Harvest invoice and client payloads → `Document` and `Counterparty`. Pure, no I/O.

Totals (Harvest API v2 documentation, checked against its examples 13150403 and 13150378 and
the estimate 1439818, which uses the same arithmetic):

- a line's `amount` is quantity × unit price; Harvest sends it, we use it as sent and only
  flag a line whose amount is not quantity × unit price rounded to the cent;
- ``subtotal = Σ amounts`` (negative lines included);
- ``discount_amount = round(subtotal × discount%)``;
- ``tax_amount = round(Σ amounts of lines with taxed=true × (1 − discount%) × tax%)`` and
  the same for ``tax2_amount`` with `taxed2` and `tax2` (tax2 is not compounded on tax);
- ``amount = subtotal − discount_amount + tax_amount + tax2_amount``.

Rounding rule: discount, tax and tax2 are each computed exactly in `Decimal` and rounded
once, half-up (away from zero on a tie, Ruby's `round(2)`), to the cent; nothing is rounded
per line. Example 13150403: 300.00 − 30.00 (10 %) + 13.50 (5 % of 270) + 5.40 (2 % of 270) =
288.90, as documented. Harvest's own figures are kept in `raw`, the document's totals are
Harvest's (they are what the PDF shows), and any difference with the recomputation is an
error finding `source_totals_mismatch` for the reviewer.

Mapping: ``total_before_tax = subtotal − discount_amount``, ``total_tax = tax_amount +
tax2_amount``, ``total = amount``. Lines carry their share of the discount (so
Σ amount_before_tax = total_before_tax) and of the taxes (Σ tax = total_tax), split by
largest remainder (`apportion`) so that the cents add up exactly and each line's tax stays
within a cent of its rate × its base; `unit_price` and `quantity` stay Harvest's (before
discount). `vat_rate` is the sum of the percentages applying to the line
(tax if taxed, plus tax2 if taxed2; 0 when untaxed). `accounting_hint` is
``kind:<line kind>|project:<project code>`` with the missing parts left out.

An invoice whose `amount` is negative is a credit note (`customer_credit_note`); negative
lines inside a positive invoice stay ordinary lines (rebates).
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from ecluse.domain import (
    CENT,
    CUSTOMER_CREDIT_NOTE,
    CUSTOMER_INVOICE,
    ERROR,
    WARNING,
    Address,
    Attachment,
    Counterparty,
    Document,
    DomainError,
    Finding,
    Line,
    plain_decimal,
    to_decimal,
)

from .address import ParsedAddress, parse_address

ZERO = Decimal(0)
ZERO_CENTS = Decimal("0.00")
HUNDRED = Decimal(100)

SOURCE_TOTALS_MISMATCH = "source_totals_mismatch"
ADDRESS_UNPARSED = "address_unparsed"


class NormalizeError(DomainError):
    """The payload cannot become a document at all (the connector yields a `Problem`)."""


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SourceLine:
    """One Harvest line item, parsed."""

    label: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    taxed: bool
    taxed2: bool
    hint: str | None


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    tax2_amount: Decimal
    amount: Decimal


def _percent(value: Decimal | None) -> Decimal:
    return (value or ZERO) / HUNDRED


def compute_totals(lines: list[SourceLine], tax: Decimal | None, tax2: Decimal | None,
                   discount: Decimal | None) -> Totals:
    """Harvest's totals for these lines (see the module docstring for the rule)."""
    subtotal = sum((line.amount for line in lines), ZERO)
    keep = 1 - _percent(discount)
    taxed = sum((line.amount for line in lines if line.taxed), ZERO)
    taxed2 = sum((line.amount for line in lines if line.taxed2), ZERO)
    discount_amount = round_cents(subtotal * _percent(discount))
    tax_amount = round_cents(taxed * keep * _percent(tax))
    tax2_amount = round_cents(taxed2 * keep * _percent(tax2))
    return Totals(subtotal, discount_amount, tax_amount, tax2_amount,
                  subtotal - discount_amount + tax_amount + tax2_amount)


def apportion(exact: list[Decimal], target: Decimal) -> list[Decimal]:
    """Cent parts of `target` in proportion to the `exact` shares (largest remainder).

    Each part is the exact share rounded down or up to the cent, and the parts add up to
    `target` exactly; so a line's tax is always within a cent of its own rate × base, which
    is what validation checks. When `target` is not the rounded sum (Harvest's figure differs
    from the recomputation, already reported) the extra cents go to the lines with a share.
    """
    if not exact:
        return []
    cents = [value * 100 for value in exact]
    parts = [c.to_integral_value(rounding=ROUND_FLOOR) for c in cents]
    rest = int(target.quantize(CENT) * 100 - sum(parts, ZERO))
    eligible = [i for i, value in enumerate(exact) if value != 0] or list(range(len(exact)))
    order = sorted(eligible, key=lambda i: (-(cents[i] - parts[i]), i))
    if rest < 0:
        order.reverse()
    for k in range(abs(rest)):
        parts[order[k % len(order)]] += 1 if rest > 0 else -1
    return [(part / 100).quantize(CENT) for part in parts]


_plain = functools.lru_cache(maxsize=256)(plain_decimal)  # a few VAT rates, over and over


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(payload: Mapping[str, Any], name: str, findings: list[Finding], *, required: bool) -> dt.date | None:
    value = payload.get(name)
    if value in (None, ""):
        if required:
            findings.append(Finding(f"{name}_missing", ERROR, f"Harvest gives no {name.replace('_', ' ')} for this invoice.", name,
                                    params={}))
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        findings.append(Finding(f"{name}_invalid", ERROR if required else WARNING,
                                f"Harvest's {name.replace('_', ' ')} {value!r} is not a date.", name,
                                params={"value": repr(value)}))
        return None


def parse_datetime(value: Any) -> dt.datetime | None:
    """Harvest's `2017-06-27T16:24:57Z` as an aware datetime; None if absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _hint(kind: Any, project: Any) -> str | None:
    return _hint_of(_text(kind), _text(project.get("code")) if isinstance(project, Mapping) else None)


@functools.lru_cache(maxsize=4096)
def _hint_of(kind: str | None, code: str | None) -> str | None:
    parts = [f"kind:{kind}"] if kind else []
    if code:
        parts.append(f"project:{code}")
    return "|".join(parts) or None


def _number(raw: Mapping[str, Any], name: str, position: int) -> Decimal | None:
    value = raw.get(name)
    if type(value) is Decimal and value.is_finite():
        return value  # the usual case, without building the error's wording
    return to_decimal(value, f"line {position} {name}")


def parse_line(raw: Any, position: int, findings: list[Finding]) -> SourceLine:
    """One line item; a line without a usable amount makes the whole invoice unusable."""
    if not isinstance(raw, Mapping):
        raise NormalizeError(f"line {position}: expected an object, got {type(raw).__name__}")
    where = f"line {position}"
    quantity = _number(raw, "quantity", position)
    unit_price = _number(raw, "unit_price", position)
    amount = _number(raw, "amount", position)
    if amount is None:
        if quantity is None or unit_price is None:
            raise NormalizeError(f"{where}: no amount, and no quantity × unit price to compute it")
        amount = round_cents(quantity * unit_price)
        findings.append(Finding("line_amount_missing", WARNING,
                                f"Harvest gives no amount for {where}; {amount} computed from quantity × unit price.",
                                f"lines[{position}].amount", params={"line": position, "amount": amount}))
    if quantity is None:
        quantity = Decimal(1)
    if unit_price is None:
        unit_price = amount / quantity if quantity else amount
    elif abs(quantity * unit_price - amount) >= CENT:
        findings.append(Finding("line_amount_mismatch", WARNING,
                                f"{where}: Harvest's amount {amount} is not quantity {quantity} × unit price {unit_price}.",
                                f"lines[{position}].amount", params={"line": position, "amount": amount,
                                                                     "quantity": quantity, "unit_price": unit_price}))
    label = _text(raw.get("description")) or _text(raw.get("kind")) or f"Line {position}"
    return SourceLine(label, quantity, unit_price, amount, raw.get("taxed") is True, raw.get("taxed2") is True,
                      _hint(raw.get("kind"), raw.get("project")))


def build_lines(lines: list[SourceLine], tax: Decimal | None, tax2: Decimal | None, discount: Decimal | None,
                discount_amount: Decimal, total_tax: Decimal) -> list[Line]:
    """Our lines, with their share of the discount and of the taxes (module docstring)."""
    share = _percent(discount)
    keep = 1 - share
    rates = [((tax or ZERO) if line.taxed else ZERO) + ((tax2 or ZERO) if line.taxed2 else ZERO) for line in lines]
    if share or discount_amount:
        discounts = apportion([line.amount * share for line in lines], discount_amount)
    else:  # no discount: what apportion gives for all-zero shares and a zero target
        discounts = [ZERO_CENTS] * len(lines)
    taxes = apportion([line.amount * keep * rate / HUNDRED for line, rate in zip(lines, rates)], total_tax)
    out = []
    for line, rate, line_discount, line_tax in zip(lines, rates, discounts, taxes):
        before_tax = line.amount - line_discount
        out.append(Line(
            label=line.label,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount_before_tax=before_tax,
            tax=line_tax,
            amount=before_tax + line_tax,
            vat_rate=_plain(rate),
            accounting_hint=line.hint,
        ))
    return out


def normalize_client(payload: Mapping[str, Any] | None, *, fallback: Mapping[str, Any] | None = None
                     ) -> tuple[Counterparty | None, list[Finding]]:
    """A Harvest client → customer counterparty, plus findings on its address.

    `fallback` is the invoice's embedded `{id, name}` used when the client record is unknown.
    """
    findings: list[Finding] = []
    record = payload if isinstance(payload, Mapping) else None
    embedded = fallback if isinstance(fallback, Mapping) else {}
    source_id = _text((record or {}).get("id")) or _text(embedded.get("id"))
    name = _text(embedded.get("name")) or _text((record or {}).get("name"))
    if source_id is None and name is None:
        findings.append(Finding("counterparty_missing", ERROR, "The invoice names no Harvest client.", "counterparty",
                                params={}))
        return None, findings
    raw_address = (record or {}).get("address")
    raw_address = raw_address if isinstance(raw_address, str) else None
    parsed = _parsed_address(raw_address)
    label = name or f"client {source_id}"
    if record is None:
        findings.append(Finding(ADDRESS_UNPARSED, WARNING,
                                f"The Harvest client {label} could not be read, so its address is unknown; "
                                "complete it before sending.", "counterparty.address",
                                params={"variant": "unreadable", "client": label}))
    elif not parsed.complete:
        shown = " / ".join(line.strip() for line in (raw_address or "").splitlines() if line.strip())
        what = ", ".join(parsed.missing)
        text = f"Harvest's address for {label} ({shown!r})" if shown else f"Harvest has no address for {label}; it"
        findings.append(Finding(ADDRESS_UNPARSED, WARNING,
                                f"{text} lacks or hides the {what}; complete it before sending.",
                                "counterparty.address", params={"variant": "incomplete" if shown else "none", "client": label,
                                                                "address": repr(shown), "missing": list(parsed.missing)}))
    counterparty = Counterparty(
        source_id=source_id or "",
        name=label,
        role="customer",
        address=_copy(parsed.address) if record is not None else Address(),
        address_raw=raw_address,
    )
    return counterparty, findings


def _copy(address: Address) -> Address:
    return Address(address.street, address.postal_code, address.city, address.country_alpha2)


@functools.lru_cache(maxsize=4096)
def _parsed_address(text: str | None) -> ParsedAddress:
    """`parse_address`, once per distinct text: a page names the same clients again and again.
    Shared: callers copy the address before handing it out."""
    return parse_address(text)


def _source_total(payload: Mapping[str, Any], name: str) -> Decimal | None:
    return to_decimal(payload.get(name), name)


def normalize_invoice(
    payload: Any,
    client: Mapping[str, Any] | None = None,
    *,
    attachment: Attachment | None = None,
) -> Document:
    """One Harvest invoice → Document. Raises `NormalizeError` (a `DomainError`) when the
    payload is unusable; everything partially wrong becomes a finding on the document."""
    if not isinstance(payload, Mapping):
        raise NormalizeError(f"expected an invoice object, got {type(payload).__name__}")
    invoice_id = payload.get("id")
    if isinstance(invoice_id, bool) or not isinstance(invoice_id, (int, str)) or not str(invoice_id).strip():
        raise NormalizeError("the invoice has no id")
    findings: list[Finding] = []
    raw_lines = payload.get("line_items")
    if raw_lines is None:
        raw_lines = []
    if not isinstance(raw_lines, list):
        raise NormalizeError(f"line_items: expected a list, got {type(raw_lines).__name__}")
    lines = [parse_line(raw, i + 1, findings) for i, raw in enumerate(raw_lines)]
    tax = to_decimal(payload.get("tax"), "tax")
    tax2 = to_decimal(payload.get("tax2"), "tax2")
    discount = to_decimal(payload.get("discount"), "discount")
    computed = compute_totals(lines, tax, tax2, discount)

    source = {name: _source_total(payload, name) for name in ("discount_amount", "tax_amount", "tax2_amount", "amount")}
    ours = {"discount_amount": computed.discount_amount, "tax_amount": computed.tax_amount,
            "tax2_amount": computed.tax2_amount, "amount": computed.amount}
    # Harvest sends null tax amounts when no tax is set: that is zero, not a difference.
    for name in ("discount_amount", "tax_amount", "tax2_amount"):
        if source[name] is None:
            source[name] = ZERO
    differing = [name for name in ours if source[name] is not None and source[name] != ours[name]]
    differences = [f"{name} {source[name]} (recomputed {ours[name]})" for name in differing]
    if source["amount"] is None:
        findings.append(Finding("source_total_missing", WARNING,
                                f"Harvest gives no total amount; {computed.amount} recomputed from the lines.", "total",
                                params={"amount": computed.amount}))
        source["amount"] = computed.amount
    if differences:
        findings.append(Finding(SOURCE_TOTALS_MISMATCH, ERROR,
                                "Harvest's totals differ from the ones recomputed from its lines: "
                                + "; ".join(differences) + ". Check the invoice in Harvest before approving.",
                                "total", params={"differences": [{"part": name, "harvest": source[name], "computed": ours[name]}
                                                                 for name in differing]}))

    currency = _text(payload.get("currency")) or _text((client or {}).get("currency") if isinstance(client, Mapping) else None)
    if currency is None:
        currency = "EUR"
        findings.append(Finding("currency_missing", ERROR,
                                "Harvest gives no currency for this invoice; EUR assumed, check it.", "currency",
                                params={}))
    number = _text(payload.get("number"))
    if number is None:
        findings.append(Finding("number_missing", ERROR, "Harvest gives no number for this invoice.", "number", params={}))
    issue_date = _date(payload, "issue_date", findings, required=True)
    due_date = _date(payload, "due_date", findings, required=False)

    embedded = payload.get("client") if isinstance(payload.get("client"), Mapping) else None
    counterparty, client_findings = normalize_client(client, fallback=embedded)
    findings.extend(client_findings)

    total = source["amount"]
    document_lines = build_lines(lines, tax, tax2, discount, source["discount_amount"],
                                 source["tax_amount"] + source["tax2_amount"])
    return Document(
        source_id=str(invoice_id).strip(),
        kind=CUSTOMER_CREDIT_NOTE if total < 0 else CUSTOMER_INVOICE,
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency.upper(),
        total_before_tax=round_cents(computed.subtotal - source["discount_amount"]),
        total_tax=round_cents(source["tax_amount"] + source["tax2_amount"]),
        total=round_cents(total),
        counterparty=counterparty,
        lines=document_lines,
        attachment=attachment,
        source_updated_at=parse_datetime(payload.get("updated_at")),
        raw=dict(payload),
        findings=findings,
    )


def failure_detail(exc: Exception) -> str:
    """What made an invoice unreadable, for its `Problem` (`said.harvest.unreadable`)."""
    return str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
