"""What Écluse sent to Pennylane for a document, as SQL fragments for the readers (the send
history, `confirm`, Suivi).

A batch item records the amount its import carried and its currency (`batch_items.sent_amount`,
`sent_currency`, migration 17) when it is imported (`services.send`): the signed total of the
import body, a credit note negative. A change at the source afterwards (the document keeps
`sent`, flagged `changed_after_sending`) changes the document's total, never that amount.
"""
from __future__ import annotations

from ..domain import signed_total_sql


def item_amount_sql(item: str = "i", doc: str = "d") -> str:
    """The amount of a batch item (alias `item`) of a document (alias `doc`): what its import
    carried, else the document's current total, signed as the import signs it. Items sent
    before migration 17 recorded no amount: for them the current total stands in, which is
    wrong only if the source changed the document after it was sent. An item not sent (yet)
    has no amount either: its document's current total is what it holds."""
    return f"coalesce({item}.sent_amount, {signed_total_sql(doc)})"


def item_currency_sql(item: str = "i", doc: str = "d") -> str:
    """The currency of `item_amount_sql` (the same fallback)."""
    return f"coalesce({item}.sent_currency, {doc}.currency)"


# The latest successful batch item of each document (alias s; `documents` as d): a sent
# document's sent amount is that item's (`item_amount_sql("s")`).
LATEST_SENT_JOIN = (
    "LEFT JOIN (SELECT document_id, arg_max_null(sent_amount, batch_id) AS sent_amount, "
    "arg_max_null(sent_currency, batch_id) AS sent_currency FROM batch_items WHERE state = 'sent' "
    "GROUP BY document_id) s ON s.document_id = d.id"
)
