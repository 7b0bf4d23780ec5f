"""Harvest API v2 emulator, written from Harvest's documentation (see /work/shared/specs/harvest).

What it reproduces (each point is something the documentation states):

- every `/v2/...` request needs `User-Agent` (400 without), `Authorization: Bearer <token>`
  (401 `invalid_token` otherwise) and `Harvest-Account-Id` (a wrong or missing id answers
  `bad_account_status`, 403 by default; 404 can be chosen, both occur in the field);
- `GET /v2/users/me`, `GET /v2/company` (its `base_uri` is the emulator's own URL);
- `GET /v2/invoices`: page-based (`page`, `per_page` 1–2000, default 100, more is 422),
  sorted by issue date (most recent first), filters `state`, `from`, `to` (issue date),
  `updated_since`, `client_id`; answers `per_page`, `total_pages`, `total_entries`,
  `next_page`, `previous_page`, `page` and `links.first/next/previous/last`;
- `GET /v2/clients`: cursor-based (`links.next` carries `cursor=base64({"after":{"id":N}})`,
  `ref=next_cursor`; `page`/`next_page`/`previous_page` are null except on the first and last
  page), default and maximum `per_page` 2000, filters `updated_since`, `is_active`;
- `GET /v2/clients/{id}` (404 when unknown);
- `GET /client/invoices/{client_key}.pdf` without authentication (a small real PDF, or
  whatever `set_pdf()` configured for that key);
- 100 requests per 15 s on `/v2` (configurable): 429 with `Retry-After` in whole seconds.

Amounts are `Decimal` inside and JSON numbers on the wire, written like Harvest writes them
(`288.9`, `10700.0`).

Test helpers: `max_page_size` caps pages below what the client asks (so a few records make
several pages), `inject()` queues faults (status, Retry-After, dropped or slow answers) for
paths with a given prefix, `log`/`count()` record what was requested, `now`/`touch_invoice()`
move records' `updated_at` for incremental syncs, `generate()` creates a realistic data set
lazily (100,000 invoices cost a few index tuples each until a page is served).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import random
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable
from urllib.parse import urlencode

from . import server as _server_module
from .server import EmulatorServer, Reply, Request

CENT = Decimal("0.01")
UTC = dt.timezone.utc

INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
}


# --------------------------------------------------------------------------- JSON encoding

_MARK = "\x00D"
_NUMBER_RE = re.compile(r'"\\u0000D(-?[0-9.]+)\\u0000"')


def _harvest_number(value: Decimal) -> str:
    """`Decimal('288.90')` → `288.9`, `Decimal('100')` → `100.0`: Harvest sends floats."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}.0"
    return format(value.normalize(), "f")


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return _MARK + _harvest_number(obj) + "\x00"
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    raise TypeError(type(obj).__name__)


def dumps(obj: Any) -> bytes:
    """JSON with Decimal as a bare number; the C encoder does the work, a regex unquotes."""
    text = json.dumps(obj, default=_default, separators=(",", ":"))
    return _NUMBER_RE.sub(r"\1", text).encode()


# --------------------------------------------------------------------------- Harvest's rule

def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def harvest_amounts(
    lines: Iterable[dict[str, Any]],
    tax: Decimal | None,
    tax2: Decimal | None,
    discount: Decimal | None,
) -> dict[str, Decimal]:
    """Harvest's invoice totals, as its documentation describes them and its examples show.

    A line's amount is quantity × unit price (rounded to the cent). The discount percentage is
    taken off the subtotal; each tax percentage applies to the lines flagged for it, after the
    discount: `tax_amount = (Σ taxed amounts) × (1 − discount%) × tax%`. Each of discount,
    tax and tax2 is rounded half-up to the cent on its own, and `amount` is their sum with the
    subtotal. The documented example 13150403 gives 300 − 30 + 13.50 + 5.40 = 288.90.

    Written independently of `ecluse.plugins.harvest.normalize` so each checks the other.
    """
    subtotal = taxed = taxed2 = Decimal(0)
    for line in lines:
        amount = Decimal(line["amount"])
        subtotal += amount
        if line.get("taxed"):
            taxed += amount
        if line.get("taxed2"):
            taxed2 += amount
    keep = 1 - (discount or 0) / Decimal(100)
    discount_amount = round_cents(subtotal * (discount or 0) / 100)
    tax_amount = round_cents(taxed * keep * (tax or 0) / 100)
    tax2_amount = round_cents(taxed2 * keep * (tax2 or 0) / 100)
    return {
        "discount_amount": discount_amount,
        "tax_amount": tax_amount,
        "tax2_amount": tax2_amount,
        "amount": subtotal - discount_amount + tax_amount + tax2_amount,
    }


def with_harvest_amounts(invoice: dict[str, Any]) -> dict[str, Any]:
    """Fill an invoice's computed fields (line amounts, totals, due amount) in place."""
    for line in invoice.get("line_items") or []:
        if line.get("amount") is None:
            line["amount"] = round_cents(Decimal(line["quantity"]) * Decimal(line["unit_price"]))
    invoice.update(
        harvest_amounts(invoice["line_items"], invoice.get("tax"), invoice.get("tax2"), invoice.get("discount"))
    )
    invoice["due_amount"] = invoice["amount"] if invoice.get("state") in ("open", "draft") else Decimal("0.0")
    return invoice


# --------------------------------------------------------------------------- data generator

_COMPANY_WORDS = (
    "Atelier", "Studio", "Maison", "Groupe", "Compagnie", "Bureau", "Agence", "Laboratoire",
    "Nordic", "Blue", "Cedar", "Granite", "Harbor", "Summit", "Orchard", "Lumen", "Vertex",
)
_COMPANY_SUFFIX = ("SARL", "SAS", "SA", "Ltd", "GmbH", "SL", "Inc.", "BV", "SRL", "")
_TASKS = (
    ("Service", "Project Management"), ("Service", "Design"), ("Service", "Programming"),
    ("Service", "Consulting"), ("Service", "Training"), ("Product", "Licence"),
    ("Product", "Hosting"), ("Expense", "Travel"), ("Hébergement", "Serveur dédié"),
)
# (address text, expected country or None when it cannot be completed)
SAMPLE_ADDRESSES: tuple[str | None, ...] = (
    "12 rue de la Paix\n75002 Paris\nFrance",
    "8 avenue des Champs-Élysées\r\n75008 PARIS",
    "Tour Europlaza\n20 avenue André Prothin\nCS 30001\n92927 LA DEFENSE CEDEX",
    "3 place Bellecour, 69002 Lyon, France",
    "10 Downing Street\nLondon\nSW1A 2AA\nUnited Kingdom",
    "221B Baker Street\nLondon NW1 6XE\nUK",
    "123 Main St.\r\nAnytown, LA 71223",
    "456 Main St.\r\nAnytown, CT 06467",
    "1600 Amphitheatre Parkway, Mountain View, CA 94043, USA",
    "Friedrichstraße 43\n10117 Berlin\nDeutschland",
    "Rue de la Loi 16\n1000 Bruxelles\nBelgique",
    "Calle de Alcalá 50\n28014 Madrid\nEspaña",
    "Bahnhofstrasse 1\n8001 Zürich\nSuisse",
    "Keizersgracht 123\n1015 CJ Amsterdam\nNetherlands",
    "See the contract",
    "",
    None,
)
_STATES = ("open", "paid", "paid", "closed", "open", "paid")
_CURRENCY_BY_INDEX = ("EUR",) * 8 + ("USD", "GBP")


@dataclass
class GenerateOptions:
    """Proportions of the generated data set (per invoice unless stated)."""

    clients: int | None = None  # default: one client per 20 invoices, at least 3
    drafts: float = 0.05
    credits: float = 0.03  # whole invoice negative (a credit note)
    negative_lines: float = 0.05  # per line, inside a positive invoice
    tax2: float = 0.10
    discount: float = 0.15
    untaxed_lines: float = 0.10
    start: dt.date = dt.date(2023, 7, 1)
    end: dt.date = dt.date(2024, 6, 30)


def _client_key(invoice_id: int, salt: str) -> str:
    """40 hex characters like Harvest's; the last 10 carry the id so a key finds its invoice."""
    digest = hashlib.sha1(f"{salt}:{invoice_id}".encode()).hexdigest()[:30]
    return f"{digest}{invoice_id:010x}"


class InvoiceFactory:
    """Deterministic, lazily built invoices: `row(i)` is cheap, `build(i)` makes the payload.

    The header (dates, state, client) is drawn first from a per-invoice random stream, the
    lines after, so the index of 100,000 invoices is built without building the invoices.
    """

    first_id = 20_000_000

    def __init__(self, n: int, seed: int, clients: list[dict[str, Any]], options: GenerateOptions) -> None:
        self.n = n
        self.seed = seed
        self.clients = clients
        self.options = options
        self.span_days = max(1, (options.end - options.start).days)
        self.salt = f"seed{seed}"

    def invoice_id(self, i: int) -> int:
        return self.first_id + i

    def index_of(self, invoice_id: int) -> int | None:
        i = invoice_id - self.first_id
        return i if 0 <= i < self.n else None

    def _rng(self, i: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + i)

    def _header(self, i: int, rng: random.Random) -> dict[str, Any]:
        o = self.options
        issue = o.start + dt.timedelta(days=rng.randrange(self.span_days + 1))
        created = dt.datetime.combine(issue, dt.time(8), UTC) + dt.timedelta(minutes=rng.randrange(600))
        updated = created + dt.timedelta(minutes=rng.randrange(3 * 24 * 60))
        updated = min(updated, dt.datetime.combine(o.end, dt.time(23, 59), UTC))
        state = "draft" if rng.random() < o.drafts else rng.choice(_STATES)
        client = self.clients[rng.randrange(len(self.clients))]
        return {"issue": issue, "created": created, "updated": updated, "state": state, "client": client}

    def row(self, i: int) -> tuple[str, int, str, str, int]:
        h = self._header(i, self._rng(i))
        return (h["issue"].isoformat(), self.invoice_id(i), _iso(h["updated"]), h["state"], h["client"]["id"])

    def build(self, i: int) -> dict[str, Any]:
        rng = self._rng(i)
        h = self._header(i, rng)
        o = self.options
        invoice_id = self.invoice_id(i)
        credit = rng.random() < o.credits
        tax = rng.choice((Decimal("20.0"), Decimal("20.0"), Decimal("20.0"), Decimal("10.0"), Decimal("5.5"), None))
        tax2 = rng.choice((Decimal("2.5"), Decimal("9.975"), Decimal("7.0"))) if rng.random() < o.tax2 else None
        discount = rng.choice((Decimal("5.0"), Decimal("10.0"), Decimal("12.5"), Decimal("3.33"))) if rng.random() < o.discount else None
        lines = []
        for j in range(rng.choice((1, 2, 3, 4, 4, 4, 5, 6, 7))):
            kind, task = _TASKS[rng.randrange(len(_TASKS))]
            if kind == "Product":
                quantity = Decimal(rng.randint(1, 12))
            else:
                quantity = Decimal(rng.randint(25, 1600)) / 100  # hours, 0.25 to 16.00
            unit_price = Decimal(rng.randint(2500, 150_000)) / 100
            if credit or rng.random() < o.negative_lines:
                unit_price = -unit_price
                if not credit:  # a rebate line stays small next to the others
                    quantity = Decimal(1)
                    unit_price = (unit_price / 4).quantize(CENT)
            project = None
            if rng.random() < 0.8:
                pid = 14_000_000 + h["client"]["id"] % 1000 * 10 + rng.randrange(3)
                project = {"id": pid, "name": f"Project {pid % 10_000}", "code": f"P{pid % 10_000:04d}"}
            lines.append({
                "id": invoice_id * 10 + j,
                "kind": kind,
                "description": f"{task} — {h['issue'].isoformat()}",
                "quantity": quantity,
                "unit_price": unit_price,
                "amount": round_cents(quantity * unit_price),
                "taxed": tax is not None and rng.random() >= o.untaxed_lines,
                "taxed2": tax2 is not None and rng.random() >= o.untaxed_lines,
                "project": project,
            })
        if not credit and sum(line["amount"] for line in lines) <= 0:
            for line in lines:  # keep "negative lines inside a positive invoice" positive overall
                line["unit_price"] = abs(line["unit_price"])
                line["amount"] = abs(line["amount"])
        state = h["state"]
        sent = h["created"] + dt.timedelta(hours=1) if state != "draft" else None
        paid = h["updated"] if state == "paid" else None
        invoice = {
            "id": invoice_id,
            "client_key": _client_key(invoice_id, self.salt),
            "number": f"{h['issue'].year}-{i + 1:06d}",
            "purchase_order": rng.choice(("", "", f"PO-{rng.randint(1000, 9999)}")),
            "amount": None,
            "due_amount": None,
            "tax": tax,
            "tax_amount": None,
            "tax2": tax2,
            "tax2_amount": None,
            "discount": discount,
            "discount_amount": None,
            "subject": f"Invoice for {h['client']['name']}",
            "notes": "",
            "state": state,
            "period_start": None,
            "period_end": None,
            "issue_date": h["issue"].isoformat(),
            "due_date": (h["issue"] + dt.timedelta(days=30)).isoformat(),
            "payment_term": "net 30",
            "payment_options": [],
            "sent_at": _iso(sent) if sent else None,
            "paid_at": _iso(paid) if paid else None,
            "paid_date": paid.date().isoformat() if paid else None,
            "closed_at": _iso(h["updated"]) if state == "closed" else None,
            "recurring_invoice_id": None,
            "created_at": _iso(h["created"]),
            "updated_at": _iso(h["updated"]),
            "currency": h["client"]["currency"],
            "client": {"id": h["client"]["id"], "name": h["client"]["name"]},
            "estimate": None,
            "retainer": None,
            "creator": {"id": 1782884, "name": "Bob Powell"},
            "line_items": lines,
        }
        return with_harvest_amounts(invoice)


def generate_clients(count: int, seed: int, options: GenerateOptions) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    clients = []
    for k in range(count):
        created = dt.datetime.combine(options.start, dt.time(9), UTC) - dt.timedelta(days=rng.randrange(400))
        name = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_SUFFIX)}".strip()
        clients.append({
            "id": 5_000_000 + k,
            "name": f"{name} #{k}",
            "is_active": rng.random() > 0.1,
            "address": SAMPLE_ADDRESSES[k % len(SAMPLE_ADDRESSES)],
            "statement_key": hashlib.md5(f"{seed}:{k}".encode()).hexdigest(),
            "created_at": _iso(created),
            "updated_at": _iso(created + dt.timedelta(days=rng.randrange(30))),
            "currency": _CURRENCY_BY_INDEX[k % len(_CURRENCY_BY_INDEX)],
        })
    return clients


# --------------------------------------------------------------------------- the emulator

@dataclass
class Fault:
    """A canned answer for the next `times` requests whose path starts with `path`."""

    path: str
    status: int = 500
    times: int = 1
    retry_after: int | None = None
    body: bytes | None = None
    drop: bool = False
    delay: float = 0.0


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int


def _iso(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_when(text: str) -> dt.datetime:
    """`updated_since` as Harvest takes it: an ISO 8601 date-time (or a date)."""
    text = text.strip().replace("Z", "+00:00")
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def minimal_pdf(text: str) -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class _NoDelayHandler(_server_module._Handler):
    disable_nagle_algorithm = True


class HarvestEmulator:
    """`with HarvestEmulator() as emu:` serves Harvest on `emu.url` (API at `emu.api_url`)."""

    def __init__(
        self,
        *,
        token: str = "hv-test-token",
        account_id: str = "1234567",
        rate_limit: tuple[int, float] | None = (100, 15.0),
        max_page_size: int = 2000,
        bad_account_status: int = 403,
        now: dt.datetime = dt.datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
        clock: Callable[[], float] = time.monotonic,
        company_name: str = "Agence Exemple",
    ) -> None:
        self.token = token
        self.account_id = str(account_id)
        self.rate_limit = rate_limit
        self.max_page_size = max_page_size
        self.bad_account_status = bad_account_status
        self.now = now
        self.clock = clock
        self.company_name = company_name
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self._lock = threading.RLock()
        self._hits: deque[float] = deque()
        self._clients: dict[int, dict[str, Any]] = {}
        self._explicit: dict[int, dict[str, Any]] = {}
        self._factory: InvoiceFactory | None = None
        # (issue_date, id, updated_at, state, client_id) for every invoice, explicit or lazy
        self._rows: dict[int, tuple[str, int, str, str, int]] = {}
        self._keys: dict[str, int] = {}
        self._pdfs: dict[str, tuple[int, bytes, str]] = {}
        self._version = 0
        self._sorted: tuple[int, list[tuple[str, int, str, str, int]]] | None = None
        self._filtered: tuple[tuple[Any, ...], list[tuple[str, int, str, str, int]]] | None = None
        self._server = EmulatorServer(self.route)
        # Headers and body leave in two writes; with Nagle on, each answer then waits for the
        # client's delayed ACK (~40 ms), which makes a 100,000-invoice run take hours.
        self._server._server.RequestHandlerClass = _NoDelayHandler
        # serve_forever() polls for shutdown every 0.5 s by default: every test paid it on stop.
        self._server._thread = threading.Thread(
            target=self._server._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # ------------------------------------------------------------------ server
    @property
    def url(self) -> str:
        """The account's web address (PDFs) and the API's host."""
        return self._server.url

    @property
    def api_url(self) -> str:
        return self._server.url + "/v2"

    def start(self) -> "HarvestEmulator":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> "HarvestEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Connector settings pointing at this emulator."""
        values = {
            "token": self.token,
            "account_id": self.account_id,
            "domain": self.url,
            "api_url": self.api_url,
        }
        values.update(overrides)
        return values

    # ------------------------------------------------------------------ data
    def add_client(self, client: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            client = dict(client)
            client.setdefault("is_active", True)
            client.setdefault("currency", "EUR")
            client.setdefault("created_at", _iso(self.now))
            client.setdefault("updated_at", client["created_at"])
            client.setdefault("statement_key", hashlib.md5(str(client["id"]).encode()).hexdigest())
            client.setdefault("address", None)
            self._clients[int(client["id"])] = client
            self._version += 1
            return client

    def add_invoice(self, invoice: dict[str, Any]) -> dict[str, Any]:
        """Store an invoice payload as is (fixtures); amounts should be Decimal already."""
        with self._lock:
            invoice = dict(invoice)
            invoice_id = int(invoice["id"])
            invoice.setdefault("client_key", _client_key(invoice_id, "explicit"))
            invoice.setdefault("updated_at", _iso(self.now))
            self._explicit[invoice_id] = invoice
            self._index(invoice)
            return invoice

    def _index(self, invoice: dict[str, Any]) -> None:
        client = invoice.get("client") or {}
        self._rows[int(invoice["id"])] = (
            str(invoice.get("issue_date") or ""),
            int(invoice["id"]),
            str(invoice.get("updated_at") or ""),
            str(invoice.get("state") or ""),
            int(client.get("id") or 0),
        )
        self._keys[str(invoice.get("client_key"))] = int(invoice["id"])
        self._version += 1

    def generate(self, n: int, *, seed: int = 1, options: GenerateOptions | None = None) -> InvoiceFactory:
        """Add `n` generated invoices (and their clients). Built lazily, page by page."""
        options = options or GenerateOptions()
        with self._lock:
            if self._factory is not None:
                raise RuntimeError("generate() can be called once per emulator")
            count = options.clients or max(3, n // 20)
            for client in generate_clients(count, seed, options):
                self._clients[client["id"]] = client
            factory = InvoiceFactory(n, seed, list(self._clients.values())[-count:], options)
            self._factory = factory
            for i in range(n):
                row = factory.row(i)
                self._rows[row[1]] = row
            self._version += 1
            return factory

    def invoice(self, invoice_id: int) -> dict[str, Any]:
        """The invoice as the API serves it (a fresh copy for generated ones)."""
        with self._lock:
            if invoice_id in self._explicit:
                return self._explicit[invoice_id]
            i = self._factory.index_of(invoice_id) if self._factory else None
            if i is None:
                raise KeyError(invoice_id)
            return self._factory.build(i)

    def invoices(self) -> list[dict[str, Any]]:
        """Every invoice (built); for tests, not for 100,000 records."""
        return [self.invoice(row[1]) for row in self._ordered()]

    def client(self, client_id: int) -> dict[str, Any]:
        return self._clients[client_id]

    def clients(self) -> list[dict[str, Any]]:
        return list(self._clients.values())

    def tick(self, seconds: float = 1.0) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now

    def touch_invoice(self, invoice_id: int, *, recompute: bool = True, **changes: Any) -> dict[str, Any]:
        """Change an invoice as a user would in Harvest: new values, `updated_at` = now.

        Totals are recomputed when lines or rates change, unless `recompute=False` (to serve
        a broken record as is)."""
        with self._lock:
            invoice = dict(self.invoice(invoice_id))
            invoice.update(changes)
            if recompute and ("line_items" in changes or {"tax", "tax2", "discount"} & set(changes)):
                with_harvest_amounts(invoice)
            invoice["updated_at"] = _iso(self.tick())
            self._explicit[invoice_id] = invoice
            self._index(invoice)
            return invoice

    def delete_invoice(self, invoice_id: int) -> None:
        """Delete an invoice as a user would in Harvest: gone from every listing (Harvest keeps
        no trace a client could read; `updated_since` does not show it)."""
        with self._lock:
            self._rows.pop(invoice_id, None)
            self._explicit.pop(invoice_id, None)
            self._version += 1

    def touch_client(self, client_id: int, **changes: Any) -> dict[str, Any]:
        with self._lock:
            client = dict(self._clients[client_id])
            client.update(changes)
            client["updated_at"] = _iso(self.tick())
            self._clients[client_id] = client
            self._version += 1
            return client

    def set_pdf(self, client_key: str, body: bytes, *, status: int = 200, content_type: str = "application/pdf") -> None:
        """Serve `body` for this invoice's PDF instead of the generated one (e.g. an HTML page)."""
        self._pdfs[client_key] = (status, body, content_type)

    # ------------------------------------------------------------------ faults & counters
    def inject(self, path: str, status: int = 500, *, times: int = 1, retry_after: int | None = None,
               body: bytes | None = None, drop: bool = False, delay: float = 0.0) -> Fault:
        fault = Fault(path, status, times, retry_after, body, drop, delay)
        with self._lock:
            self.faults.append(fault)
        return fault

    def count(self, path: str | None = None, *, status: int | None = None) -> int:
        """Requests received whose path starts with `path` (all if None)."""
        return sum(
            1 for entry in list(self.log)
            if (path is None or entry.path.startswith(path)) and (status is None or entry.status == status)
        )

    def counts(self) -> Counter[str]:
        return Counter(entry.path for entry in list(self.log))

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    # ------------------------------------------------------------------ routing
    def route(self, req: Request) -> Reply:
        with self._lock:
            reply = self._route(req)
            self.log.append(Logged(req.method, req.path, req.query, req.headers, 0 if reply.drop else reply.status))
            return reply

    def _route(self, req: Request) -> Reply:
        for fault in self.faults:
            if fault.times > 0 and req.path.startswith(fault.path):
                fault.times -= 1
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                body = fault.body if fault.body is not None else dumps({"status": fault.status, "error": "injected"})
                return Reply(fault.status, body, headers, delay=fault.delay, drop=fault.drop)
        if req.method != "GET":
            return self._json(405, {"status": 405, "error": "Method Not Allowed"})
        if req.path.startswith("/client/invoices/"):
            return self._pdf(req.path)
        if not req.path.startswith("/v2/"):
            return self._json(404, {"status": 404, "error": "Not Found"})
        problem = self._authenticate(req)
        if problem is not None:
            return problem
        limited = self._throttle()
        if limited is not None:
            return limited
        path = req.path[len("/v2"):].rstrip("/")
        if path == "/users/me":
            return self._json(200, self._me())
        if path == "/company":
            return self._json(200, self._company())
        if path == "/invoices":
            return self._list_invoices(req)
        if path == "/clients":
            return self._list_clients(req)
        m = re.fullmatch(r"/clients/(\d+)", path)
        if m and int(m.group(1)) in self._clients:
            return self._json(200, self._clients[int(m.group(1))])
        m = re.fullmatch(r"/invoices/(\d+)", path)
        if m and int(m.group(1)) in self._rows:
            return self._json(200, self.invoice(int(m.group(1))))
        return self._json(404, {"status": 404, "error": "Not Found"})

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
        return Reply(status, dumps(payload), {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    def _authenticate(self, req: Request) -> Reply | None:
        if not req.headers.get("user-agent", "").strip():
            return self._json(400, {"status": 400, "error": "Bad Request",
                                    "message": "Please include a User-Agent header naming your app and a contact"})
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return self._json(401, INVALID_TOKEN, {"WWW-Authenticate": 'Bearer realm="Harvest", error="invalid_token"'})
        if req.headers.get("harvest-account-id") != self.account_id:
            if self.bad_account_status == 404:
                return self._json(404, {"status": 404, "error": "Not Found"})
            return self._json(self.bad_account_status, {
                "error": "forbidden",
                "error_description": "You do not have access to this account (check Harvest-Account-Id).",
            })
        return None

    def _throttle(self) -> Reply | None:
        if self.rate_limit is None:
            return None
        limit, window = self.rate_limit
        now = self.clock()
        while self._hits and self._hits[0] <= now - window:
            self._hits.popleft()
        if len(self._hits) >= limit:
            wait = max(1, math.ceil(self._hits[0] + window - now))
            return self._json(429, {"status": 429, "error": "Too Many Requests"}, {"Retry-After": str(wait)})
        self._hits.append(now)
        return None

    def _me(self) -> dict[str, Any]:
        return {
            "id": 1782884, "first_name": "Bob", "last_name": "Powell", "email": "bobpowell@example.com",
            "telephone": "", "timezone": "Europe/Paris", "is_contractor": False, "is_active": True,
            "created_at": "2020-05-01T20:41:00Z", "updated_at": "2020-05-01T20:42:25Z",
            "roles": ["Founder"], "access_roles": ["administrator"],
        }

    def _company(self) -> dict[str, Any]:
        host = self.url.split("://", 1)[1]
        return {
            "base_uri": self.url, "full_domain": host, "name": self.company_name, "is_active": True,
            "week_start_day": "Monday", "wants_timestamp_timers": False, "time_format": "decimal",
            "date_format": "%d/%m/%Y", "plan_type": "simple-v4", "clock": "24h",
            "currency_code_display": "iso_code_none", "currency_symbol_display": "symbol_after",
            "decimal_symbol": ",", "thousands_separator": " ", "color_scheme": "orange",
            "weekly_capacity": 126000, "expense_feature": True, "invoice_feature": True,
            "estimate_feature": True, "approval_feature": False, "team_feature": False,
        }

    def _per_page(self, req: Request, default: int) -> int | Reply:
        raw = req.query.get("per_page", [str(default)])[-1]
        try:
            per_page = int(raw)
        except ValueError:
            return self._json(422, {"status": 422, "message": "per_page must be an integer"})
        if not 1 <= per_page <= 2000:
            return self._json(422, {"status": 422, "message": "per_page must be between 1 and 2000"})
        return min(per_page, self.max_page_size)

    def _ordered(self) -> list[tuple[str, int, str, str, int]]:
        """All rows, most recent issue date first (then highest id); cached per data version."""
        if self._sorted is None or self._sorted[0] != self._version:
            rows = sorted(self._rows.values(), key=lambda r: (r[0], r[1]), reverse=True)
            self._sorted = (self._version, rows)
        return self._sorted[1]

    def _list_invoices(self, req: Request) -> Reply:
        q = {k: v[-1] for k, v in req.query.items()}
        per_page = self._per_page(req, 100)
        if isinstance(per_page, Reply):
            return per_page
        try:
            page = max(1, int(q.get("page", "1")))
            since = _parse_when(q["updated_since"]) if q.get("updated_since") else None
            date_from = dt.date.fromisoformat(q["from"]).isoformat() if q.get("from") else None
            date_to = dt.date.fromisoformat(q["to"]).isoformat() if q.get("to") else None
            client_id = int(q["client_id"]) if q.get("client_id") else None
        except ValueError as exc:
            return self._json(422, {"status": 422, "message": f"invalid parameter: {exc}"})
        states = frozenset(q["state"].split(",")) if q.get("state") else None
        since_text = _iso(since) if since else None
        key = (self._version, states, date_from, date_to, since_text, client_id)
        if self._filtered is not None and self._filtered[0] == key:
            rows = self._filtered[1]  # the next page of the same listing: no need to filter again
        else:
            rows = [
                r for r in self._ordered()
                if (states is None or r[3] in states)
                and (date_from is None or r[0] >= date_from)
                and (date_to is None or r[0] <= date_to)
                and (since_text is None or r[2] >= since_text)
                and (client_id is None or r[4] == client_id)
            ]
            self._filtered = (key, rows)
        total = len(rows)
        total_pages = max(1, math.ceil(total / per_page))
        chunk = rows[(page - 1) * per_page: page * per_page]
        params = {k: v for k, v in q.items() if k not in ("page", "per_page")}

        def link(n: int) -> str:
            return f"{self.api_url}/invoices?" + urlencode({"page": n, "per_page": per_page, **params})

        body = {
            "invoices": [self.invoice(r[1]) for r in chunk],
            "per_page": per_page,
            "total_pages": total_pages,
            "total_entries": total,
            "next_page": page + 1 if page < total_pages else None,
            "previous_page": page - 1 if page > 1 else None,
            "page": page,
            "links": {
                "first": link(1),
                "next": link(page + 1) if page < total_pages else None,
                "previous": link(page - 1) if page > 1 else None,
                "last": link(total_pages),
            },
        }
        return self._json(200, body)

    def _list_clients(self, req: Request) -> Reply:
        q = {k: v[-1] for k, v in req.query.items()}
        per_page = self._per_page(req, 2000)
        if isinstance(per_page, Reply):
            return per_page
        try:
            since = _iso(_parse_when(q["updated_since"])) if q.get("updated_since") else None
            after = json.loads(base64.urlsafe_b64decode(q["cursor"] + "==="))["after"]["id"] if q.get("cursor") else None
        except (ValueError, KeyError, TypeError) as exc:
            return self._json(422, {"status": 422, "message": f"invalid parameter: {exc}"})
        active = {"true": True, "false": False}.get(q.get("is_active", "").lower())
        rows = [
            c for c in sorted(self._clients.values(), key=lambda c: c["id"], reverse=True)
            if (since is None or c["updated_at"] >= since) and (active is None or c["is_active"] is active)
        ]
        total = len(rows)
        total_pages = max(1, math.ceil(total / per_page))
        start = 0 if after is None else next((k for k, c in enumerate(rows) if c["id"] < after), total)
        chunk = rows[start:start + per_page]
        page = start // per_page + 1
        more = start + per_page < total
        params = {k: v for k, v in q.items() if k not in ("page", "per_page", "cursor", "ref")}

        def link(**kw: Any) -> str:
            return f"{self.api_url}/clients?" + urlencode({**kw, "per_page": per_page, **params})

        cursor = base64.urlsafe_b64encode(json.dumps({"after": {"id": chunk[-1]["id"]}}).encode()).decode().rstrip("=") if chunk else ""
        edge = page == 1 or not more
        body = {
            "clients": chunk,
            "per_page": per_page,
            "total_pages": total_pages,
            "total_entries": total,
            "next_page": page + 1 if more and edge else None,
            "previous_page": page - 1 if page > 1 and edge else None,
            "page": page if edge else None,
            "links": {
                "first": link(page=1, ref="first"),
                "next": link(cursor=cursor, ref="next_cursor") if more else None,
                "previous": None,
                "last": link(page=total_pages, ref="last"),
            },
        }
        return self._json(200, body)

    def _pdf(self, path: str) -> Reply:
        m = re.fullmatch(r"/client/invoices/([0-9a-zA-Z]+)\.pdf", path)
        key = m.group(1) if m else ""
        if key in self._pdfs:
            status, body, content_type = self._pdfs[key]
            return Reply(status, body, {"Content-Type": content_type})
        invoice_id = self._keys.get(key)
        if invoice_id is None and self._factory and len(key) == 40:
            candidate = int(key[30:], 16)
            i = self._factory.index_of(candidate)
            if i is not None and _client_key(candidate, self._factory.salt) == key:
                invoice_id = candidate
        if invoice_id is None:
            return Reply(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
        invoice = self.invoice(invoice_id)
        return Reply(200, minimal_pdf(f"Invoice {invoice.get('number')} total {invoice.get('amount')}"),
                     {"Content-Type": "application/pdf"})
