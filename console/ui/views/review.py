"""Review: the queue (filtered, sorted and paged in DuckDB), bulk decisions, one document's detail
with fixes in place and suspected duplicates side by side.

A screen of the queue reads the database twice (`services.queue`: the filter options, then the
counts and the page), whatever the size of the cache. After a decision the next document is
selected, so that a reviewer can go through the queue with one button (or Ctrl+Enter).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import streamlit as st

from ecluse import i18n
from ecluse.domain import CUSTOMER_KINDS, IN_BATCH, KINDS, SENT, STATUSES, json_dumps
from ecluse.services import pennylane_lists, queue, reconcile, review
from ecluse.ui import review_panels, state, widgets
from ecluse.ui.state import t

PAGE_SIZE = 50
FINDINGS = ("all", "errors", "warnings", "clean", "duplicates", "changed", "pennylane")
SORTS = ("issue_date", "number", "counterparty", "total", "status", "findings", "connection", "fetched_at")

# Filter widgets and their defaults. Widget state is dropped when the user leaves the page, so
# the values are also kept in "review_saved" and put back on return.
DEFAULTS: dict[str, Any] = {
    "rv_connection": [], "rv_kind": [], "rv_status": [], "rv_from": None, "rv_to": None,
    "rv_counterparty": "", "rv_search": "", "rv_findings": "all", "rv_special": None,
    "rv_sort": "issue_date", "rv_desc": True,
    # The documents of a bar opened from Suivi ({"ids", "label"}): exactly those, whatever the
    # filters cannot say (a currency, a sales/purchases side).
    "rv_ids": None,
}


def k(name: str) -> str:
    """The widget key of a filter, per language (see `state.lkey`)."""
    return state.lkey(name)


def value(name: str) -> Any:
    return st.session_state.get(k(name), DEFAULTS[name])


def restore_filters() -> None:
    saved = st.session_state.setdefault("review_saved", dict(DEFAULTS))
    preset = st.session_state.pop("review_preset", None)
    if preset is not None:
        saved.clear()
        saved.update(DEFAULTS)
        saved.update({f"rv_{name}": v for name, v in preset.items()})
        st.session_state["rv_page"] = 1
    for name, default in DEFAULTS.items():
        if preset is not None or k(name) not in st.session_state:
            st.session_state[k(name)] = saved.get(name, default)


def save_filters() -> None:
    st.session_state["review_saved"] = {name: value(name) for name in DEFAULTS}


def current_filters() -> review.Filters:
    """The filters as the widgets hold them (session state), before the widgets are drawn: the
    page reads the database once, before drawing anything."""
    return review.Filters(
        status=value("rv_status") or None, connection=value("rv_connection") or None,
        kind=value("rv_kind") or None, date_from=value("rv_from"), date_to=value("rv_to"),
        counterparty=(value("rv_counterparty") or "").strip() or None,
        search=(value("rv_search") or "").strip() or None,
        findings=None if value("rv_findings") == "all" else value("rv_findings"),
        ids=(value("rv_ids") or {}).get("ids"),
    )


def drop_gone_connections(connections: list[str]) -> bool:
    """Forget a saved filter on a connection that is gone; True when there was one."""
    kept = value("rv_connection") or []
    if all(c in connections for c in kept):
        return False
    st.session_state[k("rv_connection")] = [c for c in kept if c in connections]
    save_filters()
    return True


def filter_bar(connections: list[str]) -> None:
    special = value("rv_special")
    if special == "pdf_pending":
        cols = st.columns([4, 1])
        cols[0].info(t("review.special_pdf_pending"), icon=":material/hourglass_top:")
        if cols[1].button(t("review.clear_special"), key="rv_clear_special"):
            st.session_state[k("rv_special")] = None
            save_filters()
            st.rerun()
    if chosen := value("rv_ids"):
        cols = st.columns([4, 1])
        cols[0].info(t("review.from_bar", n=len(chosen["ids"]), bar=chosen["label"]), icon=":material/bar_chart:")
        cols[1].button(t("review.clear_special"), key="rv_clear_ids", on_click=clear_ids)
    with st.container(border=True):
        c1, c2, c3, c4 = st.columns(4)
        c1.multiselect(t("review.f_status"), [s for s in STATUSES if s != "fetched"], key=k("rv_status"),
                       format_func=state.frozen(widgets.status_label), placeholder=t("review.all"))
        c2.multiselect(t("review.f_kind"), list(KINDS), key=k("rv_kind"), format_func=state.frozen(widgets.kind_label),
                       placeholder=t("review.all"))
        c3.multiselect(t("review.f_connection"), connections, key=k("rv_connection"), placeholder=t("review.all"))
        c4.selectbox(t("review.f_findings"), FINDINGS, key=k("rv_findings"),
                     format_func=state.frozen(lambda v: t(f"review.findings_{v}")))
        c5, c6, c7, c8 = st.columns(4)
        date_format = widgets.date_format()
        c5.date_input(t("review.f_from"), key=k("rv_from"), format=date_format)
        c6.date_input(t("review.f_to"), key=k("rv_to"), format=date_format)
        c7.text_input(t("review.f_counterparty"), key=k("rv_counterparty"), placeholder=t("review.f_counterparty_ph"))
        c8.text_input(t("review.f_search"), key=k("rv_search"), placeholder=t("review.f_search_ph"))
        if any(value(name) != default for name, default in DEFAULTS.items() if name not in ("rv_sort", "rv_desc")):
            st.button(t("review.reset_filters"), key="rv_reset", icon=":material/filter_alt_off:", on_click=reset_filters)
    save_filters()


def clear_ids() -> None:
    st.session_state[k("rv_ids")] = None
    save_filters()


def reset_filters() -> None:
    """Every filter back to its default (the sort stays): a callback, run before the widgets
    are drawn again."""
    for name, default in DEFAULTS.items():
        if name not in ("rv_sort", "rv_desc"):
            st.session_state[k(name)] = default
    st.session_state["rv_page"] = 1
    save_filters()


def differs(confirmation: str | None) -> bool:
    """Whether the last check in Pennylane since the send found a difference."""
    return confirmation is not None and confirmation != "confirmed"


def check_flag(confirmation: str) -> str:
    """What the last check in Pennylane found, in the list's Suivi column."""
    return t("review.flag_changed_in_pennylane" if confirmation == "changed" else f"review.flag_{confirmation}")


def grid_rows(rows: list[dict[str, Any]], absent: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """`absent`: id → the ledger accounts Pennylane's chart lacks (`review.accounts_absent`)."""
    absent = absent or {}
    return [{
        "number": r["number"] or "—",
        "issue_date": widgets.date(r["issue_date"]),
        "counterparty": r["counterparty"] or "—",
        "kind": widgets.kind_label(r["kind"]),
        "total": widgets.money(r["total"], r["currency"]),
        "status": widgets.status_label(r["status"]),
        "findings": widgets.findings_label(r["error_count"], r["warning_count"]),
        "flags": " · ".join([t(f"review.flag_{f}") for f in ("pdf_pending", "changed")
                             if r["attachment_pending" if f == "pdf_pending" else "changed"]]
                            + ([check_flag(r["confirmation"])] if differs(r.get("confirmation")) else [])
                            + ([t("review.flag_account_absent") + " (" + ", ".join(absent[r["id"]]) + ")"]
                               if r["id"] in absent else [])),
        "connection": r["connection"],
    } for r in rows]


def grid(rows: list[dict[str, Any]], preselect: int | list[int] | None = None,
         absent: dict[str, list[str]] | None = None) -> list[int]:
    """The page of documents; returns the selected row positions. `preselect`: the row to
    select when the grid is drawn anew (after a decision, the next document)."""
    import pandas as pd

    columns = {
        "number": t("col.number"), "issue_date": t("col.issue_date"), "counterparty": t("col.counterparty"),
        "kind": t("col.kind"), "total": t("col.total"), "status": t("col.status"),
        "findings": t("col.findings"), "flags": t("col.flags"), "connection": t("col.connection"),
    }
    frame = pd.DataFrame(grid_rows(rows, absent), columns=list(columns)).rename(columns=columns)
    key = f"rv_grid_{st.session_state.get('rv_grid_version', 0)}"
    st.session_state["_rv_grid_key"] = key
    styled = widgets.status_styler(frame, columns["status"], [r["status"] for r in rows])
    event = st.dataframe(
        styled, hide_index=True, width="stretch", height=min(38 + 35 * max(len(rows), 1), 640),
        key=key, on_select="rerun", selection_mode="multi-row",
        selection_default=({"selection": {"rows": preselect if isinstance(preselect, list) else [preselect]}}
                           if preselect is not None else None),
        column_config={
            columns["total"]: st.column_config.TextColumn(alignment="right"),
            columns["flags"]: st.column_config.TextColumn(help=t("review.flags_help")),
        },
    )
    return list(event.selection.rows) if event is not None else []


def bump_grid() -> None:
    st.session_state["rv_grid_version"] = st.session_state.get("rv_grid_version", 0) + 1


def select_after(ids: list[str], mode: str, position: int = 0, statuses: list[str] | None = None) -> None:
    """On the next run, select a document of the new grid: the next one after `ids` that still
    has one of `statuses` ("next": after a decision, the next document to decide as those
    were, never an approved one after a rejection), or `ids[0]` itself ("same": after a fix,
    or to open a suspected twin), or all of `ids` on the page ("all": the documents a
    decision refused)."""
    st.session_state["rv_after"] = {"ids": list(ids), "mode": mode, "position": position,
                                    "statuses": list(statuses or [])}
    bump_grid()


def next_to_decide(rows: list[dict[str, Any]], start: int, statuses: list[str]) -> int | None:
    """The first row from `start` on whose status is one of `statuses` (any when empty)."""
    return next((i for i in range(start, len(rows)) if not statuses or rows[i]["status"] in statuses), None)


def resolve_after(rows: list[dict[str, Any]]) -> int | list[int] | None | str | tuple[str, list[str], str]:
    """The row (or rows) to preselect for a pending `select_after`, None, "next_page" when
    the next document is the first of the next page, or ("elsewhere", ids, mode) when the
    document to show is not on this page (a decision reordered the list, say)."""
    after = st.session_state.pop("rv_after", None)
    if not after:
        return None
    where = [i for i, r in enumerate(rows) if r["id"] in after["ids"]]
    if after["mode"] == "all" and where:
        return where
    if after["mode"] in ("same", "all"):
        return where[0] if where else ("elsewhere", after["ids"], after["mode"])
    target = max(where) + 1 if where else after["position"]  # decided rows left the list: same place
    found = next_to_decide(rows, target, after.get("statuses") or [])
    if found is not None:
        return found
    st.session_state["rv_after_statuses"] = after.get("statuses") or []  # for the next page
    return "next_page" if rows else None


def named_twins(ws, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings, a suspected duplicate's twin named by its number and connection
    ('VH26003898 (connexion demo)') rather than its id ('demo:1234')."""
    def twin(f: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
        params = i18n.stored(f.get("params"))
        if f["code"] != "suspected_duplicate" or not isinstance(params, dict) or not params.get("other"):
            return None
        return params, str(params["other"])

    found = {i: p for i, p in enumerate(map(twin, findings)) if p}
    known = review.numbers(ws, [other for _params, other in found.values()])
    named = list(findings)
    for i, (params, other) in found.items():
        number, connection = known.get(other, (None, None))
        if number:
            named[i] = {**findings[i], "params": {**params, "other": t("review.twin", number=number,
                                                                        connection=connection)}}
    return named


def after_change(doc_id: str, tab: str = "fix") -> None:
    """A fix or a duplicate answer was recorded: the same document, read again, on the same tab."""
    st.session_state["fx_version"] = st.session_state.get("fx_version", 0) + 1
    st.session_state["rv_tab"] = tab
    select_after([doc_id], "same")
    st.rerun()


def open_document(doc_id: str) -> None:
    select_after([doc_id], "same")
    st.session_state["rv_focus"] = doc_id
    st.rerun()


def report_decision(result: review.DecisionResult, action: str, numbers: dict[str, str]) -> None:
    if result.done:
        state.flash("success", t(f"review.done_{action}", n=len(result.done)))
    if result.refused:
        lines = "\n".join("- " + widgets.labelled(f"**{numbers.get(i, i)}**", widgets.refusal(why))
                          for i, why in result.refused.items())
        state.flash("warning", t("review.refused", n=len(result.refused)) + "\n\n" + lines)


def decide(ws, action: str, ids: list[str], numbers: dict[str, str], *, reason: str, force: bool = False,
           position: int = 0, statuses: list[str] | None = None) -> None:
    try:
        result = review.decide(ws, action, ids, actor=state.signer(), reason=reason or None, force=force)
    except widgets.USER_ERRORS as exc:
        widgets.user_error(exc)
        return
    report_decision(result, action, numbers)
    if result.refused:
        # The refused documents stay on screen, first of them open, the reason kept: moving on
        # would show another invoice under a warning that names this one.
        select_after(list(result.refused), "all")
    else:
        select_after(ids, "next", position, statuses)
        # Emptied before the inputs are drawn again: the browser would send its old value back
        # if the keys were only dropped, and the next click would decide with this reason.
        st.session_state["rv_clear_reason"] = True
    st.rerun()


def actions(ws, selected: list[dict[str, Any]], position: int = 0) -> None:
    ids = [r["id"] for r in selected]
    numbers = {r["id"]: r["number"] or r["id"] for r in selected}
    with_errors = sum(1 for r in selected if r["error_count"])
    with st.container(border=True):
        st.markdown(t("review.selected_n", n=len(selected))
                    + (" · " + t("review.selected_errors", n=with_errors) if with_errors else ""))
        if all(r["status"] in (SENT, IN_BATCH) for r in selected):
            # Nothing to decide: every decision would be refused.
            sent = all(r["status"] == SENT for r in selected)
            st.caption(t("review.no_decision_batch" if not sent
                         else "review.no_decision_checked" if any(differs(r.get("confirmation")) for r in selected)
                         else "review.no_decision_sent"))
            return
        if st.session_state.pop("rv_clear_reason", False):
            st.session_state["rv_reason"], st.session_state["rv_force"] = "", False
        reason = st.text_input(t("review.reason"), key="rv_reason", placeholder=t("review.reason_ph"))
        force = st.checkbox(t("review.force"), key="rv_force", help=t("review.force_help")) if with_errors else False
        cols = st.columns(4)
        approve_label = t("review.approve_force") if force else t("review.approve")
        # A decision none of the selected documents can take is greyed out (Rouvrir on a document
        # to review, say), rather than offered and refused.
        possible = {action: any(r["status"] in review.DECISION_FROM[action] for r in selected)
                    for action in review.DECISION_FROM}
        clicked = None
        if cols[0].button(approve_label, type="primary", icon=":material/check:", key="rv_approve", width="stretch",
                          shortcut="Ctrl+Enter", help=t("queue.approve_help"), disabled=not possible["approve"]):
            clicked = "approve"
        if cols[1].button(t("review.reject"), icon=":material/block:", key="rv_reject", width="stretch",
                          disabled=not possible["reject"]):
            clicked = "reject"
        if cols[2].button(t("review.hold"), icon=":material/pause:", key="rv_hold", width="stretch",
                          disabled=not possible["hold"]):
            clicked = "hold"
        if cols[3].button(t("review.reopen"), icon=":material/undo:", key="rv_reopen", width="stretch",
                          disabled=not possible["reopen"]):
            clicked = "reopen"
        if clicked is None:
            return
        reason = (reason or "").strip()
        if clicked in ("reject", "hold") and not reason:
            st.error(t("review.reason_required", action=t(f"review.{clicked}").lower()), icon=":material/error:")
            return
        if clicked == "approve" and force and not reason:
            st.error(t("review.force_reason_required"), icon=":material/error:")
            return
        decide(ws, clicked, ids, numbers, reason=reason, force=(clicked == "approve" and force), position=position,
               statuses=sorted({r["status"] for r in selected}))


ALL_VALID = "rv_all_valid"  # the popover's key: whether it is open, closed once confirmed


def all_valid_filters(ws, filters: review.Filters, pdf_pending: bool) -> review.Filters:
    """The filters "approve all valid" acts on: the list's, only documents whose PDF comes later
    when the list shows only those."""
    if pdf_pending:  # an empty list of ids would mean "no filter"
        return replace(filters, ids=reconcile.pending_attachments(ws) or ["\x00none"])
    return replace(filters)


def approve_all_valid(ws, filters: review.Filters, count: int, pdf_pending: bool, warned: int = 0,
                      left_out: int = 0, chart: pennylane_lists.Lists | None = None, duplicates: int = 0) -> None:
    """`count`: the documents awaiting review without error under the filters (`queue.page`),
    `warned` of them with a warning (a history import, a foreign currency...): approved too;
    `left_out` of them whose ledger account Pennylane's chart lacks: not approved
    (`review.approve_all_valid`), said why. The popover closes once confirmed (it covered the
    first rows of the list that changed). `chart`: Pennylane's lists as the page loaded them.
    `duplicates`: those without error left out as suspected duplicates no reviewer answered."""
    count -= left_out
    nothing = count <= 0 and not left_out and not duplicates  # else the popover says why they are left out
    with st.popover(t("review.approve_all_valid", n=count), icon=":material/done_all:", disabled=nothing,
                    help=t("review.approve_all_valid_none") if nothing else None, key=ALL_VALID,
                    on_change="rerun"):
        if duplicates:
            st.info(t("review.approve_all_valid_duplicates", n=duplicates), icon=":material/content_copy:")
        if left_out:
            st.warning(t("review.approve_all_valid_left_out", n=left_out,
                         when=widgets.datetime(chart.fetched_at) if chart else "—"), icon=":material/account_tree:")
        if count <= 0:  # left open while the list changed (another reviewer, a sync)
            st.markdown(t("review.approve_all_valid_none"))
            return
        st.markdown(t("review.approve_all_valid_confirm", n=count))
        if warned:
            st.warning(t("review.approve_all_valid_warned", n=warned), icon=":material/warning:")
        st.button(t("review.confirm"), type="primary", key="rv_all_valid_confirm", on_click=confirm_all_valid,
                  args=(ws, filters, pdf_pending))


def confirm_all_valid(ws, filters: review.Filters, pdf_pending: bool) -> None:
    """"Confirmer" (a callback, before the page is drawn again): approve, say what was done
    at the top of the page, and close the popover."""
    st.session_state[ALL_VALID] = False
    try:
        result = review.approve_all_valid(ws, actor=state.signer(), filters=all_valid_filters(ws, filters, pdf_pending))
    except widgets.USER_ERRORS as exc:
        state.flash("error", widgets.error_line(exc))
        return
    if not result.done and not result.refused and not result.left_out:  # approved by someone else meanwhile
        state.flash("info", t("review.approve_all_valid_none"))
    report_decision(result, "approve", {})
    if result.left_out:
        accounts = sorted({a for numbers in result.left_out.values() for a in numbers})
        state.flash("warning", t("review.left_out", n=len(result.left_out), accounts=", ".join(accounts)))
    bump_grid()


# -- detail --------------------------------------------------------------------------------
def _address(cp: dict[str, Any]) -> str:
    city = " ".join(p for p in (cp.get("postal_code"), cp.get("city")) if p)
    parts = [cp.get("street"), city, cp.get("country_alpha2")]
    text = ", ".join(p for p in parts if p)
    return text or cp.get("address_raw") or "—"


def show_attachment(ws, doc: dict[str, Any]) -> None:
    sha = doc.get("attachment_sha256")
    if not sha:
        if doc.get("attachment_pending"):
            st.info(t("review.pdf_pending"), icon=":material/hourglass_top:")
        else:
            st.warning(t("review.pdf_missing"))
        return
    content = ws.get_attachment(sha)
    if content is None:
        st.warning(t("review.pdf_not_in_store"))
        return
    name = doc.get("attachment_filename") or f"{doc.get('number') or sha[:12]}.pdf"
    if widgets.is_image(content):
        st.image(content, caption=name)
    else:
        try:
            images = widgets.pdf_pages_as_png(content)
        except Exception:  # noqa: BLE001 - a damaged file: offer the download
            images = []
            st.warning(t("review.pdf_unreadable"))
        if images is None:
            st.info(t("review.pdf_preview_unavailable"), icon=":material/picture_as_pdf:")
        for number, png in enumerate(images or [], start=1):
            st.image(png, caption=t("review.pdf_page", n=number), width="stretch")
    st.download_button(t("review.pdf_download", name=name), content, file_name=name,
                       mime="application/pdf" if not widgets.is_image(content) else None,
                       icon=":material/download:", key=f"rv_pdf_{doc['id']}", on_click="ignore")


def detail(ws, doc_id: str, chart: pennylane_lists.Lists | None = None) -> None:
    """`chart`: Pennylane's lists as the page loaded them (read once per rerun)."""
    doc = review.get_document(ws, doc_id)
    if doc is None:
        st.warning(t("review.gone"))
        return
    # Read once for the Lignes tab and Corriger's line form (the send's rules, the chart read).
    doc["lines_as_sent"] = review.lines_as_sent(ws, doc_id, lists=chart)
    doc["chart"] = chart
    currency = doc["currency"]
    with st.container(border=True):
        head = st.columns([3, 1])
        head[0].subheader(f"{widgets.kind_label(doc['kind'])} {doc['number'] or '—'}")
        with head[1]:
            widgets.status_badge(doc["status"])
        if doc.get("status_reason"):
            st.caption(review_panels.status_caption(doc))
        if doc.get("changed_after_sending"):
            change_after_sending(ws, doc)
        if doc.get("confirmation") and differs(doc["confirmation"]["status"]):
            check_in_pennylane(doc)
        m = st.columns(5)
        m[0].metric(t("col.issue_date"), widgets.date(doc["issue_date"]))
        m[1].metric(t("col.due_date"), widgets.date(doc["due_date"]))
        m[2].metric(t("col.total_before_tax"), widgets.money(doc["total_before_tax"], currency))
        m[3].metric(t("col.total_tax"), widgets.money(doc["total_tax"], currency))
        m[4].metric(t("col.total"), widgets.money(doc["total"], currency))
        cp = doc.get("counterparty") or {}
        # By the document's kind: a sale without its client is still a sale.
        role = t("review.customer") if doc["kind"] in CUSTOMER_KINDS else t("review.supplier")
        st.markdown("**" + t("review.counterparty_line", role=role, name=cp.get("name") or "—") + "**")
        facts = [
            (t("review.address"), _address(cp)),
            (t("review.vat_number"), cp.get("vat_number") or "—"),
            ("SIREN / SIRET", " · ".join(v for v in (cp.get("siren"), cp.get("siret")) if v) or "—"),
            (t("review.source"), f"{doc['connection']} · {doc['source_id']}"),
        ]
        for col, (label, text) in zip(st.columns(4), facts):
            col.caption(label)
            col.markdown(text)
        check = doc.get("confirmation") or {}
        if doc.get("pennylane_url") and check.get("status") == "missing":  # the link leads nowhere
            st.caption(t("review.pennylane_deleted", when=widgets.datetime(check["checked_at"])))
        elif doc.get("pennylane_url"):
            st.link_button(t("review.open_pennylane"), doc["pennylane_url"], icon=":material/open_in_new:")

    findings = doc["findings"]
    errors = [f for f in findings if f["severity"] == "error"]
    left, right = st.columns([3, 2], gap="medium")
    with right:
        st.markdown(f"**{t('review.tab_pdf')}**")
        show_attachment(ws, doc)
    twins = sum(1 for f in findings if f["code"] == "suspected_duplicate")
    tab_names = [t("review.tab_findings", n=len(findings)), t("fx.tab", n=len(doc["fixes"])),
                 t("review.tab_lines", n=len(doc["lines"])), t("review.tab_history"), t("review.tab_source")]
    show_twins = twins or any(h["action"] == "duplicate_dismissed" for h in doc["history"])
    if show_twins:
        tab_names.insert(1, t("dup.tab", n=twins))
    if doc.get("changed"):
        tab_names.append(t("review.tab_changes"))
    chosen = {"fix": tab_names[2 if show_twins else 1], "duplicates": tab_names[1] if show_twins else None}
    with left:
        tabs = list(st.tabs(tab_names, default=chosen.get(st.session_state.pop("rv_tab", ""))))
    if show_twins:
        with tabs.pop(1):
            review_panels.duplicates_tab(ws, doc["id"], lambda d: after_change(d, "duplicates"), open_document)
    with tabs.pop(1):
        review_panels.fixes_tab(ws, doc, after_change)
    with tabs[0]:
        if not findings:
            st.success(t("review.no_findings"), icon=":material/check_circle:")
        for f in named_twins(ws, errors + [f for f in findings if f["severity"] != "error"]):
            text = f"**{widgets.finding_title(f['code'])}** — {widgets.finding_detail(f, doc['currency'])}"
            if f.get("field") and f["code"] != "suspected_duplicate":  # its field is the twin's id
                text += "  \n" + t("review.finding_field", field=review_panels.field_label(f["field"]))
            (st.error if f["severity"] == "error" else st.warning)(text)
    with tabs[1]:
        lines_tab(ws, doc)
    with tabs[2]:
        widgets.table([{
            "recorded_at": widgets.datetime(h["recorded_at"]), "actor": review_panels.history_actor(h),
            "action": widgets.action_label(h["action"]),
            "change": review_panels.history_entry(h),
            "reason": review_panels.history_reason(h, doc["findings"]),
        } for h in doc["history"]], {  # five columns: the tab shares the width with the PDF
            "recorded_at": t("col.when"), "actor": t("col.actor"), "action": t("col.action"),
            "change": t("col.change"), "reason": t("col.reason"),
        }, key="rv_history")
    with tabs[3]:
        with st.expander(t("review.raw"), expanded=True):
            st.json(json.loads(json_dumps(doc.get("raw") or {})), expanded=2)
    if doc.get("changed"):
        with tabs[4]:
            widgets.table([{"field": field, "before": review_panels.short(pair[0]), "after": review_panels.short(pair[1])}
                           for field, pair in doc["changed"].items()],
                          {"field": t("col.field"), "before": t("col.before"), "after": t("col.after")},
                          key="rv_changes")


def account_label(account: dict[str, Any]) -> str:
    """The account a line will be sent to, and why when it is not its code's own mapping:
    "706000", "706100 (par kind:Product)", "706000 (par défaut)", "706100 (corrigé)", "aucun";
    flagged when Pennylane's chart (last read) lacks it or has it disabled."""
    source = account["source"]
    shown = account["account"] if source == "code" else t(f"lines.account_{source}", account=account["account"],
                                                             part=account["via"])
    chart = account.get("chart")
    return t(f"lines.account_{chart}", shown=shown) if chart in ("absent", "disabled") else shown


def vat_label(account: dict[str, Any]) -> str:
    """The VAT code the send will give a line, and where it comes from (`review.lines_as_sent`)."""
    return t(f"lines.vat_{account['vat_source']}", code=account["vat_code"])


def lines_tab(ws, doc: dict[str, Any]) -> None:
    """The document's lines, each with the Pennylane account and VAT code the send will give it
    (the send's own rules, `review.lines_as_sent`) right after its label (the tab shares the
    width with the PDF), the source's accounting code further on."""
    currency = doc["currency"]
    accounts = doc["lines_as_sent"]
    missing_line = {"account": None, "source": "none", "via": None, "vat_code": None, "vat_source": "none"}
    accounts_shown = accounts + [missing_line] * (len(doc["lines"]) - len(accounts))  # [] if gone since
    chart = doc.get("chart")
    labels = {
        "label": t("col.label"), "account": t("lines.col_account"), "account_label": t("lines.col_account_label"),
        "vat_code": t("fx.vat_code"),
        "amount_before_tax": t("col.total_before_tax"), "vat_rate": t("col.vat_rate"),
        "tax": t("col.total_tax"), "amount": t("col.total"),
        "source_code": t("lines.col_source_code"), "quantity": t("col.quantity"), "unit_price": t("col.unit_price"),
    }
    if chart is None:  # the chart never read: no names to show
        del labels["account_label"]
    widgets.table([{
        # a sent document's accounts were in Pennylane when it went: no flag on them now
        "label": line["label"],
        "account": account_label(account if doc["status"] != SENT else {**account, "chart": None}),
        "vat_code": vat_label(account),
        "account_label": account.get("account_label") or "—",
        "source_code": line.get("accounting_hint") or "—", "quantity": widgets.number(line["quantity"]),
        "unit_price": widgets.money(line["unit_price"], currency),
        "vat_rate": "—" if line["vat_rate"] is None else widgets.percent(line["vat_rate"]),
        "amount_before_tax": widgets.money(line["amount_before_tax"], currency),
        "tax": widgets.money(line["tax"], currency), "amount": widgets.money(line["amount"], currency),
    } for line, account in zip(doc["lines"], accounts_shown)],
        labels,
        key="rv_lines",
        column_config={
            labels["account"]: st.column_config.TextColumn(help=t("lines.col_account_help")),
            labels["vat_code"]: st.column_config.TextColumn(help=t("lines.col_vat_help")),
            **({labels["account_label"]: st.column_config.TextColumn(
                help=t("lines.col_account_label_help", when=widgets.datetime(chart.fetched_at)))} if chart else {}),
        })
    st.caption(t("lines.fullscreen"))  # eleven columns beside the PDF: Streamlit's own fullscreen shows them all
    if doc["status"] == SENT:  # what is sent is in Pennylane: nothing left to do here
        return
    for flag in ("absent", "disabled"):
        numbers = sorted({a["account"] for a in accounts if a.get("chart") == flag})
        if numbers:
            st.warning(t(f"lines.accounts_{flag}", n=len(numbers), accounts=", ".join(numbers)),
                       icon=":material/account_tree:")
    missing = sum(1 for a in accounts if a["source"] == "none")
    if missing:
        st.warning(t("lines.no_account", n=missing), icon=":material/account_tree:")
        pages = st.session_state.get("_pages", {})
        if "mappings" in pages:
            st.page_link(pages["mappings"], label=t("fx.open_mappings"), icon=":material/rule:")


def check_in_pennylane(doc: dict[str, Any]) -> None:
    """A sent document the last check in Pennylane found different (Suivi's "Écart avec
    Pennylane"): what it found, in the reader's language, and what to do about it."""
    check = doc["confirmation"]
    text = t("review.check_title", when=widgets.datetime(check["checked_at"]),
             message=widgets.said_or(check["message"], check["said"]) or t(f"rec.check_{check['status']}").lower())
    if check["status"] == "amount_mismatch":
        text += "  \n" + t("review.check_amounts", expected=widgets.money(check["expected_amount"], doc["currency"]),
                           found=widgets.money(check["pennylane_amount"], doc["currency"]))
    st.error(text + "  \n" + t(f"review.check_todo_{check['status']}"), icon=":material/sync_problem:")


def change_after_sending(ws, doc: dict[str, Any]) -> None:
    """A sent document the source changed (or no longer lists): said above all else, until the
    accountant marks it handled, saying what was done in Pennylane."""
    if doc.get("changed"):
        what = "review.changed_after_sending"
    elif review.gone_from_source(doc):
        what = "review.gone_after_sending"
    else:  # changed while in a batch (send.py), its differences already settled by a decision
        what = "review.flagged_after_sending"
    st.warning(t(what), icon=":material/difference:")
    # What the previous run showed: the run a click starts reads the document again.
    seen_key = f"rv_ack_seen_{doc['id']}"
    token = review.shown_change_token(doc)
    seen = st.session_state.get(seen_key, token)
    st.session_state[seen_key] = token
    with st.form(f"rv_ack_{doc['id']}", border=False):
        cols = st.columns([5, 3], vertical_alignment="bottom")  # the button's label whole
        reason = cols[0].text_input(t("review.ack_reason"), placeholder=t("review.ack_reason_ph"), key=f"rv_ack_reason_{doc['id']}")
        if not cols[1].form_submit_button(t("review.ack"), icon=":material/task_alt:", width="stretch"):
            return
    if not (reason or "").strip():
        st.error(t("review.ack_reason_required"), icon=":material/error:")
        return
    try:
        result = review.acknowledge_change(ws, [doc["id"]], actor=state.signer(), reason=reason,
                                           seen={doc["id"]: seen})
    except widgets.USER_ERRORS as exc:
        widgets.user_error(exc)
        return
    if result.done:
        state.flash("success", t("review.ack_done"))
    for why in result.refused.values():
        state.flash("warning", widgets.refusal(why))
    select_after([doc["id"]], "same")  # the list may have lost it (changed filter): it stays shown
    st.rerun()


def problems_section(ws, count: int, expanded: bool, connections: list[str] | None) -> None:
    """The records kept as problems, of the connections filtered on (all when none is)."""
    if not count:
        return
    problems = review.list_problems(ws, connections=connections)
    if not problems:
        return
    grid_key = "rv_problems_" + hashlib.sha1(repr([p["id"] for p in problems]).encode()).hexdigest()[:12]
    st.session_state["_rv_problems_key"] = grid_key
    with st.expander(t("review.problems", n=len(problems)), expanded=expanded, icon=":material/report:"):
        st.caption(t("review.problems_help"))
        raws = [review_panels.loads(p["raw"]) for p in problems]
        event = widgets.table([{**p, "recorded_at": widgets.datetime(p["recorded_at"]), "source_id": p["source_id"] or "—",
                                # the number the reader knows, when the payload has one (Harvest's does)
                                "number": str(raw.get("number") or "—") if isinstance(raw, dict) else "—",
                                "message": widgets.said_or(p["message"], p["said"]),
                                "raw": review_panels.short(raw)[:300]} for p, raw in zip(problems, raws)], {
            "connection": t("col.connection"), "number": t("col.number"), "source_id": t("col.source_id"),
            "message": t("col.message"), "recorded_at": t("col.when"), "raw": t("col.raw"),
        }, key=grid_key, on_select="rerun", selection_mode="multi-row",
            column_config={t("col.message"): st.column_config.TextColumn(width="large")})
        # Rows are positions in this very list: the key changes with the list (a sync that adds
        # one, a dismissal), so a selection never lands on a record that was not ticked.
        rows = event.selection.rows if event is not None else []
        picked = [problems[i]["id"] for i in rows if i < len(problems)]
        # What the reviewer saw ticked when clicking: the list may have changed with that click.
        ticked = st.session_state.get("_rv_problems_picked") or picked
        st.session_state["_rv_problems_picked"] = picked
        if len(rows) == 1 and rows[0] < len(problems):  # one ticked: its whole message and payload
            one = problems[rows[0]]
            st.markdown(widgets.said_or(one["message"], one["said"]))
            st.json(raws[rows[0]], expanded=1)
        with st.form("rv_problems_form", clear_on_submit=True, border=False):
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            reason = c1.text_input(t("review.problems_reason"), placeholder=t("review.problems_reason_ph"))
            # Never disabled: a click as the list changes must still reach the ids ticked.
            dismiss = c2.form_submit_button(t("review.problems_dismiss", n=len(picked)), key="rv_problems_dismiss")
        if dismiss and not ticked:
            st.warning(t("review.problems_none_ticked"), icon=":material/check_box_outline_blank:")
        elif dismiss:
            try:
                result = review.dismiss_problems(ws, ticked, actor=state.signer(), reason=reason)
            except widgets.USER_ERRORS as exc:
                widgets.user_error(exc)
                return
            if result.done:
                state.flash("success", t("review.problems_dismissed", n=len(result.done)))
            if result.refused:  # a sync or another reviewer closed them meanwhile
                state.flash("warning", t("review.problems_not_dismissed", n=len(result.refused)))
            st.rerun()


def main() -> None:
    st.title(t("review.title"))
    ws = state.workspace()
    restore_filters()
    widgets.show_flashes()
    special = value("rv_special")
    filters = current_filters()
    signature = repr((filters, special, value("rv_sort"), value("rv_desc")))
    if st.session_state.get("_rv_signature") != signature:
        st.session_state["_rv_signature"] = signature
        st.session_state["rv_page"] = 1
        st.session_state.pop("rv_focus", None)
        bump_grid()
    pdf_pending = special == "pdf_pending"

    def read(page_number: int) -> queue.Page:
        return queue.page(ws, filters, sort=value("rv_sort"), descending=value("rv_desc"), limit=PAGE_SIZE,
                          offset=(page_number - 1) * PAGE_SIZE, pdf_pending=pdf_pending)

    # One unit of work for the whole screen (see services/queue.py); rarely a second one.
    number = int(st.session_state.get("rv_page", 1) or 1)
    result = read(number)
    if drop_gone_connections(result.connections):
        st.rerun()
    pages = max(1, -(-result.total // PAGE_SIZE))
    if number > pages:  # fewer documents than when this page was chosen
        number = st.session_state["rv_page"] = pages
        result = read(number)
    preselect = resolve_after(result.rows)
    if isinstance(preselect, tuple):  # on another page of the same list, or left out by the filters
        _elsewhere, ids, mode = preselect
        found = queue.position(ws, filters, ids[0], sort=value("rv_sort"), descending=value("rv_desc"),
                               pdf_pending=pdf_pending)
        preselect = None
        if found is None:
            st.session_state["rv_focus"] = ids[0]  # shown below the list
        else:
            number = st.session_state["rv_page"] = found // PAGE_SIZE + 1
            result = read(number)
            where = [i for i, r in enumerate(result.rows) if r["id"] in ids]
            preselect = (where if mode == "all" else where[0]) if where else None
    if preselect == "next_page":
        statuses = st.session_state.pop("rv_after_statuses", [])
        if number < pages:
            number = st.session_state["rv_page"] = number + 1
            result = read(number)
            preselect = next_to_decide(result.rows, 0, statuses)
        else:
            preselect = None

    problems_section(ws, result.open_problems, expanded=(special == "problems"), connections=filters.connection)
    filter_bar(result.connections)
    head = st.columns([2, 1, 1, 1])
    with head[1]:
        st.selectbox(t("review.sort"), SORTS, key=k("rv_sort"), format_func=state.frozen(lambda v: t(f"sort.{v}")))
    with head[2]:
        st.toggle(t("review.descending"), key=k("rv_desc"))
    save_filters()
    with head[3]:
        st.number_input(t("review.page", pages=pages), min_value=1, max_value=pages, step=1, key="rv_page",
                        on_change=bump_grid)
    head[0].markdown(t("review.total", n=result.total))
    # Known only once Pennylane's lists were read (Correspondances): what the send would hold.
    chart = pennylane_lists.load(ws)
    left_out = len(review.accounts_absent(ws, review.valid_ids(ws, all_valid_filters(ws, filters, pdf_pending)), chart)) \
        if chart is not None and result.approvable else 0
    with head[0]:
        approve_all_valid(ws, filters, result.approvable, pdf_pending, result.approvable_warned, left_out, chart,
                          result.duplicates_open)

    rows = result.rows
    absent = review.accounts_absent(ws, [r["id"] for r in rows if r["status"] not in (SENT, IN_BATCH)], chart) \
        if chart is not None else {}
    if not rows:
        st.info(t("review.empty"))
    positions = [i for i in grid(rows, preselect if isinstance(preselect, (int, list)) else None, absent) if i < len(rows)] \
        if rows else []
    selected_rows = [rows[i] for i in positions]
    if rows:
        st.caption(t("review.select_hint"))
    if not selected_rows:
        focus = st.session_state.get("rv_focus")
        if focus:  # a document just fixed or opened that these filters no longer list
            st.info(t("queue.focus_outside"), icon=":material/filter_alt_off:")
            detail(ws, focus, chart)
        return
    st.session_state.pop("rv_focus", None)
    actions(ws, selected_rows, position=min(positions))
    if len(selected_rows) == 1:
        current = selected_rows[0]["id"]
    else:
        labels = {r["id"]: f"{r['number'] or r['id']} — {r['counterparty'] or ''}" for r in selected_rows}
        current = st.selectbox(t("review.detail_of"), list(labels), format_func=labels.get, key="rv_detail")
    detail(ws, current, chart)


main()
