"""The normalized document model every connector produces and every service consumes.

Plain dataclasses, no I/O, no checks on construction. Money is always `Decimal`; a float
anywhere here is a bug: `to_decimal` refuses floats, `connectors.contract_errors` keeps a yielded
document whose amounts are not finite `Decimal`s the cache can hold as a `Problem`, and
`validation` checks that they add up (totals against lines, VAT against rate).
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

# Document kinds. A credit note is its own kind so that review, reports and the
# Pennylane mapping (negative amounts + link to the credited invoice) can tell it apart.
CUSTOMER_INVOICE = "customer_invoice"
CUSTOMER_CREDIT_NOTE = "customer_credit_note"
SUPPLIER_INVOICE = "supplier_invoice"
SUPPLIER_CREDIT_NOTE = "supplier_credit_note"
KINDS = (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE, SUPPLIER_INVOICE, SUPPLIER_CREDIT_NOTE)
CUSTOMER_KINDS = (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE)
CREDIT_NOTE_KINDS = (CUSTOMER_CREDIT_NOTE, SUPPLIER_CREDIT_NOTE)


def sql_list(values: tuple[str, ...]) -> str:
    """Constant codes (kinds, statuses) as an SQL list, for SQL built from the tuples above."""
    return ", ".join(f"'{v}'" for v in values)


def signed_total_sql(doc: str = "d") -> str:
    """A `documents` row's total (table alias `doc`) as the Pennylane import carries it: a
    credit note negative whatever sign the source gave it (requests_builder._sign). The one
    place this sign is written for SQL: the send history, confirm and Suivi read it."""
    return f"CASE WHEN {doc}.kind IN ({sql_list(CREDIT_NOTE_KINDS)}) THEN -abs({doc}.total) ELSE {doc}.total END"


# Life cycle (see docs/ARCHITECTURE.md). `fetched` only exists between ingest and validation.
FETCHED = "fetched"
TO_REVIEW = "to_review"
APPROVED = "approved"
REJECTED = "rejected"
ON_HOLD = "on_hold"
IN_BATCH = "in_batch"
SENT = "sent"
FAILED = "failed"
STATUSES = (FETCHED, TO_REVIEW, APPROVED, REJECTED, ON_HOLD, IN_BATCH, SENT, FAILED)

ERROR = "error"
WARNING = "warning"

CENT = Decimal("0.01")


class DomainError(ValueError):
    """Input that cannot be turned into a document; the message says what to fix."""


def to_decimal(value: Any, what: str = "amount") -> Decimal | None:
    """Parse a money/quantity value from a source payload without ever going through float.

    JSON numbers must be decoded with `parse_float=Decimal` (see `json_loads`); a float that
    reaches this point would already have lost precision, so it is refused loudly.
    """
    if type(value) is Decimal and value.is_finite():
        return value  # what JSON decoding with parse_float=Decimal gives: nothing to convert
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DomainError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, float):
        raise DomainError(f"{what}: got a binary float {value!r}; decode JSON with Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.count(",") == 1 and "." not in text:  # French decimal comma: "12,50"
            text = text.replace(",", ".")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise DomainError(f"{what}: {value!r} is not a number") from None
    else:
        raise DomainError(f"{what}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise DomainError(f"{what}: {value!r} is not a finite number")
    return result


def json_loads(text: str | bytes) -> Any:
    """JSON decoding that keeps every number with a fraction as Decimal."""
    return json.loads(text, parse_float=Decimal)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # One level only: the encoder comes back here for nested values. The same JSON as
        # `dataclasses.asdict`, without its deep copies.
        return {name: getattr(obj, name) for name in _field_names(type(obj))}
    if isinstance(obj, bytes):
        return None  # attachments are stored by hash, never inline
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


def json_dumps(obj: Any, **kw: Any) -> str:
    """JSON encoding where Decimal becomes an exact string, dates ISO 8601 (any `json.dumps`
    option, e.g. indent for people to read)."""
    return json.dumps(obj, default=_json_default, ensure_ascii=False, **kw)


_COMPACT = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_SNAPSHOT = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS  # dataclasses encoded by orjson itself


def json_compact(obj: Any, *, sort_keys: bool = False) -> str:
    """What the cache stores (raw payloads, snapshots and the hash over them): the values of
    `json_dumps`, compact, encoded by orjson (the sync encodes two objects per document; the
    standard library took a third of its Python time). Falls back to `json_dumps` for what
    orjson refuses (integers beyond 64 bits, say) so a strange payload is still kept."""
    option = _COMPACT | orjson.OPT_SORT_KEYS if sort_keys else _COMPACT
    try:
        return _orjson_text(obj, option)
    except orjson.JSONEncodeError:
        return json.dumps(obj, default=_json_default, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))


def _orjson_text(obj: Any, option: int) -> str:
    """orjson's encoding with `_json_default`'s values. Decimals (tens per document) go
    through `Decimal.__str__` itself, a C call, a third cheaper than a Python default; any
    other type makes that refuse, and the object is encoded again with `_json_default`."""
    try:
        return orjson.dumps(obj, default=_decimal_str, option=option).decode()
    except orjson.JSONEncodeError:
        return orjson.dumps(obj, default=_json_default, option=option).decode()


_decimal_str = Decimal.__str__


# A reviewer's account for one line (a fix of `lines[n].ledger_account`) replaces the line's
# accounting code with `ledger:NNN`: it wins over any mapping of the code, at the send as in Revue.
_FIXED_ACCOUNT = "ledger:"


def fixed_account_hint(number: Any) -> str:
    """A line's code for the account a reviewer gave it; a fix stored as a JSON number (706100)
    is the account "706100" (`fixes.fix` stores text)."""
    return _FIXED_ACCOUNT + str(number).strip()


def fixed_account(hint: str | None) -> str | None:
    """The account number a reviewer gave a line (its code `ledger:NNN`), or None."""
    return hint[len(_FIXED_ACCOUNT):] if hint and hint.startswith(_FIXED_ACCOUNT) else None


def plain_decimal(value: Decimal) -> Decimal:
    """20.0 → 20, 5.50 → 5.5 (never normalize()'s 2E+1): a VAT rate as people write it."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def shown_value(value: Any) -> str:
    """A value a plugin gave, said for its author in an error: its type and a short repr."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def snapshot_hash(snapshot: str) -> str:
    """A document's content hash: the sha256 of its stored snapshot text."""
    return hashlib.sha256(snapshot.encode()).hexdigest()


@dataclass
class Address:
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_alpha2: str | None = None  # ISO 3166-1 alpha-2, upper case

    def is_complete(self) -> bool:
        return all([self.street, self.postal_code, self.city, self.country_alpha2])


@dataclass
class Counterparty:
    """A customer (for sales documents) or a supplier (for purchase documents)."""

    source_id: str
    name: str
    role: str = "customer"  # "customer" | "supplier"
    vat_number: str | None = None
    siren: str | None = None
    siret: str | None = None
    address: Address = field(default_factory=Address)
    address_raw: str | None = None  # the source's own text when it had to be parsed
    email: str | None = None
    is_individual: bool = False


@dataclass
class Line:
    label: str
    quantity: Decimal
    unit_price: Decimal
    amount_before_tax: Decimal
    tax: Decimal
    amount: Decimal
    vat_rate: Decimal | None = None  # percent, e.g. Decimal("20"), Decimal("5.5"); None = unknown
    accounting_hint: str | None = None  # source accounting code / product kind, mapped on send
    vat_code: str | None = None  # a source may already know the Pennylane code (intracom, exempt)


@dataclass
class Attachment:
    """The document's PDF. `content` is set when fetched; the store keeps it by sha256."""

    filename: str
    content: bytes | None = None
    media_type: str = "application/pdf"
    sha256: str | None = None

    def __post_init__(self) -> None:
        if self.content is not None and self.sha256 is None:
            self.sha256 = hashlib.sha256(self.content).hexdigest()


@dataclass
class Finding:
    """A validation result shown to the reviewer. Errors block approval-by-default."""

    code: str
    severity: str  # ERROR | WARNING
    message: str
    field: str | None = None
    origin: str = "validation"  # "connector" for findings a connector raised itself
    # The values `message` names, by name (JSON-friendly), so the console can say it in the
    # reviewer's language from its template `finding.<code>.detail`. None: `message` as is.
    params: dict[str, Any] | None = None


@dataclass
class Document:
    """One invoice or credit note, normalized. Identity is (connection, source_id)."""

    source_id: str
    kind: str
    number: str | None
    issue_date: dt.date | None
    due_date: dt.date | None
    currency: str
    total_before_tax: Decimal | None
    total_tax: Decimal | None
    total: Decimal | None
    counterparty: Counterparty | None
    lines: list[Line] = field(default_factory=list)
    attachment: Attachment | None = None
    # True when the source will deliver the PDF later (Amazon Business reports, ...).
    attachment_pending: bool = False
    source_updated_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Problems the connector itself saw while normalizing (unparsed address, totals differing
    # from the source's own, ...). Validation adds its own findings on top.
    findings: list[Finding] = field(default_factory=list)
    credited_source_id: str | None = None  # for credit notes: the invoice credited, if known
    category_hint: str | None = None
    connection: str | None = None  # set by the core, never by the connector

    @property
    def id(self) -> str:
        return f"{self.connection}:{self.source_id}"

    def content_hash(self) -> str:
        """Hash of everything that matters for accounting; `raw` and fetch times excluded so a
        source that only bumps `updated_at` does not send a document back to review."""
        return self.fingerprint()[1]

    def fingerprint(self) -> tuple[str, str]:
        """`(snapshot, content_hash)` from one encoding: the comparable fields as compact JSON
        (what ingest stores to report changes), and the sha256 of exactly that text.

        The same values as `comparable()`. The top-level keys are sorted; the lines and the
        counterparty are encoded by orjson straight from their dataclasses, so their keys come
        in field order (half the cost of a dict per line and a call per field)."""
        try:
            text = _orjson_text(self._comparable_fields(), _SNAPSHOT)
        except orjson.JSONEncodeError:  # what orjson refuses (an int beyond 64 bits, say)
            text = json_compact(self.comparable(), sort_keys=True)
        return text, snapshot_hash(text)

    def comparable(self) -> dict[str, Any]:
        """The fields a change report compares, flattened to JSON-friendly values."""
        data = self._comparable_fields()
        cp = data["counterparty"]
        data["counterparty"] = _asdict(cp) if cp is not None else None
        data["lines"] = [_asdict(line) for line in self.lines]
        return data

    def _comparable_fields(self) -> dict[str, Any]:
        cp = self.counterparty
        return {
            "kind": self.kind,
            "number": self.number,
            "issue_date": self.issue_date,
            "due_date": self.due_date,
            "currency": self.currency,
            "total_before_tax": self.total_before_tax,
            "total_tax": self.total_tax,
            "total": self.total,
            "counterparty": cp if cp else None,
            "lines": self.lines,
            "attachment_sha256": self.attachment.sha256 if self.attachment else None,
            "credited_source_id": self.credited_source_id,
        }


# Values `copy.deepcopy` returns as they are: `_asdict` need not copy them.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), Decimal, dt.date, dt.datetime})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _asdict(obj: Any) -> Any:
    """`dataclasses.asdict`, without deep-copying immutable values (the same result, faster)."""
    cls = type(obj)
    if cls in _IMMUTABLE:
        return obj
    if dataclasses.is_dataclass(cls):
        return {name: _asdict(getattr(obj, name)) for name in _field_names(cls)}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return cls(*[_asdict(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return cls(_asdict(v) for v in obj)
    if isinstance(obj, dict):
        return cls((_asdict(k), _asdict(v)) for k, v in obj.items())
    return copy.deepcopy(obj)


def diff_comparable(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [old, new] for every top-level field that differs (JSON-normalized)."""
    norm = lambda v: json.loads(json_dumps(v, sort_keys=True))  # noqa: E731
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        a, b = norm(old.get(key)), norm(new.get(key))
        if a != b:
            changes[key] = [a, b]
    return changes


def money(value: Decimal) -> str:
    """A decimal string with two places, as Pennylane and the UI expect."""
    return str(value.quantize(CENT))
