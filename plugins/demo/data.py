"""Deterministic fictitious business data for the demo connector.

Everything here is a pure function of the settings (seed, documents per month, company name)
and a date: the same inputs always give the same records, byte for byte, on any machine.
Only `random.Random` instances seeded with strings are used (string seeds are hashed with
SHA-512 by `random`, so they do not depend on PYTHONHASHSEED); the global `random` is never
touched.

The output is *source records*: dicts shaped like the JSON an invoicing tool's API would
return (amounts as `Decimal`, dates as ISO text). `connector.py` normalizes them into
`Document`s exactly as a real connector would, which is how a malformed record becomes a
`Problem` instead of a crash.

How the calendar works:

* each month has a *plan*: `per_month` slots spread over its working days, each with a kind
  (sales invoice, purchase invoice, credit notes), and rarely a deliberate flaw, a malformed
  record or a PDF that arrives late;
* numbering follows the plans from January of each year (source ids `S-2026-0001`,
  `P-2026-0001`, invoice numbers `F-2026-0001`, credit notes `AV-2026-0001`), so a day's
  records never depend on the range a sync asked for;
* a record's content comes from a `Random` seeded with (seed, source id); a credit note or a
  duplicate regenerates the earlier invoice it refers to.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import random
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterator

from ecluse.domain import (
    CUSTOMER_CREDIT_NOTE,
    CUSTOMER_INVOICE,
    SUPPLIER_CREDIT_NOTE,
    SUPPLIER_INVOICE,
)

CENT = Decimal("0.01")

# Share of each kind in a month's plan (the rest are supplier invoices).
P_CUSTOMER_INVOICE = 0.45
P_CUSTOMER_CREDIT = 0.025
P_SUPPLIER_CREDIT = 0.025
P_FLAW = 0.03  # deliberately wrong documents that validation must flag
P_MALFORMED = 0.005  # records that cannot be normalized at all (-> Problem)
P_LATE_PDF = 0.05  # supplier invoices whose PDF arrives on a later sync

# Flaw markers, stored in the record as raw["_demo_flaw"].
FLAW_TOTALS = "totals_mismatch"  # declared totals differ from the sum of the lines
FLAW_VAT = "vat_inconsistent"  # a line's VAT amount does not match its rate
FLAW_UNKNOWN_RATE = "unknown_vat_rate"  # a line at 19.6 % (the pre-2014 rate)
FLAW_DUE_DATE = "missing_due_date"
FLAW_NO_ADDRESS = "customer_no_address"
FLAW_NO_VAT = "customer_no_vat_number"  # an EU business customer without its VAT number
FLAW_DUPLICATE = "duplicate"  # same supplier and same number as an earlier invoice
MALFORMED_NO_ID = "malformed_missing_id"
MALFORMED_AMOUNT = "malformed_amount"
FLAWS = (FLAW_TOTALS, FLAW_VAT, FLAW_UNKNOWN_RATE, FLAW_DUE_DATE, FLAW_NO_ADDRESS, FLAW_NO_VAT, FLAW_DUPLICATE)
MALFORMED = (MALFORMED_NO_ID, MALFORMED_AMOUNT)

_FLAWS_BY_KIND = {
    CUSTOMER_INVOICE: (FLAW_TOTALS, FLAW_VAT, FLAW_UNKNOWN_RATE, FLAW_DUE_DATE, FLAW_NO_ADDRESS, FLAW_NO_VAT),
    SUPPLIER_INVOICE: (FLAW_TOTALS, FLAW_VAT, FLAW_UNKNOWN_RATE, FLAW_DUE_DATE, FLAW_DUPLICATE),
    CUSTOMER_CREDIT_NOTE: (FLAW_TOTALS, FLAW_VAT),
    SUPPLIER_CREDIT_NOTE: (FLAW_TOTALS, FLAW_VAT),
}

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


# --------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------

def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass the Luhn check (SIREN, SIRET)."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        n = int(ch)
        if i % 2 == 0:  # every second digit from the right, once the check digit is appended
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def make_siren(rng: random.Random) -> str:
    body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return body + luhn_check_digit(body)


def make_siret(rng: random.Random, siren: str) -> str:
    body = siren + f"{rng.randint(1, 45):04d}"  # NIC: establishment number + check digit
    return body + luhn_check_digit(body)


def fr_vat_number(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def be_vat_number(rng: random.Random) -> str:
    """BE + 10 digits; the last two are 97 - (first eight mod 97)."""
    first8 = f"0{rng.randint(2000000, 9999999)}"
    return f"BE{first8}{97 - int(first8) % 97:02d}"


def de_vat_number(rng: random.Random) -> str:
    """DE + 9 digits, the last one an ISO 7064 MOD 11,10 check digit."""
    body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    product = 10
    for ch in body:
        s = (int(ch) + product) % 10 or 10
        product = (2 * s) % 11
    check = (11 - product) % 10
    return f"DE{body}{check}"


def es_vat_number(rng: random.Random) -> str:
    """ES + CIF of a company (letter B = S.L.): B + 7 digits + control digit."""
    digits = "".join(str(rng.randint(0, 9)) for _ in range(7))
    even = sum(int(d) for d in digits[1::2])
    odd = sum(sum(divmod(2 * int(d), 10)) for d in digits[0::2])
    return f"ESB{digits}{(10 - (even + odd) % 10) % 10}"


def gb_vat_number(rng: random.Random) -> str:
    """GB + 9 digits with the mod 97 check (weights 8..2 plus the last two digits)."""
    while True:
        body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(6))
        check = -sum(int(d) * w for d, w in zip(body, range(8, 1, -1))) % 97
        if check < 100:
            return f"GB{body}{check:02d}"


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------
# People, places, companies
# --------------------------------------------------------------------------------------

CITIES_FR = (
    ("75011", "Paris"), ("75002", "Paris"), ("75015", "Paris"), ("69002", "Lyon"),
    ("69007", "Lyon"), ("13001", "Marseille"), ("31000", "Toulouse"), ("44000", "Nantes"),
    ("33000", "Bordeaux"), ("59000", "Lille"), ("35000", "Rennes"), ("67000", "Strasbourg"),
    ("34000", "Montpellier"), ("06000", "Nice"), ("38000", "Grenoble"), ("21000", "Dijon"),
    ("37000", "Tours"), ("49100", "Angers"), ("63000", "Clermont-Ferrand"), ("76000", "Rouen"),
    ("51100", "Reims"), ("72000", "Le Mans"), ("29200", "Brest"), ("74000", "Annecy"),
    ("87000", "Limoges"), ("13100", "Aix-en-Provence"), ("57000", "Metz"), ("64100", "Bayonne"),
)
STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Gambetta",
    "rue du Faubourg Saint-Antoine", "place Bellecour", "rue des Tanneurs", "quai de la Loire",
    "rue Pasteur", "avenue de la Gare", "rue des Artisans", "impasse des Lilas",
    "rue Émile Zola", "chemin des Vignes", "rue de l'Église", "allée des Platanes",
    "rue Nationale", "cours Lafayette", "rue du Moulin", "avenue des Champs-Élysées",
)
FAMILY_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
)
FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Louise", "Hugo", "Lucas", "Jules", "Nathan",
    "Gabriel", "Arthur", "Sophie", "Isabelle", "Nicolas", "Julien", "Céline", "Thierry",
)
TRADES = (
    "Boulangerie", "Menuiserie", "Cabinet", "Studio", "Agence", "Librairie", "Garage",
    "Hôtel", "Restaurant", "Atelier", "Galerie", "Pharmacie", "Cave", "Fromagerie",
    "Architectes", "Imprimerie", "Ébénisterie", "Conseil",
)
LEGAL_FORMS = ("SARL", "SAS", "SASU", "EURL", "SA", "SCOP")
TERMS = ("30_days", "30_days", "end_of_month", "30_days_end_of_month", "on_receipt")

# Foreign customers: (country, name, street, postal code, city, currency).
FOREIGN_CUSTOMERS = (
    ("BE", "Studio Lemaire SRL", "Rue Neuve 48", "1000", "Bruxelles", "EUR"),
    ("BE", "Verhoeven Interieur BV", "Veldstraat 12", "9000", "Gent", "EUR"),
    ("DE", "Schneider Möbel GmbH", "Sendlinger Straße 21", "80331", "München", "EUR"),
    ("DE", "Hoffmann Design GmbH", "Torstraße 140", "10119", "Berlin", "EUR"),
    ("ES", "Estudio García S.L.", "Calle de Fuencarral 45", "28004", "Madrid", "EUR"),
    ("ES", "Muebles Serrano S.L.", "Carrer de Colón 18", "46004", "Valencia", "EUR"),
    ("GB", "Whitmore & Clarke Ltd", "27 Old Street", "EC1V 9HL", "London", "GBP"),
    ("US", "Brightline Interiors Inc.", "114 Spring Street", "10012", "New York NY", "USD"),
)

# Sales catalogue: (label, min price, max price, quantities, VAT %, account).
SALES_SERVICES = (
    ("Conception graphique - journée", 450, 750, ("0.5", "1", "1.5", "2", "3", "5"), "20", "706"),
    ("Atelier de formation - demi-journée", 600, 900, ("1", "2"), "20", "706"),
    ("Accompagnement projet - forfait", 1200, 4800, ("1",), "20", "706"),
    ("Maintenance du site web - mensuel", 90, 350, ("1",), "20", "706"),
    ("Photographie produit - séance", 380, 980, ("1", "2"), "20", "706"),
)
SALES_GOODS = (
    ("Table en chêne massif 180 cm", 1450, 2900, ("1", "2"), "20", "707"),
    ("Chaise d'atelier en frêne", 129, 289, ("2", "4", "6", "8"), "20", "707"),
    ("Lampe en laiton brossé", 89, 249, ("1", "2", "3"), "20", "707"),
    ("Étagère murale sur mesure", 240, 690, ("1", "2"), "20", "707"),
    ("Livre « Carnet d'atelier »", 24, 39, ("1", "5", "10", "20"), "5.5", "707"),
)
SALES_HOME_WORKS = (  # reduced rate for works in homes older than two years (individuals)
    ("Pose et aménagement sur mesure (logement de plus de 2 ans)", 800, 3200, ("1",), "10", "706"),
)

# Supplier categories: (label, min, max, quantities, VAT %, account), and how many lines.
PURCHASES = {
    "office": (
        ("Ramettes papier A4 80 g (carton de 5)", 24, 39, ("1", "2", "4"), "20", "6064"),
        ("Cartouches d'encre noire XL", 28, 64, ("1", "2", "3"), "20", "6064"),
        ("Classeurs à levier dos 75 mm", 3, 6, ("10", "20", "25"), "20", "6064"),
        ("Stylos roller bleus (boîte de 12)", 9, 18, ("1", "2"), "20", "6064"),
        ("Post-it 76 x 76 mm (lot de 12)", 11, 19, ("1", "3"), "20", "6064"),
    ),
    "hosting": (
        ("Serveur VPS 8 Go - mensuel", 19, 59, ("1", "2"), "20", "6135"),
        ("Nom de domaine .fr - 1 an", 7, 15, ("1", "3"), "20", "6135"),
        ("Stockage objet 1 To - mensuel", 6, 12, ("1", "2", "4"), "20", "6135"),
        ("Sauvegarde externalisée - mensuel", 15, 45, ("1",), "20", "6135"),
    ),
    "travel": (
        ("Billet de train Lyon - Paris aller-retour", 89, 189, ("1", "2"), "10", "6256"),
        ("Nuit d'hôtel avec petit-déjeuner", 95, 185, ("1", "2", "3"), "10", "6256"),
        ("Course de taxi", 18, 65, ("1",), "10", "6256"),
        ("Frais de dossier agence", 8, 15, ("1",), "20", "6256"),
    ),
    "restaurant": (
        ("Déjeuner d'affaires - menu", 19, 38, ("2", "3", "4", "6"), "10", "6257"),
        ("Café gourmand", 7, 11, ("2", "3", "4"), "10", "6257"),
        ("Vin - bouteille", 24, 58, ("1", "2"), "20", "6257"),
    ),
    "books": (
        ("Le droit des sociétés en pratique (ouvrage)", 32, 59, ("1",), "5.5", "6181"),
        ("Guide de la TVA 2026 (ouvrage)", 45, 79, ("1",), "5.5", "6181"),
        ("Manuel de menuiserie contemporaine (ouvrage)", 29, 49, ("1", "2"), "5.5", "6181"),
    ),
    "press": (
        ("Abonnement presse quotidienne - mensuel", 19, 39, ("1",), "2.1", "6181"),
        ("Abonnement magazine professionnel - trimestriel", 24, 45, ("1",), "2.1", "6181"),
    ),
    "telecom": (
        ("Forfait mobile professionnel", 15, 35, ("1", "2", "3"), "20", "626"),
        ("Abonnement fibre professionnelle", 39, 69, ("1",), "20", "626"),
    ),
    "energy": (
        ("Électricité - consommation du mois", 80, 310, ("1",), "20", "6061"),
        ("Abonnement électricité", 15, 32, ("1",), "20", "6061"),
    ),
    "software": (  # a US vendor billing in USD without French VAT
        ("Design suite - Team plan (per seat)", 29, 79, ("3", "5"), "0", "6135"),
    ),
}
# (name, category, weight, payment terms, number format, credit note format, postal, city)
SUPPLIERS = (
    ("Papeterie Centrale", "office", 8, "30_days", "FA{year}-{n:05d}", "AV{year}-{n:05d}", "69003", "Lyon"),
    ("Fournitures Pro Rhône", "office", 6, "end_of_month", "{year}{n:06d}", "A{year}{n:06d}", "69100", "Villeurbanne"),
    ("NuageNet Hébergement", "hosting", 5, "on_receipt", "NN-{yy}-{n:07d}", "NN-CR-{yy}-{n:07d}", "59100", "Roubaix"),
    ("Serveurs & Cie", "hosting", 3, "on_receipt", "SC/{year}/{n:06d}", "SC/AV/{year}/{n:06d}", "75010", "Paris"),
    ("SCI Les Canuts", "rent", 4, "on_receipt", "QUIT-{year}-{n:05d}", "QUIT-AV-{year}-{n:05d}", "69004", "Lyon"),
    ("Voyages Horizon", "travel", 9, "on_receipt", "VH{yy}{n:06d}", "VHA{yy}{n:06d}", "75009", "Paris"),
    ("Hôtel des Brotteaux", "travel", 4, "on_receipt", "HB-{year}-{n:05d}", "HB-AV-{year}-{n:05d}", "69006", "Lyon"),
    ("Brasserie du Marché", "restaurant", 8, "on_receipt", "T{year}{n:06d}", "TA{year}{n:06d}", "69002", "Lyon"),
    ("Le Comptoir des Saveurs", "restaurant", 6, "on_receipt", "CDS-{year}-{n:05d}", "CDS-AV-{year}-{n:05d}", "75011", "Paris"),
    ("Bistrot Saint-Paul", "restaurant", 5, "on_receipt", "BSP{year}.{n:05d}", "BSPA{year}.{n:05d}", "69005", "Lyon"),
    ("Librairie du Quai", "books", 5, "30_days", "LQ-{year}-{n:05d}", "LQ-AV-{year}-{n:05d}", "33000", "Bordeaux"),
    ("Kiosque Presse Diffusion", "press", 5, "on_receipt", "KPD{year}{n:06d}", "KPDA{year}{n:06d}", "92100", "Boulogne-Billancourt"),
    ("Télécom Ouest Pro", "telecom", 6, "end_of_month", "TOP-{year}-{n:06d}", "TOP-AV-{year}-{n:06d}", "35000", "Rennes"),
    ("Énergie Claire", "energy", 5, "30_days_end_of_month", "EC{year}{n:07d}", "ECA{year}{n:07d}", "38000", "Grenoble"),
    ("Cloudly Inc.", "software", 2, "on_receipt", "CLD-{year}-{n:06d}", "CLD-CR-{year}-{n:06d}", "94107", "San Francisco CA"),
)


@dataclass(frozen=True)
class DemoConfig:
    """The settings that decide the data (the range of a sync does not)."""

    seed: int = 42
    per_month: int = 20
    company_name: str = "Atelier Démo SAS"


def slug(text: str) -> str:
    """'Énergie Claire' -> 'energie-claire' (for e-mail domains and file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _rng(cfg: DemoConfig, *parts: Any) -> random.Random:
    return random.Random(":".join(["ecluse-demo", str(cfg.seed), *map(str, parts)]))


def _address(street: str | None, postal: str | None, city: str | None, country: str | None) -> dict[str, Any]:
    return {"street": street, "zip": postal, "city": city, "country": country}


def company(cfg: DemoConfig) -> dict[str, Any]:
    """The fictitious company the demo books belong to (seller of sales, buyer of purchases)."""
    rng = _rng(cfg, "company")
    siren = make_siren(rng)
    postal, city = rng.choice(CITIES_FR)
    return {
        "id": "ME",
        "name": cfg.company_name,
        "kind": "company",
        "siren": siren,
        "siret": make_siret(rng, siren),
        "vat_number": fr_vat_number(siren),
        "email": "compta@atelier-demo.example",
        "address": _address(f"{rng.randint(1, 60)} {rng.choice(STREETS)}", postal, city, "FR"),
        "iban": "FR76 3000 4000 0500 0012 3456 789",
    }


@functools.lru_cache(maxsize=32)
def _customers(cfg: DemoConfig) -> tuple[tuple[dict[str, Any], int], ...]:
    """(contact, weight) for every customer. The pool depends on the seed only."""
    rng = _rng(cfg, "customers")
    out: list[tuple[dict[str, Any], int]] = []
    names: set[str] = set()
    n = 0
    while len(out) < 34:
        name = f"{rng.choice(TRADES)} {rng.choice(FAMILY_NAMES)}"
        form = rng.choice(LEGAL_FORMS)
        if name in names:
            continue
        names.add(name)
        n += 1
        siren = make_siren(rng)
        postal, city = rng.choice(CITIES_FR)
        contact = {
            "id": f"C-{n:04d}",
            "name": f"{name} {form}",
            "kind": "company",
            "siren": siren,
            "siret": make_siret(rng, siren),
            "vat_number": fr_vat_number(siren),
            "email": f"factures@{slug(name)}.example",
            "address": _address(f"{rng.randint(1, 180)} {rng.choice(STREETS)}", postal, city, "FR"),
            "payment_terms": rng.choice(TERMS),
            "profile": rng.choice(("services", "services", "goods", "mixed")),
        }
        if n in (7, 19):
            # This source keeps some addresses as one line of text; the connector parses it.
            a = contact.pop("address")
            contact["address_text"] = f"{a['street']}, {a['zip']} {a['city']}"
        if n == 23:
            contact.pop("address")
            contact["address_text"] = f"Zone artisanale des {rng.choice(FAMILY_NAMES)}, lot {rng.randint(2, 40)}"
        out.append((contact, 10))
    for _ in range(4):  # individuals: no SIREN, no VAT number
        n += 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
        postal, city = rng.choice(CITIES_FR)
        out.append(({
            "id": f"C-{n:04d}",
            "name": f"{first} {last}",
            "kind": "individual",
            "email": f"{slug(first)}.{slug(last)}@courriel.example",
            "address": _address(f"{rng.randint(1, 120)} {rng.choice(STREETS)}", postal, city, "FR"),
            "payment_terms": "on_receipt",
            "profile": "home",
        }, 5))
    vat_makers = {"BE": be_vat_number, "DE": de_vat_number, "ES": es_vat_number, "GB": gb_vat_number}
    for country, name, street, postal, city, currency in FOREIGN_CUSTOMERS:
        n += 1
        out.append(({
            "id": f"C-{n:04d}",
            "name": name,
            "kind": "company",
            "vat_number": vat_makers[country](rng) if country in vat_makers else None,
            "email": f"accounts@{slug(name)}.example",
            "address": _address(street, postal, city, country),
            "payment_terms": "30_days",
            "profile": rng.choice(("services", "goods")),
            "currency": currency,
        }, 3 if currency == "EUR" else 4))
    return tuple(out)


@functools.lru_cache(maxsize=32)
def _suppliers(cfg: DemoConfig) -> tuple[dict[str, Any], ...]:
    rng = _rng(cfg, "suppliers")
    out = []
    for i, (name, category, weight, terms, fmt, credit_fmt, postal, city) in enumerate(SUPPLIERS, start=1):
        foreign = category == "software"
        siren = None if foreign else make_siren(rng)
        out.append({
            "id": f"FRN-{i:03d}",
            "name": name,
            "kind": "company",
            "siren": siren,
            "siret": make_siret(rng, siren) if siren else None,
            "vat_number": fr_vat_number(siren) if siren else None,
            "email": f"facturation@{slug(name)}.example",
            "address": _address(f"{rng.randint(1, 200)} {'Market Street' if foreign else rng.choice(STREETS)}",
                                postal, city, "US" if foreign else "FR"),
            "payment_terms": terms,
            "category": category,
            "weight": weight,
            "number_format": fmt,
            "credit_format": credit_fmt,
            "number_base": rng.randint(1, 60) * 100,
            "currency": "USD" if foreign else "EUR",
            "rent": quantize(Decimal(rng.randint(1400, 2600))) if category == "rent" else None,
        })
    return tuple(out)


def customers(cfg: DemoConfig) -> list[dict[str, Any]]:
    return [c for c, _ in _customers(cfg)]


def suppliers(cfg: DemoConfig) -> list[dict[str, Any]]:
    return list(_suppliers(cfg))


# --------------------------------------------------------------------------------------
# The calendar: a plan per month, numbering per year
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """One record of the source, before its content is generated."""

    date: dt.date
    kind: str
    flaw: str | None
    malformed: str | None
    late_pdf: bool
    source_id: str  # S-YYYY-NNNN (sales) or P-YYYY-NNNN (purchases)
    seq: int  # rank in its series (S or P) within the year, from 1
    number_seq: int  # rank among invoices (F-) or credit notes (AV-) for sales; = seq for purchases


def working_days(year: int, month: int) -> list[dt.date]:
    days = calendar.monthrange(year, month)[1]
    return [d for d in (dt.date(year, month, i) for i in range(1, days + 1)) if d.weekday() < 5]


@functools.lru_cache(maxsize=512)
def _raw_plan(cfg: DemoConfig, year: int, month: int) -> tuple[tuple[dt.date, str, str | None, str | None, bool], ...]:
    rng = _rng(cfg, "plan", cfg.per_month, f"{year:04d}-{month:02d}")
    days = working_days(year, month)
    items = []
    for i in range(cfg.per_month):
        day = rng.choice(days)
        r = rng.random()
        if r < P_CUSTOMER_INVOICE:
            kind = CUSTOMER_INVOICE
        elif r < P_CUSTOMER_INVOICE + P_CUSTOMER_CREDIT:
            kind = CUSTOMER_CREDIT_NOTE
        elif r < P_CUSTOMER_INVOICE + P_CUSTOMER_CREDIT + P_SUPPLIER_CREDIT:
            kind = SUPPLIER_CREDIT_NOTE
        else:
            kind = SUPPLIER_INVOICE
        flaw_draw, flaw_pick, bad_draw, bad_pick, late_draw = (rng.random() for _ in range(5))
        flaw = malformed = None
        if bad_draw < P_MALFORMED:
            malformed = MALFORMED[int(bad_pick * len(MALFORMED))]
        elif flaw_draw < P_FLAW:
            choices = _FLAWS_BY_KIND[kind]
            flaw = choices[int(flaw_pick * len(choices))]
        late = kind == SUPPLIER_INVOICE and flaw is None and malformed is None and late_draw < P_LATE_PDF
        items.append((day, i, kind, flaw, malformed, late))
    items.sort(key=lambda t: (t[0], t[1]))
    return tuple((day, kind, flaw, malformed, late) for day, _, kind, flaw, malformed, late in items)


def _counters(kind: str) -> tuple[str, str]:
    if kind == CUSTOMER_INVOICE:
        return "S", "F"
    if kind == CUSTOMER_CREDIT_NOTE:
        return "S", "AV"
    return "P", "P"


@functools.lru_cache(maxsize=512)
def month_slots(cfg: DemoConfig, year: int, month: int) -> tuple[Slot, ...]:
    counts = {"S": 0, "P": 0, "F": 0, "AV": 0}
    for m in range(1, month):
        for _, kind, *_rest in _raw_plan(cfg, year, m):
            series, numbering = _counters(kind)
            counts[series] += 1
            if numbering != series:
                counts[numbering] += 1
    slots = []
    for day, kind, flaw, malformed, late in _raw_plan(cfg, year, month):
        series, numbering = _counters(kind)
        counts[series] += 1
        if numbering != series:
            counts[numbering] += 1
        slots.append(Slot(day, kind, flaw, malformed, late, f"{series}-{year:04d}-{counts[series]:04d}",
                          counts[series], counts[numbering]))
    return tuple(slots)


def slots_between(cfg: DemoConfig, first: dt.date, last: dt.date) -> Iterator[Slot]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        for slot in month_slots(cfg, year, month):
            if first <= slot.date <= last:
                yield slot
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


_SOURCE_ID = re.compile(r"^([SP])-(\d{4})-(\d+)$")


def find_slot(cfg: DemoConfig, source_id: str) -> Slot | None:
    """The slot behind a source id (to deliver a late PDF), or None if it is not ours."""
    match = _SOURCE_ID.match(source_id or "")
    if not match:
        return None
    series, year, seq = match.group(1), int(match.group(2)), int(match.group(3))
    if not 1900 < year < 3000:
        return None
    for month in range(1, 13):
        for slot in month_slots(cfg, year, month):
            if slot.source_id == source_id:
                return slot
        last = month_slots(cfg, year, month)
        if last and any(s.seq >= seq for s in last if s.source_id[0] == series):
            return None
    return None


def _earlier(cfg: DemoConfig, slot: Slot, kind: str, months_back: int = 3) -> list[Slot]:
    """Clean invoices of `kind` planned before `slot` (same month or the few before)."""
    found: list[Slot] = []
    year, month = slot.date.year, slot.date.month
    for back in range(months_back, -1, -1):
        y, m = year, month - back
        while m < 1:
            y, m = y - 1, m + 12
        for other in month_slots(cfg, y, m):
            if other == slot:
                return found
            if other.kind == kind and other.flaw is None and other.malformed is None:
                found.append(other)
    return found


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------

def _line(label: str, quantity: Decimal, unit_price: Decimal, rate: Decimal, account: str) -> dict[str, Any]:
    subtotal = quantize(quantity * unit_price)
    tax = quantize(subtotal * rate / 100)
    return {
        "description": label,
        "quantity": quantity,
        "unit_price": unit_price,
        "vat_rate": rate,
        "subtotal": subtotal,
        "tax": tax,
        "total": subtotal + tax,
        "account": account,
    }


def _price(rng: random.Random, lo: int, hi: int, goods: bool) -> Decimal:
    euros = rng.randint(lo, hi)
    if goods:
        return Decimal(euros) + Decimal(rng.choice(("0.00", "0.50", "0.90", "0.99")))
    if hi >= 300:
        return Decimal(euros - euros % 10)
    return Decimal(euros) + Decimal(rng.choice(("0.00", "0.50", "0.90")))


def _catalogue_line(rng: random.Random, item: tuple, *, rate: str | None = None) -> dict[str, Any]:
    label, lo, hi, quantities, item_rate, account = item
    goods = account in ("707", "6064")
    return _line(label, Decimal(rng.choice(quantities)), _price(rng, lo, hi, goods),
                 Decimal(rate if rate is not None else item_rate), account)


def _due(issue: dt.date, terms: str) -> dt.date:
    if terms == "on_receipt":
        return issue
    if terms == "end_of_month":
        return issue.replace(day=calendar.monthrange(issue.year, issue.month)[1])
    if terms == "30_days_end_of_month":
        d = issue + dt.timedelta(days=30)
        return d.replace(day=calendar.monthrange(d.year, d.month)[1])
    return issue + dt.timedelta(days=30)


def _updated_at(rng: random.Random, day: dt.date) -> str:
    moment = dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=dt.timezone.utc)
    moment += dt.timedelta(minutes=rng.randint(0, 10 * 60), seconds=rng.randint(0, 59))
    return moment.isoformat().replace("+00:00", "Z")


def _totals(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    subtotal = sum((ln["subtotal"] for ln in lines), Decimal("0.00"))
    tax = sum((ln["tax"] for ln in lines), Decimal("0.00"))
    return {"subtotal": subtotal, "tax": tax, "total": subtotal + tax}


def _pick_customer(cfg: DemoConfig, rng: random.Random, flaw: str | None) -> dict[str, Any]:
    pool = _customers(cfg)
    if flaw == FLAW_NO_VAT:  # only meaningful for an EU business customer
        pool = tuple(p for p in pool if (p[0].get("address") or {}).get("country") in ("BE", "DE", "ES"))
    elif flaw == FLAW_NO_ADDRESS:
        pool = tuple(p for p in pool if p[0]["kind"] == "company" and p[0].get("address"))
    contacts, weights = zip(*pool)
    return rng.choices(contacts, weights=weights)[0]


def _contact_view(contact: dict[str, Any]) -> dict[str, Any]:
    """What the source's API shows of a contact (internal generation fields dropped)."""
    keep = ("id", "name", "kind", "siren", "siret", "vat_number", "email", "address", "address_text")
    view = {k: contact[k] for k in keep if k in contact}
    if isinstance(view.get("address"), dict):
        view["address"] = dict(view["address"])  # the pools are cached: never share mutable parts
    return view


def _sales_lines(rng: random.Random, contact: dict[str, Any], count: int) -> list[dict[str, Any]]:
    profile = contact["profile"]
    country = contact["address"]["country"] if contact.get("address") else "FR"
    zero = country != "FR" and contact["kind"] == "company"  # reverse charge / export
    catalogue = {
        "services": SALES_SERVICES, "goods": SALES_GOODS, "mixed": SALES_SERVICES + SALES_GOODS,
        "home": SALES_HOME_WORKS + SALES_GOODS[:4],
    }[profile]
    items = rng.sample(catalogue, k=min(count, len(catalogue)))
    return [_catalogue_line(rng, item, rate="0" if zero else None) for item in items]


def _purchase_lines(rng: random.Random, supplier: dict[str, Any], day: dt.date, count: int) -> list[dict[str, Any]]:
    category = supplier["category"]
    if category == "rent":
        month = f"{MONTHS_FR[day.month - 1]} {day.year}"
        rent = supplier["rent"]
        return [
            _line(f"Loyer {month} - local d'activité", Decimal("1"), rent, Decimal("20"), "6132"),
            _line(f"Provision sur charges {month}", Decimal("1"), quantize(rent * Decimal("0.12")),
                  Decimal("20"), "614"),
        ]
    catalogue = PURCHASES[category]
    items = rng.sample(catalogue, k=min(count, len(catalogue)))
    return [_catalogue_line(rng, item) for item in items]


def _apply_flaw(rng: random.Random, flaw: str | None, record: dict[str, Any]) -> None:
    """Break a record the way real sources do; the totals stay wrong on purpose."""
    if flaw is None:
        return
    record["_demo_flaw"] = flaw
    lines = record["lines"]
    if flaw == FLAW_TOTALS:
        delta = Decimal(rng.choice(("1.00", "10.00", "0.50", "100.00", "-5.00")))
        record["subtotal"] += delta
        record["total"] = record["subtotal"] + record["tax"]
    elif flaw == FLAW_VAT:
        line = rng.choice(lines)
        wrong = Decimal("10") if line["vat_rate"] != Decimal("10") else Decimal("20")
        line["tax"] = quantize(line["subtotal"] * wrong / 100)
        if line["tax"] == quantize(line["subtotal"] * line["vat_rate"] / 100):
            line["tax"] += Decimal("1.00") if line["subtotal"] >= 0 else Decimal("-1.00")
        line["total"] = line["subtotal"] + line["tax"]
        record.update(_totals(lines))
    elif flaw == FLAW_UNKNOWN_RATE:
        line = lines[0]
        lines[0] = _line(line["description"], line["quantity"], line["unit_price"], Decimal("19.6"), line["account"])
        record.update(_totals(lines))
    elif flaw == FLAW_DUE_DATE:
        record["due_date"] = None
    elif flaw == FLAW_NO_ADDRESS:
        record["contact"].pop("address", None)
        record["contact"].pop("address_text", None)
    elif flaw == FLAW_NO_VAT:
        record["contact"]["vat_number"] = None


def _negate(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_line(ln["description"], -ln["quantity"], ln["unit_price"], ln["vat_rate"], ln["account"])
            for ln in lines]


def record(cfg: DemoConfig, slot: Slot) -> dict[str, Any]:
    """The source record for a slot, as the source's API would return it."""
    rng = _rng(cfg, "record", cfg.per_month, slot.source_id)
    year = slot.date.year
    count = rng.choices((1, 2, 3, 4, 5, 6), weights=(30, 25, 18, 12, 9, 6))[0]
    rec: dict[str, Any] = {
        "id": slot.source_id,
        "direction": "sale" if slot.kind in (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE) else "purchase",
        "type": "credit_note" if slot.kind in (CUSTOMER_CREDIT_NOTE, SUPPLIER_CREDIT_NOTE) else "invoice",
        "date": slot.date.isoformat(),
        "updated_at": _updated_at(rng, slot.date),
    }
    target: dict[str, Any] | None = None
    if slot.kind in (CUSTOMER_CREDIT_NOTE, SUPPLIER_CREDIT_NOTE) or slot.flaw == FLAW_DUPLICATE:
        wanted = CUSTOMER_INVOICE if slot.kind == CUSTOMER_CREDIT_NOTE else SUPPLIER_INVOICE
        candidates = _earlier(cfg, slot, wanted)[-8:]
        if candidates:
            target = record(cfg, rng.choice(candidates))

    if slot.kind == CUSTOMER_INVOICE:
        contact = _pick_customer(cfg, rng, slot.flaw)
        lines = _sales_lines(rng, contact, count)
        rec.update(number=f"F-{year}-{slot.number_seq:04d}", contact=_contact_view(contact),
                   currency=contact.get("currency", "EUR"),
                   due_date=_due(slot.date, contact["payment_terms"]).isoformat())
    elif slot.kind == SUPPLIER_INVOICE:
        if target is not None and slot.flaw == FLAW_DUPLICATE:
            # The same invoice entered twice: the supplier's number and amounts again.
            supplier = next(s for s in _suppliers(cfg) if s["id"] == target["contact"]["id"])
            lines = [dict(ln) for ln in target["lines"]]
            rec.update(number=target["number"], contact=_contact_view(supplier), currency=target["currency"],
                       due_date=_due(slot.date, supplier["payment_terms"]).isoformat(),
                       _demo_duplicate_of=target["id"])
        else:
            contacts = _suppliers(cfg)
            supplier = rng.choices(contacts, weights=[s["weight"] for s in contacts])[0]
            lines = _purchase_lines(rng, supplier, slot.date, min(count, 3))
            number = supplier["number_format"].format(
                year=year, yy=f"{year % 100:02d}", n=supplier["number_base"] + slot.number_seq)
            rec.update(number=number, contact=_contact_view(supplier), currency=supplier["currency"],
                       due_date=_due(slot.date, supplier["payment_terms"]).isoformat())
    else:  # credit notes
        if target is None:  # nothing to credit yet (the very first days of the calendar)
            if slot.kind == CUSTOMER_CREDIT_NOTE:
                contact = _pick_customer(cfg, rng, None)
                origin = {"lines": _sales_lines(rng, contact, 1), "contact": _contact_view(contact),
                          "currency": contact.get("currency", "EUR"), "id": None, "number": None}
            else:
                contact = rng.choice(_suppliers(cfg))
                origin = {"lines": _purchase_lines(rng, contact, slot.date, 1), "contact": _contact_view(contact),
                          "currency": contact["currency"], "id": None, "number": None}
        else:
            origin = target
        credited = origin["lines"]
        if len(credited) > 1 and rng.random() < 0.5:
            credited = [rng.choice(credited)]
        lines = _negate(credited)
        if slot.kind == CUSTOMER_CREDIT_NOTE:
            number = f"AV-{year}-{slot.number_seq:04d}"
        else:
            supplier = next(s for s in _suppliers(cfg) if s["id"] == origin["contact"]["id"])
            number = supplier["credit_format"].format(
                year=year, yy=f"{year % 100:02d}", n=supplier["number_base"] + slot.number_seq)
        rec.update(number=number, contact=_contact_view(origin["contact"]), currency=origin["currency"],
                   due_date=slot.date.isoformat(), credited_invoice_id=origin["id"],
                   credited_invoice_number=origin["number"])
    rec["lines"] = lines
    rec.update(_totals(lines))
    _apply_flaw(rng, slot.flaw, rec)
    if rec["currency"] != "EUR" or any(ln["vat_rate"] == 0 for ln in lines):
        country = (rec["contact"].get("address") or {}).get("country")
        rec["vat_mention"] = ("Autoliquidation : TVA due par le preneur (art. 283-2 du CGI, art. 196 de la "
                              "directive 2006/112/CE)" if country in ("BE", "DE", "ES")
                              else "Exonération de TVA, article 262 I du CGI (exportation)"
                              if rec["direction"] == "sale" else "TVA non applicable, fournisseur hors UE")
    rec["pdf"] = {"status": "pending" if slot.late_pdf else "ready"}
    if slot.malformed == MALFORMED_NO_ID:
        rec["_demo_flaw"] = slot.malformed
        del rec["id"]
    elif slot.malformed == MALFORMED_AMOUNT:
        rec["_demo_flaw"] = slot.malformed
        rec["total"] = "#VALEUR!"  # a spreadsheet formula error exported as is
    return rec

