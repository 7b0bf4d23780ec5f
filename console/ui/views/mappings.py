"""Mappings: accounting codes → ledger accounts, VAT rates → Pennylane codes, a default category
per connection, counterparty matches. Stored in ecluse.toml, applied by the send."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
import streamlit as st

from ecluse import i18n
from ecluse.pennylane import vat as vat_codes
from ecluse.services import mappings, pennylane_lists
from ecluse.ui import state, widgets
from ecluse.ui.state import t

STATES = ("mapped", "default", "fallback", "unmapped", "invalid")


def state_label(code: str) -> str:
    return t(f"map.state_{code}")


def version(kind: str) -> int:
    return st.session_state.get(f"mp_version_{kind}", 0)


def saved(kind: str, n: int) -> None:
    st.session_state[f"mp_version_{kind}"] = version(kind) + 1  # fresh editor, from the file
    state.flash("success", t("map.saved", n=n))
    st.rerun()


def _blank(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def height(frame: pd.DataFrame) -> int:
    """Every row in view up to about 16 (the fallback row of the accounts comes last)."""
    return min(38 + 35 * max(len(frame), 1), 600)


def shown_rate(rate: Any) -> str:
    """A VAT rate key in the user's format (19,6), a zone's 0 % in words; a key typed by hand
    that is no number, as it is."""
    zone = vat_codes.zone_of_key(str(rate))
    if zone:
        return t(f"map.vat_zone_{zone}")
    try:
        return widgets.number(Decimal(str(rate)))
    except InvalidOperation:
        return str(rate)


def save(ws, kind: str, edited: pd.DataFrame, original: pd.DataFrame, key: str, column: str) -> None:
    """Write the rows whose `column` changed: all of them, or none when one is refused."""
    changes = {
        str(k): _blank(new) or None
        for k, new, old in zip(original[key], edited[column], original[column])
        if _blank(new) != _blank(old)
    }
    if not changes:
        st.info(t("map.nothing_changed"))
        return
    refused = mappings.apply(ws, kind, changes)
    if refused:
        named = shown_rate if kind == "vat" else str  # a rate as the table shows it (19,6)
        lines = "\n".join(f"- {widgets.labelled(f'**{named(k)}**', widgets.error_text(why))}"
                          for k, why in refused.items())
        st.error(t("map.refused", n=len(refused)) + "\n\n" + lines, icon=":material/error:")
        return
    saved(kind, len(changes))


def summary(info: dict[str, Any], counterparty_matches: int, lists: pennylane_lists.Lists | None) -> None:
    cols = st.columns(4)
    cols[0].metric(t("map.m_ledger"), info["ledger_unmapped"], help=t("map.m_ledger_help", lines=info["ledger_unmapped_lines"]),
                   border=True)
    cols[1].metric(t("map.m_vat"), info["vat_unmapped"], help=t("map.m_vat_help", lines=info["vat_unmapped_lines"]),
                   border=True)
    categories_help = t("map.m_categories_help_lists" if lists else "map.m_categories_help")
    if lists:  # what the count is made of: an ambiguous choice counts too
        categories_help += "\n\n" + t("map.m_categories_help_counted", none=info["categories_none"],
                                        unknown=info["categories_unknown"], ambiguous=info["categories_ambiguous"])
    cols[2].metric(t("map.m_categories"), info["categories_missing"], help=categories_help, border=True)
    cols[3].metric(t("map.m_counterparties"), counterparty_matches, help=t("map.m_counterparties_help"), border=True)
    # the same list and count as the Overview's card (`mappings.todo`)
    todo = mappings.todo(info)
    if mappings.todo_required(todo):
        st.warning(i18n.todo_text(todo, state.lang()), icon=":material/rule:")
    elif todo:
        st.info(i18n.todo_text(todo, state.lang()), icon=":material/rule:")
    else:
        st.success(t("map.all_mapped"), icon=":material/check_circle:")


def pennylane_label(lists: pennylane_lists.Lists | None, number: str | None) -> str | None:
    """The Pennylane label of a mapped account, "Absent de Pennylane" when its chart lacks it,
    said "désactivé dans Pennylane" when it is disabled there; None when there is no account or
    the chart is not known."""
    if lists is None or not number:
        return None
    if lists.is_disabled(number):
        return t("map.pl_account_disabled", label=lists.account_label(number) or number)
    if lists.has_account(number):
        return lists.account_label(number) or ""
    return t("map.pl_account_absent")


def used_label(lists: pennylane_lists.Lists | None, row: dict[str, Any], fallback: str | None) -> str | None:
    """The Pennylane column of a code: its own account's label; for a code served through a
    part (or by the fallback), the account actually used, with where it comes from."""
    if lists is None:
        return None
    if row.get("vias"):
        return "; ".join(t("map.pl_used", account=account, part=part, label=pennylane_label(lists, account))
                         for part, account in row["vias"].items())
    if row.get("via"):
        return t("map.pl_used", account=row["account"], part=row["via"],
                 label=pennylane_label(lists, row["account"]))
    if row["state"] == "fallback" and fallback:
        return t("map.pl_used", account=fallback, part=t("map.pl_fallback"), label=pennylane_label(lists, fallback))
    return pennylane_label(lists, row["account"])


def used_accounts(row: dict[str, Any], fallback: str | None) -> list[str]:
    """The accounts a code's lines go to: through its parts, its own, or the fallback's."""
    if row.get("vias"):
        return sorted(set(row["vias"].values()))
    if row.get("via") or row["state"] != "fallback" or row["hint"] == mappings.FALLBACK:
        return [row["account"]] if row["account"] else []
    return [fallback] if fallback else []


def ledger_state(row: dict[str, Any], lists: pennylane_lists.Lists | None = None, fallback: str | None = None) -> str:
    """The state of a code; with Pennylane's lists, what a live send finds there about the
    account it uses (absent: the invoice is held; disabled)."""
    if row.get("vias"):
        said = t("map.state_by_parts", parts=", ".join(f"{part} → {account}" for part, account in row["vias"].items()))
    elif row.get("via"):
        said = t("map.state_by_part", part=f"{row['via']} → {row['account']}")
    else:
        said = state_label(row["state"])
    if lists is None:
        return said
    accounts = used_accounts(row, fallback)
    absent = [a for a in accounts if not lists.has_account(a)]
    disabled = [a for a in accounts if lists.is_disabled(a)]
    own = row["state"] in ("mapped", "default") and not (row.get("via") or row.get("vias"))
    if absent:
        return t("map.state_absent") if own else t("map.state_flag_absent", state=said, accounts=", ".join(absent))
    if disabled:
        return t("map.state_disabled") if own else t("map.state_flag_disabled", state=said,
                                                      accounts=", ".join(disabled))
    return said


def dry_run_note(ws) -> None:
    """In a simulation every account and category exists (`send._Placeholders`): the flags,
    from lists read earlier, say what a live send does."""
    if pennylane_lists.dry_run(ws):
        st.info(t("map.pl_dry_run_flags"), icon=":material/science:")


def missing_accounts(ws, lists: pennylane_lists.Lists | None, rows: list[dict[str, Any]]) -> None:
    """What a live send does with mapped accounts Pennylane's chart lacks (`send._ledger_ids`:
    the invoice is held before its import; the fallback only for an invoice with a line that
    has neither a reviewer's account nor a mapped code)."""
    if lists is None:
        return
    flags = lists.flags(rows, [])
    if flags["accounts_absent"] or flags["fallback_absent"]:
        dry_run_note(ws)
    if absent := flags["accounts_absent"]:
        st.warning(t("map.pl_accounts_absent", n=len(absent), accounts=", ".join(f"`{a}`" for a in absent)),
                   icon=":material/warning:")
    if flags["fallback_absent"]:
        st.warning(t("map.pl_fallback_absent", account=flags["fallback_absent"]), icon=":material/warning:")
    if disabled := flags["accounts_disabled"]:
        st.warning(t("map.pl_accounts_disabled", n=len(disabled), accounts=", ".join(f"`{a}`" for a in disabled)),
                   icon=":material/warning:")


def ledger_tab(ws, rows: list[dict[str, Any]], lists: pennylane_lists.Lists | None) -> None:
    st.caption(t("map.ledger_intro"))
    no_code = next((r for r in rows if r["hint"] is None), None)
    shown = [r for r in rows if r["hint"] is not None]
    fallback = next((r["account"] for r in rows if r["hint"] == mappings.FALLBACK), None)
    frame = pd.DataFrame([{
        "hint": r["hint"], "lines": r["lines"], "documents": r["documents"],
        # an account served through a part is shown in the state and the Pennylane column, with where
        # it comes from; the cell stays the code's own mapping
        "account": (r["account"] if not (r.get("via") or r.get("vias")) else "") or "",
        "pennylane": (used_label(lists, r, fallback) if r["hint"] != mappings.FALLBACK
                      else pennylane_label(lists, r["account"])),
        "state": ledger_state(r, lists, fallback),
    } for r in shown], columns=["hint", "lines", "documents", "account", "pennylane", "state"])
    edited = st.data_editor(
        frame, key=f"mp_ledger_{version('ledger_accounts')}", hide_index=True, width="stretch",
        height=height(frame), placeholder="—", num_rows="fixed",
        disabled=["hint", "lines", "documents", "pennylane", "state"],
        column_order=["hint", "lines", "documents", "account"] + (["pennylane"] if lists else []) + ["state"],
        column_config={
            "hint": st.column_config.TextColumn(t("map.col_hint"), help=t("map.col_hint_help")),
            "lines": st.column_config.NumberColumn(t("map.col_lines"), format="%d", help=t("map.col_lines_help")),
            "documents": st.column_config.NumberColumn(t("col.documents"), format="%d",
                                                       help=t("map.col_documents_help")),
            "account": st.column_config.TextColumn(t("map.col_account"), help=t("map.col_account_help"),
                                                   max_chars=20),
            "pennylane": st.column_config.TextColumn(t("map.col_pl_label"), help=t("map.col_pl_label_help"),
                                                     width="large"),
            "state": st.column_config.TextColumn(t("map.col_state"), width="large"),
        })
    missing_accounts(ws, lists, rows)
    if no_code:
        st.caption(t("map.ledger_no_code", lines=no_code["lines"]))
    if st.button(t("map.save_ledger"), type="primary", icon=":material/save:", key="mp_save_ledger"):
        save(ws, "ledger_accounts", edited, frame, "hint", "account")


def vat_tab(ws, rows: list[dict[str, Any]]) -> None:
    st.caption(t("map.vat_intro"))
    st.caption(t("map.vat_zero_intro"))
    # A workspace that mapped 0 % before the zones existed: that mapping no longer covers sales abroad.
    zero = next((r for r in rows if r["rate"] == "0" and r["state"] == "mapped"), None)
    abroad = [r for r in rows if vat_codes.zone_of_key(r["rate"]) and r["state"] == "default" and r["lines"]]
    if zero and abroad:
        st.warning(t("map.vat_zero_mapped", code=zero["code"], zones=", ".join(
            f"{shown_rate(r['rate'])} → {r['code']}" for r in abroad)), icon=":material/info:")
    valid = sorted(vat_codes.valid_codes())
    # `rate` is the mapping's key as ecluse.toml writes it (19.6); `shown` is it in the user's format.
    frame = pd.DataFrame([{
        "rate": r["rate"], "shown": shown_rate(r["rate"]), "lines": r["lines"],
        "with_code": r["lines_with_source_code"], "default": r["default"] or "", "code": r["mapped"] or "",
        "state": state_label(r["state"]),
    } for r in rows], columns=["rate", "shown", "lines", "with_code", "default", "code", "state"])
    # A code typed by hand in ecluse.toml that Pennylane refuses stays visible (flagged invalid).
    # France's codes first, each with its rate, as Revue's Corriger offers them.
    options = vat_codes.ordered_codes() + sorted({c for c in frame["code"] if c} - set(valid))
    edited = st.data_editor(
        frame, key=f"mp_vat_{version('vat')}", hide_index=True, width="stretch", num_rows="fixed",
        height=height(frame), placeholder="—",
        disabled=["rate", "shown", "lines", "with_code", "default", "state"],
        column_order=["shown", "lines", "with_code", "default", "code", "state"],
        column_config={
            "shown": st.column_config.TextColumn(t("map.col_rate"), width="medium"),  # "0 % client entreprise UE"
            "lines": st.column_config.NumberColumn(t("map.col_lines"), format="%d"),
            "with_code": st.column_config.NumberColumn(t("map.col_with_code"), format="%d",
                                                       help=t("map.col_with_code_help")),
            "default": st.column_config.TextColumn(t("map.col_default")),
            "code": st.column_config.SelectboxColumn(t("map.col_code"), options=options, help=t("map.col_code_help"),
                                                     format_func=widgets.vat_code),
            "state": st.column_config.TextColumn(t("map.col_state")),
        })
    if st.button(t("map.save_vat"), type="primary", icon=":material/save:", key="mp_save_vat"):
        save(ws, "vat", edited, frame, "rate", "code")
    with st.expander(t("map.vat_add"), icon=":material/add:"):
        with st.form("mp_vat_add", border=False):
            c1, c2 = st.columns(2)
            rate = c1.text_input(t("map.col_rate"), key="mp_vat_add_rate", placeholder="8,5")
            code = c2.selectbox(t("map.col_code"), vat_codes.ordered_codes(), index=None, key="mp_vat_add_code",
                                format_func=widgets.vat_code,
                                placeholder=t("map.vat_add_code_ph"))
            if st.form_submit_button(t("map.vat_add_save"), icon=":material/add:"):
                if not code:
                    st.error(t("map.vat_add_code_missing"), icon=":material/error:")
                else:
                    try:
                        mappings.set_vat(ws, rate or "", code)
                    except widgets.USER_ERRORS as exc:
                        widgets.user_error(exc)
                    else:
                        saved("vat", 1)


def category_state(lists: pennylane_lists.Lists | None, category: str | None) -> str:
    if not lists or not category:
        return ""
    if not lists.has_category(category):
        return t("map.pl_category_unknown")
    if lists.is_ambiguous(category):
        return t("map.pl_category_ambiguous", n=sum(1 for c in lists.categories if c["label"] == category),
                 groups=in_groups(lists.category_groups(category)))
    return ""


def in_groups(groups: list[str]) -> str:
    """ (A, B): the groups of an ambiguous label, when they could be read."""
    return f" ({', '.join(groups)})" if groups else ""


def category_column(lists: pennylane_lists.Lists | None, current: list[str]) -> Any:
    """A choice among Pennylane's labels (each with its group) when they are known, the
    current values Pennylane lacks kept at the end; else the label typed by hand."""
    if lists is None:
        st.caption(t("map.pl_categories_unknown"))
        return st.column_config.TextColumn(t("map.col_category"), help=t("map.col_category_help"), max_chars=120)
    labels = lists.category_labels()
    st.caption(t("map.pl_categories_known" if len(labels) == len(lists.categories) else "map.pl_categories_known_shared",
                 n=len(labels), categories=len(lists.categories)) if labels else t("map.pl_categories_none"))

    def shown(label: str) -> str:  # a label several groups share names them all
        groups = " / ".join(lists.category_groups(label))
        return f"{label} — {groups}" if groups else label

    return st.column_config.SelectboxColumn(
        t("map.col_category"), help=t("map.pl_col_category_help"), format_func=shown, width="large",
        options=labels + sorted({c for c in current if c} - set(labels)))


def categories_tab(ws, rows: list[dict[str, Any]], lists: pennylane_lists.Lists | None) -> None:
    st.caption(t("map.categories_intro"))
    frame = pd.DataFrame([{
        "key": r["key"], "connection": r["connection"], "side": t(f"rec.side_{r['side']}"), "documents": r["documents"],
        "source_categories": r["source_categories"], "category": r["category"] or "",
        "state": category_state(lists, r["category"]),
    } for r in rows], columns=["key", "connection", "side", "documents", "source_categories", "category", "state"])
    column = category_column(lists, list(frame["category"]))
    edited = st.data_editor(
        frame, key=f"mp_categories_{version('categories')}", hide_index=True, width="stretch", num_rows="fixed",
        height=height(frame), placeholder="—",
        disabled=["key", "connection", "side", "documents", "source_categories", "state"],
        column_order=["connection", "side", "documents", "source_categories", "category"] + (["state"] if lists else []),
        column_config={
            "connection": st.column_config.TextColumn(t("col.connection")),
            "side": st.column_config.TextColumn(t("map.col_side")),
            "documents": st.column_config.NumberColumn(t("col.documents"), format="%d"),
            "source_categories": st.column_config.NumberColumn(t("map.col_source_categories"), format="%d",
                                                               help=t("map.col_source_categories_help")),
            "category": column,
            "state": st.column_config.TextColumn(t("map.col_state"), width="large"),
        })
    flags = lists.flags([], rows) if lists else {"categories_unknown": [], "categories_ambiguous": []}
    if flags["categories_unknown"] or flags["categories_ambiguous"]:
        dry_run_note(ws)
    if unknown := flags["categories_unknown"]:
        st.warning(t("map.pl_categories_absent", n=len(unknown), labels=", ".join(f"`{c}`" for c in unknown)),
                   icon=":material/warning:")
    if ambiguous := flags["categories_ambiguous"]:
        labels = ", ".join(f"`{a['label']}`{in_groups(a['groups'])}" for a in ambiguous)
        st.warning(t("map.pl_categories_ambiguous", n=len(ambiguous), labels=labels), icon=":material/warning:")
    if st.button(t("map.save_categories"), type="primary", icon=":material/save:", key="mp_save_categories"):
        save(ws, "categories", edited, frame, "key", "category")


def counterparties_tab(ws) -> None:
    st.caption(t("map.counterparties_intro"))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    search = c1.text_input(t("map.search"), key="mp_cp_search", placeholder=t("map.search_ph"))
    only = c2.toggle(t("map.only_matched"), key="mp_cp_only")
    rows, total = mappings.counterparties(ws, search=(search or "").strip() or None, only_mapped=only)
    if not rows:
        st.info(t("map.no_counterparty"))
        return
    frame = pd.DataFrame([{
        "id": r["id"], "name": r["name"] or "", "role": t(f"review.{r['role']}") if r["role"] in ("customer", "supplier")
        else r["role"], "vat_number": r["vat_number"] or "", "documents": r["documents"],
        "known_id": "" if r["known_id"] is None else str(r["known_id"]), "match": r["match"] or "",
    } for r in rows], columns=["id", "name", "role", "vat_number", "documents", "known_id", "match"])
    edited = st.data_editor(
        frame, key=f"mp_cp_{version('counterparties')}_{search}_{only}", hide_index=True, width="stretch",
        height=height(frame), placeholder="—",
        num_rows="fixed", disabled=["id", "name", "role", "vat_number", "documents", "known_id"],
        column_config={
            "id": st.column_config.TextColumn(t("map.col_cp_id")),
            "name": st.column_config.TextColumn(t("col.name")),
            "role": st.column_config.TextColumn(t("map.col_role")),
            "vat_number": st.column_config.TextColumn(t("review.vat_number")),
            "documents": st.column_config.NumberColumn(t("col.documents"), format="%d"),
            "known_id": st.column_config.TextColumn(t("map.col_known_id"), help=t("map.col_known_id_help")),
            "match": st.column_config.TextColumn(t("map.col_match"), help=t("map.col_match_help")),
        })
    if total > len(rows):
        st.caption(t("map.more", shown=len(rows), n=total))
    if st.button(t("map.save_counterparties"), type="primary", icon=":material/save:", key="mp_save_cp"):
        save(ws, "counterparties", edited, frame, "id", "match")


def pennylane_panel(ws, lists: pennylane_lists.Lists | None) -> None:
    """When the company's categories and ledger accounts were last read (`lists`, as the page
    loaded them), and the button that reads them again (disabled, with why, in a dry run or
    without a token); a refresh reruns the page, which loads them again."""
    why = pennylane_lists.unavailable(ws)
    with st.container(border=True):
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        if lists is not None:
            c1.markdown(t("map.pl_fetched", when=widgets.datetime(lists.fetched_at), categories=len(lists.categories),
                          accounts=len(lists.ledger_accounts)))
        else:
            c1.markdown(t("map.pl_never"))
        if why is not None:
            c1.caption(t(f"map.pl_why_{why['reason']}", var=why.get("var") or ""))
        clicked = c2.button(t("map.pl_refresh"), key="mp_pl_refresh", icon=":material/sync:", width="stretch",
                            disabled=why is not None, help=t("map.pl_refresh_help"))
        if clicked:
            try:
                with st.spinner(t("map.pl_fetching")):
                    lists = pennylane_lists.refresh(ws)
            except widgets.USER_ERRORS as exc:
                st.error(t("map.pl_failed", message=widgets.error_text(exc)), icon=":material/error:")
            else:
                for kind in ("ledger_accounts", "categories"):  # fresh editors, with the lists
                    st.session_state[f"mp_version_{kind}"] = version(kind) + 1
                state.flash("success", t("map.pl_refreshed", categories=len(lists.categories),
                                         accounts=len(lists.ledger_accounts)))
                st.rerun()


def main() -> None:
    st.title(t("map.title"))
    st.caption(t("map.intro"))
    ws = state.workspace()
    widgets.show_flashes()
    ledger = mappings.ledger_accounts(ws)
    vat = mappings.vat_rates(ws)
    plugins = state.plugins()
    cats = mappings.categories(ws, {  # a connection without documents yet: its connector's sides
        name: tuple(sorted({mappings.side_of(kind) for kind in plugins.connector(conn["connector"]).kinds}))
        for name, conn in ws.connections().items() if conn.get("connector") in plugins.connectors})
    known = pennylane_lists.load(ws)  # the counters count what a live send does with Pennylane's lists
    summary(mappings.summary(ws, ledger, vat, cats, known), len(ws.mappings()["counterparties"]), known)
    pennylane_panel(ws, known)
    lists = known
    tabs = st.tabs([t("map.tab_ledger"), t("map.tab_vat"), t("map.tab_categories"), t("map.tab_counterparties")])
    with tabs[0]:
        ledger_tab(ws, ledger, lists)
    with tabs[1]:
        vat_tab(ws, vat)
    with tabs[2]:
        categories_tab(ws, cats, lists)
    with tabs[3]:
        counterparties_tab(ws)


main()
