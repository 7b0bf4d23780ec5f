"""Invoice PDFs for the demo connector, drawn with fpdf2's core fonts.

The output is deterministic: the creation date is derived from the issue date and fpdf2
adds nothing time-dependent otherwise, so the same document always gives the same bytes
(and the same sha256, which is part of `Document.content_hash()`).

Core fonts (Helvetica) only know latin-1. French accents are latin-1; anything else goes
through `latin1()` first ('€' becomes 'EUR', typographic quotes become plain ones, the
rest '?').

Speed: text is placed with `FPDF.text()` at computed positions and measured from the core
font's width table; `cell()`/`multi_cell()` do a layout pass per call and made rendering
five times slower. A page takes a couple of milliseconds.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable

from fpdf import FPDF

from ecluse.domain import CREDIT_NOTE_KINDS, CUSTOMER_KINDS, Counterparty, Document, Line

_REPLACEMENTS = {
    "€": "EUR", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...",
    "œ": "oe", "Œ": "OE", "\u202f": " ", "\u2009": " ", "\u2007": " ", "•": "-", "≠": "!=",
}
_TABLE = str.maketrans(_REPLACEMENTS)

GREY = (238, 238, 238)
DARK = (40, 40, 40)
ACCENT = (22, 78, 99)


def latin1(text: Any) -> str:
    """`text` made printable with a core font (latin-1 only)."""
    return str(text).translate(_TABLE).encode("latin-1", "replace").decode("latin-1")


def fmt_amount(value: Decimal | None, currency: str = "") -> str:
    """French style: 1 234,56 EUR."""
    if value is None:
        return "-"
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} {currency}".strip()


def fmt_number(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")


def fmt_rate(rate: Decimal | None) -> str:
    if rate is None:
        return "?"
    return fmt_number(rate) + " %"


def fmt_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "-"


PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
WIDTH = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - 26.0  # the footer lives below


class _Canvas:
    """Positioned text on an FPDF page, measured with the core font's width table."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.cw: dict[str, int] = {}

    def font(self, size: float, style: str = "") -> None:
        self.pdf.set_font("Helvetica", style, size)
        self.cw = self.pdf.current_font.cw

    def width(self, text: str) -> float:
        cw = self.cw
        return sum(cw.get(c, 556) for c in text) * self.pdf.font_size / 1000

    def fit(self, text: Any, width: float) -> str:
        """`text` cut with '...' so that it fits `width` mm at the current font."""
        text = latin1(text)
        if self.width(text) <= width:
            return text
        while text and self.width(text + "...") > width:
            text = text[:-1]
        return text.rstrip() + "..."

    def put(self, x: float, y: float, text: Any, width: float | None = None, align: str = "L") -> None:
        """Write `text` with its baseline at `y`, in the box [x, x + width] aligned L/R/C."""
        text = self.fit(text, width) if width else latin1(text)
        if width and align != "L":
            gap = width - self.width(text)
            x += gap if align == "R" else gap / 2
        self.pdf.text(x, y, text)

    def wrap(self, text: str, width: float) -> list[str]:
        lines: list[str] = []
        space = self.width(" ")
        for paragraph in latin1(text).split("\n"):
            current: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                w = self.width(word)
                if current and used + space + w > width:
                    lines.append(" ".join(current))
                    current, used = [], 0.0
                used += (space if current else 0.0) + w
                current.append(word)
            lines.append(" ".join(current))
        return lines


def _party_lines(party: Counterparty | None) -> list[str]:
    if party is None:
        return ["(inconnu)"]
    out = [party.name]
    a = party.address
    if a.street:
        out.append(a.street)
    if a.postal_code or a.city:
        out.append(" ".join(x for x in (a.postal_code, a.city) if x))
    if a.country_alpha2 and a.country_alpha2 != "FR":
        out.append(a.country_alpha2)
    if not a.is_complete() and party.address_raw:
        out.append(party.address_raw)
    if party.siret:
        out.append(f"SIRET : {party.siret}")
    elif party.siren:
        out.append(f"SIREN : {party.siren}")
    if party.vat_number:
        out.append(f"TVA intracom. : {party.vat_number}")
    return out


def _vat_breakdown(lines: Iterable[Line]) -> list[tuple[Decimal | None, Decimal, Decimal]]:
    groups: dict[Decimal | None, list[Decimal]] = {}
    for line in lines:
        acc = groups.setdefault(line.vat_rate, [Decimal("0"), Decimal("0")])
        acc[0] += line.amount_before_tax
        acc[1] += line.tax
    return [(rate, base, tax) for rate, (base, tax) in
            sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0), reverse=True)]


# Lines table: (title, share of the width, alignment)
_COLUMNS = (("Désignation", 0.46, "L"), ("Qté", 0.08, "R"), ("PU HT", 0.15, "R"),
            ("TVA", 0.10, "R"), ("Total HT", 0.21, "R"))


def render_invoice(
    doc: Document,
    seller: Counterparty,
    buyer: Counterparty | None,
    *,
    mentions: Iterable[str] = (),
    compress: bool = True,
) -> bytes:
    """An A4 invoice or credit note for `doc`, as PDF bytes."""
    credit = doc.kind in CREDIT_NOTE_KINDS
    title = "AVOIR" if credit else "FACTURE"
    number = doc.number or "(sans numéro)"
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_title(latin1(f"{title.capitalize()} {number}"))
    pdf.set_author(latin1(seller.name))
    pdf.set_subject(latin1(f"{title.capitalize()} {number} - {buyer.name if buyer else ''}"))
    pdf.set_creator("Écluse démo")
    issued = doc.issue_date or dt.date(2000, 1, 1)
    pdf.set_creation_date(dt.datetime(issued.year, issued.month, issued.day, 8, 0, tzinfo=dt.timezone.utc))
    c = _Canvas(pdf)
    footer = [
        " - ".join(x for x in (seller.name, f"SIREN {seller.siren}" if seller.siren else "",
                               f"TVA {seller.vat_number}" if seller.vat_number else "") if x),
        "Document fictif produit par le connecteur de démonstration d'Écluse : "
        "aucune valeur comptable ni fiscale.",
    ]

    def new_page() -> None:
        pdf.add_page()
        pdf.set_text_color(110, 110, 110)
        c.font(7)
        for i, text in enumerate(footer):
            c.put(MARGIN, PAGE_H - 14 + 3.4 * i, text, WIDTH, "C")
        pdf.set_text_color(*DARK)

    new_page()

    # Seller (left)
    y = MARGIN + 5
    half = WIDTH * 0.55
    c.font(13, "B")
    c.put(MARGIN, y, seller.name, half)
    c.font(8.5)
    for text in _party_lines(seller)[1:] + ([seller.email] if seller.email else []):
        y += 4.2
        c.put(MARGIN, y, text, half)
    seller_bottom = y

    # Title block (right)
    box = WIDTH * 0.42
    x_box = MARGIN + WIDTH - box
    c.font(22, "B")
    pdf.set_text_color(*ACCENT)
    y = MARGIN + 7
    c.put(x_box, y, title, box, "R")
    pdf.set_text_color(*DARK)
    c.font(10, "B")
    y += 6.5
    c.put(x_box, y, f"N° {number}", box, "R")
    c.font(8.5)
    facts = [f"Date d'émission : {fmt_date(doc.issue_date)}",
             f"Échéance : {fmt_date(doc.due_date) if doc.due_date else 'non précisée'}",
             f"Devise : {doc.currency}"]
    if credit:
        credited = (doc.raw or {}).get("credited_invoice_number") or doc.credited_source_id
        if credited:
            facts.append(f"Avoir sur facture {credited}")
    for text in facts:
        y += 4.5
        c.put(x_box, y, text, box, "R")

    # Buyer block (right, shaded)
    buyer_lines = _party_lines(buyer)
    top = max(seller_bottom, y) + 8
    pdf.set_fill_color(*GREY)
    pdf.rect(x_box - 3, top - 4, box + 3, 9.5 + 4.2 * len(buyer_lines), style="F")
    c.font(7.5, "B")
    c.put(x_box, top, "CLIENT" if doc.kind in CUSTOMER_KINDS else "FACTURÉ À", box)
    c.font(9.5, "B")
    y = top + 5
    c.put(x_box, y, buyer_lines[0], box)
    c.font(8.5)
    for text in buyer_lines[1:]:
        y += 4.2
        c.put(x_box, y, text, box)

    # Lines table
    def table_header(y: float) -> float:
        pdf.set_fill_color(*ACCENT)
        pdf.rect(MARGIN, y, WIDTH, 7, style="F")
        pdf.set_text_color(255, 255, 255)
        c.font(8.5, "B")
        x = MARGIN
        for name, share, align in _COLUMNS:
            c.put(x + 1.5, y + 4.7, name, WIDTH * share - 3, align)
            x += WIDTH * share
        pdf.set_text_color(*DARK)
        c.font(8.5)
        return y + 7

    y = table_header(y + 10)
    pdf.set_fill_color(246, 246, 246)
    for i, line in enumerate(doc.lines):
        if y + 6.5 > BOTTOM:
            new_page()
            y = table_header(MARGIN + 5)
            pdf.set_fill_color(246, 246, 246)
        if i % 2:
            pdf.rect(MARGIN, y, WIDTH, 6.5, style="F")
        values = (line.label, fmt_number(line.quantity), fmt_amount(line.unit_price),
                  fmt_rate(line.vat_rate), fmt_amount(line.amount_before_tax))
        x = MARGIN
        for (_, share, align), value in zip(_COLUMNS, values):
            c.put(x + 1.5, y + 4.4, value, WIDTH * share - 3, align)
            x += WIDTH * share
        y += 6.5
    pdf.set_draw_color(*ACCENT)
    pdf.line(MARGIN, y, MARGIN + WIDTH, y)

    breakdown = _vat_breakdown(doc.lines)
    texts = list(mentions)
    if doc.kind in CUSTOMER_KINDS and not credit:
        texts.append("En cas de retard de paiement : pénalités au taux de 3 fois le taux d'intérêt légal et "
                     "indemnité forfaitaire de 40 EUR pour frais de recouvrement (art. L441-10 du Code de "
                     "commerce). Pas d'escompte pour paiement anticipé.")
    if y + 30 + 5 * len(breakdown) > BOTTOM:
        new_page()
        y = MARGIN

    # VAT breakdown (left)
    y += 9
    c.font(8, "B")
    x = MARGIN
    for name, w in (("Taux TVA", 22), ("Base HT", 32), ("Montant TVA", 32)):
        c.put(x, y, name, w, "R")
        x += w
    pdf.set_draw_color(*DARK)
    pdf.line(MARGIN, y + 1.5, MARGIN + 86, y + 1.5)
    c.font(8.5)
    y_vat = y + 1.5
    for rate, base, tax in breakdown:
        y_vat += 5
        c.put(MARGIN, y_vat, fmt_rate(rate), 22, "R")
        c.put(MARGIN + 22, y_vat, fmt_amount(base), 32, "R")
        c.put(MARGIN + 54, y_vat, fmt_amount(tax), 32, "R")

    # Totals (right)
    label_w, value_w = 40.0, 38.0
    x_tot = MARGIN + WIDTH - label_w - value_w
    rows = (("Total HT", doc.total_before_tax), ("Total TVA", doc.total_tax))
    c.font(9)
    for name, value in rows:
        c.put(x_tot + 1.5, y, name, label_w)
        c.put(x_tot + label_w, y, fmt_amount(value, doc.currency), value_w - 1.5, "R")
        y += 5.5
    pdf.set_fill_color(*GREY)
    pdf.rect(x_tot, y - 3.5, label_w + value_w, 7.5, style="F")
    c.font(10, "B")
    c.put(x_tot + 1.5, y + 1.5, "Total de l'avoir" if credit else "Net à payer", label_w)
    c.put(x_tot + label_w, y + 1.5, fmt_amount(doc.total, doc.currency), value_w - 1.5, "R")

    # Mentions
    y = max(y + 4, y_vat) + 10
    pdf.set_text_color(70, 70, 70)
    c.font(7.5)
    for text in texts:
        for row in c.wrap(text, WIDTH):
            if y > BOTTOM:
                new_page()
                y = MARGIN + 5
                pdf.set_text_color(70, 70, 70)
                c.font(7.5)
            c.put(MARGIN, y, row)
            y += 3.6
        y += 1.5
    return bytes(pdf.output())
