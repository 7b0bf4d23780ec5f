"""Reconciliation: monthly totals per connection and stage (sent documents that Pennylane
confirmed count as confirmed), Écluse's totals against Pennylane's, review backlog age. Clicking
a bar lists its documents below the chart; every aggregation runs in DuckDB."""
from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ecluse import i18n
from ecluse.services import reconcile
from ecluse.ui import state, widgets
from ecluse.ui.state import t

STAGE_COLORS = {
    "review": "#E0A030", "approved": "#3C9D6B", "sent": "#8CB8CC", "confirmed": "#1F6F8B",
    "discrepancy": "#D0524A", "rejected": "#A3A9B0",
}
# What was sent, checked or not, in the monthly chart's colours for confirmed and sent, not checked.
SOURCE_COLOR, UNCHECKED_COLOR = STAGE_COLORS["confirmed"], STAGE_COLORS["sent"]
PENNYLANE_COLOR, MISMATCH_COLOR = "#8E6CC2", "#D0524A"
CONFIRMATIONS = ("confirmed", "amount_mismatch", "changed", "missing")
CONNECTION_COLORS = ("#1F6F8B", "#E0A030", "#3C9D6B", "#8E6CC2", "#D0524A", "#5B8DB8", "#A3A9B0")
PATTERNS = ("", "/", ".", "x", "-", "|", "+")


def stage_label(stage: str) -> str:
    return t(f"stage.{stage}")


def confirmation_label(code: str | None) -> str:
    return t(f"rec.check_{code}") if code in CONFIRMATIONS else t("rec.check_none")


def _month_axis(fig: go.Figure, months: list[dt.date], lang: str) -> None:
    fig.update_xaxes(tickmode="array", tickvals=months, ticktext=[i18n.format_month(m, lang) for m in months])


def monthly_figure(rows: list[dict[str, Any]], currency: str) -> go.Figure:
    """Stacked bars per month: one colour per stage, one pattern per connection."""
    lang = state.lang()
    connections = sorted({r["connection"] for r in rows})
    fig = go.Figure()
    for c_index, connection in enumerate(connections):
        for stage in reconcile.STAGES:
            part = [r for r in rows if r["connection"] == connection and r["stage"] == stage]
            if not part:
                continue
            name = stage_label(stage)
            if len(connections) > 1:
                name = f"{name} · {connection}"
            # Measured without sign (differences never cancel out): its hover says so, as the caption.
            measure = f" ({t('rec.discrepancy_measure')})" if stage == "discrepancy" else ""
            fig.add_bar(
                x=[r["month"] for r in part], y=[float(reconcile.stage_measure(r) or 0) for r in part], name=name,
                marker={"color": STAGE_COLORS[stage],
                        "pattern": {"shape": PATTERNS[c_index % len(PATTERNS)], "solidity": 0.3}},
                customdata=[[r["month"].isoformat(), stage, connection, t("rec.n_documents", n=r["documents"]),
                             i18n.format_money(reconcile.stage_measure(r), currency, lang),
                             i18n.format_month(r["month"], lang)] for r in part],
                hovertemplate=f"%{{customdata[5]}} · {name}<br>%{{customdata[4]}}{measure} · %{{customdata[3]}}"
                              "<extra></extra>",
            )
    months = sorted({r["month"] for r in rows})
    fig.update_layout(
        barmode="relative", height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=True,
        legend={"orientation": "h", "y": -0.15}, clickmode="event+select",
        yaxis={"title": t("rec.total_axis"), "tickformat": ",.0f"},
        xaxis={"tickmode": "array", "tickvals": months, "ticktext": [i18n.format_month(m, lang) for m in months]},
        separators=", " if lang == "fr" else ".,",
    )
    return fig


def drill_down(ws, bar: tuple[dt.date, str, str] | None, currency: str, side: str | None) -> None:
    if bar is None:
        st.caption(t("rec.click_hint"))
        return
    month, stage, connection = bar
    if stage not in reconcile.STAGES:
        return
    rows, total = reconcile.documents_for(ws, month, None, connection, currency=currency, side=side, stage=stage)
    # As its bar counts it: the discrepancy stage's amounts without their sign.
    amount = sum((abs(r["total"] or 0) if stage == "discrepancy" else r["total"] or 0 for r in rows), start=0)
    st.markdown(t("rec.selection", month=i18n.format_month(month, state.lang()), status=stage_label(stage),
                  connection=connection, n=total, total=widgets.money(amount, currency)))
    # A sent document counts what was sent; beside it, what the source says now when that differs.
    differ = sum(1 for r in rows if r["differs_from_sent"])
    if differ:
        st.caption(t("rec.sent_amounts_note", n=differ, column=t("rec.col_current_total")))
    widgets.table([{
        "number": r["number"] or "—", "issue_date": widgets.date(r["issue_date"]),
        "counterparty": r["counterparty"] or "—", "kind": widgets.kind_label(r["kind"]),
        "total": widgets.money(r["total"], r["currency"]),
        "current": widgets.money(r["current_total"], r["current_currency"]) if r["differs_from_sent"] else "",
        "status": widgets.status_label(r["status"]),
        "findings": widgets.findings_label(r["error_count"], r["warning_count"]),
    } for r in rows], {
        "number": t("col.number"), "issue_date": t("col.issue_date"), "counterparty": t("col.counterparty"),
        "kind": t("col.kind"), "total": t("col.total"), **({"current": t("rec.col_current_total")} if differ else {}),
        "status": t("col.status"), "findings": t("col.findings"),
    }, key="rc_docs", column_config={label: st.column_config.TextColumn(alignment="right")
                                     for label in (t("col.total"), t("rec.col_current_total"))})
    if total > len(rows):
        st.caption(t("rec.more", shown=len(rows), n=total))
    if st.button(t("rec.open_review"), icon=":material/fact_check:", key="rc_open_review"):
        # Exactly the bar's documents: Revue has no filter for a currency or a side.
        every = rows if total <= len(rows) else reconcile.documents_for(
            ws, month, None, connection, currency=currency, side=side, stage=stage, limit=total)[0]
        label = t("rec.bar_label", month=i18n.format_month(month, state.lang()), status=stage_label(stage),
                  connection=connection, currency=currency)
        widgets.open_review({"ids": {"ids": [r["id"] for r in every], "label": label}})


def pennylane_figure(rows: list[dict[str, Any]], currency: str, connection: str) -> go.Figure:
    """Per month: what Écluse sent (the checked part, and on top of it what was sent after the
    last check) against what Pennylane holds for the checked part, and the number of differences.
    A series of no document (nothing sent after the last check) is left out, and so of the legend."""
    lang = state.lang()
    months = [r["month"] for r in rows]
    fig = go.Figure()
    checked, unchecked = t("rec.pl_hover_checked"), t("rec.pl_hover_unchecked")
    for series, name, field, count, hover, color, group in (
            ("source", t("rec.pl_bar_checked"), "source_total", "checked", checked, SOURCE_COLOR, "source"),
            ("unchecked", t("rec.pl_bar_after_check"), "unchecked_total", "unchecked", unchecked, UNCHECKED_COLOR,
             "source"),
            ("pennylane", t("rec.pl_pennylane"), "pennylane_total", "checked", checked, PENNYLANE_COLOR, "pennylane")):
        if not any(r[count] for r in rows):
            continue
        fig.add_bar(
            x=months, y=[float(r[field] or 0) for r in rows], name=name, offsetgroup=group,
            base=[float(r["source_total"] or 0) for r in rows] if series == "unchecked" else None,
            marker={"color": color},
            customdata=[[r["month"].isoformat(), series, connection, r[count],
                         i18n.format_money(r[field], currency, lang), i18n.format_month(r["month"], lang)]
                        for r in rows],
            hovertemplate=f"%{{customdata[5]}} · {name}<br>%{{customdata[4]}} · %{{customdata[3]}} "
                          f"{hover}<extra></extra>",
        )
    flagged = [r for r in rows if r["mismatches"]]
    if flagged:
        fig.add_scatter(
            x=[r["month"] for r in flagged], y=[r["mismatches"] for r in flagged], yaxis="y2",
            name=t("rec.pl_mismatches"), mode="markers+text", text=[str(r["mismatches"]) for r in flagged],
            textposition="top center", marker={"color": MISMATCH_COLOR, "size": 11, "symbol": "diamond"},
            customdata=[[r["month"].isoformat(), "mismatch", connection] for r in flagged],
            hovertemplate="%{y} " + t("rec.pl_mismatches").lower() + "<extra></extra>",
        )
    fig.update_layout(
        barmode="group", height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10}, clickmode="event+select",
        legend={"orientation": "h", "y": -0.18}, separators=", " if lang == "fr" else ".,",
        yaxis={"title": t("rec.total_axis"), "tickformat": ",.0f"},
        yaxis2={"title": t("rec.pl_mismatches"), "overlaying": "y", "side": "right", "rangemode": "tozero",
                "showgrid": False, **count_axis(max((r["mismatches"] for r in rows), default=0))},
    )
    _month_axis(fig, months, lang)
    return fig


def count_axis(top: int) -> dict[str, Any]:
    """A count's axis: whole numbers only (never 0, 0, 1, 1, 2, 2), one tick a unit while few."""
    return {"tickformat": ",d", **({"dtick": 1, "tick0": 0} if top <= 10 else {})}


def pennylane_drill_down(ws, bar: tuple[dt.date, str, str] | None, connection: str | None, currency: str,
                         side: str | None) -> None:
    if bar is None:
        st.caption(t("rec.pl_click_hint"))
        return
    month = bar[0]
    only = st.toggle(t("rec.pl_only_mismatches"), value=bar[1] == "mismatch", key=f"rc_pl_only_{month}_{bar[1]}")
    rows, total = reconcile.confirmations_for(ws, month, connection, currency=currency, side=side,
                                              only_mismatches=only)
    st.markdown(t("rec.pl_selection", month=i18n.format_month(month, state.lang()), n=total))
    widgets.table([{
        "number": r["number"] or "—", "issue_date": widgets.date(r["issue_date"]),
        "counterparty": r["counterparty"] or "—", "connection": r["connection"],
        "expected": widgets.money(r["expected_amount"], r["currency"]),
        "pennylane": widgets.money(r["pennylane_amount"], r["currency"]),
        "difference": "" if r["difference"] in (None, 0) else widgets.money(r["difference"], r["currency"]),
        "check": confirmation_label(r["confirmation"]), "message": widgets.said_or(r["message"], r["said"]),
    } for r in rows], {
        "number": t("col.number"), "issue_date": t("col.issue_date"), "counterparty": t("col.counterparty"),
        "connection": t("col.connection"), "expected": t("rec.pl_source"), "pennylane": t("rec.pl_pennylane"),
        "difference": t("rec.pl_difference"), "check": t("rec.pl_check"), "message": t("col.message"),
    }, key="rc_pl_docs", column_config={
        t("rec.pl_source"): st.column_config.TextColumn(alignment="right"),
        t("rec.pl_pennylane"): st.column_config.TextColumn(alignment="right"),
        t("rec.pl_difference"): st.column_config.TextColumn(alignment="right"),
    })
    if total > len(rows):
        st.caption(t("rec.more", shown=len(rows), n=total))


def pennylane_section(ws, connection: str | None, currency: str, side: str | None) -> None:
    st.subheader(t("rec.pl_title", currency=currency))
    rows = reconcile.pennylane_totals(ws, connection, currency=currency, side=side)
    total = {field: sum((r[field] for r in rows), start=0) for field in (
        "sent", "sent_total", "checked", "source_total", "unchecked", "unchecked_total", "pennylane_total",
        "mismatches")}
    unchecked = {"n": total["unchecked"], "total": widgets.money(total["unchecked_total"], currency)}
    if not total["checked"]:
        st.info(t("rec.pl_empty", **unchecked) if total["unchecked"] else t("rec.pl_nothing_sent"),
                icon=":material/sync_alt:")
        return
    # First what Écluse sent, all of it and split; below, what the last check found in Pennylane.
    sent, found = st.columns(3), st.columns(3)
    sent[0].metric(t("rec.pl_source"), widgets.money(total["sent_total"], currency),
                   help=t("rec.pl_sent_help", n=total["sent"]), border=True)
    sent[1].metric(t("rec.pl_source_checked"), widgets.money(total["source_total"], currency),
                   help=t("rec.pl_source_checked_help", n=total["checked"]), border=True)
    sent[2].metric(t("rec.pl_unchecked"), widgets.money(total["unchecked_total"], currency),
                   help=t("rec.pl_unchecked_help", n=total["unchecked"]), border=True)
    found[0].metric(t("rec.pl_last_check"),
                    widgets.datetime(max(r["last_checked_at"] for r in rows if r["last_checked_at"])), border=True)
    found[1].metric(t("rec.pl_pennylane"), widgets.money(total["pennylane_total"], currency),
                    help=t("rec.pl_pennylane_help"), border=True)
    found[2].metric(t("rec.pl_mismatches"), total["mismatches"], border=True)
    st.caption(t("rec.pl_since_last_check", **unchecked) if total["unchecked"] else t("rec.pl_all_checked"))
    event = st.plotly_chart(pennylane_figure(rows, currency, connection or ""),
                            key=f"rc_pl_{connection}_{currency}_{side}", on_select="rerun", selection_mode="points",
                            config={"displaylogo": False})
    pennylane_drill_down(ws, widgets.selected_bar(event), connection, currency, side)


def backlog(ws, connection: str | None, side: str | None, currency: str) -> None:
    st.subheader(t("rec.backlog", currency=currency))
    basis = st.segmented_control(
        t("rec.basis"), list(reconcile.AGE_BASES), key=state.keep("rc_basis", "issue_date"), required=True,
        format_func=state.frozen(lambda b: t(f"rec.basis_{b}")), on_change=state.remember, args=("rc_basis",))
    rows = reconcile.backlog_age(ws, basis=basis or "issue_date", connection=connection, side=side,
                                 currency=currency)
    if not rows:
        st.info(t("rec.backlog_empty"))
        return
    st.caption(t("rec.backlog_note", stage=stage_label("review")))
    # "0–7 j" ... "> 90 j" ("90+" reads as a score)
    labels = [t("rec.bucket_days", label=code.replace("-", "–")) if last is not None
              else t("rec.bucket_over", days=first - 1) for code, first, last in reconcile.AGE_BUCKETS]
    codes = [code for code, _f, _l in reconcile.AGE_BUCKETS]
    fig = go.Figure()
    # A connection keeps its colour whichever others have documents waiting (by all its names).
    every = sorted(set(ws.connections()) | {r["connection"] for r in rows})
    for conn in sorted({r["connection"] for r in rows}):
        index = every.index(conn)
        counts = {r["bucket"]: r["documents"] for r in rows if r["connection"] == conn}
        errors = {r["bucket"]: r["with_errors"] for r in rows if r["connection"] == conn}
        fig.add_bar(x=labels, y=[counts.get(c, 0) for c in codes], name=conn,
                    marker={"color": CONNECTION_COLORS[index % len(CONNECTION_COLORS)]},
                    customdata=[errors.get(c, 0) for c in codes],
                    hovertemplate="%{x} · " + conn + "<br>%{y} " + t("rec.hover_documents")
                                  + " (%{customdata} ⚠)<extra></extra>")
    fig.update_layout(barmode="stack", height=300, bargap=0.35, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      yaxis={"title": t("rec.documents_axis"), **count_axis(max(
                          (sum(r["documents"] for r in rows if r["bucket"] == c) for c in codes), default=0))},
                      legend={"orientation": "h", "y": -0.2},
                      showlegend=True)
    st.plotly_chart(fig, key="rc_backlog", config={"displaylogo": False})


def main() -> None:
    st.title(t("rec.title"))
    st.caption(t("rec.intro"))
    ws = state.workspace()
    currencies = [c for c, _n in reconcile.currencies(ws)] or ["EUR"]
    connections = reconcile.connections(ws)
    state.drop_if_not_in("rc_connection", ["", *connections], "")
    c1, c2, c3 = st.columns([2, 1, 2])
    connection = c1.selectbox(t("rec.connection"), [""] + connections, key=state.keep("rc_connection", ""),
                              format_func=state.frozen(lambda c: c or t("rec.all_connections")),
                              on_change=state.remember, args=("rc_connection",))
    currency = c2.selectbox(t("rec.currency"), sorted(currencies, key=lambda c: (c != "EUR", c)), key="rc_currency")
    side_choice = c3.segmented_control(
        t("rec.side"), ["sales", "purchases", "all"], key=state.keep("rc_side", "sales"), required=True,
        format_func=state.frozen(lambda s: t(f"rec.side_{s}")), on_change=state.remember, args=("rc_side",))
    side = None if side_choice in (None, "all") else side_choice
    if side:  # every figure below counts that side only: said once, under the choice
        st.caption(t(f"rec.scope_{side}", currency=currency))

    st.subheader(t("rec.monthly", currency=currency))
    rows = reconcile.monthly_stages(ws, connection or None, currency=currency, side=side)
    if not rows:
        st.info(t("rec.no_data"))
    else:
        st.caption(t("rec.monthly_note") + " " + t("rec.stages_note") + " " + t("rec.discrepancy_note"))
        event = st.plotly_chart(monthly_figure(rows, currency), key=f"rc_monthly_{connection}_{currency}_{side}",
                                on_select="rerun", selection_mode="points", config={"displaylogo": False})
        drill_down(ws, widgets.selected_bar(event), currency, side)
    st.divider()
    pennylane_section(ws, connection or None, currency, side)
    st.divider()
    backlog(ws, connection or None, side, currency)


main()
