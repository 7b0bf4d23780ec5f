"""Pennylane Company API v2 client, over the shared HTTP layer (`ecluse.http`).

What it adds on top of `HttpClient`:

- every request is checked against the official spec before it is sent (`validate=True`):
  a body Pennylane would refuse raises `PennylaneRequestInvalid` and nothing is sent;
- cursor pagination (`iter_list`), with the JSON `filter` (and `sort`) re-sent on every page
  as Pennylane requires;
- look-ups by `external_reference` (and fallbacks) so that a send interrupted after a POST
  can find what was already created instead of creating it twice — POSTs are NOT
  idempotent and are never retried blindly on a 5xx or a lost connection (the layer retries
  them only on 429, which means "not processed");
- Pennylane's errors mapped to actionable messages: 401 -> the token and how to set it,
  403 -> the exact scope missing, 400/422 -> Pennylane's own message, 409 -> conflict.

Rate limiting (25 requests / 5 s per token) is handled by the layer's pacer, shared by all
clients of the same token in the process (`Pacer.shared`), from the `ratelimit-*` headers.
"""
from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..http import HttpClient, HttpError, HttpStats, Pacer, RateLimit
from . import spec

DEFAULT_BASE_URL = "https://app.pennylane.com/api/external/v2"
SERVICE = "Pennylane"
TOKEN_HELP = "set a valid token with `ecluse pennylane set --token-env VAR`"
# What sending invoices needs; the readonly ones are satisfied by the matching ":all".
SEND_SCOPES = (
    "customer_invoices:all", "supplier_invoices:all", "file_attachments:all",
    "customers:all", "suppliers:all", "ledger_accounts:readonly", "categories:readonly",
)
DEFAULT_RATE_LIMIT = RateLimit(25, 5.0)  # documented budget, before any header is seen
_MAGIC = ((b"%PDF", "application/pdf"), (b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"),
          (b"GIF8", "image/gif"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
          (b"BM", "image/bmp"))

Filter = Iterable[Mapping[str, Any] | tuple[str, str, Any]]


# --------------------------------------------------------------------------- errors


class PennylaneError(HttpError):
    """A Pennylane call that failed; `str()` says what to do. `pennylane_message` is what
    Pennylane itself answered (its `error`/`message` field), `operation` what we were doing."""

    def __init__(self, message: str, *, pennylane_message: str = "", operation: str = "",
                 **http: Any) -> None:
        super().__init__(message, **http)
        self.pennylane_message = pennylane_message
        self.operation = operation


class PennylaneAuthError(PennylaneError):
    """401: the token is invalid, expired or revoked."""


class PennylaneScopeError(PennylaneError):
    """403: the token lacks `scope`."""

    scope: str | None = None


class PennylaneNotFound(PennylaneError):
    """404: a referenced resource does not exist (or the path is wrong)."""


class PennylaneConflict(PennylaneError):
    """409: already exists (external_reference taken, file attachment already used...)."""


class PennylaneValidationError(PennylaneError):
    """400/422: Pennylane refused the data; `pennylane_message` says why."""


class PennylaneRequestInvalid(PennylaneValidationError):
    """Refused locally by the spec check, before anything was sent; `errors` lists why."""

    def __init__(self, message: str, *, errors: list[str], operation: str) -> None:
        super().__init__(message, operation=operation, service=SERVICE)
        self.errors = errors


def _pennylane_message(body: str) -> str:
    text = (body or "").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, dict):
        for key in ("error", "message", "details"):
            if isinstance(data.get(key), str) and data[key].strip():
                return data[key].strip()
    return text[:300]


def translate_error(exc: HttpError, operation: str) -> HttpError:
    """The layer's HttpError as a PennylaneError with an actionable message. Rate-limit and
    transport errors are returned as they are (their messages already say what to do)."""
    status = exc.status
    if status is None or status == 429 or status >= 500:
        return exc
    said = _pennylane_message(exc.body)
    http = dict(status=status, method=exc.method, url=exc.url, body=exc.body,
                retry_after=exc.retry_after, service=SERVICE, attempts=exc.attempts)
    common = dict(pennylane_message=said, operation=operation, **http)
    quoted = f" (Pennylane: {said})" if said else ""
    if status == 401:
        return PennylaneAuthError(
            f"Pennylane refused the API token while trying to {operation}: it is invalid, "
            f"expired or revoked{quoted}. Create a company API token in Pennylane (Settings > "
            f"Connectivity > Developers) and {TOKEN_HELP}.", **common)
    if status == 403:
        match = re.search(r'scope "([^"]+)"', said)
        scope = match.group(1) if match else None
        needed = f'the scope "{scope}"' if scope else "a scope"
        error = PennylaneScopeError(
            f"the Pennylane token lacks {needed}, needed to {operation}{quoted}. Create a token "
            f"with {needed} (Settings > Connectivity > Developers) and {TOKEN_HELP}.", **common)
        error.scope = scope
        return error
    if status == 404:
        return PennylaneNotFound(f"Pennylane could not {operation}: not found{quoted}.", **common)
    if status == 409:
        return PennylaneConflict(f"Pennylane refused to {operation}: conflict{quoted}.", **common)
    if status in (400, 422):
        return PennylaneValidationError(
            f"Pennylane refused to {operation}: {said or f'HTTP {status}'}", **common)
    return PennylaneError(f"Pennylane refused to {operation} (HTTP {status}){quoted}.", **common)


# --------------------------------------------------------------------------- helpers


def encode_filter(rules: Filter) -> str:
    """`[("external_reference", "eq", "x")]` or dicts -> the JSON string Pennylane expects."""
    items = [dict(rule) if isinstance(rule, Mapping)
             else {"field": rule[0], "operator": rule[1], "value": rule[2]} for rule in rules]
    return json.dumps(items, separators=(",", ":"), ensure_ascii=False)


def invoice_resource(kind: str) -> str:
    """"customer"/"supplier" or a document kind -> "customer_invoices"/"supplier_invoices"."""
    if kind.startswith("customer"):
        return "customer_invoices"
    if kind.startswith("supplier"):
        return "supplier_invoices"
    raise ValueError(f"unknown invoice kind {kind!r}")


def media_type(filename: str, content: bytes) -> str:
    for magic, ctype in _MAGIC:
        if content.startswith(magic):
            return ctype
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def missing_scopes(required: Iterable[str], granted: Iterable[str]) -> list[str]:
    """Required scopes not granted; "x:readonly" is satisfied by "x:all" too."""
    have = set(granted)
    out = []
    for scope in required:
        resource, _, level = scope.partition(":")
        if scope in have or (level == "readonly" and f"{resource}:all" in have):
            continue
        out.append(scope)
    return out


def french_siren(vat_number: str | None) -> str | None:
    """The SIREN inside a French VAT number (FRkk + 9 digits), else None."""
    compact = re.sub(r"\s", "", vat_number or "").upper()
    match = re.fullmatch(r"FR[0-9A-Z]{2}(\d{9})", compact)
    return match.group(1) if match else None


def _same_vat(a: str | None, b: str | None) -> bool:
    norm = lambda v: re.sub(r"\s", "", v or "").upper()  # noqa: E731
    return bool(norm(a)) and norm(a) == norm(b)


# --------------------------------------------------------------------------- the client


class PennylaneClient:
    """`PennylaneClient(token=...)` for production, `PennylaneClient(emu.api_url, token)`
    against the emulator or a proxy. `http_options` go to `HttpClient` (timeout,
    max_retries, backoff, sleep...)."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, *,
                 http: HttpClient | None = None, validate: bool = True,
                 rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT, pacer: Pacer | None = None,
                 **http_options: Any) -> None:
        if http is None:
            if not token:
                raise ValueError(f"a Pennylane API token is required; {TOKEN_HELP}")
            http = HttpClient(
                base_url, service=SERVICE, headers={"Authorization": f"Bearer {token}"},
                secrets=[token], rate_limit=rate_limit,
                pacer=pacer or Pacer.shared(SERVICE, token, rate_limit), **http_options)
        self.http = http
        self.validate = validate
        self._me: dict[str, Any] | None = None

    @property
    def stats(self) -> HttpStats:
        """Requests, retries, 429s and waits of this client's HTTP layer."""
        return self.http.stats

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "PennylaneClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ core
    def call(self, method: str, path: str, operation: str, *, params: dict[str, Any] | None = None,
             json_body: Any = None, files: dict[str, Any] | None = None,
             data: dict[str, Any] | None = None) -> Any:
        """One request: spec check, send through the layer, errors translated."""
        if self.validate:
            multipart = {**(data or {}), **(files or {})} if files else None
            errors = spec.validate_request(method, path, query=params, json_body=json_body,
                                           multipart=multipart)
            if errors:
                raise PennylaneRequestInvalid(
                    f"not sent to Pennylane: the request to {operation} does not match the API "
                    f"spec: {'; '.join(errors)}", errors=errors, operation=operation)
        try:
            return self.http.request_json(method, path, params=params, json=json_body,
                                          files=files, data=data)
        except HttpError as exc:
            raise translate_error(exc, operation) from exc

    def iter_list(self, path: str, filter: Filter | None = None, *,  # noqa: A002 - API name
                  sort: str | None = None, limit: int = 100) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, page after page. The cursor is only valid with the
        same filter and sort, so both are re-sent with it on every page."""
        base: dict[str, Any] = {"limit": str(limit)}
        if filter is not None:
            base["filter"] = encode_filter(filter)
        if sort:
            base["sort"] = sort
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            params = {**base, **({"cursor": cursor} if cursor else {})}
            page = self.call("GET", path, f"list {path.strip('/')}", params=params)
            yield from page.get("items") or []
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return
            if cursor in seen:
                raise PennylaneError(f"Pennylane returned the same cursor twice while listing "
                                     f"{path}; stopping", service=SERVICE, operation="list")
            seen.add(cursor)

    def _first(self, path: str, rules: Filter, sort: str | None = "id") -> dict[str, Any] | None:
        for item in self.iter_list(path, rules, sort=sort, limit=20):
            return item
        return None

    # ------------------------------------------------------------------ identity
    def me(self, *, refresh: bool = False) -> dict[str, Any]:
        """`{user, company: {id, name, reg_no}, scopes: [...]}` (cached)."""
        if self._me is None or refresh:
            self._me = self.call("GET", "/me", "read the token's company and scopes")
        return self._me

    def missing_scopes(self, required: Iterable[str] = SEND_SCOPES) -> list[str]:
        """Exact names of the required scopes the token does not have."""
        return missing_scopes(required, self.me().get("scopes") or [])

    def scope_problem(self, required: Iterable[str] = SEND_SCOPES) -> str | None:
        """A message naming the missing scopes, or None when the token has them all."""
        missing = self.missing_scopes(required)
        if not missing:
            return None
        names = ", ".join(f'"{s}"' for s in missing)
        company = (self.me().get("company") or {}).get("name", "the company")
        return (f"the Pennylane token of {company} lacks the scope(s) {names}. Create a token "
                f"with them in Pennylane (Settings > Connectivity > Developers) and {TOKEN_HELP}.")

    # ------------------------------------------------------------------ customers & suppliers
    def find_customer(self, *, external_reference: str | None = None, reg_no: str | None = None,
                      vat_number: str | None = None, name: str | None = None
                      ) -> dict[str, Any] | None:
        """The customer with this external_reference, else (fallbacks, in order) the one
        with this SIREN (given, or inside a French VAT number), else the only one with this
        exact name (or, among several, the one with this VAT number)."""
        if external_reference:
            found = self._first("/customers", [("external_reference", "eq", external_reference)])
            if found:
                return found
        siren = re.sub(r"\D", "", reg_no or "")[:9] or french_siren(vat_number)
        if siren:
            found = self._first("/customers", [("reg_no", "eq", siren)])
            if found:
                return found
        if name:
            matches = list(self.iter_list("/customers", [("name", "eq", name)], sort="id"))
            return self._pick(matches, vat_number)
        return None

    @staticmethod
    def _pick(matches: list[dict[str, Any]], vat_number: str | None) -> dict[str, Any] | None:
        if vat_number:
            same = [m for m in matches if _same_vat(m.get("vat_number"), vat_number)]
            if same:
                return same[0]
        return matches[0] if len(matches) == 1 else None

    def create_company_customer(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/company_customers", f"create the customer {body.get('name')!r}",
                         json_body=body)

    def create_individual_customer(self, body: dict[str, Any]) -> dict[str, Any]:
        who = f"{body.get('first_name', '')} {body.get('last_name', '')}".strip()
        return self.call("POST", "/individual_customers", f"create the customer {who!r}",
                         json_body=body)

    def find_supplier(self, *, external_reference: str | None = None, name: str | None = None,
                      vat_number: str | None = None, reg_no: str | None = None
                      ) -> dict[str, Any] | None:
        """By external_reference, else among the suppliers whose name starts with `name`:
        the one with the same SIREN or VAT number, else the one with exactly that name."""
        if external_reference:
            found = self._first("/suppliers", [("external_reference", "eq", external_reference)])
            if found:
                return found
        if not name:
            return None
        candidates = list(self.iter_list("/suppliers", [("name", "start_with", name)], sort="id"))
        siren = re.sub(r"\D", "", reg_no or "")[:9] or french_siren(vat_number)
        for candidate in candidates:
            if (siren and candidate.get("reg_no") == siren) or _same_vat(candidate.get("vat_number"), vat_number):
                return candidate
        exact = [c for c in candidates if c.get("name", "").casefold() == name.casefold()]
        return exact[0] if len(exact) == 1 else None

    def create_supplier(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/suppliers", f"create the supplier {body.get('name')!r}",
                         json_body=body)

    # ------------------------------------------------------------------ files & invoices
    def upload_file(self, filename: str, content: bytes, content_type: str | None = None
                    ) -> dict[str, Any]:
        """POST /file_attachments (multipart). Returns `{id, url, filename, ...}`."""
        ctype = content_type or media_type(filename, content)
        return self.call("POST", "/file_attachments", f"upload {filename!r}",
                         files={"file": (filename, content, ctype)}, data={"filename": filename})

    def import_customer_invoice(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/customer_invoices/import",
                         f"import the customer invoice {body.get('invoice_number') or body.get('external_reference')!r}",
                         json_body=body)

    def import_supplier_invoice(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/supplier_invoices/import",
                         f"import the supplier invoice {body.get('invoice_number') or body.get('external_reference')!r}",
                         json_body=body)

    def find_invoice(self, kind: str, external_reference: str) -> dict[str, Any] | None:
        """The (first-created) invoice of this kind with this external_reference, or None."""
        return self._first(f"/{invoice_resource(kind)}", [("external_reference", "eq", external_reference)])

    def find_invoices_by_number(self, kind: str, invoice_number: str) -> list[dict[str, Any]]:
        """Invoices of this kind carrying this number (duplicate detection)."""
        return list(self.iter_list(f"/{invoice_resource(kind)}",
                                   [("invoice_number", "eq", invoice_number)], sort="id"))

    def get_invoice(self, kind: str, invoice_id: int) -> dict[str, Any]:
        resource = invoice_resource(kind)
        return self.call("GET", f"/{resource}/{int(invoice_id)}",
                         f"read {resource.replace('_', ' ')[:-1]} {invoice_id}")

    def link_credit_note(self, invoice_id: int, credit_note_id: int) -> dict[str, Any]:
        """Attach an imported credit note to the customer invoice it credits."""
        return self.call("POST", f"/customer_invoices/{int(invoice_id)}/link_credit_note",
                         f"link credit note {credit_note_id} to invoice {invoice_id}",
                         json_body={"credit_note_id": int(credit_note_id)})

    def set_invoice_categories(self, kind: str, invoice_id: int,
                               categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """PUT the analytical categories of an invoice (`requests_builder.categories_body`)."""
        resource = invoice_resource(kind)
        return self.call("PUT", f"/{resource}/{int(invoice_id)}/categories",
                         f"set the categories of {resource.replace('_', ' ')[:-1]} {invoice_id}",
                         json_body=categories)

    # ------------------------------------------------------------------ reference data
    def ledger_accounts(self, number_prefix: str | None = None) -> dict[str, int]:
        """Ledger account number -> id (all accounts, or those starting with a prefix)."""
        rules = [("number", "start_with", number_prefix)] if number_prefix else None
        return {a["number"]: a["id"] for a in self.iter_list("/ledger_accounts", rules, limit=1000)}

    def categories(self) -> list[dict[str, Any]]:
        """Every analytical category: `{id, label, category_group: {id}, analytical_code, ...}`."""
        return list(self.iter_list("/categories"))
