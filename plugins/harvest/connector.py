"""Harvest (getharvest.com) → customer invoices and credit notes, through Harvest API v2.

Settings (as in Pennylane Connect's Harvest integration): `token` (personal access token),
`account_id`, `domain` (the account's web address, for the PDFs), `api_url`, `start_date`,
`contact` (the e-mail Harvest asks to find in the User-Agent), and `pdfs` (on by default:
fetch each invoice's PDF; off, documents come without one and are flagged `missing_attachment`,
which is what `bench/ingest.py` uses to measure the ingest path alone).

Requests. Every API call carries `Authorization: Bearer`, `Harvest-Account-Id` and
`User-Agent: Ecluse (<contact>)` (the contact setting, else the token's user's e-mail, read
once from `/users/me` and kept in the state), goes through the shared HTTP layer paced at 100 requests
per 15 s (Harvest's limit) which also honours `Retry-After` on a 429. Lists ask for
`per_page=2000` and always follow `links.next` (invoices are page-based, clients
cursor-based). A run costs:

- the token's user, `/users/me`, on the first run without a contact setting (for the User-Agent);
- clients: one request per 2,000 clients changed since the last run (all clients the first
  time); they are cached in the state, so an invoice of an old client costs nothing. A
  client still unknown (created during the run) is fetched alone, `GET /clients/{id}`;
- invoices: one request per 2,000 invoices issued since `start_date` and updated since the
  last run (`updated_since`), drafts included (the API filters one state at a time, so
  drafts are dropped here rather than tripling the requests);
- one PDF per yielded invoice, on the account's web address (no authentication, not counted
  in the API limit), four at a time; none when the `pdfs` setting is off.

A second run with nothing changed is therefore two requests: one clients page, one invoices
page. A client whose name, address or currency changed (say its address was completed in
Harvest after the reviewer was told it was missing) has its invoices read again, one request
per client (`client_id`; their PDFs again when `pdfs` is on), so documents not yet sent go
back to review with the new counterparty and sent ones are flagged; past
`REREAD_CLIENTS_MAX` such clients, one full listing since `start_date` instead. Deletions:
`updated_since` never shows them, so a full read, and once a day (`PRESENCE_CHECK`) an
incremental run, lists every invoice since `start_date` (ids and states only) and yields
`Gone` for the cached ones missing or put back to draft (none on an empty answer).

State (JSON, written with each `Checkpoint`, i.e. after each page of documents)::

    {"version": 1,
     "from": "2024-05-01",                    # issue-date floor the cursor was computed for
     "invoices_since": "2024-06-30T11:55:00Z", # updated_since of the next run (None: full read)
     "clients_since": "2024-06-30T11:55:00Z",
     "clients": {"5735776": {"name": ..., "address": ..., "currency": ..., "updated_at": ...}},
     "overlap_seen": {"13150403": "2024-06-30T11:58:00Z"},   # ids already read in the window
     "reread_clients": ["5735776"],           # changed clients whose invoices are still to read
     "listed_at": "2024-06-30T12:00:00Z",     # last complete listing (deletions)
     "run": {"since": ..., "page": 3, "max_updated_at": ...},  # an interrupted run's resume point
     "pending_pdfs": {"13150403": "<client_key>"}}           # PDFs that failed transiently

Invoices come sorted by issue date, not by update time, so the cursor only moves at the end
of a run that read every page: `invoices_since = min(max updated_at seen, run start) − 5 min`
(the overlap absorbs clock skew and same-second updates; the run start bounds it when records
changed while the run was reading). The invoices read inside that window are remembered with
their `updated_at` so the next run does not yield them again unless they changed. Until then each checkpoint records the page to resume
from with the run's original `updated_since`. Changing `start_date` starts over (full read).
`ecluse sync --since DATE` re-reads invoices issued from DATE without touching the cursor.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from collections import deque
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Iterator
from urllib.parse import urlsplit

from ecluse.connectors import (
    AttachmentReady,
    AuthError,
    Checkpoint,
    CheckResult,
    Connector,
    ConnectorError,
    FetchContext,
    FetchItem,
    Gone,
    Problem,
    Said,
    Setting,
)
from ecluse.domain import (
    CUSTOMER_CREDIT_NOTE,
    CUSTOMER_INVOICE,
    ERROR,
    WARNING,
    Attachment,
    Document,
    Finding,
)

from ecluse import i18n
from ecluse.http import HttpError, RateLimit, RateLimitExceeded, TransportError, decode_json

from .normalize import failure_detail, normalize_invoice, parse_datetime

DEFAULT_API_URL = "https://api.harvestapp.com/v2"
EXAMPLE_CONTACT = "contact@example.org"  # an address that reaches nobody, warned about when given
APP_NAME = "Ecluse"
PER_PAGE = 2000
PDF_WORKERS = 4  # concurrent PDF downloads: Harvest renders each PDF, which takes a while
PDF_AHEAD = 16  # PDFs downloaded ahead of the documents yielded (bounds memory)
REREAD_CLIENTS_MAX = 50  # beyond, one full invoice listing costs fewer requests
PRESENCE_CHECK = dt.timedelta(hours=24)  # how often incremental runs list every invoice
OVERLAP = dt.timedelta(minutes=5)
DEFAULT_HISTORY = dt.timedelta(days=30)
FINAL_STATES = ("open", "paid", "closed")
STATE_VERSION = 1
TOKEN_PAGE = "https://id.getharvest.com/developers"


HARVEST_RATE_LIMIT = RateLimit(100, 15)  # Harvest: 100 requests per 15 s (reports aside)


# --------------------------------------------------------------------------- settings helpers

def web_base_url(domain: str) -> str:
    """`acme`, `acme.harvestapp.com` or `https://acme.harvestapp.com/...` →
    `https://acme.harvestapp.com` (a full URL keeps its scheme and port: the emulator)."""
    text = (domain or "").strip()
    if not text:
        raise _setting_error("domain", Said("harvest.domain_empty", {}))
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _setting_error("domain", Said("harvest.domain_not_web", {"value": repr(domain)}))
        return f"{parts.scheme}://{parts.netloc}".lower()
    host = text.split("/", 1)[0].lower()
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*", host):
        raise _setting_error("domain", Said("harvest.domain_not_harvest", {"value": repr(domain)}))
    if "." not in host:
        host = f"{host}.harvestapp.com"
    return f"https://{host}"


def account_number(value: Any) -> Any:
    """What a user pasted as the account ID, as the number itself: `1234567`, or a Harvest
    address holding one number (`https://id.getharvest.com/accounts/1234567`). Anything else
    comes back as it was, for `_account_id_problem` to refuse."""
    text = str(value).strip()
    numbers = re.findall(r"\d+", text)
    if len(numbers) == 1 and ("/" in text or text.isdigit()):
        return numbers[0]
    return value


class _AccountIdSetting(Setting):
    """The account ID setting: a pasted address is read as the number it holds."""

    def parse(self, raw: Any) -> Any:
        value = super().parse(raw)
        return None if value is None else account_number(value)


def _account_id_problem(value: Any) -> Said | None:
    if str(value).strip().isdigit():
        return None
    return Said("harvest.not_account_id", {"value": repr(value), "token_page": TOKEN_PAGE})


def _setting_error(name: str, said: Said) -> ConnectorError:
    """A setting the connector cannot use: `name: <English>`, with the Said for the console."""
    return _reason(ConnectorError(f"{name}: {i18n.said_text(said, 'en')}"), None, said)


def _domain_problem(value: Any) -> Said | None:
    try:
        web_base_url(str(value))
    except ConnectorError as exc:
        return exc.said  # type: ignore[attr-defined]  # web_base_url's errors all carry one
    return None


def api_base_url(api_url: str | None) -> str:
    text = (api_url or DEFAULT_API_URL).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _setting_error("api_url", Said("harvest.bad_api_url", {"value": repr(api_url),
                                                                    "default_api_url": DEFAULT_API_URL}))
    if parts.path in ("", "/"):
        text = f"{text}/v2"
    return text


def default_start(ctx: FetchContext) -> dt.date:
    """30 days before the connection was created (today when the core did not say)."""
    return window_start(ctx.created_at or ctx.now())


def window_start(created_at: dt.datetime) -> dt.date:
    """The start date of a connection created at `created_at` that sets none."""
    return (created_at - DEFAULT_HISTORY).date()


def start_date(ctx: FetchContext) -> dt.date:
    value = ctx.settings.get("start_date")
    if not value:
        return default_start(ctx)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConnectorError(f"start_date: {value!r} is not a date (YYYY-MM-DD)") from None


def history_said(value: Any, created_at: dt.datetime) -> Said | None:
    """The start_date setting's warning when saved (Setting.warn): a date still to come (no
    invoice is read until then), or a history import."""
    start = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if start > dt.datetime.now(dt.timezone.utc).date():
        return Said("harvest.future_start", {"start": start})
    default = window_start(created_at)
    return Said("harvest.history_import", {"start": start, "default": default}) if start < default else None


def user_agent(contact: str | None) -> str:
    """`Ecluse (contact)`, as Harvest asks: the app's name and whom to reach about its requests."""
    return f"{APP_NAME} ({contact})" if contact else APP_NAME


def contact_said(value: Any, created_at: dt.datetime) -> Said | None:
    """The contact setting's warning when saved: the example address reaches nobody, and
    Harvest asks for one that reaches whoever runs the integration (left empty, nothing is
    said: the setting is optional)."""
    return Said("harvest.default_contact", {"contact": EXAMPLE_CONTACT}) if value == EXAMPLE_CONTACT else None


def history_warning(ctx: FetchContext) -> str | None:
    """The visible warning for a start date earlier than the default window, in English (the
    sync's log); the text is the template of its Said."""
    said = history_said(start_date(ctx), ctx.created_at or ctx.now())
    return i18n.said_text(said, "en") if said else None


def _reason(exc: ConnectorError, reason: str | None, said: Said) -> ConnectorError:
    """Tag an error with what check() reports: its reason (bad_token, wrong_account,
    unreachable) and the error as a Said for the console's language."""
    if reason:
        exc.reason = reason  # type: ignore[attr-defined]
    exc.said = said  # type: ignore[attr-defined]
    return exc


def _failed_check(exc: ConnectorError, reason: str) -> CheckResult:
    """check()'s answer to an error: its English text, its reason, and its Said if it has one."""
    said = getattr(exc, "said", None)
    return CheckResult(False, str(exc), {"reason": reason}, [said] if said else [])


def _problem(source_id: str | None, invoice: Any, said: Said) -> Problem:
    """An invoice kept as a problem: the English message is its Said's template."""
    return Problem(i18n.said_text(said, "en"), source_id, invoice, said)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- API access

class _Harvest:
    """The API and PDF clients of one check() or fetch() call, with Harvest's error meanings."""

    def __init__(self, ctx: FetchContext, *, max_retries: int = 5) -> None:
        settings = ctx.settings
        token = str(settings.get("token") or "").strip()
        if not token:
            raise AuthError(f"token: missing; create a personal access token at {TOKEN_PAGE}")
        account = str(settings.get("account_id") or "").strip()
        problem = _account_id_problem(account)
        if problem:
            raise _reason(AuthError(f"account_id: {i18n.said_text(problem, 'en')}"), None, problem)
        self.ctx = ctx
        self.account_id = account
        self.api_url = api_base_url(settings.get("api_url"))
        # Harvest asks for a contact in the User-Agent: the contact setting, else (introduce) the
        # e-mail of the token's user, whom Harvest can reach about the account's requests.
        self.contact: str | None = str(settings.get("contact") or "").strip() or None
        self.contact_set = self.contact is not None  # by the setting (else found, and kept in the state)
        self.user_agent = user_agent(self.contact)
        self.domain = settings.get("domain") or None
        self.api = ctx.http(
            self.api_url,
            service="Harvest",
            headers={"Authorization": f"Bearer {token}", "Harvest-Account-Id": account},
            secrets=[token],
            rate_limit=HARVEST_RATE_LIMIT,
            user_agent=self.user_agent,
            max_retries=max_retries,
        )
        # The next invoice page is fetched on another thread while the core stores this one;
        # API calls never overlap (one requests.Session, one budget).
        self._api_lock = threading.Lock()
        self._local = threading.local()  # one PDF client per worker thread
        self._pdf_clients: list[Any] = []
        self._lock = threading.Lock()
        self._web_url: str | None = web_base_url(self.domain) if self.domain else None

    def close(self) -> None:
        for client in [self.api, *self._pdf_clients]:
            if hasattr(client, "close"):
                client.close()

    # -- errors ---------------------------------------------------------------------------
    def error(self, exc: Exception, what: str) -> ConnectorError:
        if isinstance(exc, TransportError):
            # The HTTP layer's detail is English; the console says its cause in French.
            detail = {"en": str(exc), "fr": i18n.t(f"http.cause.{exc.cause}", "fr", attempts=exc.attempts)}
            return _reason(ConnectorError(f"Harvest is unreachable at {self.api_url} while reading {what}: {exc}"),
                           "unreachable", Said("harvest.unreachable", {"api_url": self.api_url, "error": detail}))
        status = getattr(exc, "status", None)
        fix_account = (
            f"check account_id {self.account_id} (shown next to the token at {TOKEN_PAGE}) and that the "
            "token's user may see invoices (administrator, or manager with invoice access)"
        )
        if status == 401:
            return _reason(AuthError(
                f"Harvest refused the personal access token (HTTP 401 on {what}): it is wrong, expired "
                f"or revoked. Create a new one at {TOKEN_PAGE} and update the token setting."
            ), "bad_token", Said("harvest.bad_token", {"token_page": TOKEN_PAGE}))
        if status == 403:
            return _reason(AuthError(
                f"Harvest refused access to account {self.account_id} (HTTP 403 on {what}): {fix_account}."
            ), "wrong_account", Said("harvest.wrong_account", {"account_id": self.account_id, "status": 403,
                                                               "token_page": TOKEN_PAGE}))
        if status == 404:
            # Harvest's answer to an account the token cannot use; also what a wrong api_url gets.
            other_url = (f"; or api_url {self.api_url} is not Harvest's API v2 ({DEFAULT_API_URL})"
                         if self.api_url != DEFAULT_API_URL else "")
            return _reason(AuthError(
                f"Harvest knows no account {self.account_id} for this token (HTTP 404 on {what}): "
                f"{fix_account}{other_url}."
            ), "wrong_account", Said("harvest.wrong_account_or_url" if other_url else "harvest.wrong_account",
                                     {"account_id": self.account_id, "status": 404, "token_page": TOKEN_PAGE,
                                      "api_url": self.api_url, "default_api_url": DEFAULT_API_URL}))
        if isinstance(exc, RateLimitExceeded):
            return _reason(ConnectorError(f"Harvest keeps limiting the request rate (HTTP 429 on {what}): {exc}"),
                           None, Said("harvest.rate_limited", {"error": str(exc)}))
        return _reason(ConnectorError(f"Harvest could not answer {what}: {exc}"), None,
                       Said("harvest.no_answer", {"error": str(exc)}))

    def introduce(self, known: str | None = None, me: Mapping[str, Any] | None = None) -> str | None:
        """The contact the User-Agent names from now on: the contact setting, else `known` (the
        e-mail a previous run found), else the token's user's e-mail from `me` or `/users/me` (its
        request names the app only). None when Harvest gives no e-mail."""
        if self.contact is None:
            if not known:
                if me is None:
                    me = self.get("/users/me", what="the token's user (/users/me)")
                email = me.get("email")
                known = email.strip() if isinstance(email, str) and "@" in email else None
            if known:
                self.contact = known
                self.user_agent = user_agent(known)
                self.api.headers["User-Agent"] = self.user_agent
        return self.contact

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None, *, what: str) -> Any:
        try:
            with self._api_lock:
                data = self.api.get_json(path_or_url, params)
        except HttpError as exc:
            raise self.error(exc, what) from None
        if not isinstance(data, Mapping):
            raise ConnectorError(f"Harvest answered {what} with something other than a JSON object")
        return data

    def client_by_id(self, client_id: Any) -> dict[str, Any] | None:
        """`GET /clients/{id}`; None when Harvest does not know it (deleted)."""
        try:
            with self._api_lock:
                response = self.api.request("GET", f"/clients/{int(client_id)}", ok=(200, 404))
            data = decode_json(response, "Harvest") if response.status_code == 200 else None
        except HttpError as exc:
            raise self.error(exc, f"client {client_id}") from None
        except (TypeError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    # -- PDFs -----------------------------------------------------------------------------
    def web_url(self) -> str:
        """The account's web address: the `domain` setting, else the company's `base_uri`."""
        if self._web_url is None:
            company = self.get("/company", what="the company (/company)")
            base = company.get("base_uri") or company.get("full_domain")
            if not base:
                raise ConnectorError("Harvest did not say the account's web address; set the domain setting")
            self._web_url = web_base_url(str(base))
        return self._web_url

    def pdf(self, client_key: Any) -> tuple[bytes | None, Finding | None, bool]:
        """`/client/invoices/{client_key}.pdf` as (content, finding, transient).

        A PDF: (bytes, None, False). Something else: (what came, `attachment_not_pdf`, False).
        Refused (4xx) or no key: (None, `attachment_unavailable`, False). Network trouble, 5xx
        or 429 after the retries: (None, None, True), to try again next run."""
        key = str(client_key or "")
        if not re.fullmatch(r"[0-9A-Za-z]{8,128}", key):
            return None, Finding("attachment_unavailable", ERROR,
                                 "Harvest gives no usable client_key for this invoice, so its PDF cannot be fetched; "
                                 "attach it by hand.", "attachment", params={"variant": "no_key"}), False
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self.ctx.http(
                self.web_url(), service="Harvest invoice PDFs", user_agent=self.user_agent, max_retries=3
            )
            with self._lock:
                self._pdf_clients.append(client)
        url = f"{self.web_url()}/client/invoices/{key}.pdf"
        try:
            response = client.request("GET", url)
        except (TransportError, RateLimitExceeded) as exc:
            self.ctx.log.warning("Harvest PDF %s not fetched, will retry next run: %s", key[:6], exc)
            return None, None, True
        except HttpError as exc:
            if exc.status is not None and exc.status >= 500:
                return None, None, True
            return None, Finding("attachment_unavailable", ERROR,
                                 f"Harvest did not deliver the invoice PDF (HTTP {exc.status}); attach it by hand.",
                                 "attachment", params={"variant": "http", "status": exc.status}), False
        content = response.content
        if not content.startswith(b"%PDF-"):
            kind = response.headers.get("Content-Type", "unknown type")
            return content, Finding("attachment_not_pdf", ERROR,
                                 f"Harvest answered the PDF address with something that is not a PDF ({kind}); "
                                 "download the invoice from Harvest and attach it by hand.", "attachment",
                                 params={"variant": "harvest", "media_type": kind}), False
        return content, None, False


# --------------------------------------------------------------------------- connector

def _fr(label: str, help: str) -> dict[str, dict[str, str]]:
    return {"fr": {"label": label, "help": help}}


class HarvestConnector(Connector):
    id = "harvest"
    title = "Harvest"
    description = (
        "Customer invoices and credit notes (negative invoices) from Harvest, with their PDF and "
        "clients; drafts are never imported."
    )
    translations = {"fr": {"description": (
        "Les factures clients et les avoirs (factures négatives) de Harvest, avec leur PDF et leurs "
        "clients ; les brouillons ne sont jamais importés.")}}
    kinds = (CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE)
    settings = (
        Setting("token", "Personal access token", secret=True, required=True,
                help=f"Create one at {TOKEN_PAGE}; the account id is shown next to it.",
                translations=_fr("Jeton d'accès personnel", f"À créer sur {TOKEN_PAGE} ; l'identifiant du "
                                 "compte est affiché à côté.")),
        _AccountIdSetting("account_id", "Account ID", required=True, check=_account_id_problem,
                          help="The number shown next to the token on id.getharvest.com/developers; an "
                               "address holding it (https://id.getharvest.com/accounts/1234567) is read as that "
                               "number.",
                          translations=_fr("Identifiant du compte", "Le numéro affiché à côté du jeton sur "
                                           "id.getharvest.com/developers ; une adresse qui le contient "
                                           "(https://id.getharvest.com/accounts/1234567) est lue comme ce numéro.")),
        Setting("domain", "Harvest web address", check=_domain_problem,
                help="acme, acme.harvestapp.com or https://acme.harvestapp.com: where the invoice PDFs are. "
                     "Empty: the address Harvest reports for the account.",
                translations=_fr("Adresse web Harvest", "acme, acme.harvestapp.com ou https://acme.harvestapp.com : "
                                 "là où sont les PDF des factures. Vide : l'adresse que Harvest donne pour le compte.")),
        Setting("start_date", "Start date", type="date",
                help="Invoices issued from this date. Default: 30 days before the connection was created; "
                     "an earlier date imports history. A date still to come reads nothing until then.",
                translations=_fr("Date de début", "Les factures émises à partir de cette date. Par défaut : 30 "
                                 "jours avant la création de la connexion ; une date antérieure importe "
                                 "l'historique. Une date à venir ne lit rien d'ici là."), warn=history_said),
        Setting("pdfs", "Fetch invoice PDFs", type="boolean", default=True,
                help="Each invoice comes with its PDF, read on the account's web address. Off: invoices come "
                     "without it and are marked \"PDF missing\" in the review (Pennylane's import needs one). "
                     "Turned back on, the PDFs of invoices already read come with a sync from a date (on the "
                     "command line: ecluse sync --since followed by the date).",
                translations=_fr("Récupérer les PDF des factures", "Chaque facture arrive avec son PDF, lu sur "
                                 "l'adresse web du compte. Désactivé : les factures arrivent sans PDF et sont "
                                 "signalées « PDF manquant » dans la revue (l'import Pennylane en exige un). "
                                 "Réactivé, les PDF des factures déjà lues arrivent avec une synchronisation "
                                 "depuis une date (en ligne de commande : ecluse sync --since suivi de la date).")),
        Setting("api_url", "API URL", type="url", default=DEFAULT_API_URL, advanced=True,
                help="Harvest's API v2. Change it only for a test server or a proxy.",
                translations=_fr("URL de l'API", "L'API v2 de Harvest. À ne changer que pour un serveur de test "
                                 "ou un proxy.")),
        Setting("contact", "Contact e-mail", advanced=True, warn=contact_said,
                help="Optional: your address, sent with each request to Harvest (in the User-Agent header, as "
                     "Harvest asks) so that Harvest can reach whoever runs Écluse about its requests. Left "
                     "empty: the e-mail of the token's user.",
                translations=_fr("E-mail de contact", "Facultatif : votre adresse, envoyée avec chaque requête à "
                                 "Harvest (dans l'en-tête User-Agent, comme Harvest le demande) pour qu'il puisse "
                                 "joindre qui fait tourner Écluse au sujet de ses requêtes. Laissé vide : l'e-mail "
                                 "de l'utilisateur du jeton.")),
    )

    @classmethod
    def setting_default(cls, name: str, settings: Mapping[str, Any], created_at: dt.datetime,
                        now: dt.datetime) -> Any:
        if name == "start_date":
            return window_start(created_at)
        return super().setting_default(name, settings, created_at, now)

    # ------------------------------------------------------------------ check
    def check(self, ctx: FetchContext) -> CheckResult:
        try:
            harvest = _Harvest(ctx, max_retries=1)  # someone is waiting for the answer
        except ConnectorError as exc:
            return _failed_check(exc, "settings")
        try:
            me = harvest.get("/users/me", what="the token's user (/users/me)")
            harvest.introduce(me=me)
            company = harvest.get("/company", what="the company (/company)")
        except ConnectorError as exc:
            return _failed_check(exc, getattr(exc, "reason", "error"))
        finally:
            harvest.close()
        says: list[Said] = []  # the warnings, for the console; their English texts go in `message`
        try:
            history = history_said(start_date(ctx), ctx.created_at or ctx.now())
        except ConnectorError as exc:
            return CheckResult(False, str(exc), {"reason": "settings"})
        if history:
            says.append(history)
        if company.get("invoice_feature") is False:
            says.append(Said("harvest.invoices_off"))  # the invoices module is off: nothing to import
        roles = me.get("access_roles")
        if isinstance(roles, list) and roles and not {"administrator", "manager"} & set(roles):
            says.append(Said("harvest.not_manager"))  # Harvest may hide invoices from the token's user
        base = company.get("base_uri")
        if harvest.domain and base:
            try:
                if web_base_url(str(harvest.domain)) != web_base_url(str(base)):
                    says.append(Said("harvest.domain_mismatch", {"domain": web_base_url(str(harvest.domain)),
                                                                 "base": web_base_url(str(base))}))
            except ConnectorError as exc:
                says.append(Said("harvest.note", {"text": str(exc)}))
        warnings = [i18n.said_text(said, "en") for said in says]
        user = " ".join(str(me.get(k) or "") for k in ("first_name", "last_name")).strip() or "?"
        details: dict[str, Any] = {
            "user": user,
            "email": me.get("email"),
            "company": company.get("name"),
            "base_uri": base,
            "start_date": start_date(ctx).isoformat(),
        }
        if warnings:
            details["warning"] = " ".join(warnings)
            details["warnings"] = warnings
        message = f"Connected to Harvest account {company.get('name')!r} as {user}."
        if warnings:
            message += " Warning: " + warnings[0]
        return CheckResult(True, message, details, [Said("harvest.connected", {"company": company.get("name"), "user": user}),
                                                    *says])

    # ------------------------------------------------------------------ fetch
    def fetch(self, ctx: FetchContext) -> Iterator[FetchItem]:
        harvest = _Harvest(ctx)
        run = _Run(ctx, harvest)
        try:
            yield from run.items()
        finally:
            run.close()
            harvest.close()


def _invoices_of(page: Mapping[str, Any]) -> list[Any]:
    invoices = page.get("invoices")
    if not isinstance(invoices, list):
        raise ConnectorError("Harvest answered /invoices without an invoices list")
    return invoices


def _final_ids(invoices: list[Any]) -> set[str]:
    """Ids of the finalized invoices (drafts left out) of a listing page."""
    return {str(i.get("id")) for i in invoices if isinstance(i, Mapping) and i.get("state") in FINAL_STATES}


class _Run:
    """One fetch(): clients, then invoice pages, each page closed by a Checkpoint."""

    def __init__(self, ctx: FetchContext, harvest: _Harvest) -> None:
        self.ctx = ctx
        self.harvest = harvest
        self.started = ctx.now()
        self.start = start_date(ctx)
        self.default_start = default_start(ctx)
        state = dict(ctx.state or {})
        if state.get("version") != STATE_VERSION:
            state = {"version": STATE_VERSION}
        self.state = state
        self.clients: dict[str, dict[str, Any]] = dict(state.get("clients") or {})
        self.pending: dict[str, str] = dict(state.get("pending_pdfs") or {})
        self.pdfs = ctx.settings.get("pdfs", True) is not False
        self._pool: ThreadPoolExecutor | None = None
        self._pages: ThreadPoolExecutor | None = None  # reads the next invoice page ahead
        self.stats = {"invoices": 0, "drafts": 0, "unchanged": 0, "problems": 0, "clients": 0, "client_lookups": 0}

    def snapshot(self) -> dict[str, Any]:
        state = dict(self.state)
        state["clients"] = dict(self.clients)
        state["pending_pdfs"] = dict(self.pending)
        return state

    def items(self) -> Iterator[FetchItem]:
        # Without a contact setting, the token's user's e-mail: asked once, then kept in the state.
        found = self.harvest.introduce(self.state.get("contact"))
        if found and not self.harvest.contact_set:
            self.state["contact"] = found
        override = self.ctx.since
        date_from = override or self.start
        full = override is None and self.state.get("from") != self.start.isoformat()
        if full:
            for key in ("invoices_since", "run"):
                self.state.pop(key, None)
            self.state["from"] = self.start.isoformat()
            warning = history_warning(self.ctx)
            if warning:
                self.ctx.log.warning(warning)
        yield from self.retry_pending_pdfs()
        self.read_clients()
        yield from self.read_invoices(date_from, incremental=override is None)
        yield from self.reread_changed_clients(date_from)
        yield from self.presence_check(date_from)
        self.ctx.log.info(
            "Harvest: %(invoices)d invoices, %(drafts)d drafts skipped, %(unchanged)d unchanged in the "
            "overlap window, %(problems)d problems, "
            "%(clients)d clients read, %(client_lookups)d looked up one by one", self.stats,
        )

    # -- clients --------------------------------------------------------------------------
    def read_clients(self) -> None:
        since = self.state.get("clients_since") if self.clients else None
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if since:
            params["updated_since"] = since
        newest: dt.datetime | None = None
        url: str | None = "/clients"
        seen: set[str] = set()
        reread = set(self.state.get("reread_clients") or [])
        while url:
            page = self.harvest.get(url, params, what="clients (/clients)")
            for client in page.get("clients") or []:
                if not isinstance(client, Mapping) or client.get("id") is None:
                    continue
                key = str(client["id"])
                before = self.clients.get(key)
                self.remember_client(client)
                if before is not None and any(before.get(k) != self.clients[key].get(k)
                                              for k in ("name", "address", "currency")):
                    reread.add(key)
                self.stats["clients"] += 1
                updated = parse_datetime(client.get("updated_at"))
                if updated and (newest is None or updated > newest):
                    newest = updated
            url, params = self.next_link(page, seen)
        if newest is not None:
            self.state["clients_since"] = _iso(min(newest, self.started) - OVERLAP)
        if reread:  # kept in the state until read, so an interrupted run does not forget them
            self.state["reread_clients"] = sorted(reread)

    def remember_client(self, client: Mapping[str, Any]) -> None:
        self.clients[str(client["id"])] = {
            "name": client.get("name"),
            "address": client.get("address"),
            "currency": client.get("currency"),
            "updated_at": client.get("updated_at"),
        }

    def client_for(self, invoice: Mapping[str, Any]) -> dict[str, Any] | None:
        embedded = invoice.get("client")
        client_id = embedded.get("id") if isinstance(embedded, Mapping) else None
        if client_id is None:
            return None
        key = str(client_id)
        if key not in self.clients:
            self.stats["client_lookups"] += 1
            found = self.harvest.client_by_id(client_id)
            if found is None:
                return None
            self.remember_client(found)
        return {"id": client_id, **self.clients[key]}

    @staticmethod
    def next_link(page: Mapping[str, Any], seen: set[str]) -> tuple[str | None, dict[str, Any] | None]:
        """`links.next` as is (it carries every parameter), or None at the end."""
        links = page.get("links") if isinstance(page.get("links"), Mapping) else {}
        nxt = links.get("next")
        if not nxt or nxt in seen:
            return None, None
        seen.add(nxt)
        return str(nxt), None

    # -- invoices -------------------------------------------------------------------------
    def read_invoices(self, date_from: dt.date, *, incremental: bool) -> Iterator[FetchItem]:
        run = self.state.get("run") if incremental else None
        if run and isinstance(run, Mapping):
            since, page_number, newest_text = run.get("since"), int(run.get("page") or 1), run.get("max_updated_at")
        else:
            since = self.state.get("invoices_since") if incremental else None
            page_number, newest_text = 1, None
        newest = parse_datetime(newest_text)
        # Read from the first page without updated_since: every invoice since date_from is
        # listed, so the ones the cache holds and Harvest no longer has can be told.
        complete = not since and page_number == 1
        listed: set[str] = set()
        # Records already yielded by the previous run inside the overlap window: skipped when
        # their updated_at has not moved, so an idle run re-yields nothing.
        known = dict(self.state.get("overlap_seen") or {}) if incremental and since else {}
        window: dict[str, str] = {}
        params: dict[str, Any] | None = {"per_page": PER_PAGE, "from": date_from.isoformat()}
        if since:
            params["updated_since"] = since
        if page_number > 1:
            params["page"] = page_number
        url: str | None = "/invoices"
        seen: set[str] = set()
        ahead: Future[Any] | None = self.read_ahead(url, params)
        while ahead is not None:
            page = ahead.result()
            invoices = _invoices_of(page)
            if complete:
                listed |= _final_ids(invoices)
            current = page.get("page") if isinstance(page.get("page"), int) else page_number
            page_number = current + 1
            url, params = self.next_link(page, seen)
            # The next page downloads while this one is normalized and stored by the core.
            ahead = self.read_ahead(url, params) if url else None
            fresh = []
            for invoice in invoices:
                updated = parse_datetime(invoice.get("updated_at")) if isinstance(invoice, Mapping) else None
                if updated is not None:
                    newest = updated if newest is None or updated > newest else newest
                    key, stamp = str(invoice.get("id")), str(invoice.get("updated_at"))
                    window[key] = stamp
                    if known.get(key) == stamp:
                        self.stats["unchanged"] += 1
                        continue
                fresh.append(invoice)
            yield from self.page_items(fresh)
            if newest is not None:
                floor = min(newest, self.started) - OVERLAP
                window = {k: v for k, v in window.items() if (parse_datetime(v) or floor) >= floor}
            if incremental:
                if url:
                    self.state["run"] = {"since": since, "page": page_number,
                                         "max_updated_at": _iso(newest) if newest else None}
                else:
                    self.state.pop("run", None)
                    if newest is not None:
                        self.state["invoices_since"] = _iso(min(newest, self.started) - OVERLAP)
                        self.state["overlap_seen"] = window
            if complete and not url:  # the last page: stored with what the listing showed gone
                yield from self.report_gone(date_from, listed)
            yield Checkpoint(self.snapshot())

    def presence_check(self, date_from: dt.date) -> Iterator[FetchItem]:
        """Once a `PRESENCE_CHECK` period, an incremental run lists every invoice since
        `date_from` (ids and states only, nothing normalized): `updated_since` never shows a
        deletion. Costs one request per 2,000 invoices."""
        listed_at = parse_datetime(self.state.get("listed_at"))
        if listed_at is None:  # a run resumed after an interrupted first read: its clock starts now
            self.state["listed_at"] = _iso(self.started)
            yield Checkpoint(self.snapshot())
            return
        if self.started - listed_at < PRESENCE_CHECK:
            return
        listed: set[str] = set()
        for invoices in self.invoice_pages({"from": date_from.isoformat()}, "invoices (/invoices)"):
            listed |= _final_ids(invoices)
        yield from self.report_gone(date_from, listed)
        yield Checkpoint(self.snapshot())

    def invoice_pages(self, query: dict[str, Any], what: str) -> Iterator[list[Any]]:
        """Every page of `GET /invoices?query` (following `links.next`), as invoice lists."""
        url: str | None = "/invoices"
        params: dict[str, Any] | None = {"per_page": PER_PAGE, **query}
        seen: set[str] = set()
        while url:
            page = self.harvest.get(url, params, what=what)
            yield _invoices_of(page)
            url, params = self.next_link(page, seen)

    def report_gone(self, date_from: dt.date, listed: set[str]) -> Iterator[FetchItem]:
        """`Gone` for the cached invoices a complete listing since `date_from` did not show
        (the caller's next Checkpoint stores them, and `listed_at`)."""
        cached = self.ctx.cached_source_ids(date_from)
        if cached and not listed:
            # An empty answer is more likely a permission or account problem than every
            # invoice deleted: nothing is flagged on that evidence.
            self.ctx.log.warning("Harvest listed no finalized invoice since %s while the cache holds %d; "
                                 "check the token's access to invoices", date_from, len(cached))
        else:
            for source_id in sorted(cached - listed):
                yield Gone(source_id, f"Harvest no longer lists this invoice among its finalized invoices issued "
                                      f"since {date_from} (deleted, or put back to draft). Check it in Harvest "
                                      "before sending it, or reject it.",
                           {"variant": "harvest", "since": date_from})
        self.state["listed_at"] = _iso(self.started)

    def reread_changed_clients(self, date_from: dt.date) -> Iterator[FetchItem]:
        """The invoices of clients whose data changed, read again (module docstring)."""
        clients = list(self.state.get("reread_clients") or [])
        if not clients:
            return
        groups: list[tuple[list[str], dict[str, Any]]]
        if len(clients) > REREAD_CLIENTS_MAX:
            groups = [(clients, {})]
        else:
            groups = [([client_id], {"client_id": client_id}) for client_id in clients]
        for done, extra in groups:
            query = {"from": date_from.isoformat(), **extra}
            for invoices in self.invoice_pages(query, "invoices of a changed client (/invoices)"):
                yield from self.page_items(invoices)
            read = set(done)
            left = [c for c in self.state.get("reread_clients") or [] if c not in read]
            if left:
                self.state["reread_clients"] = left
            else:
                self.state.pop("reread_clients", None)
            yield Checkpoint(self.snapshot())

    def read_ahead(self, url: str, params: dict[str, Any] | None) -> Future[Any]:
        """One invoice page, fetched on the page thread (errors are raised by `result()`)."""
        if self._pages is None:
            self._pages = ThreadPoolExecutor(1, thread_name_prefix="harvest-pages")
        return self._pages.submit(self.harvest.get, url, params, what="invoices (/invoices)")

    def invoice_item(self, invoice: Any) -> FetchItem | None:
        source_id = str(invoice.get("id")) if isinstance(invoice, Mapping) and invoice.get("id") is not None else None
        try:
            if isinstance(invoice, Mapping) and invoice.get("state") == "draft":
                self.stats["drafts"] += 1
                return None
            if isinstance(invoice, Mapping) and invoice.get("state") not in FINAL_STATES:
                self.stats["problems"] += 1
                return _problem(source_id, invoice, Said("harvest.unknown_state", {"state": repr(invoice.get("state"))}))
            client = self.client_for(invoice) if isinstance(invoice, Mapping) else None
            document = normalize_invoice(invoice, client)
        except ConnectorError:
            raise
        except Exception as exc:  # noqa: BLE001 - one bad record never stops the sync
            self.stats["problems"] += 1
            return _problem(source_id, invoice, Said("harvest.unreadable", {"error": failure_detail(exc)}))
        self.stats["invoices"] += 1
        if document.issue_date is not None and document.issue_date < self.default_start:
            document.findings.append(Finding(
                "history_import", WARNING,
                f"Issued on {document.issue_date}, before the connection's default window "
                f"({self.default_start}): check that it is not already in Pennylane.", "issue_date",
                params={"issue_date": document.issue_date, "default_start": self.default_start}))
        return document

    def page_items(self, invoices: list[Any]) -> Iterator[FetchItem]:
        """The page's items in order, each document with its PDF. PDFs are downloaded by
        `PDF_WORKERS` threads, at most `PDF_AHEAD` ahead of what was yielded (memory)."""
        queue: deque[tuple[FetchItem, Any, Future[Any] | None]] = deque()
        for invoice in invoices:
            item = self.invoice_item(invoice)
            if item is None:
                continue
            future = None
            if isinstance(item, Document) and self.pdfs:
                self.harvest.web_url()  # resolved here, once, before any worker needs it
                future = self.pool().submit(self.harvest.pdf, invoice.get("client_key"))
            queue.append((item, invoice.get("client_key"), future))
            while len(queue) > PDF_AHEAD:
                yield self.finish(*queue.popleft())
        while queue:
            yield self.finish(*queue.popleft())

    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(PDF_WORKERS, thread_name_prefix="harvest-pdf")
        return self._pool

    def close(self) -> None:
        for pool in (self._pool, self._pages):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def finish(self, item: FetchItem, client_key: Any, future: Future[Any] | None) -> FetchItem:
        if future is not None and isinstance(item, Document):
            self.attach_pdf(item, client_key, *future.result())
        return item

    def attach_pdf(self, document: Document, client_key: Any, content: bytes | None, finding: Finding | None,
                   transient: bool) -> None:
        if transient:
            document.attachment_pending = True
            self.pending[document.source_id] = str(client_key)
            return
        self.pending.pop(document.source_id, None)
        if finding is not None:  # not a PDF, or refused: no attachment, the reviewer is told
            document.findings.append(finding)
        elif content is not None:
            document.attachment = Attachment(self.pdf_name(document), content)

    @staticmethod
    def pdf_name(document: Document) -> str:
        label = re.sub(r"[^0-9A-Za-z._-]+", "-", document.number or document.source_id).strip("-")
        return f"harvest-{label or document.source_id}.pdf"

    def retry_pending_pdfs(self) -> Iterator[FetchItem]:
        """PDFs that failed transiently in an earlier run, for documents still waiting."""
        waiting = set(self.ctx.pending_attachments)
        for source_id in list(self.pending):
            if source_id not in waiting:
                del self.pending[source_id]
        if not self.pending:
            return
        delivered = 0
        for source_id, key in list(self.pending.items()):
            content, finding, transient = self.harvest.pdf(key)
            if transient:
                continue
            del self.pending[source_id]
            if content is not None:  # a non-PDF is delivered too: the core flags it for review
                delivered += 1
                yield AttachmentReady(source_id, Attachment(f"harvest-{source_id}.pdf", content))
            elif finding is not None:
                self.ctx.log.warning("Harvest invoice %s: %s", source_id, finding.message)
        if delivered or not self.pending:
            yield Checkpoint(self.snapshot())
