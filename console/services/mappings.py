"""Mappings from what the sources say to what Pennylane wants, read and checked for editing.

They live in ecluse.toml (`[mappings.*]`, plain text that can be reviewed) and the send
applies them (`services/send.py`):

- ledger_accounts: a line's accounting code (`Line.accounting_hint`) → a Pennylane ledger
  account number; `*` is the fallback for lines whose code is not mapped;
- vat: a VAT percentage → a Pennylane `vat_rate` code, over the defaults of `pennylane.vat`;
- categories: a connection's sales (`name:sales`) or purchases (`name:purchases`) → the
  Pennylane category label its documents of that side get by default; a key without a side
  (`name`, as versions before had it) stands for both;
- counterparties: a counterparty id (`connection:role:source id`) → the id of an existing
  Pennylane customer or supplier, instead of matching or creating one.

To map what exists, each listing counts what the cache holds, in one grouped query.
Every value is checked before it is written; a refusal raises `MappingError`, whose message
says what is expected.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..connectors import Said
from ..domain import CUSTOMER_KINDS
from ..i18n import LANGS, format_number
from ..pennylane import vat as vat_codes
from ..validation import KNOWN_VAT_RATES, client_zone
from ..pennylane.requests_builder import hint_key
from ..storage.db import dict_rows
from ..workspace import Workspace, WorkspaceError

FALLBACK = "*"
_ACCOUNT = re.compile(r"^[0-9][0-9A-Z]{2,19}$")
_CATEGORY_MAX = 120


class MappingError(WorkspaceError):
    """A mapping value that cannot be stored; the message says what is expected."""


# -- checks ----------------------------------------------------------------------------------
def check_ledger_account(number: str | None) -> str | None:
    """A ledger account number as Pennylane's chart has it (706000, 401ACME), or None to unmap."""
    text = (number or "").strip().upper().replace(" ", "")
    if not text:
        return None
    if not _ACCOUNT.match(text):
        raise MappingError(
            f"{number!r} is not a ledger account number: it starts with the account's class digit, "
            "then digits or capital letters, 3 to 20 characters (e.g. 706000, 401ACME)",
            Said("mapping.bad_account", {"value": repr(number)}))
    return text


def check_vat_code(code: str | None, rate: str | None = None) -> str | None:
    text = (code or "").strip()
    if not text:
        return None
    try:
        what = "VAT code" if rate is None else f"VAT code for {rate}" + ("" if vat_codes.zone_of_key(rate) else " %")
        return vat_codes.check_code(text, what)
    except vat_codes.VatMappingError as exc:
        raise MappingError(str(exc)) from None


def check_rate(rate: str | Decimal) -> str:
    """A VAT mapping's key: a percentage (canonical), or a zone's key for 0 % ("0:eu")."""
    text = str(rate).strip().lower()
    if vat_codes.zone_of_key(text):
        return text
    try:
        key = vat_codes.rate_key(rate)
    except vat_codes.VatMappingError as exc:
        raise MappingError(str(exc), Said("mapping.bad_rate", {"value": repr(rate)})) from None
    if Decimal(key) < 0 or Decimal(key) > 100:
        raise MappingError(f"{rate!r} is not a VAT percentage between 0 and 100 (e.g. 20 or 5.5)",
                           Said("mapping.bad_rate", {"value": repr(rate)}))
    return key


def check_category(label: str | None) -> str | None:
    text = " ".join((label or "").split())
    if not text:
        return None
    if len(text) > _CATEGORY_MAX:
        raise MappingError(f"a category label has at most {_CATEGORY_MAX} characters",
                           Said("mapping.long_category", {"max": _CATEGORY_MAX}))
    return text


def check_pennylane_id(value: Any) -> str | None:
    text = str(value if value is not None else "").strip()
    if text.endswith(".0"):  # a number column of an editor gives floats
        text = text[:-2]
    if not text or text.lower() == "nan":
        return None
    if not text.isdigit() or int(text) <= 0:
        raise MappingError(f"{value!r} is not a Pennylane customer or supplier id (a positive whole number)",
                           Said("mapping.bad_pennylane_id", {"value": repr(value)}))
    return str(int(text))


# -- writes ----------------------------------------------------------------------------------
def set_ledger_account(ws: Workspace, hint: str, number: str | None) -> None:
    if not hint:
        raise MappingError("an accounting code is required")
    ws.set_mapping("ledger_accounts", hint, check_ledger_account(number))


def set_vat(ws: Workspace, rate: str | Decimal, code: str | None) -> None:
    key = check_rate(rate)
    _check_vat_pair(key, code)
    ws.set_mapping("vat", key, check_vat_code(code, key))
    # A rate Pennylane does not know by default ("unknown VAT rate" on its lines) is settled,
    # or comes back, with its mapping: those documents are validated again.
    if _key_rate(key) not in KNOWN_VAT_RATES:
        from .fixes import EDITABLE_STATUSES, revalidate

        with ws.db.write() as con:
            ids = [r[0] for r in con.execute(
                "SELECT DISTINCT l.document_id FROM lines l JOIN documents d ON d.id = l.document_id "
                "WHERE l.vat_rate = CAST(? AS DECIMAL(6, 3)) AND d.status IN (SELECT unnest(?)) ORDER BY 1",
                [key, list(EDITABLE_STATUSES)]).fetchall()]
            if ids:
                revalidate(con, ids, ws.mappings()["vat"])


SIDES = ("sales", "purchases")


def side_of(kind: str | None) -> str:
    return "sales" if kind in CUSTOMER_KINDS else "purchases"


def category_for(categories: dict[str, str], connection: str | None, kind: str | None) -> str | None:
    """The default category of a document of `kind` from `connection`: its side's, else the
    connection's (both sides)."""
    return categories.get(f"{connection}:{side_of(kind)}") or categories.get(connection or "")


def _check_category_key(key: str) -> None:
    connection, sep, side = key.partition(":")  # connection names hold no ':' (workspace names)
    if not connection or (sep and side not in SIDES):
        raise MappingError(f"{key!r} is not a connection, nor a connection's side (name:sales, name:purchases)")


def set_category(ws: Workspace, key: str, label: str | None) -> None:
    """`key`: `name:sales`, `name:purchases`, or `name` for both sides. Setting one side of a
    connection that had one category for both keeps it for the other side; setting (or
    clearing) both replaces what each side had."""
    _check_category_key(key)
    value = check_category(label)
    connection, sep, side = key.partition(":")
    current = ws.mappings()["categories"]
    if sep and current.get(connection) is not None:
        for other in SIDES:
            if other != side and f"{connection}:{other}" not in current:
                ws.set_mapping("categories", f"{connection}:{other}", current[connection])
        ws.set_mapping("categories", connection, None)
    elif not sep:
        for each in SIDES:
            ws.set_mapping("categories", f"{connection}:{each}", None)
    ws.set_mapping("categories", key, value)


def set_counterparty(ws: Workspace, counterparty_id: str, pennylane_id: Any) -> None:
    if counterparty_id.count(":") < 2:
        raise MappingError(f"{counterparty_id!r} is not a counterparty id (connection:role:source id)")
    ws.set_mapping("counterparties", counterparty_id, check_pennylane_id(pennylane_id))


def apply(ws: Workspace, kind: str, changes: dict[str, Any]) -> dict[str, MappingError]:
    """Check every change of one mapping, then write them all, or none when one is refused.
    Returns key → why (the error: its text, and its `said`) for the refused ones (empty when
    everything was written)."""
    setter, checker = _KINDS[kind]
    refused: dict[str, MappingError] = {}
    for key, value in changes.items():
        try:
            checker(key, value)
        except MappingError as exc:
            refused[key] = exc
    if not refused:
        for key, value in changes.items():
            setter(ws, key, value)
    return refused


def _key_rate(key: str) -> Decimal:
    """The percentage a VAT mapping's key stands for (a zone's: 0)."""
    return Decimal(0) if vat_codes.zone_of_key(key) else Decimal(key)


def _check_vat_pair(rate: str, code: Any) -> None:
    key = check_rate(rate)
    checked = check_vat_code(code, key)
    stands_for = vat_codes.code_rate(checked) if checked else None
    # A code of another rate would send the line's tax under a code that says otherwise.
    if stands_for is not None and stands_for != _key_rate(key):
        raise MappingError(f"{checked} is the code of {stands_for} % VAT, not {_key_rate(key)} %: give a code of that "
                           "very rate, or fix the rate at the source",
                           Said("mapping.vat_other_rate", {"code": checked, "code_rate": _both(stands_for),
                                                           "rate": _both(_key_rate(key))}))


def _both(number: Decimal) -> dict[str, str]:
    """A number as each language writes it (a Said param given per language)."""
    return {lang: format_number(number, lang, places=None) for lang in LANGS}


_KINDS = {
    "ledger_accounts": (set_ledger_account, lambda key, value: check_ledger_account(value)),
    "vat": (set_vat, _check_vat_pair),
    "categories": (set_category, lambda key, value: (_check_category_key(key), check_category(value))),
    "counterparties": (set_counterparty, lambda key, value: check_pennylane_id(value)),
}


# -- what the cache holds, with the mapping of each ------------------------------------------
def ledger_accounts(ws: Workspace) -> list[dict[str, Any]]:
    """One row per part of the codes made of several (`kind:Product` of
    `kind:Product|project:P1`: mapping it covers them all), the first parts (`kind:`) first, then
    one per accounting code found on lines (None: lines without one), most used first, with the
    account that serves it, and the fallback `*` last: {hint, lines, documents, own_lines, part,
    account, via (the part whose mapping serves it, or None), vias ({part: account} when a part's
    codes are served by several other parts), state: mapped | by_part | by_parts | fallback |
    unmapped}. A part counts its own lines and those of the codes made with it (`own_lines`:
    its own only, what `summary` counts)."""
    mapping = ws.mappings()["ledger_accounts"]
    fallback = mapping.get(FALLBACK)
    with ws.db.read() as con:
        rows = dict_rows(con.execute(
            "SELECT accounting_hint AS hint, count(*) AS lines, count(DISTINCT document_id) AS documents "
            "FROM lines GROUP BY 1 ORDER BY lines DESC, hint NULLS LAST"))
        parts = dict_rows(con.execute(
            "WITH p AS (SELECT document_id, unnest(string_split(accounting_hint, '|')) AS part, "
            "generate_subscripts(string_split(accounting_hint, '|'), 1) AS position FROM lines "
            "WHERE contains(accounting_hint, '|')) "
            "SELECT part AS hint, min(position) AS position, count(*) AS lines, "
            "count(DISTINCT document_id) AS documents FROM (SELECT part, position, document_id FROM p UNION ALL "
            "SELECT accounting_hint, NULL, document_id FROM lines WHERE accounting_hint IN (SELECT part FROM p)) "
            "GROUP BY 1 ORDER BY position, lines DESC, hint"))
    own = {r["hint"]: r for r in rows}
    composites = [h for h in own if h and "|" in h]
    # The parts first (the first parts, which the send tries first, ahead): they serve the rest.
    out = [{**r, "own_lines": own[r["hint"]]["lines"] if r["hint"] in own else 0, "part": True} for r in parts]
    listed = {r["hint"] for r in out}
    out += [{**r, "own_lines": r["lines"], "part": False} for r in rows if r["hint"] not in listed]
    listed |= set(own)
    # Codes mapped in ecluse.toml that no cached line uses (yet) stay visible and editable.
    out += [{"hint": h, "lines": 0, "documents": 0, "own_lines": 0, "part": False}
            for h in sorted(mapping) if h != FALLBACK and h not in listed]
    for r in out:
        key = hint_key(r["hint"], mapping)
        r["account"] = mapping[key] if key is not None else None
        r["via"] = key if key != r["hint"] else None
        r["vias"] = {}
        if key is not None:
            r["state"] = "by_part" if r["via"] else "mapped"
            continue
        r["state"] = "fallback" if fallback else "unmapped"
        served = {hint_key(c, mapping) for c in composites if r["hint"] in c.split("|")}
        if r["part"] and not r["own_lines"] and served and None not in served:
            # every code made with this part takes its account through another part
            if len(served) == 1:
                r["via"] = served.pop()
                r["account"], r["state"] = mapping[r["via"]], "by_part"
            else:
                r["vias"], r["state"] = {k: mapping[k] for k in sorted(served)}, "by_parts"
    out.append({"hint": FALLBACK, "lines": None, "documents": None, "own_lines": None, "part": False,
                "account": fallback, "via": None, "vias": {}, "state": "mapped" if fallback else "unmapped"})
    return out


def vat_rates(ws: Workspace) -> list[dict[str, Any]]:
    """One row per VAT percentage found on lines, with the code the send would use:
    {rate, lines, lines_with_source_code, default, mapped, code, state: mapped | default |
    unmapped | invalid}. Lines whose source gives a valid Pennylane code do not need a mapping.
    The 0 % lines of sales abroad (`validation.sale_zone`, with a reviewer's fix of the client's
    country) are counted under their zone's key ("0:eu", "0:export"), not under "0"."""
    mapping = ws.mappings()["vat"]
    valid = sorted(vat_codes.valid_codes())
    with ws.db.read() as con:
        found = dict_rows(con.execute(
            "SELECT vat_rate AS rate, count(*) AS lines, "
            "count(*) FILTER (WHERE vat_code IN (SELECT unnest(?))) AS lines_with_source_code "
            "FROM lines WHERE vat_rate IS NOT NULL GROUP BY 1 ORDER BY 1", [valid]))
        abroad = con.execute(_ZERO_RATE_CLIENTS, [valid, list(CUSTOMER_KINDS)]).fetchall()
    by_key: dict[str, dict[str, Any]] = {}

    def count(key: str, lines: int, with_code: int) -> None:
        row = by_key.setdefault(key, {"rate": key, "lines": 0, "lines_with_source_code": 0})
        row["lines"] += lines
        row["lines_with_source_code"] += with_code

    for r in found:
        count(vat_codes.rate_key(r["rate"]), r["lines"], r["lines_with_source_code"])
    for country, individual, lines, with_code in abroad:
        zone = client_zone(country, individual)
        if zone:  # moved from the 0 % row to its zone's
            count("0", -lines, -with_code)
            count(vat_codes.ZONE_KEYS[zone], lines, with_code)
    if by_key.get("0", {}).get("lines") == 0:  # a mapped "0" comes back below, as every mapped key
        del by_key["0"]
    mapped_by_key = {}
    for key, code in mapping.items():
        try:
            mapped_by_key[vat_codes.mapping_key(key)] = code
        except vat_codes.VatMappingError:
            mapped_by_key[key] = code
    for key in mapped_by_key:
        count(key, 0, 0)
    out = []
    for key in sorted(by_key, key=_rate_order):
        row = by_key[key]
        zone = vat_codes.zone_of_key(key)
        default = (vat_codes.DEFAULT_ZONE_RATES[zone] if zone else vat_codes.DEFAULT_ZERO_RATE if key == "0"
                   else vat_codes.DEFAULT_RATES.get(key))
        mapped = mapped_by_key.get(key)
        if mapped and mapped not in vat_codes.valid_codes():
            state = "invalid"
        elif mapped:
            state = "mapped"
        elif default:
            state = "default"
        else:
            state = "unmapped"
        out.append({**row, "default": default, "mapped": mapped,
                    "code": mapped if state == "mapped" else default, "state": state})
    return out


# The 0 % lines of sales, by the client's country (a reviewer's fix of it first) and whether the
# client is a consumer (`validation.client_zone` tells their zone).
_ZERO_RATE_CLIENTS = """
SELECT upper(coalesce(json_extract_string(o.value, '$'), c.country_alpha2, '')), coalesce(c.is_individual, false),
       count(*), count(*) FILTER (WHERE l.vat_code IN (SELECT unnest(?)))
FROM lines l JOIN documents d ON d.id = l.document_id
JOIN counterparties c ON c.id = d.counterparty_id
LEFT JOIN overrides o ON o.document_id = c.id AND o.field = 'counterparty.address.country_alpha2'
WHERE l.vat_rate = 0 AND d.kind IN (SELECT unnest(?))
GROUP BY 1, 2
"""


def _rate_order(key: str) -> tuple[int, Decimal | str, str]:
    """Percentages in order, a zone's 0 % right after 0 %, keys typed by hand last."""
    try:
        return (0, _key_rate(key), key)
    except ArithmeticError:
        return (1, key, key)


def categories(ws: Workspace, sides: dict[str, tuple[str, ...]] | None = None) -> list[dict[str, Any]]:
    """One row per side (sales, purchases) of each connection: {key (the mapping's), connection,
    side, documents, source_categories (how many carry a category of their own), category (the
    one its documents get: the side's, else the connection's)}. A connection's sides are those
    its documents have, those mapped, and `sides[connection]` (its connector's kinds, say);
    both when nothing tells."""
    mapping = ws.mappings()["categories"]
    with ws.db.read() as con:
        counts = {(r[0], r[1]): (int(r[2]), int(r[3])) for r in con.execute(
            "SELECT connection, CASE WHEN kind IN (SELECT unnest(?)) THEN 'sales' ELSE 'purchases' END, count(*), "
            "count(category_hint) FROM documents GROUP BY 1, 2", [list(CUSTOMER_KINDS)]).fetchall()}
    known: dict[str, set[str]] = {}
    for connection, side in counts:
        known.setdefault(connection, set()).add(side)
    for key in mapping:
        connection, _sep, side = key.partition(":")
        known.setdefault(connection, set()).update([side] if side in SIDES else [])
    for connection in ws.connections():
        known.setdefault(connection, set()).update((sides or {}).get(connection, ()))
    rows = []
    for connection in sorted(known):
        for side in [s for s in SIDES if s in known[connection]] or list(SIDES):
            documents, own = counts.get((connection, side), (0, 0))
            rows.append({"key": f"{connection}:{side}", "connection": connection, "side": side, "documents": documents,
                         "source_categories": own,
                         "category": mapping.get(f"{connection}:{side}") or mapping.get(connection)})
    return rows


def counterparties(ws: Workspace, *, search: str | None = None, only_mapped: bool = False,
                   limit: int = 200) -> tuple[list[dict[str, Any]], int]:
    """Counterparties of the cache, most documents first (filtered by a name, id or VAT number
    substring), with the Pennylane id found by an earlier send and the manual match; and how
    many match in all. {id, connection, role, name, vat_number, documents, known_id, match}.
    The name, VAT number and SIREN are the reviewers' fixes where there are some (what is sent)."""
    mapping = ws.mappings()["counterparties"]
    clauses, params = ["TRUE"], []
    if search:  # the source's values and the fixed ones
        clauses.append("(c.name ILIKE ? OR c.id ILIKE ? OR c.vat_number ILIKE ? OR c.siren ILIKE ? "
                       "OR o.name ILIKE ? OR o.vat_number ILIKE ? OR o.siren ILIKE ?)")
        params += [f"%{search.strip()}%"] * 7
    if only_mapped:
        clauses.append("c.id IN (SELECT unnest(?))")
        params.append(sorted(mapping) or [""])
    where = " AND ".join(clauses)
    with ws.db.read() as con:
        total = con.execute(f"SELECT count(*) FROM counterparties c LEFT JOIN ({_FIXED_PARTIES}) o "
                            f"ON o.document_id = c.id WHERE {where}", params).fetchone()[0]
        rows = dict_rows(con.execute(
            "SELECT c.id, c.connection, c.role, coalesce(o.name, c.name) AS name, "
            "coalesce(o.vat_number, c.vat_number) AS vat_number, coalesce(o.siren, c.siren) AS siren, "
            "coalesce(n.documents, 0) AS documents, c.pennylane_id AS known_id FROM counterparties c "
            "LEFT JOIN (SELECT counterparty_id, count(*) AS documents FROM documents GROUP BY 1) n "
            "ON n.counterparty_id = c.id "
            f"LEFT JOIN ({_FIXED_PARTIES}) o ON o.document_id = c.id "
            f"WHERE {where} ORDER BY documents DESC, name, c.id LIMIT ?",
            params + [int(limit)]))
    for r in rows:
        r["match"] = mapping.get(r["id"])
    return rows, int(total)


# A counterparty's fixed name, VAT number and SIREN (overrides.value is JSON text).
_FIXED_PARTIES = """
SELECT document_id,
       json_extract_string(max(value) FILTER (WHERE field = 'counterparty.name'), '$') AS name,
       json_extract_string(max(value) FILTER (WHERE field = 'counterparty.vat_number'), '$') AS vat_number,
       json_extract_string(max(value) FILTER (WHERE field = 'counterparty.siren'), '$') AS siren
FROM overrides WHERE field IN ('counterparty.name', 'counterparty.vat_number', 'counterparty.siren')
GROUP BY document_id
"""


def summary(ws: Workspace, ledger: list[dict[str, Any]] | None = None, vat: list[dict[str, Any]] | None = None,
            cats: list[dict[str, Any]] | None = None, lists: Any = None) -> dict[str, Any]:
    """What is left to map: accounting codes without an account (and no fallback), VAT rates
    with no code (or an invalid one), connections' sides with documents but no default
    category. With Pennylane's lists (`pennylane_lists.Lists`, when known), a side whose
    category the company lacks or several categories share counts as without one (a live send
    sets none), and the mapped accounts its chart lacks (`accounts_absent`, the fallback's too)
    or has disabled (`accounts_disabled`) are counted. Pass the listings already read to save reading them again."""
    ledger = ledger_accounts(ws) if ledger is None else ledger
    vat = vat_rates(ws) if vat is None else vat
    cats = categories(ws) if cats is None else cats
    unmapped_hints = [r for r in ledger if r["hint"] != FALLBACK and r["state"] == "unmapped" and r["own_lines"]]
    unmapped_vat = [r for r in vat if r["state"] in ("unmapped", "invalid")
                    and r["lines"] > r["lines_with_source_code"]]
    flags = lists.flags(ledger, []) if lists is not None else {}
    # a side without a usable default category: none, one Pennylane lacks, one several share
    named = [r["category"] for r in cats if r["documents"] and r["category"]]
    none = sum(1 for r in cats if r["documents"] and not r["category"])
    unknown = sum(1 for c in named if lists is not None and not lists.has_category(c))
    ambiguous = sum(1 for c in named if lists is not None and lists.has_category(c) and lists.is_ambiguous(c))
    return {
        "ledger_unmapped": len(unmapped_hints),
        "ledger_unmapped_lines": sum(r["own_lines"] for r in unmapped_hints),
        "fallback": next((r["account"] for r in ledger if r["hint"] == FALLBACK), None),
        "vat_unmapped": len(unmapped_vat),
        "vat_unmapped_lines": sum(r["lines"] - r["lines_with_source_code"] for r in unmapped_vat),
        "categories_missing": none + unknown + ambiguous,
        "categories_none": none, "categories_unknown": unknown, "categories_ambiguous": ambiguous,
        "accounts_absent": len(set(flags.get("accounts_absent", [])) | ({flags["fallback_absent"]}
                                                                        if flags.get("fallback_absent") else set())),
        "accounts_disabled": len(flags.get("accounts_disabled", [])),
    }


def todo(info: dict[str, Any]) -> list[dict[str, Any]]:
    """What is left to map, given `summary`: the one list the Overview's card and the Mappings
    page's banner both say, in order, each {code, n, lines, optional}: codes without an account
    (`ledger`), VAT rates without a code (`vat`), mapped accounts Pennylane lacks
    (`accounts_absent`, known once its lists were read), mapped accounts Pennylane has disabled
    (`accounts_disabled`, optional: the send does not hold their invoices, the spec does not say
    Pennylane refuses them), sides without a usable default category (`categories_missing`,
    optional: an invoice goes without one)."""
    items = [
        {"code": "ledger", "n": info["ledger_unmapped"], "lines": info["ledger_unmapped_lines"], "optional": False},
        {"code": "vat", "n": info["vat_unmapped"], "lines": info["vat_unmapped_lines"], "optional": False},
        {"code": "accounts_absent", "n": info["accounts_absent"], "lines": None, "optional": False},
        {"code": "accounts_disabled", "n": info.get("accounts_disabled", 0), "lines": None, "optional": True},
        {"code": "categories_missing", "n": info["categories_missing"], "lines": None, "optional": True},
    ]
    return [item for item in items if item["n"]]


def todo_count(items: list[dict[str, Any]]) -> int:
    """The count said beside the list of `todo`: what a send needs; the optional items are said
    in the list, "(facultatif)", not counted (a headline of 14 for 2 codes to map misled)."""
    return sum(item["n"] for item in items if not item["optional"])


def todo_required(items: list[dict[str, Any]]) -> bool:
    """Something in the list of `todo` a send needs (not only optional items: categories,
    disabled accounts)."""
    return any(not item["optional"] for item in items)
