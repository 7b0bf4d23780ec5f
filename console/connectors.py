"""The connector contract: what a source plugin implements and what the core gives it.

A connector is a class registered through the `register_connectors(register)` hook. The core
instantiates it, renders a form (console) or validates `--set KEY=VALUE` (CLI) from its
`settings`, calls `check()` to test credentials and `fetch()` to pull documents.

`fetch()` is a generator. It yields, in any order:

- `Document`: a normalized invoice or credit note (see `ecluse.domain`);
- `Checkpoint(state)`: "everything yielded so far is safe to store, and if the run stops
  after this point, resume from `state`". The core writes the buffered documents and the
  state in one transaction, so a crash never leaves half a page or a cursor ahead of data;
- `AttachmentReady(source_id, attachment)`: a PDF that arrived after its document (Amazon
  Business produces PDFs through asynchronous reports, about one per minute);
- `Problem(message, source_id, raw, said=None)`: a record that could not be normalized at all. It is
  kept for review with its raw payload; the run goes on;
- `Gone(source_id, message, params=None)`: a record the source no longer has (deleted, or no longer final).
  Nothing is deleted: the cached document gets an error finding `gone_from_source`, goes back
  to review if it was approved, held or failed, and a sent one is flagged for the accountant.
  A record yielded again later clears the finding. `ctx.cached_source_ids(since)` tells which
  records the cache holds, to compare with a complete listing of the source.

Documents yielded after the last `Checkpoint` are stored too when the run stops on an error
(they are complete); only the cursor stays at the last `Checkpoint`. Its `state` must be plain
JSON (dicts with str keys, lists, str, int, bool, finite floats, None): it comes back from JSON
on the next run (a float as a Decimal), so a date is given as an ISO string; anything else (a
tuple, a set, a Decimal, NaN, an object) fails the run, said so.

A yielded `Document` that breaks the contract (a float amount, a `kind` outside
`ecluse.domain.KINDS`, no `source_id`, a `datetime` for a date, a line that is not a `Line`) is
not stored: it is kept as a Problem naming what to fix, and the run goes on.

`check()` returns a `CheckResult`. Errors that stop the whole run (bad credentials, source
unreachable) are raised as `ConnectorError(message, said=None)` with a message that tells the
user what to fix (and the same as a `Said`, for the console's language).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator, Mapping, Union
from urllib.parse import urlsplit

from . import i18n
from .domain import KINDS, Attachment, Counterparty, Document, Finding, Line
from .domain import shown_value as _shown
from .redact import MASK, redact, register_secret

if TYPE_CHECKING:  # pragma: no cover
    from .http import HttpClient

SETTING_TYPES = ("string", "integer", "boolean", "date", "url", "choice")


class ConnectorError(Exception):
    """A failure that stops a sync run; `str()` is shown to the user as is (no secrets).
    `said`: the same as a Said, for the console to give in its user's language."""

    def __init__(self, message: str = "", said: "Said | None" = None) -> None:
        super().__init__(message)
        if said is not None:
            self.said = said


class AuthError(ConnectorError):
    """Credentials refused by the source (expired or wrong token, wrong account)."""


class SettingsError(ValueError):
    """A connection's settings do not satisfy the connector's schema. `said`: the same as a
    Said, for a front-end to give in its user's language (None: the English text only)."""

    def __init__(self, message: str, said: Said | None = None) -> None:
        super().__init__(message)
        self.said = said


@dataclass(frozen=True)
class Setting:
    """One field of a connector's settings schema."""

    name: str
    label: str
    type: str = "string"
    required: bool = False
    secret: bool = False
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    # Other languages of the console: {"fr": {"label": ..., "help": ...}}; missing → label/help.
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False)
    # What the type cannot say (an account number is digits, say): called with the parsed
    # value when a user sets it; returns what is wrong, as a sentence for them or a Said
    # (then also said in the console's language), or None.
    check: Callable[[Any], str | Said | None] | None = field(default=None, compare=False)
    # A value that is allowed but deserves a word when it is saved (a start date that imports
    # history, say): called with the parsed value and the connection's creation time; returns
    # a Said (`settings_warnings`) or None.
    warn: Callable[[Any, dt.datetime], Said | None] | None = field(default=None, compare=False)
    # A setting whose default nearly everyone keeps (an API URL, a contact address): the console
    # shows it after the others, folded under "Advanced settings".
    advanced: bool = False

    def text(self, lang: str) -> tuple[str, str]:
        """(label, help) in `lang`, falling back to the ones given in English."""
        other = self.translations.get(lang) or {}
        return other.get("label") or self.label, other.get("help") or self.help

    def said_name(self) -> dict[str, str]:
        """The setting as a Said names it: its label in each language, its key in English (the
        word the CLI and ecluse.toml use)."""
        return {**{lang: self.text(lang)[0] for lang in i18n.LANGS}, "en": self.name}

    def parse(self, raw: Any) -> Any:
        """Convert a value typed by a user (always text from the CLI) to the setting's type.

        `env:VAR` is kept as is for secrets: it is resolved at use time, never stored resolved.
        """
        if raw is None or raw == "":
            return None
        if self.secret and isinstance(raw, str) and raw.startswith("env:"):
            return raw
        if self.type == "integer":
            try:
                return int(raw)
            except (TypeError, ValueError):
                raise SettingsError(f"{self.name}: {raw!r} is not a whole number",
                                    Said("setting.not_integer", {"name": self.said_name(), "value": repr(raw)})) from None
        if self.type == "boolean":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "oui", "on"):
                return True
            if text in ("0", "false", "no", "non", "off"):
                return False
            raise SettingsError(f"{self.name}: {raw!r} is not true/false",
                                Said("setting.not_boolean", {"name": self.said_name(), "value": repr(raw)}))
        if self.type == "date":
            if isinstance(raw, dt.date):
                return raw.isoformat()
            try:
                return dt.date.fromisoformat(str(raw)).isoformat()
            except ValueError:
                raise SettingsError(f"{self.name}: {raw!r} is not a date (YYYY-MM-DD)",
                                    Said("setting.not_date", {"name": self.said_name(), "value": repr(raw)})) from None
        if self.type == "url":
            text = str(raw).strip()
            if not text.startswith(("http://", "https://")):
                raise SettingsError(f"{self.name}: {raw!r} must start with http:// or https://",
                                    Said("setting.not_url", {"name": self.said_name(), "value": repr(raw)}))
            if not urlsplit(text).hostname:  # "https://" or "https:///path": stored, then failing every run
                raise SettingsError(f"{self.name}: {raw!r} has no host name (such as https://example.com)",
                                    Said("setting.url_no_host", {"name": self.said_name(), "value": repr(raw)}))
            return text.rstrip("/")
        if self.type == "choice":
            if str(raw) not in self.choices:
                raise SettingsError(f"{self.name}: {raw!r} is not one of {', '.join(self.choices)}",
                                    Said("setting.not_choice", {"name": self.said_name(), "value": repr(raw),
                                                                "choices": ", ".join(self.choices)}))
            return str(raw)
        return str(raw)


@dataclass
class Said:
    """A sentence as a code and the values it names, so a front-end can say it in its user's
    language (the console's templates `said.<code>`, console/i18n.py); the English text stays
    in the result's `message` (the CLI's)."""
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    ok: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    # `message` sentence by sentence as Said (for a success: the first is the outcome, the
    # others are warnings). Empty, or a code the console has no template for: `message` as is.
    says: list[Said] = field(default_factory=list)


@dataclass
class Checkpoint:
    state: dict[str, Any]


@dataclass
class AttachmentReady:
    source_id: str
    attachment: Attachment


@dataclass
class Problem:
    message: str
    source_id: str | None = None
    raw: Any = None
    # `message` as a Said, for the console's language (a `said.<code>` template). None: as is.
    said: Said | None = None


@dataclass
class Gone:
    source_id: str
    message: str
    # The values `message` names, for the console's templates: the finding's `params`
    # (`variant` picks `finding.gone_from_source.<variant>`). None: the message is shown as is.
    params: dict[str, Any] | None = None


FetchItem = Union[Document, Checkpoint, AttachmentReady, Problem, Gone]

# What the cache's DECIMAL columns hold (storage/ingest.py): DECIMAL(18,2) amounts, (18,6)
# quantities and unit prices, (6,3) VAT rates. A value beyond, or NaN/Infinity, failed the page.
_CENTS_LIMIT, _MICROS_LIMIT, _RATE_LIMIT = Decimal(10) ** 16, Decimal(10) ** 12, Decimal(1000)
_MONEY = ("total_before_tax", "total_tax", "total")
_LINE_NUMBERS = (("quantity", _MICROS_LIMIT), ("unit_price", _MICROS_LIMIT), ("amount_before_tax", _CENTS_LIMIT),
                 ("tax", _CENTS_LIMIT), ("amount", _CENTS_LIMIT), ("vat_rate", _RATE_LIMIT))


def _number_error(name: str, value: Any, limit: Decimal) -> str | None:
    if type(value) is not Decimal and not isinstance(value, Decimal):
        return f"{name} must be a decimal.Decimal (money is never a float), got {_shown(value)}"
    try:
        if -limit < value < limit:
            return None
    except ArithmeticError:  # NaN
        pass
    return f"{name} must be a finite decimal.Decimal below {limit:.0E} in size, got {value}"


def contract_errors(doc: Document) -> list[str]:
    """What in a yielded `Document` breaks the contract, said for the plugin's author (the
    core keeps the record as a `Problem` rather than store or send something wrong: a sale
    filed as a purchase, a float amount). Empty when it holds; cheap, it runs on every one."""
    errors = []
    if not isinstance(doc.source_id, str) or not doc.source_id.strip():
        errors.append(f"source_id must be a non-empty str, got {_shown(doc.source_id)}")
    if doc.kind not in KINDS:
        errors.append(f"kind must be one of {', '.join(KINDS)}, got {_shown(doc.kind)}")
    for name in _MONEY:
        value = getattr(doc, name)
        said = _number_error(name, value, _CENTS_LIMIT) if value is not None else None
        if said:
            errors.append(said)
    for name in ("issue_date", "due_date"):
        value = getattr(doc, name)
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            errors.append(f"{name} must be a datetime.date, got {_shown(value)}")
    if doc.currency is not None and not isinstance(doc.currency, str):
        errors.append(f"currency must be a str, got {_shown(doc.currency)}")
    cp = doc.counterparty
    if cp is not None and not (isinstance(cp, Counterparty) and isinstance(cp.source_id, str) and isinstance(cp.name, str)):
        errors.append(f"counterparty must be an ecluse.domain.Counterparty with str source_id and name, got {_shown(cp)}")
    if not isinstance(doc.lines, list):
        errors.append(f"lines must be a list of ecluse.domain.Line, got {_shown(doc.lines)}")
    else:
        for i, line in enumerate(doc.lines, start=1):
            if not isinstance(line, Line):
                errors.append(f"lines[{i}] must be an ecluse.domain.Line, got {_shown(line)}")
                continue
            q, u, b, t, a, r = line.quantity, line.unit_price, line.amount_before_tax, line.tax, line.amount, line.vat_rate
            try:  # the usual line, in one test (this runs on every line of a sync)
                if (type(q) is Decimal and type(u) is Decimal and type(b) is Decimal and type(t) is Decimal
                        and type(a) is Decimal and -_MICROS_LIMIT < q < _MICROS_LIMIT and -_MICROS_LIMIT < u < _MICROS_LIMIT
                        and -_CENTS_LIMIT < b < _CENTS_LIMIT and -_CENTS_LIMIT < t < _CENTS_LIMIT
                        and -_CENTS_LIMIT < a < _CENTS_LIMIT
                        and (r is None or (type(r) is Decimal and -_RATE_LIMIT < r < _RATE_LIMIT))):
                    continue
            except ArithmeticError:  # NaN: said below
                pass
            for name, limit in _LINE_NUMBERS:
                value = getattr(line, name)
                said = None if name == "vat_rate" and value is None else _number_error(f"lines[{i}].{name}", value, limit)
                if said:
                    errors.append(said)
    if doc.attachment is not None and not isinstance(doc.attachment, Attachment):
        errors.append(f"attachment must be an ecluse.domain.Attachment, got {_shown(doc.attachment)}")
    if not isinstance(doc.findings, list) or any(not isinstance(f, Finding) for f in doc.findings):
        errors.append("findings must be a list of ecluse.domain.Finding")
    return errors


@dataclass
class FetchContext:
    """What the core hands a connector for one `check()` or `fetch()` call."""

    connection: str
    settings: Mapping[str, Any]  # validated, secrets resolved from env:VAR / secrets.toml
    state: dict[str, Any] = field(default_factory=dict)  # last committed Checkpoint state
    since: dt.date | None = None  # user override (`ecluse sync --since`), else None
    pending_attachments: list[str] = field(default_factory=list)  # source ids awaiting a PDF
    # Source ids of this connection's cached documents issued on or after the date (all if
    # None), rejected ones left out: one query, when the connector asks.
    cached_source_ids: Callable[[dt.date | None], set[str]] = field(default_factory=lambda: lambda since: set())
    created_at: dt.datetime | None = None  # when the connection was created
    http_factory: Callable[..., "HttpClient"] | None = None
    secret_saver: Callable[[str, str], None] | None = None
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("ecluse.connector"))
    clock: Callable[[], dt.datetime] = field(default_factory=lambda: lambda: dt.datetime.now(dt.timezone.utc))

    def http(self, base_url: str, **kwargs: Any) -> "HttpClient":
        """An HTTP client through the shared layer (timeouts, retries, rate limit, redaction).

        Pass `secrets=[token, ...]` so these values never appear in logs or errors.
        """
        if self.http_factory is not None:
            return self.http_factory(base_url, **kwargs)
        from .http import HttpClient

        return HttpClient(base_url, **kwargs)

    def save_secret(self, name: str, value: str) -> None:
        """Persist a rotated credential (an OAuth refresh token) right away, in secrets.toml; from
        now on it is redacted like the connection's other secrets."""
        if self.secret_saver is None:
            raise ConnectorError("this context cannot store secrets")
        register_secret(value)
        self.secret_saver(name, value)

    def now(self) -> dt.datetime:
        return self.clock()


class Connector:
    """Base class for connectors. Subclasses set the class attributes and implement the two
    methods; they must not touch the database, the workspace files or streamlit."""

    id: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()
    settings: ClassVar[tuple[Setting, ...]] = ()
    # Title and description in the console's other languages: {"fr": {"title": ..., "description": ...}}.
    translations: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    # True for a connector that makes up its documents (a demo, a test source). They are flagged
    # in the cache and never sent to Pennylane's own API (held, with why): only previewed, or
    # sent to another API URL (an emulator, a test server).
    fictitious: ClassVar[bool] = False

    def check(self, ctx: FetchContext) -> CheckResult:  # pragma: no cover - interface
        raise NotImplementedError

    def fetch(self, ctx: FetchContext) -> Iterator[FetchItem]:  # pragma: no cover - interface
        raise NotImplementedError

    @classmethod
    def text(cls, lang: str) -> tuple[str, str]:
        """(title, description) in `lang`, falling back to the class attributes."""
        other = cls.translations.get(lang) or {}
        return other.get("title") or cls.title, other.get("description") or cls.description

    @classmethod
    def setting(cls, name: str) -> Setting:
        for s in cls.settings:
            if s.name == name:
                return s
        raise SettingsError(f"connector {cls.id!r} has no setting {name!r}")

    @classmethod
    def setting_default(cls, name: str, settings: Mapping[str, Any], created_at: dt.datetime,
                        now: dt.datetime) -> Any:
        """What the setting `name` stands for while it is left empty, for the console to say (the
        form, a sync that read nothing): its `default`, unless that depends on the connection
        (Harvest's start date: 30 days before `created_at`, the connection's creation or now for a
        new one). `settings`: the connection's values as saved. None: nothing to say."""
        return cls.setting(name).default


def settings_warnings(connector: type[Connector], settings: Mapping[str, Any], created_at: dt.datetime) -> list[Said]:
    """What the settings' `warn` functions say about saved `settings` (a plugin's failing
    warn is left out: a warning must not stop a save)."""
    out = []
    for s in connector.settings:
        if s.warn is None or settings.get(s.name) is None:
            continue
        try:
            said = s.warn(s.parse(settings[s.name]), created_at)
        except Exception:  # noqa: BLE001
            continue
        if said is not None:
            out.append(said)
    return out


def _checked(setting: Setting, value: Any) -> str | Said | None:
    """What `setting.check` says of `value`; a check that raises (a plugin's bug) is a
    SettingsError naming the setting and the exception, never the value (a secret's least)."""
    try:
        return setting.check(value)  # type: ignore[misc]
    except Exception as exc:  # noqa: BLE001 - a plugin's check must not crash a save
        kind = type(exc).__name__
        text = str(exc)
        shown = str(value)
        if shown and (setting.secret or len(shown) >= 4):  # a short word would mask the text's own
            text = text.replace(shown, MASK)
        text = redact(text)
        said = Said("setting.check_failed", {"name": setting.said_name(), "type": kind, "error": text})
        raise SettingsError(i18n.said_text(said, "en"), said) from None


def validate_settings(connector: type[Connector], values: Mapping[str, Any]) -> dict[str, Any]:
    """Check `values` against the schema: unknown keys, types, required fields, defaults."""
    known = {s.name for s in connector.settings}
    unknown = sorted(set(values) - known)
    if unknown:
        raise SettingsError(
            f"unknown setting(s) {', '.join(unknown)} for connector {connector.id!r}; "
            f"expected: {', '.join(sorted(known)) or 'none'}"
        )
    out: dict[str, Any] = {}
    for s in connector.settings:
        value = s.parse(values.get(s.name)) if s.name in values else None
        if value is not None and s.check is not None and not (s.secret and str(value).startswith("env:")):
            problem = _checked(s, value)
            if isinstance(problem, Said):  # said in the user's language; English for the CLI
                raise SettingsError(f"{s.name}: {i18n.said_text(problem, 'en')}", problem)
            if problem:
                raise SettingsError(f"{s.name}: {problem}")
        if value is None:
            value = s.default
        if value is None and s.required:
            raise SettingsError(f"missing required setting {s.name!r} ({s.label})",
                                Said("setting.missing", {"name": s.said_name()}))
        if value is not None:
            out[s.name] = value
    return out
