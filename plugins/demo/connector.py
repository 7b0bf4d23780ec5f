"""The demo connector: a fictitious company's sales and purchases, no account needed.

It behaves like a real source so that a newcomer can try the whole flow (sync, review,
batches, sending to the Pennylane emulator) and so that the core is exercised on realistic
input: records are generated as a source's API would return them (`data.py`), then
normalized here the way any connector normalizes its payloads. What a connector would
notice (an address it cannot parse, a record it cannot read) is reported; everything else
that is wrong in the data (totals, VAT, duplicates...) is left for validation to find.

Time behaves like a real source too: each day of the calendar has its documents, the first
sync fetches `months` of history (or from `start_date`), the next ones only the days after
the cursor `{"through": "YYYY-MM-DD"}`, with a checkpoint after every month.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from typing import Any, Iterator, Mapping

from ecluse.connectors import (
    AttachmentReady,
    Checkpoint,
    CheckResult,
    Said,
    Connector,
    ConnectorError,
    FetchContext,
    FetchItem,
    Problem,
    Setting,
    SettingsError,
)
from ecluse.domain import (
    KINDS,
    WARNING,
    Address,
    Attachment,
    Counterparty,
    Document,
    DomainError,
    Finding,
    Line,
    to_decimal,
)

from ecluse import i18n
from ecluse.validation import EU_COUNTRIES

from . import data
from .pdf import render_invoice

MAX_PER_MONTH = 5000

_KINDS = {
    ("sale", "invoice"): "customer_invoice",
    ("sale", "credit_note"): "customer_credit_note",
    ("purchase", "invoice"): "supplier_invoice",
    ("purchase", "credit_note"): "supplier_credit_note",
}
_ADDRESS_TEXT = re.compile(r"^\s*(?P<street>.+?)\s*,\s*(?P<zip>\d{5})\s+(?P<city>[^,]+?)\s*$")


def _fr(label: str, help: str) -> dict[str, dict[str, str]]:
    return {"fr": {"label": label, "help": help}}


class DemoConnector(Connector):
    id = "demo"
    fictitious = True  # its invoices must never reach a real company's books
    title = "Demo (fictitious data)"
    description = (
        "A fictitious French company's sales and purchase invoices, generated on your machine: "
        "no account and no network needed. The data is deterministic (same seed, same documents), "
        "realistic (SIREN, VAT numbers, 20/10/5.5/2.1 % VAT, credit notes, PDFs) and about 3 % of it "
        "is deliberately wrong so that review has something to catch."
    )
    translations = {"fr": {"title": "Démo (données fictives)", "description": (
        "Les factures de vente et d'achat d'une entreprise française fictive, générées sur votre machine : "
        "ni compte ni réseau. Les données sont déterministes (même graine, mêmes documents), réalistes "
        "(SIREN, numéros de TVA, TVA 20/10/5,5/2,1 %, avoirs, PDF) et environ 3 % sont volontairement "
        "fausses pour que la revue ait quelque chose à trouver.")}}
    kinds = KINDS
    settings = (
        Setting("company_name", "Company name", default="Atelier Démo SAS",
                help="The fictitious company the books belong to: seller on sales invoices, "
                     "buyer on purchase invoices.",
                translations=_fr("Raison sociale", "L'entreprise fictive dont ce sont les comptes : vendeur sur "
                                 "les factures de vente, acheteur sur les factures d'achat.")),
        Setting("seed", "Seed", type="integer", default=42,
                help="Same seed, same documents. Change it for another set of customers, "
                     "suppliers and invoices.",
                translations=_fr("Graine", "Même graine, mêmes documents. Changez-la pour d'autres clients, "
                                 "fournisseurs et factures.")),
        Setting("months", "History (months)", type="integer", default=6,
                help="How many months before today the first sync fetches (ignored when a start "
                     "date is set).",
                translations=_fr("Historique (mois)", "Combien de mois avant aujourd'hui la première "
                                 "synchronisation lit (ignoré si une date de début est donnée).")),
        Setting("per_month", "Documents per month", type="integer", default=20,
                help="Invoices and credit notes generated per month (sales and purchases together).",
                translations=_fr("Documents par mois", "Factures et avoirs générés par mois (ventes et achats "
                                 "ensemble).")),
        Setting("api_key", "API key (example, unused)", secret=True, required=False, default=None,
                help="Not used by the demo: it shows how a secret setting looks. Secret values are "
                     "masked in the console, kept in secrets.toml rather than ecluse.toml, and can "
                     "be given as env:VARIABLE.",
                translations=_fr("Clé d'API (exemple, inutilisée)", "La démo ne s'en sert pas : elle montre un "
                                 "réglage secret. Les secrets sont masqués dans la console, gardés dans "
                                 "secrets.toml et non dans ecluse.toml, et peuvent s'écrire env:VARIABLE.")),
        Setting("start_date", "Start date", type="date",
                help="First day of the history (YYYY-MM-DD); empty: `months` before today.",
                translations=_fr("Date de début", "Premier jour de l'historique ; vide : le nombre de mois de "
                                 "« Historique (mois) » avant aujourd'hui.")),
    )

    # -- settings ---------------------------------------------------------------------
    def _options(self, ctx: FetchContext) -> tuple[data.DemoConfig, dt.date, dt.date, bool]:
        """(data config, first day of the history, today, whether that first day is an
        explicit `start_date`) from the connection's settings."""
        values: dict[str, Any] = {}
        for s in self.settings:
            raw = ctx.settings.get(s.name)
            try:
                value = s.parse(raw) if raw is not None else None
            except SettingsError as exc:
                raise ConnectorError(str(exc)) from None
            values[s.name] = s.default if value is None else value
        seed, months, per_month = values["seed"], values["months"], values["per_month"]
        if months < 0:
            raise ConnectorError(f"months: {months} is negative; use 0 or more")
        if not 0 <= per_month <= MAX_PER_MONTH:
            raise ConnectorError(f"per_month: {per_month} is out of range; use 0 to {MAX_PER_MONTH}")
        today = ctx.now().date()
        if values["start_date"]:
            start = dt.date.fromisoformat(values["start_date"])
        else:
            start = _months_before(today, months)
        cfg = data.DemoConfig(seed=seed, per_month=per_month, company_name=values["company_name"])
        return cfg, start, today, bool(values["start_date"])

    @classmethod
    def setting_default(cls, name: str, settings: Mapping[str, Any], created_at: dt.datetime,
                        now: dt.datetime) -> Any:
        if name != "start_date":
            return super().setting_default(name, settings, created_at, now)
        try:  # `months` before today
            months = cls.setting("months").parse(settings.get("months"))
        except SettingsError:
            return None
        months = cls.setting("months").default if months is None else months
        return _months_before(now.date(), months) if months >= 0 else None

    # -- check ------------------------------------------------------------------------
    def check(self, ctx: FetchContext) -> CheckResult:
        cfg, start, _, _ = self._options(ctx)
        me = data.company(cfg)
        return CheckResult(
            ok=True,
            message="Demo connection ready: no real data.",
            says=[Said("demo.ready")],
            details={
                "company": cfg.company_name,
                "siren": me["siren"],
                "seed": cfg.seed,
                "documents_per_month": cfg.per_month,
                "history_from": start.isoformat(),
                "customers": len(data.customers(cfg)),
                "suppliers": len(data.suppliers(cfg)),
                "api_key_set": bool(ctx.settings.get("api_key")),
            },
        )

    # -- fetch ------------------------------------------------------------------------
    def fetch(self, ctx: FetchContext) -> Iterator[FetchItem]:
        cfg, start, today, explicit_start = self._options(ctx)
        me = data.company(cfg)

        # PDFs that were not ready on an earlier sync are ready now.
        for source_id in ctx.pending_attachments:
            slot = data.find_slot(cfg, source_id)
            if slot is None or not slot.late_pdf or slot.date > today:
                ctx.log.info("demo: no PDF on its way for %s", source_id)
                continue
            doc = normalize(data.record(cfg, slot))
            yield AttachmentReady(source_id, make_attachment(doc, me))

        through = _date(ctx.state.get("through"))
        if ctx.since is not None:
            first = ctx.since
        elif through is not None:
            # A later sync goes on from the cursor, however long ago it was (`months` only
            # sizes the first history); a start date moved forward is still honoured.
            first = through + dt.timedelta(days=1)
            if explicit_start:
                first = max(first, start)
        else:
            first = start
        if first > today:
            yield Checkpoint({"through": (through or today).isoformat()})
            return

        month_end = _month_end(first)
        for slot in data.slots_between(cfg, first, today):
            while slot.date > month_end:
                yield Checkpoint({"through": month_end.isoformat()})
                month_end = _month_end(month_end + dt.timedelta(days=1))
            yield self._item(cfg, slot, me)
        while month_end < today:
            yield Checkpoint({"through": month_end.isoformat()})
            month_end = _month_end(month_end + dt.timedelta(days=1))
        yield Checkpoint({"through": today.isoformat()})

    def _item(self, cfg: data.DemoConfig, slot: data.Slot, me: dict[str, Any]) -> Document | Problem:
        raw = data.record(cfg, slot)
        try:
            doc = normalize(raw)
        except (DomainError, KeyError, TypeError, ValueError) as exc:
            if not isinstance(exc, DomainError):
                exc = DomainError(f"{raw.get('id') or 'record'}: unreadable record ({type(exc).__name__}: {exc})")
            said = getattr(exc, "said", None)
            message = i18n.said_text(said, "en") if said else str(exc)  # the English of what it says
            return Problem(message, raw.get("id") if isinstance(raw.get("id"), str) else None, raw,
                           said or Said("demo.unreadable", {"error": str(exc)}))
        if not doc.attachment_pending:
            doc.attachment = make_attachment(doc, me)
        return doc


# -- normalization (what any connector does with its source's payloads) ------------------

def _said(exc: DomainError, said: Said) -> DomainError:
    """`exc` with what it says in the console's language (the Problem carries it)."""
    exc.said = said  # type: ignore[attr-defined]
    return exc


def normalize(raw: dict[str, Any]) -> Document:
    """A source record to a `Document` (without its PDF). Raises `DomainError` when the
    record cannot be read at all."""
    source_id = raw.get("id")
    if not source_id:
        raise _said(DomainError(f"record without an id (number {raw.get('number')!r}, dated {raw.get('date')}): "
                                "it cannot be followed from one sync to the next"),
                    Said("demo.no_id", {"number": repr(raw["number"]) if raw.get("number") else "—"}))
    kind = _KINDS.get((raw.get("direction"), raw.get("type")))
    if kind is None:
        raise _said(DomainError(f"{source_id}: unknown document type {raw.get('direction')!r}/{raw.get('type')!r}"),
                    Said("demo.unknown_kind", {"kind": repr(f"{raw.get('direction')}/{raw.get('type')}")}))
    findings: list[Finding] = []
    lines = [
        Line(
            label=ln["description"],
            quantity=_amount(ln["quantity"], source_id, "quantity"),
            unit_price=_amount(ln["unit_price"], source_id, "unit price"),
            amount_before_tax=_amount(ln["subtotal"], source_id, "line subtotal"),
            tax=_amount(ln["tax"], source_id, "line tax"),
            amount=_amount(ln["total"], source_id, "line total"),
            vat_rate=to_decimal(ln.get("vat_rate"), f"{source_id} VAT rate"),
            accounting_hint=ln.get("account"),
        )
        for ln in raw.get("lines") or []
    ]
    contact = raw.get("contact") or {}
    if raw.get("vat_mention"):
        # The invoice states why no VAT is charged: intra-EU reverse charge or export. A 0 %
        # line then has a Pennylane code of its own, not "exempt".
        country = (contact.get("address") or {}).get("country") if isinstance(contact.get("address"), dict) else None
        code = "crossborder" if country in EU_COUNTRIES else "extracom"
        for line in lines:
            if line.vat_rate == 0:
                line.vat_code = code
    counterparty = None
    if contact:
        address, address_raw = _address(contact, findings)
        counterparty = Counterparty(
            source_id=contact["id"],
            name=contact["name"],
            role="customer" if raw["direction"] == "sale" else "supplier",
            vat_number=contact.get("vat_number"),
            siren=contact.get("siren"),
            siret=contact.get("siret"),
            address=address,
            address_raw=address_raw,
            email=contact.get("email"),
            is_individual=contact.get("kind") == "individual",
        )
    updated = raw.get("updated_at")
    pending = (raw.get("pdf") or {}).get("status") == "pending"
    return Document(
        source_id=source_id,
        kind=kind,
        number=raw.get("number"),
        issue_date=_day(raw.get("date"), source_id, "date"),
        due_date=_day(raw.get("due_date"), source_id, "due date"),
        currency=raw.get("currency") or "EUR",
        total_before_tax=_amount(raw.get("subtotal"), source_id, "subtotal"),
        total_tax=_amount(raw.get("tax"), source_id, "tax"),
        total=_amount(raw.get("total"), source_id, "total"),
        counterparty=counterparty,
        lines=lines,
        attachment_pending=pending,
        source_updated_at=dt.datetime.fromisoformat(updated.replace("Z", "+00:00")) if updated else None,
        raw=raw,
        findings=findings,
        credited_source_id=raw.get("credited_invoice_id"),
    )


def make_attachment(doc: Document, me: dict[str, Any]) -> Attachment:
    """The PDF the source would serve for `doc` (we are the seller on sales)."""
    company = _counterparty(me)
    sale = doc.kind.startswith("customer")
    seller, buyer = (company, doc.counterparty) if sale else (doc.counterparty or company, company)
    mentions = [m for m in [(doc.raw or {}).get("vat_mention")] if m]
    content = render_invoice(doc, seller, buyer, mentions=mentions)
    return Attachment(filename=attachment_filename(doc), content=content)


def attachment_filename(doc: Document) -> str:
    number = re.sub(r"[^A-Za-z0-9._-]+", "-", doc.number or doc.source_id).strip("-")
    if doc.kind.startswith("customer"):
        return f"{number}.pdf"
    return f"{data.slug(doc.counterparty.name if doc.counterparty else 'fournisseur')}_{number}.pdf"


def _counterparty(contact: dict[str, Any]) -> Counterparty:
    address, _ = _address(contact, [])
    return Counterparty(source_id=contact["id"], name=contact["name"], vat_number=contact.get("vat_number"),
                        siren=contact.get("siren"), siret=contact.get("siret"), address=address,
                        email=contact.get("email"))


def _address(contact: dict[str, Any], findings: list[Finding]) -> tuple[Address, str | None]:
    structured = contact.get("address")
    if structured:
        return Address(street=structured.get("street"), postal_code=structured.get("zip"),
                       city=structured.get("city"), country_alpha2=(structured.get("country") or "").upper() or None), None
    text = contact.get("address_text")
    if not text:
        return Address(), None
    match = _ADDRESS_TEXT.match(text)
    if match:
        return Address(street=match["street"], postal_code=match["zip"], city=match["city"], country_alpha2="FR"), text
    findings.append(Finding(
        "address_unparsed", WARNING,
        f"The source gives this address as free text that could not be split into street, postal code "
        f"and city: {text!r}. Complete it in the console's Fix tab, or in the source.",
        "counterparty.address", params={"variant": "free_text", "address": repr(text)},
    ))
    return Address(country_alpha2="FR"), text


def _amount(value: Any, source_id: str, what: str) -> Decimal | None:
    try:
        return to_decimal(value, f"{source_id} {what}")
    except DomainError:
        raise DomainError(f"{source_id}: the {what} {value!r} is not a number in the source") from None


def _day(value: Any, source_id: str, what: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DomainError(f"{source_id}: the {what} {value!r} is not a date in the source") from None


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
