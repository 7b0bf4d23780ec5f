"""Overview: what needs attention, counts per status, the last syncs."""
from __future__ import annotations


import streamlit as st

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
    todo = mappings.summary(ws, lists=pennylane_lists.load(ws))
    parts = []
    if todo["ledger_unmapped"]:
        parts.append(t("map.todo_ledger", n=todo["ledger_unmapped"], lines=todo["ledger_unmapped_lines"]))
    if todo["vat_unmapped"]:
        parts.append(t("map.todo_vat", n=todo["vat_unmapped"], lines=todo["vat_unmapped_lines"]))
    if todo["accounts_absent"]:
        parts.append(t("next.accounts_absent", n=todo["accounts_absent"]))
    if todo["categories_missing"]:
        parts.append(t("next.categories_missing", n=todo["categories_missing"]))
    # Default categories are optional: they are mentioned, but never make the card, nor its count.
    required = todo["ledger_unmapped"] + todo["vat_unmapped"] + todo["accounts_absent"]
    if required:
        steps.append(("mappings", required, " ".join(parts), "mappings", ":material/rule:"))
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
    cards = len(shown) + len(steps)
    cols = st.columns(min(cards, 4))
    for index, (code, count, preset, icon) in enumerate(shown):
        with cols[index % len(cols)].container(border=True, height="stretch"):
            card(t(f"attention.{code}"), count, t(f"attention.{code}_help"))
            if st.button(t("overview.open"), key=f"ov_open_{code}", icon=icon):
                widgets.open_review(preset)
    pages = st.session_state.get("_pages") or {}
    for index, (code, count, text, page, icon) in enumerate(steps, start=len(shown)):
        with cols[index % len(cols)].container(border=True, height="stretch"):
            card(t(f"next.{code}"), count, text)
            if page in pages:
                st.page_link(pages[page], label=t(f"nav.{page}"), icon=icon)


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
