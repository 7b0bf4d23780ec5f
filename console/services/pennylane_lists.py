"""What the Pennylane company offers to map to: its analytical categories and its chart of
ledger accounts, read on demand for the Mappings page.

`refresh(ws)` reads them from the workspace's Pennylane destination (GET /categories,
GET /category_groups for the groups' labels, GET /ledger_accounts) through the send's client
and the shared HTTP layer, and keeps them in `<workspace>/pennylane_lists.json` with the time
they were read and which destination they came from (`send.destination_key`, a digest that
never shows the token). `load(ws)` gives them back, only for that same destination: a changed
URL or token shows nothing until they are read again. In a dry run, or with no token, nothing
is read (`unavailable`).

The send resolves a category by its exact label and a ledger account by its exact number
(`services/send.py`): `Lists.has_category` and `Lists.has_account` answer as it will.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from ..connectors import Said
from ..http import HttpError
from ..redact import redact
from ..workspace import Workspace, WorkspaceError, _atomic_write
from . import send
from .mappings import FALLBACK
from .pennylane_gateway import PennylaneGateway

FILE = "pennylane_lists.json"


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

    def category_group(self, label: str) -> str | None:
        return next((c.get("group") for c in self.categories if c["label"] == label), None)

    def has_category(self, label: str | None) -> bool:
        return any(c["label"] == label for c in self.categories)

    def account_label(self, number: str | None) -> str | None:
        return next((a["label"] for a in self.ledger_accounts if a["number"] == number), None)

    def has_account(self, number: str | None) -> bool:
        return any(a["number"] == number for a in self.ledger_accounts)

    def flags(self, ledger: list[dict[str, Any]], categories: list[dict[str, Any]]) -> dict[str, Any]:
        """What the workspace's mappings name that the company lacks, as the Mappings page and
        `ecluse mappings pennylane` say it, given the rows of `mappings.ledger_accounts` and
        `mappings.categories`: {accounts_absent: numbers mapped to codes (an invoice needing one
        is held at the send), fallback_absent: the "*" account when absent (every invoice is
        held), categories_unknown: labels (the invoice goes without its category)}."""
        fallback = next((r["account"] for r in ledger if r["hint"] == FALLBACK and r["account"]), None)
        return {
            "accounts_absent": sorted({r["account"] for r in ledger if r["hint"] != FALLBACK and r["account"]
                                       and not self.has_account(r["account"])}),
            "fallback_absent": fallback if fallback and not self.has_account(fallback) else None,
            "categories_unknown": sorted({r["category"] for r in categories
                                          if r["category"] and not self.has_category(r["category"])}),
        }


def unavailable(ws: Workspace) -> dict[str, Any] | None:
    """Why nothing can be read from Pennylane now, or None: {"reason": "dry_run"} (the
    destination is a simulation), {"reason": "no_token"}, or {"reason": "env_unset", "var":
    the variable that should hold the token}."""
    if ws.pennylane().get("dry_run", True):
        return {"reason": "dry_run"}
    try:
        token = ws.pennylane_token()
    except WorkspaceError:
        source = ws.pennylane_token_source() or ""
        return {"reason": "env_unset", "var": source[4:] if source.startswith("env:") else source}
    return None if token else {"reason": "no_token"}


def refresh(ws: Workspace, **client_options: Any) -> Lists:
    """Read both lists from the destination and keep them; raises `ListsError` when Pennylane
    answers with an error or cannot be reached, `WorkspaceError` when nothing can be read
    (`unavailable`). What was kept before stays as it was on a failure. `client_options` go
    to the HTTP layer (`max_retries`, `timeout`...)."""
    why = unavailable(ws)
    if why is not None:
        raise WorkspaceError(f"nothing read from Pennylane: {why['reason'].replace('_', ' ')}")
    gateway = PennylaneGateway(ws.pennylane().get("api_url") or send.DEFAULT_API_URL, ws.pennylane_token() or "",
                               **client_options)
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
        "destination": send.destination_key(ws), "fetched_at": lists.fetched_at.isoformat(),
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
    read from another URL or token, or no token now)."""
    path = ws.path / FILE
    key = send.destination_key(ws)
    if key is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("destination") != key:
            return None
        return Lists(fetched_at=dt.datetime.fromisoformat(data["fetched_at"]),
                     categories=list(data.get("categories") or []),
                     ledger_accounts=list(data.get("ledger_accounts") or []))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a file damaged by hand: read again with the button
