"""VAT percentages (as our documents carry them) to Pennylane `vat_rate` codes.

Pennylane wants a code per invoice line (`FR_200` for 20 % in France, `exempt`,
`intracom_21`...); the list of valid codes is the enum of the official spec, read from it
rather than copied here. A rate we cannot map raises `VatMappingError`: the invoice is held
for review instead of being sent with a guessed code.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from . import spec

# Metropolitan France (20, 10, 5.5, 2.1) and the DOM rates (8.5, 2.1) the spec knows.
DEFAULT_RATES: dict[str, str] = {
    "20": "FR_200",
    "10": "FR_100",
    "5.5": "FR_55",
    "2.1": "FR_21",
    "8.5": "FR_85",
}
# A 0 % line is most often a franchise / exempt sale in France.
DEFAULT_ZERO_RATE = "exempt"
# A 0 % sale abroad is no exempt sale: on the VAT return, intra-EU sales and exports have lines
# of their own. The spec names Pennylane's codes without describing them; integrations that send
# to Pennylane give `crossborder` to a business client in another EU country (reverse charge) and
# `extracom` to a client outside the EU (export). A workspace sets others under these keys.
ZONES = ("eu", "export")
ZONE_KEYS = {zone: f"0:{zone}" for zone in ZONES}
DEFAULT_ZONE_RATES = {"eu": "crossborder", "export": "extracom"}


class VatMappingError(ValueError):
    """No Pennylane VAT code for a line; the message says what to configure."""


def zone_of_key(key: str) -> str | None:
    """The zone of a mapping key ("0:eu" → "eu"), None for a percentage."""
    return next((zone for zone, zone_key in ZONE_KEYS.items() if key == zone_key), None)


def mapping_key(key: Decimal | str | int) -> str:
    """A VAT mapping's key in canonical form: a zone's key as it is, else `rate_key`."""
    return str(key) if zone_of_key(str(key)) else rate_key(key)


def rate_key(rate: Decimal | str | int) -> str:
    """Canonical text of a percentage: 20, 20.0 and "20.00" all give "20"; 5.50 gives "5.5"."""
    try:
        value = rate if isinstance(rate, Decimal) else Decimal(str(rate).strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise VatMappingError(f"{rate!r} is not a VAT percentage") from None
    if not value.is_finite():
        raise VatMappingError(f"{rate!r} is not a VAT percentage")
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


# Codes of a country's rate: FR_200 is 20 %, FR_09 0.9 %, FR_1_05 1.05 %, DE_190_BU0003 19 %.
_COUNTRY_RATE = re.compile(r"^[A-Z]{2}_(\d+)(?:_(\d+))?(?:_[A-Za-z][A-Za-z0-9]*)*$")
# Exempt, export and reverse-charge codes (intra-EU, building work: the buyer accounts for the
# VAT): the document itself shows no VAT, whatever rate the code's name carries.
_ZERO_CODES = ("exempt", "extracom", "crossborder")
_NO_VAT_PARTS = (*_ZERO_CODES, "intracom", "construction")


def code_rate(code: str) -> Decimal | None:
    """The VAT rate a document's line shows with this code: FR_200 20 %, an exempt or
    reverse-charge code 0 %; None when the code does not say (`mixed`)."""
    if any(part in code for part in _NO_VAT_PARTS):
        return Decimal(0)
    match = _COUNTRY_RATE.match(code)
    if not match:
        return None
    whole, fraction = match.groups()
    return Decimal(f"{whole}.{fraction}") if fraction else Decimal(whole) / 10


def ordered_codes() -> list[str]:
    """The valid codes, France's first, then the others by country, then the special ones."""
    def key(code: str) -> tuple[int, str]:
        return (0 if code.startswith("FR_") else 2 if code_rate(code) is None or code in _ZERO_CODES else 1, code)
    return sorted(valid_codes(), key=key)


def valid_codes() -> frozenset[str]:
    """Codes the spec accepts (172 in the May 2026 copy)."""
    return spec.vat_rate_codes()


def check_code(code: str, what: str = "VAT code") -> str:
    if code not in valid_codes():
        close = sorted(c for c in valid_codes() if c.lower().startswith(code.lower()[:3]))[:8]
        hint = f" (did you mean one of {', '.join(close)}?)" if close else ""
        raise VatMappingError(f"{what} {code!r} is not a Pennylane vat_rate code{hint}")
    return code


class VatMapper:
    """Percent -> code with a workspace's overrides (percent string -> code) on top of
    the defaults; a 0 % sale abroad takes its zone's code ("0:eu", "0:export" keys). Overrides
    and the zero-rate code are checked against the spec up front, so a typo in the
    configuration is reported once, not on every invoice."""

    def __init__(self, overrides: Mapping[str, str] | None = None, *,
                 zero_rate: str = DEFAULT_ZERO_RATE) -> None:
        table = dict(DEFAULT_RATES)
        table["0"] = check_code(zero_rate, "zero-rate VAT code")
        self.zones = dict(DEFAULT_ZONE_RATES)
        for key, code in (overrides or {}).items():
            zone = zone_of_key(str(key))
            if zone:
                self.zones[zone] = check_code(code, f"VAT override for {key}:")
            else:
                table[rate_key(key)] = check_code(code, f"VAT override for {key}%:")
        self.table = table
        self.mapped = {mapping_key(k) for k in (overrides or {})}  # the keys the workspace set

    def key_for(self, rate: Decimal, zone: str | None = None) -> str:
        """The mapping key that gives a line its code: the rate's, or for 0 % its zone's."""
        key = rate_key(rate)
        return ZONE_KEYS[zone] if key == "0" and zone in self.zones else key

    def code(self, rate: Decimal | None, *, source_code: str | None = None,
             where: str = "line", zone: str | None = None) -> str:
        """The code for one line. A code the source already knows (`Line.vat_code`) wins
        when valid; otherwise the percentage decides, and for 0 % the sale's zone
        (`validation.sale_zone`) when it has one."""
        if source_code:
            if source_code in valid_codes():
                return source_code
            if rate is None:
                raise VatMappingError(f"{where}: the source's VAT code {source_code!r} is not "
                                      f"a Pennylane vat_rate code and no VAT rate is known")
        if rate is None:
            raise VatMappingError(f"{where}: VAT rate unknown; set it during review")
        key = self.key_for(rate, zone)
        if (zone_key := zone_of_key(key)) is not None:
            return self.zones[zone_key]
        try:
            return self.table[key]
        except KeyError:
            known = ", ".join(f"{k}%" for k in sorted(self.table, key=Decimal))
            raise VatMappingError(
                f"{where}: no Pennylane VAT code for {key}% (mapped: {known}); add it to "
                f"the workspace's VAT mapping (e.g. \"{key}\" = \"<code>\")") from None


def vat_rate_code(rate: Decimal | None, overrides: Mapping[str, str] | None = None, *,
                  zero_rate: str = DEFAULT_ZERO_RATE, source_code: str | None = None) -> str:
    """One-off mapping; build a `VatMapper` once when mapping many lines."""
    return VatMapper(overrides, zero_rate=zero_rate).code(rate, source_code=source_code)
