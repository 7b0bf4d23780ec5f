"""Overview: what needs attention, counts per status, the last syncs."""
from __future__ import annotations


import streamlit as st

from ecluse import i18n
from ecluse.domain import STATUSES
from ecluse.services import mappings, pennylane_lists, reconcile, review, setup
from ecluse.ui import state, widgets
from ecluse.ui.state import t


def first_step(ws) -> None:
    """An empty workspace: one button that syncs the demo connection."""
    st.info(t("overview.empty"), icon=":material/waving_hand:")
    plugins = state.plugins()
    if setup.DEMO_CONNECTION not in ws.connections():
        if "demo" not in plugins.connectors:
            st.warning(t("overview.no_demo"))
            return
        ws.set_connection(setup.DEMO_CONNECTION, plugins.connector("demo"), {})
    running = widgets.sync_running(ws, setup.DEMO_CONNECTION)
    if st.button(t("overview.sync_demo"), type="primary", icon=":material/sync:", disabled=running,
                 key="ov_sync_demo"):
        widgets.start_sync(ws, setup.DEMO_CONNECTION)
        st.rerun()
    st.caption(t("overview.empty_next"))


def next_steps(ws, summary: dict) -> list[tuple[str, int | None, str, str, str]]:
    """Beyond review, what stands between the approved documents and Pennylane, and what is
    ready to go: (code, count or None, text, page, icon), each opening its page."""
    steps: list[tuple[str, int | None, str, str, str]] = []
    # A connection whose last sync failed, or whose connector is not loaded, reads nothing new.
    failing = [r["name"] for r in setup.describe_connections(ws, state.plugins())
               if r["last_status"] in ("failed", setup.NOT_LOADED)]
    if failing:
        steps.append(("connections_failing", len(failing),
                      t("next.connections_failing_help", n=len(failing), names=", ".join(failing)),
                      "connections", ":material/sync_problem:"))
    approved = summary["documents"]["approved"]
    source = ws.pennylane_token_source()
    unset = widgets.token_env_unset(source)
    if source is None:
        steps.append(("destination", None, t("next.destination_help"), "send", ":material/key_off:"))
    elif unset:
        steps.append(("destination", None, t("next.token_unset_help", var=unset), "send", ":material/key_off:"))
    elif ws.pennylane().get("dry_run", True):
        if approved:
            steps.append(("dry_run", approved, t("next.dry_run_help", n=approved), "send", ":material/science:"))
    elif approved:
        steps.append(("send", approved, t("next.send_help", n=approved), "send", ":material/send:"))
    _rows, differences = reconcile.confirmations_for(ws, currency=None, only_mismatches=True, limit=1)
    if differences:
        steps.append(("differences", differences, t("next.differences_help", n=differences), "reconciliation",
                      ":material/difference:"))
    # the same list and count as the Mappings page's banner (`mappings.todo`); optional categories
    # alone never make the card
    todo = mappings.todo(mappings.summary(ws, lists=pennylane_lists.load(ws)))
    if mappings.todo_required(todo):
        steps.append(("mappings", mappings.todo_count(todo), i18n.todo_text(todo, state.lang()), "mappings",
                      ":material/rule:"))
    return steps


def attention(ws, summary: dict) -> None:
    docs = summary["documents"]
    pending = len(reconcile.pending_attachments(ws))
    items = [
        ("to_review", docs["to_review"], {"status": ["to_review"]}, ":material/rate_review:"),
        ("errors", summary["to_review_with_errors"], {"status": ["to_review"], "findings": "errors"},
         ":material/error:"),
        ("on_hold", docs["on_hold"], {"status": ["on_hold"]}, ":material/pause_circle:"),
        ("failed", docs["failed"], {"status": ["failed"]}, ":material/cancel:"),
        ("changed", summary["changed_after_sending"], {"findings": "changed"}, ":material/difference:"),
        ("pdf_pending", pending, {"special": "pdf_pending"}, ":material/hourglass_top:"),
        ("problems", summary["open_problems"], {"special": "problems"}, ":material/report:"),
    ]
    shown = [i for i in items if i[1]]
    steps = next_steps(ws, summary)
    st.subheader(t("overview.attention"))
    if not shown and not steps:
        st.success(t("overview.all_clear"), icon=":material/check_circle:")
        return
    # one grid, rows of equal height (at most five cards a row, the rows balanced), every card
    # ending with the same button
    cards = [("review", code, count, t(f"attention.{code}"), t(f"attention.{code}_help"), preset, icon)
             for code, count, preset, icon in shown]
    cards += [("page", code, count, t(f"next.{code}"), text, page, icon) for code, count, text, page, icon in steps]
    rows = -(-len(cards) // 5)
    per_row = -(-len(cards) // rows)
    pages = st.session_state.get("_pages") or {}
    for start in range(0, len(cards), per_row):
        cols = st.columns(per_row)
        for col, (kind, code, count, title, text, target, icon) in zip(cols, cards[start:start + per_row]):
            with col.container(border=True, height="stretch"):
                card(title, count, text)
                if kind == "review":
                    if st.button(t("overview.open"), key=f"ov_open_{code}", icon=icon):
                        widgets.open_review(target)
                elif target in pages and st.button(t(f"nav.{target}"), key=f"ov_page_{code}", icon=icon):
                    st.switch_page(pages[target])


def card(title: str, count: int | None, text: str) -> None:
    st.markdown(f"**{title}**")
    if count is not None:
        st.markdown(f"<span style='font-size:1.8rem;font-weight:600'>{count}</span>", unsafe_allow_html=True)
    st.caption(text)


def main() -> None:
    st.title(t("overview.title"))
    widgets.show_flashes()
    ws = state.workspace()
    summary = review.status_summary(ws)
    for job in state.JOBS.jobs(ws):
        widgets.sync_panel(ws, job.connection)
    if summary["total"] == 0 and not summary["last_syncs"]:
        first_step(ws)
        return
    if summary["total"] == 0:
        st.info(t("overview.no_documents"))
    attention(ws, summary)

    st.subheader(t("overview.by_status"))
    statuses = [s for s in STATUSES if s != "fetched"]
    for row_start in range(0, len(statuses), 4):
        cols = st.columns(4)
        for col, status in zip(cols, statuses[row_start:row_start + 4]):
            col.metric(widgets.status_label(status), summary["documents"].get(status, 0), border=True)
    st.caption(t("overview.total", n=summary["total"]))

    st.subheader(t("overview.last_syncs"))
    runs = [{**r, "started_at": widgets.datetime(r["started_at"]), "status": t(f"run.{r['status']}"),
             "error": widgets.run_error(r["error"], r["error_said"])}
            for r in summary["last_syncs"]]
    widgets.table(runs, {
        "connection": t("col.connection"), "started_at": t("col.started_at"), "status": t("col.status"),
        "fetched": t("col.fetched"), "created": t("col.created"), "updated": t("col.updated"),
        "problems": t("col.problems"), "error": t("col.error"),
    }, key="ov_runs")


main()
