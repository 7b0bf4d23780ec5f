"""What the Pennylane company offers to map to: its analytical categories and its chart of
ledger accounts, read on demand for the Mappings page.

`refresh(ws)` reads them from the workspace's Pennylane destination (GET /categories,
GET /category_groups for the groups' labels, GET /ledger_accounts) through the send's client
and the shared HTTP layer, and keeps them in `<workspace>/pennylane_lists.json` with the time
they were read and which destination (API URL and token) they came from (`_destination`).
`load(ws)` gives them back, only for that same destination: a changed URL or token shows
nothing until they are read again. In a dry run, or with no token, nothing is read
(`unavailable`).

The send resolves a category by its exact label and a ledger account by its exact number
(`services/send.py`): `Lists.has_category` and `Lists.has_account` answer as it will. A label
two groups share is ambiguous: the send sets no category then, with a warning.
A dry run accepts every account and category (`send._Placeholders`): the flags say what a
live send does.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..connectors import Said
from ..http import HttpError
from ..redact import redact
from ..workspace import Workspace, WorkspaceError, _atomic_write, env_var
from . import send
from .mappings import FALLBACK
from .pennylane_gateway import PennylaneGateway

FILE = "pennylane_lists.json"
KEY_NAME = "pennylane_lists"  # the workspace's key that signs the destination (secrets.toml)


class ListsError(WorkspaceError):
    """The lists could not be read from Pennylane; `said` says why in the console's language
    (a refused token, Pennylane unreachable or limiting the rate, another answer)."""


@dataclass(frozen=True)
class Lists:
    """The company's categories ({id, label, group}) and ledger accounts ({number, label,
    enabled}) as read at `fetched_at` (UTC)."""

    fetched_at: dt.datetime
    categories: list[dict[str, Any]] = field(default_factory=list)
    ledger_accounts: list[dict[str, Any]] = field(default_factory=list)

    def category_labels(self) -> list[str]:
        """Each label once, in alphabetical order (what a mapping can name)."""
        return sorted({c["label"] for c in self.categories}, key=lambda label: (label.casefold(), label))

    def category_groups(self, label: str) -> list[str]:
        """The groups of the categories with this label (one, or several when it is ambiguous;
        a group whose label could not be read is left out)."""
        return [c["group"] for c in self.categories if c["label"] == label and c.get("group")]

    # Indexes built once per Lists (frozen: cached_property writes the instance's __dict__):
    # pages ask them of every mapping row and every line, the chart may hold thousands of accounts.
    @cached_property
    def _label_counts(self) -> Counter[str]:
        return Counter(c["label"] for c in self.categories)

    @cached_property
    def _accounts(self) -> dict[str, list[dict[str, Any]]]:
        by_number: dict[str, list[dict[str, Any]]] = {}
        for a in self.ledger_accounts:
            by_number.setdefault(a["number"], []).append(a)
        return by_number

    def is_ambiguous(self, label: str | None) -> bool:
        """Several categories have this label: the send gives an invoice the last one Pennylane
        lists (its {label: id}), not necessarily the group meant."""
        return self._label_counts.get(label, 0) > 1  # type: ignore[arg-type]

    def has_category(self, label: str | None) -> bool:
        return self._label_counts.get(label, 0) > 0  # type: ignore[arg-type]

    def account(self, number: str | None) -> dict[str, Any] | None:
        """The chart's account with this number ({number, label, enabled}), or None."""
        found = self._accounts.get(number)  # type: ignore[arg-type]
        return found[0] if found else None

    def account_label(self, number: str | None) -> str | None:
        found = self.account(number)
        return found["label"] if found else None

    def has_account(self, number: str | None) -> bool:
        return number in self._accounts

    def is_disabled(self, number: str | None) -> bool:
        """The chart has this account, disabled ("enabled": false in GET /ledger_accounts)."""
        return any(a.get("enabled") is False for a in self._accounts.get(number, ()))  # type: ignore[arg-type]

    def flags(self, ledger: list[dict[str, Any]], categories: list[dict[str, Any]]) -> dict[str, Any]:
        """What the workspace's mappings name that the company lacks, as the Mappings page and
        `ecluse mappings pennylane` say it, given the rows of `mappings.ledger_accounts` and
        `mappings.categories`: {accounts_absent: numbers mapped to codes (an invoice needing one
        is held at a live send), fallback_absent: the "*" account when absent (an invoice with
        a line that has neither a reviewer's account nor a mapped code is held),
        accounts_disabled: mapped numbers (the fallback's too) the chart has but disabled,
        categories_unknown: labels (the invoice goes without its category),
        categories_ambiguous: [{label, groups}] (labels several categories share)}."""
        fallback = next((r["account"] for r in ledger if r["hint"] == FALLBACK and r["account"]), None)
        return {
            "accounts_absent": sorted({r["account"] for r in ledger if r["hint"] != FALLBACK and r["account"]
                                       and not self.has_account(r["account"])}),
            "fallback_absent": fallback if fallback and not self.has_account(fallback) else None,
            "accounts_disabled": sorted({r["account"] for r in ledger
                                         if r["account"] and self.is_disabled(r["account"])}),
            "categories_unknown": sorted({r["category"] for r in categories
                                          if r["category"] and not self.has_category(r["category"])}),
            "categories_ambiguous": [{"label": label, "groups": self.category_groups(label)}
                                     for label in sorted({r["category"] for r in categories
                                                          if r["category"] and self.is_ambiguous(r["category"])})],
        }


def dry_run(ws: Workspace) -> bool:
    """The destination is a simulation: nothing is read, and every account and category
    exists for it (the flags then say what a live send would do)."""
    return bool(ws.pennylane().get("dry_run", True))


def unavailable(ws: Workspace) -> dict[str, Any] | None:
    """Why nothing can be read from Pennylane now, or None: {"reason": "dry_run"} (the
    destination is a simulation), {"reason": "no_token"}, {"reason": "env_unset", "var":
    the variable that should hold the token}, or {"reason": "secrets_invalid"} (secrets.toml
    cannot be read: the mappings, which do not need it, still work)."""
    if dry_run(ws):
        return {"reason": "dry_run"}
    try:
        try:
            token = ws.pennylane_token()
        except WorkspaceError:
            source = ws.pennylane_token_source() or ""
            return {"reason": "env_unset", "var": env_var(source) or source}
    except WorkspaceError:  # secrets.toml is not valid TOML (the first read, or the second one)
        return {"reason": "secrets_invalid"}
    return None if token else {"reason": "no_token"}


# Which destination the lists came from, kept in the file beside ecluse.toml (which users keep
# under version control): an HMAC of the API URL and token with a random key of the workspace
# kept in secrets.toml (mode 0600), not a plain digest of the token, which anyone reading the
# file could test guessed tokens against offline. Not the company id of GET /me: `load` runs on
# every page and must tell, with no request, whether the token is still the one read from.
def _destination(ws: Workspace, url: str, token: str, *, create: bool = False) -> str | None:
    key = ws.local_key(KEY_NAME, create=create)
    if key is None:
        return None
    return hmac.new(key, f"{url}\n{token}".encode(), hashlib.sha256).hexdigest()


def refresh(ws: Workspace, **client_options: Any) -> Lists:
    """Read both lists from the destination and keep them; raises `ListsError` when Pennylane
    answers with an error or cannot be reached, `WorkspaceError` when nothing can be read
    (`unavailable`). What was kept before stays as it was on a failure. `client_options` go
    to the HTTP layer (`max_retries`, `timeout`...). The destination (URL, token and what the
    file keys them by) is taken once, before reading: a destination changed meanwhile never
    gets the lists of the one they were read from."""
    why = unavailable(ws)
    if why is not None:
        raise WorkspaceError(f"nothing read from Pennylane: {why['reason'].replace('_', ' ')}")
    url, token = send.api_url(ws), ws.pennylane_token() or ""
    destination = _destination(ws, url, token, create=True)
    gateway = PennylaneGateway(url, token, **client_options)
    try:
        categories = gateway.category_list()
        groups = _groups(gateway)
        accounts = gateway.ledger_account_list()
    except HttpError as exc:
        said = send.check_said(exc)
        raise ListsError(redact(str(exc)), Said(said["code"], said["params"])) from None
    finally:
        gateway.close()
    lists = Lists(
        fetched_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        categories=sorted(({"id": int(c["id"]), "label": c["label"],
                            "group": groups.get(int((c.get("category_group") or {}).get("id") or 0))}
                           for c in categories), key=lambda c: (c["label"].casefold(), c["id"])),
        ledger_accounts=sorted(({"number": a["number"], "label": a.get("label") or "",
                                 "enabled": bool(a.get("enabled", True))} for a in accounts),
                               key=lambda a: a["number"]))
    _atomic_write(ws.path / FILE, json.dumps({
        "destination": destination, "fetched_at": lists.fetched_at.isoformat(),
        "categories": lists.categories, "ledger_accounts": lists.ledger_accounts,
    }, ensure_ascii=False, indent=1))
    return lists


def _groups(gateway: Any) -> dict[int, str]:
    """The category groups' labels; none when this token may not list them (the categories
    still serve: a group only helps tell two categories apart)."""
    try:
        return gateway.category_groups()
    except HttpError as exc:
        if exc.status in (403, 404):
            return {}
        raise


def load(ws: Workspace) -> Lists | None:
    """The lists last read from the workspace's current destination, or None (never read,
    read from another URL or token, no token now, or secrets.toml unreadable)."""
    path = ws.path / FILE
    if not path.exists():
        return None
    try:
        token = ws.pennylane_token()
        key = _destination(ws, send.api_url(ws), token) if token else None
    except WorkspaceError:
        return None
    if key is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not hmac.compare_digest(str(data.get("destination")), key):
            return None
        return Lists(fetched_at=dt.datetime.fromisoformat(data["fetched_at"]),
                     categories=list(data.get("categories") or []),
                     ledger_accounts=list(data.get("ledger_accounts") or []))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a file damaged by hand: read again with the button
