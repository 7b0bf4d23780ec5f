"""Reconciliation views over the cache: monthly totals, review backlog age, what Pennylane
holds against what was sent, drill-down.

Plain Python and SQL: every aggregation runs in DuckDB and returns a few small rows (one per
month × connection × status), never the documents themselves, so a chart over a large cache
stays cheap. Credit notes carry negative totals, so a sum is already net of them.

Stages group the statuses the way an accountant follows a month through to the books, with
what `ecluse confirm` read back from Pennylane (`confirmations`) for the sent documents:

    review       to_review, on_hold (and fetched)    still with the reviewer
    approved     approved, in_batch, failed          approved, not in Pennylane yet
    sent         sent, not checked since it was sent
    confirmed    sent, and Pennylane has the amount that was sent
    discrepancy  sent, and Pennylane differs: another amount, modified there, or deleted
    rejected     rejected                            will not go to Pennylane

A confirmation older than the document's last send is stale (the document was sent again
since) and does not count. A sent document counts what was sent, in the currency it was sent
in (`sent_amounts`), in the charts as in the figures, whatever the source changed since; the
others their current total. The review backlog's age chart counts the statuses of the review
stage, so its documents are those of the monthly chart's review bars.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain import CUSTOMER_KINDS, KINDS, signed_total_sql, sql_list
from ..storage.db import dict_rows
from ..workspace import Workspace
from .sent_amounts import LATEST_SENT_JOIN, item_amount_sql, item_currency_sql

SIDES = ("sales", "purchases")
# Age buckets of the review backlog, in days: (code, first day, last day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7), ("8-30", 8, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None),
)
AGE_BASES = ("issue_date", "waiting")  # age of the invoice, or time spent waiting in review


def _kinds(side: str | None) -> list[str]:
    if side is None:
        return list(KINDS)
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; choose one of {', '.join(SIDES)}")
    return [k for k in KINDS if (k in CUSTOMER_KINDS) == (side == "sales")]


def _where(connection: str | None, currency: str | None, side: str | None, alias: str = "", *, dated: bool = True,
           currency_of: str | None = None) -> tuple[str, list[Any]]:
    """The filters as SQL; `currency_of`: the currency's expression when it is not the
    document's (the sent currency)."""
    a = f"{alias}." if alias else ""
    clauses, params = [f"{a}kind IN (SELECT unnest(?))"], [_kinds(side)]
    if dated:
        clauses.insert(0, f"{a}issue_date IS NOT NULL")
    if connection:
        clauses.append(f"{a}connection = ?")
        params.append(connection)
    if currency:
        clauses.append(f"{currency_of or a + 'currency'} = ?")
        params.append(currency)
    return " AND ".join(clauses), params


STAGES = ("review", "approved", "sent", "confirmed", "discrepancy", "rejected")
STAGE_STATUSES: dict[str, tuple[str, ...]] = {
    "review": ("fetched", "to_review", "on_hold"), "approved": ("approved", "in_batch", "failed"),
    "sent": ("sent",), "confirmed": ("sent",), "discrepancy": ("sent",), "rejected": ("rejected",),
}
# The latest check of each sent document, when it is not older than the send (alias k).
_CONFIRMATION_JOIN = ("LEFT JOIN confirmations k ON k.document_id = d.id AND d.status = 'sent' "
                      "AND (d.sent_at IS NULL OR k.checked_at >= d.sent_at)")
# The stage of a document (alias d, with _CONFIRMATION_JOIN), built from STAGE_STATUSES.
_STAGE = f"""CASE WHEN d.status IN ({sql_list(STAGE_STATUSES['review'])}) THEN 'review'
     WHEN d.status IN ({sql_list(STAGE_STATUSES['approved'])}) THEN 'approved'
     WHEN d.status IN ({sql_list(STAGE_STATUSES['rejected'])}) THEN 'rejected'
     WHEN k.status = 'confirmed' THEN 'confirmed'
     WHEN k.status IS NOT NULL THEN 'discrepancy'
     ELSE 'sent' END"""
# What Écluse sent for a sent document (with LATEST_SENT_JOIN, alias s): the amount its check
# compared (confirm reads the same sent amount), else the amount its latest successful batch
# item imported; for an item sent before migration 17, which recorded none, the document's
# current total with a credit note negative (sent_amounts.item_amount_sql), as before.
_SENT_AMOUNT = f"coalesce(k.expected_amount, {item_amount_sql('s')})"
_SENT_CURRENCY = item_currency_sql("s")
_SENT_JOINS = f"{_CONFIRMATION_JOIN} {LATEST_SENT_JOIN}"
# A document's amount and currency in the monthly charts and their drill-down (with _SENT_JOINS):
# what was sent for a sent document (sent, confirmed and discrepancy stages: the same as
# `pennylane_totals`), whatever the source changed since; the current total for the others.
_AMOUNT = f"CASE WHEN d.status = 'sent' THEN {_SENT_AMOUNT} ELSE d.total END"
_CURRENCY = f"CASE WHEN d.status = 'sent' THEN {_SENT_CURRENCY} ELSE d.currency END"


# The figure a stage's bar shows: its documents' total (credit notes negative, so a month's
# bars add up to its net total), except the discrepancy stage's: what differs from Pennylane is
# measured without sign, +21 361 and −20 810 are 42 171 at stake, never 551.
DISCREPANCY_MEASURE = "abs_total"


def stage_measure(row: dict[str, Any]) -> Any:
    """The amount a row of `monthly_stages` shows for its stage (its bar's height)."""
    return row[DISCREPANCY_MEASURE] if row["stage"] == "discrepancy" else row["total"]


def stage_of(status: str, confirmation: str | None = None) -> str:
    """The stage of one document (the same rule as the SQL above, for a row already read)."""
    for stage in ("review", "approved", "rejected"):
        if status in STAGE_STATUSES[stage]:
            return stage
    if confirmation == "confirmed":
        return "confirmed"
    return "discrepancy" if confirmation else "sent"


def connections(ws: Workspace) -> list[str]:
    """Connections configured or present in the cache (a removed connection keeps its documents)."""
    with ws.db.read() as con:
        cached = {r[0] for r in con.execute("SELECT DISTINCT connection FROM documents").fetchall()}
    return sorted(cached | set(ws.connections()))


def currencies(ws: Workspace) -> list[tuple[str, int]]:
    """Currencies present in the cache with their document counts, most used first."""
    with ws.db.read() as con:
        return [(r[0], int(r[1])) for r in con.execute(
            "SELECT currency, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()]


def monthly_totals(
    ws: Workspace, connection: str | None = None, *, currency: str | None = "EUR", side: str | None = None,
) -> list[dict[str, Any]]:
    """Per month × connection × status × currency: document count and the sums of the totals
    (a sent document's: what was sent, in the currency it was sent in, as `monthly_stages`;
    `total_before_tax` is the documents' current one, a send records no before-tax amount)."""
    return _monthly(ws, "d.status", connection, currency, side)


def _monthly(ws: Workspace, group: str, connection: str | None, currency: str | None,
             side: str | None) -> list[dict[str, Any]]:
    """Per month × connection × `group` (the status, or the stage) × currency: the sums."""
    where, params = _where(connection, currency, side, alias="d", currency_of=_CURRENCY)
    with ws.db.read() as con:
        return dict_rows(con.execute(
            f"SELECT date_trunc('month', d.issue_date)::DATE AS month, d.connection, {group}, "
            f"{_CURRENCY} AS currency, count(*) AS documents, sum(d.total_before_tax) AS total_before_tax, "
            f"sum({_AMOUNT}) AS total, sum(abs({_AMOUNT})) AS abs_total "
            f"FROM documents d {_SENT_JOINS} WHERE {where} "
            "GROUP BY ALL ORDER BY 1, 2, 3, 4",
            params,
        ))


def _age_expression(basis: str) -> str:
    if basis == "issue_date":
        return "date_diff('day', issue_date, ?::DATE)"
    if basis == "waiting":
        return "date_diff('day', CAST(status_changed_at AS DATE), ?::DATE)"
    raise ValueError(f"unknown basis {basis!r}; choose one of {', '.join(AGE_BASES)}")


def _bucket_case(age: str) -> str:
    parts = [f"WHEN {age} <= {last} THEN '{code}'" for code, _first, last in AGE_BUCKETS if last is not None]
    return f"CASE {' '.join(parts)} ELSE '{AGE_BUCKETS[-1][0]}' END"


def backlog_age(
    ws: Workspace, *, basis: str = "issue_date", today: dt.date | None = None, connection: str | None = None,
    side: str | None = None, currency: str | None = None,
) -> list[dict[str, Any]]:
    """Documents awaiting the reviewer's decision (the review stage's statuses: to review, on
    hold) per age bucket and connection (buckets in AGE_BUCKETS order), sales or purchases only
    with `side`, in one currency with `currency`. By issue date, these are the documents of the
    review bars of `monthly_stages` with the same filters; by waiting time, an undated one counts
    too."""
    today = today or dt.date.today()
    age = _age_expression(basis)
    where, params = _where(connection, currency, side, dated=basis == "issue_date")
    where += " AND status IN (SELECT unnest(?))"
    params.append(list(STAGE_STATUSES["review"]))
    order = [code for code, _f, _l in AGE_BUCKETS]
    with ws.db.read() as con:
        rows = dict_rows(con.execute(
            f"SELECT bucket, connection, count(*) AS documents, "
            f"sum(error_count > 0)::INTEGER AS with_errors FROM ("
            f"  SELECT {_bucket_case('age')} AS bucket, connection, error_count "
            f"  FROM (SELECT {age} AS age, connection, error_count FROM documents WHERE {where})"
            f") GROUP BY ALL",
            [today] + params,
        ))
    return sorted(rows, key=lambda r: (order.index(r["bucket"]), r["connection"]))


def monthly_stages(
    ws: Workspace, connection: str | None = None, *, currency: str | None = "EUR", side: str | None = None,
) -> list[dict[str, Any]]:
    """Per month × connection × stage (see STAGES) × currency: document count and the sums of
    the totals. The sent documents' stages (sent, confirmed, discrepancy) count what was sent,
    in the currency it was sent in, whatever the source changed since: what `pennylane_totals`
    counts as sent; the others the current totals. `total_before_tax` is the documents'
    current one (a send records no before-tax amount). `abs_total`: the sum of the amounts
    without their sign, the measure of the discrepancy stage (DISCREPANCY_MEASURE), where an
    invoice and a credit note that both differ from Pennylane must not cancel out."""
    return _monthly(ws, f"{_STAGE} AS stage", connection, currency, side)


def pennylane_totals(
    ws: Workspace, connection: str | None = None, *, currency: str | None = "EUR", side: str | None = None,
) -> list[dict[str, Any]]:
    """Per month, for the documents sent to Pennylane: all of them (`sent`, `sent_total`: what
    Écluse sent), split into those checked by `ecluse confirm` since they were sent (`checked`,
    `source_total`: the expected amounts; `last_checked_at`: their latest check) and the others
    (`unchecked`, `unchecked_total`); for the checked ones, what Pennylane holds
    (`pennylane_total`; a deleted invoice counts 0) and how many differ (`mismatches`: another
    amount, modified in Pennylane, deleted). sent_total = source_total + unchecked_total. A
    document counts what was sent, in the currency it was sent in, whatever the source changed
    since."""
    where, params = _where(connection, currency, side, alias="d", currency_of=_SENT_CURRENCY)
    with ws.db.read() as con:
        return dict_rows(con.execute(
            "SELECT date_trunc('month', d.issue_date)::DATE AS month, "
            f"count(*) AS sent, sum({_SENT_AMOUNT}) AS sent_total, "
            "count(k.document_id) AS checked, count(*) - count(k.document_id) AS unchecked, "
            "coalesce(sum(k.expected_amount), 0) AS source_total, "
            f"coalesce(sum({_SENT_AMOUNT}) FILTER (WHERE k.document_id IS NULL), 0) AS unchecked_total, "
            "max(k.checked_at) AS last_checked_at, "
            "coalesce(sum(k.pennylane_amount) FILTER (WHERE k.document_id IS NOT NULL), 0) AS pennylane_total, "
            "count(*) FILTER (WHERE k.status <> 'confirmed') AS mismatches, "
            "count(*) FILTER (WHERE k.status = 'amount_mismatch') AS amount_mismatch, "
            "count(*) FILTER (WHERE k.status = 'changed') AS changed, "
            "count(*) FILTER (WHERE k.status = 'missing') AS missing "
            f"FROM documents d {_SENT_JOINS} WHERE d.status = 'sent' AND {where} "
            "GROUP BY 1 ORDER BY 1",
            params,
        ))


def documents_for(
    ws: Workspace, month: dt.date | None = None, status: str | None = None, connection: str | None = None, *,
    currency: str | None = "EUR", side: str | None = None, limit: int = 500, stage: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The documents behind one bar of `monthly_totals` (by status) or of `monthly_stages` (by
    stage); any argument left None: all. Returns a page of them and their count. A sent
    document's `total` and `currency` are what was sent, as the bars count them (`currency`
    filters on that); `current_total` and `current_currency` are the document's now, and
    `differs_from_sent` says a sent document's (signed) total or currency is no longer what was sent."""
    where, params = _where(connection, currency, side, alias="d", currency_of=_CURRENCY)
    if month is not None:
        where += " AND date_trunc('month', d.issue_date)::DATE = ?"
        params.append(month.replace(day=1))
    if status:
        where += " AND d.status = ?"
        params.append(status)
    if stage:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")
        where += f" AND d.status IN (SELECT unnest(?)) AND ({_STAGE}) = ?"
        params += [list(STAGE_STATUSES[stage]), stage]
    return _drill(ws, f"d.total_before_tax, {_AMOUNT} AS total, {_CURRENCY} AS currency, "
                      "d.total AS current_total, d.currency AS current_currency, d.changed_after_sending, "
                      f"d.status = 'sent' AND ({signed_total_sql('d')} <> {_AMOUNT} OR d.currency <> {_CURRENCY}) "
                      "AS differs_from_sent, "
                      "d.status, d.error_count, d.warning_count, "
                      f"k.status AS confirmation, k.pennylane_amount, {_STAGE} AS stage",
                  where, params, "d.issue_date, d.number, d.id", limit)


def _drill(ws: Workspace, columns: str, where: str, params: list[Any], order: str,
           limit: int) -> tuple[list[dict[str, Any]], int]:
    """A page of the documents behind a bar (with their counterparty, latest check and latest
    successful send: _SENT_JOINS), and their count."""
    with ws.db.read() as con:
        total = con.execute(
            f"SELECT count(*) FROM documents d {_SENT_JOINS} WHERE {where}", params
        ).fetchone()[0]
        rows = dict_rows(con.execute(
            f"SELECT d.id, d.connection, d.kind, d.number, d.issue_date, c.name AS counterparty, {columns} "
            f"FROM documents d LEFT JOIN counterparties c ON c.id = d.counterparty_id {_SENT_JOINS} "
            f"WHERE {where} ORDER BY {order} LIMIT ?",
            params + [int(limit)],
        ))
    return rows, int(total)


def confirmations_for(
    ws: Workspace, month: dt.date | None = None, connection: str | None = None, *, currency: str | None = "EUR",
    side: str | None = None, only_mismatches: bool = False, limit: int = 500,
) -> tuple[list[dict[str, Any]], int]:
    """The sent documents behind one month of `pennylane_totals`, differences first: what was
    sent (`expected_amount`, also for a document not checked yet), what Pennylane has, the check's
    verdict (None: not checked since sent); and their count. `currency` is the one sent."""
    where, params = _where(connection, currency, side, alias="d", currency_of=_SENT_CURRENCY)
    where += " AND d.status = 'sent'"
    if month is not None:
        where += " AND date_trunc('month', d.issue_date)::DATE = ?"
        params.append(month.replace(day=1))
    if only_mismatches:
        where += " AND k.status <> 'confirmed'"
    return _drill(ws, f"{_SENT_CURRENCY} AS currency, {_SENT_AMOUNT} AS expected_amount, k.pennylane_amount, "
                      "k.pennylane_amount - k.expected_amount AS difference, k.status AS confirmation, k.message, "
                      "k.said, k.checked_at, d.pennylane_url",
                  where, params, "(k.status = 'confirmed') NULLS FIRST, "
                  "abs(coalesce(k.pennylane_amount, 0) - coalesce(k.expected_amount, 0)) DESC, d.issue_date, d.id",
                  limit)


def pending_attachments(ws: Workspace) -> list[str]:
    """Ids of the documents whose PDF the source will deliver later."""
    with ws.db.read() as con:
        return [r[0] for r in con.execute(
            "SELECT id FROM documents WHERE attachment_pending ORDER BY issue_date, id"
        ).fetchall()]
