"""Reconciliation: monthly totals per connection and status, review backlog age, drill-down."""
from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ecluse import i18n
from ecluse.services import reconcile
from ecluse.ui import state, widgets
from ecluse.ui.state import t

STATUS_COLORS = {
    "to_review": "#E0A030", "approved": "#3C9D6B", "rejected": "#A3A9B0", "on_hold": "#8E6CC2",
    "in_batch": "#3B7DD8", "sent": "#1F6F8B", "failed": "#D0524A", "fetched": "#C8CDD2",
}
CONNECTION_COLORS = ("#1F6F8B", "#E0A030", "#3C9D6B", "#8E6CC2", "#D0524A", "#5B8DB8", "#A3A9B0")
PATTERNS = ("", "/", ".", "x", "-", "|", "+")


def monthly_figure(rows: list[dict[str, Any]], currency: str) -> go.Figure:
    lang = state.lang()
    connections = sorted({r["connection"] for r in rows})
    fig = go.Figure()
    for c_index, connection in enumerate(connections):
        for status in STATUS_COLORS:
            part = [r for r in rows if r["connection"] == connection and r["status"] == status]
            if not part:
                continue
            name = widgets.status_label(status)
            if len(connections) > 1:
                name = f"{name} · {connection}"
            fig.add_bar(
                x=[r["month"] for r in part], y=[float(r["total"] or 0) for r in part], name=name,
                marker={"color": STATUS_COLORS[status],
                        "pattern": {"shape": PATTERNS[c_index % len(PATTERNS)], "solidity": 0.3}},
                customdata=[[r["month"].isoformat(), status, connection, r["documents"],
                             i18n.format_money(r["total"], currency, lang),
                             i18n.format_month(r["month"], lang)] for r in part],
                hovertemplate=f"%{{customdata[5]}} · {name}<br>%{{customdata[4]}} · %{{customdata[3]}} "
                              f"{t('rec.hover_documents')}<extra></extra>",
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
    month, status, connection = bar
    rows, total = reconcile.documents_for(ws, month, status, connection, currency=currency, side=side)
    amount = sum((r["total"] or 0 for r in rows), start=0)
    st.markdown(t("rec.selection", month=i18n.format_month(month, state.lang()), status=widgets.status_label(status),
                  connection=connection, n=total, total=widgets.money(amount, currency)))
    widgets.table([{
        "number": r["number"] or "—", "issue_date": widgets.date(r["issue_date"]),
        "counterparty": r["counterparty"] or "—", "kind": widgets.kind_label(r["kind"]),
        "total": widgets.money(r["total"], r["currency"]), "status": widgets.status_label(r["status"]),
        "findings": widgets.findings_label(r["error_count"], r["warning_count"]),
    } for r in rows], {
        "number": t("col.number"), "issue_date": t("col.issue_date"), "counterparty": t("col.counterparty"),
        "kind": t("col.kind"), "total": t("col.total"), "status": t("col.status"), "findings": t("col.findings"),
    }, key="rc_docs", column_config={t("col.total"): st.column_config.TextColumn(alignment="right")})
    if total > len(rows):
        st.caption(t("rec.more", shown=len(rows), n=total))
    if st.button(t("rec.open_review"), icon=":material/fact_check:", key="rc_open_review"):
        last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        st.session_state["review_preset"] = {"status": [status], "connection": [connection], "from": month, "to": last}
        st.switch_page(st.session_state["_pages"]["review"])


def backlog(ws, connection: str | None) -> None:
    st.subheader(t("rec.backlog"))
    basis = st.segmented_control(
        t("rec.basis"), list(reconcile.AGE_BASES), key=state.keep("rc_basis", "issue_date"), required=True,
        format_func=state.frozen(lambda b: t(f"rec.basis_{b}")), on_change=state.remember, args=("rc_basis",))
    rows = reconcile.backlog_age(ws, basis=basis or "issue_date", connection=connection)
    if not rows:
        st.info(t("rec.backlog_empty"))
        return
    labels = [t("rec.bucket_days", label=code.replace("-", "–")) for code, _f, _l in reconcile.AGE_BUCKETS]
    codes = [code for code, _f, _l in reconcile.AGE_BUCKETS]
    fig = go.Figure()
    for index, conn in enumerate(sorted({r["connection"] for r in rows})):
        counts = {r["bucket"]: r["documents"] for r in rows if r["connection"] == conn}
        errors = {r["bucket"]: r["with_errors"] for r in rows if r["connection"] == conn}
        fig.add_bar(x=labels, y=[counts.get(c, 0) for c in codes], name=conn,
                    marker={"color": CONNECTION_COLORS[index % len(CONNECTION_COLORS)]},
                    customdata=[errors.get(c, 0) for c in codes],
                    hovertemplate="%{x} · " + conn + "<br>%{y} " + t("rec.hover_documents")
                                  + " (%{customdata} ⚠)<extra></extra>")
    fig.update_layout(barmode="stack", height=300, bargap=0.35, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      yaxis={"title": t("rec.documents_axis")}, legend={"orientation": "h", "y": -0.2},
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

    st.subheader(t("rec.monthly", currency=currency))
    rows = reconcile.monthly_totals(ws, connection or None, currency=currency, side=side)
    if not rows:
        st.info(t("rec.no_data"))
    else:
        st.caption(t("rec.monthly_note"))
        event = st.plotly_chart(monthly_figure(rows, currency), key=f"rc_monthly_{connection}_{currency}_{side}",
                                on_select="rerun", selection_mode="points", config={"displaylogo": False})
        drill_down(ws, widgets.selected_bar(event), currency, side)
    st.divider()
    backlog(ws, connection or None)


main()
