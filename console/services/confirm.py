"""Confirmation: read back from Pennylane what was sent and flag what no longer matches.

Each kind's invoices are listed once, from the smallest id we sent, 100 per page (a few
requests for thousands of invoices), then matched by id:

- confirmed: Pennylane's amount equals what was sent;
- amount_mismatch: it differs (someone edited it in Pennylane, or a rounding dispute);
- changed: same amount, but modified (or archived) in Pennylane after we sent it;
- missing: deleted in Pennylane.

What was sent is the amount the document's latest successful batch item imported
(`sent_amounts`), not its total now: a change at the source after sending is flagged on the
document (`changed_after_sending`), and Pennylane still holds what went.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from .. import i18n
from ..domain import CUSTOMER_KINDS, json_compact
from ..http import HttpError
from ..pennylane.client import PennylaneClient
from ..redact import redact
from ..workspace import Workspace
from .sent_amounts import LATEST_SENT_JOIN, item_amount_sql

TS = pa.timestamp("us", tz="UTC")
DEC2 = pa.decimal128(18, 2)


@dataclass
class ConfirmResult:
    checked: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "counts": self.counts, "error": self.error, "requests": self.requests}


def confirm(ws: Workspace, client: PennylaneClient) -> ConfirmResult:
    with ws.db.read() as con:
        sent = con.execute(
            f"SELECT d.id, d.kind, d.pennylane_id, {item_amount_sql('s')}, d.sent_at, d.number FROM documents d "
            f"{LATEST_SENT_JOIN} "
            "WHERE d.status = 'sent' AND d.pennylane_id IS NOT NULL"
        ).fetchall()
    result = ConfirmResult()
    if not sent:
        return result
    before = client.stats.requests
    found: dict[int, dict[str, Any]] = {}
    try:
        for resource, kinds in (("/customer_invoices", CUSTOMER_KINDS), ("/supplier_invoices", None)):
            ids = [int(r[2]) for r in sent if (r[1] in CUSTOMER_KINDS) == (kinds is not None)]
            if not ids:
                continue
            for item in client.iter_list(resource, [("id", "gteq", str(min(ids)))], sort="id"):
                found[int(item["id"])] = item
    except HttpError as exc:
        result.error = redact(str(exc))
        return result
    finally:
        result.requests = client.stats.requests - before
    now = dt.datetime.now(dt.timezone.utc)
    rows = []
    for doc_id, _kind, pl_id, expected, sent_at, number in sent:
        item = found.get(int(pl_id))
        if item is None:
            rows.append((doc_id, "missing", None, expected, f"invoice {pl_id} is no longer in Pennylane",
                         # named by its number, as the reader knows it (rows checked before: by Pennylane's id)
                         _said("deleted", number=number or doc_id, pennylane_id=int(pl_id))))
            continue
        raw_amount = item.get("currency_amount")
        amount = Decimal(str(raw_amount)) if raw_amount not in (None, "") else None
        updated = _parse_ts(item.get("updated_at"))
        archived = _parse_ts(item.get("archived_at"))
        if archived:  # still in Pennylane, but put aside: not what was sent, as it was sent
            rows.append((doc_id, "changed", amount, expected, f"archived in Pennylane on {archived:%Y-%m-%d %H:%M}",
                         _said("archived", when={lang: i18n.format_datetime(archived, lang) for lang in i18n.LANGS})))
        elif amount is None or amount != expected:
            # the amounts stand in their own columns beside the message, in the reader's format
            rows.append((doc_id, "amount_mismatch", amount, expected,
                         f"Pennylane has {amount} where {expected} was sent", _said("amount_mismatch")))
        elif updated and sent_at and updated > sent_at + dt.timedelta(minutes=1):
            rows.append((doc_id, "changed", amount, expected, f"modified in Pennylane on {updated:%Y-%m-%d %H:%M}",
                         _said("changed", when={lang: i18n.format_datetime(updated, lang) for lang in i18n.LANGS})))
        else:
            rows.append((doc_id, "confirmed", amount, expected, None, None))
    table = pa.table({
        "document_id": [r[0] for r in rows],
        "checked_at": pa.array([now] * len(rows), TS),
        "status": [r[1] for r in rows],
        "pennylane_amount": pa.array([r[2] for r in rows], DEC2),
        "expected_amount": pa.array([r[3] for r in rows], DEC2),
        "message": [r[4] for r in rows],
        "said": pa.array([r[5] for r in rows], pa.string()),
    })
    with ws.db.write() as con:
        con.register("_conf", table)
        con.execute("INSERT OR REPLACE INTO confirmations SELECT * FROM _conf")
        con.unregister("_conf")
    result.checked = len(rows)
    for r in rows:
        result.counts[r[1]] = result.counts.get(r[1], 0) + 1
    return result


def _said(code: str, **params: Any) -> str:
    """A confirmation's message as `said.confirm.<code>` says it (`i18n.said_or`), stored as JSON."""
    return json_compact({"code": f"confirm.{code}", "params": params})


def _parse_ts(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def client_for(ws: Workspace) -> PennylaneClient:
    from .send import gateway_for

    return gateway_for(ws).client  # type: ignore[attr-defined]
