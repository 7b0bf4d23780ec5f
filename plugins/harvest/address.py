"""Harvest's client address is one free-text field; read street, postal code, city, country.

The text is split into parts (lines, then commas inside a line), the country is taken from
the last part when it names one (French, English or local names, or an ISO code), then the
"locality" part (postal code + city) is looked for from the bottom up with the formats of the
countries our users invoice most:

=========  ==========================================  ===================================
country    written                                     read as
=========  ==========================================  ===================================
FR         ``75002 Paris``, ``F-75002 PARIS``,         postal code 75002, city as typed
           ``92927 LA DEFENSE CEDEX``                  (CEDEX kept in the city: it is
                                                       part of the delivery line)
US         ``Anytown, LA 71223``                       postal code 71223, city
                                                       ``Anytown, LA`` (state kept)
CA         ``Montréal, QC H2X 1Y4``                    postal code H2X 1Y4, city
                                                       ``Montréal, QC``
GB         ``London SW1A 2AA`` or ``London`` then      postal code SW1A 2AA, city London
           ``SW1A 2AA`` on its own line
NL         ``1015 CJ Amsterdam``                       postal code 1015 CJ
PT / PL    ``1000-001 Lisboa`` / ``00-950 Warszawa``
others     ``D-10117 Berlin``, ``1000 Bruxelles``,     4–5 digits then the city; a letter
           ``28014 Madrid``                            prefix (D-, B-, L-, CH-…) names the
                                                       country
=========  ==========================================  ===================================

Without a country name, a 5-digit code is taken as French (Écluse's users are French
companies), a CEDEX, a US state or a UK/Canadian code names its country, and 4 digits alone
(Belgium, Switzerland, Luxembourg, Austria, Denmark…) leave the country unknown. Whatever
stays unknown is reported by `ParsedAddress.missing` so the connector can ask the reviewer to
complete it; the street is every part before the locality, joined with ", ".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ecluse.domain import Address

# Country names in French, English and the local language(s), compared without accents,
# case or punctuation (see `_key`).
_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "FR": ("france", "republique francaise", "frankreich", "francia", "frankrijk", "franca"),
    "BE": ("belgique", "belgium", "belgie", "belgien", "belgica", "belgio", "koninkrijk belgie"),
    "DE": ("allemagne", "germany", "deutschland", "bundesrepublik deutschland", "alemania",
           "germania", "duitsland", "brd"),
    "ES": ("espagne", "spain", "espana", "spanien", "spagna", "espanya"),
    "IT": ("italie", "italy", "italia", "italien"),
    "GB": ("royaume uni", "united kingdom", "uk", "u k", "great britain", "grande bretagne",
           "england", "angleterre", "scotland", "ecosse", "wales", "pays de galles",
           "northern ireland", "irlande du nord", "gb"),
    "IE": ("irlande", "ireland", "eire", "republic of ireland"),
    "US": ("etats unis", "etats unis d amerique", "united states", "united states of america",
           "usa", "us", "u s a", "u s", "america"),
    "CA": ("canada",),
    "CH": ("suisse", "switzerland", "schweiz", "svizzera", "svizra", "confederation suisse"),
    "LU": ("luxembourg", "luxemburg", "letzebuerg", "grand duche de luxembourg"),
    "NL": ("pays bas", "netherlands", "the netherlands", "nederland", "holland", "hollande"),
    "PT": ("portugal",),
    "AT": ("autriche", "austria", "osterreich", "oesterreich"),
    "MC": ("monaco", "principaute de monaco"),
    "DK": ("danemark", "denmark", "danmark"),
    "SE": ("suede", "sweden", "sverige"),
    "NO": ("norvege", "norway", "norge"),
    "FI": ("finlande", "finland", "suomi"),
    "PL": ("pologne", "poland", "polska"),
    "CZ": ("republique tcheque", "tchequie", "czech republic", "czechia", "cesko"),
    "GR": ("grece", "greece", "ellada"),
    "MA": ("maroc", "morocco"),
    "TN": ("tunisie", "tunisia"),
    "DZ": ("algerie", "algeria"),
    "SN": ("senegal",),
    "CI": ("cote d ivoire", "ivory coast"),
    "AU": ("australie", "australia"),
    "JP": ("japon", "japan"),
    "CN": ("chine", "china"),
    "IN": ("inde", "india"),
    "BR": ("bresil", "brazil", "brasil"),
    "SG": ("singapour", "singapore"),
    "AE": ("emirats arabes unis", "united arab emirates", "uae"),
    "IL": ("israel",),
}
_COUNTRY_BY_NAME = {name: code for code, names in _COUNTRY_NAMES.items() for name in names}
# A bare ISO code on the last line ("FR", "DE"); "UK" is handled by the names above.
_ISO_CODES = set(_COUNTRY_NAMES)

# Letter prefixes written before a postal code: "F-75002", "D-10117", "CH-8001".
_PREFIXES = {
    "F": "FR", "FR": "FR", "D": "DE", "DE": "DE", "B": "BE", "BE": "BE", "L": "LU", "LU": "LU",
    "CH": "CH", "A": "AT", "AT": "AT", "I": "IT", "IT": "IT", "E": "ES", "ES": "ES",
    "P": "PT", "PT": "PT", "DK": "DK", "NL": "NL", "MC": "MC", "S": "SE", "SE": "SE",
    "N": "NO", "NO": "NO", "FIN": "FI", "FI": "FI", "PL": "PL", "CZ": "CZ", "GR": "GR",
}
# Postal codes by country, used when the country is known and to accept a locality part.
_DIGITS = {
    "FR": 5, "DE": 5, "ES": 5, "IT": 5, "MC": 5, "FI": 5, "GR": 5, "MA": 5, "DZ": 5, "SN": 5,
    "BE": 4, "CH": 4, "LU": 4, "AT": 4, "DK": 4, "NO": 4, "TN": 4, "AU": 4,
}
_US_STATES = set(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split()
)
_CA_PROVINCES = set("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())

_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
_RE_US = re.compile(r"^(?P<city>.*?[^\s,])\s*,?\s+(?P<state>[A-Z]{2})\.?\s+(?P<code>\d{5}(?:-\d{4})?)$")
_RE_US_TAIL = re.compile(r"^(?P<state>[A-Z]{2})\.?\s+(?P<code>\d{5}(?:-\d{4})?)$")
_RE_CA = re.compile(r"^(?P<city>.*?[^\s,])\s*,?\s+(?P<state>[A-Z]{2})\s+(?P<code>[A-Z]\d[A-Z]\s?\d[A-Z]\d)$", re.I)
_RE_CA_TAIL = re.compile(r"^(?P<state>[A-Z]{2})\s+(?P<code>[A-Z]\d[A-Z]\s?\d[A-Z]\d)$", re.I)
_RE_UK = re.compile(rf"^(?:(?P<city>.*?[^\s,])\s*,?\s+)?(?P<code>{_UK_POSTCODE})$", re.I)
_RE_NL = re.compile(r"^(?:NL\s?-\s?)?(?P<code>\d{4}\s?[A-Z]{2})\s+(?P<city>\D.*)$")
_RE_PT = re.compile(r"^(?:P\s?-\s?)?(?P<code>\d{4}-\d{3})\s+(?P<city>\D.*)$")
_RE_PL = re.compile(r"^(?:PL\s?-\s?)?(?P<code>\d{2}-\d{3})\s+(?P<city>\D.*)$")
_RE_GENERIC = re.compile(r"^(?:(?P<prefix>[A-Z]{1,3})\s?-\s?)?(?P<code>\d{4,5})\s+(?P<city>\D.*)$", re.I)
_RE_CITY_FIRST = re.compile(r"^(?P<city>[^\d,]*[^\d\s,])\s*,?\s+(?P<code>\d{5})$")
_RE_CEDEX = re.compile(r"\bcedex\b", re.I)


@dataclass
class ParsedAddress:
    address: Address
    missing: list[str] = field(default_factory=list)  # "street", "postal code", "city", "country"

    @property
    def complete(self) -> bool:
        return not self.missing


def _key(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: 'États-Unis.' → 'etats unis'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", " "))
    return text.strip()


def country_code(text: str) -> str | None:
    """ISO alpha-2 code for a country name ('Deutschland', 'Royaume-Uni', 'FR'), else None."""
    stripped = text.strip()
    if len(stripped) == 2 and stripped.isupper() and stripped in _ISO_CODES:
        return stripped
    return _COUNTRY_BY_NAME.get(_key(stripped))


def _parts(text: str) -> list[str]:
    """Lines, then commas inside lines; 'Anytown, LA 71223' stays one part."""
    parts: list[str] = []
    for line in re.split(r"\r\n|\r|\n", text):
        pieces = [p.strip() for p in line.split(",")]
        pieces = [p for p in pieces if p]
        merged: list[str] = []
        for piece in pieces:
            if merged and (_RE_US_TAIL.match(piece) or _RE_CA_TAIL.match(piece)):
                merged[-1] = f"{merged[-1]}, {piece}"
            else:
                merged.append(piece)
        parts.extend(merged)
    return parts


@dataclass
class _Locality:
    postal_code: str
    city: str | None
    country: str | None  # what the format itself says, if anything
    uses_previous: bool = False  # the city is the part before (UK postcode on its own line)


def _match_locality(part: str, country: str | None, previous: str | None) -> _Locality | None:
    if country in (None, "US"):
        m = _RE_US.match(part)
        if m and m.group("state") in _US_STATES:
            return _Locality(m.group("code"), f"{m.group('city')}, {m.group('state')}", "US")
    if country in (None, "CA"):
        m = _RE_CA.match(part)
        if m and m.group("state").upper() in _CA_PROVINCES:
            code = m.group("code").upper().replace(" ", "")
            return _Locality(f"{code[:3]} {code[3:]}", f"{m.group('city')}, {m.group('state').upper()}", "CA")
    if country in (None, "GB", "IE"):
        m = _RE_UK.match(part)
        if m and country in (None, "GB"):
            code = re.sub(r"\s+", "", m.group("code").upper())
            code = f"{code[:-3]} {code[-3:]}"
            if m.group("city"):
                return _Locality(code, m.group("city"), "GB")
            if previous and not re.search(r"\d", previous):
                return _Locality(code, previous, "GB", uses_previous=True)
            return _Locality(code, None, "GB")
    if country in (None, "NL"):
        m = _RE_NL.match(part)
        if m:
            code = m.group("code").replace(" ", "")
            return _Locality(f"{code[:4]} {code[4:]}", m.group("city"), "NL")
    if country in (None, "PT"):
        m = _RE_PT.match(part)
        if m:
            return _Locality(m.group("code"), m.group("city"), "PT")
    if country in (None, "PL"):
        m = _RE_PL.match(part)
        if m:
            return _Locality(m.group("code"), m.group("city"), "PL")
    m = _RE_GENERIC.match(part) if country is None or country in _DIGITS else None
    if m:
        code, city = m.group("code"), m.group("city").strip()
        said = _PREFIXES.get((m.group("prefix") or "").upper()) if m.group("prefix") else None
        if m.group("prefix") and said is None:
            return None
        if _RE_CEDEX.search(city):
            said = said or "FR"
        if said is None and len(code) == 5:
            said = "MC" if code.startswith("980") else "FR"
        expected = _DIGITS.get(country or said or "")
        if expected is not None and expected != len(code):
            return None
        return _Locality(code, city, said)
    if country in (None, "FR", "DE", "ES", "IT"):
        m = _RE_CITY_FIRST.match(part)
        if m:
            return _Locality(m.group("code"), m.group("city"), None if country else "FR")
    return None


def parse_address(text: str | None) -> ParsedAddress:
    """Best effort reading of a free-text address; never raises."""
    if not text or not str(text).strip():
        return ParsedAddress(Address(), ["street", "postal code", "city", "country"])
    parts = _parts(str(text))
    country: str | None = None
    if parts:
        country = country_code(parts[-1])
        if country is not None:
            parts = parts[:-1]
        elif len(parts) >= 2:
            # "…\n75002 Paris France": a country name glued at the end of the last line, kept
            # only if what remains reads as a locality of that country ("1234 Luxembourg" is
            # a city, not a country).
            words = parts[-1].rsplit(" ", 1)
            code = country_code(words[-1]) if len(words) == 2 else None
            if code and _match_locality(words[0], code, parts[-2]) is not None:
                country = code
                parts[-1] = words[0]
    street_parts: list[str] = []
    postal_code = city = None
    for i in range(len(parts) - 1, -1, -1):
        previous = parts[i - 1] if i > 0 else None
        found = _match_locality(parts[i], country, previous)
        if found is None:
            continue
        postal_code, city = found.postal_code, found.city
        country = country or found.country
        head = parts[: i - 1] if found.uses_previous else parts[:i]
        street_parts = head + parts[i + 1:]
        break
    else:
        street_parts = []
    street = ", ".join(street_parts) or None
    address = Address(street=street, postal_code=postal_code, city=city, country_alpha2=country)
    missing = [
        name for name, value in (("street", street), ("postal code", postal_code), ("city", city), ("country", country))
        if not value
    ]
    return ParsedAddress(address, missing)
